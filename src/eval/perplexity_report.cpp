#include "core/units.h"
#include "eval/perplexity_report.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace fathom::eval {

namespace {

// Columns padded to their widest cell; the first left-aligned, the rest right-aligned.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w;
  for (const auto& r : rows) {
    w.resize(std::max(w.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      const std::string pad(w[i] - r[i].size(), ' ');
      out += i == 0 ? r[i] + pad : "  " + pad + r[i];
    }
    out += '\n';
  }
  return out;
}

std::string ppl_cell(const PrecisionSummary& s) {
  return format_number("%.6g", s.ppl) + " [" + format_number("%.6g", s.ppl_lo) + ", " + format_number("%.6g", s.ppl_hi) + "]";
}

std::vector<std::pair<std::string, PrecisionSummary>> rows_with_total(const PerplexityReport& r) {
  auto rows = r.texts;
  if (rows.size() > 1) rows.emplace_back("all", r.total);
  return rows;
}

}  // namespace

std::string perplexity_text(const PerplexityReport& r) {
  std::string out = "model: " + r.model + "; windows of " + std::to_string(r.window.ctx) + " tokens, stride " +
                    std::to_string(r.window.stride) + "\n\n";
  std::vector<std::vector<std::string>> rows{{"text", "tokens", "PPL [95% CI]", "NLL ± se"}};
  for (const auto& [name, s] : rows_with_total(r)) {
    rows.push_back({name, std::to_string(s.n), ppl_cell(s), format_number("%.5f", s.nll.mean) + " ± " + format_number("%.5f", s.nll.se)});
  }
  out += table(rows);
  if (!r.total.has_base) return out;
  out += "\nagainst the base " + r.base_model + ":\n\n";
  std::vector<std::vector<std::string>> k{{"text", "PPL(base)", "ln(PPL/PPL base)", "KLD mean ± se", "median", "p90",
                                           "p99", "max", "same top", "Δp mean ± se", "RMS Δp"}};
  for (const auto& [name, s] : rows_with_total(r)) {
    k.push_back({name, format_number("%.6g", s.base_ppl),
                 format_number("%.5f", s.ln_ppl_ratio.mean) + " ± " + format_number("%.5f", s.ln_ppl_ratio.se),
                 format_number("%.6f", s.kld.mean) + " ± " + format_number("%.6f", s.kld.se), format_number("%.6f", s.kld_median),
                 format_number("%.6f", s.kld_p90), format_number("%.6f", s.kld_p99), format_number("%.6f", s.kld_max),
                 format_number("%.2f", 100 * s.same_top.mean) + "% ± " + format_number("%.2f", 100 * s.same_top.se),
                 format_number("%.3f", 100 * s.delta_p.mean) + "% ± " + format_number("%.3f", 100 * s.delta_p.se),
                 format_number("%.3f", 100 * s.delta_p_rms) + "%"});
  }
  return out + table(k);
}

chat::Json summary_json(const PrecisionSummary& s) {
  chat::Json j{{"n_tokens", s.n},          {"nll", s.nll.mean},     {"nll_se", s.nll.se},
               {"ppl", s.ppl},             {"ppl_ci95", {s.ppl_lo, s.ppl_hi}}};
  if (!s.has_base) return j;
  j["base_ppl"] = s.base_ppl;
  j["ln_ppl_ratio"] = {{"mean", s.ln_ppl_ratio.mean}, {"se", s.ln_ppl_ratio.se}};
  j["kld"] = {{"mean", s.kld.mean}, {"se", s.kld.se}, {"median", s.kld_median},
              {"p90", s.kld_p90},   {"p99", s.kld_p99}, {"max", s.kld_max}};
  j["same_top"] = {{"mean", s.same_top.mean}, {"se", s.same_top.se}};
  j["delta_p"] = {{"mean", s.delta_p.mean}, {"se", s.delta_p.se}, {"rms", s.delta_p_rms}};
  return j;
}

chat::Json perplexity_json(const PerplexityReport& r) {
  chat::Json texts = chat::Json::array();
  for (const auto& [name, s] : r.texts) {
    chat::Json t = summary_json(s);
    t["text"] = name;
    texts.push_back(t);
  }
  chat::Json j{{"model", r.model}, {"ctx", r.window.ctx}, {"stride", r.window.stride},
               {"texts", texts},   {"total", summary_json(r.total)}};
  if (r.total.has_base) j["base_model"] = r.base_model;
  return j;
}

std::string precision_text(const PerplexityReport& c) {
  std::string out = "reference: " + c.base_model + "\ncandidate: " + c.model + "\nwindows of " +
                    std::to_string(c.window.ctx) + " tokens, stride " + std::to_string(c.window.stride) + "\n\n";
  std::vector<std::vector<std::string>> rows{{"text", "tokens", "PPL ref", "PPL cand", "ln(PPL ratio) ± se",
                                              "KLD mean ± se", "KLD p99", "same top", "Δp mean"}};
  for (const auto& [name, s] : rows_with_total(c)) {
    rows.push_back({name, std::to_string(s.n), format_number("%.6g", s.base_ppl), format_number("%.6g", s.ppl),
                    format_number("%+.5f", s.ln_ppl_ratio.mean) + " ± " + format_number("%.5f", s.ln_ppl_ratio.se),
                    format_number("%.6f", s.kld.mean) + " ± " + format_number("%.6f", s.kld.se), format_number("%.6f", s.kld_p99),
                    format_number("%.2f", 100 * s.same_top.mean) + "%", format_number("%+.3f", 100 * s.delta_p.mean) + "%"});
  }
  return out + table(rows);
}

}  // namespace fathom::eval
