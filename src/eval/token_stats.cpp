#include "eval/token_stats.h"

#include <algorithm>
#include <cmath>

namespace fathom::eval {

namespace {

size_t argmax(std::span<const float> x) {
  return static_cast<size_t>(std::max_element(x.begin(), x.end()) - x.begin());
}

// The q-quantile by linear interpolation between order statistics.
double quantile(std::vector<double> xs, double q) {
  if (xs.empty()) return 0.0;
  std::sort(xs.begin(), xs.end());
  const double at = q * static_cast<double>(xs.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(at));
  const size_t hi = std::min(lo + 1, xs.size() - 1);
  return xs[lo] + (xs[hi] - xs[lo]) * (at - static_cast<double>(lo));
}

}  // namespace

MeanSe mean_se(const std::vector<double>& xs) {
  MeanSe m;
  if (xs.empty()) return m;
  double sum = 0;
  for (double x : xs) sum += x;
  m.mean = sum / static_cast<double>(xs.size());
  if (xs.size() < 2) return m;
  double ss = 0;
  for (double x : xs) ss += (x - m.mean) * (x - m.mean);
  m.se = std::sqrt(ss / static_cast<double>(xs.size() - 1) / static_cast<double>(xs.size()));
  return m;
}

void TokenStats::add(int32_t target, std::span<const float> lp, std::span<const float> base) {
  const auto t = static_cast<size_t>(target);
  nll_.push_back(-static_cast<double>(lp[t]));
  if (base.empty()) return;
  base_nll_.push_back(-static_cast<double>(base[t]));
  double kld = 0;
  for (size_t i = 0; i < lp.size(); ++i) {
    const double b = base[i];
    if (b > -100.0) kld += std::exp(b) * (b - static_cast<double>(lp[i]));  // exp(-100) adds nothing
  }
  kld_.push_back(std::max(kld, 0.0));  // rounding can leave -1e-9 where the rows are equal
  same_.push_back(argmax(lp) == argmax(base) ? 1.0 : 0.0);
  dp_.push_back(std::exp(static_cast<double>(lp[t])) - std::exp(static_cast<double>(base[t])));
}

PrecisionSummary TokenStats::summary() const {
  PrecisionSummary s;
  s.n = static_cast<int64_t>(nll_.size());
  s.nll = mean_se(nll_);
  s.ppl = std::exp(s.nll.mean);
  s.ppl_lo = std::exp(s.nll.mean - 1.96 * s.nll.se);
  s.ppl_hi = std::exp(s.nll.mean + 1.96 * s.nll.se);
  if (base_nll_.empty()) return s;
  s.has_base = true;
  s.base_nll = mean_se(base_nll_);
  s.base_ppl = std::exp(s.base_nll.mean);
  std::vector<double> ratio(nll_.size());
  for (size_t i = 0; i < nll_.size(); ++i) ratio[i] = nll_[i] - base_nll_[i];
  s.ln_ppl_ratio = mean_se(ratio);
  s.kld = mean_se(kld_);
  s.kld_median = quantile(kld_, 0.5);
  s.kld_p90 = quantile(kld_, 0.9);
  s.kld_p99 = quantile(kld_, 0.99);
  s.kld_max = *std::max_element(kld_.begin(), kld_.end());
  s.same_top = mean_se(same_);
  s.delta_p = mean_se(dp_);
  double sq = 0;
  for (double d : dp_) sq += d * d;
  s.delta_p_rms = std::sqrt(sq / static_cast<double>(dp_.size()));
  return s;
}

}  // namespace fathom::eval
