// UTF-8 scanning for a tokenizer that must accept any bytes: invalid input is split
// off rather than rejected, and streamed output never ends inside a character.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace fathom::tokenizer::utf8 {

// What the bytes at one position of a string hold.
struct Scan {
  enum Kind { Valid, Truncated, Invalid } kind;
  // Valid: the character's length. Truncated: bytes up to the end of the string, a
  // proper prefix of some valid character. Invalid: the maximal subpart that cannot
  // start a valid character (Unicode's U+FFFD substitution unit), at least 1.
  size_t len;
  char32_t cp;  // the code point, when Valid
};
Scan scan(std::string_view s, size_t i);

bool is_valid(std::string_view s);
void append(std::string& out, char32_t cp);

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace fathom::tokenizer::utf8
