// The generate loop: prefill the prompt in one batch, then decode token by token.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/kv_cache.h"
#include "models/model.h"
#include "runtime/sampler.h"

namespace fathom::runtime {

struct GenerationStats {
  int64_t n_prompt = 0;
  int64_t n_generated = 0;
  double prefill_seconds = 0.0;
  double decode_seconds = 0.0;
  double prefill_tps() const { return prefill_seconds > 0 ? n_prompt / prefill_seconds : 0.0; }
  // The first generated token comes from the prefill's logits; decode covers the rest.
  double decode_tps() const { return decode_seconds > 0 ? (n_generated - 1) / decode_seconds : 0.0; }
};

struct GenerateOptions {
  int64_t max_tokens = 128;
  std::vector<int32_t> stop_tokens;  // end generation when sampled (not emitted)
};

// Calls on_token for each generated token; returning false stops early.
GenerationStats generate(models::Model& model, models::KvCache& cache, std::span<const int32_t> prompt,
                         const GenerateOptions& opts, Sampler& sampler,
                         const std::function<bool(int32_t)>& on_token);

}  // namespace fathom::runtime
