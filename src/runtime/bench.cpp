#include "runtime/bench.h"

#include <chrono>
#include <cmath>

#include "core/error.h"
#include "models/kv_cache.h"

namespace fathom::runtime {

namespace {

// The depth prefill and the timed tokens use different seeds, so the timed tokens are
// not a repeat of the context (which could route MoE tokens the same way).
constexpr uint64_t kDepthSeed = 1, kTimedSeed = 2;

// One repetition: fresh caches, untimed depth prefill, then the timed part; tokens/s
// over all sequences.
double run_once(models::Model& model, const BenchTest& t, DType kv_type) {
  const models::ModelConfig& c = model.config();
  const auto n_seq = static_cast<size_t>(t.n_seq);
  std::vector<models::KvCache> caches;
  std::vector<std::vector<int32_t>> tokens;
  std::vector<float> logits(n_seq * static_cast<size_t>(c.n_vocab));
  for (size_t s = 0; s < n_seq; ++s) {
    caches.emplace_back(c, t.depth + t.n_tokens, kv_type);
    float* row = logits.data() + s * c.n_vocab;
    if (t.depth > 0) model.forward(bench_tokens(t.depth, c.n_vocab, kDepthSeed + 2 * s), caches[s], row, false);
    tokens.push_back(bench_tokens(t.n_tokens, c.n_vocab, kTimedSeed + 2 * s));
  }
  // The sequences' pieces for one forward pass: [from, from + n) of each token list.
  const auto step = [&](int64_t from, int64_t n) {
    std::vector<models::Sequence> batch;
    for (size_t s = 0; s < n_seq; ++s) {
      batch.push_back({std::span<const int32_t>(tokens[s]).subspan(static_cast<size_t>(from), static_cast<size_t>(n)),
                       &caches[s], logits.data() + s * c.n_vocab, false});
    }
    model.forward(batch);
  };
  const auto t0 = std::chrono::steady_clock::now();
  if (t.kind == BenchTest::Kind::Prompt) {
    step(0, t.n_tokens);
  } else {
    // No sampling: like llama-bench, tg times the forward passes alone.
    for (int64_t i = 0; i < t.n_tokens; ++i) step(i, 1);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return static_cast<double>(t.n_tokens * t.n_seq) / s;
}

}  // namespace

std::string BenchTest::name() const {
  std::string s = (kind == Kind::Prompt ? "pp" : "tg") + std::to_string(n_tokens);
  if (depth > 0) s += " @ d" + std::to_string(depth);
  if (n_seq > 1) s += " x" + std::to_string(n_seq);
  return s;
}

// splitmix64: a tiny generator whose sequence is fixed by the seed on every platform.
std::vector<int32_t> bench_tokens(int64_t n, int64_t n_vocab, uint64_t seed) {
  std::vector<int32_t> out(static_cast<size_t>(n));
  uint64_t x = seed;
  for (auto& id : out) {
    x += 0x9e3779b97f4a7c15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    id = static_cast<int32_t>(z % static_cast<uint64_t>(n_vocab));
  }
  return out;
}

std::vector<double> run_bench_test(models::Model& model, const BenchTest& t, int reps, DType kv_type) {
  if (t.n_tokens < 1) throw Error("bench: test " + t.name() + " has no tokens to time");
  if (reps < 1) throw Error("bench: at least one repetition is needed");
  if (t.n_seq < 1) throw Error("bench: at least one sequence is needed");
  run_once(model, t, kv_type);  // warm-up: page cache, allocator, thread wake-up
  std::vector<double> tps;
  for (int r = 0; r < reps; ++r) tps.push_back(run_once(model, t, kv_type));
  return tps;
}

MeanSd mean_sd(const std::vector<double>& xs) {
  MeanSd m;
  if (xs.empty()) return m;
  for (double x : xs) m.mean += x;
  m.mean /= static_cast<double>(xs.size());
  if (xs.size() < 2) return m;
  double ss = 0;
  for (double x : xs) ss += (x - m.mean) * (x - m.mean);
  m.sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  return m;
}

}  // namespace fathom::runtime
