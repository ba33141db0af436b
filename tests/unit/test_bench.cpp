// fathom bench's building blocks: the probe's read kernels agree with their scalar
// twin at every dispatch level, and the statistics and token ids are what they claim.
// Speed itself is never tested.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/probe.h"
#include "runtime/bench.h"

namespace fathom {
namespace {

// Restores the best level however a test ends.
struct LevelGuard {
  ~LevelGuard() { kernels::set_dispatch_level(kernels::supported_dispatch_levels().back()); }
};

TEST(BenchProbe, ReadSumMatchesScalarOnOddSizesAndOffsets) {
  LevelGuard guard;
  std::vector<uint8_t> buf(100003 + 64);  // the largest start plus the largest length fits
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint8_t>(i * 131 + 7);
  for (kernels::DispatchLevel level : kernels::supported_dispatch_levels()) {
    kernels::set_dispatch_level(level);
    // Odd lengths and unaligned starts exercise the vector loop's tail and loadu.
    for (int64_t start : {0, 1, 3, 61}) {
      for (int64_t n : {int64_t{0}, int64_t{7}, int64_t{255}, int64_t{257}, int64_t{99999}}) {
        EXPECT_EQ(kernels::read_sum(buf.data() + start, n), kernels::read_sum_scalar(buf.data() + start, n))
            << kernels::dispatch_level_name(level) << " start " << start << " n " << n;
      }
    }
  }
}

TEST(BenchProbe, ReadSumScalarIsTheWordSum) {
  const uint8_t bytes[11] = {1, 0, 0, 0, 0, 0, 0, 1, 5, 6, 7};
  EXPECT_EQ(kernels::read_sum_scalar(bytes, 11), (uint64_t{1} << 56) + 1 + 5 + 6 + 7);
}

TEST(BenchProbe, BurnLoopsCountTheirWorkAtEveryLevel) {
  LevelGuard guard;
  for (kernels::DispatchLevel level : kernels::supported_dispatch_levels()) {
    kernels::set_dispatch_level(level);
    EXPECT_GT(kernels::fma_burn(16), 0.0) << kernels::dispatch_level_name(level);
    EXPECT_GT(kernels::int8_burn(16), 0.0) << kernels::dispatch_level_name(level);
    EXPECT_DOUBLE_EQ(kernels::fma_burn(32), 2 * kernels::fma_burn(16));
  }
}

TEST(Bench, MeanAndSampleStandardDeviation) {
  const runtime::MeanSd m = runtime::mean_sd({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(m.mean, 5.0);
  EXPECT_NEAR(m.sd, std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_EQ(runtime::mean_sd({3.5}).sd, 0.0);
}

TEST(Bench, TokensAreDeterministicAndInVocabulary) {
  const auto a = runtime::bench_tokens(1000, 97, 2);
  EXPECT_EQ(a, runtime::bench_tokens(1000, 97, 2));
  EXPECT_NE(a, runtime::bench_tokens(1000, 97, 3));
  for (int32_t id : a) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 97);
  }
}

TEST(Bench, TestNamesFollowLlamaBench) {
  using K = runtime::BenchTest::Kind;
  EXPECT_EQ((runtime::BenchTest{K::Prompt, 512, 0}.name()), "pp512");
  EXPECT_EQ((runtime::BenchTest{K::Generate, 128, 4096}.name()), "tg128 @ d4096");
}

}  // namespace
}  // namespace fathom
