// Internal: the per-level kernel tables behind quant.h's dispatching functions.
#pragma once
#include <cstdint>

#include "core/dtype.h"

// Fully unrolls a short loop over tokens or sub-blocks in a SIMD kernel so its
// register arrays stay in registers; GCC's -O2 leaves such loops rolled.
#define FATHOM_UNROLL _Pragma("GCC unroll 8")

namespace fathom::kernels::detail {

// n elements; w and act in the layouts of quant.h.
using VecDotFn = float (*)(int64_t n, const void* w, const void* act);
using QuantizeFn = void (*)(const float* x, void* dst, int64_t n);
using ConvertF16Fn = void (*)(const uint16_t* src, float* dst, int64_t n);

// One weight row against n_act (1..kMaxActs) activation rows at act + k*act_stride
// bytes, storing dot k in out[k*out_stride]. Each weight block is decoded once for
// all of them, which is what makes prompt processing cheaper than n_act vec_dots.
using VecDotMultiFn = void (*)(int64_t n, const void* w, const void* act, int64_t act_stride, int n_act,
                               float* out, int64_t out_stride);
constexpr int kMaxActs = 4;

constexpr int kTypeSlots = 40;

// Weights stream from DRAM once per token, and the hardware prefetcher alone left the
// dot kernels waiting on memory (gpt-oss-20b decode went from 4.3 to 6.8 tok/s with
// this). The SIMD kernels ask for the lines this far ahead of the bytes they compute
// on; 8 KiB measured best of 0.5-8 KiB on a 2-core AVX-512 machine.
constexpr int kPrefetchBytes = 8192;
inline void prefetch_ahead(const void* p, int bytes) {
  for (int o = 0; o < bytes; o += 64) __builtin_prefetch(static_cast<const char*>(p) + kPrefetchBytes + o, 0, 3);
}

// Attention over float rows of d: s[j] = dot(q, rows[j]) for j < n, and
// out[i] += sum_j p[j] * rows[j][i].
using DotRowsFn = void (*)(const float* q, const float* rows, int64_t n, int64_t d, float* s);
using AxpyRowsFn = void (*)(const float* p, const float* rows, int64_t n, int64_t d, float* out);

struct KernelTable {
  VecDotFn vec_dot[kTypeSlots] = {};             // by weight type id; null where unsupported
  VecDotMultiFn vec_dot_multi[kTypeSlots] = {};  // null: loop over vec_dot instead
  QuantizeFn quantize_q8_0 = nullptr;            // activations for Q4_0 / Q8_0 / MXFP4 weights
  QuantizeFn quantize_q8_K = nullptr;            // activations for K-quant weights
  ConvertF16Fn f16_to_f32 = nullptr;             // F16 rows: weights, and the KV cache in attention
  DotRowsFn dot_rows = nullptr;                  // attention scores
  AxpyRowsFn axpy_rows = nullptr;                // attention's weighted sum of values
};

inline int slot(DType t) { return static_cast<int>(t); }

// Scalar reference (quant_scalar.cpp). Row helpers take n as a multiple of the block.
const KernelTable& scalar_kernels();
void dequantize_row_scalar(DType t, const void* src, float* dst, int64_t n);
void quantize_row_scalar(DType t, const float* src, void* dst, int64_t n);

// MXFP4's activation layout (quant_blocks.h) from a row of Q8_0 blocks, and back to
// floats; shared by every level, so the layout is bit-identical across them.
void regroup_q8_0_for_mxfp4(const void* q8_0, void* dst, int64_t n);
void dequantize_mxfp4_activation(const void* act, float* dst, int64_t n);

// SIMD levels overwrite the entries they accelerate; the rest keep the lower level's.
void install_avx2(KernelTable& t);
void install_avx512(KernelTable& t, bool vnni);
void install_avx512_bf16(KernelTable& t);  // on top of the VNNI level's table

// The table of the active dispatch level (dispatch.cpp).
const KernelTable& active_kernels();

}  // namespace fathom::kernels::detail
