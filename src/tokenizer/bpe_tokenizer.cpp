#include "tokenizer/bpe_tokenizer.h"

#include <algorithm>

#include "core/error.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/utf8.h"

namespace fathom::tokenizer {

namespace {

// Special tokens that end a turn in the supported families. gpt-oss's <|end|> is not
// among them: in harmony the assistant goes on after it (analysis, then final).
constexpr std::string_view kEndTexts[] = {"<|return|>",    "<|call|>",   "<|im_end|>",
                                          "<|endoftext|>", "<|eot_id|>", "<|eom_id|>"};

}  // namespace

BpeTokenizer::BpeTokenizer(Vocab v) : vocab_(std::move(v)), pre_(vocab_.pre), bpe_(vocab_) {
  vocab_.merges = {};  // the BPE's pair table holds them from here on (o200k: 446k merges)
  const int32_t n = n_vocab();
  for (int32_t id = 0; id < n; ++id) {
    const TokenType t = vocab_.types[size_t(id)];
    if (t == TokenType::Control || t == TokenType::UserDefined) {
      specials_.add(vocab_.bytes[size_t(id)], id, t == TokenType::UserDefined);
    }
  }
  for (const auto& [text, id] : vocab_.special_aliases) specials_.add(text, id, false);
  for (const int32_t id : {vocab_.eos, vocab_.eot, vocab_.eom}) {
    if (id >= 0) end_of_generation_.push_back(id);
  }
  for (const std::string_view text : kEndTexts) {
    const int32_t id = specials_.find(text);
    if (id >= 0 && vocab_.types[size_t(id)] == TokenType::Control) end_of_generation_.push_back(id);
  }
  std::sort(end_of_generation_.begin(), end_of_generation_.end());
  end_of_generation_.erase(std::unique(end_of_generation_.begin(), end_of_generation_.end()), end_of_generation_.end());
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool parse_special) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (adds_bos()) out.push_back(vocab_.bos);
  specials_.split(
      text, parse_special, [&](std::string_view t) { encode_ordinary(t, out); },
      [&](int32_t id) { out.push_back(id); });
  return out;
}

void BpeTokenizer::encode_ordinary(std::string_view text, std::vector<int32_t>& out) const {
  size_t run = 0;  // start of the current run of valid UTF-8
  for (size_t i = 0; i < text.size();) {
    if (static_cast<uint8_t>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const utf8::Scan sc = utf8::scan(text, i);
    if (sc.kind == utf8::Scan::Valid) {
      i += sc.len;
      continue;
    }
    // Bytes that are not UTF-8 cannot go through the regex; each stands as its byte token.
    encode_valid(text.substr(run, i - run), out);
    for (size_t k = 0; k < sc.len; ++k) bpe_.encode(text.substr(i + k, 1), out);
    i += sc.len;
    run = i;
  }
  encode_valid(text.substr(run), out);
}

void BpeTokenizer::encode_valid(std::string_view text, std::vector<int32_t>& out) const {
  std::string normalized;
  if (vocab_.nfc && to_nfc(text, normalized)) text = normalized;
  pre_.split(text, [&](std::string_view piece) { bpe_.encode(piece, out); });
}

void BpeTokenizer::check_id(int32_t id) const {
  if (id < 0 || id >= n_vocab()) {
    throw Error("token id " + std::to_string(id) + " out of range (vocabulary of " + vocab_.source + " has " +
                std::to_string(n_vocab()) + " tokens)");
  }
}

std::string BpeTokenizer::token_bytes(int32_t id) const {
  check_id(id);
  return vocab_.bytes[size_t(id)];
}

TokenType BpeTokenizer::token_type(int32_t id) const {
  check_id(id);
  return vocab_.types[size_t(id)];
}

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const gguf::File& f) {
  return std::make_unique<BpeTokenizer>(load_gguf_vocab(f));
}

std::unique_ptr<Tokenizer> Tokenizer::from_hf_json(const std::string& tokenizer_json_path) {
  return std::make_unique<BpeTokenizer>(load_hf_vocab(tokenizer_json_path));
}

std::unique_ptr<Tokenizer> Tokenizer::from_tiktoken(const std::string& ranks_path, const std::string& pre,
                                                    const std::vector<std::pair<std::string, int32_t>>& specials) {
  return std::make_unique<BpeTokenizer>(load_tiktoken_vocab(ranks_path, pre, specials));
}

}  // namespace fathom::tokenizer
