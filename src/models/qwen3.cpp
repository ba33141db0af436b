// Qwen3 dense (8B, 32B) and Qwen3-MoE (30B-A3B, 235B-A22B): a pre-norm transformer with
// grouped-query attention, per-head RMSNorm on q and k before RoPE, and either a SwiGLU
// FFN or a mixture of SwiGLU experts chosen by softmax over all experts, top-k.
#include <memory>
#include <string>
#include <vector>

#include "kernels/cpu/ops.h"
#include "models/model.h"
#include "models/moe.h"

namespace fathom::models {

namespace {

class Qwen3 : public Model {
 public:
  Qwen3(const gguf::File& f, ThreadPool& pool)
      : Model(f, pool), rope_(kernels::rope_plain(cfg_.head_dim, cfg_.rope_base)) {
    for (int64_t i = 0; i < cfg_.n_layer; ++i) {
      const std::string p = "blk." + std::to_string(i) + ".";
      Layer L;
      L.attn_norm = w_.vec(p + "attn_norm.weight");
      L.attn = attention_weights(i);
      L.ffn_norm = w_.vec(p + "ffn_norm.weight");
      if (cfg_.is_moe()) {
        L.router = {w_.matrix(p + "ffn_gate_inp.weight"), nullptr};
        L.experts.gate = w_.experts(p + "ffn_gate_exps.weight");
        L.experts.up = w_.experts(p + "ffn_up_exps.weight");
        L.experts.down = w_.experts(p + "ffn_down_exps.weight");
      } else {
        L.gate = {w_.matrix(p + "ffn_gate.weight")};
        L.up = {w_.matrix(p + "ffn_up.weight")};
        L.down = {w_.matrix(p + "ffn_down.weight")};
      }
      layers_.push_back(L);
    }
  }

  void compute(std::span<const Sequence> batch) override {
    const int64_t n = batch_rows(batch), e = cfg_.n_embd;
    std::vector<float> x = embed(batch);
    std::vector<float> h(n * e), out(n * e);
    for (int64_t l = 0; l < cfg_.n_layer; ++l) {
      const Layer& L = layers_[l];
      kernels::rmsnorm(x.data(), L.attn_norm, e, n, cfg_.rms_eps, h.data());
      self_attention(L.attn, cfg_, h.data(), batch, l, rope_, 0, out.data(), pool_);
      kernels::add(x.data(), out.data(), n * e);

      kernels::rmsnorm(x.data(), L.ffn_norm, e, n, cfg_.rms_eps, h.data());
      if (cfg_.is_moe()) {
        mixture_of_experts(l, L, h.data(), n, out.data());
      } else {
        feed_forward(L, h.data(), n, out.data());
      }
      kernels::add(x.data(), out.data(), n * e);
    }
    unembed(x.data(), batch);
  }

 private:
  struct Layer {
    const float* attn_norm;
    AttentionWeights attn;
    const float* ffn_norm;
    Linear gate, up, down;  // dense
    Linear router;          // MoE
    Experts experts;
  };

  // down(silu(gate(h)) * up(h))
  void feed_forward(const Layer& L, const float* h, int64_t n, float* out) {
    std::vector<float> g(n * cfg_.n_ff), u(n * cfg_.n_ff);
    linear(L.gate, h, n, g.data(), pool_);
    linear(L.up, h, n, u.data(), pool_);
    kernels::swiglu(g.data(), u.data(), n * cfg_.n_ff);
    linear(L.down, g.data(), n, out, pool_);
  }

  // Softmax over all experts, keep the top k (renormalised when the model says so).
  void mixture_of_experts(int64_t l, const Layer& L, const float* h, int64_t n, float* out) {
    std::vector<float> router(n * cfg_.n_expert);
    linear(L.router, h, n, router.data(), pool_);
    const Routing r =
        route_softmax_topk(router.data(), n, cfg_.n_expert, cfg_.n_expert_used, cfg_.expert_weights_norm);
    observe(l, r);
    std::fill(out, out + n * cfg_.n_embd, 0.0f);
    moe(L.experts, r, h, n, out, pool_);
  }

  kernels::Rope rope_;
  std::vector<Layer> layers_;
};

}  // namespace

std::unique_ptr<Model> make_qwen3(const gguf::File& f, ThreadPool& pool) { return std::make_unique<Qwen3>(f, pool); }

}  // namespace fathom::models
