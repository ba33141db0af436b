// The one Tokenizer implementation: byte-level BPE over a Vocab from any loader.
#pragma once
#include <string>
#include <vector>

#include "tokenizer/bpe.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace fathom::tokenizer {

class BpeTokenizer final : public Tokenizer {
 public:
  // Throws Error when the pre-tokenizer is unknown or a byte has no token.
  explicit BpeTokenizer(Vocab v);

  using Tokenizer::encode;
  std::vector<int32_t> encode(std::string_view text, bool parse_special = false) const override;
  std::string token_bytes(int32_t id) const override;
  int32_t n_vocab() const override { return static_cast<int32_t>(vocab_.bytes.size()); }
  TokenType token_type(int32_t id) const override;
  int32_t find_special(std::string_view text) const override { return specials_.find(text); }
  int32_t bos() const override { return vocab_.bos; }
  int32_t eos() const override { return vocab_.eos; }
  std::vector<int32_t> end_of_generation() const override { return end_of_generation_; }
  std::string pre_tokenizer() const override { return pre_.name(); }
  bool adds_bos() const override { return vocab_.add_bos && vocab_.bos >= 0; }

 private:
  void check_id(int32_t id) const;
  // Text without specials: invalid UTF-8 bytes become byte tokens, valid runs are
  // normalized, split and merged.
  void encode_ordinary(std::string_view text, std::vector<int32_t>& out) const;
  void encode_valid(std::string_view text, std::vector<int32_t>& out) const;

  Vocab vocab_;
  PreTokenizer pre_;
  Bpe bpe_;
  SpecialTokens specials_;
  std::vector<int32_t> end_of_generation_;
};

}  // namespace fathom::tokenizer
