// OpenAI gpt-oss (20b, 120b): a pre-norm transformer whose layers alternate between
// sliding-window and full attention, with learned attention sinks, biased projections,
// YaRN-scaled RoPE and a mixture of MXFP4 experts behind a top-k router.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <memory>
#include <string>
#include <vector>

#include "kernels/cpu/ops.h"
#include "models/model.h"
#include "models/moe.h"

namespace fathom::models {

namespace {

// YaRN exactly as OpenAI's reference (gpt_oss/torch/model.py, RotaryEmbedding) computes it.
// The NTK-by-parts correction range [low, high] is NOT rounded to whole dimensions:
// llama.cpp rounds it (floor/ceil), but OpenAI's code, Hugging Face, vLLM and SGLang do
// not, and the model was trained with the unrounded form. Both cos and sin are scaled
// by the "concentration" 0.1 ln(factor) + 1, which sharpens attention at long range.
kernels::Rope yarn_rope(const ModelConfig& c) {
  kernels::Rope r = kernels::rope_plain(c.head_dim, c.rope_base);
  const double factor = c.rope_scaling_factor;
  if (factor <= 1.0) return r;
  const double d_half = static_cast<double>(c.head_dim) / 2.0;
  const double orig = static_cast<double>(c.rope_original_ctx);
  const double two_pi = 2.0 * std::numbers::pi;
  const double log_base = std::log(static_cast<double>(c.rope_base));
  const double low = d_half * std::log(orig / (c.yarn_beta_fast * two_pi)) / log_base;
  const double high = d_half * std::log(orig / (c.yarn_beta_slow * two_pi)) / log_base;
  for (size_t i = 0; i < r.inv_freq.size(); ++i) {
    const double extrapolation = r.inv_freq[i];
    const double interpolation = extrapolation / factor;
    const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    const double keep = 1.0 - ramp;  // 1: keep the original frequency (high-frequency dims)
    r.inv_freq[i] = interpolation * (1.0 - keep) + extrapolation * keep;
  }
  r.mscale = 0.1 * std::log(factor) + 1.0;
  return r;
}

class GptOss : public Model {
 public:
  GptOss(const gguf::File& f, ThreadPool& pool) : Model(f, pool), rope_(yarn_rope(cfg_)) {
    for (int64_t i = 0; i < cfg_.n_layer; ++i) {
      const std::string p = "blk." + std::to_string(i) + ".";
      Layer L;
      L.attn_norm = w_.vec(p + "attn_norm.weight");
      L.attn = attention_weights(i);
      L.ffn_norm = w_.vec(p + "post_attention_norm.weight");
      L.router = {w_.matrix(p + "ffn_gate_inp.weight"), w_.vec(p + "ffn_gate_inp.bias")};
      L.experts.gate = w_.experts(p + "ffn_gate_exps.weight");
      L.experts.up = w_.experts(p + "ffn_up_exps.weight");
      L.experts.down = w_.experts(p + "ffn_down_exps.weight");
      L.experts.gate_bias = w_.vec(p + "ffn_gate_exps.bias");
      L.experts.up_bias = w_.vec(p + "ffn_up_exps.bias");
      L.experts.down_bias = w_.vec(p + "ffn_down_exps.bias");
      L.experts.activation = ExpertActivation::SwiGLUClamped;
      layers_.push_back(L);
    }
  }

  void compute(std::span<const Sequence> batch) override {
    const int64_t n = batch_rows(batch), e = cfg_.n_embd;
    std::vector<float> x = embed(batch);
    std::vector<float> h(n * e), out(n * e), router(n * cfg_.n_expert);
    for (int64_t l = 0; l < cfg_.n_layer; ++l) {
      const Layer& L = layers_[l];
      // Attention: even layers see only the last `sliding_window` positions.
      kernels::rmsnorm(x.data(), L.attn_norm, e, n, cfg_.rms_eps, h.data());
      const int64_t window = cfg_.layer_is_sliding(l) ? cfg_.sliding_window : 0;
      self_attention(L.attn, cfg_, h.data(), batch, l, rope_, window, out.data(), pool_);
      kernels::add(x.data(), out.data(), n * e);

      // Mixture of experts: top-k of the router logits, softmax over the chosen k.
      kernels::rmsnorm(x.data(), L.ffn_norm, e, n, cfg_.rms_eps, h.data());
      linear(L.router, h.data(), n, router.data(), pool_);
      const Routing r = route_topk_softmax(router.data(), n, cfg_.n_expert, cfg_.n_expert_used);
      observe(l, r);
      std::fill(out.begin(), out.end(), 0.0f);
      moe(L.experts, r, h.data(), n, out.data(), pool_);
      kernels::add(x.data(), out.data(), n * e);
    }
    unembed(x.data(), batch);
  }

 private:
  struct Layer {
    const float* attn_norm;
    AttentionWeights attn;
    const float* ffn_norm;
    Linear router;
    Experts experts;
  };
  kernels::Rope rope_;
  std::vector<Layer> layers_;
};

}  // namespace

std::unique_ptr<Model> make_gpt_oss(const gguf::File& f, ThreadPool& pool) {
  return std::make_unique<GptOss>(f, pool);
}

}  // namespace fathom::models
