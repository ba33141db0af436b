// Shapes of real models (and tiny test shapes), the one source of truth that synth
// writes and the planner's catalog reads.
#pragma once
#include <string>
#include <vector>

#include "models/config.h"

namespace fathom::models {

struct Preset {
  std::string name;  // "gpt-oss-120b", "qwen3-30b-a3b", "tiny", ...
  ModelConfig config;
};

// All presets; "tiny" exists once per architecture.
const std::vector<Preset>& presets();
// The preset of that name (and, for "tiny", that architecture); nullptr when unknown.
const Preset* find_preset(const std::string& name, Arch arch);

}  // namespace fathom::models
