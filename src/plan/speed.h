// Speed estimates from bytes moved and FLOPs done per token on each device. They are
// estimates, not measurements: the one-line model below is printed with them.
#pragma once
#include <string>
#include <vector>

#include "plan/hardware.h"
#include "plan/memory.h"
#include "plan/model_spec.h"
#include "plan/placement.h"

namespace fathom::plan {

// Fractions of peak a well-written GPU engine reaches: decode streams weights at about
// 70% of memory bandwidth; prefill matmuls run at about half of peak FLOP/s.
constexpr double kBandwidthEfficiency = 0.7;
constexpr double kComputeEfficiency = 0.5;
// What fathom's CPU engine measures today (docs/PERFORMANCE.md, gpt-oss-20b on a 2-core
// AVX-512 machine, after the CPU-speed work): decode at 78% of the probed read
// bandwidth, a 512-token prefill at 43% of the assumed FP32 peak. The planner predicts
// fathom, so the CPU side uses these; measure again when the kernels change.
constexpr double kCpuBandwidthEfficiency = 0.78;
constexpr double kCpuComputeEfficiency = 0.43;

extern const char* const kSpeedModel;  // the model in one line

struct DeviceTime {
  std::string device;
  double decode_bytes = 0;      // read per decode step at a short context
  double decode_kv_bytes = 0;   // KV cache read per decode step at the full context
  double prefill_flops = 0;     // per prompt token
  double prefill_bytes = 0;     // weights read per 512-token prefill batch
};

struct SpeedEstimate {
  double decode_tps = 0;       // per sequence, at a short context (weights only)
  double decode_tps_full = 0;  // per sequence, with the whole planned context cached
  double prefill_tps = 0;      // prompt tokens per second
  double pcie_bytes_per_batch = 0;  // RAM-resident weights crossing to the GPU per prefill batch
  std::vector<DeviceTime> devices;
};

SpeedEstimate estimate_speed(const ModelSpec& m, const Machine& machine, const Layout& l, const KvSettings& kv);

}  // namespace fathom::plan
