// A Hugging Face config.json (transformers' Qwen3, Qwen3-MoE and gpt-oss configs) as a
// ModelConfig: the one mapping `plan` (sizing a folder) and `convert` (writing it as
// GGUF) share, so the two can never disagree about a checkpoint's shape.
#pragma once
#include <string>

#include "models/config.h"

namespace fathom::models {

// Throws fathom::Error naming the file and key; an unknown model_type is refused.
ModelConfig read_hf_config(const std::string& config_json_path, const std::string& name);

}  // namespace fathom::models
