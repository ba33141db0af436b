#include "chat/json_text.h"

#include <cstdio>

namespace fathom::chat {

namespace {

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append(std::string& out, const Json& v) {
  if (v.is_string()) {
    append_string(out, v.get_ref<const std::string&>());
  } else if (v.is_array()) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      append(out, v[i]);
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      if (!first) out += ", ";
      first = false;
      append_string(out, key);
      out += ": ";
      append(out, value);
    }
    out += '}';
  } else {
    // null, booleans and numbers print alike in Python and nlohmann (1.0 stays "1.0").
    out += v.dump();
  }
}

}  // namespace

std::string to_json_text(const Json& v) {
  std::string out;
  append(out, v);
  return out;
}

}  // namespace fathom::chat
