// Small per-row operations of a transformer layer. Rows are contiguous float vectors.
#pragma once
#include <cstdint>

namespace fathom::kernels {

// out = x / sqrt(mean(x^2) + eps) * w, for n_rows rows of n; out may alias x.
void rmsnorm(const float* x, const float* w, int64_t n, int64_t n_rows, float eps, float* out);

// x[r] += b for each of n_rows rows of n.
void add_bias(float* x, const float* b, int64_t n, int64_t n_rows);

// x += y over n elements.
void add(float* x, const float* y, int64_t n);

// x += s * y over n elements.
void add_scaled(float* x, const float* y, float s, int64_t n);

// gate = silu(gate) * up (Qwen's SwiGLU), n elements.
void swiglu(float* gate, const float* up, int64_t n);

// gpt-oss's clamped SwiGLU: g = min(g, limit); u = clamp(u, -limit, limit);
// gate = g * sigmoid(alpha * g) * (u + 1).
void swiglu_clamped(float* gate, const float* up, int64_t n, float alpha, float limit);

// In-place softmax over n elements.
void softmax(float* x, int64_t n);

}  // namespace fathom::kernels
