// Perplexity over a text, window by window: each window of `ctx` tokens starts `stride`
// after the previous one and scores only the tokens the previous window did not, each
// predicted from the logits of the position before it (the first window scores from
// its second token). With stride = ctx/2 every scored token after the first window
// sees at least ctx/2 tokens of context, as in llama.cpp's perplexity.
#pragma once
#include <cstdint>
#include <functional>
#include <span>

#include "core/dtype.h"
#include "models/model.h"

namespace fathom::eval {

struct WindowOptions {
  int64_t ctx = 512;
  int64_t stride = 256;
  DType kv_type = DType::F16;
};

// Calls on_token for every scored position p (1 <= p < tokens.size()) in order, with
// the token it predicts and the log-softmax of the logits that predict it.
void score_tokens(models::Model& model, std::span<const int32_t> tokens, const WindowOptions& o,
                  const std::function<void(int64_t pos, int32_t target, std::span<const float> logprobs)>& on_token);

// Number of positions score_tokens visits for n tokens.
int64_t scored_count(int64_t n_tokens, const WindowOptions& o);

// log softmax in place (double-precision normaliser).
void log_softmax(std::span<float> logits);

}  // namespace fathom::eval
