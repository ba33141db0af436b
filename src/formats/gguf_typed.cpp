#include "formats/gguf_typed.h"

#include <limits>

#include "core/error.h"
#include "formats/gguf_error.h"

namespace fathom::gguf {
namespace {

std::string key_where(std::string_view key) { return "key " + printable(key); }

[[noreturn]] void wrong_type(std::string_view path, std::string_view key, const char* expected,
                             const Value& v) {
  fail(path, key_where(key),
       std::string("expected ") + expected + ", found " + value_type_name(v.type));
}

bool is_unsigned(ValueType t) {
  return t == ValueType::U8 || t == ValueType::U16 || t == ValueType::U32 || t == ValueType::U64;
}
bool is_signed(ValueType t) {
  return t == ValueType::I8 || t == ValueType::I16 || t == ValueType::I32 || t == ValueType::I64;
}

}  // namespace

const Value* find_key(const std::vector<KeyValue>& kv, std::string_view key) {
  for (const KeyValue& e : kv) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

const Value& require_key(const std::vector<KeyValue>& kv, std::string_view path,
                         std::string_view key) {
  const Value* v = find_key(kv, key);
  if (!v) throw Error(std::string(path) + ": missing key " + printable(key));
  return *v;
}

uint64_t as_uint(std::string_view path, std::string_view key, const Value& v) {
  if (is_unsigned(v.type)) return v.u;
  if (!is_signed(v.type)) wrong_type(path, key, "an integer", v);
  if (v.i < 0) {
    fail(path, key_where(key), "expected a non-negative integer, found " + std::to_string(v.i));
  }
  return static_cast<uint64_t>(v.i);
}

int64_t as_int(std::string_view path, std::string_view key, const Value& v) {
  if (is_signed(v.type)) return v.i;
  if (!is_unsigned(v.type)) wrong_type(path, key, "an integer", v);
  if (v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    fail(path, key_where(key), "expected an integer below 2^63, found " + std::to_string(v.u));
  }
  return static_cast<int64_t>(v.u);
}

double as_float(std::string_view path, std::string_view key, const Value& v) {
  if (v.type == ValueType::F32 || v.type == ValueType::F64) return v.f;
  if (is_unsigned(v.type)) return static_cast<double>(v.u);
  if (is_signed(v.type)) return static_cast<double>(v.i);
  wrong_type(path, key, "a number", v);
}

bool as_bool(std::string_view path, std::string_view key, const Value& v) {
  if (v.type != ValueType::BOOL) wrong_type(path, key, "bool", v);
  return v.u != 0;
}

const std::string& as_string(std::string_view path, std::string_view key, const Value& v) {
  if (v.type != ValueType::STRING) wrong_type(path, key, "string", v);
  return v.s;
}

const Array& as_array(std::string_view path, std::string_view key, const Value& v) {
  if (v.type != ValueType::ARRAY) wrong_type(path, key, "array", v);
  return v.arr;
}

}  // namespace fathom::gguf
