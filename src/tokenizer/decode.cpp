// Decoding: token ids back to bytes, whole or streamed without splitting a character.
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace fathom::tokenizer {

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parse_special, bool add_bos) const {
  std::vector<int32_t> ids = encode(text, parse_special);
  if (adds_bos() && !add_bos) ids.erase(ids.begin());
  if (!adds_bos() && add_bos && bos() >= 0) ids.insert(ids.begin(), bos());
  return ids;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  for (const int32_t id : ids) out += token_bytes(id);
  return out;
}

std::string StreamDecoder::push(int32_t id) {
  pending_ += tok_.token_bytes(id);
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    const utf8::Scan sc = utf8::scan(pending_, i);
    if (sc.kind == utf8::Scan::Truncated) break;  // a later token may complete it
    if (sc.kind == utf8::Scan::Valid) {
      out.append(pending_, i, sc.len);
    } else {
      out += utf8::kReplacement;
    }
    i += sc.len;
  }
  pending_.erase(0, i);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out = pending_.empty() ? "" : std::string(utf8::kReplacement);
  pending_.clear();
  return out;
}

}  // namespace fathom::tokenizer
