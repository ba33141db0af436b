// Typed access to the fields of a request body. A field of the wrong type or out of
// range is a 400 that names the field, what was expected and what was found; unknown
// fields are ignored, as OpenAI's own API and the servers users compare with do.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/conversation.h"

namespace fathom::server {

using Json = chat::Json;

// The JSON type name a client would recognise ("string", "number", "object", ...).
std::string json_type_name(const Json& v);

// Parses a request body; malformed JSON or a non-object is a 400.
Json parse_body(const std::string& body);

// Each getter returns nothing when the field is absent or null.
std::optional<bool> get_bool(const Json& obj, const char* key);
std::optional<std::string> get_string(const Json& obj, const char* key);
std::optional<double> get_number(const Json& obj, const char* key, double lo, double hi);
std::optional<int64_t> get_int(const Json& obj, const char* key, int64_t lo, int64_t hi);
// A field that must be an object (or absent).
const Json* get_object(const Json& obj, const char* key);
// "stop": a string or an array of strings.
std::vector<std::string> get_stop(const Json& obj);

}  // namespace fathom::server
