#include "tokenizer/save_gguf.h"

#include "core/error.h"
#include "formats/gguf_writer.h"
#include "tokenizer/byte_unicode.h"

namespace fathom::tokenizer {

namespace {

// Ordinary tokens are spelled in GPT-2's byte characters; special, user-defined and
// unused ones are stored as their text (load_gguf_vocab reads them back that way).
std::string spelling(const std::string& bytes) {
  std::string s;
  for (unsigned char b : bytes) s += byte_to_unicode(b);
  return s;
}

}  // namespace

void write_gguf_vocab(gguf::Writer& w, const Vocab& v, int64_t n_vocab) {
  using gguf::Value;
  if (static_cast<int64_t>(v.bytes.size()) > n_vocab) {
    throw Error(v.source + ": " + std::to_string(v.bytes.size()) + " tokens do not fit the model's vocabulary of " +
                std::to_string(n_vocab));
  }
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  tokens.reserve(static_cast<size_t>(n_vocab));
  types.reserve(static_cast<size_t>(n_vocab));
  for (int64_t id = 0; id < n_vocab; ++id) {
    const bool known = id < static_cast<int64_t>(v.bytes.size()) && v.types[size_t(id)] != TokenType::Unused;
    const TokenType t = known ? v.types[size_t(id)] : TokenType::Unused;
    if (!known) {
      tokens.push_back("[PAD" + std::to_string(id) + "]");
    } else if (t == TokenType::Normal) {
      tokens.push_back(spelling(v.bytes[size_t(id)]));
    } else {
      tokens.push_back(v.bytes[size_t(id)]);
    }
    types.push_back(static_cast<int32_t>(t));
  }
  std::vector<std::string> merges;
  merges.reserve(v.merges.size());
  for (const Merge& m : v.merges) merges.push_back(tokens[size_t(m.left)] + " " + tokens[size_t(m.right)]);

  w.set("tokenizer.ggml.model", Value::str("gpt2"));
  w.set("tokenizer.ggml.pre", Value::str(v.pre));
  w.set("tokenizer.ggml.tokens", Value::str_array(tokens));
  w.set("tokenizer.ggml.token_type", Value::i32_array(types));
  w.set("tokenizer.ggml.merges", Value::str_array(merges));
  const auto id = [&](const char* key, int32_t value) {
    if (value >= 0) w.set(key, Value::u32(static_cast<uint32_t>(value)));
  };
  id("tokenizer.ggml.bos_token_id", v.bos);
  id("tokenizer.ggml.eos_token_id", v.eos);
  id("tokenizer.ggml.eot_token_id", v.eot);
  id("tokenizer.ggml.eom_token_id", v.eom);
  id("tokenizer.ggml.padding_token_id", v.pad);
  w.set("tokenizer.ggml.add_bos_token", Value::boolean(v.add_bos));
}

}  // namespace fathom::tokenizer
