// Internal: the per-level probe loops behind probe.h's dispatching functions.
#pragma once
#include <cstdint>

namespace fathom::kernels::detail {

// The value a burn loop produced, stored so the loop cannot be optimized away.
void probe_sink(double v);

double fma_burn_scalar(int64_t iters);
double int8_burn_scalar(int64_t iters);

#if defined(__x86_64__)
uint64_t read_sum_avx2(const uint8_t* p, int64_t n);
double fma_burn_avx2(int64_t iters);
double int8_burn_avx2(int64_t iters);
uint64_t read_sum_avx512(const uint8_t* p, int64_t n);
double fma_burn_avx512(int64_t iters);
double int8_burn_vnni(int64_t iters);
#endif

}  // namespace fathom::kernels::detail
