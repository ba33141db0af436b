// What a model file holds, by tensor group: parameters, bytes, bits per weight and
// storage types, plus total and active parameters per token. Needs only the header.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "models/config.h"
#include "models/tensors.h"

namespace fathom::models {

struct GroupStats {
  std::string group;  // "experts", "attention", ...
  int64_t params = 0;
  uint64_t bytes = 0;
  std::set<std::string> types;
  double bits_per_weight() const { return params ? 8.0 * static_cast<double>(bytes) / params : 0.0; }
};

struct Inventory {
  std::optional<ModelConfig> config;  // absent when the architecture is not one fathom runs
  std::string config_error;           // why, when absent
  std::vector<GroupStats> groups;     // in a fixed order, empty groups left out
  int64_t total_params = 0;
  uint64_t total_bytes = 0;
  // Parameters a token touches: all but the unchosen experts and the embedding table,
  // which is a lookup of one row (the convention behind "5.1B active" for gpt-oss-120b).
  int64_t active_params = 0;
  // Bytes of weights read per decoded token (same convention, at stored precision).
  uint64_t active_bytes = 0;
};

// One tensor as the inventory counts it.
struct TensorEntry {
  TensorRole role;
  uint32_t type;  // ggml type id
  int64_t n_elements;
  uint64_t bytes;
};

// Groups, totals and active share of a list of tensors; config (when known) gives the
// expert share and whether the embedding doubles as the output matrix.
Inventory summarize(const std::optional<ModelConfig>& config, const std::vector<TensorEntry>& tensors);

// The same for a GGUF file (header only needed).
Inventory take_inventory(const gguf::File& f);

}  // namespace fathom::models
