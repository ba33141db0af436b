#include "plan/placement.h"

#include <algorithm>

namespace fathom::plan {

namespace {

using models::TensorRole;

uint64_t saturating_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

// Whether a tensor belongs on the GPUs under this strategy (which GPU is decided by packing).
bool gpu_side(const PlannedTensor& t, const ModelSpec& m, const Machine& machine, Strategy s, int64_t param) {
  if (s == Strategy::CpuOnly) return false;
  if (t.layer < 0) {
    // The embedding is a lookup of one row per token, so it stays in RAM as llama.cpp
    // keeps it, unless it is also the output matrix or there is no separate RAM.
    if (t.role == TensorRole::Embedding) return m.config.tied_embeddings || machine.ram == 0;
    return true;  // output matrix and final norm
  }
  if (s == Strategy::ExpertsInRam) return !(t.is_expert() && t.layer < param);
  if (s == Strategy::LayerSplit) return t.layer >= m.config.n_layer - param;
  return true;
}

bool kv_gpu_side(int64_t layer, const ModelSpec& m, Strategy s, int64_t param) {
  if (s == Strategy::CpuOnly) return false;
  if (s == Strategy::LayerSplit) return layer >= m.config.n_layer - param;
  return true;
}

bool holds_output(const PlannedTensor& t, const models::ModelConfig& c) {
  return t.role == TensorRole::Output || (t.role == TensorRole::Embedding && c.tied_embeddings);
}

}  // namespace

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::AllGpu: return "all-gpu";
    case Strategy::ExpertsInRam: return "experts-in-ram";
    case Strategy::LayerSplit: return "layer-split";
    case Strategy::CpuOnly: return "cpu-only";
  }
  return "?";
}

uint64_t Layout::shortfall() const {
  uint64_t sum = 0;
  for (const DeviceLoad& d : devices) sum += d.over();
  return sum;
}

Layout lay_out(const ModelSpec& m, const Machine& machine, const KvSettings& kv, Strategy s, int64_t param) {
  const models::ModelConfig& c = m.config;
  const int64_t n_layer = c.n_layer;
  Layout l;
  l.strategy = s;
  l.param = param;
  for (size_t g = 0; g < machine.gpus.size(); ++g) {
    DeviceLoad d;
    d.name = "GPU " + std::to_string(g);
    d.is_gpu = true;
    d.capacity = machine.gpus[g].memory;
    l.devices.push_back(d);
  }
  DeviceLoad ram;
  ram.name = "RAM";
  ram.capacity = machine.ram;
  ram.reserve = machine.ram > 0 ? kRamReserve : 0;
  l.devices.push_back(ram);
  const int ram_index = l.ram_index();

  // GPU-side bytes per layer (weights and KV), with the output and final norm as a last
  // unit; whole units are packed onto the GPUs in order, as a layer split does.
  std::vector<uint64_t> unit(static_cast<size_t>(n_layer) + 1, 0);
  const auto unit_of = [&](int64_t layer) { return static_cast<size_t>(layer < 0 ? n_layer : layer); };
  std::vector<bool> on_gpu(m.tensors.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    on_gpu[i] = !machine.gpus.empty() && gpu_side(m.tensors[i], m, machine, s, param);
    if (on_gpu[i]) unit[unit_of(m.tensors[i].layer)] += m.tensors[i].bytes;
  }
  std::vector<bool> kv_on_gpu(static_cast<size_t>(n_layer));
  for (int64_t layer = 0; layer < n_layer; ++layer) {
    kv_on_gpu[layer] = !machine.gpus.empty() && kv_gpu_side(layer, m, s, param);
    if (kv_on_gpu[layer]) unit[unit_of(layer)] += kv_layer_bytes(c, layer, kv);
  }
  std::vector<int> unit_gpu(unit.size(), ram_index);
  int g = 0;
  uint64_t used = 0;
  for (size_t u = 0; u < unit.size(); ++u) {
    if (unit[u] == 0) continue;
    // Room left after the reserve and a compute buffer sized as if it held the output
    // (which GPU ends up with it is known only after packing).
    const Gpu& gpu = machine.gpus[static_cast<size_t>(g)];
    const uint64_t room = saturating_sub(gpu.memory, kGpuReserve + compute_buffer_bytes(c, true));
    if (used > 0 && used + unit[u] > room && g + 1 < static_cast<int>(machine.gpus.size())) {
      ++g;
      used = 0;
    }
    unit_gpu[u] = g;
    used += unit[u];
  }

  std::vector<bool> computes(l.devices.size()), outputs(l.devices.size());
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const PlannedTensor& t = m.tensors[i];
    const int d = on_gpu[i] ? unit_gpu[unit_of(t.layer)] : ram_index;
    l.tensor_device.push_back(d);
    l.devices[d].weights += t.bytes;
    l.devices[d].weights_by_group[models::role_group(t.role)] += t.bytes;
    if (t.role != TensorRole::Embedding || c.tied_embeddings) computes[d] = true;
    if (holds_output(t, c)) outputs[d] = true;
  }
  for (int64_t layer = 0; layer < n_layer; ++layer) {
    const int d = kv_on_gpu[layer] ? unit_gpu[unit_of(layer)] : ram_index;
    l.kv_device.push_back(d);
    l.devices[d].kv += kv_layer_bytes(c, layer, kv);
  }
  for (size_t d = 0; d < l.devices.size(); ++d) {
    if (computes[d]) l.devices[d].compute = compute_buffer_bytes(c, outputs[d]);
    if (l.devices[d].is_gpu && l.devices[d].need() > 0) {
      // Unified memory also carries the OS's share.
      l.devices[d].reserve = kGpuReserve + (machine.gpus[d].unified ? kRamReserve : 0);
    }
  }
  return l;
}

PlacementResult place(const ModelSpec& m, const Machine& machine, const KvSettings& kv, int64_t ctx_limit) {
  const int64_t n_layer = m.config.n_layer;
  const bool gpus = !machine.gpus.empty(), ram = machine.ram > 0;
  std::vector<Strategy> order;
  if (gpus) order.push_back(Strategy::AllGpu);
  if (gpus && ram && m.config.is_moe()) order.push_back(Strategy::ExpertsInRam);
  if (gpus && ram && n_layer > 1) order.push_back(Strategy::LayerSplit);
  // With unified memory there is no separate RAM for a CPU-only layout to use.
  if (ram || !gpus) order.push_back(Strategy::CpuOnly);

  // The parameters a strategy can take, best first: fewest layers of experts in RAM,
  // most layers on the GPUs.
  const auto params = [&](Strategy s) {
    std::vector<int64_t> p;
    if (s == Strategy::ExpertsInRam) {
      for (int64_t n = 1; n <= n_layer; ++n) p.push_back(n);
    } else if (s == Strategy::LayerSplit) {
      for (int64_t k = n_layer - 1; k >= 1; --k) p.push_back(k);
    } else {
      p.push_back(0);
    }
    return p;
  };
  const auto best = [&](Strategy s, const KvSettings& at) -> std::optional<int64_t> {
    for (int64_t p : params(s)) {
      if (lay_out(m, machine, at, s, p).fits()) return p;
    }
    return std::nullopt;
  };

  PlacementResult r;
  bool chosen = false;
  uint64_t closest = UINT64_MAX;
  for (Strategy s : order) {
    StrategyFit f;
    f.strategy = s;
    f.param = best(s, kv);
    f.fits = f.param.has_value();
    // Memory only grows with the context, so the largest fitting context is a bisection.
    KvSettings at = kv;
    int64_t lo = 0, hi = ctx_limit;
    while (lo < hi) {
      at.ctx = lo + (hi - lo + 1) / 2;
      if (best(s, at)) {
        lo = at.ctx;
      } else {
        hi = at.ctx - 1;
      }
    }
    f.max_ctx = lo;
    r.fits.push_back(f);
    if (f.fits && !chosen) {
      r.chosen = lay_out(m, machine, kv, s, *f.param);
      chosen = true;
    }
    if (!chosen) {
      for (int64_t p : params(s)) {
        Layout l = lay_out(m, machine, kv, s, p);
        if (l.shortfall() < closest) {
          closest = l.shortfall();
          r.chosen = std::move(l);
        }
      }
    }
  }
  return r;
}

std::string describe(const Layout& l, const models::ModelConfig& c) {
  const size_t n_gpus = l.devices.size() - 1;
  const std::string gpus = n_gpus == 1 ? "the GPU" : std::to_string(n_gpus) + " GPUs";
  const std::string n = std::to_string(l.param);
  switch (l.strategy) {
    case Strategy::AllGpu: return "all layers on " + gpus;
    case Strategy::ExpertsInRam:
      return "attention and shared weights on " + gpus + ", experts of " +
             (l.param == 1 ? "layer 0" : "layers 0-" + std::to_string(l.param - 1)) + " in RAM (as llama.cpp's --n-cpu-moe " +
             n + ")";
    case Strategy::LayerSplit:
      return "the last " + n + " of " + std::to_string(c.n_layer) + " layers on " + gpus + ", the first " +
             std::to_string(c.n_layer - l.param) + " in RAM (as llama.cpp's -ngl " + n + ")";
    case Strategy::CpuOnly: return "everything in RAM, computed by the CPU";
  }
  return "?";
}

}  // namespace fathom::plan
