// `fathom compare`: every measurement fathom makes, for several models on this machine,
// gathered into one JSON document (the report's single source of numbers): identity and
// precision, memory and placement, measured speed, perplexity and KL divergence against
// the first model, accuracy by language and reasoning setting, and expert routing.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "eval/perplexity.h"
#include "plan/hardware.h"

namespace fathom::eval {

struct CompareOptions {
  std::vector<std::string> models;   // GGUF paths; the first is the reference for KL divergence
  std::vector<std::string> suites;   // "builtin" or JSONL files; none: no accuracy section
  std::vector<std::string> texts;    // text files (one per language); none: no perplexity or routing
  std::vector<std::string> efforts;  // gpt-oss reasoning efforts
  std::optional<bool> think;         // Qwen3 thinking
  int64_t limit = 0, max_tokens = 4096, ctx = 8192;
  int parallel = 1, threads = 1;
  WindowOptions window;
  int64_t bench_prompt = 64, bench_gen = 16;
  int bench_reps = 2;
  std::string results_dir = "fathom-compare";  // per-model eval results (resumable) and the base logits
  plan::MachineOptions machine;
  std::function<void(const std::string& stage)> on_stage;  // "model 1/2: speed"...
  std::function<void(int64_t done, int64_t total)> progress;
};

chat::Json run_compare(const CompareOptions& o);

}  // namespace fathom::eval
