// GGUF v3 writing, streamed: tensors are declared up front and their bytes are
// produced one tensor at a time, so multi-GB models never sit in memory whole.
// The file appears under its final name only when complete (temp name + rename).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "formats/gguf_value.h"

namespace fathom::gguf {

class Writer {
 public:
  // Fills exactly the tensor's n_bytes bytes at dst.
  using Fill = std::function<void(uint8_t* dst, uint64_t n_bytes)>;

  void set(const std::string& key, Value v);  // replaces an existing key
  // dims in ggml order (dims[0] = row length); type is a ggml type id.
  void add_tensor(const std::string& name, std::vector<int64_t> dims, uint32_t type, Fill fill);
  void set_alignment(uint64_t a);  // default 32, also stored as general.alignment when != 32

  // Writes path (via path + ".tmp" and rename). Throws Error with context on I/O failure
  // and removes the temporary file.
  void write(const std::string& path) const;

 private:
  struct PendingTensor {
    std::string name;
    std::vector<int64_t> dims;
    uint32_t type;
    Fill fill;
  };
  std::vector<KeyValue> kv_;
  std::vector<PendingTensor> tensors_;
  uint64_t alignment_ = 32;
};

}  // namespace fathom::gguf
