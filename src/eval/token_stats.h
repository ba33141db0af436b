// Per-token statistics of one model's predictions over a text, and of a candidate
// against a reference: the figures llama.cpp's `llama-perplexity --kl-divergence`
// prints, so users can compare them with what they know.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace fathom::eval {

struct MeanSe {
  double mean = 0, se = 0;  // standard error of the mean
};

struct PrecisionSummary {
  int64_t n = 0;
  MeanSe nll;                        // mean negative log-likelihood (nats per token)
  double ppl = 0, ppl_lo = 0, ppl_hi = 0;  // exp(nll), 95% interval
  bool has_base = false;
  MeanSe base_nll;
  double base_ppl = 0;
  MeanSe ln_ppl_ratio;               // mean of nll - base_nll: ln(PPL/PPL_base)
  MeanSe kld;                        // KL(base || candidate), nats
  double kld_median = 0, kld_p90 = 0, kld_p99 = 0, kld_max = 0;
  MeanSe same_top;                   // share of tokens where both models' most likely token agree
  MeanSe delta_p;                    // p_candidate(correct) - p_base(correct)
  double delta_p_rms = 0;
};

class TokenStats {
 public:
  // logprobs: the candidate's log-softmax row; base: the reference's, or empty.
  void add(int32_t target, std::span<const float> logprobs, std::span<const float> base);
  PrecisionSummary summary() const;

 private:
  std::vector<double> nll_, base_nll_, kld_, same_, dp_;
};

MeanSe mean_se(const std::vector<double>& xs);

}  // namespace fathom::eval
