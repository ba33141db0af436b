// Vocabulary from GGUF metadata (tokenizer.ggml.*), as llama.cpp's converters write it.
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_error.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/vocab.h"

namespace fathom::tokenizer {

namespace {

using gguf::ValueType;

const gguf::Array& array_of(const gguf::File& f, std::string_view key, bool strings) {
  const gguf::Array& a = f.get_array(key);
  const ValueType t = a.elem_type;
  const bool integers = t != ValueType::STRING && t != ValueType::ARRAY && t != ValueType::F32 && t != ValueType::F64 &&
                        t != ValueType::BOOL;
  if (strings ? t != ValueType::STRING : !integers) {
    gguf::fail(f.path(), "key " + std::string(key),
               std::string("expected an array of ") + (strings ? "strings" : "integers") + ", found an array of " +
                   gguf::value_type_name(t));
  }
  return a;
}

int64_t integer(const gguf::Value& v) {
  const bool is_signed =
      v.type == ValueType::I8 || v.type == ValueType::I16 || v.type == ValueType::I32 || v.type == ValueType::I64;
  return is_signed ? v.i : static_cast<int64_t>(v.u);
}

// A token id key, -1 when absent.
int32_t optional_id(const gguf::File& f, std::string_view key, size_t n_tokens) {
  if (f.find(key) == nullptr) return -1;
  const uint64_t id = f.get_uint(key);
  if (id >= n_tokens) {
    gguf::fail(f.path(), "key " + std::string(key),
               "token id " + std::to_string(id) + " out of range (" + std::to_string(n_tokens) + " tokens)");
  }
  return static_cast<int32_t>(id);
}

}  // namespace

Vocab load_gguf_vocab(const gguf::File& f) {
  Vocab v;
  v.source = f.path();
  const std::string& model = f.get_string("tokenizer.ggml.model");
  if (model != "gpt2") {
    gguf::fail(f.path(), "key tokenizer.ggml.model",
               "unsupported tokenizer '" + gguf::printable(model) + "' (expected gpt2, byte-level BPE)");
  }
  const std::string& pre = f.get_string("tokenizer.ggml.pre");
  const auto canonical = canonical_pre_tokenizer(pre);
  if (!canonical) {
    gguf::fail(f.path(), "key tokenizer.ggml.pre",
               "unknown pre-tokenizer '" + gguf::printable(pre) + "' (expected gpt-4o, qwen2 or gpt2)");
  }
  v.pre = *canonical;
  // A GGUF file does not record the normalizer; every Qwen2/Qwen3 tokenizer.json
  // declares NFC, so the qwen2 family gets it here too.
  v.nfc = v.pre == "qwen2";

  const gguf::Array& tokens = array_of(f, "tokenizer.ggml.tokens", true);
  // Without token types (llama.cpp's default too) every token is an ordinary one.
  const gguf::Array* types =
      f.find("tokenizer.ggml.token_type") == nullptr ? nullptr : &array_of(f, "tokenizer.ggml.token_type", false);
  if (types != nullptr && types->items.size() != tokens.items.size()) {
    gguf::fail(f.path(), "key tokenizer.ggml.token_type",
               std::to_string(types->items.size()) + " entries, expected one per token (" +
                   std::to_string(tokens.items.size()) + ")");
  }
  std::unordered_map<std::string_view, int32_t> by_spelling;
  for (size_t id = 0; id < tokens.items.size(); ++id) {
    const std::string& text = tokens.items[id].s;
    const int64_t t = types == nullptr ? 1 : integer(types->items[id]);
    const std::string where =
        "key tokenizer.ggml.tokens: token " + std::to_string(id) + " '" + gguf::printable(text) + "'";
    if (t < 1 || t > 5) {
      gguf::fail(f.path(), where, "token type " + std::to_string(t) + " is not one of a byte-level vocabulary's (1-5)");
    }
    const auto type = static_cast<TokenType>(t);
    if (type == TokenType::Normal) {
      auto raw = unicode_to_bytes(text);
      if (!raw) gguf::fail(f.path(), where, "not spelled in GPT-2's byte characters");
      v.add(std::move(*raw), type);
    } else {
      v.add(text, type);  // special and user-defined tokens are stored as their text
    }
    by_spelling.emplace(text, static_cast<int32_t>(id));
  }

  const gguf::Array& merges = array_of(f, "tokenizer.ggml.merges", true);
  v.merges.reserve(merges.items.size());
  for (size_t r = 0; r < merges.items.size(); ++r) {
    const std::string& m = merges.items[r].s;
    const std::string where = "key tokenizer.ggml.merges: merge " + std::to_string(r) + " '" + gguf::printable(m) + "'";
    const size_t space = m.find(' ', 1);  // byte-level spellings hold no space of their own
    if (space == std::string::npos) gguf::fail(f.path(), where, "expected two tokens separated by a space");
    const std::string left = m.substr(0, space), right = m.substr(space + 1);
    const auto id_of = [&](const std::string& s) {
      const auto it = by_spelling.find(s);
      if (it == by_spelling.end()) gguf::fail(f.path(), where, "'" + gguf::printable(s) + "' is not a token");
      return it->second;
    };
    v.merges.push_back({id_of(left), id_of(right), id_of(left + right), static_cast<uint32_t>(r)});
  }

  const size_t n = tokens.items.size();
  v.bos = optional_id(f, "tokenizer.ggml.bos_token_id", n);
  v.eos = optional_id(f, "tokenizer.ggml.eos_token_id", n);
  v.eot = optional_id(f, "tokenizer.ggml.eot_token_id", n);
  v.eom = optional_id(f, "tokenizer.ggml.eom_token_id", n);
  v.pad = optional_id(f, "tokenizer.ggml.padding_token_id", n);
  v.add_bos = f.get_bool("tokenizer.ggml.add_bos_token", false);
  return v;
}

}  // namespace fathom::tokenizer
