#include "plan/catalog.h"

#include <algorithm>
#include <cctype>

#include "core/dtype.h"
#include "core/error.h"
#include "models/quant_mix.h"
#include "models/synth.h"
#include "models/tensors.h"

namespace fathom::plan {

namespace {

using models::TensorRole;

constexpr Variant kAllVariants[] = {Variant::Mxfp4, Variant::Bf16, Variant::Q8_0, Variant::Q4_K_M};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

DType wanted_type(Variant v, const models::ModelConfig& c, const models::TensorSpec& s, int64_t layer) {
  switch (v) {
    // synth_matrix_type turns this into the published gpt-oss layout: experts MXFP4, other matrices BF16.
    case Variant::Mxfp4: return DType::MXFP4;
    case Variant::Bf16: return DType::BF16;
    case Variant::Q8_0: return DType::Q8_0;
    case Variant::Q4_K_M: return models::q4_k_m_type(c, s, layer);
  }
  return DType::F32;
}

// Lower-case, without the organisation prefix ("openai/", "Qwen/") or a "-GGUF"
// repository suffix.
std::string normalize(const std::string& name) {
  const size_t slash = name.rfind('/');
  std::string s;
  for (char ch : name.substr(slash == std::string::npos ? 0 : slash + 1)) {
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (ends_with(s, "-gguf")) s.resize(s.size() - 5);
  return s;
}

// Splits "qwen3:30b-a3b-q4_k_m" into "qwen3-30b-a3b" and the variant.
std::string split_variant(std::string s, std::optional<Variant>* variant) {
  for (Variant v : kAllVariants) {
    const std::string suffix = variant_name(v);
    if (s.size() <= suffix.size() || !ends_with(s, suffix)) continue;
    const char separator = s[s.size() - suffix.size() - 1];
    if (separator == ':' || separator == '-' || separator == '_' || separator == '.') {
      *variant = v;
      s.resize(s.size() - suffix.size() - 1);
      break;
    }
  }
  std::replace(s.begin(), s.end(), ':', '-');
  return s;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::Mxfp4: return "mxfp4";
    case Variant::Bf16: return "bf16";
    case Variant::Q8_0: return "q8_0";
    case Variant::Q4_K_M: return "q4_k_m";
  }
  return "?";
}

const std::vector<CatalogEntry>& catalog() {
  // gpt-oss is published with MXFP4 experts (trained that way) and BF16 elsewhere; the
  // Qwen3 family in BF16, with Q8_0 and Q4_K_M the common llama.cpp downloads.
  static const std::vector<Variant> kGptOss = {Variant::Mxfp4};
  static const std::vector<Variant> kQwen = {Variant::Bf16, Variant::Q8_0, Variant::Q4_K_M};
  static const std::vector<CatalogEntry> all = {
      {"gpt-oss-20b", "openai/gpt-oss-20b", {}, kGptOss},
      {"gpt-oss-120b", "openai/gpt-oss-120b", {}, kGptOss},
      {"qwen3-8b", "Qwen/Qwen3-8B", {}, kQwen},
      {"qwen3-32b", "Qwen/Qwen3-32B", {}, kQwen},
      // Ollama tags the MoE models by total size alone ("qwen3:30b", "qwen3:235b").
      {"qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B", {"qwen3-30b"}, kQwen},
      {"qwen3-235b-a22b", "Qwen/Qwen3-235B-A22B", {"qwen3-235b"}, kQwen},
  };
  return all;
}

ModelSpec catalog_model(const models::Preset& preset, Variant v, Variant native) {
  const models::ModelConfig& c = preset.config;
  ModelSpec m;
  m.label = preset.name + " (" + variant_name(v) + ")";
  m.source = Source::Catalog;
  m.variant = variant_name(v);
  m.native_variant = variant_name(native);
  m.run_path = preset.name + "-" + variant_name(v) + ".gguf";
  m.catalog_key = preset.name;
  m.config = c;
  // synth's fallback for rows a block type cannot hold (Q8_0, then F16) stands in for
  // llama.cpp's (Q4_K -> Q5_0, Q6_K -> Q8_0); no catalog shape needs it, every Qwen3
  // row being a multiple of 256.
  m.tensors = manifest_tensors(c, [&](const models::TensorSpec& s, int64_t layer) {
    models::SynthOptions o;
    o.type = wanted_type(v, c, s, layer);
    return models::synth_matrix_type(c, o, s.role == TensorRole::Expert, s.dims[0]);
  });
  return m;
}

Variant published_variant(models::Arch a) {
  for (const CatalogEntry& e : catalog()) {
    const models::Preset* p = models::find_preset(e.key, a);
    if (p != nullptr && p->config.arch == a) return e.variants.front();
  }
  return Variant::Bf16;
}

std::optional<ModelSpec> find_in_catalog(const std::string& name) {
  std::optional<Variant> variant;
  const std::string wanted = split_variant(normalize(name), &variant);
  for (const CatalogEntry& e : catalog()) {
    if (wanted != e.key && std::find(e.aliases.begin(), e.aliases.end(), wanted) == e.aliases.end()) continue;
    const Variant v = variant.value_or(e.variants.front());
    if (std::find(e.variants.begin(), e.variants.end(), v) == e.variants.end()) {
      std::string listed;
      for (Variant x : e.variants) listed += (listed.empty() ? "" : ", ") + std::string(variant_name(x));
      throw Error("model '" + name + "': the catalog has " + e.key + " as " + listed + ", not " + variant_name(v));
    }
    // The arch argument only tells the "tiny" presets apart; catalog keys are unique.
    const models::Preset* preset = models::find_preset(e.key, models::Arch::Qwen3);
    if (preset == nullptr) throw Error("catalog entry " + e.key + " has no preset shape", ExitCode::Failure);
    return catalog_model(*preset, v, e.variants.front());
  }
  return std::nullopt;
}

std::vector<std::string> closest_names(const std::string& name, size_t n) {
  std::optional<Variant> ignored;
  const std::string wanted = split_variant(normalize(name), &ignored);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const CatalogEntry& e : catalog()) {
    size_t best = edit_distance(wanted, e.key);
    for (const std::string& a : e.aliases) best = std::min(best, edit_distance(wanted, a));
    scored.emplace_back(best, e.key);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < n; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace fathom::plan
