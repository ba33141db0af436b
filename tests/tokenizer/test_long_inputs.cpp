// 1 MB inputs that defeat naive tokenizers: one endless word, endless whitespace,
// digits, emoji, random bytes. Each must encode and round-trip. Their speed is a
// benchmark's business (tests/tokenizer/bench.sh), not a timed test's: BPE is
// O(n log n) per piece and the split regex linear, so a quadratic regression shows
// there as minutes rather than seconds.
#include <gtest/gtest.h>

#include <random>

#include "corpus.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/utf8.h"

namespace fathom::tokenizer::testing {
namespace {

constexpr size_t kMiB = 1 << 20;

std::string repeat_to_mib(const std::string& unit) {
  std::string s;
  while (s.size() < kMiB) s += unit;
  return s;
}

std::vector<std::pair<std::string, std::string>> long_inputs() {
  std::mt19937 rng(7);
  std::string random_bytes(kMiB, '\0');
  for (char& c : random_bytes) c = static_cast<char>(rng() & 0xFF);
  return {
      {"one Latin word", repeat_to_mib("a")},
      {"one Cyrillic word", repeat_to_mib("ё")},
      {"one mixed-case word", repeat_to_mib("ПриветWorld")},
      {"spaces", repeat_to_mib(" ")},
      {"newlines", repeat_to_mib("\n")},
      {"CRLF and tabs", repeat_to_mib("\r\n\t ")},
      {"digits", repeat_to_mib("1234567890")},
      {"punctuation", repeat_to_mib("!?.,")},
      {"emoji ZWJ", repeat_to_mib("👨‍👩‍👧‍👦")},
      {"CJK", repeat_to_mib("我想在apple工作")},
      {"random bytes", random_bytes},
  };
}

// The text as a normalizing tokenizer sees it: its valid UTF-8 stretches in NFC.
std::string nfc_runs(const std::string& text) {
  std::string out;
  size_t run = 0;
  const auto flush_run = [&](size_t end) {
    std::string nfc;
    const std::string_view valid = std::string_view(text).substr(run, end - run);
    out += to_nfc(valid, nfc) ? std::string_view(nfc) : valid;
  };
  for (size_t i = 0; i < text.size();) {
    const utf8::Scan sc = utf8::scan(text, i);
    if (sc.kind == utf8::Scan::Valid) {
      i += sc.len;
      continue;
    }
    flush_run(i);
    out.append(text, i, sc.len);
    i += sc.len;
    run = i;
  }
  flush_run(text.size());
  return out;
}

void expect_exact(const Tokenizer& tok, bool normalizes) {
  for (const auto& [name, text] : long_inputs()) {
    const std::vector<int32_t> ids = tok.encode(text);
    EXPECT_TRUE(tok.decode(ids) == (normalizes ? nfc_runs(text) : text)) << name << ": round trip differs";
  }
}

TEST(TokenizerLongInputs, O200kRoundTripsOneMebibyteInputs) { expect_exact(o200k_harmony(), false); }
TEST(TokenizerLongInputs, Qwen3RoundTripsOneMebibyteInputs) { expect_exact(qwen3(), true); }

}  // namespace
}  // namespace fathom::tokenizer::testing
