// AVX2 + FMA + F16C kernels. Each function carries its own target attribute so the
// binary stays runnable on any x86-64; dispatch.cpp installs them only when the
// CPU has the features. Integer parts sum exactly as the scalar twins do.
//
// Every dot kernel is a struct with `template <int NT> static void run(...)`: one
// weight row against NT (1 or 2: 16 registers) activation rows, the weights decoded
// once. Each row's arithmetic is the same for every NT, so a token's result does
// not depend on how many tokens share the call.
#include "kernels/cpu/quant_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include <cstring>

#include "kernels/cpu/quant_blocks.h"

#define FATHOM_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace fathom::kernels::detail {
namespace {

FATHOM_AVX2 inline float hsum(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

FATHOM_AVX2 inline float hsum128(__m128 x) {
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

FATHOM_AVX2 inline float hmax(__m256 v) {
  __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_max_ps(x, _mm_movehl_ps(x, x));
  x = _mm_max_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

FATHOM_AVX2 inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

FATHOM_AVX2 inline __m256i load256(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

template <class Block>
FATHOM_AVX2 inline const Block* act_row(const void* act, int64_t stride, int t) {
  return reinterpret_cast<const Block*>(static_cast<const uint8_t*>(act) + t * stride);
}

// Signed int8 x signed int8, summed over groups of 4 into int32 lanes. maddubs
// needs one unsigned operand, so x's sign moves onto y; |x| <= 128 and |y| <= 127
// keep its int16 pair sums below saturation.
FATHOM_AVX2 inline __m256i dot_i8(__m256i x, __m256i y) {
  const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
  return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

// 16 bytes of nibbles -> 32 bytes: low nibbles (elements 0..15) then high (16..31).
FATHOM_AVX2 inline __m256i unpack_nibbles(const uint8_t* q) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0F));
}

// Table entry points: vec_dot is the NT = 1 case; the multi form runs pairs.
template <class K>
FATHOM_AVX2 float single(int64_t n, const void* w, const void* act) {
  float r;
  K::template run<1>(n, w, act, 0, &r, 0);
  return r;
}

template <class K>
FATHOM_AVX2 void multi(int64_t n, const void* w, const void* act, int64_t stride, int n_act, float* out,
                       int64_t out_stride) {
  const auto* a = static_cast<const uint8_t*>(act);
  int t = 0;
  for (; t + 2 <= n_act; t += 2)
    K::template run<2>(n, w, a + t * stride, stride, out + t * out_stride, out_stride);
  if (t < n_act) K::template run<1>(n, w, a + t * stride, stride, out + t * out_stride, out_stride);
}

// ---- float weights ----

struct F32W {
  static constexpr int kBytes = 4;
  FATHOM_AVX2 static __m256 load(const void* p, int64_t i) {
    return _mm256_loadu_ps(static_cast<const float*>(p) + i);
  }
  FATHOM_AVX2 static float at(const void* p, int64_t i) { return static_cast<const float*>(p)[i]; }
};
struct F16W {
  static constexpr int kBytes = 2;
  FATHOM_AVX2 static __m256 load(const void* p, int64_t i) {
    return _mm256_cvtph_ps(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i)));
  }
  FATHOM_AVX2 static float at(const void* p, int64_t i) { return h2f(static_cast<const uint16_t*>(p)[i]); }
};
// bf16 is the top half of an f32: widen and shift.
struct BF16W {
  static constexpr int kBytes = 2;
  FATHOM_AVX2 static __m256 load(const void* p, int64_t i) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  FATHOM_AVX2 static float at(const void* p, int64_t i) {
    const uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t*>(p)[i]) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
};

// W is the weight element type, A the activation's (F32, or BF16 against BF16 weights).
template <class W, class A>
struct DotFloat {
  template <int NT>
  FATHOM_AVX2 static void run(int64_t n, const void* w, const void* act, int64_t stride, float* out,
                              int64_t out_stride) {
    const void* a[NT];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) a[t] = act_row<uint8_t>(act, stride, t);
    __m256 acc[NT][4];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) {
      FATHOM_UNROLL
      for (int k = 0; k < 4; ++k) acc[t][k] = _mm256_setzero_ps();
    }
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
      prefetch_ahead(static_cast<const uint8_t*>(w) + i * W::kBytes, 32 * W::kBytes);
      FATHOM_UNROLL
      for (int k = 0; k < 4; ++k) {
        const __m256 wv = W::load(w, i + 8 * k);
        FATHOM_UNROLL
        for (int t = 0; t < NT; ++t) acc[t][k] = _mm256_fmadd_ps(wv, A::load(a[t], i + 8 * k), acc[t][k]);
      }
    }
    for (; i + 8 <= n; i += 8) {
      const __m256 wv = W::load(w, i);
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) acc[t][0] = _mm256_fmadd_ps(wv, A::load(a[t], i), acc[t][0]);
    }
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) {
      float s = hsum(_mm256_add_ps(_mm256_add_ps(acc[t][0], acc[t][1]), _mm256_add_ps(acc[t][2], acc[t][3])));
      for (int64_t j = i; j < n; ++j) s += W::at(w, j) * A::at(a[t], j);
      out[t * out_stride] = s;
    }
  }
};

// ---- 32-element blocks against Q8_0 ----

// Four fp16 block scales (the first field of each block) as floats.
template <class Block>
FATHOM_AVX2 inline __m128 fp16_scales4(const Block* b) {
  const uint64_t packed =
      uint64_t{b[0].d} | uint64_t{b[1].d} << 16 | uint64_t{b[2].d} << 32 | uint64_t{b[3].d} << 48;
  return _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<int64_t>(packed)));
}

// Weight block as 32 signed bytes, with its float scale, alone or four at a time.
struct Q8_0W {
  using Block = block_q8_0;
  FATHOM_AVX2 static __m256i bytes(const Block& b) { return load256(b.qs); }
  FATHOM_AVX2 static float scale(const Block& b) { return h2f(b.d); }
  FATHOM_AVX2 static __m128 scales4(const Block* b) { return fp16_scales4(b); }
};
struct Q4_0W {
  using Block = block_q4_0;
  FATHOM_AVX2 static __m256i bytes(const Block& b) {
    return _mm256_sub_epi8(unpack_nibbles(b.qs), _mm256_set1_epi8(8));
  }
  FATHOM_AVX2 static float scale(const Block& b) { return h2f(b.d); }
  FATHOM_AVX2 static __m128 scales4(const Block* b) { return fp16_scales4(b); }
};
// Four blocks per step: their scale products come from one vector multiply and
// are broadcast per block with a lane permute; two accumulators per row hide FMA
// latency.
template <class W>
struct Dot32 {
  template <int NT>
  FATHOM_AVX2 static void run(int64_t n, const void* w, const void* act, int64_t stride, float* out,
                              int64_t out_stride) {
    const auto* x = static_cast<const typename W::Block*>(w);
    const block_q8_0* y[NT];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) y[t] = act_row<block_q8_0>(act, stride, t);
    const int64_t nb = n / 32;
    __m256 acc[NT][2];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) acc[t][0] = acc[t][1] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 4 <= nb; i += 4) {
      prefetch_ahead(x + i, 4 * sizeof(*x));
      const __m128 sw = W::scales4(x + i);
      __m256i xb[4];
      FATHOM_UNROLL
      for (int k = 0; k < 4; ++k) xb[k] = W::bytes(x[i + k]);
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const __m256 s = _mm256_castps128_ps256(_mm_mul_ps(sw, fp16_scales4(y[t] + i)));
        FATHOM_UNROLL
        for (int k = 0; k < 4; ++k) {
          const __m256i p = dot_i8(xb[k], load256(y[t][i + k].qs));
          acc[t][k & 1] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(s, _mm256_set1_epi32(k)),
                                          _mm256_cvtepi32_ps(p), acc[t][k & 1]);
        }
      }
    }
    for (; i < nb; ++i) {
      const __m256i xb = W::bytes(x[i]);
      const float dw = W::scale(x[i]);
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const __m256i p = dot_i8(xb, load256(y[t][i].qs));
        acc[t][0] = _mm256_fmadd_ps(_mm256_set1_ps(dw * h2f(y[t][i].d)), _mm256_cvtepi32_ps(p), acc[t][0]);
      }
    }
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) out[t * out_stride] = hsum(_mm256_add_ps(acc[t][0], acc[t][1]));
  }
};

// MXFP4 against Q8_0 in the regrouped layout (quant_blocks.h), a block at a time:
// codes + kMxfp4CodeBias are unsigned, so maddubs takes them as they are and the
// activation's bias lanes cancel the offset.
struct DotMxfp4 {
  template <int NT>
  FATHOM_AVX2 static void run(int64_t n, const void* w, const void* act, int64_t stride, float* out,
                              int64_t out_stride) {
    const auto* x = static_cast<const block_mxfp4*>(w);
    const int64_t nb = n / QK_MXFP4;
    // Doubled E2M1 values + 12: 0 1 2 3 4 6 8 12 then the negatives, all within 0..24.
    const __m256i lut = _mm256_setr_epi8(12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0, 12, 13, 14,
                                         15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0);
    __m256 acc[NT][2];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) acc[t][0] = acc[t][1] = _mm256_setzero_ps();
    for (int64_t g = 0; g < nb; g += kMxGroupBlocks) {
      MxGroupView<const uint8_t> a[NT];
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) a[t] = mx_group(act_row<uint8_t>(act, stride, t), nb, g);
      prefetch_ahead(x + g, kMxGroupBlocks * sizeof(block_mxfp4));
      for (int b = 0; b < a[0].k; ++b) {
        const block_mxfp4& blk = x[g + b];
        const __m256i u = _mm256_shuffle_epi8(lut, unpack_nibbles(blk.qs));
        const float dw = e8m0_to_fp32_half(blk.e);
        FATHOM_UNROLL
        for (int t = 0; t < NT; ++t) {
          const __m256i y = _mm256_set_m128i(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a[t].hi + 16 * b)),
                                             _mm_loadu_si128(reinterpret_cast<const __m128i*>(a[t].lo + 16 * b)));
          const __m256i bias =
              _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a[t].bias + 16 * b)));
          const __m256i p =
              _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(u, y), _mm256_set1_epi16(1)), bias);
          float dx;
          std::memcpy(&dx, a[t].d + 16 * b, sizeof dx);
          acc[t][b & 1] = _mm256_fmadd_ps(_mm256_set1_ps(dw * dx), _mm256_cvtepi32_ps(p), acc[t][b & 1]);
        }
      }
    }
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) out[t * out_stride] = hsum(_mm256_add_ps(acc[t][0], acc[t][1]));
  }
};

// ---- K-quants against Q8_K ----

// The 12 packed bytes -> sc[0..7] in bytes 0..7 and m[0..7] in bytes 8..15.
inline void unpack_scales_k4(const uint8_t* packed, uint32_t out[4]) {
  constexpr uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
  uint32_t u[3];
  std::memcpy(u, packed, 12);
  out[3] = ((u[2] >> 4) & kmask2) | (((u[1] >> 6) & kmask3) << 4);
  out[2] = u[1] & kmask1;
  out[1] = (u[2] & kmask2) | (((u[0] >> 6) & kmask3) << 4);
  out[0] = u[0] & kmask1;
}

// sum_j m_j * (bsums[2j] + bsums[2j+1]) as 4 int32 lanes; m holds the 8 mins as int16.
FATHOM_AVX2 inline __m128i mins_dot_bsums(__m128i m, const int16_t* bsums) {
  const __m256i bs = load256(bsums);
  const __m128i pair_sums = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
  return _mm_madd_epi16(m, pair_sums);
}

// Q4_K (kFifthBit false) and Q5_K: chunk by chunk (64 elements, two sub-blocks),
// each activation row adds its integer partial sums.
template <bool kFifthBit, class Block>
struct DotQ45K {
  template <int NT>
  FATHOM_AVX2 static void run(int64_t n, const void* w, const void* act, int64_t stride, float* out,
                              int64_t out_stride) {
    const auto* x = static_cast<const Block*>(w);
    const block_q8_K* y[NT];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) y[t] = act_row<block_q8_K>(act, stride, t);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i m1 = _mm256_set1_epi8(0x01);
    __m256 acc[NT];
    __m128 acc_m[NT];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) {
      acc[t] = _mm256_setzero_ps();
      acc_m[t] = _mm_setzero_ps();
    }
    for (int64_t i = 0; i < n / QK_K; ++i) {
      prefetch_ahead(x + i, sizeof(*x));
      uint32_t sm[4];
      unpack_scales_k4(x[i].scales, sm);
      const auto* sc = reinterpret_cast<const uint8_t*>(sm);
      const __m128i mins16 = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(sc + 8)));
      __m256i hbits;
      if constexpr (kFifthBit) hbits = load256(x[i].qh);  // bit 2j / 2j+1 of byte l: chunk j
      __m256i sumi[NT];
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) sumi[t] = _mm256_setzero_si256();
      FATHOM_UNROLL
      for (int j = 0; j < QK_K / 64; ++j) {
        const __m256i qb = load256(x[i].qs + 32 * j);
        __m256i q0 = _mm256_and_si256(qb, m4);
        __m256i q1 = _mm256_and_si256(_mm256_srli_epi16(qb, 4), m4);
        if constexpr (kFifthBit) {
          q0 = _mm256_or_si256(q0, _mm256_slli_epi16(_mm256_and_si256(hbits, m1), 4));
          q1 = _mm256_or_si256(q1, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 1), m1), 4));
          hbits = _mm256_srli_epi16(hbits, 2);
        }
        const __m256i s0 = _mm256_set1_epi16(sc[2 * j]);
        const __m256i s1 = _mm256_set1_epi16(sc[2 * j + 1]);
        FATHOM_UNROLL
        for (int t = 0; t < NT; ++t) {
          const int8_t* a = y[t][i].qs + 64 * j;
          sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(s0, _mm256_maddubs_epi16(q0, load256(a))));
          sumi[t] =
              _mm256_add_epi32(sumi[t], _mm256_madd_epi16(s1, _mm256_maddubs_epi16(q1, load256(a + 32))));
        }
      }
      const float dw = h2f(x[i].d), dmw = h2f(x[i].dmin);
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) {
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(y[t][i].d * dw), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
        acc_m[t] = _mm_fmadd_ps(_mm_set1_ps(y[t][i].d * dmw),
                                _mm_cvtepi32_ps(mins_dot_bsums(mins16, y[t][i].bsums)), acc_m[t]);
      }
    }
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) out[t * out_stride] = hsum(acc[t]) - hsum128(acc_m[t]);
  }
};

// Byte shuffles that spread scales g and g+1 (g = 2 * quarter) over 8 lanes each.
alignas(16) constexpr int8_t kQ6ScalePick[8][16] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1},
    {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3},
    {4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5},
    {6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7},
    {8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9},
    {10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11},
    {12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13},
    {14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15},
};

// Q6_K: q in 0..63 with offset 32. sum_g sc_g * dot(q - 32, a)_g is computed as
// sum_g sc_g * dot(q, a)_g - 32 * sum_g sc_g * bsums_g, the correction from bsums.
struct DotQ6K {
  template <int NT>
  FATHOM_AVX2 static void run(int64_t n, const void* w, const void* act, int64_t stride, float* out,
                              int64_t out_stride) {
    const auto* x = static_cast<const block_q6_K*>(w);
    const block_q8_K* y[NT];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) y[t] = act_row<block_q8_K>(act, stride, t);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m256i m2 = _mm256_set1_epi8(0x03);
    __m256 acc[NT];
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
      prefetch_ahead(x + i, sizeof(*x));
      const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales));
      const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
      __m256i sumi[NT];
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) {
        const __m256i corr = _mm256_madd_epi16(sc16, load256(y[t][i].bsums));
        sumi[t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(corr, 5));
      }
      FATHOM_UNROLL
      for (int half = 0; half < 2; ++half) {
        const uint8_t* ql = x[i].ql + 64 * half;
        const __m256i l0 = load256(ql), l1 = load256(ql + 32), hb = load256(x[i].qh + 32 * half);
        __m256i q[4];
        q[0] = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
        q[1] = _mm256_or_si256(_mm256_and_si256(l1, m4),
                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
        q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
        q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                               _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
        FATHOM_UNROLL
        for (int k = 0; k < 4; ++k) {
          // int16 lanes 0..7 cover elements 0..15 (scale g), lanes 8..15 elements 16..31 (g+1).
          const __m128i pick = _mm_load_si128(reinterpret_cast<const __m128i*>(kQ6ScalePick[4 * half + k]));
          const __m256i s = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, pick));
          FATHOM_UNROLL
          for (int t = 0; t < NT; ++t) {
            const __m256i p16 = _mm256_maddubs_epi16(q[k], load256(y[t][i].qs + 128 * half + 32 * k));
            sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(s, p16));
          }
        }
      }
      const float dw = h2f(x[i].d);
      FATHOM_UNROLL
      for (int t = 0; t < NT; ++t) {
        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(y[t][i].d * dw), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
      }
    }
    FATHOM_UNROLL
    for (int t = 0; t < NT; ++t) out[t * out_stride] = hsum(acc[t]);
  }
};

// ---- activation quantizers, bit-identical to the scalar ones ----

// roundf (ties away from zero) from truncation; every step is exact.
FATHOM_AVX2 inline __m256i round_away(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = _mm256_sub_ps(v, t);
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 abs_frac = _mm256_andnot_ps(sign_mask, frac);
  const __m256 one = _mm256_or_ps(_mm256_and_ps(v, sign_mask), _mm256_set1_ps(1.0f));
  const __m256 bump = _mm256_and_ps(_mm256_cmp_ps(abs_frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ), one);
  return _mm256_cvttps_epi32(_mm256_add_ps(t, bump));
}

// 4 x 8 int32 (in order) -> 32 int8 in order.
FATHOM_AVX2 inline __m256i pack_i32_to_i8(__m256i v0, __m256i v1, __m256i v2, __m256i v3) {
  const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(v0, v1), _mm256_packs_epi32(v2, v3));
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

FATHOM_AVX2 void quantize_q8_0(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q8_0*>(dst);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
    __m256 v[4];
    __m256 vmax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(x + 8 * k);
      vmax = _mm256_max_ps(vmax, _mm256_and_ps(v[k], abs_mask));
    }
    const float d = hmax(vmax) / 127;
    const float id = d ? 1.0f / d : 0.0f;
    y[i].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    const __m256 vid = _mm256_set1_ps(id);
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = round_away(_mm256_mul_ps(v[k], vid));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs), pack_i32_to_i8(q[0], q[1], q[2], q[3]));
  }
}

FATHOM_AVX2 void quantize_q8_K(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q8_K*>(dst);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
    __m256 vmax = _mm256_setzero_ps();
    for (int k = 0; k < QK_K; k += 8)
      vmax = _mm256_max_ps(vmax, _mm256_and_ps(_mm256_loadu_ps(x + k), abs_mask));
    const float amax = hmax(vmax);
    if (!amax) {
      std::memset(&y[i], 0, sizeof(block_q8_K));
      continue;
    }
    // The first element of largest magnitude fixes the sign of the scale.
    int first = 0;
    const __m256 vamax = _mm256_set1_ps(amax);
    for (int k = 0; k < QK_K; k += 8) {
      const __m256 eq = _mm256_cmp_ps(_mm256_and_ps(_mm256_loadu_ps(x + k), abs_mask), vamax, _CMP_EQ_OQ);
      const int mask = _mm256_movemask_ps(eq);
      if (mask) {
        first = k + __builtin_ctz(mask);
        break;
      }
    }
    const float iscale = -127.f / x[first];
    const __m256 vis = _mm256_set1_ps(iscale);
    for (int k = 0; k < QK_K; k += 32) {
      // cvtps rounds half to even, as nearest_int does; |values| <= 127 so no clamp bites.
      __m256i q[4];
      for (int u = 0; u < 4; ++u)
        q[u] = _mm256_cvtps_epi32(_mm256_mul_ps(vis, _mm256_loadu_ps(x + k + 8 * u)));
      const __m256i b = pack_i32_to_i8(q[0], q[1], q[2], q[3]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + k), b);
      // Sums of each 16 bytes: widen pairs, then fold to one int32 per 16.
      const __m256i s32 =
          _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), b), _mm256_set1_epi16(1));
      const __m256i s = _mm256_hadd_epi32(s32, s32);  // per 128-bit lane: [a+b, c+d, a+b, c+d]
      const __m256i t = _mm256_hadd_epi32(s, s);
      y[i].bsums[k / 16] = static_cast<int16_t>(_mm256_extract_epi32(t, 0));
      y[i].bsums[k / 16 + 1] = static_cast<int16_t>(_mm256_extract_epi32(t, 4));
    }
    y[i].d = 1 / iscale;
  }
}

FATHOM_AVX2 void f16_row(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  }
  for (; i < n; ++i) dst[i] = _cvtsh_ss(src[i]);
}

template <class K>
void put(KernelTable& t, DType type) {
  t.vec_dot[slot(type)] = single<K>;
  t.vec_dot_multi[slot(type)] = multi<K>;
}

}  // namespace

// ---- attention rows ----

FATHOM_AVX2 void dot_rows(const float* q, const float* rows, int64_t n, int64_t d, float* s) {
  for (int64_t j = 0; j < n; ++j) {
    const float* r = rows + j * d;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= d; i += 16) {
      acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(r + i), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(r + i + 8), acc1);
    }
    for (; i + 8 <= d; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(r + i), acc0);
    float t = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < d; ++i) t += q[i] * r[i];
    s[j] = t;
  }
}

// 32 outputs at a time stay in registers while every row adds into them.
FATHOM_AVX2 void axpy_rows(const float* p, const float* rows, int64_t n, int64_t d, float* out) {
  int64_t i0 = 0;
  for (; i0 + 32 <= d; i0 += 32) {
    __m256 o[4];
    FATHOM_UNROLL
    for (int k = 0; k < 4; ++k) o[k] = _mm256_loadu_ps(out + i0 + 8 * k);
    for (int64_t j = 0; j < n; ++j) {
      const __m256 pj = _mm256_set1_ps(p[j]);
      FATHOM_UNROLL
      for (int k = 0; k < 4; ++k) o[k] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(rows + j * d + i0 + 8 * k), o[k]);
    }
    FATHOM_UNROLL
    for (int k = 0; k < 4; ++k) _mm256_storeu_ps(out + i0 + 8 * k, o[k]);
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = i0; i < d; ++i) out[i] += p[j] * rows[j * d + i];
  }
}

void install_avx2(KernelTable& t) {
  put<DotFloat<F32W, F32W>>(t, DType::F32);
  put<DotFloat<F16W, F32W>>(t, DType::F16);
  put<DotFloat<BF16W, BF16W>>(t, DType::BF16);
  put<Dot32<Q8_0W>>(t, DType::Q8_0);
  put<Dot32<Q4_0W>>(t, DType::Q4_0);
  put<DotMxfp4>(t, DType::MXFP4);
  put<DotQ45K<false, block_q4_K>>(t, DType::Q4_K);
  put<DotQ45K<true, block_q5_K>>(t, DType::Q5_K);
  put<DotQ6K>(t, DType::Q6_K);
  t.quantize_q8_0 = quantize_q8_0;
  t.quantize_q8_K = quantize_q8_K;
  t.f16_to_f32 = f16_row;
  t.dot_rows = dot_rows;
  t.axpy_rows = axpy_rows;
}

}  // namespace fathom::kernels::detail

#else  // not x86-64: the scalar table stays in place

namespace fathom::kernels::detail {
void install_avx2(KernelTable&) {}
}  // namespace fathom::kernels::detail

#endif
