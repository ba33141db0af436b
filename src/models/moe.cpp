#include "models/moe.h"

#include <algorithm>
#include <numeric>
#include <span>

#include "kernels/cpu/matmul.h"
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

namespace {

// Bound on the scratch one wave of experts uses, so a long prompt's batch (thousands of
// token-expert pairs) runs in several waves instead of one huge allocation.
constexpr int64_t kWaveBytes = 64 << 20;

// The experts in `used`: all their gate/up products in one parallel region and all
// their down products in another, then each slot's output mixed into `out`.
void run_wave(const Experts& ex, const Routing& r, const float* h, std::span<const int64_t> used,
              const std::vector<std::vector<int64_t>>& by_expert, float* out, ThreadPool& pool) {
  const int64_t n_embd = ex.gate.first.cols, n_ff = ex.gate.first.rows;
  std::vector<int64_t> first(used.size() + 1, 0);  // each expert's first row in the wave
  for (size_t i = 0; i < used.size(); ++i) first[i + 1] = first[i] + static_cast<int64_t>(by_expert[used[i]].size());
  const int64_t m = first.back();
  std::vector<float> x(m * n_embd), g(m * n_ff), u(m * n_ff), y(m * n_embd);
  std::vector<kernels::MatmulJob> jobs;
  for (size_t i = 0; i < used.size(); ++i) {
    const std::vector<int64_t>& slots = by_expert[used[i]];
    for (size_t k = 0; k < slots.size(); ++k) {
      const float* src = h + (slots[k] / r.k) * n_embd;
      std::copy(src, src + n_embd, x.begin() + (first[i] + static_cast<int64_t>(k)) * n_embd);
    }
    const int64_t mi = first[i + 1] - first[i];
    jobs.push_back({ex.gate.expert(used[i]), x.data() + first[i] * n_embd, mi, g.data() + first[i] * n_ff});
    jobs.push_back({ex.up.expert(used[i]), x.data() + first[i] * n_embd, mi, u.data() + first[i] * n_ff});
  }
  kernels::matmul_many(jobs, pool);
  jobs.clear();
  for (size_t i = 0; i < used.size(); ++i) {
    const int64_t e = used[i], mi = first[i + 1] - first[i];
    float* gi = g.data() + first[i] * n_ff;
    float* ui = u.data() + first[i] * n_ff;
    if (ex.gate_bias) kernels::add_bias(gi, ex.gate_bias + e * n_ff, n_ff, mi);
    if (ex.up_bias) kernels::add_bias(ui, ex.up_bias + e * n_ff, n_ff, mi);
    if (ex.activation == ExpertActivation::SwiGLUClamped) {
      // gpt-oss's constants, fixed by the model's training code.
      kernels::swiglu_clamped(gi, ui, mi * n_ff, 1.702f, 7.0f);
    } else {
      kernels::swiglu(gi, ui, mi * n_ff);
    }
    jobs.push_back({ex.down.expert(e), gi, mi, y.data() + first[i] * n_embd});
  }
  kernels::matmul_many(jobs, pool);
  for (size_t i = 0; i < used.size(); ++i) {
    const int64_t e = used[i];
    const std::vector<int64_t>& slots = by_expert[e];
    float* yi = y.data() + first[i] * n_embd;
    if (ex.down_bias) kernels::add_bias(yi, ex.down_bias + e * n_embd, n_embd, static_cast<int64_t>(slots.size()));
    for (size_t k = 0; k < slots.size(); ++k) {
      kernels::add_scaled(out + (slots[k] / r.k) * n_embd, yi + static_cast<int64_t>(k) * n_embd, r.weight[slots[k]],
                          n_embd);
    }
  }
}

}  // namespace

void moe(const Experts& ex, const Routing& r, const float* h, int64_t n_tok, float* out, ThreadPool& pool) {
  const int64_t n_embd = ex.gate.first.cols, n_ff = ex.gate.first.rows;
  // Group (token, slot) pairs by expert.
  std::vector<std::vector<int64_t>> by_expert(static_cast<size_t>(ex.gate.n_expert));
  for (int64_t i = 0; i < n_tok * r.k; ++i) by_expert[r.expert[i]].push_back(i);
  // Experts in ascending order, so each token mixes its experts' outputs in the same
  // order whatever else is in the batch.
  const int64_t bytes_per_slot = 2 * (n_embd + n_ff) * static_cast<int64_t>(sizeof(float));
  std::vector<int64_t> wave;
  int64_t wave_bytes = 0;
  for (int64_t e = 0; e < ex.gate.n_expert; ++e) {
    const int64_t bytes = static_cast<int64_t>(by_expert[e].size()) * bytes_per_slot;
    if (bytes == 0) continue;
    if (!wave.empty() && wave_bytes + bytes > kWaveBytes) {
      run_wave(ex, r, h, wave, by_expert, out, pool);
      wave.clear();
      wave_bytes = 0;
    }
    wave.push_back(e);
    wave_bytes += bytes;
  }
  if (!wave.empty()) run_wave(ex, r, h, wave, by_expert, out, pool);
}

}  // namespace fathom::models
