// A vocabulary as the loaders produce it and the BPE tokenizer consumes it: tokens as
// raw bytes, merges as (left, right) -> result with a rank, and the special ids. One
// shape for GGUF, Hugging Face tokenizer.json and tiktoken ranks, so that a single
// BPE algorithm serves all three.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace fathom::gguf {
class File;
}

namespace fathom::tokenizer {

struct Merge {
  int32_t left, right, result;
  // Lower merges first; ties go to the leftmost pair. Merge-list vocabularies use the
  // list index; tiktoken uses the rank of the merged token, so several pairs forming
  // the same token share a rank, exactly as tiktoken's byte_pair_encode ranks them.
  uint32_t rank;
};

struct Vocab {
  std::string source;  // file the vocabulary came from, for messages
  std::string pre;     // pre-tokenizer name: "gpt-4o", "qwen2" or "gpt2"
  bool nfc = false;    // normalize ordinary text to NFC before splitting it
  // A piece that is itself a token becomes that token without merging (tiktoken's
  // shortcut, HF's ignore_merges); otherwise BPE alone decides.
  bool whole_piece_first = false;
  std::vector<std::string> bytes;  // per id: raw bytes; special tokens hold their text
  std::vector<TokenType> types;
  std::vector<Merge> merges;
  // Further texts of special tokens already in `bytes` (o200k_harmony names 200018 both
  // <|endofprompt|> and <|reserved_200018|>); the text in `bytes` is the one decoded.
  std::vector<std::pair<std::string, int32_t>> special_aliases;
  int32_t bos = -1, eos = -1, eot = -1, eom = -1, pad = -1;
  bool add_bos = false;

  int32_t add(std::string b, TokenType t) {
    bytes.push_back(std::move(b));
    types.push_back(t);
    return static_cast<int32_t>(bytes.size() - 1);
  }
};

Vocab load_gguf_vocab(const gguf::File& f);
Vocab load_hf_vocab(const std::string& tokenizer_json_path);
Vocab load_tiktoken_vocab(const std::string& ranks_path, const std::string& pre,
                          const std::vector<std::pair<std::string, int32_t>>& specials);

}  // namespace fathom::tokenizer
