#include "formats/gguf_value.h"

#include <charconv>

#include "formats/gguf_error.h"

namespace fathom::gguf {

const char* value_type_name(ValueType t) {
  switch (t) {
    case ValueType::U8: return "u8";
    case ValueType::I8: return "i8";
    case ValueType::U16: return "u16";
    case ValueType::I16: return "i16";
    case ValueType::U32: return "u32";
    case ValueType::I32: return "i32";
    case ValueType::F32: return "f32";
    case ValueType::BOOL: return "bool";
    case ValueType::STRING: return "string";
    case ValueType::ARRAY: return "array";
    case ValueType::U64: return "u64";
    case ValueType::I64: return "i64";
    case ValueType::F64: return "f64";
  }
  return "invalid";
}

Value Value::u32(uint32_t v) {
  Value x;
  x.type = ValueType::U32;
  x.u = v;
  return x;
}

Value Value::i32(int32_t v) {
  Value x;
  x.type = ValueType::I32;
  x.i = v;
  return x;
}

Value Value::u64(uint64_t v) {
  Value x;
  x.type = ValueType::U64;
  x.u = v;
  return x;
}

Value Value::f32(float v) {
  Value x;
  x.type = ValueType::F32;
  x.f = v;
  return x;
}

Value Value::boolean(bool v) {
  Value x;
  x.type = ValueType::BOOL;
  x.u = v ? 1 : 0;
  return x;
}

Value Value::str(std::string v) {
  Value x;
  x.type = ValueType::STRING;
  x.s = std::move(v);
  return x;
}

namespace {

template <class T, class Make>
Value make_array(ValueType elem, const std::vector<T>& v, Make make) {
  Value x;
  x.type = ValueType::ARRAY;
  x.arr.elem_type = elem;
  x.arr.items.reserve(v.size());
  for (const T& e : v) x.arr.items.push_back(make(e));
  return x;
}

// Shortest text that reads back to the same number, at the stored precision.
template <class F>
std::string shortest(F v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

Value Value::str_array(const std::vector<std::string>& v) {
  return make_array(ValueType::STRING, v, [](const std::string& s) { return str(s); });
}

Value Value::i32_array(const std::vector<int32_t>& v) {
  return make_array(ValueType::I32, v, [](int32_t e) { return i32(e); });
}

Value Value::f32_array(const std::vector<float>& v) {
  return make_array(ValueType::F32, v, [](float e) { return f32(e); });
}

std::string Value::to_string(size_t max_items) const {
  switch (type) {
    case ValueType::U8:
    case ValueType::U16:
    case ValueType::U32:
    case ValueType::U64: return std::to_string(u);
    case ValueType::I8:
    case ValueType::I16:
    case ValueType::I32:
    case ValueType::I64: return std::to_string(i);
    case ValueType::F32: return shortest(static_cast<float>(f));
    case ValueType::F64: return shortest(f);
    case ValueType::BOOL: return u ? "true" : "false";
    case ValueType::STRING: return "\"" + printable(s) + "\"";
    case ValueType::ARRAY: break;
  }
  const size_t n = arr.items.size();
  if (n > max_items) {
    const ValueType t = arr.elem_type;
    const bool noun = t == ValueType::STRING || t == ValueType::ARRAY || t == ValueType::BOOL;
    return "[" + std::to_string(n) + " " + value_type_name(t) + (noun ? "s]" : " values]");
  }
  std::string out = "[";
  for (size_t k = 0; k < n; ++k) {
    if (k) out += ", ";
    out += arr.items[k].to_string(max_items);
  }
  return out + "]";
}

}  // namespace fathom::gguf
