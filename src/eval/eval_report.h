// Accuracy per language and reasoning setting with 95% intervals, the paired ru-en
// difference (the items are parallel, so each pair differs only in language), and the
// reasoning tokens spent per item: the depth actually used.
#pragma once
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "eval/eval_run.h"

namespace fathom::eval {

struct Proportion {
  int64_t n = 0, k = 0;
  double p = 0, lo = 0, hi = 0;  // Wilson 95% interval
};
Proportion proportion(int64_t k, int64_t n);

struct PairedDiff {
  int64_t n = 0;                 // pairs
  double mean = 0, lo = 0, hi = 0;  // first language minus second, 95% interval
};

struct Cell {
  std::string lang, setting, type;  // type: "gen" or "mc"
  Proportion acc, acc_norm, acc_bytes;  // norm and bytes: multiple choice only
  double reasoning_tokens = 0, completion_tokens = 0;  // means, generative only
};

struct EvalReport {
  std::string model;
  std::vector<Cell> cells;
  struct Diff {
    std::string setting, type;
    PairedDiff d;
  };
  std::vector<Diff> ru_minus_en;
};

EvalReport eval_report(const std::string& model, const std::vector<Result>& results);
std::string eval_text(const EvalReport& r);
chat::Json eval_json(const EvalReport& r);

}  // namespace fathom::eval
