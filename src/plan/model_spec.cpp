#include "plan/model_spec.h"

#include <charconv>
#include <map>

#include "core/dtype.h"

namespace fathom::plan {

const char* source_name(Source s) {
  switch (s) {
    case Source::Catalog: return "catalog";
    case Source::Gguf: return "gguf";
    case Source::HfFolder: return "hf-folder";
  }
  return "?";
}

int64_t layer_of(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return -1;
  int64_t layer = -1;
  const char* begin = name.data() + 4;
  const auto [end, ec] = std::from_chars(begin, name.data() + name.size(), layer);
  return ec == std::errc() && end != begin && *end == '.' ? layer : -1;
}

double expert_share(const models::ModelConfig& c) {
  return c.is_moe() ? static_cast<double>(c.n_expert_used) / static_cast<double>(c.n_expert) : 1.0;
}

std::vector<PlannedTensor> manifest_tensors(const models::ModelConfig& c, const MatrixType& matrix_type) {
  std::vector<PlannedTensor> out;
  for (const models::TensorSpec& s : models::tensor_manifest(c)) {
    PlannedTensor t;
    t.name = s.name;
    t.role = s.role;
    t.layer = layer_of(s.name);
    const DType type = models::role_is_matrix(s.role) ? matrix_type(s, t.layer) : DType::F32;
    t.type = static_cast<uint32_t>(type);
    t.n_elements = 1;
    for (int64_t d : s.dims) t.n_elements *= d;
    t.bytes = static_cast<uint64_t>(row_bytes(type, s.dims[0]) * (t.n_elements / s.dims[0]));
    out.push_back(std::move(t));
  }
  return out;
}

models::Inventory summarize(const ModelSpec& m) {
  models::Inventory inv;
  inv.config = m.config;
  const double share = expert_share(m.config);
  std::map<std::string, models::GroupStats> by_group;
  double active_params = 0, active_bytes = 0;
  for (const PlannedTensor& t : m.tensors) {
    models::GroupStats& g = by_group[models::role_group(t.role)];
    g.group = models::role_group(t.role);
    g.params += t.n_elements;
    g.bytes += t.bytes;
    g.types.insert(type_name(t.type));
    inv.total_params += t.n_elements;
    inv.total_bytes += t.bytes;
    // With tied embeddings the table is also the output matrix, read whole per token.
    if (t.role == models::TensorRole::Embedding && !m.config.tied_embeddings) continue;
    const double s = t.is_expert() ? share : 1.0;
    active_params += s * static_cast<double>(t.n_elements);
    active_bytes += s * static_cast<double>(t.bytes);
  }
  inv.active_params = static_cast<int64_t>(active_params + 0.5);
  inv.active_bytes = static_cast<uint64_t>(active_bytes + 0.5);
  for (const char* name : {"experts", "attention", "ffn", "router", "embeddings", "output", "norms"}) {
    const auto it = by_group.find(name);
    if (it != by_group.end()) inv.groups.push_back(it->second);
  }
  return inv;
}

}  // namespace fathom::plan
