// GPUs people run open-weight models on, with the figures a plan needs, from the
// vendors' datasheets. Throughputs are dense (no 2:4 sparsity); where NVIDIA quotes
// only a sparse or an FP4 figure, the dense BF16 figure is derived from it (noted).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::plan {

struct GpuSpec {
  std::string name;                // "RTX PRO 6000 Blackwell"
  std::vector<std::string> match;  // words that all appear in any name meaning this GPU
  double memory_gib = 0;           // as sold (the driver shows slightly less)
  double bandwidth_gbs = 0;        // memory bandwidth, GB/s
  double bf16_tflops = 0;          // tensor cores, FP32 accumulate, dense
  double fp4_tflops = 0;           // tensor cores, dense; 0 without native FP4
  std::string compute_cap;         // CUDA compute capability
  int pcie_gen = 0;                // host link (x16); 0 for unified memory
  bool unified = false;            // CPU and GPU share one memory (DGX Spark)

  bool native_fp4() const { return fp4_tflops > 0; }
};

const std::vector<GpuSpec>& gpu_catalog();

// The catalog GPU a name means, case-insensitively and whatever the punctuation:
// "RTX PRO 6000", "NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "NVIDIA H100 80GB HBM3".
// nullptr when none matches.
const GpuSpec* find_gpu(const std::string& name);

// The catalog GPU whose memory is nearest to `bytes` (first listed on a tie), for a
// machine described only by its VRAM.
const GpuSpec& gpu_with_nearest_memory(uint64_t bytes);

// One direction of a PCIe x16 link, bytes/s (Gen4: 31.5 GB/s, Gen5: 63 GB/s).
double pcie_x16_bandwidth(int gen);

}  // namespace fathom::plan
