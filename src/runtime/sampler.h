// Choosing the next token from logits: penalties, then top-k, top-p, min-p and
// temperature, in llama.cpp's order; greedy when the temperature is 0.
#pragma once
#include <cstdint>
#include <random>
#include <span>

namespace fathom::runtime {

struct SamplerParams {
  float temperature = 0.8f;
  int64_t top_k = 40;       // 0: off
  float top_p = 0.95f;      // 1: off
  float min_p = 0.05f;      // 0: off
  float repeat_penalty = 1.0f;     // 1: off; divides positive, multiplies negative logits
  float presence_penalty = 0.0f;   // subtracted once per token seen
  float frequency_penalty = 0.0f;  // subtracted per occurrence
  int64_t penalty_last_n = 64;     // how much history the penalties look at
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplerParams& p);
  // history: tokens so far (prompt and generated), for the penalties.
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

 private:
  SamplerParams p_;
  std::mt19937_64 rng_;
};

}  // namespace fathom::runtime
