#include "models/blocks.h"

#include <cmath>
#include <vector>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/ops.h"

namespace fathom::models {

void linear(const Linear& l, const float* x, int64_t n_tok, float* y, ThreadPool& pool) {
  kernels::matmul(l.w, x, n_tok, y, pool);
  if (l.bias) kernels::add_bias(y, l.bias, l.w.rows, n_tok);
}

void linears(std::span<const LinearOut> outs, const float* x, int64_t n_tok, ThreadPool& pool) {
  std::vector<kernels::MatmulJob> jobs;
  for (const LinearOut& o : outs) jobs.push_back({o.layer->w, x, n_tok, o.y});
  kernels::matmul_many(jobs, pool);
  for (const LinearOut& o : outs) {
    if (o.layer->bias) kernels::add_bias(o.y, o.layer->bias, o.layer->w.rows, n_tok);
  }
}

int64_t batch_rows(std::span<const Sequence> batch) {
  int64_t n = 0;
  for (const Sequence& s : batch) n += static_cast<int64_t>(s.tokens.size());
  return n;
}

void self_attention(const AttentionWeights& w, const ModelConfig& c, const float* h, std::span<const Sequence> batch,
                    int64_t layer, const kernels::Rope& rope, int64_t window, float* out, ThreadPool& pool) {
  const int64_t d = c.head_dim, n_tok = batch_rows(batch);
  std::vector<float> q(n_tok * c.q_dim()), k(n_tok * c.kv_dim()), v(n_tok * c.kv_dim()), a(n_tok * c.q_dim());
  const LinearOut qkv[] = {{&w.q, q.data()}, {&w.k, k.data()}, {&w.v, v.data()}};
  linears(qkv, h, n_tok, pool);
  if (w.q_norm) kernels::rmsnorm(q.data(), w.q_norm, d, n_tok * c.n_head, c.rms_eps, q.data());
  if (w.k_norm) kernels::rmsnorm(k.data(), w.k_norm, d, n_tok * c.n_head_kv, c.rms_eps, k.data());
  const kernels::AttentionParams p{c.n_head, c.n_head_kv, d, window, w.sinks,
                                   static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)))};
  // Projections ran over the whole batch; positions and caches are each sequence's own.
  int64_t row = 0;
  for (const Sequence& s : batch) {
    const int64_t n = static_cast<int64_t>(s.tokens.size()), pos0 = s.cache->n_past();
    float* qs = q.data() + row * c.q_dim();
    float* ks = k.data() + row * c.kv_dim();
    kernels::rope_neox(qs, n, c.q_dim(), c.n_head, d, pos0, rope);
    kernels::rope_neox(ks, n, c.kv_dim(), c.n_head_kv, d, pos0, rope);
    s.cache->store(layer, ks, v.data() + row * c.kv_dim(), n);
    kernels::attention(qs, n, pos0, s.cache->view(layer), p, a.data() + row * c.q_dim(), pool);
    row += n;
  }
  linear(w.o, a.data(), n_tok, out, pool);
}

}  // namespace fathom::models
