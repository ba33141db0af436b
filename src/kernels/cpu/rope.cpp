#include "kernels/cpu/rope.h"

#include <cmath>

namespace fathom::kernels {

Rope rope_plain(int64_t head_dim, double base) {
  Rope r;
  r.inv_freq.resize(static_cast<size_t>(head_dim / 2));
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    r.inv_freq[i] = 1.0 / std::pow(base, static_cast<double>(2 * i) / static_cast<double>(head_dim));
  }
  return r;
}

void rope_neox(float* x, int64_t n_tok, int64_t row_stride, int64_t n_heads, int64_t head_dim, int64_t pos0,
               const Rope& rope) {
  const int64_t half = head_dim / 2;
  std::vector<float> cos_t(half), sin_t(half);
  for (int64_t t = 0; t < n_tok; ++t) {
    // Angles in double: at positions near 128k a float angle loses the low frequencies.
    const double pos = static_cast<double>(pos0 + t);
    for (int64_t i = 0; i < half; ++i) {
      const double a = pos * rope.inv_freq[i];
      cos_t[i] = static_cast<float>(std::cos(a) * rope.mscale);
      sin_t[i] = static_cast<float>(std::sin(a) * rope.mscale);
    }
    float* row = x + t * row_stride;
    for (int64_t h = 0; h < n_heads; ++h) {
      float* x1 = row + h * head_dim;
      float* x2 = x1 + half;
      for (int64_t i = 0; i < half; ++i) {
        const float a = x1[i], b = x2[i];
        x1[i] = a * cos_t[i] - b * sin_t[i];
        x2[i] = b * cos_t[i] + a * sin_t[i];
      }
    }
  }
}

}  // namespace fathom::kernels
