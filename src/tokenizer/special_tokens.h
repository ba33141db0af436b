// Finding special-token texts in input: control tokens ("<|im_start|>") only when the
// caller parses specials, user-defined ones ("<think>" in Qwen3) always, as llama.cpp
// and Hugging Face treat them. Matches are leftmost, longest first.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fathom::tokenizer {

class SpecialTokens {
 public:
  // `always`: matched even when the caller does not parse specials. The first id added
  // for a text wins.
  void add(const std::string& text, int32_t id, bool always);
  int32_t find(std::string_view text) const;  // -1 when not a special text

  // Calls on_text for the ordinary text between specials and on_special for each
  // special, in input order.
  void split(std::string_view text, bool parse_special, const std::function<void(std::string_view)>& on_text,
             const std::function<void(int32_t)>& on_special) const;

 private:
  struct Entry {
    int32_t id;
    bool always;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> by_text_;
  std::array<std::vector<size_t>, 256> lengths_by_first_byte_;  // distinct lengths, longest first
};

}  // namespace fathom::tokenizer
