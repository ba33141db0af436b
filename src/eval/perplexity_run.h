// `fathom perplexity` and `fathom precision` underneath: texts tokenized once, every
// scored token's statistics per text and over all, optionally against a base file of a
// reference model's log-probabilities (KL divergence), optionally saving one.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eval/perplexity.h"
#include "eval/token_stats.h"
#include "models/model.h"
#include "tokenizer/tokenizer.h"

namespace fathom::eval {

struct Text {
  std::string name;  // the file's name, for the report
  std::vector<int32_t> tokens;
};

// Reads and tokenizes each file; an unreadable file or one under two tokens is an Error.
std::vector<Text> load_texts(const std::vector<std::string>& paths, const tokenizer::Tokenizer& tok);

struct PerplexityRun {
  std::string save_path;  // write the model's log-probabilities here (a base for later)
  std::string base_path;  // compare against this base
  std::string model_name;
  std::function<void(int64_t done, int64_t total)> progress;
};

struct PerplexityReport {
  std::string model;
  std::string base_model;  // when compared against a base
  WindowOptions window;
  std::vector<std::pair<std::string, PrecisionSummary>> texts;
  PrecisionSummary total;
};

PerplexityReport run_perplexity(models::Model& model, const tokenizer::Tokenizer& tok, const std::vector<Text>& texts,
                                const WindowOptions& w, const PerplexityRun& run);

}  // namespace fathom::eval
