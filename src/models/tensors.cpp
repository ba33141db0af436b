#include "models/tensors.h"

namespace fathom::models {

bool role_is_matrix(TensorRole r) {
  switch (r) {
    case TensorRole::Embedding:
    case TensorRole::Output:
    case TensorRole::Attention:
    case TensorRole::Expert:
    case TensorRole::Dense:
      return true;
    default:
      return false;
  }
}

const char* role_group(TensorRole r) {
  switch (r) {
    case TensorRole::Embedding: return "embeddings";
    case TensorRole::Output: return "output";
    case TensorRole::Norm: return "norms";
    case TensorRole::Attention:
    case TensorRole::AttentionBias:
    case TensorRole::Sink: return "attention";
    case TensorRole::Router:
    case TensorRole::RouterBias: return "router";
    case TensorRole::Expert:
    case TensorRole::ExpertBias: return "experts";
    case TensorRole::Dense: return "ffn";
  }
  return "other";
}

namespace {

struct Manifest {
  std::vector<TensorSpec> specs;
  void add(std::string name, std::vector<int64_t> dims, TensorRole role) {
    specs.push_back({std::move(name), std::move(dims), role});
  }
};

void add_attention(Manifest& m, const ModelConfig& c, const std::string& p) {
  const bool biased = c.arch == Arch::GptOss;
  const int64_t e = c.n_embd, q = c.q_dim(), kv = c.kv_dim();
  m.add(p + "attn_norm.weight", {e}, TensorRole::Norm);
  m.add(p + "attn_q.weight", {e, q}, TensorRole::Attention);
  if (biased) m.add(p + "attn_q.bias", {q}, TensorRole::AttentionBias);
  m.add(p + "attn_k.weight", {e, kv}, TensorRole::Attention);
  if (biased) m.add(p + "attn_k.bias", {kv}, TensorRole::AttentionBias);
  m.add(p + "attn_v.weight", {e, kv}, TensorRole::Attention);
  if (biased) m.add(p + "attn_v.bias", {kv}, TensorRole::AttentionBias);
  if (c.arch != Arch::GptOss) {
    m.add(p + "attn_q_norm.weight", {c.head_dim}, TensorRole::Norm);
    m.add(p + "attn_k_norm.weight", {c.head_dim}, TensorRole::Norm);
  }
  m.add(p + "attn_output.weight", {q, e}, TensorRole::Attention);
  if (biased) m.add(p + "attn_output.bias", {e}, TensorRole::AttentionBias);
  if (c.arch == Arch::GptOss) m.add(p + "attn_sinks.weight", {c.n_head}, TensorRole::Sink);
}

void add_experts(Manifest& m, const ModelConfig& c, const std::string& p) {
  const bool biased = c.arch == Arch::GptOss;
  const int64_t e = c.n_embd, f = c.n_ff_expert, n = c.n_expert;
  m.add(p + "ffn_gate_inp.weight", {e, n}, TensorRole::Router);
  if (biased) m.add(p + "ffn_gate_inp.bias", {n}, TensorRole::RouterBias);
  m.add(p + "ffn_gate_exps.weight", {e, f, n}, TensorRole::Expert);
  if (biased) m.add(p + "ffn_gate_exps.bias", {f, n}, TensorRole::ExpertBias);
  m.add(p + "ffn_up_exps.weight", {e, f, n}, TensorRole::Expert);
  if (biased) m.add(p + "ffn_up_exps.bias", {f, n}, TensorRole::ExpertBias);
  m.add(p + "ffn_down_exps.weight", {f, e, n}, TensorRole::Expert);
  if (biased) m.add(p + "ffn_down_exps.bias", {e, n}, TensorRole::ExpertBias);
}

}  // namespace

std::vector<TensorSpec> tensor_manifest(const ModelConfig& c) {
  Manifest m;
  m.add("token_embd.weight", {c.n_embd, c.n_vocab}, TensorRole::Embedding);
  for (int64_t i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    add_attention(m, c, p);
    // gpt-oss names its pre-FFN norm post_attention_norm; the Qwen family ffn_norm.
    m.add(p + (c.arch == Arch::GptOss ? "post_attention_norm.weight" : "ffn_norm.weight"), {c.n_embd},
          TensorRole::Norm);
    if (c.is_moe()) {
      add_experts(m, c, p);
    } else {
      m.add(p + "ffn_gate.weight", {c.n_embd, c.n_ff}, TensorRole::Dense);
      m.add(p + "ffn_up.weight", {c.n_embd, c.n_ff}, TensorRole::Dense);
      m.add(p + "ffn_down.weight", {c.n_ff, c.n_embd}, TensorRole::Dense);
    }
  }
  m.add("output_norm.weight", {c.n_embd}, TensorRole::Norm);
  if (!c.tied_embeddings) m.add("output.weight", {c.n_embd, c.n_vocab}, TensorRole::Output);
  return m.specs;
}

}  // namespace fathom::models

namespace fathom::models {

TensorRole role_of(const std::string& name) {
  const auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
  const bool bias = has(".bias");
  if (name.rfind("token_embd", 0) == 0) return TensorRole::Embedding;
  if (name.rfind("output.", 0) == 0) return TensorRole::Output;
  if (has("norm")) return TensorRole::Norm;
  if (has("attn_sinks")) return TensorRole::Sink;
  if (has("ffn_gate_inp")) return bias ? TensorRole::RouterBias : TensorRole::Router;
  if (has("_exps")) return bias ? TensorRole::ExpertBias : TensorRole::Expert;
  if (has("attn_")) return bias ? TensorRole::AttentionBias : TensorRole::Attention;
  return TensorRole::Dense;
}

}  // namespace fathom::models
