// Tokenizer building blocks: UTF-8 scanning, GPT-2's byte characters, base64, the
// split regexes of each family, special-token matching and streaming decode.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "tokenizer/base64.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/utf8.h"

namespace fathom::tokenizer {
namespace {

using Pieces = std::vector<std::string>;

TEST(TokenizerUtf8, ScansValidTruncatedAndInvalid) {
  EXPECT_EQ(utf8::scan("ё", 0).kind, utf8::Scan::Valid);
  EXPECT_EQ(utf8::scan("ё", 0).cp, U'ё');
  EXPECT_EQ(utf8::scan("🙂", 0).len, 4u);
  const utf8::Scan truncated = utf8::scan("\xF0\x9F\x99", 0);
  EXPECT_EQ(truncated.kind, utf8::Scan::Truncated);
  // Overlong, surrogate, above U+10FFFF, stray continuation: invalid, one maximal subpart.
  for (const char* bad : {"\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xFF"}) {
    EXPECT_EQ(utf8::scan(bad, 0).kind, utf8::Scan::Invalid) << bad;
    EXPECT_EQ(utf8::scan(bad, 0).len, 1u) << bad;
  }
  EXPECT_EQ(utf8::scan("\xE2\x82(", 0).kind, utf8::Scan::Invalid);
  EXPECT_EQ(utf8::scan("\xE2\x82(", 0).len, 2u);  // E2 82 is a prefix; "(" ends it
  EXPECT_TRUE(utf8::is_valid("Съешь 🙂"));
  EXPECT_FALSE(utf8::is_valid("abc\xD0"));
}

TEST(TokenizerByteUnicode, RoundTripsAllBytes) {
  EXPECT_EQ(byte_to_unicode(' '), "Ġ");
  EXPECT_EQ(byte_to_unicode('\n'), "Ċ");
  EXPECT_EQ(byte_to_unicode('A'), "A");
  std::string spelled, raw;
  for (int b = 0; b < 256; ++b) {
    spelled += byte_to_unicode(static_cast<unsigned char>(b));
    raw += static_cast<char>(b);
  }
  EXPECT_EQ(unicode_to_bytes(spelled), raw);
  EXPECT_EQ(unicode_to_bytes("ĠÐ¿"), " \xD0\xBF");  // " п" as a byte-level vocabulary spells it
  EXPECT_FALSE(unicode_to_bytes("п").has_value());  // not one of the 256 byte characters
}

TEST(TokenizerBase64, Decodes) {
  EXPECT_EQ(base64_decode("IQ=="), "!");
  EXPECT_EQ(base64_decode("0J/RgNC40LLQtdGC"), "Привет");
  EXPECT_FALSE(base64_decode("a*b").has_value());
}

Pieces split(const std::string& pre, const std::string& text) {
  Pieces out;
  PreTokenizer(pre).split(text, [&](std::string_view p) { out.emplace_back(p); });
  return out;
}

TEST(TokenizerPreTokenizer, Gpt4oKeepsContractionsAndCaseRuns) {
  EXPECT_EQ(split("gpt-4o", "Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(split("gpt-4o", "It's THEY'LL we'Re"), (Pieces{"It's", " THEY'LL", " we'Re"}));
  EXPECT_EQ(split("gpt-4o", "HelloWorld ПриветМир"), (Pieces{"Hello", "World", " Привет", "Мир"}));
  EXPECT_EQ(split("gpt-4o", "1234567"), (Pieces{"123", "456", "7"}));
  EXPECT_EQ(split("gpt-4o", "   abc"), (Pieces{"  ", " abc"}));
  EXPECT_EQ(split("gpt-4o", "a\r\n\r\nb"), (Pieces{"a", "\r\n\r\n", "b"}));
  EXPECT_EQ(split("gpt-4o", "x  \n"), (Pieces{"x", "  \n"}));
  EXPECT_EQ(split("gpt-4o", "foo/bar\n"), (Pieces{"foo", "/bar", "\n"}));
  EXPECT_EQ(split("gpt-4o", "a := b;\n"), (Pieces{"a", " :=", " b", ";\n"}));
}

TEST(TokenizerPreTokenizer, Qwen2SplitsDigitsAndContractions) {
  EXPECT_EQ(split("qwen2", "It's 123"), (Pieces{"It", "'s", " ", "1", "2", "3"}));
  EXPECT_EQ(split("qwen2", "HelloWorld ёлка"), (Pieces{"HelloWorld", " ёлка"}));
  EXPECT_EQ(split("qwen2", "a\n\n  b"), (Pieces{"a", "\n\n", " ", " b"}));
}

TEST(TokenizerPreTokenizer, Gpt2) {
  EXPECT_EQ(split("gpt2", "it's 123456 ok!!"), (Pieces{"it", "'s", " 123456", " ok", "!!"}));
}

// \s is Unicode's White_Space, as in tiktoken, HF (Oniguruma) and llama.cpp: U+0085
// and U+00A0 are spaces; U+180E (which PCRE2's own \s takes) and U+FEFF are not. A
// space pair before a letter splits as "c", "cb"; a non-space pair stays together.
TEST(TokenizerPreTokenizer, WhiteSpaceIsUnicodeWhiteSpace) {
  for (const std::string c : {"\u0085", "\u00A0", "\u3000"}) {
    EXPECT_EQ(split("gpt-4o", "a" + c + c + "b"), (Pieces{"a", c, c + "b"})) << c;
  }
  for (const std::string c : {"\u180E", "\uFEFF"}) {
    EXPECT_EQ(split("gpt-4o", "a" + c + c + "b"), (Pieces{"a", c + c, "b"})) << c;
  }
}

// Contractions are case-insensitive with Unicode case folding, as in tiktoken's regex:
// "'ſ" (long s) counts as "'s".
TEST(TokenizerPreTokenizer, ContractionsFoldCase) {
  EXPECT_EQ(split("gpt-4o", "it'ſ it'S"), (Pieces{"it'ſ", " it'S"}));
}

TEST(TokenizerPreTokenizer, UnknownNameIsAnError) {
  EXPECT_EQ(canonical_pre_tokenizer("gpt-2"), "gpt2");
  EXPECT_FALSE(canonical_pre_tokenizer("llama-bpe").has_value());
  try {
    PreTokenizer p("llama-bpe");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'llama-bpe'"), std::string::npos) << e.what();
  }
}

TEST(TokenizerPreTokenizer, RecognizesPublishedPatterns) {
  EXPECT_EQ(pre_tokenizer_for_pattern(kPatternQwen2), "qwen2");
  EXPECT_EQ(pre_tokenizer_for_pattern(kPatternGpt4o), "gpt-4o");
  EXPECT_FALSE(pre_tokenizer_for_pattern("\\s+").has_value());
}

// Text as "t:...", specials as "#id".
Pieces split_specials(const SpecialTokens& s, const std::string& text, bool parse_special) {
  Pieces out;
  s.split(
      text, parse_special, [&](std::string_view t) { out.push_back("t:" + std::string(t)); },
      [&](int32_t id) { out.push_back("#" + std::to_string(id)); });
  return out;
}

TEST(TokenizerSpecialTokens, ControlOnlyWhenParsingUserDefinedAlways) {
  SpecialTokens s;
  s.add("<|a|>", 1, false);
  s.add("<|ab|>", 2, false);
  s.add("<|a", 4, false);
  s.add("<think>", 3, true);
  EXPECT_EQ(split_specials(s, "x<|ab|>y<think>", false), (Pieces{"t:x<|ab|>y", "#3"}));
  EXPECT_EQ(split_specials(s, "x<|ab|>y<think>", true), (Pieces{"t:x", "#2", "t:y", "#3"}));
  // Leftmost, then longest: "<|a|>" wins over its prefix "<|a".
  EXPECT_EQ(split_specials(s, "<|a|><|a", true), (Pieces{"#1", "#4"}));
  EXPECT_EQ(s.find("<think>"), 3);
  EXPECT_EQ(s.find("<nope>"), -1);
}

}  // namespace
}  // namespace fathom::tokenizer
