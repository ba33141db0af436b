#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/quant.h"

namespace fathom::kernels {
namespace {

const DType kWeightTypes[] = {DType::F32,   DType::F16,  DType::BF16, DType::Q8_0, DType::Q4_0,
                              DType::MXFP4, DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::string name(DType t) { return type_name(static_cast<uint32_t>(t)); }

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

struct Weights {
  std::vector<uint8_t> bytes;
  Matrix m;
};

Weights make_weights(DType t, int64_t rows, int64_t cols, uint32_t seed) {
  Weights w;
  const auto f = gaussian(rows * cols, seed);
  const int64_t rb = row_bytes(t, cols);
  w.bytes.resize(rows * rb);
  for (int64_t r = 0; r < rows; ++r) quantize_row(t, f.data() + r * cols, w.bytes.data() + r * rb, cols);
  w.m = Matrix{t, rows, cols, w.bytes.data()};
  return w;
}

// Against the float64 product of the dequantized weights and the float inputs:
// the only difference allowed is the activation rounding, bounded per element by
// one activation step (amax/127 of its block; half a bf16 ulp for BF16).
void expect_close_to_naive(const Matrix& W, const std::vector<float>& x, int64_t n_tok,
                           const std::vector<float>& y, const std::string& what) {
  const int64_t rb = row_bytes(W.type, W.cols);
  const DType at = activation_type(W.type);
  const int64_t ab = type_traits(static_cast<uint32_t>(at))->block_elems;
  std::vector<float> w(W.cols);
  for (int64_t r = 0; r < W.rows; ++r) {
    dequantize_row(W.type, W.data + r * rb, w.data(), W.cols);
    for (int64_t t = 0; t < n_tok; ++t) {
      const float* xt = x.data() + t * W.cols;
      double want = 0, bound = 0;
      for (int64_t c0 = 0; c0 < W.cols; c0 += ab) {
        double amax = 0;
        for (int64_t c = c0; c < c0 + ab; ++c) amax = std::fmax(amax, std::fabs(xt[c]));
        const double step = at == DType::F32 || at == DType::BF16 ? 0.0 : amax / 127;
        // BF16 activations round each element to 8 significant bits.
        const double rel = at == DType::BF16 ? 1.0 / 256 : 1e-5;
        for (int64_t c = c0; c < c0 + ab; ++c) {
          want += static_cast<double>(w[c]) * xt[c];
          bound += std::fabs(w[c]) * (step + rel * std::fabs(xt[c]));
        }
      }
      ASSERT_NEAR(y[t * W.rows + r], want, bound) << what << " row=" << r << " tok=" << t;
    }
  }
}

TEST(Matmul, MatchesNaiveLoopForEveryType) {
  for (DType t : kWeightTypes) {
    for (int64_t rows : {1, 5, 17}) {
      const int64_t cols = 512;
      const Weights W = make_weights(t, rows, cols, static_cast<uint32_t>(rows * 13 + 1));
      for (int64_t n_tok : {1, 3, 9}) {
        const auto x = gaussian(n_tok * cols, static_cast<uint32_t>(n_tok + 77));
        for (int threads : {1, 2}) {
          ThreadPool pool(threads);
          std::vector<float> y(n_tok * rows, NAN);
          matmul(W.m, x.data(), n_tok, y.data(), pool);
          expect_close_to_naive(W.m, x, n_tok, y,
                                name(t) + " rows=" + std::to_string(rows) + " n_tok=" +
                                    std::to_string(n_tok) + " threads=" + std::to_string(threads));
        }
      }
    }
  }
}

// Exactly the row kernel per (row, token), bit for bit: a token's result must not
// depend on how many tokens share the call (multi-token kernels) nor on tiling or
// thread splitting, on a matrix big enough to be split and tiled.
void expect_equals_row_kernel(DType t, int64_t n_tok, DispatchLevel level) {
  const int64_t rows = 67;
  // 35 blocks of 32 leave a partial group of blocks; K-quants need whole super-blocks.
  const int64_t cols = type_traits(static_cast<uint32_t>(t))->block_elems == 256 ? 1280 : 1120;
  const Weights W = make_weights(t, rows, cols, 5);
  const auto x = gaussian(n_tok * cols, 6);
  ThreadPool pool(2);
  std::vector<float> y(n_tok * rows, NAN);
  matmul(W.m, x.data(), n_tok, y.data(), pool);
  std::vector<uint8_t> act(activation_row_bytes(t, cols));
  const int64_t rb = row_bytes(t, cols);
  for (int64_t tok = 0; tok < n_tok; ++tok) {
    quantize_activation(t, x.data() + tok * cols, act.data(), cols);
    for (int64_t r = 0; r < rows; ++r) {
      ASSERT_EQ(y[tok * rows + r], vec_dot(t, cols, W.bytes.data() + r * rb, act.data()))
          << name(t) << " n_tok=" << n_tok << " row=" << r << " tok=" << tok << " at "
          << dispatch_level_name(level);
    }
  }
}

TEST(Matmul, EqualsRowKernelAtEveryLevel) {
  const DispatchLevel saved = dispatch_level();
  for (DispatchLevel level : supported_dispatch_levels()) {
    set_dispatch_level(level);
    for (DType t : kWeightTypes) {
      for (int64_t n_tok : {1, 2, 3, 9}) expect_equals_row_kernel(t, n_tok, level);
    }
  }
  set_dispatch_level(saved);
}

// Few rows and many tokens split the tokens across threads instead of the rows.
TEST(Matmul, FewRowsManyTokens) {
  for (DType t : {DType::MXFP4, DType::Q4_K, DType::F16}) {
    const int64_t rows = 3, cols = 1024, n_tok = 37;  // enough work to go parallel
    const Weights W = make_weights(t, rows, cols, 8);
    const auto x = gaussian(n_tok * cols, 9);
    ThreadPool one(1), two(2);
    std::vector<float> y1(n_tok * rows, NAN), y2(n_tok * rows, NAN);
    matmul(W.m, x.data(), n_tok, y1.data(), one);
    matmul(W.m, x.data(), n_tok, y2.data(), two);
    EXPECT_EQ(y1, y2) << name(t);
    expect_close_to_naive(W.m, x, n_tok, y2, name(t) + " few rows");
  }
}

// Products run together equal each run alone, bit for bit, whatever share of which
// job each thread gets: mixed types and token counts, two jobs sharing their input
// (converted once), and a job with no tokens.
TEST(Matmul, ManyJobsEqualEachAlone) {
  const int64_t cols = 1120;
  const auto x = gaussian(5 * cols, 10), x2 = gaussian(3 * cols, 11);
  const Weights a = make_weights(DType::MXFP4, 67, cols, 12), b = make_weights(DType::MXFP4, 29, cols, 13),
                c = make_weights(DType::BF16, 41, cols, 14), d = make_weights(DType::Q8_0, 5, cols, 15);
  struct Case {
    const Weights* w;
    const float* x;
    int64_t n_tok;
  };
  const Case cases[] = {{&a, x.data(), 5}, {&b, x.data(), 5}, {&c, x2.data(), 3}, {&d, x2.data(), 1}, {&a, x.data(), 0}};
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    std::vector<std::vector<float>> together, alone;
    std::vector<MatmulJob> jobs;
    for (const Case& k : cases) together.emplace_back(k.n_tok * k.w->m.rows, NAN);
    for (size_t i = 0; i < std::size(cases); ++i) {
      jobs.push_back({cases[i].w->m, cases[i].x, cases[i].n_tok, together[i].data()});
    }
    matmul_many(jobs, pool);
    for (size_t i = 0; i < std::size(cases); ++i) {
      std::vector<float> y(together[i].size(), NAN);
      matmul(cases[i].w->m, cases[i].x, cases[i].n_tok, y.data(), pool);
      EXPECT_EQ(together[i], y) << "job " << i << " on " << threads << " threads";
    }
  }
}

TEST(Matmul, RejectsBadShapes) {
  ThreadPool pool(1);
  std::vector<uint8_t> data(4096);
  std::vector<float> x(512), y(16);
  EXPECT_THROW(matmul(Matrix{DType::Q4_K, 2, 128, data.data()}, x.data(), 1, y.data(), pool), Error);
  EXPECT_THROW(matmul(Matrix{DType::Q4_0, 2, 48, data.data()}, x.data(), 1, y.data(), pool), Error);
  EXPECT_THROW(matmul(Matrix{DType::Q8_K, 2, 256, data.data()}, x.data(), 1, y.data(), pool), Error);
  matmul(Matrix{DType::F32, 0, 512, data.data()}, x.data(), 1, y.data(), pool);  // no rows: no-op
}

}  // namespace
}  // namespace fathom::kernels
