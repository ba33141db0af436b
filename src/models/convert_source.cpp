#include "models/convert_source.h"

#include <cstring>

#include "core/error.h"
#include "core/units.h"
#include "kernels/cpu/quant.h"

namespace fathom::models {

namespace {

void check_shape(const safetensors::Tensor& t, const std::vector<int64_t>& expected, const TensorSpec& s) {
  if (t.info.shape != expected) {
    throw Error(t.file + ": tensor " + t.info.name + ": shape " + format_shape(t.info.shape) + " expected " +
                format_shape(expected) + " (for " + s.name + ")");
  }
}

DType float_type(const safetensors::Tensor& t, const TensorSpec& s) {
  if (t.info.dtype == "BF16") return DType::BF16;
  if (t.info.dtype == "F16") return DType::F16;
  if (t.info.dtype == "F32") return DType::F32;
  throw Error(t.file + ": tensor " + t.info.name + ": dtype " + t.info.dtype + " expected BF16, F16 or F32 (for " +
              s.name + ")");
}

}  // namespace

std::vector<int64_t> hf_shape(const std::vector<int64_t>& ggml_dims) { return {ggml_dims.rbegin(), ggml_dims.rend()}; }

TensorSource single_source(const safetensors::Checkpoint& ck, const std::string& hf_name, const TensorSpec& s) {
  return TensorSource{.parts = {&ck.get(hf_name)}, .expected_shapes = {hf_shape(s.dims)}};
}

DType checked_native_type(const TensorSource& src, const TensorSpec& s) {
  for (size_t i = 0; i < src.parts.size(); ++i) check_shape(*src.parts[i], src.expected_shapes[i], s);
  if (src.scales != nullptr) {
    check_shape(*src.scales, src.expected_scales_shape, s);
    for (const safetensors::Tensor* t : {src.parts[0], src.scales}) {
      if (t->info.dtype != "U8") {
        throw Error(t->file + ": tensor " + t->info.name + ": dtype " + t->info.dtype + " expected U8 (MXFP4, for " +
                    s.name + ")");
      }
    }
    return DType::MXFP4;
  }
  const DType native = float_type(*src.parts[0], s);
  for (const safetensors::Tensor* t : src.parts) {
    if (float_type(*t, s) != native) {
      throw Error(t->file + ": tensor " + t->info.name + ": dtype " + t->info.dtype + " differs from " +
                  src.parts[0]->info.dtype + " of " + src.parts[0]->info.name + " (for " + s.name + ")");
    }
  }
  return native;
}

void repack_mxfp4_row(const uint8_t* blocks, const uint8_t* scales, int64_t n_blocks, uint8_t* dst) {
  for (int64_t b = 0; b < n_blocks; ++b) {
    const uint8_t* in = blocks + 16 * b;
    uint8_t* out = dst + 17 * b;
    const auto nibble = [in](int i) { return (in[i / 2] >> (4 * (i % 2))) & 0x0F; };
    out[0] = scales[b];
    for (int j = 0; j < 16; ++j) out[1 + j] = static_cast<uint8_t>(nibble(j) | (nibble(j + 16) << 4));
  }
}

void fill_from_source(const TensorSource& src, const TensorSpec& s, DType native, DType t, uint8_t* dst,
                      ThreadPool& pool) {
  const int64_t row_len = s.dims[0];
  const int64_t src_row_len = row_len * src.elem_step;
  const bool mxfp4 = src.scales != nullptr;
  // Bytes of one source row as stored (MXFP4: its blocks; the scales sit apart).
  const int64_t src_row_bytes = mxfp4 ? src_row_len / 2 : row_bytes(native, src_row_len);
  const int64_t part_rows = src.parts[0]->n_elements() * safetensors::dtype_bytes(src.parts[0]->info.dtype) /
                            src_row_bytes / src.row_step;
  const int64_t n_rows = part_rows * static_cast<int64_t>(src.parts.size());
  const int64_t out_row_bytes = row_bytes(t, row_len);
  // Same type, every element: the bytes go over unchanged (BF16 -> BF16 is exact).
  const bool copy = native == t && src.elem_step == 1;
  pool.parallel_for(n_rows, [&](int64_t begin, int64_t end) {
    std::vector<uint8_t> repacked(mxfp4 ? static_cast<size_t>(row_bytes(DType::MXFP4, src_row_len)) : 0);
    std::vector<float> values(static_cast<size_t>(copy ? 0 : src_row_len)), picked(values.size() / src.elem_step);
    for (int64_t r = begin; r < end; ++r) {
      const safetensors::Tensor& part = *src.parts[static_cast<size_t>(r / part_rows)];
      const int64_t row = (r % part_rows) * src.row_step + src.row_offset;
      const uint8_t* in = part.data + row * src_row_bytes;
      if (mxfp4) {
        // MXFP4 sources are one fused tensor (a single part): its scales share the row index.
        repack_mxfp4_row(in, src.scales->data + row * (src_row_len / 32), src_row_len / 32, repacked.data());
        in = repacked.data();
      }
      uint8_t* out = dst + r * out_row_bytes;
      if (copy) {
        std::memcpy(out, in, static_cast<size_t>(out_row_bytes));
        continue;
      }
      kernels::dequantize_row(native, in, values.data(), src_row_len);
      for (size_t i = 0; i < picked.size(); ++i) picked[i] = values[i * src.elem_step + src.elem_offset];
      kernels::quantize_row(t, picked.data(), out, row_len);
    }
  });
}

}  // namespace fathom::models
