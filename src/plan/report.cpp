#include "plan/report.h"

#include <algorithm>
#include <set>

#include "core/dtype.h"
#include "core/units.h"
#include "plan/speed.h"
#include "plan/text.h"

namespace fathom::plan {

namespace {

const char* const kGroupOrder[] = {"experts", "attention", "ffn", "router", "embeddings", "output", "norms"};

struct Cell {
  std::string text;
  const char* color = nullptr;  // ANSI SGR code, shown only on a terminal
};
using Row = std::vector<Cell>;

class Table {
 public:
  void add(Row r) { rows_.push_back(std::move(r)); }
  void print(std::FILE* out, bool color, const std::string& indent = "") const {
    std::vector<size_t> width;
    for (const Row& r : rows_) {
      width.resize(std::max(width.size(), r.size()));
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].text.size());
    }
    for (const Row& r : rows_) {
      std::string line = indent;
      for (size_t i = 0; i < r.size(); ++i) {
        std::string text = r[i].text;
        if (i + 1 < r.size()) text.resize(width[i] + 2, ' ');
        line += color && r[i].color ? "\033[" + std::string(r[i].color) + "m" + text + "\033[0m" : text;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      std::fprintf(out, "%s\n", line.c_str());
    }
  }

 private:
  std::vector<Row> rows_;
};

constexpr const char* kGreen = "32";
constexpr const char* kRed = "31";
constexpr const char* kYellow = "33";

std::string join(const std::set<std::string>& s, const char* sep) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string kv_text(const KvSettings& kv) {
  return std::to_string(kv.ctx) + " tok x " + std::to_string(kv.parallel) + ", " + type_name(static_cast<uint32_t>(kv.type));
}

std::string strategy_text(Strategy s, std::optional<int64_t> param, int64_t n_layer) {
  std::string t = strategy_name(s);
  if (param && s == Strategy::ExpertsInRam) {
    t += " (experts of " + std::to_string(*param) + (*param == 1 ? " layer" : " layers") + " in RAM)";
  }
  if (param && s == Strategy::LayerSplit) t += " (" + std::to_string(*param) + "/" + std::to_string(n_layer) + " layers on GPU)";
  return t;
}

const StrategyFit* chosen_fit(const Plan& p) {
  for (const StrategyFit& f : p.placement.fits) {
    if (f.strategy == p.placement.chosen.strategy) return &f;
  }
  return nullptr;
}

uint64_t sum(const Layout& l, uint64_t DeviceLoad::*field) {
  uint64_t s = 0;
  for (const DeviceLoad& d : l.devices) s += d.*field;
  return s;
}

std::string device_title(const Machine& m, size_t d) {
  return d < m.gpus.size() ? "GPU " + std::to_string(d) + " (" + m.gpus[d].name + ")" : "RAM";
}

void print_machine(std::FILE* out, const Machine& m, bool color) {
  Table t;
  for (size_t g = 0; g < m.gpus.size(); ++g) {
    const Gpu& gpu = m.gpus[g];
    std::string s = gpu.name + ": " + bytes(gpu.memory) + ", " + rate(gpu.bandwidth) + ", BF16 " +
                    fixed(gpu.bf16_flops / 1e12, 0) + " TFLOPS";
    s += gpu.native_fp4() ? ", FP4 " + fixed(gpu.fp4_flops / 1e12, 0) + " TFLOPS" : ", no native FP4";
    s += ", CUDA cc " + gpu.compute_cap;
    s += gpu.unified ? ", unified memory" : ", PCIe " + rate(gpu.pcie_bandwidth);
    t.add({{"GPU " + std::to_string(g)}, {s}});
  }
  if (m.gpus.empty()) t.add({{"GPU"}, {"none (give --vram to plan for one)"}});
  std::string ram = bytes(m.ram) + (m.ram_given ? " (given)" : "");
  if (!m.ram_given && m.ram_available > 0) ram += ", " + bytes(m.ram_available) + " free now";
  t.add({{"RAM"}, {ram}});
  std::string simd;
  for (const std::string& s : m.cpu.simd) simd += " " + s;
  t.add({{"CPU"}, {m.cpu.model + ", " + std::to_string(m.cpu.cores) + " cores / " + std::to_string(m.cpu.threads) +
                   " threads, " + rate(m.cpu.bandwidth) + (simd.empty() ? "" : ";" + simd)}});
  for (const std::string& a : m.assumptions) t.add({{"assumed"}, {a, kYellow}});
  t.print(out, color);
}

void print_summary(std::FILE* out, const Machine& machine, const std::vector<Plan>& plans, bool color) {
  Table t;
  const auto row = [&](const std::string& label, const auto& value) {
    Row r{{label}};
    for (const Plan& p : plans) r.push_back(value(p));
    t.add(std::move(r));
  };
  row("", [](const Plan& p) { return Cell{p.model.label, "1"}; });
  row("source", [](const Plan& p) { return Cell{source_name(p.model.source)}; });
  row("architecture", [](const Plan& p) {
    const models::ModelConfig& c = p.model.config;
    std::string s = std::string(models::arch_name(c.arch)) + ", " + std::to_string(c.n_layer) + " layers";
    s += c.is_moe() ? ", " + std::to_string(c.n_expert_used) + " of " + std::to_string(c.n_expert) + " experts" : ", dense";
    return Cell{s};
  });
  row("parameters", [](const Plan& p) {
    return Cell{format_count(p.summary.total_params) + " total, " + format_count(p.summary.active_params) + " active"};
  });
  for (const char* group : kGroupOrder) {
    const auto find = [&](const Plan& p) -> const models::GroupStats* {
      for (const models::GroupStats& g : p.summary.groups) {
        if (g.group == group) return &g;
      }
      return nullptr;
    };
    if (std::none_of(plans.begin(), plans.end(), [&](const Plan& p) { return find(p) != nullptr; })) continue;
    row(std::string("  bits/weight ") + group, [&](const Plan& p) {
      const models::GroupStats* g = find(p);
      return Cell{g ? fixed(g->bits_per_weight(), 2) + " (" + join(g->types, ",") + ")" : "-"};
    });
  }
  row("weights", [](const Plan& p) { return Cell{bytes(p.summary.total_bytes)}; });
  row("KV cache", [](const Plan& p) { return Cell{bytes(kv_bytes(p.model.config, p.kv)) + " (" + kv_text(p.kv) + ")"}; });
  row("compute buffers", [](const Plan& p) { return Cell{bytes(sum(p.placement.chosen, &DeviceLoad::compute))}; });
  row("OS/driver reserve", [](const Plan& p) { return Cell{bytes(sum(p.placement.chosen, &DeviceLoad::reserve))}; });
  row("placement", [](const Plan& p) {
    const StrategyFit* f = chosen_fit(p);
    if (!p.fits) return Cell{"does not fit: short by " + bytes(p.placement.chosen.shortfall()), kRed};
    return Cell{strategy_text(p.placement.chosen.strategy, f ? f->param : std::nullopt, p.model.config.n_layer), kGreen};
  });
  for (size_t d = 0; d <= machine.gpus.size(); ++d) {
    row("  " + device_title(machine, d), [&](const Plan& p) {
      const DeviceLoad& load = p.placement.chosen.devices[d];
      return Cell{bytes(load.need()) + " of " + bytes(load.capacity), load.over() ? kRed : nullptr};
    });
  }
  row("largest context", [](const Plan& p) {
    const StrategyFit* f = chosen_fit(p);
    return Cell{f && f->max_ctx > 0 ? std::to_string(f->max_ctx) + " (" + strategy_name(f->strategy) + ")" : "-"};
  });
  row("decode (estimate)", [](const Plan& p) {
    if (!p.fits) return Cell{"-"};
    return Cell{tps(p.speed.decode_tps) + ", " + tps(p.speed.decode_tps_full) + " at " + std::to_string(p.kv.ctx)};
  });
  row("prefill (estimate)", [](const Plan& p) { return Cell{p.fits ? tps(p.speed.prefill_tps) : "-"}; });
  t.print(out, color);
}

void print_detail(std::FILE* out, const Machine& machine, const Plan& p, bool color) {
  const Layout& l = p.placement.chosen;
  std::fprintf(out, "\n%s%s%s\n", color ? "\033[1m" : "", p.model.label.c_str(), color ? "\033[0m" : "");
  std::fprintf(out, "placement: %s\n", describe(l, p.model.config).c_str());
  Table t;
  Row head{{"where it goes"}};
  for (size_t d = 0; d < l.devices.size(); ++d) head.push_back({device_title(machine, d)});
  t.add(head);
  for (const char* group : kGroupOrder) {
    Row r{{std::string("  ") + group}};
    bool any = false;
    for (const DeviceLoad& d : l.devices) {
      const auto it = d.weights_by_group.find(group);
      any = any || it != d.weights_by_group.end();
      r.push_back({it == d.weights_by_group.end() || it->second == 0 ? "-" : bytes(it->second)});
    }
    if (any) t.add(r);
  }
  const auto field_row = [&](const std::string& label, uint64_t DeviceLoad::*field) {
    Row r{{label}};
    for (const DeviceLoad& d : l.devices) r.push_back({d.*field ? bytes(d.*field) : "-"});
    t.add(r);
  };
  field_row("  KV cache", &DeviceLoad::kv);
  field_row("  compute buffers", &DeviceLoad::compute);
  field_row("  reserve", &DeviceLoad::reserve);
  Row need{{"needed"}}, cap{{"capacity"}};
  for (const DeviceLoad& d : l.devices) {
    need.push_back({bytes(d.need()), d.over() ? kRed : kGreen});
    cap.push_back({bytes(d.capacity)});
  }
  t.add(need);
  t.add(cap);
  t.print(out, color);

  Table s;
  s.add({{"strategy"}, {"fits at " + std::to_string(p.kv.ctx)}, {"largest context"}});
  for (const StrategyFit& f : p.placement.fits) {
    s.add({{strategy_text(f.strategy, f.param, p.model.config.n_layer)},
           {f.fits ? "yes" : "no", f.fits ? kGreen : kRed},
           {f.max_ctx > 0 ? std::to_string(f.max_ctx) : "does not fit at any context"}});
  }
  std::fprintf(out, "\n");
  s.print(out, color);
  if (!p.variants.empty()) {
    std::string v;
    for (const VariantSize& x : p.variants) v += (v.empty() ? "" : ", ") + x.name + " " + bytes(x.bytes);
    std::fprintf(out, "\nother precisions: %s\n", v.c_str());
  }
  std::fprintf(out, "\nrisks and advice:\n");
  for (const std::string& r : p.risks) {
    std::fprintf(out, "  %s- %s%s\n", color ? "\033[33m" : "", r.c_str(), color ? "\033[0m" : "");
  }
  std::fprintf(out, "run: %s\n", p.command.c_str());
}

nlohmann::json device_json(const DeviceLoad& d) {
  return {{"name", d.name},       {"is_gpu", d.is_gpu},     {"capacity_bytes", d.capacity},
          {"weights_bytes", d.weights}, {"kv_bytes", d.kv}, {"compute_bytes", d.compute},
          {"reserve_bytes", d.reserve}, {"need_bytes", d.need()}, {"over_bytes", d.over()},
          {"weights_by_group", d.weights_by_group}};
}

nlohmann::json speed_json(const SpeedEstimate& s) {
  nlohmann::json j = {{"decode_tokens_per_s", s.decode_tps},
                      {"decode_tokens_per_s_full_context", s.decode_tps_full},
                      {"prefill_tokens_per_s", s.prefill_tps},
                      {"pcie_bytes_per_prefill_batch", s.pcie_bytes_per_batch}};
  for (const DeviceTime& d : s.devices) {
    j["devices"].push_back({{"device", d.device},
                            {"decode_bytes_per_step", d.decode_bytes},
                            {"decode_kv_bytes_per_step_full_context", d.decode_kv_bytes},
                            {"prefill_flops_per_token", d.prefill_flops},
                            {"prefill_bytes_per_batch", d.prefill_bytes}});
  }
  return j;
}

nlohmann::json plan_json(const Plan& p) {
  const models::ModelConfig& c = p.model.config;
  nlohmann::json model = {{"label", p.model.label},
                          {"source", source_name(p.model.source)},
                          {"variant", p.model.variant},
                          {"published_precision", p.model.native_variant},
                          {"run_path", p.model.run_path},
                          {"architecture", models::arch_name(c.arch)},
                          {"n_layer", c.n_layer},
                          {"n_embd", c.n_embd},
                          {"n_head", c.n_head},
                          {"n_head_kv", c.n_head_kv},
                          {"head_dim", c.head_dim},
                          {"n_vocab", c.n_vocab},
                          {"n_expert", c.n_expert},
                          {"n_expert_used", c.n_expert_used},
                          {"context_length", c.n_ctx_train},
                          {"sliding_window", c.sliding_window},
                          {"total_params", p.summary.total_params},
                          {"active_params", p.summary.active_params},
                          {"total_bytes", p.summary.total_bytes},
                          {"active_bytes", p.summary.active_bytes}};
  for (const models::GroupStats& g : p.summary.groups) {
    model["groups"].push_back({{"group", g.group}, {"params", g.params}, {"bytes", g.bytes},
                               {"bits_per_weight", g.bits_per_weight()}, {"types", g.types}});
  }
  nlohmann::json j = {{"model", model},
                      {"kv_cache", {{"ctx", p.kv.ctx}, {"parallel", p.kv.parallel},
                                    {"type", type_name(static_cast<uint32_t>(p.kv.type))},
                                    {"bytes", kv_bytes(c, p.kv)}}},
                      {"fits", p.fits},
                      {"speed_estimate", speed_json(p.speed)},
                      {"cpu_only_speed_estimate", speed_json(p.cpu_speed)},
                      {"other_precisions", nlohmann::json::object()},
                      {"risks", p.risks},
                      {"command", p.command}};
  for (const VariantSize& v : p.variants) j["other_precisions"][v.name] = {{"weights_bytes", v.bytes}};
  const Layout& l = p.placement.chosen;
  j["placement"] = {{"strategy", strategy_name(l.strategy)}, {"param", l.param},
                    {"description", describe(l, c)},   {"shortfall_bytes", l.shortfall()}};
  for (const DeviceLoad& d : l.devices) j["placement"]["devices"].push_back(device_json(d));
  for (const StrategyFit& f : p.placement.fits) {
    j["strategies"].push_back({{"strategy", strategy_name(f.strategy)}, {"fits", f.fits},
                               {"param", f.param ? nlohmann::json(*f.param) : nlohmann::json()},
                               {"max_ctx", f.max_ctx}});
  }
  return j;
}

}  // namespace

void print_report(std::FILE* out, const Machine& machine, const std::vector<Plan>& plans, bool color) {
  std::fprintf(out, "%sfathom plan%s: estimates for this machine, not measurements\n", color ? "\033[1m" : "",
               color ? "\033[0m" : "");
  print_machine(out, machine, color);
  std::fprintf(out, "\n");
  print_summary(out, machine, plans, color);
  std::fprintf(out, "memory model: %s\nspeed model: %s\n", kMemoryModel, kSpeedModel);
  for (const Plan& p : plans) print_detail(out, machine, p, color);
}

nlohmann::json report_json(const Machine& machine, const std::vector<Plan>& plans) {
  nlohmann::json j;
  j["estimates"] = true;
  j["speed_model"] = kSpeedModel;
  j["memory_model"] = kMemoryModel;
  j["assumptions"] = {{"bandwidth_efficiency", kBandwidthEfficiency},
                      {"compute_efficiency", kComputeEfficiency},
                      {"cpu_bandwidth_efficiency", kCpuBandwidthEfficiency},
                      {"cpu_compute_efficiency", kCpuComputeEfficiency},
                      {"prefill_batch_tokens", kUbatch},
                      {"gpu_reserve_bytes", kGpuReserve},
                      {"ram_reserve_bytes", kRamReserve},
                      {"machine", machine.assumptions}};
  nlohmann::json m = {{"ram_bytes", machine.ram}, {"ram_given", machine.ram_given},
                      {"ram_available_bytes", machine.ram_available},
                      {"cpu", {{"model", machine.cpu.model}, {"cores", machine.cpu.cores},
                               {"threads", machine.cpu.threads}, {"simd", machine.cpu.simd},
                               {"bandwidth_bytes_per_s", machine.cpu.bandwidth},
                               {"peak_flops", machine.cpu.flops}}}};
  m["gpus"] = nlohmann::json::array();
  for (const Gpu& g : machine.gpus) {
    m["gpus"].push_back({{"name", g.name}, {"catalog_entry", g.spec_name}, {"memory_bytes", g.memory},
                         {"bandwidth_bytes_per_s", g.bandwidth}, {"bf16_flops", g.bf16_flops},
                         {"fp4_flops", g.fp4_flops}, {"native_fp4", g.native_fp4()},
                         {"compute_capability", g.compute_cap}, {"pcie_bytes_per_s", g.pcie_bandwidth},
                         {"unified_memory", g.unified}});
  }
  j["machine"] = m;
  for (const Plan& p : plans) j["plans"].push_back(plan_json(p));
  return j;
}

}  // namespace fathom::plan
