// Continuous batching: results do not depend on what else runs, prefixes are reused,
// cancelled jobs free their slot, the queue is bounded, and echo log-probabilities are
// the model's own.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "runtime/scheduler.h"
#include "test_tiny_model.h"

using namespace fathom;
using runtime::FinishReason;

namespace {

// Collects a job's tokens and waits for its end.
struct Result {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::vector<int32_t> tokens;
  std::vector<runtime::GeneratedToken> generated, prompt;
  runtime::JobSummary summary;

  runtime::JobCallbacks callbacks(int stop_after = -1) {
    return {[this](std::vector<runtime::GeneratedToken> p) { prompt = std::move(p); },
            [this, stop_after](const runtime::GeneratedToken& g) {
              tokens.push_back(g.token);
              generated.push_back(g);
              return stop_after < 0 || static_cast<int>(tokens.size()) < stop_after;
            },
            [this](const runtime::JobSummary& s) {
              std::lock_guard<std::mutex> lock(mu);
              summary = s;
              done = true;
              cv.notify_all();
            }};
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return done; })) << "job never finished";
  }
};

runtime::Job greedy_job(std::vector<int32_t> prompt, int64_t max_tokens) {
  runtime::Job j;
  j.prompt = std::move(prompt);
  j.sampling.temperature = 0.0f;
  j.max_tokens = max_tokens;
  return j;
}

std::vector<int32_t> prompt_for(int i) {
  std::vector<int32_t> p;
  for (int k = 0; k < 3 + 2 * i; ++k) p.push_back(static_cast<int32_t>((100 + 37 * i + 11 * k) % 500));
  return p;
}

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : pool_(2), m_(tiny_model(models::Arch::GptOss, DType::Q8_0, pool_)) {}
  ThreadPool pool_;
  std::unique_ptr<TinyModel> m_;
};

}  // namespace

TEST_F(SchedulerTest, GreedyResultsDoNotDependOnTheBatch) {
  constexpr int kJobs = 8;
  std::vector<std::vector<int32_t>> alone(kJobs);
  {
    runtime::Scheduler s(*m_->model, {.n_slots = 1, .n_ctx = 128});
    for (int i = 0; i < kJobs; ++i) {
      Result r;
      ASSERT_NE(s.submit(greedy_job(prompt_for(i), 12 + i), r.callbacks()), nullptr);
      r.wait();
      alone[i] = r.tokens;
      EXPECT_EQ(r.summary.reason, FinishReason::Length);
      EXPECT_EQ(r.summary.n_generated, 12 + i);
    }
  }
  // Four slots, eight jobs at once, prompts computed 4 tokens a step: jobs join and
  // leave the batch while others are halfway through.
  runtime::Scheduler s(*m_->model, {.n_slots = 4, .n_ctx = 128, .batch_tokens = 4});
  std::vector<Result> results(kJobs);
  for (int i = 0; i < kJobs; ++i) ASSERT_NE(s.submit(greedy_job(prompt_for(i), 12 + i), results[i].callbacks()), nullptr);
  for (int i = 0; i < kJobs; ++i) {
    results[i].wait();
    EXPECT_EQ(results[i].tokens, alone[i]) << "job " << i;
  }
  const runtime::SchedulerStats st = s.stats();
  EXPECT_EQ(st.jobs_finished, kJobs);
  EXPECT_EQ(st.active, 0);
  EXPECT_EQ(st.queued, 0);
}

TEST_F(SchedulerTest, NextTurnReusesThePrefix) {
  runtime::Scheduler s(*m_->model, {.n_slots = 2, .n_ctx = 128});
  Result first;
  s.submit(greedy_job(prompt_for(3), 6), first.callbacks());
  first.wait();
  // The next turn: the previous prompt, the reply (its last token never went through the
  // model), then new text.
  std::vector<int32_t> next = prompt_for(3);
  next.insert(next.end(), first.tokens.begin(), first.tokens.end());
  next.insert(next.end(), {7, 8, 9});
  Result second;
  s.submit(greedy_job(next, 5), second.callbacks());
  second.wait();
  EXPECT_EQ(second.summary.n_reused, static_cast<int64_t>(prompt_for(3).size() + first.tokens.size() - 1));

  runtime::Scheduler fresh(*m_->model, {.n_slots = 1, .n_ctx = 128});
  Result again;
  fresh.submit(greedy_job(next, 5), again.callbacks());
  again.wait();
  EXPECT_EQ(again.summary.n_reused, 0);
  EXPECT_EQ(second.tokens, again.tokens);
}

TEST_F(SchedulerTest, CancelFreesTheSlotWithinAStep) {
  runtime::Scheduler s(*m_->model, {.n_slots = 1, .n_ctx = 128});
  runtime::Job slow = greedy_job(prompt_for(1), -1);
  slow.forced.assign(100, 42);  // a slow scripted stream: one token every 50 ms
  slow.forced_delay = std::chrono::milliseconds(50);
  Result r;
  auto h = s.submit(std::move(slow), r.callbacks());
  while (s.stats().active == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  h->cancel();
  r.wait();
  EXPECT_EQ(r.summary.reason, FinishReason::Cancelled);
  EXPECT_LT(r.tokens.size(), 100u);
  EXPECT_EQ(s.stats().active, 0);
  // The slot takes the next job.
  Result next;
  s.submit(greedy_job(prompt_for(2), 3), next.callbacks());
  next.wait();
  EXPECT_EQ(next.summary.reason, FinishReason::Length);
}

TEST_F(SchedulerTest, StopFromTheCallbackEndsTheJob) {
  runtime::Scheduler s(*m_->model, {.n_slots = 1, .n_ctx = 128});
  Result r;
  s.submit(greedy_job(prompt_for(0), 50), r.callbacks(/*stop_after=*/4));
  r.wait();
  EXPECT_EQ(r.summary.reason, FinishReason::Stopped);
  EXPECT_EQ(r.tokens.size(), 4u);
}

TEST_F(SchedulerTest, QueueIsBounded) {
  runtime::Scheduler s(*m_->model, {.n_slots = 1, .n_ctx = 128, .max_queue = 1});
  std::vector<Result> r(3);
  std::vector<std::shared_ptr<runtime::JobHandle>> h;
  for (int i = 0; i < 3; ++i) {
    runtime::Job j = greedy_job(prompt_for(i), -1);
    j.forced.assign(50, 42);
    j.forced_delay = std::chrono::milliseconds(20);
    h.push_back(s.submit(std::move(j), r[i].callbacks()));
    // The first job leaves the queue for the slot before the next arrives.
    if (i == 0) while (s.stats().active == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_NE(h[0], nullptr);
  ASSERT_NE(h[1], nullptr);
  EXPECT_EQ(h[2], nullptr);
  h[0]->cancel();
  h[1]->cancel();
  r[0].wait();
  r[1].wait();
  EXPECT_EQ(r[1].summary.reason, FinishReason::Cancelled);
}

TEST_F(SchedulerTest, PromptTooLongIsRefused) {
  runtime::Scheduler s(*m_->model, {.n_slots = 1, .n_ctx = 16});
  Result r;
  EXPECT_THROW(s.submit(greedy_job(std::vector<int32_t>(16, 5), 1), r.callbacks()), Error);
  EXPECT_THROW(s.submit(greedy_job({}, 1), r.callbacks()), Error);
}

TEST_F(SchedulerTest, EchoLogprobsAreTheModelsOwn) {
  const std::vector<int32_t> prompt = prompt_for(30);  // 63 tokens: two all-logits pieces
  runtime::Scheduler s(*m_->model, {.n_slots = 1, .n_ctx = 128});
  runtime::Job j = greedy_job(prompt, 1);
  j.prompt_logprobs = true;
  j.top_logprobs = 2;
  Result r;
  s.submit(std::move(j), r.callbacks());
  r.wait();
  ASSERT_EQ(r.prompt.size(), prompt.size());
  EXPECT_TRUE(std::isnan(r.prompt[0].logprobs.chosen.logprob));

  const int64_t V = m_->model->config().n_vocab;
  models::KvCache cache(m_->model->config(), 128, DType::F16);
  std::vector<float> logits(prompt.size() * V);
  m_->model->forward(prompt, cache, logits.data(), true);
  for (size_t i = 1; i < prompt.size(); ++i) {
    const runtime::Logprobs want =
        runtime::logprobs_of(std::span<const float>(logits.data() + (i - 1) * V, V), prompt[i], 2);
    EXPECT_EQ(r.prompt[i].token, prompt[i]);
    EXPECT_FLOAT_EQ(r.prompt[i].logprobs.chosen.logprob, want.chosen.logprob) << i;
    ASSERT_EQ(r.prompt[i].logprobs.top.size(), 2u);
    EXPECT_EQ(r.prompt[i].logprobs.top[0].token, want.top[0].token);
  }
  // The generated token's distribution is the last prompt row's.
  ASSERT_EQ(r.generated.size(), 1u);
  const runtime::Logprobs last =
      runtime::logprobs_of(std::span<const float>(logits.data() + (prompt.size() - 1) * V, V), r.tokens[0], 2);
  EXPECT_EQ(r.tokens[0], last.top[0].token);  // greedy
  EXPECT_FLOAT_EQ(r.generated[0].logprobs.chosen.logprob, last.chosen.logprob);
}

TEST(Logprobs, NormalisedAndSorted) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f, 3.0f};
  const runtime::Logprobs lp = runtime::logprobs_of(logits, 2, 3);
  double z = 0;
  for (float l : logits) z += std::exp(l);
  EXPECT_NEAR(lp.chosen.logprob, 2.0 - std::log(z), 1e-6);
  ASSERT_EQ(lp.top.size(), 3u);
  EXPECT_EQ(lp.top[0].token, 1);  // tie with 3: the lower id first
  EXPECT_EQ(lp.top[1].token, 3);
  EXPECT_EQ(lp.top[2].token, 2);
}
