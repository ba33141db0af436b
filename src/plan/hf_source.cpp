// A Hugging Face model folder as the planner sees it: config.json gives the shape,
// the safetensors headers give each tensor group's stored precision.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "formats/safetensors.h"
#include "nlohmann/json.hpp"
#include "plan/sources.h"

namespace fathom::plan {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using models::TensorRole;

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error(p.string() + ": cannot open");
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw Error(p.string() + ": not a JSON object");
  return j;
}

struct ConfigReader {
  const fs::path& path;
  const json& j;

  int64_t integer(const char* key) const {
    if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() <= 0) {
      throw Error(path.string() + ": key " + key + ": expected a positive integer");
    }
    return j[key].get<int64_t>();
  }
  int64_t integer(const char* key, int64_t def) const { return j.contains(key) ? integer(key) : def; }
  double number(const char* key, double def) const {
    if (!j.contains(key)) return def;
    if (!j[key].is_number()) throw Error(path.string() + ": key " + key + ": expected a number");
    return j[key].get<double>();
  }
};

models::ModelConfig read_hf_config(const fs::path& path, const std::string& name) {
  const json j = read_json(path);
  const std::string type = j.value("model_type", "");
  models::ModelConfig c;
  if (type == "gpt_oss") {
    c.arch = models::Arch::GptOss;
  } else if (type == "qwen3") {
    c.arch = models::Arch::Qwen3;
  } else if (type == "qwen3_moe") {
    c.arch = models::Arch::Qwen3Moe;
  } else {
    throw Error(path.string() + ": key model_type: '" + type + "' is not one fathom runs (gpt_oss, qwen3, qwen3_moe)");
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
  if (c.arch == models::Arch::Qwen3) {
    c.n_ff = r.integer("intermediate_size");
  } else if (c.arch == models::Arch::Qwen3Moe) {
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

// The role of a tensor by its Hugging Face name (transformers' Qwen3, Qwen3-MoE and
// gpt-oss modules); nullopt for names that carry no weights of their own (MXFP4 scales).
std::optional<TensorRole> hf_role(const std::string& n) {
  const auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
  if (has("_scales")) return std::nullopt;  // half of an MXFP4 pair; the _blocks tensor names the role
  if (has("embed_tokens")) return TensorRole::Embedding;
  if (has("lm_head")) return TensorRole::Output;
  if (has("norm")) return TensorRole::Norm;
  if (has("sinks")) return TensorRole::Sink;
  if (has(".experts.")) return has("bias") ? TensorRole::ExpertBias : TensorRole::Expert;
  if (has("mlp.router.") || has("mlp.gate.")) return has("bias") ? TensorRole::RouterBias : TensorRole::Router;
  if (has("self_attn.")) return has("bias") ? TensorRole::AttentionBias : TensorRole::Attention;
  return TensorRole::Dense;
}

// The GGUF type a converter writes for a stored dtype; MXFP4 blocks are kept as they are.
DType gguf_type(const safetensors::TensorInfo& t) {
  if (t.dtype == "BF16") return DType::BF16;
  if (t.dtype == "F16") return DType::F16;
  if (t.dtype == "F32") return DType::F32;
  if (t.dtype == "U8" && t.name.find("_blocks") != std::string::npos) return DType::MXFP4;
  throw Error("tensor " + t.name + ": stored as " + t.dtype +
              ", which has no GGUF counterpart fathom plans for (plan the converted .gguf instead)");
}

std::vector<fs::path> weight_files(const fs::path& dir) {
  std::set<fs::path> files;
  const fs::path index = dir / "model.safetensors.index.json";
  if (fs::exists(index)) {
    const json j = read_json(index);
    if (!j.contains("weight_map") || !j["weight_map"].is_object()) {
      throw Error(index.string() + ": key weight_map: expected an object");
    }
    for (const auto& [tensor, file] : j["weight_map"].items()) {
      if (!file.is_string()) throw Error(index.string() + ": weight_map." + tensor + ": expected a file name");
      files.insert(dir / file.get<std::string>());
    }
  } else {
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".safetensors") files.insert(e.path());
    }
  }
  if (files.empty()) throw Error(dir.string() + ": no .safetensors files and no model.safetensors.index.json");
  return {files.begin(), files.end()};
}

}  // namespace

ModelSpec model_from_hf_folder(const std::string& dir_arg) {
  const fs::path dir(dir_arg);
  const fs::path config_path = dir / "config.json";
  if (!fs::exists(config_path)) throw Error(dir_arg + ": not a model folder (no config.json)");
  fs::path normal = fs::absolute(dir).lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();  // "models/qwen3/" names "qwen3"
  const std::string name = normal.filename().string();
  ModelSpec m;
  m.config = read_hf_config(config_path, name);
  m.label = name + " (hf folder)";
  m.source = Source::HfFolder;
  m.run_path = name + ".gguf";

  // The first matrix found for a role fixes the role's type; checkpoints store a role in one dtype.
  std::map<TensorRole, DType> role_type;
  for (const fs::path& file : weight_files(dir)) {
    for (const safetensors::TensorInfo& t : safetensors::read_header(file.string()).tensors) {
      const std::optional<TensorRole> role = hf_role(t.name);
      if (!role || !models::role_is_matrix(*role) || role_type.count(*role)) continue;
      try {
        role_type[*role] = gguf_type(t);
      } catch (const Error& e) {
        throw Error(file.string() + ": " + e.what());
      }
    }
  }
  m.tensors = manifest_tensors(m.config, [&](const models::TensorSpec& s, int64_t) {
    const auto it = role_type.find(s.role);
    if (it == role_type.end()) {
      throw Error(dir_arg + ": no " + models::role_group(s.role) + " weights in the safetensors files (needed for " +
                  s.name + ")");
    }
    return it->second;
  });
  const auto experts = role_type.find(TensorRole::Expert);
  const auto attention = role_type.find(TensorRole::Attention);
  // The experts' precision names a MoE checkpoint (gpt-oss: mxfp4); attention's a dense one.
  const DType native = experts != role_type.end() ? experts->second : attention->second;
  m.native_variant = type_name(static_cast<uint32_t>(native));
  return m;
}

}  // namespace fathom::plan
