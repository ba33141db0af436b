#include "eval/report_html.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/units.h"

namespace fathom::eval {

namespace {

using Json = chat::Json;

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

// The JSON embedded in a <script> element: "</" must not close it early.
std::string script_json(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  for (size_t p = 0; (p = s.find("</", p)) != std::string::npos; p += 3) s.replace(p, 2, "<\\/");
  return s;
}

// A table cell showing a number from the JSON; data-path and data-value let a reader (and
// the test) tie what is shown to the document.
std::string num_cell(const std::string& path, double v, const char* f, const std::string& suffix = "") {
  return "<td class=\"n\" data-path=\"" + esc(path) + "\" data-value=\"" + format_number("%.17g", v) + "\">" +
         format_number(f, v) + suffix + "</td>";
}

const char* kColors[] = {"#3566c6", "#d2772b", "#2f9e60", "#b5435f", "#7a55c2", "#8c8c2b"};

struct Bar {
  std::string label;       // category on the x axis
  int series = 0;          // model index: colour and legend
  double value = 0, lo = NAN, hi = NAN;
};

// Grouped bars with optional 95% error bars, as an inline SVG.
std::string bar_chart(const std::string& title, const std::vector<std::string>& series, const std::vector<Bar>& bars,
                      const std::string& unit) {
  std::vector<std::string> cats;
  for (const Bar& b : bars) {
    if (std::find(cats.begin(), cats.end(), b.label) == cats.end()) cats.push_back(b.label);
  }
  double vmax = 0;
  for (const Bar& b : bars) vmax = std::max({vmax, b.value, std::isnan(b.hi) ? 0.0 : b.hi});
  if (vmax <= 0) vmax = 1;
  const double W = 760, H = 260, left = 60, bottom = 50, top = 30;
  const double plot_h = H - bottom - top, group_w = (W - left - 10) / std::max<size_t>(cats.size(), 1);
  const double bar_w = std::min(40.0, group_w * 0.8 / std::max<size_t>(series.size(), 1));
  std::string s = "<svg class=\"chart\" viewBox=\"0 0 " + format_number("%.0f", W) + " " + format_number("%.0f", H) +
                  "\" role=\"img\" aria-label=\"" + esc(title) + "\"><text x=\"" + format_number("%.0f", left) +
                  "\" y=\"18\" class=\"title\">" + esc(title) + "</text>";
  for (int k = 0; k <= 4; ++k) {
    const double v = vmax * k / 4, y = top + plot_h * (1 - static_cast<double>(k) / 4);
    s += "<line x1=\"" + format_number("%.0f", left) + "\" x2=\"" + format_number("%.0f", W - 10) + "\" y1=\"" +
         format_number("%.1f", y) + "\" y2=\"" + format_number("%.1f", y) + "\" class=\"grid\"/>";
    s += "<text x=\"" + format_number("%.0f", left - 6) + "\" y=\"" + format_number("%.1f", y + 4) +
         "\" class=\"axis\" text-anchor=\"end\">" + format_number(vmax < 10 ? "%.2f" : "%.0f", v) + "</text>";
  }
  for (size_t c = 0; c < cats.size(); ++c) {
    const double gx = left + group_w * static_cast<double>(c);
    s += "<text x=\"" + format_number("%.1f", gx + group_w / 2) + "\" y=\"" + format_number("%.0f", H - bottom + 16) +
         "\" class=\"axis\" text-anchor=\"middle\">" + esc(cats[c]) + "</text>";
    for (const Bar& b : bars) {
      if (b.label != cats[c]) continue;
      const double x = gx + group_w * 0.1 + bar_w * b.series;
      const double y = top + plot_h * (1 - b.value / vmax);
      s += "<rect x=\"" + format_number("%.1f", x) + "\" y=\"" + format_number("%.1f", y) + "\" width=\"" +
           format_number("%.1f", bar_w - 2) + "\" height=\"" + format_number("%.1f", top + plot_h - y) + "\" fill=\"" +
           kColors[b.series % 6] + "\"><title>" + esc(series[static_cast<size_t>(b.series)] + ", " + b.label + ": " +
                                                      format_number("%.4g", b.value) + " " + unit) +
           "</title></rect>";
      if (!std::isnan(b.lo)) {
        const double cx = x + (bar_w - 2) / 2, y0 = top + plot_h * (1 - b.lo / vmax), y1 = top + plot_h * (1 - b.hi / vmax);
        s += "<line x1=\"" + format_number("%.1f", cx) + "\" x2=\"" + format_number("%.1f", cx) + "\" y1=\"" +
             format_number("%.1f", y0) + "\" y2=\"" + format_number("%.1f", y1) + "\" class=\"err\"/>";
      }
    }
  }
  for (size_t k = 0; k < series.size(); ++k) {
    const double x = left + 160.0 * static_cast<double>(k);
    s += "<rect x=\"" + format_number("%.0f", x) + "\" y=\"" + format_number("%.0f", H - 18) + "\" width=\"10\" height=\"10\" fill=\"" +
         kColors[k % 6] + "\"/><text x=\"" + format_number("%.0f", x + 14) + "\" y=\"" + format_number("%.0f", H - 9) +
         "\" class=\"axis\">" + esc(series[k]) + "</text>";
  }
  return s + "</svg>";
}

// Layers down, experts across: how often each expert is chosen, darker for more.
std::string heatmap(const std::string& title, const Json& counts) {
  const size_t L = counts.size(), E = L ? counts[0].size() : 0;
  const double cell = std::max(3.0, std::min(14.0, 700.0 / std::max<size_t>(E, 1)));
  const double W = 40 + cell * static_cast<double>(E), H = 24 + cell * static_cast<double>(L);
  std::string s = "<figure><figcaption>" + esc(title) + "</figcaption><svg class=\"heat\" viewBox=\"0 0 " +
                  format_number("%.0f", W) + " " + format_number("%.0f", H) + "\" role=\"img\" aria-label=\"" + esc(title) + "\">";
  for (size_t l = 0; l < L; ++l) {
    int64_t mx = 1;
    for (const Json& c : counts[l]) mx = std::max<int64_t>(mx, c.get<int64_t>());
    for (size_t e = 0; e < E; ++e) {
      const double a = static_cast<double>(counts[l][e].get<int64_t>()) / static_cast<double>(mx);
      s += "<rect x=\"" + format_number("%.1f", 40 + cell * static_cast<double>(e)) + "\" y=\"" +
           format_number("%.1f", 24 + cell * static_cast<double>(l)) + "\" width=\"" + format_number("%.1f", cell) +
           "\" height=\"" + format_number("%.1f", cell) + "\" fill=\"rgba(53,102,198," + format_number("%.3f", a) +
           ")\"><title>layer " + std::to_string(l) + ", expert " + std::to_string(e) + ": " +
           std::to_string(counts[l][e].get<int64_t>()) + "</title></rect>";
    }
  }
  return s + "</svg></figure>";
}

std::string model_name(const Json& m) { return m["identity"].value("name", m["identity"].value("file", "?")); }

// Display names: general.name, with the file name added where two models share one
// (an F32 model and its quantization usually do).
std::vector<std::string> display_names(const Json& doc) {
  std::vector<std::string> names;
  for (const Json& m : doc["models"]) names.push_back(model_name(m));
  std::vector<std::string> out = names;
  for (size_t i = 0; i < names.size(); ++i) {
    if (std::count(names.begin(), names.end(), names[i]) > 1) {
      out[i] += " (" + doc["models"][i]["identity"].value("file", std::to_string(i + 1)) + ")";
    }
  }
  return out;
}

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + esc(title) + "</h2>" + body + "</section>";
}

std::string identity_section(const Json& doc, const std::vector<std::string>& names) {
  std::string t = "<table><tr><th>model</th><th>file</th><th>architecture</th><th>parameters</th><th>active / token</th>"
                  "<th>size</th><th>bits/weight by group</th></tr>";
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const Json& id = doc["models"][i]["identity"];
    const std::string p = "/models/" + std::to_string(i) + "/identity/";
    std::string groups;
    for (const Json& g : id["groups"]) {
      std::string types;
      for (const Json& ty : g["types"]) types += (types.empty() ? "" : "+") + ty.get<std::string>();
      groups += esc(g["group"].get<std::string>()) + " " + format_number("%.2f", g["bits_per_weight"].get<double>()) +
                " (" + esc(types) + ")<br>";
    }
    t += "<tr><td>" + esc(names[i]) + "</td><td>" + esc(id.value("file", "")) + "</td><td>" +
         esc(id.value("arch", "?")) + "</td>" + num_cell(p + "params", id["params"].get<double>(), "%.0f") +
         num_cell(p + "active_params", id["active_params"].get<double>(), "%.0f") + "<td>" +
         format_bytes(id["bytes"].get<uint64_t>()) + "</td><td>" + groups + "</td></tr>";
  }
  return section("identity", "Models and precision", t + "</table>");
}

std::string memory_section(const Json& doc, const std::vector<std::string>& names) {
  const Json& plan = doc["plan"];
  std::string t = "<p>Machine: " + esc(plan["machine"]["cpu"].value("model", "CPU")) + ", " +
                  format_bytes(plan["machine"].value("ram_bytes", uint64_t{0})) + " RAM, " +
                  std::to_string(plan["machine"]["gpus"].size()) + " GPU(s).</p>";
  t += "<table><tr><th>model</th><th>fits</th><th>placement</th><th>context planned</th><th>KV cache</th>"
       "<th>estimated decode tok/s</th></tr>";
  for (size_t i = 0; i < plan["plans"].size(); ++i) {
    const Json& p = plan["plans"][i];
    const std::string path = "/plan/plans/" + std::to_string(i) + "/";
    t += "<tr><td>" + esc(names[i]) + "</td><td>" + (p["fits"].get<bool>() ? "yes" : "no") +
         "</td><td>" + esc(p["placement"].value("description", "")) + "</td>" +
         num_cell(path + "kv_cache/ctx", p["kv_cache"]["ctx"].get<double>(), "%.0f") + "<td>" +
         format_bytes(p["kv_cache"]["bytes"].get<uint64_t>()) + "</td>" +
         num_cell(path + "speed_estimate/decode_tokens_per_s", p["speed_estimate"]["decode_tokens_per_s"].get<double>(),
                  "%.2f") +
         "</tr>";
  }
  return section("memory", "Memory and placement (fathom plan)", t + "</table>");
}

std::string speed_section(const Json& doc, std::vector<std::string>& names) {
  std::string t = "<table><tr><th>model</th><th>prefill tok/s</th><th>decode tok/s</th><th>threads</th><th>kernels</th></tr>";
  std::vector<Bar> bars;
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const Json& s = doc["models"][i]["speed"];
    const std::string p = "/models/" + std::to_string(i) + "/speed/";
    t += "<tr><td>" + esc(names[i]) + "</td>";
    for (const char* k : {"prefill", "decode"}) {
      if (s.contains(k)) {
        const double v = s[k]["tokens_per_second"].get<double>();
        t += num_cell(p + k + "/tokens_per_second", v, "%.2f", " ± " + format_number("%.2f", s[k]["sd"].get<double>()));
        bars.push_back({s[k]["test"].get<std::string>(), static_cast<int>(i), v});
      } else {
        t += "<td></td>";
      }
    }
    t += "<td>" + std::to_string(s.value("threads", 0)) + "</td><td>" + esc(s.value("kernels", "")) + "</td></tr>";
  }
  return section("speed", "Speed on this machine (measured)",
                 t + "</table>" + bar_chart("tokens per second (higher is better)", names, bars, "tok/s"));
}

std::string precision_section(const Json& doc, std::vector<std::string>& names) {
  std::string t = "<table><tr><th>model</th><th>text</th><th>tokens</th><th>perplexity</th><th>KLD vs " +
                  esc(names[0]) + "</th><th>KLD p99</th><th>same top token</th></tr>";
  std::vector<Bar> bars;
  bool any = false;
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const Json& m = doc["models"][i];
    if (!m.contains("perplexity")) continue;
    any = true;
    for (size_t k = 0; k < m["perplexity"]["texts"].size(); ++k) {
      const Json& x = m["perplexity"]["texts"][k];
      const std::string p = "/models/" + std::to_string(i) + "/perplexity/texts/" + std::to_string(k) + "/";
      t += "<tr><td>" + esc(names[i]) + "</td><td>" + esc(x["text"].get<std::string>()) + "</td>" +
           num_cell(p + "n_tokens", x["n_tokens"].get<double>(), "%.0f") + num_cell(p + "ppl", x["ppl"].get<double>(), "%.4g");
      if (x.contains("kld")) {
        t += num_cell(p + "kld/mean", x["kld"]["mean"].get<double>(), "%.5f") +
             num_cell(p + "kld/p99", x["kld"]["p99"].get<double>(), "%.5f") +
             num_cell(p + "same_top/mean", 100 * x["same_top"]["mean"].get<double>(), "%.2f", "%");
      } else {
        t += "<td></td><td></td><td></td>";
      }
      t += "</tr>";
      bars.push_back({x["text"].get<std::string>(), static_cast<int>(i), std::log(x["ppl"].get<double>())});
    }
  }
  if (!any) return "";
  return section("precision", "Precision: perplexity and KL divergence",
                 t + "</table>" + bar_chart("ln perplexity per text (lower is better)", names, bars, "nats"));
}

std::string accuracy_section(const Json& doc, std::vector<std::string>& names) {
  std::string t = "<table><tr><th>model</th><th>type</th><th>setting</th><th>lang</th><th>n</th><th>accuracy</th>"
                  "<th>95% CI</th><th>acc_bytes</th><th>reasoning tokens / item</th></tr>";
  std::vector<Bar> bars;
  std::string diffs;
  bool any = false;
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const Json& m = doc["models"][i];
    if (!m.contains("eval")) continue;
    any = true;
    for (size_t k = 0; k < m["eval"]["cells"].size(); ++k) {
      const Json& c = m["eval"]["cells"][k];
      const std::string p = "/models/" + std::to_string(i) + "/eval/cells/" + std::to_string(k) + "/";
      const double acc = c["acc"]["acc"].get<double>();
      const bool mc = c["type"] == "mc";
      t += "<tr><td>" + esc(names[i]) + "</td><td>" + esc(c["type"].get<std::string>()) + "</td><td>" +
           esc(c["setting"].get<std::string>()) + "</td><td>" + esc(c["lang"].get<std::string>()) + "</td>" +
           num_cell(p + "acc/n", c["acc"]["n"].get<double>(), "%.0f") + num_cell(p + "acc/acc", 100 * acc, "%.1f", "%") +
           "<td>" + format_number("%.1f", 100 * c["acc"]["ci95"][0].get<double>()) + "–" +
           format_number("%.1f", 100 * c["acc"]["ci95"][1].get<double>()) + "%</td>" +
           (mc ? num_cell(p + "acc_bytes/acc", 100 * c["acc_bytes"]["acc"].get<double>(), "%.1f", "%") : "<td></td>") +
           (mc ? "<td></td>" : num_cell(p + "reasoning_tokens_mean", c["reasoning_tokens_mean"].get<double>(), "%.0f")) +
           "</tr>";
      const std::string label = c["lang"].get<std::string>() + " " + (mc ? "mc" : c["setting"].get<std::string>());
      bars.push_back({label, static_cast<int>(i), 100 * acc, 100 * c["acc"]["ci95"][0].get<double>(),
                      100 * c["acc"]["ci95"][1].get<double>()});
    }
    for (size_t k = 0; k < m["eval"]["ru_minus_en"].size(); ++k) {
      const Json& d = m["eval"]["ru_minus_en"][k];
      const std::string p = "/models/" + std::to_string(i) + "/eval/ru_minus_en/" + std::to_string(k) + "/";
      diffs += "<tr><td>" + esc(names[i]) + "</td><td>" + esc(d["type"].get<std::string>()) + "</td><td>" +
               esc(d["setting"].get<std::string>()) + "</td>" + num_cell(p + "mean", 100 * d["mean"].get<double>(), "%+.1f", " pt") +
               "<td>" + format_number("%+.1f", 100 * d["ci95"][0].get<double>()) + " … " +
               format_number("%+.1f", 100 * d["ci95"][1].get<double>()) + "</td>" +
               num_cell(p + "pairs", d["pairs"].get<double>(), "%.0f") + "</tr>";
    }
  }
  if (!any) return "";
  return section("accuracy", "Accuracy by language and reasoning effort",
                 t + "</table>" + bar_chart("accuracy % with 95% intervals", names, bars, "%") +
                     "<h3>Russian minus English, paired over the same items</h3><table><tr><th>model</th><th>type</th>"
                     "<th>setting</th><th>difference</th><th>95% CI</th><th>pairs</th></tr>" +
                     diffs + "</table>");
}

std::string routing_section(const Json& doc, std::vector<std::string>& names) {
  std::string body;
  std::vector<Bar> bars;
  for (size_t i = 0; i < doc["models"].size(); ++i) {
    const Json& m = doc["models"][i];
    if (!m.contains("experts")) continue;
    const Json& e = m["experts"];
    for (size_t l = 0; l < e["layers"].size(); ++l) {
      bars.push_back({std::to_string(l), static_cast<int>(i), e["layers"][l]["jsd_bits"].get<double>()});
    }
    body += "<h3>" + esc(names[i]) + "</h3><div class=\"heats\">";
    for (const Json& t : e["texts"]) {
      body += heatmap(t["name"].get<std::string>() + ": expert choices per layer", t["counts"]);
    }
    body += "</div>";
  }
  if (body.empty()) return "";
  return section("routing", "Expert routing",
                 bar_chart("Jensen–Shannon divergence between the first two texts, per layer (bits)", names, bars, "bits") +
                     body);
}

}  // namespace

std::vector<std::string> summary_sentences(const Json& doc) {
  std::vector<std::string> out;
  const Json& models = doc["models"];
  const std::vector<std::string> names = display_names(doc);
  // Fit.
  for (size_t i = 0; i < doc["plan"]["plans"].size(); ++i) {
    const Json& p = doc["plan"]["plans"][i];
    out.push_back(names[i] + (p["fits"].get<bool>() ? " fits this machine: " : " does not fit this machine: ") +
                  p["placement"].value("description", "") + ".");
  }
  // Speed relative to the first model.
  for (size_t i = 1; i < models.size(); ++i) {
    for (const char* k : {"decode", "prefill"}) {
      if (!models[0]["speed"].contains(k) || !models[i]["speed"].contains(k)) continue;
      const double a = models[0]["speed"][k]["tokens_per_second"], b = models[i]["speed"][k]["tokens_per_second"];
      if (a <= 0) continue;
      out.push_back(names[i] + " " + k + "s at " + format_number("%.2f", b / a) + "× the speed of " + names[0] + " (" +
                    format_number("%.2f", b) + " vs " + format_number("%.2f", a) + " tokens/s).");
    }
  }
  // Precision against the reference.
  for (size_t i = 1; i < models.size(); ++i) {
    if (!models[i].contains("perplexity") || !models[i]["perplexity"]["total"].contains("kld")) continue;
    for (const Json& t : models[i]["perplexity"]["texts"]) {
      const double ratio = std::exp(t["ln_ppl_ratio"]["mean"].get<double>());
      const double lo = std::exp(t["ln_ppl_ratio"]["mean"].get<double>() - 1.96 * t["ln_ppl_ratio"]["se"].get<double>());
      const double hi = std::exp(t["ln_ppl_ratio"]["mean"].get<double>() + 1.96 * t["ln_ppl_ratio"]["se"].get<double>());
      const bool clear = lo > 1.0 || hi < 1.0;
      out.push_back("On " + t["text"].get<std::string>() + ", " + names[i] + "'s perplexity is " +
                    format_number("%.2f", 100 * (ratio - 1)) + "% " + (ratio >= 1 ? "higher" : "lower") + " than " +
                    names[0] + "'s (" + (clear ? "outside" : "within") + " the 95% interval of no change), mean KL divergence " +
                    format_number("%.4f", t["kld"]["mean"].get<double>()) + " nats, same top token on " +
                    format_number("%.1f", 100 * t["same_top"]["mean"].get<double>()) + "% of tokens.");
    }
  }
  // Language gap in accuracy.
  for (size_t i = 0; i < models.size(); ++i) {
    if (!models[i].contains("eval")) continue;
    for (const Json& d : models[i]["eval"]["ru_minus_en"]) {
      const double lo = d["ci95"][0], hi = d["ci95"][1], mean = d["mean"];
      const std::string what = d["type"] == "mc" ? "multiple-choice" : "generative (" + d["setting"].get<std::string>() + ")";
      const std::string verdict = d["pairs"].get<int64_t>() < 2 ? "too few pairs to tell"
                                  : lo > 0                      ? "better in Russian"
                                  : hi < 0                      ? "worse in Russian"
                                                                : "no clear difference between Russian and English";
      out.push_back(names[i] + ", " + what + ": Russian minus English " + format_number("%+.1f", 100 * mean) +
                    " points [" + format_number("%+.1f", 100 * lo) + ", " + format_number("%+.1f", 100 * hi) + "] over " +
                    std::to_string(d["pairs"].get<int64_t>()) + " pairs: " + verdict + ".");
    }
  }
  // Routing by language.
  for (size_t i = 0; i < models.size(); ++i) {
    if (!models[i].contains("experts") || models[i]["experts"]["texts"].size() < 2) continue;
    double jsd = 0;
    for (const Json& l : models[i]["experts"]["layers"]) jsd += l["jsd_bits"].get<double>();
    jsd /= std::max<size_t>(models[i]["experts"]["layers"].size(), 1);
    out.push_back(names[i] + " routes " + models[i]["experts"]["texts"][0]["name"].get<std::string>() + " and " +
                  models[i]["experts"]["texts"][1]["name"].get<std::string>() + " with a mean Jensen–Shannon divergence of " +
                  format_number("%.3f", jsd) + " bits per layer (0: the same experts, 1: disjoint ones).");
  }
  return out;
}

std::string report_html(const Json& doc) {
  std::vector<std::string> names = display_names(doc);
  std::string summary = "<ul>";
  for (const std::string& s : summary_sentences(doc)) summary += "<li>" + esc(s) + "</li>";
  summary += "</ul>";
  std::string title;
  for (const std::string& n : names) title += (title.empty() ? "" : " vs ") + n;
  return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\"><title>fathom compare: " + esc(title) + "</title><style>"
         "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;padding:0 12px;color:#1d2330}"
         "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #dde}"
         "table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #dde;padding:4px 6px;"
         "text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}"
         "svg.chart{width:100%;max-width:760px;height:auto;display:block;margin:8px 0}"
         "svg .grid{stroke:#e3e6ee}svg .axis{font-size:11px;fill:#556}svg .title{font-size:13px;font-weight:600}"
         "svg .err{stroke:#111;stroke-width:1.5}.heats{display:flex;flex-wrap:wrap;gap:16px}"
         "svg.heat{width:360px;height:auto}figure{margin:0}figcaption{font-size:12px;color:#556}</style></head><body><h1>fathom compare: " + esc(title) + "</h1>" +
         section("summary", "What the numbers say", summary) + identity_section(doc, names) + memory_section(doc, names) +
         speed_section(doc, names) + precision_section(doc, names) + accuracy_section(doc, names) +
         routing_section(doc, names) + "<script type=\"application/json\" id=\"fathom-data\">" + script_json(doc) +
         "</script></body></html>\n";
}

}  // namespace fathom::eval
