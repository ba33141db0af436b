// Building blocks the architectures share: a linear layer and self-attention.
#pragma once
#include <cstdint>

#include "core/thread_pool.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/rope.h"
#include "models/config.h"
#include "models/kv_cache.h"

namespace fathom::models {

struct Linear {
  kernels::Matrix w;
  const float* bias = nullptr;  // w.rows floats, or none
};

// y = W x (+ b) for n_tok rows of x.
void linear(const Linear& l, const float* x, int64_t n_tok, float* y, ThreadPool& pool);

struct AttentionWeights {
  Linear q, k, v, o;
  const float* q_norm = nullptr;  // per-head RMSNorm before RoPE (Qwen3), or none
  const float* k_norm = nullptr;
  const float* sinks = nullptr;   // learned sinks (gpt-oss), or none
};

// out = o(attention(rope(q(h)), rope(k(h)), v(h))) for n_tok tokens at positions
// cache.n_past()...; their keys and values are appended to the cache's layer.
// window > 0 restricts each query to the last `window` positions.
void self_attention(const AttentionWeights& w, const ModelConfig& c, const float* h, int64_t n_tok, KvCache& cache,
                    int64_t layer, const kernels::Rope& rope, int64_t window, float* out, ThreadPool& pool);

}  // namespace fathom::models
