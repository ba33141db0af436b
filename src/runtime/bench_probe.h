// This machine's ceilings, measured: memory read bandwidth, peak FP32 FMA rate and
// int8 dot-product rate, on one thread and on all of them. The bandwidth is what
// bounds decode speed (see `fathom bench`); give it to `fathom plan --cpu-bw`.
#pragma once
#include <cstdint>

#include "core/thread_pool.h"
#include "kernels/cpu/dispatch.h"

namespace fathom::runtime {

// Best of `passes` streaming reads of a `bytes` buffer split across the pool's
// threads; bytes/s. The buffer is filled (faulted in) before the first pass.
double measure_read_bandwidth(ThreadPool& pool, uint64_t bytes, int passes);

// Operations per second of a burn loop (kernels::fma_burn or int8_burn) run on every
// thread of the pool: best of 3 runs of about 0.1 s each.
double measure_burn_rate(ThreadPool& pool, double (*burn)(int64_t iters));

struct ProbeResult {
  kernels::DispatchLevel level;
  int threads = 1;
  uint64_t buffer_bytes = 0;
  double read_bw_1 = 0, read_bw_all = 0;  // bytes/s
  double fma_1 = 0, fma_all = 0;          // FP32 FLOP/s
  double int8_1 = 0, int8_all = 0;        // int8 op/s (2 per multiply-add)
};

ProbeResult run_probe(int threads, uint64_t buffer_bytes, int passes);

}  // namespace fathom::runtime
