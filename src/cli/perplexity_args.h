// What perplexity and precision share: the scoring windows' flags, the model's name and
// one run of a model over the texts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "eval/perplexity.h"
#include "eval/perplexity_run.h"
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

// One model loaded, run over the text files with a progress bar (`label`), released:
// its log-probabilities saved to `save` and/or compared with `base` when given.
eval::PerplexityReport perplexity_of(const std::string& model_path, const std::vector<std::string>& texts,
                                     const eval::WindowOptions& w, const std::string& save, const std::string& base,
                                     int threads, const char* label);

}  // namespace fathom::cli
