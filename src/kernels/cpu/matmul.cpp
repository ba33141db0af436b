// y = x W^T against weights in their stored type, row by row, never dequantizing W.
#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/quant.h"
#include "kernels/cpu/quant_kernels.h"

namespace fathom::kernels {
namespace {

// A tile of weight rows is reused by every token before moving on, so it should
// stay in L1/L2 while the tokens sweep over it: weights leave DRAM once per call.
constexpr int64_t kTileBytes = 32 * 1024;

// Below this many weight elements x tokens, waking the pool costs more than it saves.
constexpr int64_t kMinParallelWork = 64 * 1024;

void check_shapes(const Matrix& W, int64_t n_tok) {
  const TypeTraits* tr = type_traits(static_cast<uint32_t>(W.type));
  if (!tr || !tr->supported) {
    throw Error("matmul: weight type " + type_name(static_cast<uint32_t>(W.type)) + " has no kernel");
  }
  if (W.rows < 0 || W.cols < 0 || n_tok < 0) {
    throw Error("matmul: negative shape rows=" + std::to_string(W.rows) + " cols=" + std::to_string(W.cols) +
                " n_tok=" + std::to_string(n_tok));
  }
  const int64_t act_block = type_traits(static_cast<uint32_t>(activation_type(W.type)))->block_elems;
  const int64_t block = std::max(tr->block_elems, act_block);
  if (W.cols % block != 0) {
    throw Error("matmul: " + std::string(tr->name) + " matrix with " + std::to_string(W.cols) +
                " columns; the row length must be a multiple of " + std::to_string(block));
  }
}

// Converts every token row once; the buffer belongs to the calling thread and is
// only ever grown, so steady-state calls do not allocate.
const uint8_t* quantize_tokens(const Matrix& W, const float* x, int64_t n_tok, int64_t act_bytes,
                               ThreadPool& pool) {
  const DType at = activation_type(W.type);
  if (at == DType::F32) return reinterpret_cast<const uint8_t*>(x);
  const detail::KernelTable& k = detail::active_kernels();
  const detail::QuantizeFn quantize = at == DType::Q8_0 ? k.quantize_q8_0 : k.quantize_q8_K;

  thread_local std::vector<uint8_t> buffer;
  const size_t need = static_cast<size_t>(n_tok * act_bytes);
  if (buffer.size() < need) buffer.resize(need);
  uint8_t* act = buffer.data();
  auto convert = [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) quantize(x + t * W.cols, act + t * act_bytes, W.cols);
  };
  if (n_tok > 1 && pool.size() > 1) {
    pool.parallel_for(n_tok, convert);
  } else {
    convert(0, n_tok);
  }
  return act;
}

}  // namespace

void matmul(const Matrix& W, const float* x, int64_t n_tok, float* y, ThreadPool& pool) {
  check_shapes(W, n_tok);
  if (W.rows == 0 || n_tok == 0) return;
  if (W.cols == 0) {
    std::fill(y, y + W.rows * n_tok, 0.0f);
    return;
  }
  const int64_t w_bytes = row_bytes(W.type, W.cols);
  const int64_t act_bytes = activation_row_bytes(W.type, W.cols);
  const uint8_t* act = quantize_tokens(W, x, n_tok, act_bytes, pool);
  const detail::KernelTable& kernels = detail::active_kernels();
  const detail::VecDotFn dot = kernels.vec_dot[detail::slot(W.type)];
  const detail::VecDotMultiFn dot_multi = kernels.vec_dot_multi[detail::slot(W.type)];
  const int64_t tile = std::max<int64_t>(1, kTileBytes / w_bytes);
  const int64_t rows = W.rows, cols = W.cols;

  // Tokens go in groups of kMaxActs so a weight row is decoded once per group; the
  // kernels give each token the same result whatever group it lands in.
  auto work = [&](int64_t r_begin, int64_t r_end, int64_t t_begin, int64_t t_end) {
    for (int64_t r0 = r_begin; r0 < r_end; r0 += tile) {
      const int64_t r1 = std::min(r0 + tile, r_end);
      for (int64_t t0 = t_begin; t0 < t_end; t0 += detail::kMaxActs) {
        const int n_act = static_cast<int>(std::min<int64_t>(detail::kMaxActs, t_end - t0));
        const uint8_t* a = act + t0 * act_bytes;
        float* yt = y + t0 * rows;
        for (int64_t r = r0; r < r1; ++r) {
          const uint8_t* w = W.data + r * w_bytes;
          if (n_act > 1 && dot_multi) {
            dot_multi(cols, w, a, act_bytes, n_act, yt + r, rows);
          } else {
            for (int k = 0; k < n_act; ++k) yt[k * rows + r] = dot(cols, w, a + k * act_bytes);
          }
        }
      }
    }
  };
  const int nth = pool.size();
  if (nth == 1 || rows * cols * n_tok < kMinParallelWork) {
    work(0, rows, 0, n_tok);
  } else if (rows >= 4 * nth || n_tok < 2 * nth) {
    pool.parallel_for(rows, [&](int64_t r0, int64_t r1) { work(r0, r1, 0, n_tok); });
  } else {
    // Few rows (a router) but many tokens: split the tokens instead, in whole groups.
    const int64_t groups = (n_tok + detail::kMaxActs - 1) / detail::kMaxActs;
    pool.parallel_for(groups, [&](int64_t g0, int64_t g1) {
      work(0, rows, g0 * detail::kMaxActs, std::min(g1 * detail::kMaxActs, n_tok));
    });
  }
}

}  // namespace fathom::kernels
