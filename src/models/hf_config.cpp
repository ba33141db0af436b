#include "models/hf_config.h"

#include <fstream>

#include "core/error.h"
#include "nlohmann/json.hpp"

namespace fathom::models {

namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw Error(path + ": not a JSON object");
  return j;
}

struct ConfigReader {
  const std::string& path;
  const json& j;

  int64_t integer(const char* key) const {
    if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() <= 0) {
      throw Error(path + ": key " + key + ": expected a positive integer");
    }
    return j[key].get<int64_t>();
  }
  int64_t integer(const char* key, int64_t def) const { return j.contains(key) ? integer(key) : def; }
  double number(const char* key, double def) const {
    if (!j.contains(key)) return def;
    if (!j[key].is_number()) throw Error(path + ": key " + key + ": expected a number");
    return j[key].get<double>();
  }
};

}  // namespace

ModelConfig read_hf_config(const std::string& path, const std::string& name) {
  const json j = read_json(path);
  const std::string type = j.value("model_type", "");
  ModelConfig c;
  if (type == "gpt_oss") {
    c.arch = Arch::GptOss;
  } else if (type == "qwen3") {
    c.arch = Arch::Qwen3;
  } else if (type == "qwen3_moe") {
    c.arch = Arch::Qwen3Moe;
  } else {
    throw Error(path + ": key model_type: '" + type + "' is not one fathom runs (gpt_oss, qwen3, qwen3_moe)");
  }
  const ConfigReader r{path, j};
  c.name = name;
  c.n_vocab = r.integer("vocab_size");
  c.n_ctx_train = r.integer("max_position_embeddings");
  c.n_embd = r.integer("hidden_size");
  c.n_layer = r.integer("num_hidden_layers");
  c.n_head = r.integer("num_attention_heads");
  c.n_head_kv = r.integer("num_key_value_heads", c.n_head);
  c.head_dim = r.integer("head_dim", c.n_embd / c.n_head);
  c.rms_eps = static_cast<float>(r.number("rms_norm_eps", 1e-6));
  c.rope_base = static_cast<float>(r.number("rope_theta", 10000.0));
  c.tied_embeddings = j.value("tie_word_embeddings", false);
  if (c.arch == Arch::Qwen3) {
    c.n_ff = r.integer("intermediate_size");
  } else if (c.arch == Arch::Qwen3Moe) {
    c.n_expert = r.integer("num_experts");
    c.n_expert_used = r.integer("num_experts_per_tok");
    c.n_ff_expert = r.integer("moe_intermediate_size");
    c.expert_weights_norm = j.value("norm_topk_prob", true);
  } else {
    c.n_expert = r.integer("num_local_experts");
    c.n_expert_used = r.integer("num_experts_per_tok", r.integer("experts_per_token", 4));
    c.n_ff_expert = r.integer("intermediate_size");
    c.expert_weights_norm = false;
    c.sliding_window = r.integer("sliding_window");
  }
  if (j.contains("rope_scaling") && j["rope_scaling"].is_object()) {
    const json& s = j["rope_scaling"];
    if (s.value("rope_type", s.value("type", "")) == "yarn") {
      const ConfigReader rs{path, s};
      c.rope_scaling_factor = static_cast<float>(rs.number("factor", 1.0));
      c.rope_original_ctx = rs.integer("original_max_position_embeddings", c.n_ctx_train);
      c.yarn_beta_fast = static_cast<float>(rs.number("beta_fast", 32.0));
      c.yarn_beta_slow = static_cast<float>(rs.number("beta_slow", 1.0));
    }
  }
  return c;
}

}  // namespace fathom::models
