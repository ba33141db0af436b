#include "runtime/scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "core/error.h"

namespace fathom::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A sequence asking for every row's logits holds rows x vocabulary floats (800 KB a row
// for o200k): its prompt goes in smaller pieces.
constexpr int64_t kAllLogitsChunk = 32;

// How far back the tokens/s figure of stats() looks.
constexpr double kRateWindowSeconds = 10.0;

}  // namespace

struct Scheduler::Slot {
  Slot(const models::ModelConfig& c, int64_t n_ctx, DType type) : cache(c, n_ctx, type) {}

  models::KvCache cache;
  std::vector<int32_t> cached;  // the tokens whose keys and values the cache holds, in order
  uint64_t last_used = 0;       // admission counter, for least-recently-used choice

  // The job it runs, if any, and its progress.
  std::shared_ptr<JobHandle> job;
  std::optional<Sampler> sampler;
  std::vector<int32_t> history;  // prompt and generated tokens, for the penalties
  int64_t fed = 0;               // prompt tokens in the cache
  int32_t next = -1;             // the sampled token the next step feeds
  size_t forced_at = 0;
  Clock::time_point not_before;
  Clock::time_point started, prefilled;
  std::vector<float> logits;
  std::vector<GeneratedToken> prompt_tokens;
  JobSummary summary;
};

void JobHandle::cancel() {
  cancel_ = true;
  if (owner) owner->wake();
}

std::string_view finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::End: return "end";
    case FinishReason::Length: return "length";
    case FinishReason::ContextFull: return "context_full";
    case FinishReason::Stopped: return "stopped";
    case FinishReason::Cancelled: return "cancelled";
    case FinishReason::Error: return "error";
  }
  return "?";
}

// Gives the job its summary and drops its callbacks: they usually hold the caller's
// objects, which hold the handle, and that cycle would keep every request alive.
void Scheduler::hand_over(JobHandle& h, const JobSummary& sum) {
  JobCallbacks cb = std::move(h.cb);
  h.cb = {};
  if (cb.on_done) cb.on_done(sum);
}

Scheduler::Scheduler(models::Model& model, const SchedulerOptions& opts) : model_(model), opts_(opts) {
  if (opts.n_slots < 1) throw Error("the number of parallel sequences must be at least 1, found " +
                                    std::to_string(opts.n_slots));
  if (opts.batch_tokens < 1) throw Error("the batch size must be at least 1 token");
  for (int i = 0; i < opts.n_slots; ++i) {
    slots_.push_back(std::make_unique<Slot>(model.config(), opts.n_ctx, opts.kv_type));
  }
  stats_.kv_capacity = opts.n_ctx * opts.n_slots;
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::shared_ptr<JobHandle> Scheduler::submit(Job job, JobCallbacks cb) {
  if (job.prompt.empty()) throw Error("the prompt is empty: at least one token is needed");
  const auto n = static_cast<int64_t>(job.prompt.size());
  if (n >= opts_.n_ctx) {
    throw Error("the prompt is " + std::to_string(n) + " tokens but the context holds " +
                std::to_string(opts_.n_ctx) + ": no room for a reply");
  }
  for (int32_t t : job.prompt) {
    if (t < 0 || t >= model_.config().n_vocab) {
      throw Error("token id " + std::to_string(t) + " is outside the vocabulary [0, " +
                  std::to_string(model_.config().n_vocab) + ")");
    }
  }
  auto h = std::make_shared<JobHandle>();
  h->job = std::move(job);
  h->cb = std::move(cb);
  h->submitted = Clock::now();
  h->owner = this;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Jobs wait for a slot between steps: a slot that is free counts as room too, or a
    // burst would be refused while a slot sits idle.
    const int64_t free_slots = opts_.n_slots - static_cast<int64_t>(running_.size());
    if (static_cast<int64_t>(queue_.size()) >= opts_.max_queue + free_slots) return nullptr;
    queue_.push_back(h);
    poked_ = true;
  }
  cv_.notify_all();
  return h;
}

void Scheduler::cancel_all() {
  // Slots are the loop's, but their handles are shared: cancelling is an atomic flag.
  std::vector<std::shared_ptr<JobHandle>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.assign(queue_.begin(), queue_.end());
    all.insert(all.end(), running_.begin(), running_.end());
  }
  for (const auto& h : all) h->cancel_ = true;
  wake();
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  SchedulerStats st = stats_;
  st.queued = static_cast<int64_t>(queue_.size());
  st.active = static_cast<int64_t>(running_.size());
  // Tokens over the last window; an idle server reads 0 once the window has passed.
  if (!rate_.empty() && seconds_between(rate_.back().first, Clock::now()) < kRateWindowSeconds) {
    const double span = seconds_between(rate_.front().first, Clock::now());
    if (span > 0) st.tokens_per_second = static_cast<double>(rate_.back().second - rate_.front().second) / span;
  }
  return st;
}

void Scheduler::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void Scheduler::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    poked_ = false;
    admit(lock);
    if (stop_) break;
    const bool busy = std::any_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->job != nullptr; });
    if (!busy) {
      cv_.wait(lock, [&] { return stop_ || poked_ || !queue_.empty(); });
      continue;
    }
    lock.unlock();
    const bool ran = step();
    lock.lock();
    if (!ran) {
      // Every running job waits on its test-hook delay: sleep until the first is due,
      // or a new job or a cancellation arrives.
      Clock::time_point due = Clock::time_point::max();
      for (const auto& s : slots_) {
        if (s->job) due = std::min(due, s->not_before);
      }
      const bool free_slot =
          std::any_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->job == nullptr; });
      cv_.wait_until(lock, due, [&] { return stop_ || poked_ || (free_slot && !queue_.empty()); });
    }
  }
  // Shutting down: nothing more runs; every caller hears that its job was cancelled.
  std::vector<std::shared_ptr<JobHandle>> left(queue_.begin(), queue_.end());
  queue_.clear();
  lock.unlock();
  for (auto& s : slots_) {
    if (s->job) finish(*s, FinishReason::Cancelled);
  }
  for (auto& h : left) {
    JobSummary sum;
    sum.reason = FinishReason::Cancelled;
    sum.n_prompt = static_cast<int64_t>(h->job.prompt.size());
    hand_over(*h, sum);
  }
}

// Moves queued jobs into free slots, first come first served. Called with the lock held.
void Scheduler::admit(std::unique_lock<std::mutex>& lock) {
  std::vector<std::shared_ptr<JobHandle>> dropped;
  while (!queue_.empty()) {
    std::shared_ptr<JobHandle> h = queue_.front();
    if (h->cancelled()) {
      queue_.pop_front();
      dropped.push_back(h);
      continue;
    }
    // The free slot sharing the longest prefix with the prompt; among equals, the one
    // idle longest, so a conversation's cache survives as long as possible.
    Slot* best = nullptr;
    int64_t best_common = -1;
    for (auto& s : slots_) {
      if (s->job) continue;
      const auto mm = std::mismatch(s->cached.begin(), s->cached.end(), h->job.prompt.begin(), h->job.prompt.end());
      const int64_t common = mm.first - s->cached.begin();
      if (common > best_common || (common == best_common && s->last_used < best->last_used)) {
        best = s.get();
        best_common = common;
      }
    }
    if (!best) break;
    queue_.pop_front();
    Slot& s = *best;
    const Job& j = h->job;
    // At least the last prompt token is computed: its logits start the reply. Prompt
    // log-probabilities need every row's logits, so such a job recomputes everything.
    int64_t reuse = std::min<int64_t>(best_common, static_cast<int64_t>(j.prompt.size()) - 1);
    if (j.prompt_logprobs) reuse = 0;
    s.cache.truncate(reuse);
    s.cached.resize(static_cast<size_t>(reuse));
    s.last_used = ++admitted_;
    s.job = h;
    running_.push_back(h);
    s.sampler.emplace(j.sampling);
    s.history = j.prompt;
    s.fed = reuse;
    s.next = -1;
    s.forced_at = 0;
    s.not_before = Clock::now();
    s.started = s.not_before;
    s.prompt_tokens.clear();
    s.summary = JobSummary{};
    s.summary.n_prompt = static_cast<int64_t>(j.prompt.size());
    s.summary.n_reused = reuse;
    s.summary.queue_seconds = seconds_between(h->submitted, s.started);
    stats_.reused_tokens += reuse;
  }
  if (dropped.empty()) return;
  stats_.jobs_cancelled += static_cast<int64_t>(dropped.size());
  lock.unlock();
  for (auto& h : dropped) {
    JobSummary sum;
    sum.reason = FinishReason::Cancelled;
    sum.n_prompt = static_cast<int64_t>(h->job.prompt.size());
    sum.queue_seconds = seconds_between(h->submitted, Clock::now());
    hand_over(*h, sum);
  }
  lock.lock();
}

// One forward pass over every slot that has work: a piece of each unfinished prompt (up
// to the step's token budget) and the last sampled token of each generating job.
// Returns false when no slot was ready.
bool Scheduler::step() {
  const int64_t n_vocab = model_.config().n_vocab;
  const Clock::time_point now = Clock::now();
  std::vector<models::Sequence> batch;
  std::vector<Slot*> members;
  std::vector<int64_t> fed;
  int64_t budget = opts_.batch_tokens;
  for (auto& sp : slots_) {
    Slot& s = *sp;
    if (!s.job) continue;
    if (s.job->cancelled()) {
      finish(s, FinishReason::Cancelled);
      continue;
    }
    const Job& j = s.job->job;
    const auto n_prompt = static_cast<int64_t>(j.prompt.size());
    if (s.fed < n_prompt) {
      int64_t n = std::min(n_prompt - s.fed, budget);
      if (j.prompt_logprobs) n = std::min(n, kAllLogitsChunk);
      if (n <= 0) continue;
      budget -= n;
      s.logits.resize(static_cast<size_t>((j.prompt_logprobs ? n : 1) * n_vocab));
      batch.push_back({std::span<const int32_t>(j.prompt).subspan(static_cast<size_t>(s.fed), static_cast<size_t>(n)),
                       &s.cache, s.logits.data(), j.prompt_logprobs});
      fed.push_back(n);
    } else {
      if (now < s.not_before) continue;
      s.logits.resize(static_cast<size_t>(n_vocab));
      batch.push_back({std::span<const int32_t>(&s.next, 1), &s.cache, s.logits.data(), false});
      fed.push_back(1);
    }
    members.push_back(&s);
  }
  if (batch.empty()) return false;

  const Clock::time_point t0 = Clock::now();
  try {
    model_.forward(batch);
  } catch (const std::exception& e) {
    // The caches may hold part of this step: forget them rather than trust them.
    for (Slot* s : members) {
      s->cache.truncate(0);
      s->cached.clear();
      finish(*s, FinishReason::Error, e.what());
    }
    return true;
  }
  const double busy = seconds_between(t0, Clock::now());
  for (size_t i = 0; i < members.size(); ++i) {
    members[i]->cached.insert(members[i]->cached.end(), batch[i].tokens.begin(), batch[i].tokens.end());
    after_forward(*members[i], fed[i]);
  }

  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.steps;
  stats_.busy_seconds += busy;
  stats_.generated_tokens += step_generated_;
  step_generated_ = 0;
  rate_.emplace_back(Clock::now(), stats_.generated_tokens);
  while (seconds_between(rate_.front().first, rate_.back().first) > kRateWindowSeconds) rate_.pop_front();
  stats_.kv_used = 0;
  for (const auto& s : slots_) stats_.kv_used += s->cache.n_past();
  return true;
}

void Scheduler::after_forward(Slot& s, int64_t n_fed) {
  const Job& j = s.job->job;
  const int64_t n_vocab = model_.config().n_vocab;
  const auto n_prompt = static_cast<int64_t>(j.prompt.size());
  if (s.fed >= n_prompt) {  // a decode step
    emit(s, s.logits.data());
    return;
  }
  if (j.prompt_logprobs) {
    if (s.fed == 0) {
      GeneratedToken first{j.prompt[0], false, {}};
      first.logprobs.chosen = {j.prompt[0], std::numeric_limits<float>::quiet_NaN()};
      s.prompt_tokens.push_back(first);
    }
    // Row i predicts prompt token fed + i + 1; the last prompt row predicts the reply.
    for (int64_t i = 0; i < n_fed && s.fed + i + 1 < n_prompt; ++i) {
      const int32_t t = j.prompt[static_cast<size_t>(s.fed + i + 1)];
      const std::span<const float> row(s.logits.data() + i * n_vocab, static_cast<size_t>(n_vocab));
      s.prompt_tokens.push_back({t, false, logprobs_of(row, t, std::max(j.top_logprobs, 0))});
    }
  }
  s.fed += n_fed;
  if (s.fed < n_prompt) return;
  s.prefilled = Clock::now();
  s.summary.prefill_seconds = seconds_between(s.started, s.prefilled);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.prompt_tokens += n_prompt - s.summary.n_reused;
  }
  if (j.prompt_logprobs && s.job->cb.on_prompt) s.job->cb.on_prompt(std::move(s.prompt_tokens));
  if (j.max_tokens == 0) {
    finish(s, FinishReason::Length);
    return;
  }
  const int64_t last_row = j.prompt_logprobs ? n_fed - 1 : 0;
  emit(s, s.logits.data() + last_row * n_vocab);
}

// Chooses the next token from a row of logits and hands it to the job.
void Scheduler::emit(Slot& s, const float* logits) {
  const Job& j = s.job->job;
  const std::span<const float> row(logits, static_cast<size_t>(model_.config().n_vocab));
  int32_t tok;
  if (!j.forced.empty()) {
    if (s.forced_at == j.forced.size()) {
      finish(s, FinishReason::End);
      return;
    }
    tok = j.forced[s.forced_at++];
    s.not_before = Clock::now() + j.forced_delay;
  } else {
    tok = s.sampler->sample(row, s.history);
  }
  GeneratedToken g{tok, std::find(j.end_tokens.begin(), j.end_tokens.end(), tok) != j.end_tokens.end(), {}};
  if (j.top_logprobs >= 0) g.logprobs = logprobs_of(row, tok, j.top_logprobs);
  const bool keep = !s.job->cb.on_token || s.job->cb.on_token(g);
  if (g.is_end) {
    finish(s, FinishReason::End);
    return;
  }
  ++s.summary.n_generated;
  ++step_generated_;
  s.history.push_back(tok);
  if (!keep) {
    finish(s, FinishReason::Stopped);
  } else if (s.summary.n_generated == j.max_tokens) {
    finish(s, FinishReason::Length);
  } else if (s.cache.n_past() >= s.cache.n_ctx()) {
    finish(s, FinishReason::ContextFull);
  } else {
    s.next = tok;
  }
}

void Scheduler::finish(Slot& s, FinishReason reason, const std::string& error) {
  const Clock::time_point now = Clock::now();
  JobSummary sum = s.summary;
  sum.reason = reason;
  sum.error = error;
  if (s.fed >= sum.n_prompt) sum.decode_seconds = seconds_between(s.prefilled, now);
  std::shared_ptr<JobHandle> h = std::move(s.job);
  s.sampler.reset();
  s.next = -1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.erase(std::remove(running_.begin(), running_.end(), h), running_.end());
    if (reason == FinishReason::Cancelled) {
      ++stats_.jobs_cancelled;
    } else if (reason == FinishReason::Error) {
      ++stats_.jobs_failed;
    } else {
      ++stats_.jobs_finished;
    }
  }
  hand_over(*h, sum);
}

}  // namespace fathom::runtime
