// Matrix products against weights stored in any supported type.
#pragma once
#include <cstdint>

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

}  // namespace fathom::kernels
