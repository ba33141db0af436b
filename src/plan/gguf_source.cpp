// A GGUF file as the planner sees it: the header's tensor list, sizes exact.
#include <filesystem>

#include "formats/gguf.h"
#include "plan/catalog.h"
#include "plan/sources.h"

namespace fathom::plan {

ModelSpec model_from_gguf(const std::string& path) {
  const auto f = gguf::File::open(path, {.header_only = true});
  ModelSpec m;
  m.config = models::read_config(*f);
  m.label = std::filesystem::path(path).filename().string();
  m.source = Source::Gguf;
  m.native_variant = variant_name(published_variant(m.config.arch));
  m.run_path = path;
  for (const gguf::TensorInfo& t : f->tensors()) {
    m.tensors.push_back({t.name, models::role_of(t.name), layer_of(t.name), t.type, t.n_elements, t.n_bytes});
  }
  return m;
}

}  // namespace fathom::plan
