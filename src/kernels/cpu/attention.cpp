#include "kernels/cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/half.h"

namespace fathom::kernels {

namespace {

// Reads one head's row from the cache as floats.
const float* load_row(const KvView& kv, const void* base, int64_t pos, int64_t offset, int64_t n, float* tmp) {
  const int64_t at = pos * kv.kv_dim + offset;
  if (kv.type == DType::F32) return static_cast<const float*>(base) + at;
  const uint16_t* h = static_cast<const uint16_t*>(base) + at;
  for (int64_t i = 0; i < n; ++i) tmp[i] = fp16_to_f32(h[i]);
  return tmp;
}

// One query head against its visible keys, with a streaming (online) softmax so the
// scores never need a buffer as long as the context.
void attend_one(const float* q, int64_t pos, int64_t kv_head, const KvView& kv, const AttentionParams& p, float sink,
                float* out, float* tmp) {
  const int64_t d = p.head_dim;
  const int64_t first = p.window > 0 ? std::max<int64_t>(0, pos - p.window + 1) : 0;
  // A sink is a key whose value is zero: it starts the running max and sum.
  float m = sink;
  double sum = std::isinf(sink) ? 0.0 : 1.0;
  std::fill(out, out + d, 0.0f);
  for (int64_t j = first; j <= pos; ++j) {
    const float* k = load_row(kv, kv.k, j, kv_head * d, d, tmp);
    float s = 0.0f;
    for (int64_t i = 0; i < d; ++i) s += q[i] * k[i];
    s *= p.scale;
    if (s > m) {
      const float c = std::exp(m - s);
      sum *= c;
      for (int64_t i = 0; i < d; ++i) out[i] *= c;
      m = s;
    }
    const float w = std::exp(s - m);
    sum += w;
    const float* v = load_row(kv, kv.v, j, kv_head * d, d, tmp);
    for (int64_t i = 0; i < d; ++i) out[i] += w * v[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < d; ++i) out[i] *= inv;
}

}  // namespace

void attention(const float* q, int64_t n_tok, int64_t pos0, const KvView& kv, const AttentionParams& p, float* out,
               ThreadPool& pool) {
  const int64_t row = p.n_head * p.head_dim;
  const int64_t group = p.n_head / p.n_head_kv;
  pool.parallel_for(n_tok * p.n_head, [&](int64_t begin, int64_t end) {
    std::vector<float> tmp(static_cast<size_t>(p.head_dim));
    for (int64_t job = begin; job < end; ++job) {
      const int64_t t = job / p.n_head, h = job % p.n_head;
      const float sink = p.sinks ? p.sinks[h] : -std::numeric_limits<float>::infinity();
      attend_one(q + t * row + h * p.head_dim, pos0 + t, h / group, kv, p, sink, out + t * row + h * p.head_dim,
                 tmp.data());
    }
  });
}

}  // namespace fathom::kernels
