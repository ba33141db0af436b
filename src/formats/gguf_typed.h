// Typed reads of metadata values with the checks and messages File's getters
// promise; shared with the split-set checks, which read keys of parts other than
// the first.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/gguf_value.h"

namespace fathom::gguf {

const Value* find_key(const std::vector<KeyValue>& kv, std::string_view key);
// Throws Error("<path>: missing key <key>") when absent.
const Value& require_key(const std::vector<KeyValue>& kv, std::string_view path,
                         std::string_view key);

// Each throws Error("<path>: key <key>: expected <what>, found <type or value>").
uint64_t as_uint(std::string_view path, std::string_view key, const Value& v);
int64_t as_int(std::string_view path, std::string_view key, const Value& v);
double as_float(std::string_view path, std::string_view key, const Value& v);
bool as_bool(std::string_view path, std::string_view key, const Value& v);
const std::string& as_string(std::string_view path, std::string_view key, const Value& v);
const Array& as_array(std::string_view path, std::string_view key, const Value& v);

}  // namespace fathom::gguf
