// Matrix products against weights stored in any supported type.
#pragma once
#include <cstdint>
#include <span>

#include "core/dtype.h"
#include "core/thread_pool.h"

namespace fathom::kernels {

// A weight matrix of `rows` rows of `cols` elements, row-major, rows contiguous
// (each row is row_bytes(type, cols) bytes). Viewed in place in the mapped file.
struct Matrix {
  DType type;
  int64_t rows;
  int64_t cols;
  const uint8_t* data;
};

// y[t * W.rows + r] = dot(W row r, x[t * W.cols ...]) for t < n_tok.
// Activations are converted once per token row; rows are split across threads.
void matmul(const Matrix& W, const float* x, int64_t n_tok, float* y, ThreadPool& pool);

// One product of matmul_many: y = x W^T for n_tok rows of x.
struct MatmulJob {
  Matrix W;
  const float* x;
  int64_t n_tok;
  float* y;
};

// Independent products (the q/k/v projections, the chosen experts) in one parallel
// region: the threads share their total weight bytes evenly instead of meeting at a
// barrier after each, which at decode is most of the cost of a small matrix. Jobs
// that read the same x in the same activation type convert it once. Every output
// equals what matmul gives for its job alone.
void matmul_many(std::span<const MatmulJob> jobs, ThreadPool& pool);

}  // namespace fathom::kernels
