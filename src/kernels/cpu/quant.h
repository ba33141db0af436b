// Per-type row kernels: dequantize, reference quantize, activation quantize and dot.
// Block layouts are exactly ggml's (see core/dtype.h for the ids).
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace fathom::kernels {

// Decodes n elements (a multiple of the block size) of type t into floats.
void dequantize_row(DType t, const void* src, float* dst, int64_t n);

// Encodes n floats into type t with ggml's reference rounding.
void quantize_row(DType t, const float* src, void* dst, int64_t n);

// The type activations are converted to before a dot product with weights of
// type w, as ggml does: F32 for F32/F16 weights, BF16 for BF16, Q8_0 for
// Q8_0/Q4_0/MXFP4, Q8_K for the K-quants. For MXFP4 the Q8_0 values are stored in fathom's own
// layout (quant_blocks.h, regrouped for shuffle-free SIMD), so a row's size and
// its decoding go through the functions below rather than the type's.
DType activation_type(DType w);
int64_t activation_row_bytes(DType w, int64_t n);
void quantize_activation(DType w, const float* x, void* dst, int64_t n);
void dequantize_activation(DType w, const void* act, float* dst, int64_t n);

// dot(weight row of type w, activation row in activation_type(w) layout), n elements.
// vec_dot picks the best SIMD path for this CPU; vec_dot_scalar is its plain twin.
float vec_dot(DType w, int64_t n, const void* w_row, const void* act);
float vec_dot_scalar(DType w, int64_t n, const void* w_row, const void* act);

}  // namespace fathom::kernels
