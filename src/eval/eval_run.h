// Running a suite: every item (generative ones once per reasoning setting) against a
// target, `parallel` at a time, each result appended to a JSON Lines file as soon as it
// is known. A rerun with the same file skips what is already there: an interrupted run
// resumes instead of starting over.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "eval/targets.h"
#include "eval/tasks.h"

namespace fathom::eval {

struct EvalOptions {
  std::vector<std::string> efforts;  // gpt-oss efforts; empty: the model's default
  std::optional<bool> think;         // Qwen3 thinking
  int64_t max_tokens = 4096;
  int parallel = 1;
  std::string out;                   // results file (JSONL), resumed when it exists
  std::function<void(int64_t done, int64_t total)> progress;
};

// One line of the results file.
using Result = chat::Json;

// The item keys: "id|lang|setting"; the setting is "-" for multiple choice.
std::string result_key(const Item& item, const std::string& setting);

std::vector<Result> run_eval(Target& target, const std::vector<Item>& items, const EvalOptions& o);

}  // namespace fathom::eval
