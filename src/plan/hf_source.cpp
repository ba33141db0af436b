// A Hugging Face model folder as the planner sees it: config.json gives the shape,
// the safetensors headers give each tensor group's stored precision.
#include <filesystem>
#include <map>
#include <optional>

#include "core/error.h"
#include "formats/safetensors.h"
#include "formats/safetensors_checkpoint.h"
#include "models/hf_config.h"
#include "plan/sources.h"

namespace fathom::plan {

namespace {

namespace fs = std::filesystem;
using models::TensorRole;

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

}  // namespace

ModelSpec model_from_hf_folder(const std::string& dir_arg) {
  const fs::path dir(dir_arg);
  const fs::path config_path = dir / "config.json";
  if (!fs::exists(config_path)) throw Error(dir_arg + ": not a model folder (no config.json)");
  fs::path normal = fs::absolute(dir).lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();  // "models/qwen3/" names "qwen3"
  const std::string name = normal.filename().string();
  ModelSpec m;
  m.config = models::read_hf_config(config_path.string(), name);
  m.label = name + " (hf folder)";
  m.source = Source::HfFolder;
  m.run_path = name + ".gguf";

  // The first matrix found for a role fixes the role's type; checkpoints store a role in one dtype.
  std::map<TensorRole, DType> role_type;
  for (const std::string& file : safetensors::checkpoint_files(dir_arg)) {
    for (const safetensors::TensorInfo& t : safetensors::read_header(file).tensors) {
      const std::optional<TensorRole> role = hf_role(t.name);
      if (!role || !models::role_is_matrix(*role) || role_type.count(*role)) continue;
      try {
        role_type[*role] = gguf_type(t);
      } catch (const Error& e) {
        throw Error(file + ": " + e.what());
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
