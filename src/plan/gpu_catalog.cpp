#include "plan/gpu_catalog.h"

#include <cctype>
#include <cmath>
#include <set>

namespace fathom::plan {

namespace {

// "NVIDIA A100-SXM4-80GB" -> {"nvidia", "a100", "sxm4", "80gb"}
std::set<std::string> words(const std::string& s) {
  std::set<std::string> out;
  std::string w;
  for (char ch : s + ' ') {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!w.empty()) {
      out.insert(w);
      w.clear();
    }
  }
  return out;
}

}  // namespace

const std::vector<GpuSpec>& gpu_catalog() {
  // More specific entries first: the first whose words all appear in a name wins.
  static const std::vector<GpuSpec> all = {
      // GeForce: FP16/BF16 with FP32 accumulate runs at half the FP16-accumulate rate.
      {"RTX 3090", {"3090"}, 24, 936, 71, 0, "8.6", 4, false},
      {"RTX 4090", {"4090"}, 24, 1008, 165.2, 0, "8.9", 4, false},
      // FP4: 3352 AI TOPS sparse -> 1676 dense.
      {"RTX 5090", {"5090"}, 32, 1792, 209.5, 1676, "12.0", 5, false},
      // FP4: 4000 AI TOPS sparse -> 2000 dense; BF16 503.8 dense (full-rate FP32 accumulate).
      {"RTX PRO 6000 Blackwell", {"rtx", "pro", "6000"}, 96, 1792, 503.8, 2000, "12.0", 5, false},
      {"L40S", {"l40s"}, 48, 864, 362.05, 0, "8.9", 4, false},
      {"A100 80GB", {"a100", "80gb"}, 80, 2039, 312, 0, "8.0", 4, false},
      {"A100 40GB", {"a100"}, 40, 1555, 312, 0, "8.0", 4, false},
      {"H100 PCIe", {"h100", "pcie"}, 80, 2000, 756, 0, "9.0", 5, false},
      {"H100 SXM", {"h100"}, 80, 3350, 989.4, 0, "9.0", 5, false},
      {"H200", {"h200"}, 141, 4800, 989.4, 0, "9.0", 5, false},
      // GB10: 1 PFLOP FP4 sparse -> 500 dense; BF16 derived as FP4 / 4. 128 GB LPDDR5x shared with the CPU.
      {"DGX Spark (GB10)", {"gb10"}, 128, 273, 125, 500, "12.1", 0, true},
  };
  return all;
}

const GpuSpec* find_gpu(const std::string& name) {
  std::set<std::string> have = words(name);
  if (have.count("spark")) have.insert("gb10");  // "DGX Spark" is sold by that name, seen by the driver as GB10
  for (const GpuSpec& g : gpu_catalog()) {
    bool all = true;
    for (const std::string& w : g.match) all = all && have.count(w) > 0;
    if (all) return &g;
  }
  return nullptr;
}

const GpuSpec& gpu_with_nearest_memory(uint64_t bytes) {
  const double gib = static_cast<double>(bytes) / (1ull << 30);
  const GpuSpec* best = &gpu_catalog().front();
  for (const GpuSpec& g : gpu_catalog()) {
    if (std::fabs(g.memory_gib - gib) < std::fabs(best->memory_gib - gib)) best = &g;
  }
  return *best;
}

double pcie_x16_bandwidth(int gen) {
  // 16 lanes x 16 GT/s (Gen4) with 128b/130b coding = 31.5 GB/s; Gen5 doubles, Gen3 halves.
  return gen <= 0 ? 0.0 : 31.5e9 * std::pow(2.0, gen - 4);
}

}  // namespace fathom::plan
