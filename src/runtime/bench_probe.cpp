#include "runtime/bench_probe.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/probe.h"

namespace fathom::runtime {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Thread i's share of n bytes, cut at 4 KiB so no two threads share a page.
void slice(uint64_t n, int i, int nt, uint64_t* begin, uint64_t* end) {
  const uint64_t pages = (n + 4095) / 4096;
  *begin = std::min(n, pages * i / nt * 4096);
  *end = std::min(n, pages * (i + 1) / nt * 4096);
}

}  // namespace

double measure_read_bandwidth(ThreadPool& pool, uint64_t bytes, int passes) {
  if (bytes == 0 || passes < 1) throw Error("measure_read_bandwidth: needs a non-empty buffer and a pass");
  std::unique_ptr<uint8_t[]> buf(new (std::nothrow) uint8_t[bytes]);
  if (!buf) throw Error("bandwidth probe: cannot allocate " + std::to_string(bytes) + " bytes", ExitCode::Failure);
  // Each thread fills its own slice: the pages are faulted in before timing starts.
  pool.run([&](int i, int nt) {
    uint64_t b, e;
    slice(bytes, i, nt, &b, &e);
    std::memset(buf.get() + b, 0x5a + i, e - b);
  });
  std::vector<uint64_t> sums(static_cast<size_t>(pool.size()));
  double best = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](int i, int nt) {
      uint64_t b, e;
      slice(bytes, i, nt, &b, &e);
      sums[i] = kernels::read_sum(buf.get() + b, static_cast<int64_t>(e - b));
    });
    best = std::max(best, static_cast<double>(bytes) / seconds_since(t0));
  }
  // Stored where the compiler must assume it is read, so no pass is optimized away.
  static volatile uint64_t sink;
  for (uint64_t s : sums) sink = sink + s;
  return best;
}

double measure_burn_rate(ThreadPool& pool, double (*burn)(int64_t iters)) {
  // Calibrate on one thread to about 0.1 s, then time every thread running that many.
  int64_t iters = 1 << 12;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    burn(iters);
    if (seconds_since(t0) > 0.1 || iters > (int64_t{1} << 40)) break;
    iters *= 2;
  }
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    std::vector<double> ops(static_cast<size_t>(pool.size()));
    const auto t0 = std::chrono::steady_clock::now();
    pool.run([&](int i, int) { ops[i] = burn(iters); });
    const double s = seconds_since(t0);
    double total = 0;
    for (double o : ops) total += o;
    best = std::max(best, total / s);
  }
  return best;
}

ProbeResult run_probe(int threads, uint64_t buffer_bytes, int passes) {
  ProbeResult r;
  r.level = kernels::dispatch_level();
  r.threads = threads;
  r.buffer_bytes = buffer_bytes;
  ThreadPool one(1);
  ThreadPool all(threads);
  r.read_bw_1 = measure_read_bandwidth(one, buffer_bytes, passes);
  r.read_bw_all = threads == 1 ? r.read_bw_1 : measure_read_bandwidth(all, buffer_bytes, passes);
  r.fma_1 = measure_burn_rate(one, kernels::fma_burn);
  r.fma_all = threads == 1 ? r.fma_1 : measure_burn_rate(all, kernels::fma_burn);
  r.int8_1 = measure_burn_rate(one, kernels::int8_burn);
  r.int8_all = threads == 1 ? r.int8_1 : measure_burn_rate(all, kernels::int8_burn);
  return r;
}

}  // namespace fathom::runtime
