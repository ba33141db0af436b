#include "formats/gguf_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_set>

#include "formats/gguf_error.h"
#include "formats/gguf_layout.h"
#include "formats/output_file.h"

namespace fathom::gguf {
namespace {

static_assert(std::endian::native == std::endian::little,
              "GGUF is little-endian; values below are written as they lie in memory");

constexpr uint32_t kVersion = 3;
// GGML_MAX_NAME including the terminator: llama.cpp rejects longer tensor names.
constexpr size_t kMaxGgmlName = 64;
constexpr std::string_view kAlignmentKey = "general.alignment";
// Messages about calls made before there is a path to name.
constexpr std::string_view kNoPath = "gguf writer";

// The header (metadata and tensor infos) is built in memory; it is small next to the data.
struct Sink {
  std::vector<uint8_t> bytes;

  template <class T>
  void put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof v);
  }
  void put_string(std::string_view s) {
    put<uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
};

class ValueWriter {
 public:
  ValueWriter(Sink& sink, std::string_view path, std::string_view key)
      : sink_(sink), path_(path), where_("key " + printable(key)) {}

  void put(const Value& v, int depth) {
    switch (v.type) {
      case ValueType::U8: sink_.put<uint8_t>(fit_unsigned<uint8_t>(v)); return;
      case ValueType::U16: sink_.put<uint16_t>(fit_unsigned<uint16_t>(v)); return;
      case ValueType::U32: sink_.put<uint32_t>(fit_unsigned<uint32_t>(v)); return;
      case ValueType::U64: sink_.put<uint64_t>(v.u); return;
      case ValueType::I8: sink_.put<int8_t>(fit_signed<int8_t>(v)); return;
      case ValueType::I16: sink_.put<int16_t>(fit_signed<int16_t>(v)); return;
      case ValueType::I32: sink_.put<int32_t>(fit_signed<int32_t>(v)); return;
      case ValueType::I64: sink_.put<int64_t>(v.i); return;
      case ValueType::F32: sink_.put<float>(static_cast<float>(v.f)); return;
      case ValueType::F64: sink_.put<double>(v.f); return;
      case ValueType::BOOL:
        if (v.u > 1) fail(path_, where_, "bool, expected 0 or 1, found " + std::to_string(v.u));
        sink_.put<uint8_t>(static_cast<uint8_t>(v.u));
        return;
      case ValueType::STRING: sink_.put_string(v.s); return;
      case ValueType::ARRAY: put_array(v.arr, depth); return;
    }
    fail(path_, where_, "invalid value type " + std::to_string(static_cast<uint32_t>(v.type)));
  }

 private:
  // A file fathom writes must be one fathom can read back. (ggml itself reads no
  // nested arrays at all; writing them is the caller's choice.)
  void put_array(const Array& a, int depth) {
    if (depth >= kMaxArrayDepth) {
      fail(
          path_, where_,
          "arrays nested too deep, expected at most " + std::to_string(kMaxArrayDepth) + " levels");
    }
    sink_.put<uint32_t>(static_cast<uint32_t>(a.elem_type));
    sink_.put<uint64_t>(a.items.size());
    for (size_t k = 0; k < a.items.size(); ++k) {
      if (a.items[k].type != a.elem_type) {
        fail(path_, where_,
             "array item #" + std::to_string(k) + " type, expected " +
                 value_type_name(a.elem_type) + ", found " + value_type_name(a.items[k].type));
      }
      put(a.items[k], depth + 1);
    }
  }

  template <class T>
  T fit_unsigned(const Value& v) const {
    if (v.u > std::numeric_limits<T>::max()) out_of_range(v, std::to_string(v.u));
    return static_cast<T>(v.u);
  }
  template <class T>
  T fit_signed(const Value& v) const {
    if (v.i < std::numeric_limits<T>::min() || v.i > std::numeric_limits<T>::max()) {
      out_of_range(v, std::to_string(v.i));
    }
    return static_cast<T>(v.i);
  }
  [[noreturn]] void out_of_range(const Value& v, const std::string& found) const {
    fail(path_, where_,
         std::string("value out of range, expected a ") + value_type_name(v.type) + ", found " +
             found);
  }

  Sink& sink_;
  std::string_view path_;
  std::string where_;
};

struct Placement {
  uint64_t offset = 0;  // relative to the data section
  uint64_t n_bytes = 0;
};

}  // namespace

void Writer::set(const std::string& key, Value v) {
  // Routed through set_alignment so the stored key and the layout never disagree
  // (metadata copied from another file carries its alignment).
  if (key == kAlignmentKey) {
    if (v.type != ValueType::U32) {
      fail(kNoPath, "key general.alignment",
           std::string("expected u32, found ") + value_type_name(v.type));
    }
    set_alignment(v.u);
    return;
  }
  for (KeyValue& e : kv_) {
    if (e.key == key) {
      e.value = std::move(v);
      return;
    }
  }
  kv_.push_back({key, std::move(v)});
}

void Writer::add_tensor(const std::string& name, std::vector<int64_t> dims, uint32_t type,
                        Fill fill) {
  tensors_.push_back({name, std::move(dims), type, std::move(fill)});
}

void Writer::set_alignment(uint64_t a) {
  if (!valid_alignment(a) || a > std::numeric_limits<uint32_t>::max()) {
    fail(kNoPath, "alignment", "expected a power of two below 2^32, found " + std::to_string(a));
  }
  alignment_ = a;
  auto it = std::find_if(kv_.begin(), kv_.end(),
                         [](const KeyValue& e) { return e.key == kAlignmentKey; });
  if (a == kDefaultAlignment) {
    if (it != kv_.end()) kv_.erase(it);
  } else if (it != kv_.end()) {
    it->value = Value::u32(static_cast<uint32_t>(a));
  } else {
    kv_.push_back({std::string(kAlignmentKey), Value::u32(static_cast<uint32_t>(a))});
  }
}

void Writer::write(const std::string& path) const {
  // Everything is validated and laid out before anything is created on disk.
  std::vector<Placement> placed;
  std::unordered_set<std::string_view> names;
  uint64_t end = 0, largest = 0;
  for (const PendingTensor& t : tensors_) {
    const std::string where = "tensor " + printable(t.name);
    if (!names.insert(t.name).second) fail(path, where, "duplicate tensor name");
    if (t.name.size() >= kMaxGgmlName) {
      fail(path, where,
           "name length, expected below " + std::to_string(kMaxGgmlName) +
               " bytes (ggml's limit), found " + std::to_string(t.name.size()));
    }
    TensorSize size;
    if (std::string err = tensor_size(t.dims, t.type, &size); !err.empty()) fail(path, where, err);
    Placement p;
    p.n_bytes = size.n_bytes;
    if (!align_up(end, alignment_, &p.offset) ||
        __builtin_add_overflow(p.offset, p.n_bytes, &end)) {
      fail(path, where, "data section size overflows uint64");
    }
    largest = std::max(largest, p.n_bytes);
    placed.push_back(p);
  }
  // ggml pads after the last tensor too: the data section ends on an alignment boundary.
  uint64_t data_end;
  if (!align_up(end, alignment_, &data_end)) fail(path, "tensor data", "size overflows uint64");

  Sink h;
  h.bytes.insert(h.bytes.end(), {'G', 'G', 'U', 'F'});
  h.put<uint32_t>(kVersion);
  h.put<uint64_t>(tensors_.size());
  h.put<uint64_t>(kv_.size());
  for (const KeyValue& e : kv_) {
    h.put_string(e.key);
    h.put<uint32_t>(static_cast<uint32_t>(e.value.type));
    ValueWriter(h, path, e.key).put(e.value, 0);
  }
  for (size_t k = 0; k < tensors_.size(); ++k) {
    const PendingTensor& t = tensors_[k];
    h.put_string(t.name);
    h.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (int64_t d : t.dims) h.put<uint64_t>(static_cast<uint64_t>(d));
    h.put<uint32_t>(t.type);
    h.put<uint64_t>(placed[k].offset);
  }
  uint64_t data_start = 0;
  if (!align_up(h.bytes.size(), alignment_, &data_start)) fail(path, "header", "size overflows");
  h.bytes.resize(data_start, 0);

  formats::OutputFile out(path);
  out.write(h.bytes.data(), h.bytes.size());
  std::vector<uint8_t> buf(largest);
  uint64_t pos = 0;
  for (size_t k = 0; k < tensors_.size(); ++k) {
    const Placement& p = placed[k];
    out.write_zeros(p.offset - pos);
    tensors_[k].fill(buf.data(), p.n_bytes);
    out.write(buf.data(), p.n_bytes);
    pos = p.offset + p.n_bytes;
  }
  out.write_zeros(data_end - pos);
  out.commit();
}

}  // namespace fathom::gguf
