// Qwen3 and Qwen3-MoE checkpoints (transformers' Qwen3ForCausalLM, Qwen3MoeForCausalLM):
// every tensor maps to one GGUF tensor as it is, except the experts, which are stored
// one tensor per expert and stacked into ffn_{gate,up,down}_exps [in, out, n_expert].
#include "core/error.h"
#include "models/convert_source.h"

namespace fathom::models {

namespace {

// GGUF name (after "blk.N.") -> Hugging Face name (after "model.layers.N.").
constexpr std::pair<const char*, const char*> kLayerNames[] = {
    {"attn_norm.weight", "input_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},
    {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_v.weight", "self_attn.v_proj.weight"},
    {"attn_output.weight", "self_attn.o_proj.weight"},
    {"attn_q_norm.weight", "self_attn.q_norm.weight"},
    {"attn_k_norm.weight", "self_attn.k_norm.weight"},
    {"ffn_norm.weight", "post_attention_layernorm.weight"},
    {"ffn_gate.weight", "mlp.gate_proj.weight"},
    {"ffn_up.weight", "mlp.up_proj.weight"},
    {"ffn_down.weight", "mlp.down_proj.weight"},
    {"ffn_gate_inp.weight", "mlp.gate.weight"},
};

constexpr std::pair<const char*, const char*> kExpertNames[] = {
    {"ffn_gate_exps.weight", "gate_proj.weight"},
    {"ffn_up_exps.weight", "up_proj.weight"},
    {"ffn_down_exps.weight", "down_proj.weight"},
};

}  // namespace

TensorSource qwen3_source(const ModelConfig& c, const TensorSpec& s, const safetensors::Checkpoint& ck) {
  if (s.name == "token_embd.weight") return single_source(ck, "model.embed_tokens.weight", s);
  if (s.name == "output_norm.weight") return single_source(ck, "model.norm.weight", s);
  if (s.name == "output.weight") return single_source(ck, "lm_head.weight", s);
  // "blk.N.rest"
  const size_t dot = s.name.find('.', 4);
  const std::string layer = s.name.substr(4, dot - 4), rest = s.name.substr(dot + 1);
  const std::string prefix = "model.layers." + layer + ".";
  for (const auto& [gguf_name, hf_name] : kLayerNames) {
    if (rest == gguf_name) return single_source(ck, prefix + hf_name, s);
  }
  for (const auto& [gguf_name, hf_name] : kExpertNames) {
    if (rest != gguf_name) continue;
    TensorSource src;
    for (int64_t e = 0; e < c.n_expert; ++e) {
      src.parts.push_back(&ck.get(prefix + "mlp.experts." + std::to_string(e) + "." + hf_name));
      src.expected_shapes.push_back({s.dims[1], s.dims[0]});
    }
    return src;
  }
  throw Error("internal: no Qwen3 checkpoint name for " + s.name);
}

}  // namespace fathom::models
