// Parsing and validation of one GGUF file held in memory (the reader maps it;
// a fuzzer can hand bytes directly). Split sets are assembled by gguf_reader.cpp.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "formats/gguf.h"

namespace fathom::gguf {

struct ParsedFile {
  uint32_t version = 0;
  uint64_t alignment = 0;
  uint64_t data_offset = 0;  // start of the data section, from the start of the file
  std::vector<KeyValue> kv;
  std::vector<TensorInfo> tensors;  // file_index 0; data set unless header_only
};

// Throws fathom::Error "<path>: <where>: <what>" on anything invalid. With
// header_only, tensor data may lie past the end of `size` (a partial download).
ParsedFile parse_file(const uint8_t* data, uint64_t size, std::string_view path, bool header_only);

}  // namespace fathom::gguf
