// GGUF v2/v3 reading: the file is mmap'd and tensors are views into it.
// Every count, length and offset is validated with overflow-safe arithmetic;
// any violation throws fathom::Error naming the file, key/tensor, expected vs found.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/gguf_value.h"

namespace fathom::gguf {

struct TensorInfo {
  std::string name;
  std::vector<int64_t> dims;  // ggml order: dims[0] is the contiguous (row) dimension
  uint32_t type = 0;          // ggml type id (may be one fathom has no kernels for)
  uint64_t offset = 0;        // relative to the data section of its file
  uint64_t n_bytes = 0;       // validated size of the tensor's data
  int64_t n_elements = 0;
  int file_index = 0;         // which split file holds it
  const uint8_t* data = nullptr;  // view into the mapping; nullptr when opened header-only
};

struct OpenOptions {
  // Read only headers (metadata + tensor infos); tensor byte ranges are not required
  // to lie inside the file, so a partially downloaded file can be planned from.
  bool header_only = false;
};

class File {
 public:
  // Opens a GGUF file. A name like "x-00001-of-00003.gguf" opens all splits as one
  // model: metadata from the first, tensors from all (split.* keys are checked).
  static std::unique_ptr<File> open(const std::string& path, OpenOptions opts = {});
  ~File();

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }

  const std::vector<KeyValue>& metadata() const { return kv_; }
  const Value* find(std::string_view key) const;  // nullptr when absent

  // Typed access; throw Error("<file>: key <k>: expected <type>, found <type>") on a
  // wrong type, and Error("<file>: missing key <k>") when absent.
  uint64_t get_uint(std::string_view key) const;     // any unsigned/signed int type >= 0
  int64_t get_int(std::string_view key) const;       // any integer type
  double get_float(std::string_view key) const;      // f32/f64 (ints accepted too)
  bool get_bool(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;
  const Array& get_array(std::string_view key) const;
  // Defaults when absent (still throws on a wrong type).
  uint64_t get_uint(std::string_view key, uint64_t def) const;
  double get_float(std::string_view key, double def) const;
  bool get_bool(std::string_view key, bool def) const;
  std::string get_string(std::string_view key, const std::string& def) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* find_tensor(std::string_view name) const;  // nullptr when absent

  // Total bytes of all tensor data and the sum of file sizes.
  uint64_t tensor_bytes() const;
  uint64_t file_bytes() const { return file_bytes_; }

 private:
  File() = default;
  struct Mapping;
  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t file_bytes_ = 0;
  std::vector<KeyValue> kv_;
  std::vector<TensorInfo> tensors_;
  std::vector<std::unique_ptr<Mapping>> maps_;
};

}  // namespace fathom::gguf
