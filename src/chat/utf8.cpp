#include "chat/utf8.h"

namespace fathom::chat {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Length of the sequence a lead byte starts, or 0 for a byte that cannot start one.
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether byte `c` may follow at position i (1-based) of a sequence led by `lead`; the
// second byte's narrower ranges exclude overlong forms, surrogates and code points > U+10FFFF.
bool continues(unsigned char lead, size_t i, unsigned char c) {
  if (i == 1) {
    if (lead == 0xE0) return c >= 0xA0 && c <= 0xBF;
    if (lead == 0xED) return c >= 0x80 && c <= 0x9F;
    if (lead == 0xF0) return c >= 0x90 && c <= 0xBF;
    if (lead == 0xF4) return c >= 0x80 && c <= 0x8F;
  }
  return c >= 0x80 && c <= 0xBF;
}

// Moves the valid prefix of `in` to `out`, invalid bytes as U+FFFD (one per maximal
// invalid subpart, as Unicode recommends). Returns where an unfinished final sequence
// starts (in.size() when there is none).
size_t decode(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size()) {
    const auto lead = static_cast<unsigned char>(in[i]);
    const size_t n = sequence_length(lead);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    size_t k = 1;
    while (k < n && i + k < in.size() && continues(lead, k, static_cast<unsigned char>(in[i + k]))) ++k;
    if (k == n) {
      out.append(in.substr(i, n));
    } else if (i + k == in.size()) {
      return i;  // unfinished: the rest may still arrive
    } else {
      out += kReplacement;
    }
    i += k;
  }
  return i;
}

}  // namespace

std::string Utf8Holdback::push(std::string_view bytes) {
  pending_.append(bytes);
  std::string out;
  const size_t held = decode(pending_, out);
  pending_.erase(0, held);
  return out;
}

std::string Utf8Holdback::flush() {
  std::string out = valid_utf8(pending_);
  pending_.clear();
  return out;
}

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  if (decode(bytes, out) < bytes.size()) out += kReplacement;
  return out;
}

}  // namespace fathom::chat
