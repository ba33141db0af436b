#include "formats/safetensors.h"

#include <fstream>

#include "core/error.h"
#include "formats/gguf_error.h"
#include "nlohmann/json.hpp"

namespace fathom::safetensors {

namespace {

// A real header is a few MB at most (one line per tensor); anything near this
// limit is a corrupt length, refused before allocating it.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(path + ": " + what);
}

std::vector<int64_t> read_shape(const std::string& path, const std::string& name, const nlohmann::json& j) {
  if (!j.is_array()) fail(path, "tensor " + gguf::printable(name) + ": shape is not an array");
  std::vector<int64_t> shape;
  for (const nlohmann::json& d : j) {
    if (!d.is_number_unsigned()) fail(path, "tensor " + gguf::printable(name) + ": shape holds a non-integer");
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

}  // namespace

int64_t dtype_bytes(const std::string& dtype) {
  static const std::pair<const char*, int64_t> kSizes[] = {
      {"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2}, {"BF16", 2},
      {"I16", 2}, {"U16", 2}, {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"F8_E8M0", 1}};
  for (const auto& [name, bytes] : kSizes) {
    if (dtype == name) return bytes;
  }
  return 0;
}

Header read_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  in.seekg(0, std::ios::end);
  const uint64_t file_bytes = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char len_bytes[8];
  if (!in.read(reinterpret_cast<char*>(len_bytes), 8)) fail(path, "not a safetensors file (shorter than 8 bytes)");
  uint64_t len = 0;
  for (int i = 7; i >= 0; --i) len = (len << 8) | len_bytes[i];
  if (len == 0 || len > kMaxHeaderBytes || len > file_bytes - 8) {
    fail(path, "not a safetensors file (header length " + std::to_string(len) + " for a file of " +
                   std::to_string(file_bytes) + " bytes)");
  }
  std::string text(len, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(len))) fail(path, "header truncated");
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) fail(path, "not a safetensors file (header is not a JSON object)");

  Header h;
  h.path = path;
  h.data_offset = 8 + len;
  for (const auto& [name, t] : j.items()) {
    if (name == "__metadata__") continue;
    const std::string where = "tensor " + gguf::printable(name);
    if (!t.is_object() || !t.contains("dtype") || !t["dtype"].is_string()) fail(path, where + ": no dtype");
    TensorInfo info;
    info.name = name;
    info.dtype = t["dtype"].get<std::string>();
    if (!t.contains("shape")) fail(path, where + ": no shape");
    info.shape = read_shape(path, name, t["shape"]);
    const nlohmann::json& off = t.contains("data_offsets") ? t["data_offsets"] : nlohmann::json();
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned() ||
        off[0].get<uint64_t>() > off[1].get<uint64_t>()) {
      fail(path, where + ": data_offsets must be [begin, end] with begin <= end");
    }
    info.begin = off[0].get<uint64_t>();
    info.end = off[1].get<uint64_t>();
    h.tensors.push_back(std::move(info));
  }
  return h;
}

}  // namespace fathom::safetensors
