#include "models/quant_mix.h"

#include <string>

namespace fathom::models {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool output_like(const ModelConfig& c, const TensorSpec& s) {
  return s.role == TensorRole::Output || (s.role == TensorRole::Embedding && c.tied_embeddings);
}

}  // namespace

// llama.cpp's Q4_K_M mix (src/llama-quant.cpp, llama_tensor_get_type_impl): Q4_K
// everywhere, Q6_K for the output matrix and for attn_v and ffn_down (experts too) in
// the layers use_more_bits picks: the first and last eighth and every third between.
// The 8-expert bumps are llama.cpp's too (they apply to the tiny qwen3moe test shape).
DType q4_k_m_type(const ModelConfig& c, const TensorSpec& s, int64_t layer) {
  const auto use_more_bits = [](int64_t i, int64_t n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; };
  if (output_like(c, s)) return DType::Q6_K;
  if (ends_with(s.name, "attn_v.weight")) {
    if (c.n_expert == 8) return DType::Q8_0;
    return use_more_bits(layer, c.n_layer) ? DType::Q6_K : DType::Q4_K;
  }
  if (ends_with(s.name, "attn_k.weight") && c.n_expert == 8) return DType::Q8_0;
  if (ends_with(s.name, "attn_output.weight") && c.n_expert == 8) return DType::Q5_K;
  if (s.name.find("ffn_down") != std::string::npos && use_more_bits(layer, c.n_layer)) return DType::Q6_K;
  return DType::Q4_K;
}

DType preset_type(const ModelConfig& c, const TensorSpec& s, DType t) {
  if (t == DType::MXFP4 && s.role != TensorRole::Expert) return DType::Q8_0;
  const bool below_q6_k = t == DType::Q4_0 || t == DType::Q4_K || t == DType::Q5_K || t == DType::MXFP4;
  if (output_like(c, s) && below_q6_k) return DType::Q6_K;
  return t;
}

}  // namespace fathom::models
