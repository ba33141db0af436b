#include "server/request_fields.h"

#include <cmath>

#include "server/api_error.h"

namespace fathom::server {

namespace {

const Json* find(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

ApiError wrong_type(const char* key, const char* expected, const Json& found) {
  return bad_request("'" + std::string(key) + "' must be " + expected + ", found " + json_type_name(found), key);
}

std::string number_text(double x) {
  std::string s = std::to_string(x);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string json_type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    case Json::value_t::binary: return "binary";
    case Json::value_t::discarded: return "invalid JSON";
    default: return "number";
  }
}

Json parse_body(const std::string& body) {
  // The parser recurses per nesting level: a body of a million '[' must not reach it.
  constexpr int kMaxDepth = 64;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) throw bad_request("the request body nests deeper than " + std::to_string(kMaxDepth) + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  Json j;
  try {
    j = Json::parse(body);
  } catch (const Json::exception& e) {
    // A syntax error, or a number too large for any type (out_of_range 406). nlohmann's
    // message names the byte and what it expected there.
    std::string what = e.what();
    const auto tag = what.find("] ");
    throw bad_request("the request body is not valid JSON: " + (tag == std::string::npos ? what : what.substr(tag + 2)));
  }
  if (!j.is_object()) throw bad_request("the request body must be a JSON object, found " + json_type_name(j));
  return j;
}

std::optional<bool> get_bool(const Json& obj, const char* key) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw wrong_type(key, "a boolean", *v);
  return v->get<bool>();
}

std::optional<std::string> get_string(const Json& obj, const char* key) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw wrong_type(key, "a string", *v);
  return v->get<std::string>();
}

std::optional<double> get_number(const Json& obj, const char* key, double lo, double hi) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) throw wrong_type(key, "a number", *v);
  const double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) {
    throw bad_request("'" + std::string(key) + "' must be between " + number_text(lo) + " and " + number_text(hi) +
                          ", found " + v->dump(),
                      key);
  }
  return x;
}

std::optional<int64_t> get_int(const Json& obj, const char* key, int64_t lo, int64_t hi) {
  const Json* v = find(obj, key);
  if (!v) return std::nullopt;
  // 3.0 is accepted as 3, as Python clients sometimes send it; 3.5 is not.
  const bool integral = v->is_number_integer() ||
                        (v->is_number_float() && std::isfinite(v->get<double>()) &&
                         v->get<double>() == std::floor(v->get<double>()));
  if (!integral) throw wrong_type(key, "an integer", *v);
  const double x = v->get<double>();
  if (x < static_cast<double>(lo) || x > static_cast<double>(hi)) {
    throw bad_request("'" + std::string(key) + "' must be between " + std::to_string(lo) + " and " +
                          std::to_string(hi) + ", found " + v->dump(),
                      key);
  }
  return v->is_number_unsigned() ? static_cast<int64_t>(v->get<uint64_t>()) : static_cast<int64_t>(x);
}

const Json* get_object(const Json& obj, const char* key) {
  const Json* v = find(obj, key);
  if (v && !v->is_object()) throw wrong_type(key, "an object", *v);
  return v;
}

std::vector<std::string> get_stop(const Json& obj) {
  const Json* v = find(obj, "stop");
  if (!v) return {};
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array()) throw wrong_type("stop", "a string or an array of strings", *v);
  std::vector<std::string> out;
  for (const Json& s : *v) {
    if (!s.is_string()) throw wrong_type("stop", "a string or an array of strings", s);
    out.push_back(s.get<std::string>());
  }
  if (out.size() > 16) throw bad_request("'stop' takes at most 16 strings, found " + std::to_string(out.size()), "stop");
  return out;
}

}  // namespace fathom::server
