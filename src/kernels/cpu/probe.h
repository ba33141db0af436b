// Machine probes: loops that measure the ceilings the real kernels are judged
// against (memory read bandwidth, peak FP32 FMA and int8 dot-product rates), used by
// `fathom bench --probe`. Dispatched by the same level as quant.h's kernels.
#pragma once
#include <cstdint>

namespace fathom::kernels {

// Wrapping sum of the first n/8*8 bytes as little-endian 64-bit words plus the
// remaining bytes one by one. Reads every byte once, in order: a streaming read whose
// result depends on all of it, so the compiler cannot skip it. The sum is exact, so
// every dispatch level returns the same value as the scalar twin.
uint64_t read_sum(const uint8_t* p, int64_t n);
uint64_t read_sum_scalar(const uint8_t* p, int64_t n);

// `iters` rounds of independent FP32 FMA chains held in registers; returns the
// floating-point operations done (2 per lane per FMA).
double fma_burn(int64_t iters);

// `iters` rounds of independent u8 x s8 dot-product chains (vpdpbusd with VNNI, else
// AVX2 maddubs); returns the integer operations done (2 per multiply-add).
double int8_burn(int64_t iters);

}  // namespace fathom::kernels
