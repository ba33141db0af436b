// Several sequences in one forward pass give each the logits it would get alone: the
// server's continuous batching relies on it for greedy results that do not depend on load.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "test_tiny_model.h"

using namespace fathom;

namespace {

std::vector<int32_t> random_tokens(int64_t n, int64_t n_vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> d(0, static_cast<int32_t>(n_vocab - 1));
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (int32_t& x : t) x = d(rng);
  return t;
}

// Three sequences at different depths, one prefilling a chunk while the others decode,
// against the same steps run one sequence at a time.
void check_batch_equals_alone(models::Arch arch, DType type) {
  ThreadPool pool(2);
  const auto m = tiny_model(arch, type, pool);
  const models::ModelConfig& c = m->model->config();
  const int64_t V = c.n_vocab;
  const std::vector<int64_t> prefix = {5, 11, 1}, step = {1, 9, 1};

  std::vector<models::KvCache> alone, batched;
  std::vector<std::vector<int32_t>> toks;
  for (size_t i = 0; i < prefix.size(); ++i) {
    alone.emplace_back(c, 64, DType::F16);
    batched.emplace_back(c, 64, DType::F16);
    toks.push_back(random_tokens(prefix[i] + step[i], V, static_cast<uint32_t>(7 + i)));
  }
  std::vector<float> scratch(static_cast<size_t>(V));
  for (size_t i = 0; i < prefix.size(); ++i) {
    const std::span<const int32_t> head(toks[i].data(), static_cast<size_t>(prefix[i]));
    m->model->forward(head, alone[i], scratch.data(), false);
    m->model->forward(head, batched[i], scratch.data(), false);
  }
  std::vector<std::vector<float>> want(prefix.size()), got(prefix.size());
  std::vector<models::Sequence> batch;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const bool all = i == 1;  // the chunk asks for every row, the others for their last
    const size_t rows = all ? static_cast<size_t>(step[i]) : 1;
    want[i].resize(rows * V);
    got[i].resize(rows * V);
    const std::span<const int32_t> tail(toks[i].data() + prefix[i], static_cast<size_t>(step[i]));
    m->model->forward(tail, alone[i], want[i].data(), all);
    batch.push_back({tail, &batched[i], got[i].data(), all});
  }
  m->model->forward(batch);
  for (size_t i = 0; i < prefix.size(); ++i) {
    EXPECT_EQ(batched[i].n_past(), prefix[i] + step[i]);
    ASSERT_EQ(want[i], got[i]) << "sequence " << i;
  }
}

}  // namespace

TEST(ModelBatch, GptOssMxfp4RowsEqualAlone) { check_batch_equals_alone(models::Arch::GptOss, DType::MXFP4); }
TEST(ModelBatch, Qwen3MoeQ4KRowsEqualAlone) { check_batch_equals_alone(models::Arch::Qwen3Moe, DType::Q4_K); }
TEST(ModelBatch, Qwen3F16RowsEqualAlone) { check_batch_equals_alone(models::Arch::Qwen3, DType::F16); }

TEST(ModelBatch, SharedCacheIsRefused) {
  ThreadPool pool(1);
  const auto m = tiny_model(models::Arch::Qwen3, DType::F32, pool);
  models::KvCache cache(m->model->config(), 16, DType::F32);
  const std::vector<int32_t> t = {1, 2};
  std::vector<float> logits(static_cast<size_t>(m->model->config().n_vocab));
  const std::vector<models::Sequence> batch = {{t, &cache, logits.data()}, {t, &cache, logits.data()}};
  EXPECT_THROW(m->model->forward(batch), Error);
}
