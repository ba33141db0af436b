#include "plan/sources.h"

#include <filesystem>

#include "core/error.h"
#include "plan/catalog.h"

namespace fathom::plan {

ModelSpec resolve_model(const std::string& arg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(arg, ec)) return model_from_hf_folder(arg);
  const bool gguf_name = arg.size() > 5 && arg.compare(arg.size() - 5, 5, ".gguf") == 0;
  if (fs::exists(arg, ec) || gguf_name) return model_from_gguf(arg);
  if (std::optional<ModelSpec> m = find_in_catalog(arg)) return *m;
  std::string closest;
  for (const std::string& n : closest_names(arg, 3)) closest += (closest.empty() ? "" : ", ") + n;
  throw Error("unknown model '" + arg + "': not a catalog name, a .gguf file or a model folder (closest: " + closest +
              ")");
}

}  // namespace fathom::plan
