#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "runtime/sampler.h"

using fathom::runtime::Sampler;
using fathom::runtime::SamplerParams;

namespace {

SamplerParams greedy() {
  SamplerParams p;
  p.temperature = 0.0f;
  return p;
}

std::map<int32_t, int> histogram(SamplerParams p, const std::vector<float>& logits, int n) {
  Sampler s(p);
  std::map<int32_t, int> h;
  for (int i = 0; i < n; ++i) ++h[s.sample(logits, {})];
  return h;
}

}  // namespace

TEST(Sampler, GreedyPicksArgmaxAndLowerIndexOnTies) {
  Sampler s(greedy());
  EXPECT_EQ(s.sample(std::vector<float>{0.1f, 3.0f, -1.0f, 2.9f}, {}), 1);
  EXPECT_EQ(s.sample(std::vector<float>{1.0f, 2.0f, 2.0f}, {}), 1);
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplerParams p;
  p.top_k = 1;
  p.temperature = 5.0f;
  const auto h = histogram(p, {0.0f, 1.0f, 0.5f, 0.9f}, 200);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.begin()->first, 1);
}

TEST(Sampler, TopPKeepsSmallestSetReachingP) {
  // Probabilities at T=1: ~[0.64, 0.24, 0.09, 0.03]; top_p 0.8 keeps the first two.
  SamplerParams p;
  p.top_k = 0;
  p.min_p = 0.0f;
  p.top_p = 0.8f;
  p.temperature = 1.0f;
  const auto h = histogram(p, {3.0f, 2.0f, 1.0f, 0.0f}, 2000);
  EXPECT_EQ(h.count(2), 0u);
  EXPECT_EQ(h.count(3), 0u);
  EXPECT_GT(h.at(0), h.at(1));
}

TEST(Sampler, MinPDropsTokensBelowFractionOfTop) {
  SamplerParams p;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.2f;  // keeps p >= 0.2 * 0.64: tokens 0 and 1 (0.24) but not 2 (0.09)
  p.temperature = 1.0f;
  const auto h = histogram(p, {3.0f, 2.0f, 1.0f, 0.0f}, 2000);
  EXPECT_EQ(h.count(2), 0u);
  EXPECT_GT(h.at(1), 0);
}

TEST(Sampler, SameSeedSameSequence) {
  SamplerParams p;
  p.seed = 42;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.temperature = 1.0f;
  const std::vector<float> logits(50, 0.0f);
  Sampler a(p), b(p);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.sample(logits, {}), b.sample(logits, {}));
}

TEST(Sampler, TemperatureSpreadsChoices) {
  SamplerParams p;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.temperature = 0.01f;
  EXPECT_EQ(histogram(p, {1.0f, 0.8f}, 500).size(), 1u);  // nearly greedy
  p.temperature = 10.0f;
  EXPECT_EQ(histogram(p, {1.0f, 0.8f}, 500).size(), 2u);
}

TEST(Sampler, RepetitionPenaltyChangesGreedyChoice) {
  SamplerParams p = greedy();
  p.repeat_penalty = 2.0f;  // 2.0 -> 1.0 for the seen token
  Sampler s(p);
  const std::vector<int32_t> history{0};
  EXPECT_EQ(s.sample(std::vector<float>{2.0f, 1.5f}, history), 1);
}

TEST(Sampler, PresenceAndFrequencyPenalties) {
  SamplerParams p = greedy();
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.25f;  // token 0 seen twice: 2.0 - 0.5 - 0.5 = 1.0 < 1.2
  Sampler s(p);
  const std::vector<int32_t> history{0, 0};
  EXPECT_EQ(s.sample(std::vector<float>{2.0f, 1.2f}, history), 1);
}
