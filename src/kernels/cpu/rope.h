// Rotary position embedding, NeoX layout (the two halves of a head rotate together),
// as used by gpt-oss and Qwen3. The frequencies are the model's business (YaRN lives
// in the gpt-oss model file); the kernel only rotates.
#pragma once
#include <cstdint>
#include <vector>

namespace fathom::kernels {

struct Rope {
  std::vector<double> inv_freq;  // head_dim / 2 angular frequencies
  double mscale = 1.0;           // multiplies cos and sin (YaRN's attention concentration)
};

// Plain RoPE frequencies: 1 / base^(2i / head_dim).
Rope rope_plain(int64_t head_dim, double base);

// Rotates n_tok rows of n_heads heads (each head_dim long, heads contiguous within a row,
// rows `row_stride` floats apart); row t is at position pos0 + t.
void rope_neox(float* x, int64_t n_tok, int64_t row_stride, int64_t n_heads, int64_t head_dim, int64_t pos0,
               const Rope& rope);

}  // namespace fathom::kernels
