// Flags perplexity and precision share: the scoring windows and the model's name.
#pragma once
#include <cstdint>
#include <string>

#include "CLI/CLI.hpp"
#include "eval/perplexity.h"
#include "formats/gguf.h"

namespace fathom::cli {

struct WindowArgs {
  int64_t ctx = 512, stride = -1;  // stride -1: ctx / 2
  std::string kv_type = "f16";
  eval::WindowOptions options() const;
};

void add_window_options(CLI::App* cmd, WindowArgs* w);

// general.name, or the file name when the model has none.
std::string model_name(const gguf::File& f, const std::string& path);

}  // namespace fathom::cli
