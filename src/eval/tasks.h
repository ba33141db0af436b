// Evaluation items (docs/EVAL.md): multiple choice scored by log-likelihood, and
// generative questions scored on the final answer. JSON Lines, one item a line.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::eval {

struct Item {
  std::string id, lang, category;
  bool mc = false;
  // Multiple choice.
  std::string question;
  std::vector<std::string> choices;
  int answer_index = 0;
  // Generative.
  std::string prompt, answer, match;  // match: "number", "exact" or "regex"
};

// Parses a JSONL text; errors name the source and line.
std::vector<Item> parse_items(std::string_view text, const std::string& source);
std::vector<Item> load_items(const std::string& path);
// The built-in suite, both languages.
std::vector<Item> builtin_items();
// "builtin" or JSONL paths, in order.
std::vector<Item> load_suites(const std::vector<std::string>& suites);
// The first `limit` items of each language (all when limit <= 0), so parallel pairs stay whole.
std::vector<Item> first_per_language(const std::vector<Item>& items, int64_t limit);

}  // namespace fathom::eval
