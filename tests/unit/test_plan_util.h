// Machines built by hand for the planner's tests: figures chosen, nothing detected.
#pragma once
#include <cstdint>
#include <vector>

#include "plan/hardware.h"

namespace fathom::plan::test {

constexpr uint64_t kGiB = 1ull << 30;

inline Machine machine(std::vector<uint64_t> gpu_memory, uint64_t ram) {
  Machine m;
  for (uint64_t mem : gpu_memory) {
    Gpu g;
    g.name = "test GPU";
    g.memory = mem;
    g.bandwidth = 1000e9;
    g.bf16_flops = 200e12;
    g.pcie_bandwidth = 31.5e9;
    g.compute_cap = "8.9";
    m.gpus.push_back(g);
  }
  m.ram = ram;
  m.ram_given = true;
  m.cpu.cores = 8;
  m.cpu.threads = 16;
  m.cpu.bandwidth = 80e9;
  m.cpu.flops = 1e12;
  return m;
}

}  // namespace fathom::plan::test
