#include "plan/model_spec.h"

#include <charconv>

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
  std::vector<models::TensorEntry> entries;
  for (const PlannedTensor& t : m.tensors) entries.push_back({t.role, t.type, t.n_elements, t.bytes});
  return models::summarize(m.config, entries);
}

}  // namespace fathom::plan
