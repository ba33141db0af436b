#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/quant_kernels.h"

namespace fathom::kernels {
namespace {

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

struct LevelGuard {
  DispatchLevel saved = dispatch_level();
  ~LevelGuard() { set_dispatch_level(saved); }
};

// The SIMD row kernels equal their scalar twins at head sizes that are and are not
// multiples of the vector width, and at row counts around the key block.
TEST(AttentionRows, EveryLevelMatchesScalar) {
  LevelGuard guard;
  const detail::KernelTable& scalar = detail::scalar_kernels();
  for (DispatchLevel level : supported_dispatch_levels()) {
    set_dispatch_level(level);
    const detail::KernelTable& k = detail::active_kernels();
    for (int64_t d : {7, 17, 64, 80, 128, 131}) {
      for (int64_t n : {1, 5, 63, 67}) {
        const auto q = gaussian(d, static_cast<uint32_t>(d + n));
        const auto rows = gaussian(n * d, static_cast<uint32_t>(3 * d + n));
        std::vector<float> want(n), got(n, NAN);
        scalar.dot_rows(q.data(), rows.data(), n, d, want.data());
        k.dot_rows(q.data(), rows.data(), n, d, got.data());
        for (int64_t j = 0; j < n; ++j) {
          ASSERT_NEAR(got[j], want[j], 1e-5 * d) << "dot_rows d=" << d << " n=" << n << " at " << dispatch_level_name(level);
        }
        const auto p = gaussian(n, static_cast<uint32_t>(5 * d + n));
        std::vector<float> want_out = gaussian(d, 9), got_out = want_out;
        scalar.axpy_rows(p.data(), rows.data(), n, d, want_out.data());
        k.axpy_rows(p.data(), rows.data(), n, d, got_out.data());
        for (int64_t i = 0; i < d; ++i) {
          ASSERT_NEAR(got_out[i], want_out[i], 1e-5 * n) << "axpy_rows d=" << d << " n=" << n << " at "
                                                         << dispatch_level_name(level);
        }
      }
    }
  }
}

// attention() against softmax written out in float64: grouped heads, sinks, a sliding
// window, a prompt longer than a key block, on an F32 cache.
TEST(Attention, MatchesFloat64Softmax) {
  LevelGuard guard;
  const int64_t n_head = 4, n_head_kv = 2, d = 24, n_tok = 150, window = 100, group = n_head / n_head_kv;
  const int64_t kv_dim = n_head_kv * d, row = n_head * d;
  const auto q = gaussian(n_tok * row, 1), k = gaussian(n_tok * kv_dim, 2), v = gaussian(n_tok * kv_dim, 3);
  const std::vector<float> sinks = {0.5f, -1.0f, 2.0f, 0.0f};
  for (const float* s : {static_cast<const float*>(nullptr), sinks.data()}) {
    const AttentionParams p{n_head, n_head_kv, d, window, s, 0.3f};
    std::vector<double> want(n_tok * row, 0.0);
    for (int64_t t = 0; t < n_tok; ++t) {
      for (int64_t h = 0; h < n_head; ++h) {
        const int64_t kh = h / group, first = std::max<int64_t>(0, t - window + 1);
        std::vector<double> score;
        double m = s ? s[h] : -std::numeric_limits<double>::infinity();
        for (int64_t j = first; j <= t; ++j) {
          double dot = 0;
          for (int64_t i = 0; i < d; ++i) dot += static_cast<double>(q[t * row + h * d + i]) * k[j * kv_dim + kh * d + i];
          score.push_back(dot * p.scale);
          m = std::max(m, score.back());
        }
        double sum = s ? std::exp(s[h] - m) : 0.0;
        for (double& x : score) sum += x = std::exp(x - m);
        for (int64_t j = first; j <= t; ++j) {
          for (int64_t i = 0; i < d; ++i) want[t * row + h * d + i] += score[j - first] / sum * v[j * kv_dim + kh * d + i];
        }
      }
    }
    ThreadPool pool(2);
    const KvView kv{DType::F32, k.data(), v.data(), kv_dim};
    for (DispatchLevel level : supported_dispatch_levels()) {
      set_dispatch_level(level);
      std::vector<float> got(n_tok * row, NAN);
      attention(q.data(), n_tok, 0, kv, p, got.data(), pool);
      for (int64_t i = 0; i < n_tok * row; ++i) {
        ASSERT_NEAR(got[i], want[i], 1e-5) << "element " << i << (s ? " with sinks" : "") << " at "
                                           << dispatch_level_name(level);
      }
    }
  }
}

}  // namespace
}  // namespace fathom::kernels
