// File's lookups and typed getters over the metadata and tensors gguf_reader.cpp loaded.
#include "formats/gguf.h"
#include "formats/gguf_typed.h"

namespace fathom::gguf {

const Value* File::find(std::string_view key) const { return find_key(kv_, key); }

const TensorInfo* File::find_tensor(std::string_view name) const {
  for (const TensorInfo& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

uint64_t File::tensor_bytes() const {
  uint64_t sum = 0;
  for (const TensorInfo& t : tensors_) sum += t.n_bytes;
  return sum;
}

uint64_t File::get_uint(std::string_view key) const {
  return as_uint(path_, key, require_key(kv_, path_, key));
}
int64_t File::get_int(std::string_view key) const {
  return as_int(path_, key, require_key(kv_, path_, key));
}
double File::get_float(std::string_view key) const {
  return as_float(path_, key, require_key(kv_, path_, key));
}
bool File::get_bool(std::string_view key) const {
  return as_bool(path_, key, require_key(kv_, path_, key));
}
const std::string& File::get_string(std::string_view key) const {
  return as_string(path_, key, require_key(kv_, path_, key));
}
const Array& File::get_array(std::string_view key) const {
  return as_array(path_, key, require_key(kv_, path_, key));
}

uint64_t File::get_uint(std::string_view key, uint64_t def) const {
  const Value* v = find(key);
  return v ? as_uint(path_, key, *v) : def;
}
double File::get_float(std::string_view key, double def) const {
  const Value* v = find(key);
  return v ? as_float(path_, key, *v) : def;
}
bool File::get_bool(std::string_view key, bool def) const {
  const Value* v = find(key);
  return v ? as_bool(path_, key, *v) : def;
}
std::string File::get_string(std::string_view key, const std::string& def) const {
  const Value* v = find(key);
  return v ? as_string(path_, key, *v) : def;
}

}  // namespace fathom::gguf
