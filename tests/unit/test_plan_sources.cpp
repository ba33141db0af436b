// Hugging Face folders (config.json + safetensors headers) and bad model arguments.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "formats/safetensors.h"
#include "models/presets.h"
#include "nlohmann/json.hpp"
#include "plan/catalog.h"
#include "plan/sources.h"

using namespace fathom;
using namespace fathom::plan;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A safetensors file holding only its header: planning never needs the data.
void write_safetensors(const fs::path& path, const json& header) {
  const std::string text = header.dump();
  std::ofstream out(path, std::ios::binary);
  const uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << text;
}

json entry(const char* dtype, std::vector<int64_t> shape) {
  return {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {0, 0}}};
}

class PlanHfFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("hf-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_config(const json& j) { std::ofstream(dir_ / "config.json") << j.dump(); }
  fs::path dir_;
};

}  // namespace

// The tiny qwen3 preset as transformers would save it in BF16, split over two files.
TEST_F(PlanHfFolder, Qwen3Bf16MatchesTheCatalogOfTheSameShape) {
  write_config({{"model_type", "qwen3"}, {"vocab_size", 512}, {"max_position_embeddings", 40960},
                {"hidden_size", 256}, {"num_hidden_layers", 3}, {"num_attention_heads", 4},
                {"num_key_value_heads", 2}, {"head_dim", 64}, {"intermediate_size", 512},
                {"rms_norm_eps", 1e-6}, {"rope_theta", 1000000.0}, {"tie_word_embeddings", false}});
  write_safetensors(dir_ / "model-00001-of-00002.safetensors",
                    {{"__metadata__", {{"format", "pt"}}},
                     {"model.embed_tokens.weight", entry("BF16", {512, 256})},
                     {"model.layers.0.self_attn.q_proj.weight", entry("BF16", {256, 256})},
                     {"model.layers.0.input_layernorm.weight", entry("BF16", {256})}});
  write_safetensors(dir_ / "model-00002-of-00002.safetensors",
                    {{"model.layers.0.mlp.down_proj.weight", entry("BF16", {256, 512})},
                     {"lm_head.weight", entry("BF16", {512, 256})}});
  std::ofstream(dir_ / "model.safetensors.index.json")
      << json({{"weight_map",
                {{"model.embed_tokens.weight", "model-00001-of-00002.safetensors"},
                 {"lm_head.weight", "model-00002-of-00002.safetensors"}}}})
             .dump();
  const ModelSpec m = resolve_model(dir_.string());
  EXPECT_EQ(m.source, Source::HfFolder);
  EXPECT_EQ(m.native_variant, "bf16");
  const ModelSpec cat = catalog_model(*models::find_preset("tiny", models::Arch::Qwen3), Variant::Bf16, Variant::Bf16);
  EXPECT_EQ(summarize(m).total_bytes, summarize(cat).total_bytes);
  EXPECT_EQ(m.config.n_ff, 512);
}

// OpenAI's checkpoint layout: experts as MXFP4 blocks + scales (U8), the rest BF16.
TEST_F(PlanHfFolder, GptOssKeepsMxfp4Experts) {
  write_config({{"model_type", "gpt_oss"}, {"vocab_size", 512}, {"max_position_embeddings", 131072},
                {"hidden_size", 256}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                {"num_key_value_heads", 2}, {"head_dim", 64}, {"intermediate_size", 256},
                {"num_local_experts", 8}, {"num_experts_per_tok", 4}, {"sliding_window", 8},
                {"rope_theta", 150000}, {"rms_norm_eps", 1e-5},
                {"rope_scaling", {{"rope_type", "yarn"}, {"factor", 32.0},
                                  {"original_max_position_embeddings", 4096}}}});
  write_safetensors(dir_ / "model.safetensors",
                    {{"model.embed_tokens.weight", entry("BF16", {512, 256})},
                     {"model.layers.0.self_attn.q_proj.weight", entry("BF16", {256, 256})},
                     {"model.layers.0.self_attn.sinks", entry("BF16", {4})},
                     {"model.layers.0.mlp.router.weight", entry("BF16", {8, 256})},
                     {"model.layers.0.mlp.experts.gate_up_proj_blocks", entry("U8", {8, 512, 8, 16})},
                     {"model.layers.0.mlp.experts.gate_up_proj_scales", entry("U8", {8, 512, 8})},
                     {"lm_head.weight", entry("BF16", {512, 256})}});
  const ModelSpec m = model_from_hf_folder(dir_.string());
  EXPECT_EQ(m.native_variant, "mxfp4");
  EXPECT_EQ(m.config.sliding_window, 8);
  EXPECT_FLOAT_EQ(m.config.rope_scaling_factor, 32.0f);
  const ModelSpec cat = catalog_model(*models::find_preset("tiny", models::Arch::GptOss), Variant::Mxfp4, Variant::Mxfp4);
  ASSERT_EQ(m.tensors.size(), cat.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    EXPECT_EQ(m.tensors[i].type, cat.tensors[i].type) << m.tensors[i].name;
  }
}

TEST_F(PlanHfFolder, ProblemsNameTheFile) {
  const auto error_of = [&] {
    try {
      model_from_hf_folder(dir_.string());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of().find("no config.json"), std::string::npos);
  write_config({{"model_type", "llama"}});
  EXPECT_NE(error_of().find("'llama' is not one fathom runs"), std::string::npos);
  write_config({{"model_type", "qwen3"}, {"vocab_size", 512}});
  EXPECT_NE(error_of().find("key max_position_embeddings"), std::string::npos);
  write_config({{"model_type", "qwen3"}, {"vocab_size", 512}, {"max_position_embeddings", 40960},
                {"hidden_size", 256}, {"num_hidden_layers", 3}, {"num_attention_heads", 4},
                {"intermediate_size", 512}});
  EXPECT_NE(error_of().find("no .safetensors files"), std::string::npos);
  write_safetensors(dir_ / "model.safetensors", {{"model.embed_tokens.weight", entry("F8_E4M3", {512, 256})}});
  EXPECT_NE(error_of().find("model.safetensors: tensor model.embed_tokens.weight: stored as F8_E4M3"),
            std::string::npos)
      << error_of();
}

TEST(PlanSafetensors, CorruptHeadersAreErrorsNamingTheFile) {
  const fs::path p = fs::path(::testing::TempDir()) / "corrupt.safetensors";
  const auto error_of = [&](const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
    try {
      safetensors::read_header(p.string());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("abc").find("shorter than 8 bytes"), std::string::npos);
  EXPECT_NE(error_of(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10)).find("header length"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x04\0\0\0\0\0\0\0[1,]", 12)).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x0e\0\0\0\0\0\0\0{\"t\":{\"a\":1}}", 22)).find("tensor t: no dtype"),
            std::string::npos);
  const std::string bad_offsets = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})";
  std::string file(8, '\0');
  file[0] = static_cast<char>(bad_offsets.size());
  EXPECT_NE(error_of(file + bad_offsets).find("data_offsets"), std::string::npos);
  fs::remove(p);
}

TEST(PlanSources, BadGgufIsAnErrorNamingTheFile) {
  const fs::path p = fs::path(::testing::TempDir()) / "not-a-model.gguf";
  std::ofstream(p) << "not a gguf file at all";
  try {
    resolve_model(p.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::BadInput);
    EXPECT_NE(std::string(e.what()).find("not-a-model.gguf"), std::string::npos) << e.what();
  }
  fs::remove(p);
  EXPECT_THROW(resolve_model((fs::path(::testing::TempDir()) / "missing.gguf").string()), Error);
}
