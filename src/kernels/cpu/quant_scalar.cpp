// Scalar reference kernels. Quantizers follow ggml's *_ref functions operation by
// operation so that files written here and by ggml agree byte for byte.
#include <cassert>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "kernels/cpu/quant_blocks.h"
#include "kernels/cpu/quant_kernels.h"

namespace fathom::kernels::detail {
namespace {

// ggml's nearest_int: round-half-even via the 1.5*2^23 trick (|x| < 2^22).
inline int nearest_int(float fval) {
  assert(std::fabs(fval) <= 4194303.f);
  const float val = fval + 12582912.f;
  int i;
  std::memcpy(&i, &val, sizeof i);
  return (i & 0x007fffff) - 0x00400000;
}

// ---- plain floats ----

void dequant_f16(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) y[i] = fp16_to_f32(x[i]);
}

void dequant_bf16(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_f32(x[i]);
}

void quant_f16(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_fp16(x[i]);
}

void quant_bf16(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

// ---- Q4_0 / Q8_0 / MXFP4 ----

void dequant_q4_0(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_q4_0*>(src);
  for (int64_t i = 0; i < n / QK4_0; ++i, y += QK4_0) {
    const float d = fp16_to_f32(x[i].d);
    for (int j = 0; j < QK4_0 / 2; ++j) {
      y[j] = ((x[i].qs[j] & 0x0F) - 8) * d;
      y[j + QK4_0 / 2] = ((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void quant_q4_0(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q4_0*>(dst);
  for (int64_t i = 0; i < n / QK4_0; ++i, x += QK4_0) {
    float amax = 0.0f, max = 0.0f;  // the signed value of largest magnitude
    for (int j = 0; j < QK4_0; ++j) {
      if (amax < std::fabs(x[j])) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8;
    const float id = d ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    for (int j = 0; j < QK4_0 / 2; ++j) {
      const int xi0 = static_cast<int8_t>(x[j] * id + 8.5f);
      const int xi1 = static_cast<int8_t>(x[j + QK4_0 / 2] * id + 8.5f);
      y[i].qs[j] = static_cast<uint8_t>((xi0 < 15 ? xi0 : 15) | ((xi1 < 15 ? xi1 : 15) << 4));
    }
  }
}

void dequant_q8_0(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_q8_0*>(src);
  for (int64_t i = 0; i < n / QK8_0; ++i, y += QK8_0) {
    const float d = fp16_to_f32(x[i].d);
    for (int j = 0; j < QK8_0; ++j) y[j] = x[i].qs[j] * d;
  }
}

void quant_q8_0(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q8_0*>(dst);
  for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
    float amax = 0.0f;
    for (int j = 0; j < QK8_0; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    for (int j = 0; j < QK8_0; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
  }
}

void dequant_mxfp4(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_mxfp4*>(src);
  for (int64_t i = 0; i < n / QK_MXFP4; ++i, y += QK_MXFP4) {
    const float d = e8m0_to_fp32_half(x[i].e);
    for (int j = 0; j < QK_MXFP4 / 2; ++j) {
      y[j] = kvalues_mxfp4[x[i].qs[j] & 0x0F] * d;
      y[j + QK_MXFP4 / 2] = kvalues_mxfp4[x[i].qs[j] >> 4] * d;
    }
  }
}

// First of the closest codes, as ggml's best_index_mxfp4 (so +0 wins over -0).
int best_index_mxfp4(float x, float d) {
  int best = 0;
  float best_err = std::fabs(kvalues_mxfp4[0] * d - x);
  for (int i = 1; i < 16; ++i) {
    const float err = std::fabs(kvalues_mxfp4[i] * d - x);
    if (err < best_err) {
      best = i;
      best_err = err;
    }
  }
  return best;
}

void quant_mxfp4(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_mxfp4*>(dst);
  for (int64_t i = 0; i < n / QK_MXFP4; ++i, x += QK_MXFP4) {
    float amax = 0.0f;
    for (int j = 0; j < QK_MXFP4; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    // The largest code (6 = 2^2 * 1.5) lands near amax. ggml casts a negative
    // exponent straight to uint8 (undefined); blocks that tiny clamp to 0 here.
    float e = amax > 0.0f ? std::floor(std::log2(amax)) - 2 + 127 : 0.0f;
    if (e < 0) e = 0;
    y[i].e = static_cast<uint8_t>(e);
    const float d = e8m0_to_fp32_half(y[i].e);
    for (int j = 0; j < QK_MXFP4 / 2; ++j) {
      y[i].qs[j] =
          static_cast<uint8_t>(best_index_mxfp4(x[j], d) | (best_index_mxfp4(x[j + QK_MXFP4 / 2], d) << 4));
    }
  }
}

// ---- K-quant helpers (ggml's make_qkx2_quants / make_qx_quants) ----

// Fits x ~ scale*L - min with L in [0, nmax] by a weighted least-squares search
// over candidate inverse scales; returns scale, *the_min = min (>= 0).
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* the_min,
                       uint8_t* Laux, float rmin, float rdelta, int nstep, bool use_mad) {
  float min = x[0], max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *the_min = -min;
    return 0.f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    const int l = nearest_int(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(l < 0 ? 0 : l > nmax ? nmax : l);
    float diff = scale * L[i] + min - x[i];
    diff = use_mad ? std::fabs(diff) : diff * diff;
    best_error += weights[i] * diff;
  }
  if (nstep < 1) {
    *the_min = -min;
    return scale;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      int l = nearest_int(iscale * (x[i] - min));
      l = l < 0 ? 0 : l > nmax ? nmax : l;
      Laux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      sum_l += w * l;
      sum_l2 += w * l * l;
      sum_xl += w * l * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        float diff = this_scale * Laux[i] + this_min - x[i];
        diff = use_mad ? std::fabs(diff) : diff * diff;
        cur_error += weights[i] * diff;
      }
      if (cur_error < best_error) {
        for (int i = 0; i < n; ++i) L[i] = Laux[i];
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

// Symmetric fit x ~ scale*(L - nmax), L in [0, 2*nmax); rmse_type 1 weights by x^2.
float make_qx_quants(int n, int nmax, const float* x, int8_t* L, int rmse_type) {
  float max = 0, amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < 1e-15f) {  // ggml's GROUP_MAX_EPS: all zero
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.f;
  }
  auto clampl = [nmax](int l) { return l < -nmax ? -nmax : l > nmax - 1 ? nmax - 1 : l; };
  auto weight = [rmse_type](float v) {
    return rmse_type == 1   ? v * v
           : rmse_type == 2 ? 1.0f
           : rmse_type == 3 ? std::fabs(v)
                            : std::sqrt(std::fabs(v));
  };
  float iscale = -nmax / max;
  if (rmse_type == 0) {
    for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(nmax + clampl(nearest_int(iscale * x[i])));
    return 1 / iscale;
  }
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = clampl(nearest_int(iscale * x[i]));
    L[i] = static_cast<int8_t>(l + nmax);
    const float w = weight(x[i]);
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  float scale = suml2 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(nmax + 0.1f * is) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = clampl(nearest_int(iscale * x[i]));
      const float w = weight(x[i]);
      sumlx += w * x[i] * l;
      suml2 += w * l * l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(nmax + clampl(nearest_int(iscale * x[i])));
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// Packs 6-bit scales and mins of 8 sub-blocks into a K-quant's 12 bytes.
void pack_scale_min_k4(const uint8_t* ls, const uint8_t* lm, uint8_t* q) {
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      q[j] = ls[j];
      q[j + 4] = lm[j];
    } else {
      q[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
      q[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
      q[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
  }
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): per-sub-block affine fits, then
// 6-bit quantized scales/mins, then L re-derived against the stored values.
void quant_k_affine(const float* x, int nmax, float rmin, int nstep, uint16_t* d_out, uint16_t* dmin_out,
                    uint8_t* scales_out, uint8_t* L) {
  uint8_t Laux[32];
  float weights[32], mins[QK_K / 32], scales[QK_K / 32];
  float max_scale = 0, max_min = 0;
  for (int j = 0; j < QK_K / 32; ++j) {
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
    scales[j] =
        make_qkx2_quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, rmin, 0.1f, nstep, false);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  uint8_t ls[8], lm[8];
  for (int j = 0; j < QK_K / 32; ++j) {
    // ggml stores nearest_int into a uint8_t before clamping; mirror the wrap.
    const uint8_t s = static_cast<uint8_t>(nearest_int(inv_scale * scales[j]));
    const uint8_t m = static_cast<uint8_t>(nearest_int(inv_min * mins[j]));
    ls[j] = s < 63 ? s : 63;
    lm[j] = m < 63 ? m : 63;
  }
  pack_scale_min_k4(ls, lm, scales_out);
  *d_out = f32_to_fp16(max_scale / 63.f);
  *dmin_out = f32_to_fp16(max_min / 63.f);
  for (int j = 0; j < QK_K / 32; ++j) {
    uint8_t sc, m;
    get_scale_min_k4(j, scales_out, &sc, &m);
    const float d = fp16_to_f32(*d_out) * sc;
    if (!d) continue;
    const float dm = fp16_to_f32(*dmin_out) * m;
    for (int ii = 0; ii < 32; ++ii) {
      const int l = nearest_int((x[32 * j + ii] + dm) / d);
      L[32 * j + ii] = static_cast<uint8_t>(l < 0 ? 0 : l > nmax ? nmax : l);
    }
  }
}

// ---- Q4_K ----

void dequant_q4_K(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_q4_K*>(src);
  for (int64_t i = 0; i < n / QK_K; ++i) {
    const float d = fp16_to_f32(x[i].d);
    const float min = fp16_to_f32(x[i].dmin);
    const uint8_t* q = x[i].qs;
    for (int j = 0; j < QK_K / 64; ++j, q += 32) {
      uint8_t sc, m;
      get_scale_min_k4(2 * j, x[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      get_scale_min_k4(2 * j + 1, x[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

void quant_q4_K(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q4_K*>(dst);
  uint8_t L[QK_K];
  for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
    quant_k_affine(x, 15, -1.f, 20, &y[i].d, &y[i].dmin, y[i].scales, L);
    uint8_t* q = y[i].qs;
    for (int j = 0; j < QK_K; j += 64, q += 32) {
      for (int l = 0; l < 32; ++l) q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
    }
  }
}

// ---- Q5_K ----

void dequant_q5_K(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_q5_K*>(src);
  for (int64_t i = 0; i < n / QK_K; ++i) {
    const float d = fp16_to_f32(x[i].d);
    const float min = fp16_to_f32(x[i].dmin);
    const uint8_t* ql = x[i].qs;
    const uint8_t* qh = x[i].qh;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < QK_K / 64; ++j, ql += 32, u1 <<= 2, u2 <<= 2) {
      uint8_t sc, m;
      get_scale_min_k4(2 * j, x[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      get_scale_min_k4(2 * j + 1, x[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
  }
}

void quant_q5_K(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q5_K*>(dst);
  uint8_t L[QK_K];
  for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
    quant_k_affine(x, 31, -0.5f, 15, &y[i].d, &y[i].dmin, y[i].scales, L);
    uint8_t* qh = y[i].qh;
    uint8_t* ql = y[i].qs;
    std::memset(qh, 0, QK_K / 8);
    uint8_t m1 = 1, m2 = 2;
    for (int b = 0; b < QK_K; b += 64, ql += 32, m1 <<= 2, m2 <<= 2) {
      for (int j = 0; j < 32; ++j) {
        int l1 = L[b + j], l2 = L[b + j + 32];
        if (l1 > 15) {
          l1 -= 16;
          qh[j] |= m1;
        }
        if (l2 > 15) {
          l2 -= 16;
          qh[j] |= m2;
        }
        ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
      }
    }
  }
}

// ---- Q6_K ----

void dequant_q6_K(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_q6_K*>(src);
  for (int64_t i = 0; i < n / QK_K; ++i) {
    const float d = fp16_to_f32(x[i].d);
    const uint8_t* ql = x[i].ql;
    const uint8_t* qh = x[i].qh;
    const int8_t* sc = x[i].scales;
    for (int b = 0; b < QK_K; b += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

void quant_q6_K(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q6_K*>(dst);
  int8_t L[QK_K];
  float scales[QK_K / 16];
  for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < QK_K / 16; ++ib) {
      scales[ib] = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib, 1);
      if (std::fabs(scales[ib]) > max_abs_scale) {
        max_abs_scale = std::fabs(scales[ib]);
        max_scale = scales[ib];
      }
    }
    if (max_abs_scale < 1e-15f) {
      std::memset(&y[i], 0, sizeof(block_q6_K));
      continue;
    }
    const float iscale = -128.f / max_scale;
    y[i].d = f32_to_fp16(1 / iscale);
    for (int ib = 0; ib < QK_K / 16; ++ib) {
      const int s = nearest_int(iscale * scales[ib]);
      y[i].scales[ib] = static_cast<int8_t>(s < 127 ? s : 127);
    }
    for (int j = 0; j < QK_K / 16; ++j) {
      const float d = fp16_to_f32(y[i].d) * y[i].scales[j];
      if (!d) continue;
      for (int ii = 0; ii < 16; ++ii) {
        int l = nearest_int(x[16 * j + ii] / d);
        l = l < -32 ? -32 : l > 31 ? 31 : l;
        L[16 * j + ii] = static_cast<int8_t>(l + 32);
      }
    }
    uint8_t* ql = y[i].ql;
    uint8_t* qh = y[i].qh;
    for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF;
        const uint8_t q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
        ql[l] = static_cast<uint8_t>(q1 | (q3 << 4));
        ql[l + 32] = static_cast<uint8_t>(q2 | (q4 << 4));
        qh[l] = static_cast<uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                     ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
      }
    }
  }
}

// ---- Q8_K (activations) ----

void dequant_q8_K(const void* src, float* y, int64_t n) {
  const auto* x = static_cast<const block_q8_K*>(src);
  for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
    for (int j = 0; j < QK_K; ++j) y[j] = x[i].d * x[i].qs[j];
  }
}

void quant_q8_K(const float* x, void* dst, int64_t n) {
  auto* y = static_cast<block_q8_K*>(dst);
  for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
    float max = 0, amax = 0;  // first value of largest magnitude: it fixes the sign of d
    for (int j = 0; j < QK_K; ++j) {
      const float ax = std::fabs(x[j]);
      if (ax > amax) {
        amax = ax;
        max = x[j];
      }
    }
    if (!amax) {
      std::memset(&y[i], 0, sizeof(block_q8_K));
      continue;
    }
    const float iscale = -127.f / max;
    for (int j = 0; j < QK_K; ++j) {
      const int v = nearest_int(iscale * x[j]);
      y[i].qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
    }
    for (int j = 0; j < QK_K / 16; ++j) {
      int sum = 0;
      for (int ii = 0; ii < 16; ++ii) sum += y[i].qs[j * 16 + ii];
      y[i].bsums[j] = static_cast<int16_t>(sum);
    }
    y[i].d = 1 / iscale;
  }
}

// ---- dot products ----

float dot_f32(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const float*>(w);
  const auto* a = static_cast<const float*>(act);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * a[i];
  return static_cast<float>(s);
}

float dot_f16(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* a = static_cast<const float*>(act);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(fp16_to_f32(x[i])) * a[i];
  return static_cast<float>(s);
}

// BF16 weights take BF16 activations (as ggml does): the products of two bf16 are
// exact in float, and AVX512-BF16 multiplies such pairs natively.
float dot_bf16(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* a = static_cast<const uint16_t*>(act);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(bf16_to_f32(x[i])) * bf16_to_f32(a[i]);
  return static_cast<float>(s);
}

float dot_q8_0(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const block_q8_0*>(w);
  const auto* y = static_cast<const block_q8_0*>(act);
  float sumf = 0;
  for (int64_t i = 0; i < n / QK8_0; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK8_0; ++j) sumi += x[i].qs[j] * y[i].qs[j];
    sumf += sumi * (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d));
  }
  return sumf;
}

float dot_q4_0(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const block_q4_0*>(w);
  const auto* y = static_cast<const block_q8_0*>(act);
  float sumf = 0;
  for (int64_t i = 0; i < n / QK4_0; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK4_0 / 2; ++j) {
      sumi += ((x[i].qs[j] & 0x0F) - 8) * y[i].qs[j];
      sumi += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + QK4_0 / 2];
    }
    sumf += sumi * (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d));
  }
  return sumf;
}

float dot_mxfp4(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const block_mxfp4*>(w);
  const auto* row = static_cast<const uint8_t*>(act);
  const int64_t nb = n / QK_MXFP4;
  float sumf = 0;
  for (int64_t g = 0; g < nb; g += kMxGroupBlocks) {
    const MxGroupView<const uint8_t> a = mx_group(row, nb, g);
    const auto* lo = reinterpret_cast<const int8_t*>(a.lo);
    const auto* hi = reinterpret_cast<const int8_t*>(a.hi);
    for (int b = 0; b < a.k; ++b) {
      const block_mxfp4& blk = x[g + b];
      int sumi = 0;
      for (int j = 0; j < QK_MXFP4 / 2; ++j) {
        sumi += kvalues_mxfp4[blk.qs[j] & 0x0F] * lo[16 * b + j];
        sumi += kvalues_mxfp4[blk.qs[j] >> 4] * hi[16 * b + j];
      }
      float d;
      std::memcpy(&d, a.d + 16 * b, sizeof d);
      sumf += sumi * (e8m0_to_fp32_half(blk.e) * d);
    }
  }
  return sumf;
}

// Q4_K/Q5_K: sum_j d*sc_j*(q.a)_j - dmin*m_j*(sum a)_j, the second term from bsums.
// Q5_K is Q4_K plus a fifth bit per weight, in qh (bit 2j for the low nibbles of
// sub-block pair j, bit 2j+1 for the high ones).
template <class Block, bool kFifthBit>
float dot_q45_K(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const block_q8_K*>(act);
  float sumf = 0;
  for (int64_t i = 0; i < n / QK_K; ++i) {
    const uint8_t* q = x[i].qs;
    const int8_t* a = y[i].qs;
    int sumi = 0, summ = 0;
    for (int j = 0; j < QK_K / 64; ++j, q += 32, a += 64) {
      uint8_t sc1, m1, sc2, m2;
      get_scale_min_k4(2 * j, x[i].scales, &sc1, &m1);
      get_scale_min_k4(2 * j + 1, x[i].scales, &sc2, &m2);
      int s1 = 0, s2 = 0;
      for (int l = 0; l < 32; ++l) {
        int lo = q[l] & 0xF, hi = q[l] >> 4;
        if constexpr (kFifthBit) {
          lo += (x[i].qh[l] >> (2 * j) & 1) << 4;
          hi += (x[i].qh[l] >> (2 * j + 1) & 1) << 4;
        }
        s1 += lo * a[l];
        s2 += hi * a[l + 32];
      }
      sumi += sc1 * s1 + sc2 * s2;
      summ += m1 * (y[i].bsums[4 * j] + y[i].bsums[4 * j + 1]) +
              m2 * (y[i].bsums[4 * j + 2] + y[i].bsums[4 * j + 3]);
    }
    sumf += y[i].d * (fp16_to_f32(x[i].d) * sumi - fp16_to_f32(x[i].dmin) * summ);
  }
  return sumf;
}

float dot_q6_K(int64_t n, const void* w, const void* act) {
  const auto* x = static_cast<const block_q6_K*>(w);
  const auto* y = static_cast<const block_q8_K*>(act);
  float sumf = 0;
  for (int64_t i = 0; i < n / QK_K; ++i) {
    const uint8_t* ql = x[i].ql;
    const uint8_t* qh = x[i].qh;
    const int8_t* sc = x[i].scales;
    const int8_t* a = y[i].qs;
    int sumi = 0;
    for (int b = 0; b < QK_K; b += 128, ql += 64, qh += 32, sc += 8, a += 128) {
      int s[8] = {};  // per 16-element group: sc index is + 2*k for quarter k
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        s[is + 0] += (((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32) * a[l];
        s[is + 2] += (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32) * a[l + 32];
        s[is + 4] += (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32) * a[l + 64];
        s[is + 6] += (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32) * a[l + 96];
      }
      for (int k = 0; k < 8; ++k) sumi += sc[k] * s[k];
    }
    sumf += y[i].d * fp16_to_f32(x[i].d) * sumi;
  }
  return sumf;
}

void f16_row(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_f32(src[i]);
}

void dot_rows(const float* q, const float* rows, int64_t n, int64_t d, float* s) {
  for (int64_t j = 0; j < n; ++j) {
    float acc = 0.0f;
    for (int64_t i = 0; i < d; ++i) acc += q[i] * rows[j * d + i];
    s[j] = acc;
  }
}

void axpy_rows(const float* p, const float* rows, int64_t n, int64_t d, float* out) {
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < d; ++i) out[i] += p[j] * rows[j * d + i];
  }
}

KernelTable make_scalar_table() {
  KernelTable t;
  t.vec_dot[slot(DType::F32)] = dot_f32;
  t.vec_dot[slot(DType::F16)] = dot_f16;
  t.vec_dot[slot(DType::BF16)] = dot_bf16;
  t.vec_dot[slot(DType::Q8_0)] = dot_q8_0;
  t.vec_dot[slot(DType::Q4_0)] = dot_q4_0;
  t.vec_dot[slot(DType::MXFP4)] = dot_mxfp4;
  t.vec_dot[slot(DType::Q4_K)] = dot_q45_K<block_q4_K, false>;
  t.vec_dot[slot(DType::Q5_K)] = dot_q45_K<block_q5_K, true>;
  t.vec_dot[slot(DType::Q6_K)] = dot_q6_K;
  t.quantize_q8_0 = quant_q8_0;
  t.quantize_q8_K = quant_q8_K;
  t.f16_to_f32 = f16_row;
  t.dot_rows = dot_rows;
  t.axpy_rows = axpy_rows;
  return t;
}

}  // namespace

const KernelTable& scalar_kernels() {
  static const KernelTable table = make_scalar_table();
  return table;
}

void regroup_q8_0_for_mxfp4(const void* q8_0, void* dst, int64_t n) {
  const auto* y = static_cast<const block_q8_0*>(q8_0);
  auto* row = static_cast<uint8_t*>(dst);
  const int64_t nb = n / QK8_0;
  for (int64_t g = 0; g < nb; g += kMxGroupBlocks) {
    const MxGroupView<uint8_t> a = mx_group(row, nb, g);
    for (int b = 0; b < a.k; ++b) {
      const block_q8_0& blk = y[g + b];
      std::memcpy(a.lo + 16 * b, blk.qs, 16);
      std::memcpy(a.hi + 16 * b, blk.qs + 16, 16);
      const float d = fp16_to_f32(blk.d);
      for (int l = 0; l < 4; ++l) {
        int32_t sum = 0;
        for (int j = 0; j < 4; ++j) sum += blk.qs[4 * l + j] + blk.qs[16 + 4 * l + j];
        const int32_t bias = -kMxfp4CodeBias * sum;
        std::memcpy(a.d + 16 * b + 4 * l, &d, sizeof d);
        std::memcpy(a.bias + 16 * b + 4 * l, &bias, sizeof bias);
      }
    }
  }
}

void dequantize_mxfp4_activation(const void* act, float* dst, int64_t n) {
  const auto* row = static_cast<const uint8_t*>(act);
  const int64_t nb = n / QK8_0;
  for (int64_t g = 0; g < nb; g += kMxGroupBlocks) {
    const MxGroupView<const uint8_t> a = mx_group(row, nb, g);
    for (int b = 0; b < a.k; ++b, dst += QK8_0) {
      float d;
      std::memcpy(&d, a.d + 16 * b, sizeof d);
      for (int j = 0; j < 16; ++j) {
        dst[j] = static_cast<int8_t>(a.lo[16 * b + j]) * d;
        dst[16 + j] = static_cast<int8_t>(a.hi[16 * b + j]) * d;
      }
    }
  }
}

void dequantize_row_scalar(DType t, const void* src, float* dst, int64_t n) {
  switch (t) {
    case DType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::F16: dequant_f16(src, dst, n); return;
    case DType::BF16: dequant_bf16(src, dst, n); return;
    case DType::Q4_0: dequant_q4_0(src, dst, n); return;
    case DType::Q8_0: dequant_q8_0(src, dst, n); return;
    case DType::MXFP4: dequant_mxfp4(src, dst, n); return;
    case DType::Q4_K: dequant_q4_K(src, dst, n); return;
    case DType::Q5_K: dequant_q5_K(src, dst, n); return;
    case DType::Q6_K: dequant_q6_K(src, dst, n); return;
    case DType::Q8_K: dequant_q8_K(src, dst, n); return;
  }
  throw Error("dequantize_row: no kernel for type " + type_name(static_cast<uint32_t>(t)));
}

void quantize_row_scalar(DType t, const float* src, void* dst, int64_t n) {
  switch (t) {
    case DType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::F16: quant_f16(src, dst, n); return;
    case DType::BF16: quant_bf16(src, dst, n); return;
    case DType::Q4_0: quant_q4_0(src, dst, n); return;
    case DType::Q8_0: quant_q8_0(src, dst, n); return;
    case DType::MXFP4: quant_mxfp4(src, dst, n); return;
    case DType::Q4_K: quant_q4_K(src, dst, n); return;
    case DType::Q5_K: quant_q5_K(src, dst, n); return;
    case DType::Q6_K: quant_q6_K(src, dst, n); return;
    case DType::Q8_K: quant_q8_K(src, dst, n); return;
  }
  throw Error("quantize_row: no kernel for type " + type_name(static_cast<uint32_t>(t)));
}

}  // namespace fathom::kernels::detail
