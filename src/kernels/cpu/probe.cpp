// The scalar probe loops and the dispatch between levels.
#include "kernels/cpu/probe.h"

#include <cstring>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/probe_kernels.h"

namespace fathom::kernels {

namespace detail {

void probe_sink(double v) {
  [[maybe_unused]] static volatile double sink;
  sink = v;
}

// Eight chains: enough to show the scalar level's rate without relying on the
// compiler, which may vectorize these anyway (it is the reference, not a target).
double fma_burn_scalar(int64_t iters) {
  constexpr int kChains = 8;
  float acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = 0.5f + 0.01f * static_cast<float>(k);
  const float a = 0.9999999f, b = 1e-7f;
  for (int64_t i = 0; i < iters; ++i) {
    for (int k = 0; k < kChains; ++k) acc[k] = acc[k] * a + b;
  }
  double s = 0;
  for (float v : acc) s += v;
  probe_sink(s);
  return 2.0 * kChains * static_cast<double>(iters);
}

double int8_burn_scalar(int64_t iters) {
  constexpr int kLanes = 16;
  uint8_t u[kLanes];
  int8_t s[kLanes];
  for (int k = 0; k < kLanes; ++k) {
    u[k] = static_cast<uint8_t>(3 * k + 1);
    s[k] = static_cast<int8_t>(k - 8);
  }
  int32_t acc[kLanes / 4] = {};
  for (int64_t i = 0; i < iters; ++i) {
    for (int k = 0; k < kLanes; ++k) acc[k / 4] += static_cast<int32_t>(u[k]) * s[k];
    u[i % kLanes] ^= 1;  // keeps the products from being hoisted out of the loop
  }
  probe_sink(acc[0] + acc[1] + acc[2] + acc[3]);
  return 2.0 * kLanes * static_cast<double>(iters);
}

}  // namespace detail

uint64_t read_sum_scalar(const uint8_t* p, int64_t n) {
  uint64_t sum = 0;
  const int64_t words = n / 8;
  for (int64_t i = 0; i < words; ++i) {
    uint64_t w;
    std::memcpy(&w, p + 8 * i, 8);
    sum += w;
  }
  for (int64_t i = words * 8; i < n; ++i) sum += p[i];
  return sum;
}

uint64_t read_sum(const uint8_t* p, int64_t n) {
#if defined(__x86_64__)
  switch (dispatch_level()) {
    case DispatchLevel::AVX512:
    case DispatchLevel::AVX512_VNNI:
    case DispatchLevel::AVX512_BF16: return detail::read_sum_avx512(p, n);
    case DispatchLevel::AVX2: return detail::read_sum_avx2(p, n);
    case DispatchLevel::Scalar: break;
  }
#endif
  return read_sum_scalar(p, n);
}

double fma_burn(int64_t iters) {
#if defined(__x86_64__)
  switch (dispatch_level()) {
    case DispatchLevel::AVX512:
    case DispatchLevel::AVX512_VNNI:
    case DispatchLevel::AVX512_BF16: return detail::fma_burn_avx512(iters);
    case DispatchLevel::AVX2: return detail::fma_burn_avx2(iters);
    case DispatchLevel::Scalar: break;
  }
#endif
  return detail::fma_burn_scalar(iters);
}

double int8_burn(int64_t iters) {
#if defined(__x86_64__)
  switch (dispatch_level()) {
    case DispatchLevel::AVX512_VNNI:
    case DispatchLevel::AVX512_BF16: return detail::int8_burn_vnni(iters);
    case DispatchLevel::AVX512:
    case DispatchLevel::AVX2: return detail::int8_burn_avx2(iters);
    case DispatchLevel::Scalar: break;
  }
#endif
  return detail::int8_burn_scalar(iters);
}

}  // namespace fathom::kernels
