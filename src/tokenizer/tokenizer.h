// Byte-level BPE tokenization (GPT-2 / tiktoken family) with the exact pre-tokenizer
// of each model family, special tokens, and streaming decode that never splits a
// UTF-8 character.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fathom::gguf {
class File;
}

namespace fathom::tokenizer {

enum class TokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // From GGUF metadata (tokenizer.ggml.*). Unknown model or pre-tokenizer -> Error.
  static std::unique_ptr<Tokenizer> from_gguf(const gguf::File& f);
  // From a Hugging Face tokenizer.json (+ tokenizer_config.json beside it when present).
  static std::unique_ptr<Tokenizer> from_hf_json(const std::string& tokenizer_json_path);
  // From a tiktoken ranks file (base64 token, space, rank per line) with a pre-tokenizer
  // name ("gpt-4o" for o200k) and special tokens {text, id}.
  static std::unique_ptr<Tokenizer> from_tiktoken(const std::string& ranks_path, const std::string& pre,
                                                  const std::vector<std::pair<std::string, int32_t>>& specials);

  // Encodes text. With parse_special, special-token texts in the input become their ids;
  // otherwise they are ordinary text. add_bos follows the vocabulary's add_bos_token
  // unless the caller overrides.
  virtual std::vector<int32_t> encode(std::string_view text, bool parse_special = false) const = 0;
  // Whether encode() puts bos first (the vocabulary's add_bos_token, with a bos token).
  virtual bool adds_bos() const { return false; }
  // encode() with the caller deciding about bos.
  std::vector<int32_t> encode(std::string_view text, bool parse_special, bool add_bos) const;
  // Bytes of one token (special tokens render as their text).
  virtual std::string token_bytes(int32_t id) const = 0;
  std::string decode(const std::vector<int32_t>& ids) const;

  virtual int32_t n_vocab() const = 0;
  virtual TokenType token_type(int32_t id) const = 0;
  bool is_special(int32_t id) const { return token_type(id) == TokenType::Control; }
  // Id of a special token's text ("<|im_end|>"), or -1.
  virtual int32_t find_special(std::string_view text) const = 0;
  virtual int32_t bos() const = 0;  // -1 if none
  virtual int32_t eos() const = 0;  // -1 if none
  // Tokens that end a generation (eos, eot, e.g. <|return|>, <|call|>, <|im_end|>).
  virtual std::vector<int32_t> end_of_generation() const = 0;
  virtual std::string pre_tokenizer() const = 0;  // "gpt-4o", "qwen2", "gpt2"
};

// o200k_harmony's special tokens (gpt-oss): o200k_base's <|endoftext|> and
// <|endofprompt|>, harmony's named tokens, and <|reserved_N|> up to 201087.
std::vector<std::pair<std::string, int32_t>> o200k_harmony_specials();

// Turns a token stream into text, holding back an incomplete UTF-8 sequence until it
// completes (or is proven invalid, when it is emitted as U+FFFD).
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& t) : tok_(t) {}
  // The text that became complete with this token (may be empty).
  std::string push(int32_t id);
  // Whatever is held back (invalid tail rendered as U+FFFD); resets the decoder.
  std::string flush();

 private:
  const Tokenizer& tok_;
  std::string pending_;
};

}  // namespace fathom::tokenizer
