#include "plan/hardware.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "plan/gpu_catalog.h"
#include "plan/quantities.h"

namespace fathom::plan {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  const size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string run_command(const char* cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd, "r"), pclose);
  if (!p) return "";
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
  return out;
}

std::string gb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
  return buf;
}

// Without a measurement, RAM bandwidth is guessed from the core count: desktops have
// 2 channels, workstations 4 to 8, servers 12; each DDR5-4800 channel moves 38.4 GB/s
// (4800 MT/s x 8 bytes).
double assumed_cpu_bandwidth(int cores, std::string* note) {
  const int channels = cores <= 16 ? 2 : cores <= 32 ? 4 : cores <= 64 ? 8 : 12;
  const double bw = channels * 38.4e9;
  *note = "RAM bandwidth " + gb(bw) + "/s assumed: " + std::to_string(channels) +
          " channels of DDR5-4800 (38.4 GB/s each) for " + std::to_string(cores) + " cores; give --cpu-bw";
  return bw;
}

// Peak FP32 FLOP/s: cores x 3 GHz x FMA lanes x 2 FMA units x 2 FLOP per FMA.
double assumed_cpu_flops(const Cpu& c) {
  const auto has = [&](const char* f) { return std::find(c.simd.begin(), c.simd.end(), f) != c.simd.end(); };
  const int lanes = has("avx512f") ? 16 : has("avx2") ? 8 : 4;
  return c.cores * 3.0e9 * lanes * 2 * 2;
}

Gpu gpu_from_spec(const std::string& name, const GpuSpec& s) {
  Gpu g;
  g.name = name;
  g.spec_name = s.name;
  g.memory = static_cast<uint64_t>(s.memory_gib * (1ull << 30));
  g.bandwidth = s.bandwidth_gbs * 1e9;
  g.bf16_flops = s.bf16_tflops * 1e12;
  g.fp4_flops = s.fp4_tflops * 1e12;
  g.compute_cap = s.compute_cap;
  g.pcie_bandwidth = pcie_x16_bandwidth(s.pcie_gen);
  g.unified = s.unified;
  return g;
}

std::string known_gpus() {
  std::string out;
  for (const GpuSpec& s : gpu_catalog()) out += (out.empty() ? "" : ", ") + s.name;
  return out;
}

}  // namespace

void parse_meminfo(const std::string& text, Detected* d) {
  std::istringstream in(text);
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb) {
    std::getline(in, unit);
    if (key == "MemTotal:") d->ram_total = kb * 1024;
    if (key == "MemAvailable:") d->ram_available = kb * 1024;
  }
}

void parse_cpuinfo(const std::string& text, Detected* d) {
  static const std::set<std::string> kSimd = {"sse4_2",      "avx",        "avx2",     "fma",      "f16c",
                                              "avx512f",     "avx512bw",   "avx512vl", "avx512_vnni",
                                              "avx512_bf16", "avx_vnni",   "amx_bf16", "amx_int8", "asimd",
                                              "asimddp",     "sve",        "sve2",     "i8mm"};
  std::istringstream in(text);
  std::string line, physical = "0";
  std::set<std::pair<std::string, std::string>> cores;
  int threads = 0;
  std::set<std::string> simd;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "processor") ++threads;
    if (key == "model name" && d->cpu.model.empty()) d->cpu.model = value;
    if (key == "physical id") physical = value;
    if (key == "core id") cores.emplace(physical, value);
    if (key == "flags" || key == "Features") {
      std::istringstream flags(value);
      for (std::string f; flags >> f;) {
        if (kSimd.count(f)) simd.insert(f);
      }
    }
  }
  d->cpu.threads = std::max(threads, 1);
  d->cpu.cores = cores.empty() ? d->cpu.threads : static_cast<int>(cores.size());
  d->cpu.simd.assign(simd.begin(), simd.end());
}

void parse_nvidia_smi(const std::string& text, Detected* d) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string f; std::getline(row, f, ',');) fields.push_back(trim(f));
    if (fields.size() != 3 || fields[0].empty()) continue;  // driver messages are not rows
    Detected::SmiGpu g;
    g.name = fields[0];
    // MiB; "[N/A]" on unified-memory parts, whose memory is the system RAM.
    char* end = nullptr;
    const unsigned long long mib = std::strtoull(fields[1].c_str(), &end, 10);
    g.memory = end != fields[1].c_str() && *end == '\0' ? mib * 1048576ull : 0;
    g.compute_cap = fields[2];
    d->gpus.push_back(g);
  }
}

Detected detect() {
  Detected d;
  parse_meminfo(read_text("/proc/meminfo"), &d);
  parse_cpuinfo(read_text("/proc/cpuinfo"), &d);
  if (d.cpu.model.empty()) d.cpu.model = "unknown CPU";
  d.cpu.threads = std::max(d.cpu.threads, static_cast<int>(std::thread::hardware_concurrency()));
  parse_nvidia_smi(
      run_command("nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader,nounits 2>/dev/null"),
      &d);
  return d;
}

Machine build_machine(const Detected& d, const MachineOptions& o) {
  Machine m;
  m.cpu = d.cpu;
  const bool described = !o.vram.empty() || !o.gpu.empty();
  if (o.gpu.size() > 1 && !o.vram.empty() && o.gpu.size() != o.vram.size()) {
    throw Error("--gpu: given " + std::to_string(o.gpu.size()) + " times for " + std::to_string(o.vram.size()) +
                " --vram; give one --gpu for all GPUs or one per --vram");
  }
  const size_t n = described ? std::max(o.vram.size(), o.gpu.size()) : d.gpus.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string name = !described ? d.gpus[i].name : o.gpu.empty() ? "" : o.gpu[std::min(i, o.gpu.size() - 1)];
    const uint64_t memory = !described ? d.gpus[i].memory : i < o.vram.size() ? parse_size("--vram", o.vram[i]) : 0;
    const GpuSpec* spec = name.empty() ? nullptr : find_gpu(name);
    if (spec == nullptr && described && !name.empty() && o.gpu_bw.empty()) {
      throw Error("--gpu: '" + name + "' is not in the GPU catalog (" + known_gpus() + "); give --gpu-bw");
    }
    if (spec == nullptr && memory == 0) throw Error("--gpu: '" + name + "' is not in the GPU catalog; give --vram");
    const std::string label = "GPU " + std::to_string(i);
    if (spec == nullptr) {
      spec = &gpu_with_nearest_memory(memory);
      m.assumptions.push_back(label + " (" + (name.empty() ? gb(static_cast<double>(memory)) : name) +
                              "): " + (o.gpu_bw.empty() ? "bandwidth, compute" : "compute") + " and PCIe figures of the " + spec->name +
                              " (nearest memory size) assumed; give --gpu" + (o.gpu_bw.empty() ? " or --gpu-bw" : ""));
    }
    // Detected GPUs keep the driver's name; described ones take the catalog's spelling.
    Gpu g = gpu_from_spec(!described && !name.empty() ? name : spec->name, *spec);
    if (memory != 0) g.memory = memory;
    if (!described && !d.gpus[i].compute_cap.empty()) g.compute_cap = d.gpus[i].compute_cap;
    if (!o.gpu_bw.empty()) g.bandwidth = parse_rate("--gpu-bw", o.gpu_bw);
    // Unified memory is the system RAM: the GPU gets all of it and the CPU side none extra.
    if (g.unified && !described && d.ram_total != 0) g.memory = d.ram_total;
    m.gpus.push_back(g);
  }
  m.ram_given = !o.ram.empty();
  m.ram = m.ram_given ? parse_size("--ram", o.ram) : d.ram_total;
  m.ram_available = d.ram_available;
  if (std::any_of(m.gpus.begin(), m.gpus.end(), [](const Gpu& g) { return g.unified; })) {
    m.ram = 0;
    m.assumptions.push_back("unified memory: the GPU's memory is the system RAM, so no separate RAM is counted");
  }
  if (o.cpu_bw.empty()) {
    std::string note;
    m.cpu.bandwidth = assumed_cpu_bandwidth(m.cpu.cores, &note);
    m.assumptions.push_back(note);
  } else {
    m.cpu.bandwidth = parse_rate("--cpu-bw", o.cpu_bw);
  }
  m.cpu.flops = assumed_cpu_flops(m.cpu);
  return m;
}

}  // namespace fathom::plan
