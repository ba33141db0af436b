#include "kernels/cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/quant_kernels.h"

namespace fathom::kernels {

namespace {

// Queries are processed in tiles per KV head: the tile's keys and values are converted
// to floats once and then serve every query of the tile and every query head of the
// group, instead of being converted again for each (query, head) pair.
constexpr int64_t kQueryTile = 16;

// Copies the rows [first, last] of one KV head into a contiguous float buffer.
void gather_head(const KvView& kv, const void* base, int64_t head, int64_t d, int64_t first, int64_t last,
                 std::vector<float>& buf) {
  buf.resize(static_cast<size_t>((last - first + 1) * d));
  const detail::ConvertF16Fn convert = detail::active_kernels().f16_to_f32;
  for (int64_t j = first; j <= last; ++j) {
    const int64_t at = j * kv.kv_dim + head * d;
    float* dst = buf.data() + (j - first) * d;
    if (kv.type == DType::F32) {
      const float* src = static_cast<const float*>(base) + at;
      std::copy(src, src + d, dst);
    } else {
      convert(static_cast<const uint16_t*>(base) + at, dst, d);
    }
  }
}

// Keys are scored a block at a time (flash-style): the running max, the sum and the
// output are rescaled once per block instead of once per key, and the scores and the
// weighted sum of values go through the SIMD row kernels.
constexpr int64_t kKeyBlock = 64;

// One query head against keys[0, n) with a streaming (online) softmax, so the scores
// never need a buffer as long as the context. A sink is a key whose value is zero: it
// starts the running max and sum.
void attend_one(const float* q, const float* keys, const float* values, int64_t n, int64_t d, float scale,
                float sink, float* out) {
  const detail::KernelTable& k = detail::active_kernels();
  float s[kKeyBlock];
  float m = sink;
  double sum = std::isinf(sink) ? 0.0 : 1.0;
  std::fill(out, out + d, 0.0f);
  for (int64_t j0 = 0; j0 < n; j0 += kKeyBlock) {
    const int64_t nb = std::min(kKeyBlock, n - j0);
    k.dot_rows(q, keys + j0 * d, nb, d, s);
    float block_max = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < nb; ++j) block_max = std::max(block_max, s[j] *= scale);
    if (block_max > m) {
      const float c = std::exp(m - block_max);
      sum *= c;
      for (int64_t i = 0; i < d; ++i) out[i] *= c;
      m = block_max;
    }
    for (int64_t j = 0; j < nb; ++j) sum += s[j] = std::exp(s[j] - m);
    k.axpy_rows(s, values + j0 * d, nb, d, out);
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < d; ++i) out[i] *= inv;
}

}  // namespace

void attention(const float* q, int64_t n_tok, int64_t pos0, const KvView& kv, const AttentionParams& p, float* out,
               ThreadPool& pool) {
  const int64_t d = p.head_dim, row = p.n_head * d, group = p.n_head / p.n_head_kv;
  const int64_t n_tiles = (n_tok + kQueryTile - 1) / kQueryTile;
  const auto first_visible = [&](int64_t pos) { return p.window > 0 ? std::max<int64_t>(0, pos - p.window + 1) : 0; };
  pool.parallel_for(p.n_head_kv * n_tiles, [&](int64_t begin, int64_t end) {
    std::vector<float> keys, values;
    for (int64_t job = begin; job < end; ++job) {
      const int64_t kv_head = job / n_tiles;
      const int64_t t0 = (job % n_tiles) * kQueryTile, t1 = std::min(n_tok, t0 + kQueryTile);
      const int64_t first = first_visible(pos0 + t0), last = pos0 + t1 - 1;
      gather_head(kv, kv.k, kv_head, d, first, last, keys);
      gather_head(kv, kv.v, kv_head, d, first, last, values);
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t pos = pos0 + t, from = first_visible(pos) - first;
        for (int64_t h = kv_head * group; h < (kv_head + 1) * group; ++h) {
          const float sink = p.sinks ? p.sinks[h] : -std::numeric_limits<float>::infinity();
          attend_one(q + t * row + h * d, keys.data() + from * d, values.data() + from * d, pos - first - from + 1,
                     d, p.scale, sink, out + t * row + h * d);
        }
      }
    }
  });
}

}  // namespace fathom::kernels
