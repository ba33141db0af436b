// Scoring a generative answer: the final answer is taken from the model's reply (its
// answer channel only; reasoning never reaches here), then compared by the item's rule.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "eval/tasks.h"

namespace fathom::eval {

// The last non-empty line, without Markdown emphasis, an "Answer:" / "Ответ:" label
// and surrounding spaces and final punctuation.
std::string extract_final_answer(std::string_view reply);

// The last number written in the text, in any of the usual notations: 1234.5,
// 1,234.5, 1 234,5 (spaces or no-break spaces), 1234,5, a minus or U+2212 sign.
// lang decides a lone "1,234": thousands in English, a decimal comma otherwise.
std::optional<double> last_number(std::string_view text, std::string_view lang);

// Case-insensitive (ASCII and Cyrillic) comparison after trimming spaces and final
// punctuation; the answer may also be the reply's last words ("It is Anna.").
bool exact_match(std::string_view extracted, std::string_view answer);

struct Verdict {
  bool correct = false;
  std::string extracted;
};

Verdict score_generative(const Item& item, std::string_view reply);

}  // namespace fathom::eval
