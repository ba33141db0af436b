// Causal multi-head attention over a KV cache, with grouped KV heads, an optional
// sliding window and optional learned sinks (gpt-oss).
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/thread_pool.h"

namespace fathom::kernels {

// One layer's cache: keys and values at positions 0..n_ctx-1, each a row of kv_dim
// elements (n_head_kv heads of head_dim) in F32 or F16.
struct KvView {
  DType type;
  const void* k;
  const void* v;
  int64_t kv_dim;
};

struct AttentionParams {
  int64_t n_head;
  int64_t n_head_kv;
  int64_t head_dim;
  int64_t window;       // 0: all earlier positions; else only the last `window` (incl. self)
  const float* sinks;   // n_head logits that take softmax mass but carry no value; may be null
  float scale;          // usually 1/sqrt(head_dim)
};

// q: n_tok rows of n_head*head_dim at positions pos0..pos0+n_tok-1, whose keys and
// values are already in the cache. out: n_tok rows of n_head*head_dim.
void attention(const float* q, int64_t n_tok, int64_t pos0, const KvView& kv, const AttentionParams& p, float* out,
               ThreadPool& pool);

}  // namespace fathom::kernels
