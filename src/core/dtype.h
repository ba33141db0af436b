// Weight and activation element types with ggml's numbering and block layouts.
#pragma once
#include <cstdint>
#include <string>

namespace fathom {

// Numbering follows ggml's `enum ggml_type`, because GGUF files store these ids.
enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q8_0 = 8,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,  // activation-only type for K-quant dot products
  BF16 = 30,
  MXFP4 = 39,
};

struct TypeTraits {
  const char* name;      // ggml's name, e.g. "q4_K", "mxfp4"
  int64_t block_elems;   // elements per block (1 for plain floats)
  int64_t block_bytes;   // bytes per block
  bool supported;        // fathom has kernels for it as a weight type
};

// Traits for any ggml type id known to the GGUF format (supported or not);
// nullptr for an id no ggml version defines.
const TypeTraits* type_traits(uint32_t id);

// "q4_K" for a known id, "type#57" otherwise.
std::string type_name(uint32_t id);

// Parses a user-facing type name (case-insensitive: "q8_0", "Q4_K", "bf16").
bool parse_dtype(const std::string& name, DType* out);

// Bytes of a row of n elements; n must be a multiple of the block size.
int64_t row_bytes(DType t, int64_t n);

}  // namespace fathom
