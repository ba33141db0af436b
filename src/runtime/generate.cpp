#include "runtime/generate.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"

namespace fathom::runtime {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

GenerationStats generate(models::Model& model, models::KvCache& cache, std::span<const int32_t> prompt,
                         const GenerateOptions& opts, Sampler& sampler,
                         const std::function<bool(int32_t)>& on_token) {
  if (prompt.empty()) throw Error("the prompt is empty: at least one token is needed");
  GenerationStats st;
  st.n_prompt = static_cast<int64_t>(prompt.size());
  std::vector<float> logits(static_cast<size_t>(model.config().n_vocab));
  std::vector<int32_t> history(prompt.begin(), prompt.end());

  auto t0 = std::chrono::steady_clock::now();
  model.forward(prompt, cache, logits.data(), false);
  st.prefill_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  while (st.n_generated < opts.max_tokens) {
    const int32_t tok = sampler.sample(logits, history);
    if (std::find(opts.stop_tokens.begin(), opts.stop_tokens.end(), tok) != opts.stop_tokens.end()) break;
    ++st.n_generated;
    history.push_back(tok);
    if (!on_token(tok) || st.n_generated == opts.max_tokens) break;
    model.forward(std::span<const int32_t>(&tok, 1), cache, logits.data(), false);
  }
  st.decode_seconds = seconds_since(t0);
  return st;
}

}  // namespace fathom::runtime
