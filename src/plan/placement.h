// Where each tensor and each layer's KV cache go. Strategies are tried in order of
// speed: everything on the GPU(s); attention and shared weights on the GPU with the
// experts of as few layers as possible in RAM (llama.cpp's --n-cpu-moe N); whole
// layers split between GPU and RAM (llama.cpp's -ngl N); CPU only. When none fits,
// the closest layout says by how much.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan/hardware.h"
#include "plan/memory.h"
#include "plan/model_spec.h"

namespace fathom::plan {

enum class Strategy { AllGpu, ExpertsInRam, LayerSplit, CpuOnly };
const char* strategy_name(Strategy s);  // "all-gpu", "experts-in-ram", "layer-split", "cpu-only"

struct DeviceLoad {
  std::string name;  // "GPU 0", "RAM"
  bool is_gpu = false;
  uint64_t capacity = 0;
  uint64_t weights = 0, kv = 0, compute = 0, reserve = 0;
  std::map<std::string, uint64_t> weights_by_group;

  uint64_t need() const { return weights + kv + compute + reserve; }
  uint64_t over() const { return need() > capacity ? need() - capacity : 0; }
};

struct Layout {
  Strategy strategy = Strategy::CpuOnly;
  // ExpertsInRam: layers 0..param-1 keep their experts in RAM. LayerSplit: the last
  // `param` layers (and the output) are on the GPUs. Otherwise 0.
  int64_t param = 0;
  std::vector<int> tensor_device;  // per ModelSpec tensor: index into devices
  std::vector<int> kv_device;      // per layer
  std::vector<DeviceLoad> devices; // the GPUs in order, then RAM (always last)

  uint64_t shortfall() const;      // bytes over capacity, summed over devices
  bool fits() const { return shortfall() == 0; }
  int ram_index() const { return static_cast<int>(devices.size()) - 1; }
};

// One strategy with one parameter: the devices' loads, whether or not they fit.
Layout lay_out(const ModelSpec& m, const Machine& machine, const KvSettings& kv, Strategy s, int64_t param);

struct StrategyFit {
  Strategy strategy;
  std::optional<int64_t> param;  // fewest layers of experts in RAM / most layers on GPU that fit; none: does not fit
  bool fits = false;             // at the requested context
  int64_t max_ctx = 0;           // largest context (up to the limit) at which it fits; 0: never
};

struct PlacementResult {
  Layout chosen;                    // the first strategy that fits, else the closest layout
  std::vector<StrategyFit> fits;    // every strategy this machine and model allow, in order
};

// ctx_limit bounds the largest-context search (the model's maximum or the request, if larger).
PlacementResult place(const ModelSpec& m, const Machine& machine, const KvSettings& kv, int64_t ctx_limit);

// "experts of layers 0-2 in RAM" etc., for reports.
std::string describe(const Layout& l, const models::ModelConfig& c);

}  // namespace fathom::plan
