// What `fathom eval` asks a model, in-process or over HTTP: log-likelihoods of answer
// choices after a context, and a chat answer with its reasoning kept apart. The
// endpoint target speaks the OpenAI API (fathom serve, vLLM; llama.cpp's server has no
// echo, so multiple-choice items need fathom or vLLM), so a model too large for this
// machine is measured where it runs.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fathom::eval {

struct GenSettings {
  std::string effort;         // gpt-oss: "low", "medium", "high"; empty: the model's default
  std::optional<bool> think;  // Qwen3: thinking on or off; none: the default
  int64_t max_tokens = 4096;
};

struct ChatAnswer {
  std::string content, reasoning;
  int64_t completion_tokens = 0, reasoning_tokens = 0;
  std::string finish_reason;
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string model() const = 0;
  // Summed log-probability of each continuation's tokens after the context's (each
  // tokenized on its own, as lm-evaluation-harness does).
  virtual std::vector<double> logliks(const std::string& context, const std::vector<std::string>& continuations) = 0;
  // Greedy (temperature 0), so reruns give the same answers.
  virtual ChatAnswer chat(const std::string& prompt, const GenSettings& s) = 0;
};

// A local GGUF, run by fathom's own scheduler with `parallel` slots of n_ctx positions.
std::unique_ptr<Target> local_target(const std::string& model_path, int threads, int parallel, int64_t n_ctx);
// An OpenAI-compatible server ("http://127.0.0.1:8080"), the model by its id.
std::unique_ptr<Target> endpoint_target(const std::string& url, const std::string& model, const std::string& api_key);

}  // namespace fathom::eval
