#include "models/config.h"

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"

namespace fathom::models {

const char* arch_name(Arch a) {
  switch (a) {
    case Arch::GptOss: return "gpt-oss";
    case Arch::Qwen3: return "qwen3";
    case Arch::Qwen3Moe: return "qwen3moe";
  }
  return "?";
}

bool parse_arch(const std::string& name, Arch* out) {
  for (Arch a : {Arch::GptOss, Arch::Qwen3, Arch::Qwen3Moe}) {
    if (name == arch_name(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

namespace {

std::string key(const ModelConfig& c, const char* suffix) { return std::string(arch_name(c.arch)) + "." + suffix; }

void require_positive(const gguf::File& f, const std::string& k, int64_t v) {
  if (v <= 0) throw Error(f.path() + ": key " + k + ": expected a positive value, found " + std::to_string(v));
}

}  // namespace

ModelConfig read_config(const gguf::File& f) {
  ModelConfig c;
  const std::string arch = f.get_string("general.architecture");
  if (!parse_arch(arch, &c.arch)) {
    throw Error(f.path() + ": key general.architecture: unsupported architecture '" + arch +
                "', expected one of gpt-oss, qwen3, qwen3moe");
  }
  c.name = f.get_string("general.name", arch);
  auto u = [&](const char* s) {
    const std::string k = key(c, s);
    const int64_t v = static_cast<int64_t>(f.get_uint(k));
    require_positive(f, k, v);
    return v;
  };
  c.n_ctx_train = u("context_length");
  c.n_embd = u("embedding_length");
  c.n_layer = u("block_count");
  c.n_head = u("attention.head_count");
  c.n_head_kv = u("attention.head_count_kv");
  c.head_dim = static_cast<int64_t>(f.get_uint(key(c, "attention.key_length"), c.n_embd / c.n_head));
  const int64_t v_dim = static_cast<int64_t>(f.get_uint(key(c, "attention.value_length"), c.head_dim));
  if (v_dim != c.head_dim) {
    throw Error(f.path() + ": key " + key(c, "attention.value_length") + ": expected " +
                std::to_string(c.head_dim) + " (equal to key_length), found " + std::to_string(v_dim));
  }
  if (c.n_head % c.n_head_kv != 0) {
    throw Error(f.path() + ": key " + key(c, "attention.head_count_kv") + ": " + std::to_string(c.n_head_kv) +
                " does not divide head_count " + std::to_string(c.n_head));
  }
  c.rms_eps = static_cast<float>(f.get_float(key(c, "attention.layer_norm_rms_epsilon")));
  c.rope_base = static_cast<float>(f.get_float(key(c, "rope.freq_base"), 10000.0));
  if (c.arch == Arch::Qwen3) {
    c.n_ff = u("feed_forward_length");
  } else {
    c.n_expert = u("expert_count");
    c.n_expert_used = u("expert_used_count");
    c.n_ff_expert = u("expert_feed_forward_length");
    if (c.n_expert_used > c.n_expert) {
      throw Error(f.path() + ": key " + key(c, "expert_used_count") + ": " + std::to_string(c.n_expert_used) +
                  " exceeds expert_count " + std::to_string(c.n_expert));
    }
    c.expert_weights_norm = f.get_bool(key(c, "expert_weights_norm"), c.arch == Arch::Qwen3Moe);
  }
  const std::string scaling = f.get_string(key(c, "rope.scaling.type"), "none");
  if (scaling == "yarn") {
    c.rope_scaling_factor = static_cast<float>(f.get_float(key(c, "rope.scaling.factor")));
    c.rope_original_ctx = static_cast<int64_t>(f.get_uint(key(c, "rope.scaling.original_context_length")));
    c.yarn_beta_fast = static_cast<float>(f.get_float(key(c, "rope.scaling.yarn_beta_fast"), 32.0));
    c.yarn_beta_slow = static_cast<float>(f.get_float(key(c, "rope.scaling.yarn_beta_slow"), 1.0));
  } else if (scaling != "none") {
    throw Error(f.path() + ": key " + key(c, "rope.scaling.type") + ": unsupported '" + scaling +
                "', expected yarn or none");
  }
  if (c.arch == Arch::GptOss) c.sliding_window = u("attention.sliding_window");
  c.tied_embeddings = f.find_tensor("output.weight") == nullptr;
  // The vocabulary size is the embedding's row count; the tokenizer may list more entries.
  const gguf::TensorInfo* embd = f.find_tensor("token_embd.weight");
  if (embd == nullptr) throw Error(f.path() + ": missing tensor token_embd.weight");
  if (embd->dims.size() != 2) throw Error(f.path() + ": tensor token_embd.weight: expected 2 dimensions");
  c.n_vocab = embd->dims[1];
  return c;
}

void write_config(gguf::Writer& w, const ModelConfig& c) {
  using gguf::Value;
  w.set("general.architecture", Value::str(arch_name(c.arch)));
  w.set("general.name", Value::str(c.name));
  auto u = [&](const char* s, int64_t v) { w.set(key(c, s), Value::u32(static_cast<uint32_t>(v))); };
  auto fl = [&](const char* s, float v) { w.set(key(c, s), Value::f32(v)); };
  u("context_length", c.n_ctx_train);
  u("embedding_length", c.n_embd);
  u("block_count", c.n_layer);
  u("attention.head_count", c.n_head);
  u("attention.head_count_kv", c.n_head_kv);
  u("attention.key_length", c.head_dim);
  u("attention.value_length", c.head_dim);
  fl("attention.layer_norm_rms_epsilon", c.rms_eps);
  fl("rope.freq_base", c.rope_base);
  if (c.is_moe()) {
    u("expert_count", c.n_expert);
    u("expert_used_count", c.n_expert_used);
    u("expert_feed_forward_length", c.n_ff_expert);
    u("feed_forward_length", c.n_ff_expert);
    if (c.arch == Arch::Qwen3Moe) w.set(key(c, "expert_weights_norm"), Value::boolean(c.expert_weights_norm));
  } else {
    u("feed_forward_length", c.n_ff);
  }
  if (c.rope_scaling_factor > 1.0f) {
    w.set(key(c, "rope.scaling.type"), Value::str("yarn"));
    fl("rope.scaling.factor", c.rope_scaling_factor);
    u("rope.scaling.original_context_length", c.rope_original_ctx);
  }
  if (c.sliding_window > 0) u("attention.sliding_window", c.sliding_window);
}

}  // namespace fathom::models
