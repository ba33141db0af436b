#include "models/inventory.h"

#include <map>

#include "core/dtype.h"
#include "core/error.h"
#include "models/tensors.h"

namespace fathom::models {

Inventory summarize(const std::optional<ModelConfig>& config, const std::vector<TensorEntry>& tensors) {
  Inventory inv;
  inv.config = config;
  const double expert_share = config && config->is_moe() ? static_cast<double>(config->n_expert_used) /
                                                                static_cast<double>(config->n_expert)
                                                          : 1.0;
  // With tied embeddings the table is also the output matrix, read whole per token.
  const bool embedding_is_read = config && config->tied_embeddings;
  std::map<std::string, GroupStats> by_group;
  double active_params = 0, active_bytes = 0;
  for (const TensorEntry& t : tensors) {
    GroupStats& g = by_group[role_group(t.role)];
    g.group = role_group(t.role);
    g.params += t.n_elements;
    g.bytes += t.bytes;
    g.types.insert(type_name(t.type));
    inv.total_params += t.n_elements;
    inv.total_bytes += t.bytes;
    if (t.role == TensorRole::Embedding && !embedding_is_read) continue;
    const bool expert = t.role == TensorRole::Expert || t.role == TensorRole::ExpertBias;
    const double share = expert ? expert_share : 1.0;
    active_params += share * static_cast<double>(t.n_elements);
    active_bytes += share * static_cast<double>(t.bytes);
  }
  inv.active_params = static_cast<int64_t>(active_params + 0.5);
  inv.active_bytes = static_cast<uint64_t>(active_bytes + 0.5);
  for (const char* name : {"experts", "attention", "ffn", "router", "embeddings", "output", "norms"}) {
    const auto it = by_group.find(name);
    if (it != by_group.end()) inv.groups.push_back(it->second);
  }
  return inv;
}

Inventory take_inventory(const gguf::File& f) {
  std::optional<ModelConfig> config;
  std::string config_error;
  try {
    config = read_config(f);
  } catch (const Error& e) {
    config_error = e.what();
  }
  std::vector<TensorEntry> entries;
  for (const gguf::TensorInfo& t : f.tensors()) entries.push_back({role_of(t.name), t.type, t.n_elements, t.n_bytes});
  Inventory inv = summarize(config, entries);
  inv.config_error = config_error;
  return inv;
}

}  // namespace fathom::models
