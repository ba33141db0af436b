// Mixture of experts: routing tokens to their top-k experts and running only those.
#pragma once
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "models/weights.h"

namespace fathom::models {

// For each token, the chosen experts and their mixing weights.
struct Routing {
  int64_t k = 0;
  std::vector<int32_t> expert;  // [n_tok * k]
  std::vector<float> weight;    // [n_tok * k]
};

// gpt-oss: top-k of the raw logits, softmax over those k.
Routing route_topk_softmax(const float* logits, int64_t n_tok, int64_t n_expert, int64_t k);
// Qwen3-MoE: softmax over all experts, top-k of the probabilities, optionally renormalised.
Routing route_softmax_topk(const float* logits, int64_t n_tok, int64_t n_expert, int64_t k, bool renormalise);

enum class ExpertActivation { SwiGLU, SwiGLUClamped };

struct Experts {
  ExpertMatrix gate, up, down;
  const float* gate_bias = nullptr;  // [n_expert][n_ff] or none
  const float* up_bias = nullptr;
  const float* down_bias = nullptr;  // [n_expert][n_embd] or none
  ExpertActivation activation = ExpertActivation::SwiGLU;
};

// out[t] += sum_j weight[t,j] * expert_{expert[t,j]}(h[t]). Tokens are grouped by expert
// so each chosen expert's weights are streamed once per call, whatever the batch.
void moe(const Experts& ex, const Routing& r, const float* h, int64_t n_tok, float* out, ThreadPool& pool);

}  // namespace fathom::models
