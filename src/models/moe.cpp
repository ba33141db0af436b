#include "models/moe.h"

#include <algorithm>
#include <numeric>

#include "kernels/cpu/ops.h"

namespace fathom::models {

namespace {

// Indices of the k largest values, largest first; ties go to the lower index.
void top_k(const float* x, int64_t n, int64_t k, int32_t* out) {
  std::vector<int32_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                    [x](int32_t a, int32_t b) { return x[a] > x[b] || (x[a] == x[b] && a < b); });
  std::copy(idx.begin(), idx.begin() + k, out);
}

}  // namespace

Routing route_topk_softmax(const float* logits, int64_t n_tok, int64_t n_expert, int64_t k) {
  Routing r{k, std::vector<int32_t>(n_tok * k), std::vector<float>(n_tok * k)};
  for (int64_t t = 0; t < n_tok; ++t) {
    int32_t* sel = &r.expert[t * k];
    float* w = &r.weight[t * k];
    top_k(logits + t * n_expert, n_expert, k, sel);
    for (int64_t j = 0; j < k; ++j) w[j] = logits[t * n_expert + sel[j]];
    kernels::softmax(w, k);
  }
  return r;
}

Routing route_softmax_topk(const float* logits, int64_t n_tok, int64_t n_expert, int64_t k, bool renormalise) {
  Routing r{k, std::vector<int32_t>(n_tok * k), std::vector<float>(n_tok * k)};
  std::vector<float> p(static_cast<size_t>(n_expert));
  for (int64_t t = 0; t < n_tok; ++t) {
    std::copy(logits + t * n_expert, logits + (t + 1) * n_expert, p.begin());
    kernels::softmax(p.data(), n_expert);
    int32_t* sel = &r.expert[t * k];
    float* w = &r.weight[t * k];
    top_k(p.data(), n_expert, k, sel);
    double sum = 0.0;
    for (int64_t j = 0; j < k; ++j) sum += w[j] = p[sel[j]];
    if (renormalise) {
      for (int64_t j = 0; j < k; ++j) w[j] = static_cast<float>(w[j] / sum);
    }
  }
  return r;
}

void moe(const Experts& ex, const Routing& r, const float* h, int64_t n_tok, float* out, ThreadPool& pool) {
  const int64_t n_embd = ex.gate.first.cols, n_ff = ex.gate.first.rows;
  // Group (token, slot) pairs by expert.
  std::vector<std::vector<int64_t>> by_expert(static_cast<size_t>(ex.gate.n_expert));
  for (int64_t i = 0; i < n_tok * r.k; ++i) by_expert[r.expert[i]].push_back(i);

  std::vector<float> x, g, u, y;
  for (int64_t e = 0; e < ex.gate.n_expert; ++e) {
    const std::vector<int64_t>& slots = by_expert[e];
    if (slots.empty()) continue;
    const int64_t m = static_cast<int64_t>(slots.size());
    x.resize(m * n_embd);
    g.resize(m * n_ff);
    u.resize(m * n_ff);
    y.resize(m * n_embd);
    for (int64_t i = 0; i < m; ++i) {
      const float* src = h + (slots[i] / r.k) * n_embd;
      std::copy(src, src + n_embd, x.begin() + i * n_embd);
    }
    kernels::matmul(ex.gate.expert(e), x.data(), m, g.data(), pool);
    kernels::matmul(ex.up.expert(e), x.data(), m, u.data(), pool);
    if (ex.gate_bias) kernels::add_bias(g.data(), ex.gate_bias + e * n_ff, n_ff, m);
    if (ex.up_bias) kernels::add_bias(u.data(), ex.up_bias + e * n_ff, n_ff, m);
    if (ex.activation == ExpertActivation::SwiGLUClamped) {
      // gpt-oss's constants, fixed by the model's training code.
      kernels::swiglu_clamped(g.data(), u.data(), m * n_ff, 1.702f, 7.0f);
    } else {
      kernels::swiglu(g.data(), u.data(), m * n_ff);
    }
    kernels::matmul(ex.down.expert(e), g.data(), m, y.data(), pool);
    if (ex.down_bias) kernels::add_bias(y.data(), ex.down_bias + e * n_embd, n_embd, m);
    for (int64_t i = 0; i < m; ++i) {
      kernels::add_scaled(out + (slots[i] / r.k) * n_embd, y.data() + i * n_embd, r.weight[slots[i]], n_embd);
    }
  }
}

}  // namespace fathom::models
