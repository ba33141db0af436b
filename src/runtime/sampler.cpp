#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

namespace fathom::runtime {

namespace {

struct Candidate {
  int32_t id;
  float logit;
  float p = 0.0f;
};

void apply_penalties(std::vector<Candidate>& c, std::span<const int32_t> history, const SamplerParams& p) {
  if (p.repeat_penalty == 1.0f && p.presence_penalty == 0.0f && p.frequency_penalty == 0.0f) return;
  const size_t n = std::min(history.size(), static_cast<size_t>(std::max<int64_t>(p.penalty_last_n, 0)));
  std::unordered_map<int32_t, int> count;
  for (int32_t t : history.subspan(history.size() - n)) ++count[t];
  for (const auto& [id, k] : count) {
    if (id < 0 || static_cast<size_t>(id) >= c.size()) continue;
    float& l = c[static_cast<size_t>(id)].logit;
    l = l > 0 ? l / p.repeat_penalty : l * p.repeat_penalty;
    l -= p.presence_penalty + p.frequency_penalty * static_cast<float>(k);
  }
}

// Puts the n_sorted highest logits first, in descending order, and sets every
// candidate's probability at temperature t. Only the head a filter can keep is sorted:
// a full sort of a 200k vocabulary per token costs milliseconds for nothing.
void softmax_sorted(std::vector<Candidate>& c, float t, size_t n_sorted) {
  std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n_sorted), c.end(),
                    [](const Candidate& a, const Candidate& b) {
                      return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
                    });
  double sum = 0.0;
  for (Candidate& x : c) sum += x.p = std::exp((x.logit - c[0].logit) / t);
  for (Candidate& x : c) x.p = static_cast<float>(x.p / sum);
}

}  // namespace

Sampler::Sampler(const SamplerParams& p) : p_(p), rng_(p.seed) {}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
  std::vector<Candidate> c(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) c[i] = {static_cast<int32_t>(i), logits[i]};
  apply_penalties(c, history, p_);
  if (p_.temperature <= 0.0f) {
    return std::max_element(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
             return a.logit < b.logit || (a.logit == b.logit && a.id > b.id);
           })->id;
  }
  size_t keep = c.size();
  if (p_.top_k > 0) keep = std::min(keep, static_cast<size_t>(p_.top_k));
  softmax_sorted(c, 1.0f, keep);
  if (p_.top_p < 1.0f) {
    double cum = 0.0;
    for (size_t i = 0; i < keep; ++i) {
      cum += c[i].p;
      if (cum >= p_.top_p) {
        keep = i + 1;
        break;
      }
    }
  }
  if (p_.min_p > 0.0f) {
    const float floor = p_.min_p * c[0].p;
    size_t i = 1;
    while (i < keep && c[i].p >= floor) ++i;
    keep = i;
  }
  c.resize(keep);
  softmax_sorted(c, p_.temperature, keep);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  double r = uni(rng_), cum = 0.0;
  for (const Candidate& x : c) {
    cum += x.p;
    if (r < cum) return x.id;
  }
  return c.back().id;
}

}  // namespace fathom::runtime
