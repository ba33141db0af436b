#include "models/kv_cache.h"

#include <cstring>

#include "core/error.h"
#include "core/half.h"

namespace fathom::models {

namespace {

int64_t elem_bytes(DType t) { return t == DType::F32 ? 4 : 2; }

void write_rows(DType type, const float* src, int64_t n, uint8_t* dst) {
  if (type == DType::F32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  uint16_t* h = reinterpret_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = f32_to_fp16(src[i]);
}

}  // namespace

KvCache::KvCache(const ModelConfig& c, int64_t n_ctx, DType type)
    : n_ctx_(n_ctx), kv_dim_(c.kv_dim()), type_(type) {
  if (type != DType::F32 && type != DType::F16) throw Error("KV cache type must be f32 or f16");
  if (n_ctx <= 0) throw Error("context size must be positive, found " + std::to_string(n_ctx));
  const size_t bytes = static_cast<size_t>(n_ctx * kv_dim_ * elem_bytes(type));
  k_.assign(static_cast<size_t>(c.n_layer), std::vector<uint8_t>(bytes));
  v_.assign(static_cast<size_t>(c.n_layer), std::vector<uint8_t>(bytes));
}

int64_t KvCache::bytes() const { return 2 * static_cast<int64_t>(k_.size()) * n_ctx_ * kv_dim_ * elem_bytes(type_); }

void KvCache::reserve(int64_t n_new) const {
  if (n_past_ + n_new > n_ctx_) {
    throw Error("context full: " + std::to_string(n_past_) + " cached + " + std::to_string(n_new) +
                " new tokens exceed the context of " + std::to_string(n_ctx_) + " (raise --ctx)");
  }
}

void KvCache::store(int64_t layer, const float* k, const float* v, int64_t n_tok) {
  const size_t at = static_cast<size_t>(n_past_ * kv_dim_ * elem_bytes(type_));
  write_rows(type_, k, n_tok * kv_dim_, k_[layer].data() + at);
  write_rows(type_, v, n_tok * kv_dim_, v_[layer].data() + at);
}

kernels::KvView KvCache::view(int64_t layer) const {
  return {type_, k_[layer].data(), v_[layer].data(), kv_dim_};
}

void KvCache::truncate(int64_t n) {
  if (n < n_past_) n_past_ = n < 0 ? 0 : n;
}

}  // namespace fathom::models
