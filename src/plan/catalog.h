// Built-in catalog of real models in the precisions they are published and commonly
// downloaded in. Shapes come from models::presets() and tensor lists from
// models::tensor_manifest(), so the catalog, synth and the loader never disagree;
// only the per-tensor type rules live here.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "models/presets.h"
#include "plan/model_spec.h"

namespace fathom::plan {

enum class Variant { Mxfp4, Bf16, Q8_0, Q4_K_M };
const char* variant_name(Variant v);  // "mxfp4", "bf16", "q8_0", "q4_k_m"

struct CatalogEntry {
  std::string key;                   // canonical name, also the preset's name
  std::string hf_repo;               // where the authors publish the weights
  std::vector<std::string> aliases;  // other spellings (normalized like user input)
  std::vector<Variant> variants;     // the first is the precision as published
};

const std::vector<CatalogEntry>& catalog();

// The tensors of a preset shape stored as a variant, each with the type llama.cpp's
// converter or quantizer gives it and its exact size in bytes.
ModelSpec catalog_model(const models::Preset& preset, Variant v, Variant native);

// The precision an architecture's authors publish (gpt-oss: mxfp4, Qwen3: bf16).
Variant published_variant(models::Arch a);

// Resolves a catalog name, case-insensitively, with the spellings people paste:
// "gpt-oss:120b", "openai/gpt-oss-120b", "Qwen/Qwen3-30B-A3B", "qwen3:30b-a3b",
// with an optional variant suffix (":q4_k_m", "-Q8_0"); the published precision
// when none is given. nullopt for a name the catalog does not hold; Error for a
// known model in a variant it does not list.
std::optional<ModelSpec> find_in_catalog(const std::string& name);

// Up to n catalog names closest to `name` by edit distance, nearest first.
std::vector<std::string> closest_names(const std::string& name, size_t n);

}  // namespace fathom::plan
