// Where a model description comes from: a catalog name, a GGUF file (header only) or
// a Hugging Face folder (config.json plus safetensors headers).
#pragma once
#include <string>

#include "plan/model_spec.h"

namespace fathom::plan {

// Exact to the byte: reads only the header, so a partial download is enough.
ModelSpec model_from_gguf(const std::string& path);

// The GGUF a straight conversion of the folder would give: shapes from config.json,
// each group's precision from the safetensors headers (MXFP4 expert blocks stay MXFP4).
ModelSpec model_from_hf_folder(const std::string& dir);

// A folder, an existing file or a name ending in .gguf, else a catalog name; an unknown
// name is an Error suggesting the closest catalog names.
ModelSpec resolve_model(const std::string& arg);

}  // namespace fathom::plan
