// The AVX2 and AVX-512 probe loops. Function-level target attributes keep the binary
// runnable on any x86-64; probe.cpp calls them only at a level the CPU supports.
#include "kernels/cpu/probe_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include "kernels/cpu/avx512_warnings.h"
#include "kernels/cpu/probe.h"
#include "kernels/cpu/quant_kernels.h"

#define FATHOM_AVX2 __attribute__((target("avx2,fma")))
#define FATHOM_AVX512 __attribute__((target("avx512f,avx512bw,avx2,fma")))
#define FATHOM_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,avx2,fma")))

// Enough independent chains to cover the FMA latency (4 cycles) on two ports, and
// few enough that all stay in the 16 (AVX2) or 32 (AVX-512) vector registers.
#define FATHOM_CHAINS 12
#define FATHOM_UNROLL_CHAINS _Pragma("GCC unroll 12")

FATHOM_AVX512_WARNINGS_OFF

namespace fathom::kernels::detail {

namespace {
// The tail of a SIMD read: the words and bytes after the last full vector block.
uint64_t read_tail(const uint8_t* p, int64_t done, int64_t n) { return read_sum_scalar(p + done, n - done); }
}  // namespace

// Four accumulators so the loads are not serialized behind one add chain; the same
// software prefetch as the dot kernels, so the bound is what they can reach.
FATHOM_AVX2 uint64_t read_sum_avx2(const uint8_t* p, int64_t n) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  const int64_t blocks = n / 128;
  for (int64_t i = 0; i < blocks; ++i) {
    const auto* q = reinterpret_cast<const __m256i*>(p + 128 * i);
    prefetch_ahead(q, 128);
    a0 = _mm256_add_epi64(a0, _mm256_loadu_si256(q));
    a1 = _mm256_add_epi64(a1, _mm256_loadu_si256(q + 1));
    a2 = _mm256_add_epi64(a2, _mm256_loadu_si256(q + 2));
    a3 = _mm256_add_epi64(a3, _mm256_loadu_si256(q + 3));
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                     _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3)));
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + read_tail(p, blocks * 128, n);
}

FATHOM_AVX512 uint64_t read_sum_avx512(const uint8_t* p, int64_t n) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  const int64_t blocks = n / 256;
  for (int64_t i = 0; i < blocks; ++i) {
    const uint8_t* q = p + 256 * i;
    prefetch_ahead(q, 256);
    a0 = _mm512_add_epi64(a0, _mm512_loadu_si512(q));
    a1 = _mm512_add_epi64(a1, _mm512_loadu_si512(q + 64));
    a2 = _mm512_add_epi64(a2, _mm512_loadu_si512(q + 128));
    a3 = _mm512_add_epi64(a3, _mm512_loadu_si512(q + 192));
  }
  // Summed as unsigned lanes: the checksum wraps by design, which GCC's signed
  // _mm512_reduce_add_epi64 would turn into undefined behaviour.
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
  uint64_t sum = 0;
  for (uint64_t l : lanes) sum += l;
  return sum + read_tail(p, blocks * 256, n);
}

// acc = acc * a + b converges to b / (1 - a) = 1 without denormals or overflow.
FATHOM_AVX2 double fma_burn_avx2(int64_t iters) {
  __m256 acc[FATHOM_CHAINS];
  FATHOM_UNROLL_CHAINS
  for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm256_set1_ps(0.5f + 0.01f * k);
  const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
    FATHOM_UNROLL_CHAINS
    for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
  }
  __m256 s = acc[0];
  for (int k = 1; k < FATHOM_CHAINS; ++k) s = _mm256_add_ps(s, acc[k]);
  probe_sink(_mm256_cvtss_f32(s));
  return 2.0 * 8 * FATHOM_CHAINS * static_cast<double>(iters);
}

FATHOM_AVX512 double fma_burn_avx512(int64_t iters) {
  __m512 acc[FATHOM_CHAINS];
  FATHOM_UNROLL_CHAINS
  for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm512_set1_ps(0.5f + 0.01f * k);
  const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iters; ++i) {
    FATHOM_UNROLL_CHAINS
    for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm512_fmadd_ps(acc[k], a, b);
  }
  __m512 s = acc[0];
  for (int k = 1; k < FATHOM_CHAINS; ++k) s = _mm512_add_ps(s, acc[k]);
  probe_sink(_mm512_reduce_add_ps(s));
  return 2.0 * 16 * FATHOM_CHAINS * static_cast<double>(iters);
}

// The pre-VNNI int8 dot: maddubs (u8 x s8 -> s16 pairs), madd by ones (-> s32), add;
// three instructions per 32 multiply-adds, as the Q8_0 kernels do it.
FATHOM_AVX2 double int8_burn_avx2(int64_t iters) {
  __m256i acc[FATHOM_CHAINS];
  FATHOM_UNROLL_CHAINS
  for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm256_set1_epi32(k);
  const __m256i s = _mm256_set1_epi8(-5), ones = _mm256_set1_epi16(1);
  for (int64_t i = 0; i < iters; ++i) {
    // Each chain's bytes are its own accumulator, so no product is loop-invariant
    // (and hoisted) or shared between chains (and computed once).
    FATHOM_UNROLL_CHAINS
    for (int k = 0; k < FATHOM_CHAINS; ++k) {
      acc[k] = _mm256_add_epi32(acc[k], _mm256_madd_epi16(_mm256_maddubs_epi16(acc[k], s), ones));
    }
  }
  __m256i t = acc[0];
  for (int k = 1; k < FATHOM_CHAINS; ++k) t = _mm256_add_epi32(t, acc[k]);
  probe_sink(_mm256_extract_epi32(t, 0));
  return 2.0 * 32 * FATHOM_CHAINS * static_cast<double>(iters);
}

FATHOM_VNNI double int8_burn_vnni(int64_t iters) {
  __m512i acc[FATHOM_CHAINS];
  FATHOM_UNROLL_CHAINS
  for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm512_set1_epi32(k);
  const __m512i u = _mm512_set1_epi8(3), s = _mm512_set1_epi8(-5);
  for (int64_t i = 0; i < iters; ++i) {
    FATHOM_UNROLL_CHAINS
    for (int k = 0; k < FATHOM_CHAINS; ++k) acc[k] = _mm512_dpbusd_epi32(acc[k], u, s);
  }
  __m512i t = acc[0];
  for (int k = 1; k < FATHOM_CHAINS; ++k) t = _mm512_add_epi32(t, acc[k]);
  alignas(64) uint32_t lanes[16];
  _mm512_store_si512(lanes, t);
  uint32_t sum = 0;
  for (uint32_t l : lanes) sum += l;
  probe_sink(static_cast<float>(sum));
  return 2.0 * 64 * FATHOM_CHAINS * static_cast<double>(iters);
}

}  // namespace fathom::kernels::detail

FATHOM_AVX512_WARNINGS_ON

#endif  // __x86_64__
