// Building blocks the architectures share: a linear layer and self-attention.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/rope.h"
#include "models/config.h"
#include "models/kv_cache.h"

namespace fathom::models {

// One sequence's share of a batch: the tokens it adds at positions cache->n_past()...,
// and where its logits go: [tokens, n_vocab] when all_logits, else [n_vocab] for its last token.
struct Sequence {
  std::span<const int32_t> tokens;
  KvCache* cache = nullptr;
  float* logits = nullptr;
  bool all_logits = false;
};

struct Linear {
  kernels::Matrix w;
  const float* bias = nullptr;  // w.rows floats, or none
};

// y = W x (+ b) for n_tok rows of x.
void linear(const Linear& l, const float* x, int64_t n_tok, float* y, ThreadPool& pool);

// Several layers over the same x (q, k and v) in one parallel region.
struct LinearOut {
  const Linear* layer;
  float* y;
};
void linears(std::span<const LinearOut> outs, const float* x, int64_t n_tok, ThreadPool& pool);

struct AttentionWeights {
  Linear q, k, v, o;
  const float* q_norm = nullptr;  // per-head RMSNorm before RoPE (Qwen3), or none
  const float* k_norm = nullptr;
  const float* sinks = nullptr;   // learned sinks (gpt-oss), or none
};

// out = o(attention(rope(q(h)), rope(k(h)), v(h))) for the batch's rows of h, each
// sequence's tokens at positions cache->n_past()... of its own cache, into which their
// keys and values are written. window > 0 restricts each query to the last `window` positions.
void self_attention(const AttentionWeights& w, const ModelConfig& c, const float* h, std::span<const Sequence> batch,
                    int64_t layer, const kernels::Rope& rope, int64_t window, float* out, ThreadPool& pool);

// Rows in the whole batch.
int64_t batch_rows(std::span<const Sequence> batch);

}  // namespace fathom::models
