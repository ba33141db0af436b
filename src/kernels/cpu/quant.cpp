// Public row kernels: argument checks, then the scalar or dispatched implementation.
#include "kernels/cpu/quant.h"

#include <string>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/quant_blocks.h"
#include "kernels/cpu/quant_kernels.h"

namespace fathom::kernels {
namespace {

// Weight types with kernels, plus Q8_K which (de)quantizes for tests and tools.
const TypeTraits& checked_traits(const char* what, DType t, int64_t n, bool allow_q8_K) {
  const TypeTraits* tr = type_traits(static_cast<uint32_t>(t));
  if (!tr || !(tr->supported || (allow_q8_K && t == DType::Q8_K))) {
    throw Error(std::string(what) + ": unsupported type " + type_name(static_cast<uint32_t>(t)));
  }
  if (n < 0 || n % tr->block_elems != 0) {
    throw Error(std::string(what) + ": " + tr->name + " row of " + std::to_string(n) +
                " elements is not a multiple of its block size " + std::to_string(tr->block_elems));
  }
  return *tr;
}

detail::VecDotFn checked_dot(const detail::KernelTable& table, DType w, int64_t n) {
  checked_traits("vec_dot", w, n, false);
  const int64_t act_block = type_traits(static_cast<uint32_t>(activation_type(w)))->block_elems;
  if (n % act_block != 0) {
    throw Error("vec_dot: " + type_name(static_cast<uint32_t>(w)) + " row of " + std::to_string(n) +
                " elements is not a multiple of the activation block " + std::to_string(act_block));
  }
  return table.vec_dot[detail::slot(w)];
}

}  // namespace

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
  checked_traits("dequantize_row", t, n, true);
  if (t == DType::F16) {
    detail::active_kernels().f16_to_f32(static_cast<const uint16_t*>(src), dst, n);
    return;
  }
  detail::dequantize_row_scalar(t, src, dst, n);
}

void quantize_row(DType t, const float* src, void* dst, int64_t n) {
  checked_traits("quantize_row", t, n, true);
  detail::quantize_row_scalar(t, src, dst, n);
}

DType activation_type(DType w) {
  switch (w) {
    case DType::F32:
    case DType::F16: return DType::F32;
    case DType::BF16: return DType::BF16;
    case DType::Q4_0:
    case DType::Q8_0:
    case DType::MXFP4: return DType::Q8_0;
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K: return DType::Q8_K;
    case DType::Q8_K: break;
  }
  throw Error("activation_type: no dot product kernel for weight type " +
              type_name(static_cast<uint32_t>(w)));
}

int64_t activation_row_bytes(DType w, int64_t n) {
  if (w == DType::MXFP4) {
    checked_traits("activation_row_bytes", DType::Q8_0, n, false);
    return n / QK8_0 * kMxBlockBytes;
  }
  return row_bytes(activation_type(w), n);
}

void quantize_activation(DType w, const float* x, void* dst, int64_t n) {
  const DType a = activation_type(w);
  checked_traits("quantize_activation", a, n, true);
  const detail::KernelTable& table = detail::active_kernels();
  if (w == DType::MXFP4) {
    // Quantized as Q8_0 first, so the values are exactly Q8_0's at every level.
    thread_local std::vector<uint8_t> q8;
    q8.resize(static_cast<size_t>(row_bytes(DType::Q8_0, n)));
    table.quantize_q8_0(x, q8.data(), n);
    detail::regroup_q8_0_for_mxfp4(q8.data(), dst, n);
    return;
  }
  switch (a) {
    case DType::Q8_0: table.quantize_q8_0(x, dst, n); return;
    case DType::Q8_K: table.quantize_q8_K(x, dst, n); return;
    default: detail::quantize_row_scalar(a, x, dst, n); return;
  }
}

void dequantize_activation(DType w, const void* act, float* dst, int64_t n) {
  const DType a = activation_type(w);
  checked_traits("dequantize_activation", a, n, true);
  if (w == DType::MXFP4) {
    detail::dequantize_mxfp4_activation(act, dst, n);
  } else {
    detail::dequantize_row_scalar(a, act, dst, n);
  }
}

float vec_dot(DType w, int64_t n, const void* w_row, const void* act) {
  return checked_dot(detail::active_kernels(), w, n)(n, w_row, act);
}

float vec_dot_scalar(DType w, int64_t n, const void* w_row, const void* act) {
  return checked_dot(detail::scalar_kernels(), w, n)(n, w_row, act);
}

}  // namespace fathom::kernels
