// Tokenizers of real files: GPT-2's vocabulary GGUF (written by llama.cpp's converter)
// against llama.cpp's vectors, and the vocabularies `fathom synth` writes into its
// gpt-oss and Qwen3 models.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "../tokenizer/vectors.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/presets.h"
#include "models/synth.h"
#include "tokenizer/tokenizer.h"

namespace fathom::tokenizer {
namespace {

namespace fs = std::filesystem;

TEST(TokenizerModels, Gpt2GgufMatchesLlamaCppVectors) {
  const std::string base = std::string(FATHOM_SHARED_DIR) + "/tokenizer-vectors/ggml-vocab-gpt-2.gguf";
  const auto tok = Tokenizer::from_gguf(*gguf::File::open(base));
  EXPECT_EQ(tok->pre_tokenizer(), "gpt2");
  const auto vectors = testing::read_vectors(base);
  ASSERT_EQ(vectors.size(), 46u);
  for (size_t i = 0; i < vectors.size(); ++i) {
    const auto& [text, want] = vectors[i];
    EXPECT_EQ(tok->encode(text), want) << "string " << i << " \"" << text << "\"";
    EXPECT_EQ(tok->decode(want), text) << "string " << i;
  }
}

std::unique_ptr<Tokenizer> synth_tokenizer(models::Arch arch) {
  const fs::path path = fs::temp_directory_path() /
                        ("fathom-tokenizer-synth-" + std::to_string(::getpid()) + models::arch_name(arch) + ".gguf");
  ThreadPool pool(1);
  models::synth(models::find_preset("tiny", arch)->config, {}, path.string(), pool);
  auto tok = Tokenizer::from_gguf(*gguf::File::open(path.string()));
  fs::remove(path);
  return tok;
}

const std::vector<std::string> kTexts = {
    "The quick brown fox jumps over the lazy dog.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Мы измеряем скорость модели на своей машине: 12 345,67 ₽ «ёлочки».",
    "emoji 👨‍👩‍👧‍👦 and\ttabs\r\nCRLF   spaces",
    "def f(x):\n    return x * 2\n",
    "bytes that are not UTF-8: \xFF\xC3(\xE2\x82",
};

void expect_round_trips(const Tokenizer& tok) {
  for (const std::string& text : kTexts) {
    const std::vector<int32_t> ids = tok.encode(text);
    EXPECT_EQ(tok.decode(ids), text);
    EXPECT_TRUE(std::all_of(ids.begin(), ids.end(), [&](int32_t id) { return id >= 0 && id < tok.n_vocab(); }));
  }
}

TEST(TokenizerModels, SynthGptOssVocabularyRoundTrips) {
  const auto tok = synth_tokenizer(models::Arch::GptOss);
  EXPECT_EQ(tok->pre_tokenizer(), "gpt-4o");
  expect_round_trips(*tok);
  const int32_t start = tok->find_special("<|start|>"), ret = tok->find_special("<|return|>");
  ASSERT_GE(start, 0);
  EXPECT_EQ(tok->encode("<|start|>assistant", true).front(), start);
  const std::vector<int32_t> eog = tok->end_of_generation();
  EXPECT_NE(std::find(eog.begin(), eog.end(), ret), eog.end());
  EXPECT_EQ(std::find(eog.begin(), eog.end(), tok->find_special("<|end|>")),
            eog.end());  // harmony goes on after <|end|>
}

TEST(TokenizerModels, SynthQwen3VocabularyRoundTrips) {
  const auto tok = synth_tokenizer(models::Arch::Qwen3);
  EXPECT_EQ(tok->pre_tokenizer(), "qwen2");
  expect_round_trips(*tok);
  const int32_t im_end = tok->find_special("<|im_end|>");
  EXPECT_EQ(tok->encode("hi<|im_end|>", true).back(), im_end);
  EXPECT_EQ(tok->eos(), im_end);
}

}  // namespace
}  // namespace fathom::tokenizer
