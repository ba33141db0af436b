#include "formats/gguf_layout.h"

#include "core/dtype.h"

namespace fathom::gguf {

std::string tensor_size(const std::vector<int64_t>& dims, uint32_t type, TensorSize* out) {
  if (dims.empty() || dims.size() > kMaxDims) {
    return "n_dims, expected 1.." + std::to_string(kMaxDims) + ", found " +
           std::to_string(dims.size());
  }
  const TypeTraits* tt = type_traits(type);
  if (!tt) return "unknown ggml type id, found " + std::to_string(type);
  int64_t n = 1;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] < 1) {
      return "dims[" + std::to_string(k) + "], expected >= 1, found " + std::to_string(dims[k]);
    }
    if (__builtin_mul_overflow(n, dims[k], &n)) return "element count overflows int64";
  }
  if (dims[0] % tt->block_elems != 0) {
    return "dims[0], expected a multiple of " + std::to_string(tt->block_elems) + " (the " +
           tt->name + " block), found " + std::to_string(dims[0]);
  }
  uint64_t bytes;
  if (__builtin_mul_overflow(static_cast<uint64_t>(n / tt->block_elems),
                             static_cast<uint64_t>(tt->block_bytes), &bytes)) {
    return "byte size overflows uint64";
  }
  out->n_elements = n;
  out->n_bytes = bytes;
  return {};
}

}  // namespace fathom::gguf
