// OpenAI's gpt-oss checkpoint: attention and router as BF16 tensors with biases; the
// experts fused per layer in OpenAI's MXFP4 layout (gate_up_proj_blocks/_scales, whose
// rows alternate gate, up, gate, up ...; down_proj_blocks/_scales) with BF16 biases.
// llama.cpp splits gate_up into ffn_gate_exps (even rows) and ffn_up_exps (odd rows).
#include "core/error.h"
#include "models/convert_source.h"

namespace fathom::models {

namespace {

constexpr std::pair<const char*, const char*> kLayerNames[] = {
    {"attn_norm.weight", "input_layernorm.weight"},
    {"attn_q.weight", "self_attn.q_proj.weight"},
    {"attn_q.bias", "self_attn.q_proj.bias"},
    {"attn_k.weight", "self_attn.k_proj.weight"},
    {"attn_k.bias", "self_attn.k_proj.bias"},
    {"attn_v.weight", "self_attn.v_proj.weight"},
    {"attn_v.bias", "self_attn.v_proj.bias"},
    {"attn_output.weight", "self_attn.o_proj.weight"},
    {"attn_output.bias", "self_attn.o_proj.bias"},
    {"attn_sinks.weight", "self_attn.sinks"},
    {"post_attention_norm.weight", "post_attention_layernorm.weight"},
    {"ffn_gate_inp.weight", "mlp.router.weight"},
    {"ffn_gate_inp.bias", "mlp.router.bias"},
    {"ffn_down_exps.bias", "mlp.experts.down_proj_bias"},
};

// An MXFP4 expert matrix [in, out, n_expert] from fused blocks holding `step` rows per
// output row (2 for gate_up), this one at `offset`.
TensorSource mxfp4_experts(const safetensors::Checkpoint& ck, const std::string& fused, const TensorSpec& s,
                           int64_t step, int64_t offset) {
  const int64_t in = s.dims[0], rows = s.dims[1] * step, n_expert = s.dims[2];
  if (in % 32 != 0) throw Error(ck.dir() + ": " + s.name + ": row length " + std::to_string(in) + " is not whole MXFP4 blocks");
  TensorSource src;
  src.parts = {&ck.get(fused + "_blocks")};
  src.expected_shapes = {{n_expert, rows, in / 32, 16}};
  src.scales = &ck.get(fused + "_scales");
  src.expected_scales_shape = {n_expert, rows, in / 32};
  src.row_step = step;
  src.row_offset = offset;
  return src;
}

// A gate or up bias [out, n_expert] from gate_up_proj_bias [n_expert, 2 * out].
TensorSource interleaved_bias(const safetensors::Checkpoint& ck, const std::string& name, const TensorSpec& s,
                              int64_t offset) {
  return TensorSource{.parts = {&ck.get(name)},
                      .expected_shapes = {{s.dims[1], 2 * s.dims[0]}},
                      .elem_step = 2,
                      .elem_offset = offset};
}

}  // namespace

TensorSource gpt_oss_source(const ModelConfig& c, const TensorSpec& s, const safetensors::Checkpoint& ck) {
  if (s.name == "token_embd.weight") return single_source(ck, "model.embed_tokens.weight", s);
  if (s.name == "output_norm.weight") return single_source(ck, "model.norm.weight", s);
  if (s.name == "output.weight") return single_source(ck, "lm_head.weight", s);
  const size_t dot = s.name.find('.', 4);
  const std::string layer = s.name.substr(4, dot - 4), rest = s.name.substr(dot + 1);
  const std::string p = "model.layers." + layer + ".";
  for (const auto& [gguf_name, hf_name] : kLayerNames) {
    if (rest == gguf_name) return single_source(ck, p + hf_name, s);
  }
  if (rest == "ffn_gate_exps.weight") return mxfp4_experts(ck, p + "mlp.experts.gate_up_proj", s, 2, 0);
  if (rest == "ffn_up_exps.weight") return mxfp4_experts(ck, p + "mlp.experts.gate_up_proj", s, 2, 1);
  if (rest == "ffn_down_exps.weight") return mxfp4_experts(ck, p + "mlp.experts.down_proj", s, 1, 0);
  if (rest == "ffn_gate_exps.bias") return interleaved_bias(ck, p + "mlp.experts.gate_up_proj_bias", s, 0);
  if (rest == "ffn_up_exps.bias") return interleaved_bias(ck, p + "mlp.experts.gate_up_proj_bias", s, 1);
  throw Error("internal: no gpt-oss checkpoint name for " + s.name);
}

}  // namespace fathom::models
