// Sizes with exact units, the detection parsers, the GPU catalog, and how given
// options override what was detected.
#include <gtest/gtest.h>

#include "core/error.h"
#include "plan/gpu_catalog.h"
#include "plan/hardware.h"
#include "plan/quantities.h"

using namespace fathom;
using namespace fathom::plan;

TEST(PlanQuantities, SizesHaveExactUnits) {
  EXPECT_EQ(parse_size("--vram", "98GB"), 98000000000ull);
  EXPECT_EQ(parse_size("--vram", "96GiB"), 96ull << 30);
  EXPECT_EQ(parse_size("--vram", "96 gib"), 96ull << 30);
  EXPECT_EQ(parse_size("--ram", "512MiB"), 512ull << 20);
  EXPECT_EQ(parse_size("--ram", "1.5TB"), 1500000000000ull);
  EXPECT_EQ(parse_size("--ram", "2TiB"), 2ull << 40);
  EXPECT_EQ(parse_size("--ram", "750MB"), 750000000ull);
  for (const char* bad : {"98", "98XB", "-1GB", "GB", "", "1e400GB", "98 G B", "0GB"}) {
    try {
      parse_size("--vram", bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::BadInput);
      EXPECT_NE(std::string(e.what()).find("--vram: '" + std::string(bad) + "' is not a size"), std::string::npos)
          << e.what();
    }
  }
}

TEST(PlanQuantities, Rates) {
  EXPECT_DOUBLE_EQ(parse_rate("--gpu-bw", "1792GB/s"), 1792e9);
  EXPECT_DOUBLE_EQ(parse_rate("--gpu-bw", "3.35 TB/s"), 3.35e12);
  EXPECT_THROW(parse_rate("--gpu-bw", "1792"), Error);
  EXPECT_THROW(parse_rate("--gpu-bw", "1792GB"), Error);
}

TEST(PlanHardware, ParsesMeminfo) {
  Detected d;
  parse_meminfo("MemTotal:       131072000 kB\nMemFree:        1000 kB\nMemAvailable:   65536000 kB\n", &d);
  EXPECT_EQ(d.ram_total, 131072000ull * 1024);
  EXPECT_EQ(d.ram_available, 65536000ull * 1024);
}

TEST(PlanHardware, ParsesCpuinfoCoresAndSimd) {
  std::string text;
  for (int socket = 0; socket < 2; ++socket) {
    for (int core = 0; core < 2; ++core) {
      for (int ht = 0; ht < 2; ++ht) {
        text += "processor\t: 0\nmodel name\t: Test CPU 9000\nphysical id\t: " + std::to_string(socket) +
                "\ncore id\t\t: " + std::to_string(core) + "\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw\n\n";
      }
    }
  }
  Detected d;
  parse_cpuinfo(text, &d);
  EXPECT_EQ(d.cpu.model, "Test CPU 9000");
  EXPECT_EQ(d.cpu.threads, 8);
  EXPECT_EQ(d.cpu.cores, 4);
  EXPECT_EQ(d.cpu.simd, (std::vector<std::string>{"avx", "avx2", "avx512bw", "avx512f", "fma", "sse4_2"}));
}

TEST(PlanHardware, ParsesNvidiaSmi) {
  Detected d;
  parse_nvidia_smi(
      "NVIDIA RTX PRO 6000 Blackwell Workstation Edition, 97887, 12.0\n"
      "NVIDIA GB10, [N/A], 12.1\n"
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
      &d);
  ASSERT_EQ(d.gpus.size(), 2u);
  EXPECT_EQ(d.gpus[0].name, "NVIDIA RTX PRO 6000 Blackwell Workstation Edition");
  EXPECT_EQ(d.gpus[0].memory, 97887ull << 20);
  EXPECT_EQ(d.gpus[0].compute_cap, "12.0");
  EXPECT_EQ(d.gpus[1].memory, 0u);
  Detected none;
  parse_nvidia_smi("", &none);
  EXPECT_TRUE(none.gpus.empty());
}

TEST(PlanGpuCatalog, NamesAsDriversAndPeopleWriteThem) {
  const struct {
    const char* name;
    const char* entry;
  } cases[] = {{"NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "RTX PRO 6000 Blackwell"},
               {"RTX PRO 6000", "RTX PRO 6000 Blackwell"},
               {"NVIDIA GeForce RTX 4090", "RTX 4090"},
               {"rtx 3090", "RTX 3090"},
               {"NVIDIA GeForce RTX 5090", "RTX 5090"},
               {"NVIDIA A100-SXM4-80GB", "A100 80GB"},
               {"NVIDIA A100-PCIE-40GB", "A100 40GB"},
               {"NVIDIA H100 80GB HBM3", "H100 SXM"},
               {"NVIDIA H100 PCIe", "H100 PCIe"},
               {"NVIDIA H200", "H200"},
               {"NVIDIA L40S", "L40S"},
               {"NVIDIA GB10", "DGX Spark (GB10)"},
               {"DGX Spark", "DGX Spark (GB10)"}};
  for (const auto& c : cases) {
    const GpuSpec* g = find_gpu(c.name);
    ASSERT_NE(g, nullptr) << c.name;
    EXPECT_EQ(g->name, c.entry) << c.name;
  }
  EXPECT_EQ(find_gpu("Tesla T4"), nullptr);
  EXPECT_EQ(gpu_with_nearest_memory(98000000000ull).name, "RTX PRO 6000 Blackwell");
  EXPECT_TRUE(find_gpu("RTX 5090")->native_fp4());
  EXPECT_FALSE(find_gpu("H100")->native_fp4());
  EXPECT_DOUBLE_EQ(pcie_x16_bandwidth(5), 63e9);
}

TEST(PlanHardware, GivenOptionsReplaceDetectedGpus) {
  Detected d;
  d.ram_total = 64ull << 30;
  d.cpu.cores = 16;
  d.gpus.push_back({"NVIDIA GeForce RTX 3090", 24576ull << 20, "8.6"});
  const Machine detected = build_machine(d, {});
  ASSERT_EQ(detected.gpus.size(), 1u);
  EXPECT_EQ(detected.gpus[0].spec_name, "RTX 3090");
  EXPECT_EQ(detected.gpus[0].memory, 24576ull << 20);
  EXPECT_EQ(detected.ram, 64ull << 30);

  MachineOptions o;
  o.vram = {"98GB", "98GB"};
  o.gpu = {"RTX PRO 6000"};
  o.ram = "132GB";
  const Machine given = build_machine(d, o);
  ASSERT_EQ(given.gpus.size(), 2u);
  EXPECT_EQ(given.gpus[1].spec_name, "RTX PRO 6000 Blackwell");
  EXPECT_EQ(given.gpus[1].memory, 98000000000ull);
  EXPECT_DOUBLE_EQ(given.gpus[1].bandwidth, 1792e9);
  EXPECT_EQ(given.ram, 132000000000ull);

  MachineOptions vram_only;
  vram_only.vram = {"98GB"};
  vram_only.gpu_bw = "1.5TB/s";
  vram_only.cpu_bw = "200GB/s";
  const Machine assumed = build_machine(d, vram_only);
  EXPECT_EQ(assumed.gpus[0].spec_name, "RTX PRO 6000 Blackwell");
  EXPECT_DOUBLE_EQ(assumed.gpus[0].bandwidth, 1.5e12);
  EXPECT_DOUBLE_EQ(assumed.cpu.bandwidth, 200e9);
  EXPECT_EQ(assumed.assumptions.size(), 1u);  // the GPU model only; bandwidths were given
}

TEST(PlanHardware, BadOptionsAreErrors) {
  const Detected d;
  MachineOptions unknown;
  unknown.gpu = {"Voodoo 5"};
  EXPECT_THROW(build_machine(d, unknown), Error);
  MachineOptions counts;
  counts.gpu = {"RTX 4090", "RTX 3090"};
  counts.vram = {"24GB", "24GB", "24GB"};
  EXPECT_THROW(build_machine(d, counts), Error);
  MachineOptions bad_ram;
  bad_ram.ram = "lots";
  EXPECT_THROW(build_machine(d, bad_ram), Error);
}

TEST(PlanHardware, UnifiedMemoryIsNotCountedTwice) {
  Detected d;
  d.ram_total = 119ull << 30;
  d.gpus.push_back({"NVIDIA GB10", 0, "12.1"});
  const Machine m = build_machine(d, {});
  ASSERT_EQ(m.gpus.size(), 1u);
  EXPECT_TRUE(m.gpus[0].unified);
  EXPECT_EQ(m.gpus[0].memory, 119ull << 30);
  EXPECT_EQ(m.ram, 0u);
}
