// ggml's block layouts, byte for byte, and the small decoders every kernel shares.
#pragma once
#include <cstdint>
#include <cstring>

namespace fathom::kernels {

constexpr int QK4_0 = 32;
constexpr int QK8_0 = 32;
constexpr int QK_MXFP4 = 32;
constexpr int QK_K = 256;
constexpr int K_SCALE_SIZE = 12;

// fp16 fields are raw IEEE half bits (core/half.h converts).
struct block_q4_0 {
  uint16_t d;
  uint8_t qs[QK4_0 / 2];  // element j in the low nibble of qs[j], j+16 in the high nibble
};

struct block_q8_0 {
  uint16_t d;
  int8_t qs[QK8_0];
};

struct block_mxfp4 {
  uint8_t e;                 // E8M0 shared exponent
  uint8_t qs[QK_MXFP4 / 2];  // E2M1 codes, nibble order as in block_q4_0
};

// Super-block of 8 sub-blocks of 32: x = d*sc*q - dmin*m, with 6-bit sc and m
// packed into `scales` (see get_scale_min_k4).
struct block_q4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[K_SCALE_SIZE];
  uint8_t qs[QK_K / 2];
};

struct block_q5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[K_SCALE_SIZE];
  uint8_t qh[QK_K / 8];  // fifth bits
  uint8_t qs[QK_K / 2];  // low four bits
};

// 16 sub-blocks of 16: x = d * scales[i] * (q - 32), q 6-bit from ql (low 4) and qh (high 2).
struct block_q6_K {
  uint8_t ql[QK_K / 2];
  uint8_t qh[QK_K / 4];
  int8_t scales[QK_K / 16];
  uint16_t d;
};

// Activations for K-quant dots: bsums[i] is the sum of qs[16i .. 16i+15], which
// turns the per-sub-block minimum terms into 16 multiplies instead of 256.
struct block_q8_K {
  float d;
  int8_t qs[QK_K];
  int16_t bsums[QK_K / 16];
};

static_assert(sizeof(block_q4_0) == 18);
static_assert(sizeof(block_q8_0) == 34);
static_assert(sizeof(block_mxfp4) == 17);
static_assert(sizeof(block_q4_K) == 144);
static_assert(sizeof(block_q5_K) == 176);
static_assert(sizeof(block_q6_K) == 210);
static_assert(sizeof(block_q8_K) == 292);

// E2M1 values doubled so they fit int8; the scale below is halved to match.
inline constexpr int8_t kvalues_mxfp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// 2^(e-127) / 2 (ggml's E8M0_TO_FP32_HALF); e = 0 and 1 give float subnormals.
inline float e8m0_to_fp32_half(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<uint32_t>(e - 1) << 23;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Q8_0 activations regrouped for MXFP4 dot products (fathom's own layout, not
// ggml's): the values and scales of Q8_0, placed so a SIMD dot needs no shuffles on
// the activation side. Blocks go in groups of four, the last group of a row holding
// k <= 4; a group of k blocks is 64k bytes in four parts of 16k bytes:
//   lo    element j < 16 of block b at lo[16b + j]
//   hi    element 16 + j of block b at hi[16b + j]
//   d     float, block b's scale at d[4b .. 4b+3] (once per 4-byte lane)
//   bias  int32, -kMxfp4CodeBias * (lo[4l..4l+3] + hi[4l..4l+3]) for lane l
// The kernels add kMxfp4CodeBias to the E2M1 codes to make them unsigned for u8 x s8
// dot instructions; the bias lanes take that back out, exactly.
constexpr int kMxGroupBlocks = 4;
constexpr int kMxBlockBytes = 64;
constexpr int kMxfp4CodeBias = 12;

template <class Byte>
struct MxGroupView {
  Byte* lo;
  Byte* hi;
  Byte* d;
  Byte* bias;
  int k;  // blocks in this group
};

// The group that starts at block `first` of a row of nb blocks.
template <class Byte>
inline MxGroupView<Byte> mx_group(Byte* row, int64_t nb, int64_t first) {
  const int k = static_cast<int>(nb - first < kMxGroupBlocks ? nb - first : kMxGroupBlocks);
  Byte* base = row + first * kMxBlockBytes;
  return {base, base + 16 * k, base + 32 * k, base + 48 * k, k};
}

// Sub-block j's 6-bit scale and min from the 12 packed bytes of a Q4_K/Q5_K block:
// j < 4 sit in the low 6 bits of bytes j and j+4; j >= 4 take their low 4 bits from
// byte j+4 and their top 2 bits from the spare top bits of bytes j-4 and j.
inline void get_scale_min_k4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

}  // namespace fathom::kernels
