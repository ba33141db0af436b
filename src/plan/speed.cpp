#include "plan/speed.h"

#include <algorithm>
#include <cmath>

namespace fathom::plan {

const char* const kSpeedModel =
    "decode = bytes read per token on each device (chosen experts only, one embedding row, the KV cache) at 70% of "
    "a GPU's memory bandwidth and 78% of the CPU's (fathom's measured CPU rate), summed over devices; prefill = per "
    "512-token batch, the slower of 2 x active parameters per token at 50% of a GPU's peak FLOP/s or 43% of the "
    "CPU's (measured) and reading the weights once (every expert gets tokens) at the same bandwidth shares, plus "
    "weights kept in RAM crossing PCIe to the GPU once per batch at 70% of the link";

SpeedEstimate estimate_speed(const ModelSpec& m, const Machine& machine, const Layout& l, const KvSettings& kv) {
  const models::ModelConfig& c = m.config;
  // Tokens decoded or prefilled together touch the union of their experts.
  const auto touched = [&](double tokens) { return 1.0 - std::pow(1.0 - expert_share(c), tokens); };
  const double step_share = touched(static_cast<double>(kv.parallel));
  const double batch_share = touched(static_cast<double>(kUbatch));
  // CPU only means the CPU computes everything, even with a GPU in the machine.
  const bool gpu_computes_prefill =
      l.strategy != Strategy::CpuOnly && !machine.gpus.empty() && machine.gpus[0].pcie_bandwidth > 0;

  SpeedEstimate e;
  for (const DeviceLoad& d : l.devices) e.devices.push_back({d.name});
  const int ram = l.ram_index();
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const PlannedTensor& t = m.tensors[i];
    DeviceTime& dt = e.devices[static_cast<size_t>(l.tensor_device[i])];
    const bool lookup = t.role == models::TensorRole::Embedding && !c.tied_embeddings;
    dt.decode_bytes += lookup ? static_cast<double>(t.bytes) / static_cast<double>(c.n_vocab) * kv.parallel
                              : static_cast<double>(t.bytes) * (t.is_expert() ? step_share : 1.0);
    if (lookup) continue;
    const double flops = 2.0 * static_cast<double>(t.n_elements) * (t.is_expert() ? expert_share(c) : 1.0);
    // Big batches of RAM-resident weights are computed on the GPU after crossing PCIe
    // (llama.cpp's op offload); with no GPU link the CPU computes them.
    const double batch_bytes = static_cast<double>(t.bytes) * (t.is_expert() ? batch_share : 1.0);
    if (l.tensor_device[i] == ram && gpu_computes_prefill) {
      e.devices[0].prefill_flops += flops;
      e.pcie_bytes_per_batch += batch_bytes;
    } else {
      dt.prefill_flops += flops;
      dt.prefill_bytes += batch_bytes;
    }
  }
  for (int64_t layer = 0; layer < c.n_layer; ++layer) {
    e.devices[static_cast<size_t>(l.kv_device[static_cast<size_t>(layer)])].decode_kv_bytes +=
        static_cast<double>(kv_layer_bytes(c, layer, kv));
  }

  double decode_s = 0, decode_full_s = 0, batch_s = 0;
  for (size_t d = 0; d < e.devices.size(); ++d) {
    const bool gpu = static_cast<int>(d) != ram;
    const double bw = gpu ? machine.gpus[d].bandwidth * kBandwidthEfficiency
                          : machine.cpu.bandwidth * kCpuBandwidthEfficiency;
    const double flops = gpu ? machine.gpus[d].bf16_flops * kComputeEfficiency
                             : machine.cpu.flops * kCpuComputeEfficiency;
    decode_s += e.devices[d].decode_bytes / bw;
    decode_full_s += (e.devices[d].decode_bytes + e.devices[d].decode_kv_bytes) / bw;
    batch_s += std::max(e.devices[d].prefill_flops * kUbatch / flops, e.devices[d].prefill_bytes / bw);
  }
  if (e.pcie_bytes_per_batch > 0) {
    batch_s += e.pcie_bytes_per_batch / (machine.gpus[0].pcie_bandwidth * kBandwidthEfficiency);
  }
  e.decode_tps = 1.0 / decode_s;
  e.decode_tps_full = 1.0 / decode_full_s;
  e.prefill_tps = kUbatch / batch_s;
  return e;
}

}  // namespace fathom::plan
