// Continuous batching: a fixed number of slots share one model, each with its own KV
// cache. Requests wait in a bounded queue, join the running batch between steps and
// leave it when done, so a long answer never holds up a short one. A new request goes
// to the free slot whose cached tokens share the longest prefix with its prompt (the
// next turn of a conversation), and only the rest of the prompt is computed.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "models/kv_cache.h"
#include "models/model.h"
#include "runtime/logprobs.h"
#include "runtime/sampler.h"

namespace fathom::runtime {

enum class FinishReason { End, Length, ContextFull, Stopped, Cancelled, Error };

struct Job {
  std::vector<int32_t> prompt;
  SamplerParams sampling;
  int64_t max_tokens = -1;           // -1: until an end token or a full context; 0: prompt only
  std::vector<int32_t> end_tokens;   // generation ends when one is sampled (it is still reported)
  int top_logprobs = -1;             // -1: none; else the chosen token's and this many alternatives
  bool prompt_logprobs = false;      // echo: also for every prompt token after the first
  // Test hook: these tokens are "sampled" in order, one per delay, instead of the model's choice.
  std::vector<int32_t> forced;
  std::chrono::milliseconds forced_delay{0};
};

struct GeneratedToken {
  int32_t token = 0;
  bool is_end = false;  // one of the job's end tokens
  Logprobs logprobs;    // when the job asked for them
};

struct JobSummary {
  FinishReason reason = FinishReason::End;
  std::string error;        // reason == Error
  int64_t n_prompt = 0;
  int64_t n_reused = 0;     // prompt tokens whose keys and values a slot already held
  int64_t n_generated = 0;  // end token not counted
  double queue_seconds = 0.0;
  double prefill_seconds = 0.0;
  double decode_seconds = 0.0;
};

// Called on the scheduler's thread: keep them short (hand the data to another thread).
struct JobCallbacks {
  // Once the prompt is computed, when prompt_logprobs: one entry per prompt token, the
  // first without a distribution (logprob NaN).
  std::function<void(std::vector<GeneratedToken>)> on_prompt;
  // Each generated token; returning false ends the job (Stopped), e.g. at a stop string.
  std::function<bool(const GeneratedToken&)> on_token;
  std::function<void(const JobSummary&)> on_done;
};

class Scheduler;

// A submitted job; cancel() ends it within one step and frees its slot.
class JobHandle {
 public:
  void cancel();
  bool cancelled() const { return cancel_.load(); }

 private:
  friend class Scheduler;
  Job job;
  JobCallbacks cb;
  std::chrono::steady_clock::time_point submitted;
  std::atomic<bool> cancel_{false};
  Scheduler* owner = nullptr;
};

struct SchedulerOptions {
  int n_slots = 1;
  int64_t n_ctx = 4096;        // positions per slot
  DType kv_type = DType::F16;
  int64_t max_queue = 64;      // waiting jobs beyond the slots
  int64_t batch_tokens = 512;  // prompt tokens computed per step, over all slots
};

struct SchedulerStats {
  int64_t jobs_finished = 0;
  int64_t jobs_cancelled = 0;
  int64_t jobs_failed = 0;
  int64_t prompt_tokens = 0;     // computed (reused ones not counted)
  int64_t reused_tokens = 0;
  int64_t generated_tokens = 0;
  int64_t steps = 0;
  int64_t queued = 0;
  int64_t active = 0;
  int64_t kv_used = 0;           // positions held, over all slots
  int64_t kv_capacity = 0;
  double busy_seconds = 0.0;     // time spent in forward passes
  double tokens_per_second = 0.0;  // generated, over the last few seconds
};

class Scheduler {
 public:
  Scheduler(models::Model& model, const SchedulerOptions& opts);
  ~Scheduler();  // cancels what is left and joins the thread
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a job. Returns null when the queue is full (the caller answers "busy"); throws
  // Error when the prompt is empty or leaves no room in a slot's context.
  std::shared_ptr<JobHandle> submit(Job job, JobCallbacks cb);

  // Cancels every queued and running job (each hears Cancelled within a step); jobs
  // submitted afterwards still run. For shutting down without cutting streams silently.
  void cancel_all();

  SchedulerStats stats() const;
  int64_t n_ctx() const { return opts_.n_ctx; }
  int n_slots() const { return opts_.n_slots; }

 private:
  struct Slot;
  friend class JobHandle;

  void loop();
  void wake();
  void admit(std::unique_lock<std::mutex>& lock);
  bool step();
  void after_forward(Slot& s, int64_t n_fed);
  void emit(Slot& s, const float* logits);
  void finish(Slot& s, FinishReason reason, const std::string& error = "");
  static void hand_over(JobHandle& h, const JobSummary& sum);

  models::Model& model_;
  SchedulerOptions opts_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::deque<std::shared_ptr<JobHandle>> queue_;
  std::vector<std::shared_ptr<JobHandle>> running_;  // the slots' jobs, for cancel_all (under mu_)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;  // a job arrived or was cancelled since the loop last looked
  uint64_t admitted_ = 0;
  int64_t step_generated_ = 0;  // scheduler thread only
  SchedulerStats stats_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> rate_;  // (time, generated so far)
  std::thread thread_;
};

std::string_view finish_reason_name(FinishReason r);  // "end", "length", ...

}  // namespace fathom::runtime
