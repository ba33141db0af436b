#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace fathom::tokenizer {

namespace {

// Printable Latin-1 bytes stand for themselves; the other 68 bytes (controls, space,
// DEL, NBSP, soft hyphen) are moved to U+0100 and up, in byte order.
struct Tables {
  std::array<char32_t, 256> to_cp{};
  std::array<int, 0x144> from_cp{};  // -1 where no byte maps there
  Tables() {
    from_cp.fill(-1);
    int shifted = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      to_cp[b] = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(0x100 + shifted++);
      from_cp[to_cp[b]] = b;
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

std::string byte_to_unicode(unsigned char b) {
  std::string s;
  utf8::append(s, tables().to_cp[b]);
  return s;
}

std::optional<std::string> unicode_to_bytes(std::string_view spelled) {
  const Tables& t = tables();
  std::string out;
  out.reserve(spelled.size());
  for (size_t i = 0; i < spelled.size();) {
    const utf8::Scan sc = utf8::scan(spelled, i);
    if (sc.kind != utf8::Scan::Valid || sc.cp >= t.from_cp.size() || t.from_cp[sc.cp] < 0) return std::nullopt;
    out += static_cast<char>(t.from_cp[sc.cp]);
    i += sc.len;
  }
  return out;
}

}  // namespace fathom::tokenizer
