// Loading validates a file against the architecture's manifest and names what is wrong.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "models/model.h"
#include "models/presets.h"
#include "models/tensors.h"

using namespace fathom;

namespace {

struct Tamper {
  std::string tensor;           // which tensor to change
  uint32_t type = 0;            // new type id (0: keep F32)
  std::vector<int64_t> dims;    // new dims (empty: keep)
  bool drop = false;            // leave the tensor out
};

// A tiny qwen3 file with zeroed F32 weights, one tensor tampered with.
std::string write_model(const Tamper& t) {
  const models::ModelConfig c = models::find_preset("tiny", models::Arch::Qwen3)->config;
  gguf::Writer w;
  models::write_config(w, c);
  for (const models::TensorSpec& s : models::tensor_manifest(c)) {
    if (s.name == t.tensor && t.drop) continue;
    const bool hit = s.name == t.tensor;
    const uint32_t type = hit && t.type ? t.type : 0;
    w.add_tensor(s.name, hit && !t.dims.empty() ? t.dims : s.dims, type,
                 [](uint8_t* dst, uint64_t n) { std::memset(dst, 0, n); });
  }
  // CTest runs each test in its own process, in parallel: the name keeps files apart.
  const std::string path =
      ::testing::TempDir() + "tampered-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".gguf";
  w.write(path);
  return path;
}

std::string load_error(const Tamper& t) {
  const std::string path = write_model(t);
  ThreadPool pool(1);
  const auto f = gguf::File::open(path);
  try {
    models::load_model(*f, pool);
  } catch (const Error& e) {
    std::remove(path.c_str());
    return e.what();
  }
  std::remove(path.c_str());
  return "";
}

}  // namespace

TEST(ModelLoad, UntamperedLoads) { EXPECT_EQ(load_error({.tensor = "none"}), ""); }

TEST(ModelLoad, UnsupportedTypeNamesTensorAndType) {
  const std::string e = load_error({.tensor = "blk.1.attn_q.weight", .type = 3 /* q4_1 */});
  EXPECT_NE(e.find("blk.1.attn_q.weight"), std::string::npos) << e;
  EXPECT_NE(e.find("q4_1"), std::string::npos) << e;
}

TEST(ModelLoad, WrongShapeNamesExpectedAndFound) {
  const std::string e = load_error({.tensor = "blk.0.ffn_up.weight", .dims = {256, 256}});
  EXPECT_NE(e.find("blk.0.ffn_up.weight"), std::string::npos) << e;
  EXPECT_NE(e.find("[256, 256] expected [256, 512]"), std::string::npos) << e;
}

TEST(ModelLoad, MissingTensorIsNamed) {
  const std::string e = load_error({.tensor = "blk.2.attn_k_norm.weight", .drop = true});
  EXPECT_NE(e.find("missing tensor blk.2.attn_k_norm.weight"), std::string::npos) << e;
}

TEST(ModelLoad, QuantizedNormIsRejected) {
  const std::string e = load_error({.tensor = "output_norm.weight", .type = 8 /* q8_0 */});
  EXPECT_NE(e.find("output_norm.weight"), std::string::npos) << e;
}
