#include "eval/perplexity.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace fathom::eval {

namespace {

void check(const WindowOptions& o) {
  if (o.ctx < 2) throw Error("--ctx: a window needs at least 2 tokens, found " + std::to_string(o.ctx));
  if (o.stride < 1 || o.stride > o.ctx) {
    throw Error("--stride: must be between 1 and --ctx (" + std::to_string(o.ctx) + "), found " +
                std::to_string(o.stride));
  }
}

}  // namespace

void log_softmax(std::span<float> logits) {
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float l : logits) sum += std::exp(static_cast<double>(l) - max);
  const float log_z = static_cast<float>(max + std::log(sum));
  for (float& l : logits) l -= log_z;
}

int64_t scored_count(int64_t n_tokens, const WindowOptions& o) {
  check(o);
  return std::max<int64_t>(n_tokens - 1, 0);
}

void score_tokens(models::Model& model, std::span<const int32_t> tokens, const WindowOptions& o,
                  const std::function<void(int64_t, int32_t, std::span<const float>)>& on_token) {
  check(o);
  const auto n = static_cast<int64_t>(tokens.size());
  const int64_t n_vocab = model.config().n_vocab;
  models::KvCache cache(model.config(), o.ctx, o.kv_type);
  std::vector<float> logits(static_cast<size_t>(o.ctx * n_vocab));
  int64_t scored_to = 1;  // positions below this are done
  for (int64_t start = 0; scored_to < n; start += o.stride) {
    const int64_t end = std::min(start + o.ctx, n);
    cache.truncate(0);
    model.forward(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(end - start)), cache, logits.data(),
                  /*all_logits=*/true);
    // Row r predicts the token at start + r + 1.
    for (int64_t p = std::max(scored_to, start + 1); p < end; ++p) {
      std::span<float> row(logits.data() + (p - 1 - start) * n_vocab, static_cast<size_t>(n_vocab));
      log_softmax(row);
      on_token(p, tokens[static_cast<size_t>(p)], row);
    }
    scored_to = std::max(scored_to, end);
  }
}

}  // namespace fathom::eval
