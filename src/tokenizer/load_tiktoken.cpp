// Vocabulary from a tiktoken ranks file (one "base64-token rank" per line), where a
// token's id is its rank and merges are implied: tiktoken merges the adjacent pair
// whose concatenation has the lowest rank, so every split of a token into two tokens
// is a merge of that token's rank.
#include <charconv>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "core/error.h"
#include "formats/gguf_error.h"
#include "tokenizer/base64.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/vocab.h"

namespace fathom::tokenizer {

Vocab load_tiktoken_vocab(const std::string& ranks_path, const std::string& pre,
                          const std::vector<std::pair<std::string, int32_t>>& specials) {
  Vocab v;
  v.source = ranks_path;
  const auto canonical = canonical_pre_tokenizer(pre);
  if (!canonical) throw Error(ranks_path + ": unknown pre-tokenizer '" + pre + "' (expected gpt-4o, qwen2 or gpt2)");
  v.pre = *canonical;
  v.whole_piece_first = true;  // tiktoken looks a piece up whole before merging it

  std::ifstream in(ranks_path, std::ios::binary);
  if (!in) throw Error(ranks_path + ": cannot open");
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(line_no);
    const size_t space = line.find(' ');
    int64_t rank = -1;
    const char* end = line.data() + line.size();
    const auto parsed = space == std::string::npos ? std::from_chars_result{end, std::errc::invalid_argument}
                                                   : std::from_chars(line.data() + space + 1, end, rank);
    std::optional<std::string> token = base64_decode(std::string_view(line).substr(0, space));
    if (parsed.ec != std::errc() || parsed.ptr != end || rank < 0 || rank >= INT32_MAX || !token || token->empty()) {
      gguf::fail(ranks_path, where, "expected '<base64 token> <rank>', found '" + gguf::printable(line) + "'");
    }
    if (size_t(rank) >= v.bytes.size()) {
      v.bytes.resize(size_t(rank) + 1);
      v.types.resize(size_t(rank) + 1, TokenType::Unused);
    }
    if (v.types[size_t(rank)] != TokenType::Unused) {
      gguf::fail(ranks_path, where, "rank " + std::to_string(rank) + " given twice");
    }
    v.bytes[size_t(rank)] = std::move(*token);
    v.types[size_t(rank)] = TokenType::Normal;
  }

  std::unordered_map<std::string_view, int32_t> by_bytes;
  for (size_t id = 0; id < v.bytes.size(); ++id) {
    if (v.types[id] == TokenType::Normal) by_bytes.emplace(v.bytes[id], int32_t(id));
  }
  for (size_t id = 0; id < v.bytes.size(); ++id) {
    const std::string_view b = v.bytes[id];
    for (size_t k = 1; v.types[id] == TokenType::Normal && k < b.size(); ++k) {
      const auto l = by_bytes.find(b.substr(0, k)), r = by_bytes.find(b.substr(k));
      if (l != by_bytes.end() && r != by_bytes.end()) {
        v.merges.push_back({l->second, r->second, int32_t(id), uint32_t(id)});
      }
    }
  }

  for (const auto& [text, id] : specials) {
    if (id < 0) throw Error(ranks_path + ": special token '" + text + "': negative id " + std::to_string(id));
    if (size_t(id) >= v.bytes.size()) {
      v.bytes.resize(size_t(id) + 1);
      v.types.resize(size_t(id) + 1, TokenType::Unused);
    }
    if (v.types[size_t(id)] == TokenType::Normal) {
      throw Error(ranks_path + ": special token '" + text + "': id " + std::to_string(id) +
                  " is an ordinary token's rank");
    }
    if (v.types[size_t(id)] == TokenType::Control) {
      v.special_aliases.emplace_back(text, id);
    } else {
      v.bytes[size_t(id)] = text;
      v.types[size_t(id)] = TokenType::Control;
    }
  }
  return v;
}

std::vector<std::pair<std::string, int32_t>> o200k_harmony_specials() {
  // tiktoken_ext/openai_public.py: o200k_base's specials, harmony's, then reserved ids.
  std::vector<std::pair<std::string, int32_t>> s = {{"<|endoftext|>", 199999},
                                                    {"<|endofprompt|>", 200018},
                                                    {"<|startoftext|>", 199998},
                                                    {"<|reserved_200000|>", 200000},
                                                    {"<|reserved_200001|>", 200001},
                                                    {"<|return|>", 200002},
                                                    {"<|constrain|>", 200003},
                                                    {"<|reserved_200004|>", 200004},
                                                    {"<|channel|>", 200005},
                                                    {"<|start|>", 200006},
                                                    {"<|end|>", 200007},
                                                    {"<|message|>", 200008},
                                                    {"<|reserved_200009|>", 200009},
                                                    {"<|reserved_200010|>", 200010},
                                                    {"<|reserved_200011|>", 200011},
                                                    {"<|call|>", 200012}};
  for (int32_t id = 200013; id < 201088; ++id) s.emplace_back("<|reserved_" + std::to_string(id) + "|>", id);
  return s;
}

}  // namespace fathom::tokenizer
