#include "runtime/logprobs.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fathom::runtime {

Logprobs logprobs_of(std::span<const float> logits, int32_t token, int top_n) {
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float l : logits) sum += std::exp(static_cast<double>(l) - max);
  const double log_z = max + std::log(sum);
  const auto lp = [&](int32_t id) { return static_cast<float>(logits[static_cast<size_t>(id)] - log_z); };

  Logprobs r;
  r.chosen = {token, lp(token)};
  const size_t n = std::min(static_cast<size_t>(std::max(top_n, 0)), logits.size());
  std::vector<int32_t> idx(logits.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n), idx.end(), [&](int32_t a, int32_t b) {
    return logits[static_cast<size_t>(a)] > logits[static_cast<size_t>(b)] ||
           (logits[static_cast<size_t>(a)] == logits[static_cast<size_t>(b)] && a < b);
  });
  for (size_t i = 0; i < n; ++i) r.top.push_back({idx[i], lp(idx[i])});
  return r;
}

}  // namespace fathom::runtime
