#include "models/inventory.h"

#include <map>

#include "core/dtype.h"
#include "core/error.h"
#include "models/tensors.h"

namespace fathom::models {

Inventory take_inventory(const gguf::File& f) {
  Inventory inv;
  try {
    inv.config = read_config(f);
  } catch (const Error& e) {
    inv.config_error = e.what();
  }
  const double expert_share =
      inv.config && inv.config->is_moe()
          ? static_cast<double>(inv.config->n_expert_used) / static_cast<double>(inv.config->n_expert)
          : 1.0;
  std::map<std::string, GroupStats> by_group;
  double active_params = 0, active_bytes = 0;
  for (const gguf::TensorInfo& t : f.tensors()) {
    const TensorRole role = role_of(t.name);
    GroupStats& g = by_group[role_group(role)];
    g.group = role_group(role);
    g.params += t.n_elements;
    g.bytes += t.n_bytes;
    g.types.insert(type_name(t.type));
    inv.total_params += t.n_elements;
    inv.total_bytes += t.n_bytes;
    if (role == TensorRole::Embedding) continue;
    const bool expert = role == TensorRole::Expert || role == TensorRole::ExpertBias;
    active_params += expert ? t.n_elements * expert_share : static_cast<double>(t.n_elements);
    active_bytes += expert ? static_cast<double>(t.n_bytes) * expert_share : static_cast<double>(t.n_bytes);
  }
  // With tied embeddings the table is also the output matrix, read whole per token.
  if (inv.config && inv.config->tied_embeddings) {
    if (const gguf::TensorInfo* e = f.find_tensor("token_embd.weight")) {
      active_params += static_cast<double>(e->n_elements);
      active_bytes += static_cast<double>(e->n_bytes);
    }
  }
  inv.active_params = static_cast<int64_t>(active_params + 0.5);
  inv.active_bytes = static_cast<uint64_t>(active_bytes + 0.5);
  for (const char* name : {"experts", "attention", "ffn", "router", "embeddings", "output", "norms"}) {
    const auto it = by_group.find(name);
    if (it != by_group.end()) inv.groups.push_back(it->second);
  }
  return inv;
}

}  // namespace fathom::models
