// GGUF metadata values: every type of the format, arrays nested to any depth.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::gguf {

enum class ValueType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
};
const char* value_type_name(ValueType t);

struct Value;
struct Array {
  ValueType elem_type = ValueType::U8;
  std::vector<Value> items;
};

// A tagged value; the integer kinds keep their exact stored type so a file
// re-written by fathom keeps the types another reader expects.
struct Value {
  ValueType type = ValueType::U8;
  uint64_t u = 0;      // U8/U16/U32/U64/BOOL
  int64_t i = 0;       // I8/I16/I32/I64
  double f = 0;        // F32/F64
  std::string s;       // STRING
  Array arr;           // ARRAY

  static Value u32(uint32_t v);
  static Value i32(int32_t v);
  static Value u64(uint64_t v);
  static Value f32(float v);
  static Value boolean(bool v);
  static Value str(std::string v);
  static Value str_array(const std::vector<std::string>& v);
  static Value i32_array(const std::vector<int32_t>& v);
  static Value f32_array(const std::vector<float>& v);

  // A short human rendering ("[201088 strings]" for big arrays), for inspect.
  std::string to_string(size_t max_items = 8) const;
};

struct KeyValue {
  std::string key;
  Value value;
};

}  // namespace fathom::gguf
