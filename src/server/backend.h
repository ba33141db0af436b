// The model behind the server: weights, tokenizer, chat format and the scheduler that
// batches requests over its slots. Turns parsed requests into runs.
#pragma once
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/format.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "runtime/scheduler.h"
#include "server/requests.h"
#include "server/run.h"
#include "server/test_script.h"
#include "tokenizer/tokenizer.h"

namespace fathom::server {

struct BackendOptions {
  std::string model_path;
  std::string alias;            // the id clients use; default: general.name or the file name
  int threads = 1;
  runtime::SchedulerOptions scheduler;
  int64_t max_tokens = 0;       // cap per request; 0: the context
  std::string test_script;      // empty: none
};

class Backend {
 public:
  explicit Backend(const BackendOptions& o);
  ~Backend();

  const ModelTraits& traits() const { return traits_; }
  const models::ModelConfig& config() const { return model_->config(); }
  const tokenizer::Tokenizer& tokenizer() const { return *tok_; }
  std::string_view chat_format() const { return format_->name(); }
  runtime::SchedulerStats stats() const { return scheduler_->stats(); }
  int n_slots() const { return scheduler_->n_slots(); }

  // Queue a generation. Throws ApiError: 400 when the prompt does not fit the context,
  // 503 when the queue is full.
  std::shared_ptr<Run> start_chat(const ChatRequest& r);
  std::vector<std::shared_ptr<Run>> start_completion(const CompletionRequest& r);

  // Shutting down: running and queued generations end with "shutting down", new ones
  // are refused with a 503.
  void shut_down();

 private:
  std::shared_ptr<Run> submit(runtime::Job job, runtime::JobCallbacks cb, std::shared_ptr<Run> run);
  // `param`: the request field the tokens came from, named in the 400.
  std::vector<int32_t> check_prompt(std::vector<int32_t> tokens, const std::string& what, const std::string& param) const;

  ThreadPool pool_;
  std::unique_ptr<gguf::File> file_;
  std::unique_ptr<models::Model> model_;
  std::unique_ptr<tokenizer::Tokenizer> tok_;
  std::unique_ptr<chat::ChatFormat> format_;
  std::optional<TestScript> script_;
  ModelTraits traits_;
  std::unique_ptr<runtime::Scheduler> scheduler_;
  std::atomic<bool> closing_{false};
};

}  // namespace fathom::server
