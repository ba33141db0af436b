// The machine a plan is for: detected (/proc/meminfo, /proc/cpuinfo, nvidia-smi) or
// described on the command line, with every figure a plan uses and a note for each
// one that was assumed rather than known.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::plan {

struct Gpu {
  std::string name;         // as detected or given
  std::string spec_name;    // the catalog entry its figures come from; empty when none
  uint64_t memory = 0;      // bytes
  double bandwidth = 0;     // bytes/s
  double bf16_flops = 0;    // dense FLOP/s
  double fp4_flops = 0;     // dense FLOP/s; 0 without native FP4
  std::string compute_cap;
  double pcie_bandwidth = 0;  // bytes/s, one direction; 0 for unified memory
  bool unified = false;

  bool native_fp4() const { return fp4_flops > 0; }
};

struct Cpu {
  std::string model;
  int cores = 1;                   // physical
  int threads = 1;                 // logical
  std::vector<std::string> simd;   // the SIMD extensions kernels care about, as /proc/cpuinfo names them
  double bandwidth = 0;            // memory bandwidth, bytes/s
  double flops = 0;                // peak FP32 FLOP/s (an estimate, see hardware.cpp)
};

struct Machine {
  std::vector<Gpu> gpus;
  uint64_t ram = 0;            // RAM a model may use besides the GPUs' (0 with unified memory)
  uint64_t ram_available = 0;  // MemAvailable at detection (0 when unknown)
  bool ram_given = false;
  Cpu cpu;
  std::vector<std::string> assumptions;  // each figure that was assumed, in one line
};

// What was found on this machine.
struct Detected {
  uint64_t ram_total = 0, ram_available = 0;
  Cpu cpu;  // bandwidth and flops left 0: they are never detected
  struct SmiGpu {
    std::string name;
    uint64_t memory = 0;  // 0 when the driver reports none (unified memory)
    std::string compute_cap;
  };
  std::vector<SmiGpu> gpus;
};

// What the user said.
struct MachineOptions {
  std::vector<std::string> vram;  // --vram, one per GPU
  std::vector<std::string> gpu;   // --gpu, one per GPU, or one for all
  std::string ram, gpu_bw, cpu_bw;
};

// Parsers of the sources detection reads, kept apart so tests can feed them text.
void parse_meminfo(const std::string& text, Detected* d);
void parse_cpuinfo(const std::string& text, Detected* d);
// `nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader,nounits`
void parse_nvidia_smi(const std::string& text, Detected* d);

Detected detect();  // no GPU (and no error) when nvidia-smi is absent

// The machine from detection and options; throws Error for a malformed or unknown value.
Machine build_machine(const Detected& d, const MachineOptions& o);

}  // namespace fathom::plan
