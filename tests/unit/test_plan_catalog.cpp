// The catalog derives from the presets and the tensor manifest (one source of truth),
// applies llama.cpp's type rules, and resolves the names people paste.
#include <gtest/gtest.h>

#include <string>

#include "core/dtype.h"
#include "core/error.h"
#include "models/presets.h"
#include "plan/catalog.h"
#include "plan/sources.h"

using namespace fathom;
using namespace fathom::plan;

namespace {

const PlannedTensor& tensor(const ModelSpec& m, const std::string& name) {
  for (const PlannedTensor& t : m.tensors) {
    if (t.name == name) return t;
  }
  throw Error("no tensor " + name);
}

std::string type_of(const ModelSpec& m, const std::string& name) { return type_name(tensor(m, name).type); }

}  // namespace

TEST(PlanCatalog, EveryEntryIsAPresetOfTheSameName) {
  for (const CatalogEntry& e : catalog()) {
    const models::Preset* p = models::find_preset(e.key, models::Arch::Qwen3);
    ASSERT_NE(p, nullptr) << e.key;
    const ModelSpec m = *find_in_catalog(e.key);
    EXPECT_EQ(m.config.n_layer, p->config.n_layer) << e.key;
    EXPECT_EQ(m.config.n_embd, p->config.n_embd) << e.key;
    EXPECT_EQ(m.config.n_expert, p->config.n_expert) << e.key;
    EXPECT_EQ(m.config.n_vocab, p->config.n_vocab) << e.key;
    EXPECT_EQ(m.tensors.size(), models::tensor_manifest(p->config).size()) << e.key;
  }
}

// The presets' shapes against the totals the authors publish (rounded as published).
TEST(PlanCatalog, ParameterCountsMatchThePublishedOnes) {
  const struct {
    const char* name;
    double total_b, tolerance_b;
  } published[] = {{"gpt-oss-20b", 20.91, 0.01},  {"gpt-oss-120b", 116.83, 0.01}, {"qwen3-8b", 8.2, 0.05},
                   {"qwen3-32b", 32.8, 0.05},     {"qwen3-30b-a3b", 30.5, 0.05},  {"qwen3-235b-a22b", 235.0, 0.5}};
  for (const auto& p : published) {
    const double total = summarize(*find_in_catalog(p.name)).total_params / 1e9;
    EXPECT_NEAR(total, p.total_b, p.tolerance_b) << p.name;
  }
  // gpt-oss-120b: "5.1B active"; the embedding table is a lookup, not counted.
  EXPECT_NEAR(summarize(*find_in_catalog("gpt-oss-120b")).active_params / 1e9, 5.13, 0.01);
}

TEST(PlanCatalog, GptOssIsPublishedWithMxfp4ExpertsAndBf16Elsewhere) {
  const ModelSpec m = *find_in_catalog("gpt-oss-120b");
  EXPECT_EQ(m.variant, "mxfp4");
  EXPECT_EQ(type_of(m, "blk.0.ffn_gate_exps.weight"), "mxfp4");
  EXPECT_EQ(type_of(m, "blk.35.ffn_down_exps.weight"), "mxfp4");
  EXPECT_EQ(type_of(m, "blk.0.attn_q.weight"), "bf16");
  EXPECT_EQ(type_of(m, "token_embd.weight"), "bf16");
  EXPECT_EQ(type_of(m, "output.weight"), "bf16");
  EXPECT_EQ(type_of(m, "blk.0.ffn_gate_inp.weight"), "f32");
  EXPECT_EQ(type_of(m, "blk.0.attn_sinks.weight"), "f32");
  // MXFP4: 17 bytes per 32 weights; one expert matrix is 2880 x 2880 x 128.
  EXPECT_EQ(tensor(m, "blk.0.ffn_up_exps.weight").bytes, 2880ull * 2880 * 128 / 32 * 17);
}

// llama.cpp's Q4_K_M: Q6_K for the output and for attn_v / ffn_down in the layers
// use_more_bits picks; by hand for 36 layers: 0-3, 31-35 and 6, 9, ..., 30.
TEST(PlanCatalog, Q4KMMixFollowsLlamaCpp) {
  const ModelSpec m = *find_in_catalog("qwen3-8b:q4_k_m");
  const int q6k_layers[] = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 31, 32, 33, 34, 35};
  int attn_v_q6k = 0, ffn_down_q6k = 0;
  for (const PlannedTensor& t : m.tensors) {
    if (t.type != static_cast<uint32_t>(DType::Q6_K)) continue;
    attn_v_q6k += t.name.find("attn_v.weight") != std::string::npos;
    ffn_down_q6k += t.name.find("ffn_down.weight") != std::string::npos;
  }
  EXPECT_EQ(attn_v_q6k, 18);
  EXPECT_EQ(ffn_down_q6k, 18);
  for (int layer : q6k_layers) {
    EXPECT_EQ(type_of(m, "blk." + std::to_string(layer) + ".attn_v.weight"), "q6_K") << layer;
  }
  EXPECT_EQ(type_of(m, "blk.4.attn_v.weight"), "q4_K");
  EXPECT_EQ(type_of(m, "blk.4.ffn_down.weight"), "q4_K");
  EXPECT_EQ(type_of(m, "blk.4.attn_q.weight"), "q4_K");
  EXPECT_EQ(type_of(m, "output.weight"), "q6_K");
  EXPECT_EQ(type_of(m, "token_embd.weight"), "q4_K");
  EXPECT_EQ(type_of(m, "blk.4.ffn_norm.weight"), "f32");

  const ModelSpec moe = *find_in_catalog("qwen3-30b-a3b:q4_k_m");
  EXPECT_EQ(type_of(moe, "blk.0.ffn_down_exps.weight"), "q6_K");
  EXPECT_EQ(type_of(moe, "blk.7.ffn_down_exps.weight"), "q4_K");
  EXPECT_EQ(type_of(moe, "blk.7.ffn_up_exps.weight"), "q4_K");
  EXPECT_EQ(type_of(moe, "blk.7.ffn_gate_inp.weight"), "f32");
}

TEST(PlanCatalog, Q8AndBf16AreUniform) {
  const ModelSpec q8 = *find_in_catalog("Qwen3-32B-Q8_0");
  EXPECT_EQ(type_of(q8, "output.weight"), "q8_0");
  EXPECT_EQ(type_of(q8, "blk.63.ffn_down.weight"), "q8_0");
  const ModelSpec bf16 = *find_in_catalog("qwen3-32b");
  EXPECT_EQ(bf16.variant, "bf16");
  EXPECT_EQ(tensor(bf16, "blk.0.ffn_up.weight").bytes, 5120ull * 25600 * 2);
}

TEST(PlanCatalog, NamesResolveWithAliasesAndVariantSuffixes) {
  const struct {
    const char* input;
    const char* label;
  } cases[] = {{"gpt-oss-120b", "gpt-oss-120b (mxfp4)"},
               {"gpt-oss:120b", "gpt-oss-120b (mxfp4)"},
               {"openai/gpt-oss-120b", "gpt-oss-120b (mxfp4)"},
               {"OpenAI/GPT-OSS-20B", "gpt-oss-20b (mxfp4)"},
               {"ggml-org/gpt-oss-20b-GGUF", "gpt-oss-20b (mxfp4)"},
               {"Qwen/Qwen3-30B-A3B", "qwen3-30b-a3b (bf16)"},
               {"qwen3:30b-a3b", "qwen3-30b-a3b (bf16)"},
               {"qwen3:30b", "qwen3-30b-a3b (bf16)"},
               {"qwen3:30b-a3b-q4_K_M", "qwen3-30b-a3b (q4_k_m)"},
               {"qwen3-30b-a3b:q4_k_m", "qwen3-30b-a3b (q4_k_m)"},
               {"Qwen3-8B-Q8_0", "qwen3-8b (q8_0)"},
               {"qwen3:235b", "qwen3-235b-a22b (bf16)"}};
  for (const auto& c : cases) {
    const std::optional<ModelSpec> m = find_in_catalog(c.input);
    ASSERT_TRUE(m.has_value()) << c.input;
    EXPECT_EQ(m->label, c.label) << c.input;
  }
  EXPECT_FALSE(find_in_catalog("llama-3-8b").has_value());
}

TEST(PlanCatalog, UnlistedVariantOfAKnownModelIsAnError) {
  try {
    find_in_catalog("gpt-oss-120b:q8_0");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("as mxfp4, not q8_0"), std::string::npos) << e.what();
  }
}

TEST(PlanCatalog, UnknownNamesSuggestTheClosest) {
  EXPECT_EQ(closest_names("qwen3-30b-a3", 1), std::vector<std::string>{"qwen3-30b-a3b"});
  EXPECT_EQ(closest_names("gpt-oss-12b", 2), (std::vector<std::string>{"gpt-oss-120b", "gpt-oss-20b"}));
  try {
    resolve_model("qwen3-30b-a3");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::BadInput);
    EXPECT_NE(std::string(e.what()).find("unknown model 'qwen3-30b-a3'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("closest: qwen3-30b-a3b"), std::string::npos) << e.what();
  }
}
