#include "core/units.h"
#include "eval/eval_report.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace fathom::eval {

namespace {

std::string pct(const Proportion& p) {
  return format_number("%.1f", 100 * p.p) + "% [" + format_number("%.1f", 100 * p.lo) + ", " + format_number("%.1f", 100 * p.hi) + "]";
}

chat::Json prop_json(const Proportion& p) { return {{"n", p.n}, {"correct", p.k}, {"acc", p.p}, {"ci95", {p.lo, p.hi}}}; }

}  // namespace

Proportion proportion(int64_t k, int64_t n) {
  Proportion p;
  p.n = n;
  p.k = k;
  if (n == 0) return p;
  const double z = 1.96, nn = static_cast<double>(n), ph = static_cast<double>(k) / nn;
  const double denom = 1 + z * z / nn;
  const double centre = (ph + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn)) / denom;
  p.p = ph;
  p.lo = std::max(0.0, centre - half);
  p.hi = std::min(1.0, centre + half);
  return p;
}

EvalReport eval_report(const std::string& model, const std::vector<Result>& results) {
  EvalReport r;
  r.model = model;
  struct Acc {
    int64_t n = 0, k = 0, k_norm = 0, k_bytes = 0;
    double reasoning = 0, completion = 0;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Acc> acc;  // (setting, type, lang)
  std::map<std::tuple<std::string, std::string, std::string>, std::map<std::string, double>> by_id;  // (setting, type, id) -> lang -> correct
  for (const Result& x : results) {
    const std::string lang = x["lang"], setting = x["setting"], type = x["type"], id = x["id"];
    Acc& a = acc[{setting, type, lang}];
    const bool ok = x["correct"].get<bool>();
    ++a.n;
    a.k += ok;
    if (type == "mc") {
      a.k_norm += x["correct_norm"].get<bool>();
      a.k_bytes += x["correct_bytes"].get<bool>();
    } else {
      a.reasoning += x.value("reasoning_tokens", 0.0);
      a.completion += x.value("completion_tokens", 0.0);
    }
    by_id[{setting, type, id}][lang] = ok ? 1.0 : 0.0;
  }
  for (const auto& [key, a] : acc) {
    Cell c;
    std::tie(c.setting, c.type, c.lang) = key;
    c.acc = proportion(a.k, a.n);
    if (c.type == "mc") {
      c.acc_norm = proportion(a.k_norm, a.n);
      c.acc_bytes = proportion(a.k_bytes, a.n);
    } else {
      c.reasoning_tokens = a.reasoning / static_cast<double>(a.n);
      c.completion_tokens = a.completion / static_cast<double>(a.n);
    }
    r.cells.push_back(c);
  }
  std::map<std::pair<std::string, std::string>, std::vector<double>> diffs;
  for (const auto& [key, langs] : by_id) {
    if (langs.count("ru") && langs.count("en")) {
      diffs[{std::get<0>(key), std::get<1>(key)}].push_back(langs.at("ru") - langs.at("en"));
    }
  }
  for (const auto& [key, d] : diffs) {
    PairedDiff pd;
    pd.n = static_cast<int64_t>(d.size());
    double sum = 0;
    for (double x : d) sum += x;
    pd.mean = sum / static_cast<double>(pd.n);
    double ss = 0;
    for (double x : d) ss += (x - pd.mean) * (x - pd.mean);
    // One pair says nothing about spread: its interval is the whole range.
    const double se = pd.n > 1 ? std::sqrt(ss / static_cast<double>(pd.n - 1) / static_cast<double>(pd.n)) : 1.0;
    pd.lo = std::max(-1.0, pd.mean - 1.96 * se);
    pd.hi = std::min(1.0, pd.mean + 1.96 * se);
    r.ru_minus_en.push_back({key.first, key.second, pd});
  }
  return r;
}

std::string eval_text(const EvalReport& r) {
  std::string out = "model: " + r.model + "\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-10s %-4s %-4s %5s  %-24s %-24s %-24s %10s\n", "setting", "type", "lang", "n",
                "acc [95% CI]", "acc_norm (chars)", "acc_bytes", "reasoning");
  out += line;
  for (const Cell& c : r.cells) {
    const bool mc = c.type == "mc";
    std::snprintf(line, sizeof line, "%-10s %-4s %-4s %5lld  %-24s %-24s %-24s %10s\n", c.setting.c_str(), c.type.c_str(),
                  c.lang.c_str(), static_cast<long long>(c.acc.n), pct(c.acc).c_str(),
                  mc ? pct(c.acc_norm).c_str() : "", mc ? pct(c.acc_bytes).c_str() : "",
                  mc ? "" : format_number("%.0f tok", c.reasoning_tokens).c_str());
    out += line;
  }
  if (!r.ru_minus_en.empty()) {
    out += "\nru - en, paired over the same items:\n";
    for (const auto& d : r.ru_minus_en) {
      std::snprintf(line, sizeof line, "  %-10s %-4s %+6.1f points [%+.1f, %+.1f], %lld pairs\n", d.setting.c_str(),
                    d.type.c_str(), 100 * d.d.mean, 100 * d.d.lo, 100 * d.d.hi, static_cast<long long>(d.d.n));
      out += line;
    }
  }
  return out;
}

chat::Json eval_json(const EvalReport& r) {
  chat::Json cells = chat::Json::array();
  for (const Cell& c : r.cells) {
    chat::Json j{{"lang", c.lang}, {"setting", c.setting}, {"type", c.type}, {"acc", prop_json(c.acc)}};
    if (c.type == "mc") {
      j["acc_norm"] = prop_json(c.acc_norm);
      j["acc_bytes"] = prop_json(c.acc_bytes);
    } else {
      j["reasoning_tokens_mean"] = c.reasoning_tokens;
      j["completion_tokens_mean"] = c.completion_tokens;
    }
    cells.push_back(j);
  }
  chat::Json diffs = chat::Json::array();
  for (const auto& d : r.ru_minus_en) {
    diffs.push_back({{"setting", d.setting}, {"type", d.type}, {"pairs", d.d.n}, {"mean", d.d.mean}, {"ci95", {d.d.lo, d.d.hi}}});
  }
  return {{"model", r.model}, {"cells", cells}, {"ru_minus_en", diffs}};
}

}  // namespace fathom::eval
