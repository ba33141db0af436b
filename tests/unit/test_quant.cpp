#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/half.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/quant.h"

namespace fathom::kernels {
namespace {

const DType kWeightTypes[] = {DType::F32,   DType::F16,  DType::BF16, DType::Q8_0, DType::Q4_0,
                              DType::MXFP4, DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::string name(DType t) { return type_name(static_cast<uint32_t>(t)); }
int64_t block_of(DType t) { return type_traits(static_cast<uint32_t>(t))->block_elems; }
bool is_float(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

std::vector<float> gaussian(int64_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<uint8_t> quantized(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, static_cast<int64_t>(x.size())));
  quantize_row(t, x.data(), q.data(), static_cast<int64_t>(x.size()));
  return q;
}

std::vector<float> dequantized(DType t, const void* q, int64_t n) {
  std::vector<float> x(n);
  dequantize_row(t, q, x.data(), n);
  return x;
}

// An activation row converted for weights of type w, back to floats.
std::vector<float> activation_values(DType w, const void* act, int64_t n) {
  std::vector<float> x(n);
  dequantize_activation(w, act, x.data(), n);
  return x;
}

void put_half(uint8_t* p, float v) {
  const uint16_t h = f32_to_fp16(v);
  std::memcpy(p, &h, 2);
}

// Random bytes for every quant, with the scale fields set to sane values so
// the whole code range (q = -128 for Q8_0, negative Q6_K scales, ...) is covered.
std::vector<uint8_t> random_blocks(DType t, int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> scale(0.001f, 0.02f);
  std::vector<uint8_t> q(row_bytes(t, n));
  for (auto& b : q) b = static_cast<uint8_t>(rng());
  const int64_t bb = type_traits(static_cast<uint32_t>(t))->block_bytes;
  for (uint8_t* b = q.data(); b < q.data() + q.size(); b += bb) {
    switch (t) {
      case DType::Q4_0:
      case DType::Q8_0: put_half(b, (rng() & 1 ? -1 : 1) * scale(rng)); break;
      case DType::MXFP4: b[0] = static_cast<uint8_t>(118 + rng() % 16); break;
      case DType::Q4_K:
      case DType::Q5_K:
        put_half(b, scale(rng));
        put_half(b + 2, scale(rng));
        break;
      case DType::Q6_K: put_half(b + 208, scale(rng)); break;
      default: break;
    }
  }
  return q;
}

double abs_dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::fabs(static_cast<double>(a[i]) * b[i]);
  return s;
}

double dot64(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// ---------------------------------------------------------------- type table

TEST(QuantTypes, TraitsMatchGgml) {
  struct Row {
    uint32_t id;
    const char* name;
    int64_t elems, bytes;
    bool supported;
  };
  const Row rows[] = {
      {0, "f32", 1, 4, true},          {1, "f16", 1, 2, true},          {2, "q4_0", 32, 18, true},
      {3, "q4_1", 32, 20, false},      {6, "q5_0", 32, 22, false},      {7, "q5_1", 32, 24, false},
      {8, "q8_0", 32, 34, true},       {9, "q8_1", 32, 36, false},      {10, "q2_K", 256, 84, false},
      {11, "q3_K", 256, 110, false},   {12, "q4_K", 256, 144, true},    {13, "q5_K", 256, 176, true},
      {14, "q6_K", 256, 210, true},    {15, "q8_K", 256, 292, false},   {16, "iq2_xxs", 256, 66, false},
      {17, "iq2_xs", 256, 74, false},  {18, "iq3_xxs", 256, 98, false}, {19, "iq1_s", 256, 50, false},
      {20, "iq4_nl", 32, 18, false},   {21, "iq3_s", 256, 110, false},  {22, "iq2_s", 256, 82, false},
      {23, "iq4_xs", 256, 136, false}, {24, "i8", 1, 1, false},         {25, "i16", 1, 2, false},
      {26, "i32", 1, 4, false},        {27, "i64", 1, 8, false},        {28, "f64", 1, 8, false},
      {29, "iq1_m", 256, 56, false},   {30, "bf16", 1, 2, true},        {34, "tq1_0", 256, 54, false},
      {35, "tq2_0", 256, 66, false},   {39, "mxfp4", 32, 17, true},
  };
  for (const Row& r : rows) {
    const TypeTraits* t = type_traits(r.id);
    ASSERT_NE(t, nullptr) << r.id;
    EXPECT_STREQ(t->name, r.name);
    EXPECT_EQ(t->block_elems, r.elems) << r.name;
    EXPECT_EQ(t->block_bytes, r.bytes) << r.name;
    EXPECT_EQ(t->supported, r.supported) << r.name;
  }
  EXPECT_EQ(type_traits(4), nullptr);
  EXPECT_EQ(type_traits(5), nullptr);
  EXPECT_EQ(type_traits(40), nullptr);
  for (uint32_t id : {31u, 32u, 33u, 36u, 37u, 38u}) {
    ASSERT_NE(type_traits(id), nullptr);
    EXPECT_FALSE(type_traits(id)->supported);
  }
  EXPECT_EQ(type_name(12), "q4_K");
  EXPECT_EQ(type_name(57), "type#57");
}

TEST(QuantTypes, ParseAndRowBytes) {
  DType t;
  ASSERT_TRUE(parse_dtype("Q4_K", &t));
  EXPECT_EQ(t, DType::Q4_K);
  ASSERT_TRUE(parse_dtype("mxFP4", &t));
  EXPECT_EQ(t, DType::MXFP4);
  ASSERT_TRUE(parse_dtype("bf16", &t));
  EXPECT_EQ(t, DType::BF16);
  EXPECT_FALSE(parse_dtype("q4_1", &t));  // known to ggml, not a DType
  EXPECT_FALSE(parse_dtype("q4", &t));
  EXPECT_FALSE(parse_dtype("", &t));
  EXPECT_EQ(row_bytes(DType::Q4_K, 512), 288);
  EXPECT_EQ(row_bytes(DType::F16, 7), 14);
  EXPECT_THROW(row_bytes(DType::Q4_0, 33), Error);
  EXPECT_THROW(row_bytes(DType::Q6_K, 128), Error);
}

// ---------------------------------------------------------- hand-built blocks

TEST(QuantLayout, Q4_0) {
  std::vector<uint8_t> b(18);
  put_half(b.data(), 0.5f);
  for (int j = 0; j < 16; ++j) b[2 + j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  const auto x = dequantized(DType::Q4_0, b.data(), 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(x[j], (j - 8) * 0.5f) << j;
    EXPECT_EQ(x[j + 16], (7 - j) * 0.5f) << j;
  }
}

TEST(QuantLayout, Q8_0) {
  std::vector<uint8_t> b(34);
  put_half(b.data(), 0.25f);
  for (int j = 0; j < 32; ++j) b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(j * 8 - 128));
  const auto x = dequantized(DType::Q8_0, b.data(), 32);
  for (int j = 0; j < 32; ++j) EXPECT_EQ(x[j], (j * 8 - 128) * 0.25f) << j;
}

TEST(QuantLayout, MXFP4) {
  // E2M1 codes: sign bit 3, then exponent/mantissa for 0, .5, 1, 1.5, 2, 3, 4, 6.
  const float e2m1[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  std::vector<uint8_t> b(17);
  b[0] = 127 + 3;  // shared scale 2^3
  for (int j = 0; j < 16; ++j) b[1 + j] = static_cast<uint8_t>(j | ((j * 5 % 16) << 4));
  const auto x = dequantized(DType::MXFP4, b.data(), 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(x[j], e2m1[j] * 8) << j;
    EXPECT_EQ(x[j + 16], e2m1[j * 5 % 16] * 8) << j;
  }
}

// The 12 scale bytes of Q4_K/Q5_K, written from the documented bit layout.
void pack_k4_scales(const int sc[8], const int m[8], uint8_t* out) {
  for (int j = 0; j < 4; ++j) {
    out[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    out[j + 4] = static_cast<uint8_t>((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    out[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
  }
}

const int kSc[8] = {1, 7, 20, 63, 33, 48, 5, 62};
const int kMin[8] = {0, 3, 17, 63, 40, 9, 31, 50};

// Element e of a K-quant super-block sits in 64-element chunk e/64, byte e%32 of
// that chunk, low nibble for the first 32 elements of the chunk, high for the rest.
int q4_at(const uint8_t* qs, int e) {
  const uint8_t byte = qs[(e / 64) * 32 + e % 32];
  return (e % 64) < 32 ? byte & 15 : byte >> 4;
}

TEST(QuantLayout, Q4_K) {
  std::vector<uint8_t> b(144);
  put_half(b.data(), 1.0f);
  put_half(b.data() + 2, 0.5f);
  pack_k4_scales(kSc, kMin, b.data() + 4);
  for (int i = 0; i < 128; ++i) b[16 + i] = static_cast<uint8_t>(i * 37 + 11);
  const auto x = dequantized(DType::Q4_K, b.data(), 256);
  for (int e = 0; e < 256; ++e) {
    const int sub = e / 32;
    EXPECT_EQ(x[e], 1.0f * kSc[sub] * q4_at(b.data() + 16, e) - 0.5f * kMin[sub]) << e;
  }
}

TEST(QuantLayout, Q5_K) {
  std::vector<uint8_t> b(176);
  put_half(b.data(), 0.25f);
  put_half(b.data() + 2, 2.0f);
  pack_k4_scales(kSc, kMin, b.data() + 4);
  for (int i = 0; i < 32; ++i) b[16 + i] = static_cast<uint8_t>(i * 73 + 5);   // qh
  for (int i = 0; i < 128; ++i) b[48 + i] = static_cast<uint8_t>(i * 29 + 3);  // qs
  const auto x = dequantized(DType::Q5_K, b.data(), 256);
  for (int e = 0; e < 256; ++e) {
    const int sub = e / 32;
    // The fifth bit of element e is bit `sub` of qh[e % 32].
    const int q = q4_at(b.data() + 48, e) + (((b[16 + e % 32] >> sub) & 1) << 4);
    EXPECT_EQ(x[e], 0.25f * kSc[sub] * q - 2.0f * kMin[sub]) << e;
  }
}

// Q6_K element e: half h = e/128, quarter k = (e%128)/32, l = e%32. Low 4 bits in
// ql[64h + 32(k%2) + l] (low nibble for k < 2), high 2 bits at bit 2k of qh[32h + l],
// scale scales[8h + 2k + l/16].
TEST(QuantLayout, Q6_K) {
  int q[256];
  for (int e = 0; e < 256; ++e) q[e] = (e * 7 + 3) % 64;
  int8_t scales[16];
  for (int i = 0; i < 16; ++i) scales[i] = static_cast<int8_t>(i * 17 - 128);
  std::vector<uint8_t> b(210, 0);
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, k = (e % 128) / 32, l = e % 32;
    uint8_t& lo = b[64 * h + 32 * (k % 2) + l];
    lo |= static_cast<uint8_t>((q[e] & 15) << (k < 2 ? 0 : 4));
    b[128 + 32 * h + l] |= static_cast<uint8_t>((q[e] >> 4) << (2 * k));
  }
  std::memcpy(b.data() + 192, scales, 16);
  put_half(b.data() + 208, 0.125f);
  const auto x = dequantized(DType::Q6_K, b.data(), 256);
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, k = (e % 128) / 32, l = e % 32;
    EXPECT_EQ(x[e], 0.125f * scales[8 * h + 2 * k + l / 16] * (q[e] - 32)) << e;
  }
}

// Q8_K activations: d, 256 int8, then 16 int16 sums of 16 consecutive quants.
TEST(QuantLayout, Q8_KActivations) {
  auto x = gaussian(256, 7);
  x[3] = 5.0f;
  x[10] = -5.0f;  // same magnitude later: the first one sets the scale's sign
  std::vector<uint8_t> q(292);
  quantize_row(DType::Q8_K, x.data(), q.data(), 256);
  float d;
  std::memcpy(&d, q.data(), 4);
  EXPECT_FLOAT_EQ(d, -5.0f / 127);
  const auto* qs = reinterpret_cast<const int8_t*>(q.data() + 4);
  EXPECT_EQ(qs[3], -127);
  EXPECT_EQ(qs[10], 127);
  for (int g = 0; g < 16; ++g) {
    int sum = 0;
    for (int i = 0; i < 16; ++i) sum += qs[16 * g + i];
    int16_t bs;
    std::memcpy(&bs, q.data() + 260 + 2 * g, 2);
    EXPECT_EQ(bs, sum) << g;
  }
}

// ------------------------------------------------------------ round trips

TEST(QuantRoundTrip, ErrorWithinBounds) {
  // Relative RMS error of dequantize(quantize(x)) on Gaussian data.
  const struct {
    DType t;
    double bound;
  } cases[] = {
      {DType::F32, 0.0},   {DType::F16, 5e-4}, {DType::BF16, 4e-3}, {DType::Q8_0, 0.01},  {DType::Q4_0, 0.15},
      {DType::MXFP4, 0.2}, {DType::Q4_K, 0.1}, {DType::Q5_K, 0.05}, {DType::Q6_K, 0.025},
  };
  const int64_t n = 256 * 8;
  const auto x = gaussian(n, 42);
  for (const auto& c : cases) {
    const auto q = quantized(c.t, x);
    const auto y = dequantized(c.t, q.data(), n);
    double err = 0, ref = 0;
    for (int64_t i = 0; i < n; ++i) {
      err += (x[i] - y[i]) * (x[i] - y[i]);
      ref += x[i] * x[i];
    }
    EXPECT_LE(std::sqrt(err / ref), c.bound) << name(c.t);
    // Quantizing the dequantized values again is exact for these grids.
    if (c.t == DType::Q8_0 || c.t == DType::F16 || c.t == DType::BF16 || c.t == DType::MXFP4) {
      EXPECT_EQ(quantized(c.t, y), q) << name(c.t);
    }
  }
}

TEST(QuantRoundTrip, ZeroBlocksStayZero) {
  const std::vector<float> zeros(512, 0.0f);
  for (DType t : kWeightTypes) {
    const auto q = quantized(t, zeros);
    for (float v : dequantized(t, q.data(), 512)) ASSERT_EQ(v, 0.0f) << name(t);
  }
}

TEST(QuantRoundTrip, RejectsBadRows) {
  std::vector<float> x(64);
  std::vector<uint8_t> q(1024);
  EXPECT_THROW(quantize_row(DType::Q4_0, x.data(), q.data(), 48), Error);
  EXPECT_THROW(dequantize_row(DType::Q4_K, q.data(), x.data(), 64), Error);
  EXPECT_THROW(quantize_row(static_cast<DType>(3), x.data(), q.data(), 32), Error);
  EXPECT_THROW(vec_dot(DType::Q8_K, 256, q.data(), q.data()), Error);
  EXPECT_THROW(activation_type(DType::Q8_K), Error);
}

// ---------------------------------------------------------------- dot products

// Restores the CPU's best level when a test that forces levels ends.
struct LevelGuard {
  DispatchLevel saved = dispatch_level();
  ~LevelGuard() { set_dispatch_level(saved); }
};

TEST(QuantDispatch, LevelsAreOrderedAndSettable) {
  LevelGuard guard;
  const auto levels = supported_dispatch_levels();
  ASSERT_FALSE(levels.empty());
  EXPECT_EQ(levels.front(), DispatchLevel::Scalar);
  EXPECT_EQ(dispatch_level(), levels.back());  // the best one is picked by default
  for (DispatchLevel l : levels) {
    set_dispatch_level(l);
    EXPECT_EQ(dispatch_level(), l);
  }
  if (levels.back() != DispatchLevel::AVX512_BF16) {
    EXPECT_THROW(set_dispatch_level(DispatchLevel::AVX512_BF16), Error);
  }
}

// F16 rows (weights and the KV cache) convert bit-identically at every level, at
// lengths that leave a tail after the 8-wide SIMD steps, specials included.
TEST(QuantDispatch, F16RowsMatchScalarBitForBit) {
  LevelGuard guard;
  for (int64_t n : {1, 7, 37, 129}) {
    std::vector<uint16_t> h(static_cast<size_t>(n));
    std::mt19937 rng(static_cast<uint32_t>(n));
    for (uint16_t& v : h) v = static_cast<uint16_t>(rng());
    h[0] = 0x7C00;                   // +inf
    if (n > 1) h[1] = 0x0001;        // smallest subnormal
    if (n > 2) h[2] = 0xFE00;        // a NaN
    std::vector<float> ref(h.size());
    set_dispatch_level(DispatchLevel::Scalar);
    dequantize_row(DType::F16, h.data(), ref.data(), n);
    for (DispatchLevel l : supported_dispatch_levels()) {
      set_dispatch_level(l);
      std::vector<float> got(h.size(), -1.0f);
      dequantize_row(DType::F16, h.data(), got.data(), n);
      EXPECT_EQ(std::memcmp(got.data(), ref.data(), ref.size() * sizeof(float)), 0)
          << "n=" << n << " at " << dispatch_level_name(l);
    }
  }
}

// Activation quantizers are bit-identical across levels, ties included.
TEST(QuantDispatch, ActivationQuantizersMatchScalarBitForBit) {
  LevelGuard guard;
  auto x = gaussian(256 * 13, 3, 2.0f);
  // A block with amax 127 quantizes with scale 1: x.5 values are exact ties.
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j) - 15.5f;
  x[31] = 127.0f;
  // A Q8_K block whose first largest value is negative, with ties at scale 1.
  for (int j = 0; j < 256; ++j) x[256 + j] = static_cast<float>(j % 64) - 31.5f;
  x[256 + 5] = -127.0f;
  x[256 + 9] = 127.0f;
  std::fill(x.begin() + 512, x.begin() + 768, 0.0f);  // an all-zero Q8_K block
  for (DType w : {DType::Q8_0, DType::Q4_K, DType::BF16}) {
    const DType a = activation_type(w);
    const int64_t n = static_cast<int64_t>(x.size());
    std::vector<uint8_t> ref(row_bytes(a, n));
    quantize_row(a, x.data(), ref.data(), n);
    for (DispatchLevel l : supported_dispatch_levels()) {
      set_dispatch_level(l);
      std::vector<uint8_t> got(ref.size(), 0xAA);
      quantize_activation(w, x.data(), got.data(), n);
      EXPECT_EQ(got, ref) << name(a) << " at " << dispatch_level_name(l);
    }
  }
}

// MXFP4's regrouped activations hold exactly Q8_0's values and are bit-identical
// across levels, bias lanes included; 29 blocks end in a partial group of one.
TEST(QuantDispatch, Mxfp4ActivationsAreQ8_0Regrouped) {
  LevelGuard guard;
  const int64_t n = 32 * 29;
  const auto x = gaussian(n, 4, 3.0f);
  std::vector<uint8_t> q8(row_bytes(DType::Q8_0, n));
  quantize_row(DType::Q8_0, x.data(), q8.data(), n);
  const auto want = dequantized(DType::Q8_0, q8.data(), n);
  ASSERT_EQ(activation_row_bytes(DType::MXFP4, n), n * 2);
  set_dispatch_level(DispatchLevel::Scalar);
  std::vector<uint8_t> ref(activation_row_bytes(DType::MXFP4, n));
  quantize_activation(DType::MXFP4, x.data(), ref.data(), n);
  EXPECT_EQ(activation_values(DType::MXFP4, ref.data(), n), want);
  // Lane 2 of block 28 (the last): minus 12 times the sum of its eight elements.
  const int8_t* b28 = reinterpret_cast<const int8_t*>(q8.data() + 28 * 34 + 2);
  int32_t sum = 0;
  for (int j = 8; j < 12; ++j) sum += b28[j] + b28[16 + j];
  int32_t bias;
  std::memcpy(&bias, ref.data() + 28 * 64 + 48 + 8, sizeof bias);
  EXPECT_EQ(bias, -12 * sum);
  for (DispatchLevel l : supported_dispatch_levels()) {
    set_dispatch_level(l);
    std::vector<uint8_t> got(ref.size(), 0xAA);
    quantize_activation(DType::MXFP4, x.data(), got.data(), n);
    EXPECT_EQ(got, ref) << dispatch_level_name(l);
  }
}

struct DotCase {
  DType t;
  std::vector<uint8_t> w;  // rows x row bytes
  std::vector<float> x;    // activations, float
  int64_t n, rows;
};

std::vector<int64_t> sizes_for(DType t) {
  if (is_float(t)) return {1, 7, 37, 129, 256};
  const int64_t b = block_of(t);
  return {b, 2 * b, 3 * b, 7 * b, 13 * b};
}

// Random rows: half quantized from Gaussian data, half raw random blocks.
DotCase make_case(DType t, int64_t n, int64_t rows, uint32_t seed) {
  DotCase c{t, {}, gaussian(n, seed * 7 + 1), n, rows};
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<uint8_t> row = (is_float(t) || r % 2 == 0) ? quantized(t, gaussian(n, seed + 100 * r))
                                                           : random_blocks(t, n, seed + 100 * r);
    c.w.insert(c.w.end(), row.begin(), row.end());
  }
  return c;
}

TEST(QuantDot, EveryLevelMatchesScalar) {
  LevelGuard guard;
  for (DispatchLevel level : supported_dispatch_levels()) {
    set_dispatch_level(level);
    for (DType t : kWeightTypes) {
      for (int64_t n : sizes_for(t)) {
        for (int64_t rows : {1, 5, 17}) {
          const DotCase c = make_case(t, n, rows, static_cast<uint32_t>(n * 31 + rows));
          std::vector<uint8_t> act(activation_row_bytes(t, n));
          quantize_activation(t, c.x.data(), act.data(), n);
          const auto a = activation_values(t, act.data(), n);
          const int64_t wb = row_bytes(t, n);
          for (int64_t r = 0; r < rows; ++r) {
            const uint8_t* wr = c.w.data() + r * wb;
            const float simd = vec_dot(t, n, wr, act.data());
            const float ref = vec_dot_scalar(t, n, wr, act.data());
            const double mag = abs_dot(dequantized(t, wr, n), a);
            ASSERT_NEAR(simd, ref, 2e-6 * mag + 1e-30)
                << name(t) << " n=" << n << " row=" << r << " at " << dispatch_level_name(level);
          }
        }
      }
    }
  }
}

// E8M0 exponents 0 and 1 decode to float subnormals, which the SIMD scale paths
// build separately; large activations keep the products normal.
TEST(QuantDot, MXFP4SubnormalScales) {
  LevelGuard guard;
  const int64_t n = 32 * 9;  // two groups of four blocks and a tail block
  std::vector<uint8_t> w = random_blocks(DType::MXFP4, n, 99);
  for (int64_t b = 0; b < n / 32; ++b) w[b * 17] = static_cast<uint8_t>(b % 4);
  auto x = gaussian(n, 98, 1e6f);
  std::vector<uint8_t> act(activation_row_bytes(DType::MXFP4, n));
  quantize_activation(DType::MXFP4, x.data(), act.data(), n);
  const double mag = abs_dot(dequantized(DType::MXFP4, w.data(), n), activation_values(DType::MXFP4, act.data(), n));
  ASSERT_GT(mag, 1e-30);
  const float ref = vec_dot_scalar(DType::MXFP4, n, w.data(), act.data());
  for (DispatchLevel l : supported_dispatch_levels()) {
    set_dispatch_level(l);
    EXPECT_NEAR(vec_dot(DType::MXFP4, n, w.data(), act.data()), ref, 2e-6 * mag) << dispatch_level_name(l);
  }
}

// The scalar dot equals the float64 dot of what the blocks decode to.
TEST(QuantDot, ScalarMatchesDequantizedFloat64) {
  for (DType t : kWeightTypes) {
    for (int64_t n : sizes_for(t)) {
      const DotCase c = make_case(t, n, 4, static_cast<uint32_t>(n + 5));
      std::vector<uint8_t> act(activation_row_bytes(t, n));
      quantize_activation(t, c.x.data(), act.data(), n);
      const auto a = activation_values(t, act.data(), n);
      const int64_t wb = row_bytes(t, n);
      for (int64_t r = 0; r < 4; ++r) {
        const auto w = dequantized(t, c.w.data() + r * wb, n);
        const double want = dot64(w, a);
        const float got = vec_dot_scalar(t, n, c.w.data() + r * wb, act.data());
        ASSERT_NEAR(got, want, 2e-6 * abs_dot(w, a) + 1e-30) << name(t) << " n=" << n << " row=" << r;
      }
    }
  }
}

// The quantized dot approximates the float one: activation rounding stays small.
TEST(QuantDot, ApproximatesFloatDot) {
  for (DType t : kWeightTypes) {
    const int64_t n = 1024;
    const auto wf = gaussian(n, 11);
    const auto x = gaussian(n, 12);
    const auto wq = quantized(t, wf);
    const auto w = dequantized(t, wq.data(), n);
    std::vector<uint8_t> act(activation_row_bytes(t, n));
    quantize_activation(t, x.data(), act.data(), n);
    EXPECT_NEAR(vec_dot(t, n, wq.data(), act.data()), dot64(w, x), 5e-3 * abs_dot(w, x)) << name(t);
  }
}

}  // namespace
}  // namespace fathom::kernels
