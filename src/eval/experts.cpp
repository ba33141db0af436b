#include "core/units.h"
#include "eval/experts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/error.h"

namespace fathom::eval {

namespace {

class Counter : public models::RoutingObserver {
 public:
  explicit Counter(RoutingCounts& c) : c_(c) {}
  void on_routing(int64_t layer, const models::Routing& r) override {
    for (int32_t e : r.expert) ++c_.count[static_cast<size_t>(layer)][static_cast<size_t>(e)];
  }

 private:
  RoutingCounts& c_;
};

std::vector<double> shares(const std::vector<int64_t>& counts) {
  const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), int64_t{0}));
  std::vector<double> p(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) p[i] = total > 0 ? static_cast<double>(counts[i]) / total : 0.0;
  return p;
}

double entropy_bits(const std::vector<double>& p) {
  double h = 0;
  for (double x : p) {
    if (x > 0) h -= x * std::log2(x);
  }
  return h;
}

double jsd_bits(const std::vector<double>& p, const std::vector<double>& q) {
  std::vector<double> m(p.size());
  for (size_t i = 0; i < p.size(); ++i) m[i] = 0.5 * (p[i] + q[i]);
  return entropy_bits(m) - 0.5 * (entropy_bits(p) + entropy_bits(q));
}

std::vector<size_t> most_chosen(const std::vector<int64_t>& counts, int64_t n) {
  std::vector<size_t> idx(counts.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return counts[a] > counts[b]; });
  idx.resize(static_cast<size_t>(std::min<int64_t>(n, static_cast<int64_t>(idx.size()))));
  std::sort(idx.begin(), idx.end());
  return idx;
}

double jaccard(const std::vector<size_t>& a, const std::vector<size_t>& b) {
  std::vector<size_t> both, either;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(either));
  return either.empty() ? 1.0 : static_cast<double>(both.size()) / static_cast<double>(either.size());
}

}  // namespace

RoutingCounts count_routing(models::Model& model, const std::string& name, std::span<const int32_t> tokens,
                            int64_t ctx) {
  const models::ModelConfig& c = model.config();
  if (!c.is_moe()) throw Error(name + ": the model has no experts to count (" + c.name + " is dense)");
  if (ctx < 1) throw Error("--ctx: at least 1 token, found " + std::to_string(ctx));
  RoutingCounts rc;
  rc.name = name;
  rc.n_tokens = static_cast<int64_t>(tokens.size());
  rc.count.assign(static_cast<size_t>(c.n_layer), std::vector<int64_t>(static_cast<size_t>(c.n_expert), 0));
  Counter counter(rc);
  model.set_routing_observer(&counter);
  struct Detach {
    models::Model& m;
    ~Detach() { m.set_routing_observer(nullptr); }
  } detach{model};
  models::KvCache cache(c, ctx, DType::F16);
  std::vector<float> logits(static_cast<size_t>(c.n_vocab));
  for (size_t at = 0; at < tokens.size(); at += static_cast<size_t>(ctx)) {
    cache.truncate(0);
    const size_t n = std::min(tokens.size() - at, static_cast<size_t>(ctx));
    model.forward(tokens.subspan(at, n), cache, logits.data(), false);
  }
  return rc;
}

RoutingReport routing_report(const std::string& model, int64_t n_expert_used, std::vector<RoutingCounts> texts) {
  RoutingReport r;
  r.model = model;
  r.n_expert_used = n_expert_used;
  r.texts = std::move(texts);
  if (r.texts.empty()) return r;
  const size_t n_layer = r.texts[0].count.size();
  r.n_expert = n_layer ? static_cast<int64_t>(r.texts[0].count[0].size()) : 0;
  // "Most chosen": twice the experts a token uses, the set that carries most traffic.
  r.top_n = std::min<int64_t>(2 * n_expert_used, r.n_expert);
  for (size_t l = 0; l < n_layer; ++l) {
    LayerRouting lr;
    for (const RoutingCounts& t : r.texts) lr.entropy_bits.push_back(entropy_bits(shares(t.count[l])));
    if (r.texts.size() >= 2) {
      lr.jsd_bits = jsd_bits(shares(r.texts[0].count[l]), shares(r.texts[1].count[l]));
      lr.top_overlap = jaccard(most_chosen(r.texts[0].count[l], r.top_n), most_chosen(r.texts[1].count[l], r.top_n));
    }
    r.layers.push_back(lr);
  }
  return r;
}

std::string routing_text(const RoutingReport& r) {
  std::string out = "model: " + r.model + "; " + std::to_string(r.n_expert) + " experts per layer, " +
                    std::to_string(r.n_expert_used) + " per token; uniform routing has entropy " +
                    format_number("%.2f", std::log2(static_cast<double>(std::max<int64_t>(r.n_expert, 1)))) + " bits\n";
  for (const RoutingCounts& t : r.texts) out += "  " + t.name + ": " + std::to_string(t.n_tokens) + " tokens\n";
  const bool pair = r.texts.size() >= 2;
  out += "\nlayer";
  for (const RoutingCounts& t : r.texts) out += "  H(" + t.name + ") bits";
  if (pair) out += "  JSD bits  top-" + std::to_string(r.top_n) + " overlap";
  out += "\n";
  double jsd_sum = 0, overlap_sum = 0;
  for (size_t l = 0; l < r.layers.size(); ++l) {
    const LayerRouting& lr = r.layers[l];
    char b[32];
    std::snprintf(b, sizeof b, "%5zu", l);
    out += b;
    for (size_t i = 0; i < lr.entropy_bits.size(); ++i) {
      const std::string cell = format_number("%.3f", lr.entropy_bits[i]);
      out += std::string(("  H(" + r.texts[i].name + ") bits").size() - cell.size(), ' ') + cell;
    }
    if (pair) {
      out += "  " + format_number("%8.4f", lr.jsd_bits) + "  " + format_number("%13.0f%%", 100 * lr.top_overlap);
      jsd_sum += lr.jsd_bits;
      overlap_sum += lr.top_overlap;
    }
    out += "\n";
  }
  if (pair && !r.layers.empty()) {
    const double n = static_cast<double>(r.layers.size());
    out += "\nmean over layers: JSD " + format_number("%.4f", jsd_sum / n) + " bits (0: same experts in the same proportions, 1: "
           "disjoint), top-" + std::to_string(r.top_n) + " overlap " + format_number("%.0f", 100 * overlap_sum / n) + "%\n";
  }
  return out;
}

chat::Json routing_json(const RoutingReport& r) {
  chat::Json texts = chat::Json::array();
  for (const RoutingCounts& t : r.texts) texts.push_back({{"name", t.name}, {"n_tokens", t.n_tokens}, {"counts", t.count}});
  chat::Json layers = chat::Json::array();
  for (const LayerRouting& l : r.layers) {
    layers.push_back({{"entropy_bits", l.entropy_bits}, {"jsd_bits", l.jsd_bits}, {"top_overlap", l.top_overlap}});
  }
  return {{"model", r.model}, {"n_expert", r.n_expert}, {"n_expert_used", r.n_expert_used}, {"top_n", r.top_n},
          {"texts", texts},   {"layers", layers}};
}

}  // namespace fathom::eval
