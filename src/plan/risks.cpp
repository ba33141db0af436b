#include "plan/risks.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/dtype.h"
#include "plan/text.h"

namespace fathom::plan {

namespace {

// The type holding most of a group's bytes ("mxfp4" for gpt-oss experts, whose biases are f32).
std::string main_type(const ModelSpec& m, const std::string& group) {
  std::map<uint32_t, uint64_t> by_type;
  for (const PlannedTensor& t : m.tensors) {
    if (models::role_group(t.role) == group) by_type[t.type] += t.bytes;
  }
  const auto it = std::max_element(by_type.begin(), by_type.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return type_name(it->first);
}

void fit_advice(const Plan& p, std::vector<std::string>& r) {
  const Layout& l = p.placement.chosen;
  r.push_back("does not fit at " + std::to_string(p.kv.ctx) + " tokens: the closest layout (" +
              describe(l, p.model.config) + ") is short by " + bytes(l.shortfall()));
  int64_t best = 0;
  const StrategyFit* best_fit = nullptr;
  for (const StrategyFit& f : p.placement.fits) {
    if (f.max_ctx > best) best = f.max_ctx, best_fit = &f;
  }
  if (best_fit != nullptr) {
    r.push_back("fits with --ctx " + std::to_string(best) + " (" + strategy_name(best_fit->strategy) + ")");
  }
  for (const VariantSize& v : p.variants) {
    if (v.bytes < p.summary.total_bytes) {
      r.push_back("the " + v.name + " variant (" + p.model.catalog_key + ":" + v.name + ") has " + bytes(v.bytes) +
                  " of weights instead of " + bytes(p.summary.total_bytes));
    }
  }
}

// The largest group against the precision its authors published.
void precision_note(const Plan& p, std::vector<std::string>& r) {
  if (p.model.native_variant.empty()) return;
  const auto dominant = std::max_element(p.summary.groups.begin(), p.summary.groups.end(),
                                         [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  const bool mxfp4 = p.model.native_variant == "mxfp4";
  const double native_bits = mxfp4 ? 4.25 : 16.0;  // MXFP4: 17 bytes per 32 weights
  const double bits = dominant->bits_per_weight();
  const std::string what = "the " + dominant->group + " (" + fixed(100.0 * dominant->bytes / p.summary.total_bytes, 0) +
                           "% of the bytes) are stored as " + main_type(p.model, dominant->group) + " at " + fixed(bits, 2) +
                           " bits/weight";
  if (std::fabs(bits - native_bits) < 0.5) {
    r.push_back(what + ", the precision the authors published" +
                (mxfp4 ? " (gpt-oss was post-trained with MXFP4 experts, so no loss beyond theirs)" : ""));
  } else if (bits < native_bits) {
    r.push_back(what + " against the published " + p.model.native_variant + " (" + fixed(native_bits, 2) +
                "): smaller and faster, with some quality loss to measure before relying on it");
  } else {
    r.push_back(what + " against the published " + p.model.native_variant + " (" + fixed(native_bits, 2) +
                "): larger and slower, with no quality gain");
  }
}

void attention_notes(const Plan& p, std::vector<std::string>& r) {
  const models::ModelConfig& c = p.model.config;
  if (c.sliding_window > 0) {
    r.push_back("needs sliding-window attention (" + std::to_string(c.sliding_window) +
                " tokens on even layers) and learned attention sinks; an engine without them gives wrong output "
                "(fathom's attention has both)");
    const KvSettings fathom_kv{p.kv.ctx, 1, DType::F16};
    const uint64_t full = 2 * static_cast<uint64_t>(p.kv.ctx) * static_cast<uint64_t>(row_bytes(DType::F16, c.kv_dim())) *
                          static_cast<uint64_t>(c.n_layer);
    r.push_back("fathom's KV cache keeps every position of the sliding layers too: " + bytes(full) + " at " +
                std::to_string(p.kv.ctx) + " tokens (f16, one sequence) instead of the " + bytes(kv_bytes(c, fathom_kv)) +
                " a window-only cache needs");
  }
  if (c.rope_scaling_factor > 1.0f && p.kv.ctx > c.rope_original_ctx) {
    r.push_back("positions past " + std::to_string(c.rope_original_ctx) + " use YaRN scaling (factor " +
                fixed(c.rope_scaling_factor, 0) + "), as the model was trained; fathom implements it");
  }
  if (p.kv.ctx > c.n_ctx_train) {
    r.push_back("--ctx " + std::to_string(p.kv.ctx) + " is beyond the trained " + std::to_string(c.n_ctx_train) +
                (c.rope_scaling_factor > 1.0f ? ": untested territory, expect quality to fall"
                                              : ": needs YaRN rope scaling, which this model's metadata does not set; "
                                                "expect quality to fall past " + std::to_string(c.n_ctx_train)));
  }
}

void kv_notes(const Plan& p, std::vector<std::string>& r) {
  const models::ModelConfig& c = p.model.config;
  if (p.kv.type == DType::Q8_0) {
    const uint64_t f16 = kv_bytes(c, {p.kv.ctx, p.kv.parallel, DType::F16});
    r.push_back("q8_0 KV cache: 8.5 bits per value instead of 16 saves " + bytes(f16 - kv_bytes(c, p.kv)) +
                " here for a small accuracy cost; `fathom chat` and `fathom run` have f16 and f32 KV caches only today");
  }
  const uint64_t one = kv_bytes(c, {p.kv.ctx, 1, p.kv.type});
  std::string line = "each --parallel sequence adds " + bytes(one) + " of KV cache at " + std::to_string(p.kv.ctx) +
                     " tokens";
  if (p.kv.parallel > 1 && p.fits) {
    line += "; " + std::to_string(p.kv.parallel) + " sequences decode at about " + tps(p.speed.decode_tps) +
            " each, " + tps(p.speed.decode_tps * static_cast<double>(p.kv.parallel)) + " together (estimate)";
  }
  r.push_back(line);
}

void device_notes(const Plan& p, const Machine& machine, std::vector<std::string>& r) {
  const Layout& l = p.placement.chosen;
  const bool mxfp4 = std::any_of(p.model.tensors.begin(), p.model.tensors.end(),
                                 [](const PlannedTensor& t) { return t.type == static_cast<uint32_t>(DType::MXFP4); });
  for (size_t g = 0; g < machine.gpus.size(); ++g) {
    const Gpu& gpu = machine.gpus[g];
    if (!mxfp4 || l.devices[g].weights == 0) continue;
    if (gpu.native_fp4()) {
      r.push_back("the " + gpu.name + " has FP4 tensor cores (" + fixed(gpu.fp4_flops / 1e12, 0) +
                  " TFLOPS dense): kernels using them could prefill MXFP4 experts faster than this BF16-rate estimate");
    } else {
      r.push_back("MXFP4 on the " + gpu.name + " (compute capability " + gpu.compute_cap +
                  ", no FP4 tensor cores): dequantized inside the matmul kernels, same results, slower prefill");
    }
  }
  const int ram = l.ram_index();
  if (p.fits && (l.strategy == Strategy::ExpertsInRam || l.strategy == Strategy::LayerSplit)) {
    const SpeedEstimate& s = p.speed;
    const double ram_s = s.devices[ram].decode_bytes / (machine.cpu.bandwidth * kCpuBandwidthEfficiency);
    r.push_back(bytes(l.devices[ram].weights) + " of weights stay in RAM: the CPU reads " + bytes(static_cast<uint64_t>(s.devices[ram].decode_bytes)) +
                " of them per token at " + rate(machine.cpu.bandwidth) + ", " + fixed(100.0 * ram_s * s.decode_tps, 0) +
                "% of each decode step; prefill moves " + bytes(static_cast<uint64_t>(s.pcie_bytes_per_batch)) +
                " over PCIe per 512-token batch");
  }
  if (!machine.ram_given && machine.ram_available > 0 && l.devices[ram].need() > machine.ram_available) {
    r.push_back("only " + bytes(machine.ram_available) + " of RAM is free now and the plan needs " +
                bytes(l.devices[ram].need()) + " there: close other programs first");
  }
  if (!machine.gpus.empty()) {
    r.push_back("fathom has no GPU backend yet: `fathom chat` computes on the CPU, needing " +
                bytes(p.cpu_layout.devices.back().need()) + " of RAM (" +
                (p.cpu_layout.fits() ? "fits" : "does not fit") + ") and decoding at about " +
                tps(p.cpu_speed.decode_tps) + " (estimate)");
  }
}

}  // namespace

std::vector<std::string> assess_risks(const Plan& p, const Machine& machine) {
  std::vector<std::string> r;
  if (!p.fits) fit_advice(p, r);
  precision_note(p, r);
  attention_notes(p, r);
  kv_notes(p, r);
  device_notes(p, machine, r);
  if (p.model.source == Source::HfFolder) {
    r.push_back("convert the folder to GGUF first (fathom has no convert verb yet; llama.cpp's convert_hf_to_gguf.py "
                "writes the layout planned here)");
  }
  return r;
}

}  // namespace fathom::plan
