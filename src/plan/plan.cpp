#include "plan/plan.h"

#include <algorithm>
#include <cctype>

#include "plan/catalog.h"
#include "plan/risks.h"
#include "plan/text.h"

namespace fathom::plan {

namespace {

// Single quotes when the path holds anything a shell would read.
std::string shell_word(const std::string& s) {
  const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || std::string("/._-+:=,").find(ch) != std::string::npos;
  });
  if (plain && !s.empty()) return s;
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

// `fathom chat` as it exists: a context size and an f16 or f32 KV cache (no q8_0 yet,
// no GPU placement flags); a context that fits when the requested one does not.
std::string run_command(const Plan& p) {
  int64_t ctx = p.kv.ctx;
  if (!p.fits) {
    ctx = 0;
    for (const StrategyFit& f : p.placement.fits) ctx = std::max(ctx, f.max_ctx);
  }
  if (ctx == 0) {
    return "no command: " + p.model.label + " does not fit this machine (short by " +
           bytes(p.placement.chosen.shortfall()) + ")";
  }
  return "fathom chat " + shell_word(p.model.run_path) + " --ctx " + std::to_string(ctx) + " --kv-type f16";
}

// The machine as an engine without a GPU backend sees it: unified memory becomes RAM.
Machine without_gpus(const Machine& m) {
  Machine cpu = m;
  for (const Gpu& g : m.gpus) {
    if (g.unified) cpu.ram += g.memory;
  }
  cpu.gpus.clear();
  return cpu;
}

std::vector<VariantSize> other_variants(const ModelSpec& m) {
  std::vector<VariantSize> out;
  for (const CatalogEntry& e : catalog()) {
    if (e.key != m.catalog_key) continue;
    const models::Preset* preset = models::find_preset(e.key, m.config.arch);
    for (Variant v : e.variants) {
      if (variant_name(v) == m.variant) continue;
      out.push_back({variant_name(v), summarize(catalog_model(*preset, v, e.variants.front())).total_bytes});
    }
  }
  return out;
}

}  // namespace

Plan make_plan(ModelSpec model, const Machine& machine, const PlanRequest& request) {
  Plan p;
  p.model = std::move(model);
  const models::ModelConfig& c = p.model.config;
  p.summary = summarize(p.model);
  p.kv = {request.ctx.value_or(c.n_ctx_train), request.parallel, request.kv_type};
  p.placement = place(p.model, machine, p.kv, std::max(p.kv.ctx, c.n_ctx_train));
  p.fits = p.placement.chosen.fits();
  p.speed = estimate_speed(p.model, machine, p.placement.chosen, p.kv);
  const Machine cpu_machine = without_gpus(machine);
  p.cpu_layout = lay_out(p.model, cpu_machine, p.kv, Strategy::CpuOnly, 0);
  p.cpu_speed = estimate_speed(p.model, cpu_machine, p.cpu_layout, p.kv);
  p.variants = other_variants(p.model);
  p.risks = assess_risks(p, machine);
  p.command = run_command(p);
  return p;
}

}  // namespace fathom::plan
