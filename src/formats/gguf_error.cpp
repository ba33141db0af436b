#include "formats/gguf_error.h"

#include <cstdio>

#include "core/error.h"

namespace fathom::gguf {

void fail(std::string_view path, std::string_view where, std::string_view what) {
  std::string msg(path);
  msg += ": ";
  msg += where;
  msg += ": ";
  msg += what;
  throw Error(msg, ExitCode::BadInput);
}

std::string printable(std::string_view s, size_t max_bytes) {
  size_t n = s.size();
  if (n > max_bytes) {
    n = max_bytes;
    // Back off continuation bytes so a multi-byte character is never split.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  }
  std::string out;
  out.reserve(n + 8);
  for (size_t k = 0; k < n; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[k]);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (n < s.size()) out += "...";
  return out;
}

}  // namespace fathom::gguf
