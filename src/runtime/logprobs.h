// Log-probabilities of the model's raw distribution (before any sampling filter), as the
// OpenAI API reports them: the chosen token's and the n most likely alternatives.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace fathom::runtime {

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

struct Logprobs {
  TokenLogprob chosen;
  std::vector<TokenLogprob> top;  // most likely first; ties to the lower id
};

// log softmax(logits)[token] and the top_n largest entries.
Logprobs logprobs_of(std::span<const float> logits, int32_t token, int top_n);

}  // namespace fathom::runtime
