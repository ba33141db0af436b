// Keys and values of one sequence, per layer, in F32 or F16.
#pragma once
#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "kernels/cpu/attention.h"
#include "models/config.h"

namespace fathom::models {

class KvCache {
 public:
  // type: F32 or F16. n_ctx: positions this sequence may use.
  KvCache(const ModelConfig& c, int64_t n_ctx, DType type);

  int64_t n_ctx() const { return n_ctx_; }
  int64_t n_past() const { return n_past_; }
  DType type() const { return type_; }
  int64_t bytes() const;

  // Throws Error when n_new more tokens would not fit.
  void reserve(int64_t n_new) const;
  // Writes n_tok rows of keys and values (kv_dim floats each) at positions n_past...
  void store(int64_t layer, const float* k, const float* v, int64_t n_tok);
  kernels::KvView view(int64_t layer) const;
  void advance(int64_t n_tok) { n_past_ += n_tok; }
  // Forgets positions >= n (prefix reuse keeps the first n).
  void truncate(int64_t n);

 private:
  int64_t n_ctx_;
  int64_t n_past_ = 0;
  int64_t kv_dim_;
  DType type_;
  std::vector<std::vector<uint8_t>> k_, v_;
};

}  // namespace fathom::models
