// Error text shared by the GGUF reader, writer and getters, so every message has
// the same "<path>: <where>: <what>" shape a user can act on.
#pragma once
#include <string>
#include <string_view>

namespace fathom::gguf {

// Throws fathom::Error (BadInput) with "<path>: <where>: <what>".
[[noreturn]] void fail(std::string_view path, std::string_view where, std::string_view what);

// Text from an untrusted file made safe for a one-line message: control bytes and
// quotes escaped, cut after max_bytes on a UTF-8 character boundary.
std::string printable(std::string_view s, size_t max_bytes = 80);

}  // namespace fathom::gguf
