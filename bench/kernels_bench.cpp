// One micro-benchmark per CPU kernel at gpt-oss / Qwen3 shapes: vec_dot per weight
// type, matmul of a 2880x2880 matrix, attention over 512 positions. Each reports the
// weight (or KV) bytes it streams as bytes_per_second and its arithmetic as FLOP/s, so a
// kernel can be set against the probe's bandwidth and FMA ceilings (`fathom bench --probe`).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/quant.h"
#include "kernels/cpu/quant_kernels.h"

namespace {

using fathom::DType;
namespace k = fathom::kernels;

std::vector<float> random_floats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = d(rng);
  return v;
}

// `rows` rows of `cols` random weights stored as t.
std::vector<uint8_t> random_matrix(DType t, int64_t rows, int64_t cols) {
  const int64_t rb = fathom::row_bytes(t, cols);
  std::vector<uint8_t> out(static_cast<size_t>(rows * rb));
  for (int64_t r = 0; r < rows; ++r) {
    k::quantize_row(t, random_floats(cols, static_cast<uint32_t>(r + 1)).data(), out.data() + r * rb, cols);
  }
  return out;
}

void set_rates(benchmark::State& state, double bytes_per_iter, double flops_per_iter) {
  const double iters = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes_per_iter * iters));
  state.counters["FLOP/s"] = benchmark::Counter(flops_per_iter * iters, benchmark::Counter::kIsRate);
}

// One weight row against args[2] (1 or 4) activation rows, as matmul uses it: the
// multi-token kernel where the level has one for the type, else a loop of vec_dot.
void BM_vec_dot(benchmark::State& state) {
  const auto t = static_cast<DType>(state.range(0));
  const int64_t n = state.range(1);
  const int n_tok = static_cast<int>(state.range(2));
  state.SetLabel(fathom::type_name(static_cast<uint32_t>(t)));
  const std::vector<uint8_t> w = random_matrix(t, 1, n);
  const int64_t ab = k::activation_row_bytes(t, n);
  std::vector<uint8_t> act(static_cast<size_t>(ab * n_tok));
  for (int i = 0; i < n_tok; ++i) {
    k::quantize_activation(t, random_floats(n, 100 + i).data(), act.data() + i * ab, n);
  }
  float out[k::detail::kMaxActs];
  const auto multi = k::detail::active_kernels().vec_dot_multi[k::detail::slot(t)];
  for (auto _ : state) {
    if (multi && n_tok > 1) {
      multi(n, w.data(), act.data(), ab, n_tok, out, 1);
    } else {
      for (int i = 0; i < n_tok; ++i) out[i] = k::vec_dot(t, n, w.data(), act.data() + i * ab);
    }
    benchmark::DoNotOptimize(out);
  }
  set_rates(state, static_cast<double>(w.size()), 2.0 * n * n_tok);
}

void vec_dot_args(benchmark::internal::Benchmark* b) {
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::MXFP4, DType::Q4_K,
                  DType::Q5_K, DType::Q6_K}) {
    for (int64_t n : {2880, 2048}) {
      if (n % fathom::type_traits(static_cast<uint32_t>(t))->block_elems != 0) continue;  // K-quants: 256-element blocks
      for (int64_t n_tok : {1, 4}) b->Args({static_cast<int64_t>(t), n, n_tok});
    }
  }
  b->ArgNames({"type", "n", "tokens"});
}
BENCHMARK(BM_vec_dot)->Apply(vec_dot_args);

// A 2880x2880 matrix (gpt-oss's attention output and expert shapes) times args[1]
// tokens on args[2] threads.
void BM_matmul(benchmark::State& state) {
  const auto t = static_cast<DType>(state.range(0));
  const int64_t n = 2880, n_tok = state.range(1);
  state.SetLabel(fathom::type_name(static_cast<uint32_t>(t)));
  const std::vector<uint8_t> w = random_matrix(t, n, n);
  const std::vector<float> x = random_floats(n * n_tok, 7);
  std::vector<float> y(static_cast<size_t>(n * n_tok));
  fathom::ThreadPool pool(static_cast<int>(state.range(2)));
  const k::Matrix W{t, n, n, w.data()};
  for (auto _ : state) {
    k::matmul(W, x.data(), n_tok, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
  }
  set_rates(state, static_cast<double>(w.size()), 2.0 * n * n * n_tok);
}
BENCHMARK(BM_matmul)
    ->ArgsProduct({{static_cast<int64_t>(DType::MXFP4), static_cast<int64_t>(DType::Q8_0)}, {1, 4}, {1, 2}})
    ->ArgNames({"type", "tokens", "threads"})
    ->UseRealTime();

// One decoded token of gpt-oss attention (64 query heads, 8 KV heads of 64) against
// 512 cached positions in F16, no window.
void BM_attention(benchmark::State& state) {
  const int64_t n_pos = 512, n_head = 64, n_head_kv = 8, head_dim = 64, kv_dim = n_head_kv * head_dim;
  std::vector<uint8_t> kc(static_cast<size_t>(n_pos * kv_dim * 2)), vc(kc.size());
  k::quantize_row(DType::F16, random_floats(n_pos * kv_dim, 1).data(), kc.data(), n_pos * kv_dim);
  k::quantize_row(DType::F16, random_floats(n_pos * kv_dim, 2).data(), vc.data(), n_pos * kv_dim);
  const std::vector<float> q = random_floats(n_head * head_dim, 3);
  std::vector<float> out(q.size());
  const k::KvView kv{DType::F16, kc.data(), vc.data(), kv_dim};
  const k::AttentionParams p{n_head, n_head_kv, head_dim, 0, nullptr, 1.0f / std::sqrt(static_cast<float>(head_dim))};
  fathom::ThreadPool pool(1);
  for (auto _ : state) {
    k::attention(q.data(), 1, n_pos - 1, kv, p, out.data(), pool);
    benchmark::DoNotOptimize(out.data());
  }
  // Q.K and P.V: two multiply-adds per head, position and head dimension.
  set_rates(state, 2.0 * static_cast<double>(kc.size()), 2.0 * 2 * n_head * n_pos * head_dim);
}
BENCHMARK(BM_attention);

}  // namespace
