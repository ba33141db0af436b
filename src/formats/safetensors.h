// Hugging Face safetensors headers (an 8-byte little-endian length, then a JSON object
// naming each tensor's dtype, shape and byte range): a planner learns a checkpoint's
// precision from them without touching its weights. safetensors_checkpoint.h maps the data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::safetensors {

struct TensorInfo {
  std::string name;
  std::string dtype;           // as written: "BF16", "F32", "U8", "F8_E4M3", ...
  std::vector<int64_t> shape;  // row-major, outermost first
  uint64_t begin = 0, end = 0; // byte range within the data section
};

struct Header {
  std::string path;
  uint64_t data_offset = 0;  // where the data section starts in the file (8 + header length)
  std::vector<TensorInfo> tensors;  // sorted by name; "__metadata__" left out
};

// Reads and validates the header; throws fathom::Error naming the file (and tensor)
// on anything malformed. The data section need not be present (partial downloads).
Header read_header(const std::string& path);

// Bytes per element of a safetensors dtype; 0 for a name it does not know.
int64_t dtype_bytes(const std::string& dtype);

}  // namespace fathom::safetensors
