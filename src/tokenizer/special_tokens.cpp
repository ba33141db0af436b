#include "tokenizer/special_tokens.h"

#include <algorithm>

namespace fathom::tokenizer {

void SpecialTokens::add(const std::string& text, int32_t id, bool always) {
  if (text.empty() || !by_text_.emplace(text, Entry{id, always}).second) return;
  auto& lengths = lengths_by_first_byte_[static_cast<uint8_t>(text[0])];
  if (std::find(lengths.begin(), lengths.end(), text.size()) == lengths.end()) {
    lengths.push_back(text.size());
    std::sort(lengths.begin(), lengths.end(), std::greater<>());
  }
}

int32_t SpecialTokens::find(std::string_view text) const {
  const auto it = by_text_.find(text);
  return it == by_text_.end() ? -1 : it->second.id;
}

void SpecialTokens::split(std::string_view text, bool parse_special,
                          const std::function<void(std::string_view)>& on_text,
                          const std::function<void(int32_t)>& on_special) const {
  size_t start = 0;  // of the ordinary text not yet passed on
  for (size_t i = 0; i < text.size();) {
    size_t matched = 0;
    int32_t id = -1;
    for (const size_t len : lengths_by_first_byte_[static_cast<uint8_t>(text[i])]) {
      if (len > text.size() - i) continue;
      const auto it = by_text_.find(text.substr(i, len));
      if (it != by_text_.end() && (parse_special || it->second.always)) {
        matched = len;
        id = it->second.id;
        break;
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    if (i > start) on_text(text.substr(start, i - start));
    on_special(id);
    i += matched;
    start = i;
  }
  if (start < text.size()) on_text(text.substr(start));
}

}  // namespace fathom::tokenizer
