// y = x W^T against weights in their stored type, row by row, never dequantizing W.
#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <atomic>
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

// A job with its activations converted for its weight type.
struct Prepared {
  const MatmulJob* job;
  const uint8_t* act;
  int64_t act_bytes;  // per token row
  int64_t w_bytes;    // per weight row
};

// Jobs whose activations are the same bytes: same input rows, converted the same way.
bool same_activations(const MatmulJob& a, const MatmulJob& b) {
  auto layout = [](DType t) { return t == DType::MXFP4 ? t : activation_type(t); };
  return a.x == b.x && a.n_tok == b.n_tok && a.W.cols == b.W.cols && layout(a.W.type) == layout(b.W.type);
}

// Converts each distinct input once, every token row in parallel. The buffer belongs
// to the calling thread and is only ever grown, so steady-state calls do not allocate.
std::vector<Prepared> prepare(std::span<const MatmulJob> jobs, ThreadPool& pool) {
  std::vector<Prepared> out;
  std::vector<size_t> owner;  // out index whose conversion a job reuses, or its own
  std::vector<int64_t> offset(jobs.size(), -1);
  int64_t total = 0;
  for (const MatmulJob& j : jobs) {
    const size_t i = out.size();
    out.push_back({&j, nullptr, activation_row_bytes(j.W.type, j.W.cols), row_bytes(j.W.type, j.W.cols)});
    size_t o = i;
    for (size_t k = 0; k < i; ++k) {
      if (same_activations(*out[k].job, j)) {
        o = owner[k];
        break;
      }
    }
    owner.push_back(o);
    if (o == i && activation_type(j.W.type) != DType::F32) {
      offset[i] = total;
      total += j.n_tok * out[i].act_bytes;
    }
  }
  thread_local std::vector<uint8_t> buffer;
  if (buffer.size() < static_cast<size_t>(total)) buffer.resize(static_cast<size_t>(total));
  struct Row {
    const MatmulJob* job;
    int64_t t;
    uint8_t* dst;
  };
  std::vector<Row> rows;
  for (size_t i = 0; i < out.size(); ++i) {
    const MatmulJob& j = *out[i].job;
    if (activation_type(j.W.type) == DType::F32) {
      out[i].act = reinterpret_cast<const uint8_t*>(j.x);
    } else if (owner[i] == i) {
      uint8_t* dst = buffer.data() + offset[i];
      out[i].act = dst;
      for (int64_t t = 0; t < j.n_tok; ++t) rows.push_back({&j, t, dst + t * out[i].act_bytes});
    } else {
      out[i].act = out[owner[i]].act;
    }
  }
  auto convert = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const Row& row = rows[r];
      quantize_activation(row.job->W.type, row.job->x + row.t * row.job->W.cols, row.dst, row.job->W.cols);
    }
  };
  const int64_t n_rows = static_cast<int64_t>(rows.size());
  if (n_rows > 1 && pool.size() > 1) {
    pool.parallel_for(n_rows, convert);
  } else {
    convert(0, n_rows);
  }
  return out;
}

// Rows [r_begin, r_end) of a job for its tokens [t_begin, t_end). Tokens go in groups
// of kMaxActs so a weight row is decoded once per group; the kernels give each token
// the same result whatever group it lands in.
void compute_rows(const Prepared& p, int64_t r_begin, int64_t r_end, int64_t t_begin, int64_t t_end) {
  const Matrix& W = p.job->W;
  const detail::KernelTable& kernels = detail::active_kernels();
  const detail::VecDotFn dot = kernels.vec_dot[detail::slot(W.type)];
  const detail::VecDotMultiFn dot_multi = kernels.vec_dot_multi[detail::slot(W.type)];
  const int64_t tile = std::max<int64_t>(1, kTileBytes / p.w_bytes);
  const int64_t rows = W.rows, cols = W.cols;
  for (int64_t r0 = r_begin; r0 < r_end; r0 += tile) {
    const int64_t r1 = std::min(r0 + tile, r_end);
    for (int64_t t0 = t_begin; t0 < t_end; t0 += detail::kMaxActs) {
      const int n_act = static_cast<int>(std::min<int64_t>(detail::kMaxActs, t_end - t0));
      const uint8_t* a = p.act + t0 * p.act_bytes;
      float* yt = p.job->y + t0 * rows;
      for (int64_t r = r0; r < r1; ++r) {
        const uint8_t* w = W.data + r * p.w_bytes;
        if (n_act > 1 && dot_multi) {
          dot_multi(cols, w, a, p.act_bytes, n_act, yt + r, rows);
        } else {
          for (int k = 0; k < n_act; ++k) yt[k * rows + r] = dot(cols, w, a + k * p.act_bytes);
        }
      }
    }
  }
}

// The jobs' rows in pieces of about kPieceBytes of weights, which the threads take in
// turn from a shared counter: a thread slowed by the machine or given the dearer rows
// (several tokens' worth) just takes fewer pieces, instead of the others waiting for
// it at the barrier.
constexpr int64_t kPieceBytes = 2 * 1024 * 1024;

void share_rows(const std::vector<Prepared>& jobs, ThreadPool& pool) {
  struct Piece {
    int32_t job;
    int64_t r0, r1;
  };
  std::vector<Piece> pieces;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const int64_t rows = jobs[j].job->W.rows;
    const int64_t step = std::max<int64_t>(1, kPieceBytes / jobs[j].w_bytes);
    for (int64_t r = 0; r < rows; r += step) pieces.push_back({static_cast<int32_t>(j), r, std::min(rows, r + step)});
  }
  std::atomic<size_t> next{0};
  pool.run([&](int, int) {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < pieces.size();
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      const Piece& p = pieces[i];
      compute_rows(jobs[p.job], p.r0, p.r1, 0, jobs[p.job].job->n_tok);
    }
  });
}

}  // namespace

void matmul(const Matrix& W, const float* x, int64_t n_tok, float* y, ThreadPool& pool) {
  const MatmulJob job{W, x, n_tok, y};
  matmul_many({&job, 1}, pool);
}

void matmul_many(std::span<const MatmulJob> all, ThreadPool& pool) {
  std::vector<MatmulJob> jobs;
  int64_t work = 0;
  for (const MatmulJob& j : all) {
    check_shapes(j.W, j.n_tok);
    if (j.W.rows == 0 || j.n_tok == 0) continue;
    if (j.W.cols == 0) {
      std::fill(j.y, j.y + j.W.rows * j.n_tok, 0.0f);
      continue;
    }
    jobs.push_back(j);
    work += j.W.rows * j.W.cols * j.n_tok;
  }
  if (jobs.empty()) return;
  const std::vector<Prepared> prepared = prepare(jobs, pool);
  const int nth = pool.size();
  const Prepared& first = prepared.front();
  const int64_t rows = first.job->W.rows, n_tok = first.job->n_tok;
  if (nth == 1 || work < kMinParallelWork) {
    for (const Prepared& p : prepared) compute_rows(p, 0, p.job->W.rows, 0, p.job->n_tok);
  } else if (prepared.size() == 1 && rows < 4 * nth && n_tok >= 2 * nth) {
    // Few rows (a router) but many tokens: split the tokens instead, in whole groups.
    const int64_t groups = (n_tok + detail::kMaxActs - 1) / detail::kMaxActs;
    pool.parallel_for(groups, [&](int64_t g0, int64_t g1) {
      compute_rows(first, 0, rows, g0 * detail::kMaxActs, std::min(g1 * detail::kMaxActs, n_tok));
    });
  } else {
    share_rows(prepared, pool);
  }
}

}  // namespace fathom::kernels
