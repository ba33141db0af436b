// Byte-level BPE on small hand-made vocabularies in each source format (GGUF,
// tiktoken ranks, tokenizer.json), where the right ids can be worked out by hand, and
// the errors a malformed vocabulary must produce.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace fathom::tokenizer {
namespace {

namespace fs = std::filesystem;
using Ids = std::vector<int32_t>;

// A directory of this process's files, removed when the process ends.
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("fathom-tokenizer-vocab-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

const fs::path& temp_dir() {
  static const TempDir dir;
  return dir.path;
}

// Ids 0-255 are the bytes in byte order, then: 256 "ab", 257 "abc", 258 "bc", 259 " a",
// 260 "aa", 261 <|end|> (control), 262 <think> (user-defined).
struct GgufVocab {
  std::string model = "gpt2", pre = "gpt2";
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  std::vector<std::string> merges = {"a b", "ab c", "b c", "Ġ a", "a a"};
  bool add_bos = false;
  GgufVocab() {
    for (int b = 0; b < 256; ++b) tokens.push_back(byte_to_unicode(static_cast<unsigned char>(b)));
    for (const char* t : {"ab", "abc", "bc", "Ġa", "aa", "<|end|>", "<think>"}) tokens.emplace_back(t);
    types.assign(tokens.size(), 1);
    types[261] = 3;
    types[262] = 4;
  }
  std::unique_ptr<Tokenizer> load() const {
    gguf::Writer w;
    w.set("general.architecture", gguf::Value::str("gpt2"));
    w.set("tokenizer.ggml.model", gguf::Value::str(model));
    w.set("tokenizer.ggml.pre", gguf::Value::str(pre));
    w.set("tokenizer.ggml.tokens", gguf::Value::str_array(tokens));
    w.set("tokenizer.ggml.token_type", gguf::Value::i32_array(types));
    w.set("tokenizer.ggml.merges", gguf::Value::str_array(merges));
    w.set("tokenizer.ggml.bos_token_id", gguf::Value::u32(261));
    w.set("tokenizer.ggml.eos_token_id", gguf::Value::u32(261));
    w.set("tokenizer.ggml.add_bos_token", gguf::Value::boolean(add_bos));
    const std::string path = (temp_dir() / "vocab.gguf").string();
    w.write(path);
    return Tokenizer::from_gguf(*gguf::File::open(path));
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_HAS(call, ...)                                                             \
  do {                                                                                          \
    const std::string err = error_of([&] { call; });                                            \
    for (const char* part : {__VA_ARGS__}) {                                                    \
      EXPECT_NE(err.find(part), std::string::npos) << "'" << err << "' lacks '" << part << "'"; \
    }                                                                                           \
  } while (0)

TEST(TokenizerVocab, GgufMergesByRankLeftmostFirst) {
  const auto t = GgufVocab().load();
  EXPECT_EQ(t->encode("abc"), (Ids{257}));
  EXPECT_EQ(t->encode("bc"), (Ids{258}));
  EXPECT_EQ(t->encode("aaa"), (Ids{260, 'a'}));    // equal ranks: the leftmost pair merges first
  EXPECT_EQ(t->encode("abcbc"), (Ids{257, 258}));  // ab, then ab+c before b+c
  EXPECT_EQ(t->encode("x a"), (Ids{'x', 259}));
  EXPECT_EQ(t->encode("\xFF"
                      "ab"),
            (Ids{0xFF, 256}));  // invalid UTF-8 passes as byte tokens
  EXPECT_EQ(t->decode(t->encode("\xFF"
                                "ab\xD0")),
            "\xFF"
            "ab\xD0");
  EXPECT_EQ(t->n_vocab(), 263);
  EXPECT_EQ(t->pre_tokenizer(), "gpt2");
}

TEST(TokenizerVocab, SpecialsControlOnlyWhenParsedUserDefinedAlways) {
  const auto t = GgufVocab().load();
  EXPECT_EQ(t->encode("x<|end|>", false), (Ids{'x', '<', '|', 'e', 'n', 'd', '|', '>'}));
  EXPECT_EQ(t->encode("x<|end|>", true), (Ids{'x', 261}));
  EXPECT_EQ(t->encode("<think>ab", false), (Ids{262, 256}));
  EXPECT_EQ(t->find_special("<|end|>"), 261);
  EXPECT_EQ(t->find_special("ab"), -1);
  EXPECT_TRUE(t->is_special(261));
  EXPECT_FALSE(t->is_special(262));
  EXPECT_EQ(t->token_bytes(261), "<|end|>");
  EXPECT_EQ(t->end_of_generation(), (Ids{261}));
}

TEST(TokenizerVocab, AddBosFollowsVocabularyUnlessOverridden) {
  GgufVocab v;
  EXPECT_EQ(v.load()->encode("a", false, true), (Ids{261, 'a'}));
  v.add_bos = true;
  const auto t = v.load();
  EXPECT_EQ(t->encode("a"), (Ids{261, 'a'}));
  EXPECT_EQ(t->encode("a", false, false), (Ids{'a'}));
  EXPECT_EQ(t->bos(), 261);
}

TEST(TokenizerVocab, StreamDecoderHoldsBackSplitCharacters) {
  const auto t = GgufVocab().load();
  StreamDecoder d(*t);
  EXPECT_EQ(d.push(0xD0), "");
  EXPECT_EQ(d.push(0xBF), "п");
  EXPECT_EQ(d.push(0xF0), "");
  EXPECT_EQ(d.push(0x9F), "");
  EXPECT_EQ(d.push('a'),
            "\uFFFD"
            "a");  // F0 9F cannot be completed by "a"
  EXPECT_EQ(d.push(0xFF), "\uFFFD");
  EXPECT_EQ(d.push(261), "<|end|>");
  EXPECT_EQ(d.push(0xE2), "");
  EXPECT_EQ(d.flush(), "\uFFFD");
  EXPECT_EQ(d.flush(), "");
}

TEST(TokenizerVocab, OutOfRangeIdIsAnError) {
  const auto t = GgufVocab().load();
  EXPECT_ERROR_HAS(t->decode({1, 263}), "token id 263 out of range", "263 tokens");
  EXPECT_ERROR_HAS(t->token_type(-1), "token id -1");
}

TEST(TokenizerVocab, GgufErrorsNameTheKey) {
  GgufVocab v;
  v.pre = "llama-bpe";
  EXPECT_ERROR_HAS(v.load(), "vocab.gguf", "tokenizer.ggml.pre", "'llama-bpe'");
  v = GgufVocab();
  v.model = "llama";
  EXPECT_ERROR_HAS(v.load(), "tokenizer.ggml.model", "'llama'", "gpt2");
  v = GgufVocab();
  v.merges.push_back("a z9");
  EXPECT_ERROR_HAS(v.load(), "tokenizer.ggml.merges", "merge 5", "'z9' is not a token");
  v = GgufVocab();
  v.tokens[0xFF] = "<|x|>";
  v.types[0xFF] = 3;
  EXPECT_ERROR_HAS(v.load(), "byte 0xff has no token");
  v = GgufVocab();
  v.tokens[256] = "п";
  EXPECT_ERROR_HAS(v.load(), "token 256", "byte characters");
  v = GgufVocab();
  v.types.pop_back();
  EXPECT_ERROR_HAS(v.load(), "tokenizer.ggml.token_type", "262 entries", "(263)");
}

std::string write_file(const std::string& name, const std::string& content) {
  const std::string path = (temp_dir() / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string base64(const std::string& s) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < s.size(); i += 3) {
    uint32_t n = uint32_t(uint8_t(s[i])) << 16;
    if (i + 1 < s.size()) n |= uint32_t(uint8_t(s[i + 1])) << 8;
    if (i + 2 < s.size()) n |= uint32_t(uint8_t(s[i + 2]));
    out += abc[(n >> 18) & 63];
    out += abc[(n >> 12) & 63];
    out += i + 1 < s.size() ? abc[(n >> 6) & 63] : '=';
    out += i + 2 < s.size() ? abc[n & 63] : '=';
  }
  return out;
}

// Ranks 0-255 are the bytes; 256 "ab", 257 "xyz" (no merge path leads to it), 258 "bc",
// 259 "abc".
std::string tiny_ranks(const std::string& extra_line = "") {
  std::string r;
  for (int b = 0; b < 256; ++b) r += base64(std::string(1, char(b))) + " " + std::to_string(b) + "\n";
  for (const auto& [tok, rank] : {std::pair{"ab", 256}, {"xyz", 257}, {"bc", 258}, {"abc", 259}}) {
    r += base64(tok) + " " + std::to_string(rank) + "\n";
  }
  return r + extra_line;
}

TEST(TokenizerVocab, TiktokenMergesByRankOfTheMergedToken) {
  const auto t = Tokenizer::from_tiktoken(write_file("tiny.tiktoken", tiny_ranks()), "gpt2", {{"<|s|>", 260}});
  EXPECT_EQ(t->encode("xyz"), (Ids{257}));  // tiktoken takes a piece that is a token whole
  EXPECT_EQ(t->encode("xyzw"), (Ids{'x', 'y', 'z', 'w'}));
  EXPECT_EQ(t->encode("abcd"), (Ids{259, 'd'}));  // ab (256), then ab+c = abc (259)
  EXPECT_EQ(t->encode("bcab"), (Ids{258, 256}));
  EXPECT_EQ(t->encode("a<|s|>", true), (Ids{'a', 260}));
  EXPECT_EQ(t->n_vocab(), 261);
  EXPECT_EQ(t->bos(), -1);
}

TEST(TokenizerVocab, TiktokenErrors) {
  EXPECT_ERROR_HAS(Tokenizer::from_tiktoken(write_file("bad.tiktoken", tiny_ranks("YWJj notanumber\n")), "gpt2", {}),
                   "bad.tiktoken", "line 261", "notanumber");
  EXPECT_ERROR_HAS(Tokenizer::from_tiktoken(write_file("ok.tiktoken", tiny_ranks()), "o200k", {}), "'o200k'");
  EXPECT_ERROR_HAS(Tokenizer::from_tiktoken(write_file("ok.tiktoken", tiny_ranks()), "gpt2", {{"<|s|>", 100}}), "<|s|>",
                   "id 100");
  EXPECT_ERROR_HAS(Tokenizer::from_tiktoken((temp_dir() / "missing.tiktoken").string(), "gpt2", {}), "missing.tiktoken",
                   "cannot open");
}

// Qwen-shaped: byte characters 0-255, "ab" 256, "abc" 257, added <|im_end|> (special)
// and <think> (not special); NFC; eos from tokenizer_config.json.
std::string tiny_hf_json(const std::string& normalizer, const std::string& regex, const std::string& merges) {
  std::string vocab;
  for (int b = 0; b < 256; ++b) {
    std::string spelled = byte_to_unicode(static_cast<unsigned char>(b));
    if (spelled == "\"" || spelled == "\\") spelled = "\\" + spelled;
    vocab += "\"" + spelled + "\": " + std::to_string(b) + ", ";
  }
  return R"({"version": "1.0", "normalizer": )" + normalizer +
         R"(, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": )" +
         regex +
         R"(}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
  "added_tokens": [{"id": 258, "content": "<|im_end|>", "special": true}, {"id": 259, "content": "<think>", "special": false}],
  "model": {"type": "BPE", "dropout": null, "ignore_merges": false, "vocab": {)" +
         vocab + R"("ab": 256, "abc": 257}, "merges": )" + merges + "}}";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) out += (c == '\\' || c == '"') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

TEST(TokenizerVocab, HfJsonWithNormalizerAndAddedTokens) {
  fs::create_directories(temp_dir() / "hf");
  write_file("hf/tokenizer_config.json", R"({"eos_token": "<|im_end|>", "bos_token": null, "add_bos_token": false})");
  const std::string path = write_file(
      "hf/tokenizer.json", tiny_hf_json(R"({"type": "NFC"})", json_string(kPatternQwen2), R"(["a b", ["ab", "c"]])"));
  const auto t = Tokenizer::from_hf_json(path);
  EXPECT_EQ(t->encode("abc"), (Ids{257}));
  EXPECT_EQ(t->encode("и\u0306"), t->encode("й"));  // NFC composes before splitting
  EXPECT_EQ(t->encode("<think><|im_end|>", false), (Ids{259, '<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|', '>'}));
  EXPECT_EQ(t->encode("<|im_end|>", true), (Ids{258}));
  EXPECT_EQ(t->eos(), 258);
  EXPECT_EQ(t->bos(), -1);
  EXPECT_EQ(t->end_of_generation(), (Ids{258}));
  EXPECT_EQ(t->pre_tokenizer(), "qwen2");
}

// transformers' tiktoken conversion (gpt-oss) keeps the matches by removing the rest.
TEST(TokenizerVocab, HfJsonSplitRemovedInvertedIsTheSameSplit) {
  fs::create_directories(temp_dir() / "hf-gpt4o");
  std::string json = tiny_hf_json("null", json_string(kPatternGpt4o), "[]");
  const std::string isolated = R"("behavior": "Isolated", "invert": false)";
  json.replace(json.find(isolated), isolated.size(), R"("behavior": "Removed", "invert": true)");
  const auto t = Tokenizer::from_hf_json(write_file("hf-gpt4o/tokenizer.json", json));
  EXPECT_EQ(t->pre_tokenizer(), "gpt-4o");
  EXPECT_EQ(t->encode("It's"), (Ids{'I', 't', '\'', 's'}));
}

TEST(TokenizerVocab, HfJsonErrorsNameTheField) {
  fs::create_directories(temp_dir() / "hf-bad");
  const auto load = [](const std::string& json) {
    return Tokenizer::from_hf_json(write_file("hf-bad/tokenizer.json", json));
  };
  const std::string qwen = json_string(kPatternQwen2);
  EXPECT_ERROR_HAS(load(tiny_hf_json("null", R"("\\s+")", "[]")), "tokenizer.json", "pre_tokenizer",
                   "unknown split regex");
  EXPECT_ERROR_HAS(load(tiny_hf_json(R"({"type": "NFKC"})", qwen, "[]")), "normalizer", "NFKC");
  EXPECT_ERROR_HAS(load(tiny_hf_json("null", qwen, R"(["a b", "ab zz"])")), "model.merges[1]", "'zz'");
  EXPECT_ERROR_HAS(load("{not json"), "not valid JSON");
}

}  // namespace
}  // namespace fathom::tokenizer
