#include "formats/gguf_parse.h"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "formats/gguf_cursor.h"
#include "formats/gguf_layout.h"

namespace fathom::gguf {
namespace {

constexpr uint32_t kLastValueType = static_cast<uint32_t>(ValueType::F64);

// Smallest encoding of an item of each type, to bound counts before allocating.
uint64_t min_value_bytes(ValueType t) {
  switch (t) {
    case ValueType::U8:
    case ValueType::I8:
    case ValueType::BOOL: return 1;
    case ValueType::U16:
    case ValueType::I16: return 2;
    case ValueType::U32:
    case ValueType::I32:
    case ValueType::F32: return 4;
    case ValueType::U64:
    case ValueType::I64:
    case ValueType::F64:
    case ValueType::STRING: return 8;  // a string's length field
    case ValueType::ARRAY: return 12;  // element type + count
  }
  return 1;
}

ValueType read_value_type(Cursor& c, const char* what) {
  const uint32_t t = c.read<uint32_t>(what);
  if (t > kLastValueType) {
    c.fail(std::string(what) + ", expected 0.." + std::to_string(kLastValueType) + ", found " +
           std::to_string(t));
  }
  return static_cast<ValueType>(t);
}

Value read_value(Cursor& c, ValueType type, int depth) {
  Value v;
  v.type = type;
  switch (type) {
    case ValueType::U8: v.u = c.read<uint8_t>("u8 value"); break;
    case ValueType::I8: v.i = c.read<int8_t>("i8 value"); break;
    case ValueType::U16: v.u = c.read<uint16_t>("u16 value"); break;
    case ValueType::I16: v.i = c.read<int16_t>("i16 value"); break;
    case ValueType::U32: v.u = c.read<uint32_t>("u32 value"); break;
    case ValueType::I32: v.i = c.read<int32_t>("i32 value"); break;
    case ValueType::U64: v.u = c.read<uint64_t>("u64 value"); break;
    case ValueType::I64: v.i = c.read<int64_t>("i64 value"); break;
    case ValueType::F32: v.f = c.read<float>("f32 value"); break;
    case ValueType::F64: v.f = c.read<double>("f64 value"); break;
    case ValueType::BOOL:
      v.u = c.read<uint8_t>("bool value");
      if (v.u > 1) c.fail("bool value, expected 0 or 1, found " + std::to_string(v.u));
      break;
    case ValueType::STRING: v.s = std::string(c.read_string("string value")); break;
    case ValueType::ARRAY: {
      if (depth >= kMaxArrayDepth) {
        c.fail("arrays nested too deep, expected at most " + std::to_string(kMaxArrayDepth) +
               " levels");
      }
      v.arr.elem_type = read_value_type(c, "array element type");
      const uint64_t count = c.read<uint64_t>("array count");
      c.check_count(count, min_value_bytes(v.arr.elem_type), "array count");
      v.arr.items.reserve(count);
      for (uint64_t k = 0; k < count; ++k)
        v.arr.items.push_back(read_value(c, v.arr.elem_type, depth + 1));
      break;
    }
  }
  return v;
}

void read_header(Cursor& c, ParsedFile& out, uint64_t* n_tensors, uint64_t* n_kv) {
  c.set_where("header");
  const auto magic = c.read<std::array<char, 4>>("magic");
  if (std::string_view(magic.data(), 4) != "GGUF") {
    c.fail("not a GGUF file, expected magic \"GGUF\", found \"" +
           printable(std::string_view(magic.data(), 4)) + "\"");
  }
  out.version = c.read<uint32_t>("version");
  if (out.version != 2 && out.version != 3) {
    // A big-endian writer stores 3 as 0x03000000: say so rather than "version 50331648".
    const bool swapped = out.version != 0 && (out.version & 0xFFFF) == 0;
    c.fail("unsupported GGUF version, expected 2 or 3, found " + std::to_string(out.version) +
           (swapped ? " (a big-endian file? only little-endian GGUF is supported)" : ""));
  }
  *n_tensors = c.read<uint64_t>("tensor count");
  *n_kv = c.read<uint64_t>("metadata count");
  // Smallest possible entries: a key-value is key length + type + 1 byte; a tensor
  // info is name length + n_dims + one dim + type + offset.
  c.check_count(*n_kv, 8 + 4 + 1, "metadata count");
  c.check_count(*n_tensors, 8 + 4 + 8 + 4 + 8, "tensor count");
}

void read_metadata(Cursor& c, uint64_t n_kv, ParsedFile& out) {
  // Keys view the file's bytes, which outlive the parse.
  std::unordered_map<std::string_view, uint64_t> seen;
  out.kv.reserve(n_kv);
  for (uint64_t k = 0; k < n_kv; ++k) {
    c.set_where("metadata entry #" + std::to_string(k));
    const std::string_view key = c.read_string("key");
    c.set_where("key " + printable(key));
    if (auto [it, fresh] = seen.emplace(key, k); !fresh) {
      c.fail("duplicate key, also metadata entry #" + std::to_string(it->second));
    }
    const ValueType type = read_value_type(c, "value type");
    out.kv.push_back({std::string(key), read_value(c, type, 0)});
  }

  out.alignment = kDefaultAlignment;
  for (const KeyValue& e : out.kv) {
    if (e.key != "general.alignment") continue;
    c.set_where("key general.alignment");
    if (e.value.type != ValueType::U32) {
      c.fail(std::string("expected u32, found ") + value_type_name(e.value.type));
    }
    if (!valid_alignment(e.value.u)) {
      c.fail("expected a nonzero power of two, found " + std::to_string(e.value.u));
    }
    out.alignment = e.value.u;
  }
}

TensorInfo read_tensor_info(Cursor& c, uint64_t alignment) {
  TensorInfo t;
  t.name = std::string(c.read_string("tensor name"));
  c.set_where("tensor " + printable(t.name));
  const uint32_t n_dims = c.read<uint32_t>("n_dims");
  if (n_dims < 1 || n_dims > kMaxDims) {
    c.fail("n_dims, expected 1.." + std::to_string(kMaxDims) + ", found " + std::to_string(n_dims));
  }
  for (uint32_t k = 0; k < n_dims; ++k) {
    const uint64_t d = c.read<uint64_t>("dims");
    if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      c.fail("dims[" + std::to_string(k) + "], expected at most 2^63-1, found " +
             std::to_string(d));
    }
    t.dims.push_back(static_cast<int64_t>(d));
  }
  t.type = c.read<uint32_t>("type");
  t.offset = c.read<uint64_t>("offset");
  TensorSize size;
  if (std::string err = tensor_size(t.dims, t.type, &size); !err.empty()) c.fail(err);
  t.n_elements = size.n_elements;
  t.n_bytes = size.n_bytes;
  if (t.offset % alignment != 0) {
    c.fail("data offset, expected a multiple of the alignment " + std::to_string(alignment) +
           ", found " + std::to_string(t.offset));
  }
  return t;
}

std::string range_text(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// Every tensor's bytes must lie in the data section (unless only headers are
// wanted) and no two tensors may share bytes.
void check_data_ranges(Cursor& c, const ParsedFile& out, bool header_only) {
  const auto& ts = out.tensors;
  for (const TensorInfo& t : ts) {
    c.set_where("tensor " + printable(t.name));
    uint64_t begin, end;
    if (__builtin_add_overflow(out.data_offset, t.offset, &begin) ||
        __builtin_add_overflow(begin, t.n_bytes, &end)) {
      c.fail("data offset " + std::to_string(t.offset) + " + size " + std::to_string(t.n_bytes) +
             " overflows uint64");
    }
    if (!header_only && end > c.size()) {
      c.fail("data " + range_text(begin, end) + " extends past end of file (" +
             std::to_string(c.size()) + " bytes)");
    }
  }
  std::vector<size_t> order(ts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return ts[a].offset < ts[b].offset; });
  for (size_t k = 1; k < order.size(); ++k) {
    const TensorInfo& prev = ts[order[k - 1]];
    const TensorInfo& cur = ts[order[k]];
    if (prev.offset + prev.n_bytes > cur.offset) {  // no overflow: checked above
      c.set_where("tensor " + printable(cur.name));
      c.fail("data " + range_text(cur.offset, cur.offset + cur.n_bytes) + " overlaps tensor " +
             printable(prev.name) + " " + range_text(prev.offset, prev.offset + prev.n_bytes) +
             " (offsets relative to the data section)");
    }
  }
}

}  // namespace

ParsedFile parse_file(const uint8_t* data, uint64_t size, std::string_view path, bool header_only) {
  Cursor c(data, size, path);
  ParsedFile out;
  uint64_t n_tensors, n_kv;
  read_header(c, out, &n_tensors, &n_kv);
  read_metadata(c, n_kv, out);

  out.tensors.reserve(n_tensors);
  for (uint64_t k = 0; k < n_tensors; ++k) {
    c.set_where("tensor info #" + std::to_string(k));
    out.tensors.push_back(read_tensor_info(c, out.alignment));
  }

  c.set_where("tensor data");
  if (!align_up(c.pos(), out.alignment, &out.data_offset)) c.fail("data section offset overflows");
  check_data_ranges(c, out, header_only);
  if (!header_only) {
    for (TensorInfo& t : out.tensors) t.data = data + out.data_offset + t.offset;
  }
  return out;
}

}  // namespace fathom::gguf
