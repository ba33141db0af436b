// Prompt-processing and generation speed of a loaded model, measured the way
// llama-bench does: a test is "ppN" (one batch of N prompt tokens) or "tgN" (N tokens
// decoded one at a time), optionally after D untimed tokens of context, repeated after
// a warm-up, each repetition on a fresh KV cache. With n_seq > 1, that many sequences run
// side by side in one batched forward pass per step, as the server's --parallel slots
// do, and the figure is their aggregate tokens/s.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "models/model.h"

namespace fathom::runtime {

struct BenchTest {
  enum class Kind { Prompt, Generate };
  Kind kind = Kind::Prompt;
  int64_t n_tokens = 0;
  int64_t depth = 0;  // tokens prefilled (untimed) before the timed part
  int64_t n_seq = 1;  // sequences side by side

  std::string name() const;  // "pp512", "tg128", "pp512 @ d4096", "tg128 x4"
};

// n deterministic pseudo-random token ids in [0, n_vocab), the same for a seed.
std::vector<int32_t> bench_tokens(int64_t n, int64_t n_vocab, uint64_t seed);

// Tokens/s of each of `reps` repetitions, after one untimed warm-up repetition.
std::vector<double> run_bench_test(models::Model& model, const BenchTest& t, int reps, DType kv_type);

struct MeanSd {
  double mean = 0, sd = 0;  // sd: sample standard deviation (n-1), 0 for one sample
};
MeanSd mean_sd(const std::vector<double>& xs);

}  // namespace fathom::runtime
