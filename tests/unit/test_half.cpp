#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/half.h"

namespace fathom {
namespace {

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

TEST(Half, Fp16KnownValues) {
  EXPECT_EQ(f32_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(f32_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_fp16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_fp16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_fp16(0.5f), 0x3800);
  EXPECT_EQ(f32_to_fp16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_fp16(65519.99f), 0x7bff);
  EXPECT_EQ(f32_to_fp16(65520.0f), 0x7c00);  // tie with an odd mantissa rounds up into inf
  EXPECT_EQ(f32_to_fp16(1e6f), 0x7c00);
  EXPECT_EQ(f32_to_fp16(-1e6f), 0xfc00);
  EXPECT_EQ(f32_to_fp16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(f32_to_fp16(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even (zero)
  EXPECT_EQ(f32_to_fp16(std::ldexp(3.0f, -26)), 0x0001);  // 0.75 ulp rounds up
  EXPECT_EQ(f32_to_fp16(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 ulp: tie to even
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -30)), 0x0000);
  EXPECT_EQ(f32_to_fp16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie, even stays
  EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie, odd goes up
  EXPECT_EQ(f32_to_fp16(std::ldexp(1023.5f, -24)), 0x0400);      // subnormal carries to normal

  EXPECT_EQ(fp16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(fp16_to_f32(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(fp16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(bits(fp16_to_f32(0x8000)), 0x80000000u);
  EXPECT_TRUE(std::isinf(fp16_to_f32(0x7c00)));
  EXPECT_TRUE(std::isinf(fp16_to_f32(0xfc00)) && fp16_to_f32(0xfc00) < 0);
  EXPECT_TRUE(std::isnan(fp16_to_f32(0x7e00)));
  EXPECT_TRUE(std::isnan(fp16_to_f32(0x7c01)));  // signalling payload stays NaN
}

TEST(Half, Fp16NaNStaysNaN) {
  const uint16_t h = f32_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(h & 0x7c00, 0x7c00);
  EXPECT_NE(h & 0x03ff, 0);
  // A NaN whose payload sits only in the low float bits must not become inf.
  uint32_t u = 0x7f800001u;
  float f;
  std::memcpy(&f, &u, sizeof f);
  EXPECT_TRUE(std::isnan(fp16_to_f32(f32_to_fp16(f))));
}

TEST(Half, Fp16RoundTripsEveryValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = fp16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(fp16_to_f32(f32_to_fp16(f)))) << h;
      continue;
    }
    ASSERT_EQ(f32_to_fp16(f), h) << "h=" << h;
  }
}

// Between every pair of neighbouring halves, the midpoint ties to the even one and
// the floats just beside it go to the nearer half: all rounding boundaries, exhaustively.
TEST(Half, Fp16RoundsToNearestEvenAtEveryBoundary) {
  for (uint32_t h = 0; h < 0x7c00; ++h) {
    const float lo = fp16_to_f32(static_cast<uint16_t>(h));
    const float hi = h + 1 == 0x7c00 ? 65536.0f : fp16_to_f32(static_cast<uint16_t>(h + 1));
    const float mid = (lo + hi) / 2;  // exact: halves need 11 bits, the midpoint 12
    const uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : static_cast<uint16_t>(h);
    ASSERT_EQ(f32_to_fp16(mid), even) << "h=" << h;
    ASSERT_EQ(f32_to_fp16(std::nextafter(mid, 0.0f)), h) << "h=" << h;
    ASSERT_EQ(f32_to_fp16(std::nextafter(mid, 1e9f)), h + 1) << "h=" << h;
    ASSERT_EQ(f32_to_fp16(-mid), even | 0x8000) << "h=" << h;
  }
}

TEST(Half, Bf16KnownValues) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // rounds up to inf
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);        // tie, even stays
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(3.0f, -8)), 0x3f82);        // tie, odd goes up
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::denorm_min()), 0x0000);
  EXPECT_EQ(f32_to_bf16(std::ldexp(1.0f, -133)), 0x0001);  // subnormal kept, not flushed
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_f32(0x0001), std::ldexp(1.0f, -133));
  uint32_t u = 0x7f800001u;  // NaN with a low payload only
  float f;
  std::memcpy(&f, &u, sizeof f);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(f))));
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(-std::numeric_limits<float>::quiet_NaN()))));
}

TEST(Half, Bf16RoundTripsAndRoundsToNearestEven) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = bf16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(f))));
      continue;
    }
    ASSERT_EQ(f32_to_bf16(f), h) << "h=" << h;
    if ((h & 0x7fff) >= 0x7f7f) continue;  // next value up is inf or NaN
    const float next = bf16_to_f32(static_cast<uint16_t>(h + 1));
    const float mid = f + (next - f) / 2;  // exact (9 significant bits), and cannot overflow
    const uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : static_cast<uint16_t>(h);
    ASSERT_EQ(f32_to_bf16(mid), even) << "h=" << h;
    ASSERT_EQ(f32_to_bf16(std::nextafter(mid, f)), h) << "h=" << h;
    ASSERT_EQ(f32_to_bf16(std::nextafter(mid, next)), h + 1) << "h=" << h;
  }
}

}  // namespace
}  // namespace fathom
