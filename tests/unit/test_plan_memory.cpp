// Weight bytes are exact for files (from the header) and the catalog agrees with synth;
// KV-cache bytes match values computed by hand.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/presets.h"
#include "models/synth.h"
#include "plan/catalog.h"
#include "plan/memory.h"
#include "plan/plan.h"
#include "plan/sources.h"
#include "test_plan_util.h"

using namespace fathom;
using namespace fathom::plan;

namespace {

struct SynthCase {
  models::Arch arch;
  DType type;
  std::optional<DType> expert_type;
};

std::string synth_file(const SynthCase& c, const std::string& tag) {
  const std::string path = ::testing::TempDir() + "plan-" + tag + ".gguf";
  models::SynthOptions o;
  o.type = c.type;
  o.expert_type = c.expert_type;
  ThreadPool pool(2);
  models::synth(models::find_preset("tiny", c.arch)->config, o, path, pool);
  return path;
}

const SynthCase kCases[] = {
    {models::Arch::Qwen3, DType::F32, {}},          {models::Arch::Qwen3, DType::F16, {}},
    {models::Arch::Qwen3, DType::Q4_K, {}},         {models::Arch::Qwen3, DType::Q6_K, {}},
    {models::Arch::Qwen3Moe, DType::Q8_0, DType::Q4_0}, {models::Arch::Qwen3Moe, DType::BF16, {}},
    {models::Arch::GptOss, DType::MXFP4, {}},       {models::Arch::GptOss, DType::Q5_K, DType::MXFP4},
};

}  // namespace

// Whatever the placement, the planned weights are the file's tensor bytes, exactly.
TEST(PlanMemory, GgufWeightBytesAreTheFilesTensorBytes) {
  int i = 0;
  for (const SynthCase& c : kCases) {
    const std::string path = synth_file(c, std::to_string(i++));
    const uint64_t file_bytes = gguf::File::open(path, {.header_only = true})->tensor_bytes();
    const ModelSpec m = model_from_gguf(path);
    EXPECT_EQ(summarize(m).total_bytes, file_bytes) << path;
    for (const auto& gpus : {std::vector<uint64_t>{}, std::vector<uint64_t>{test::kGiB}}) {
      const Plan p = make_plan(m, test::machine(gpus, 64 * test::kGiB), {});
      uint64_t placed = 0;
      for (const DeviceLoad& d : p.placement.chosen.devices) placed += d.weights;
      EXPECT_EQ(placed, file_bytes) << path;
    }
    std::remove(path.c_str());
  }
}

// A download cut short still plans exactly: only the header is read.
TEST(PlanMemory, TruncatedGgufPlansFromItsHeader) {
  const std::string path = synth_file({models::Arch::Qwen3, DType::Q8_0, {}}, "cut");
  const uint64_t bytes = gguf::File::open(path, {.header_only = true})->tensor_bytes();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  EXPECT_EQ(summarize(model_from_gguf(path)).total_bytes, bytes);
  std::remove(path.c_str());
}

// The catalog computes, from the same preset and manifest, the bytes synth writes.
TEST(PlanMemory, CatalogBytesEqualSynthFilesOfTheSamePreset) {
  const struct {
    models::Arch arch;
    Variant variant;
    DType synth_type;
  } cases[] = {{models::Arch::GptOss, Variant::Mxfp4, DType::MXFP4},
               {models::Arch::Qwen3Moe, Variant::Bf16, DType::BF16},
               {models::Arch::Qwen3, Variant::Q8_0, DType::Q8_0}};
  int i = 0;
  for (const auto& c : cases) {
    const std::string path = synth_file({c.arch, c.synth_type, {}}, "cat" + std::to_string(i++));
    const ModelSpec file = model_from_gguf(path);
    const ModelSpec cat = catalog_model(*models::find_preset("tiny", c.arch), c.variant, c.variant);
    ASSERT_EQ(cat.tensors.size(), file.tensors.size());
    for (size_t t = 0; t < cat.tensors.size(); ++t) {
      EXPECT_EQ(cat.tensors[t].name, file.tensors[t].name);
      EXPECT_EQ(cat.tensors[t].type, file.tensors[t].type) << cat.tensors[t].name;
      EXPECT_EQ(cat.tensors[t].bytes, file.tensors[t].bytes) << cat.tensors[t].name;
    }
    std::remove(path.c_str());
  }
}

TEST(PlanMemory, KvCacheBytesByHand) {
  const auto kv = [](const char* model, int64_t ctx, int64_t parallel, DType type) {
    return kv_bytes(find_in_catalog(model)->config, {ctx, parallel, type});
  };
  // gpt-oss-120b: 18 full-attention layers x K and V x 8 KV heads x 64 x 2 bytes x 131072,
  // plus the 18 sliding layers at their 128-token window.
  EXPECT_EQ(kv("gpt-oss-120b", 131072, 1, DType::F16),
            18ull * 2 * 8 * 64 * 2 * 131072 + 18ull * 2 * 8 * 64 * 2 * 128);
  EXPECT_EQ(kv("gpt-oss-120b", 131072, 1, DType::F16), 4836556800ull);
  EXPECT_EQ(kv("gpt-oss-20b", 131072, 1, DType::F16), 12ull * 2048 * 131072 + 12ull * 2048 * 128);
  // A context shorter than the window: sliding layers keep the whole context.
  EXPECT_EQ(kv("gpt-oss-20b", 100, 1, DType::F16), 24ull * 2 * 8 * 64 * 2 * 100);
  // qwen3-30b-a3b: 48 layers x K and V x 4 KV heads x 128 x 2 bytes x 40960.
  EXPECT_EQ(kv("qwen3-30b-a3b", 40960, 1, DType::F16), 48ull * 2 * 4 * 128 * 2 * 40960);
  // q8_0: 34 bytes per 32 values; 2 sequences double it. qwen3-8b: 36 layers, 8 KV heads x 128.
  EXPECT_EQ(kv("qwen3-8b", 40960, 2, DType::Q8_0), 36ull * 2 * (1024 / 32 * 34) * 40960 * 2);
  EXPECT_EQ(kv("qwen3-235b-a22b", 32768, 1, DType::F16), 94ull * 2 * 4 * 128 * 2 * 32768);
}

TEST(PlanMemory, ComputeBufferFormula) {
  const models::ModelConfig c = find_in_catalog("gpt-oss-120b")->config;
  // 4 bytes x 512 tokens x (6 x 2880 + 2 x 4096 + 3 x 4 x 2880 [+ 201088 logits]).
  EXPECT_EQ(compute_buffer_bytes(c, false), 4ull * 512 * (6 * 2880 + 2 * 4096 + 3 * 4 * 2880));
  EXPECT_EQ(compute_buffer_bytes(c, true), 4ull * 512 * (6 * 2880 + 2 * 4096 + 3 * 4 * 2880 + 201088));
}
