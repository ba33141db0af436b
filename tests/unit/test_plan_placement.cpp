// Placement on machines built by hand: fits on the GPU, needs the experts of a minimal
// number of layers in RAM, splits layers, or does not fit and says by how much.
#include <gtest/gtest.h>

#include "plan/catalog.h"
#include "plan/memory.h"
#include "plan/placement.h"
#include "plan/plan.h"
#include "plan/speed.h"
#include "test_plan_util.h"

using namespace fathom;
using namespace fathom::plan;
using test::kGiB;

namespace {

ModelSpec model(const char* name) { return *find_in_catalog(name); }

KvSettings kv(int64_t ctx) { return {ctx, 1, DType::F16}; }

uint64_t placed_weights(const Layout& l) {
  uint64_t sum = 0;
  for (const DeviceLoad& d : l.devices) sum += d.weights;
  return sum;
}

}  // namespace

TEST(PlanPlacement, FitsOnOneBigGpu) {
  const ModelSpec m = model("gpt-oss-120b");
  const PlacementResult r = place(m, test::machine({96 * kGiB}, 128 * kGiB), kv(131072), 131072);
  EXPECT_EQ(r.chosen.strategy, Strategy::AllGpu);
  EXPECT_TRUE(r.chosen.fits());
  // Only the embedding table (a lookup) stays in RAM.
  const DeviceLoad& ram = r.chosen.devices.back();
  EXPECT_EQ(ram.weights, ram.weights_by_group.at("embeddings"));
  EXPECT_EQ(r.chosen.devices[0].kv, kv_bytes(m.config, kv(131072)));
  EXPECT_EQ(placed_weights(r.chosen), summarize(m).total_bytes);
  EXPECT_EQ(r.fits[0].max_ctx, 131072);
}

TEST(PlanPlacement, ExpertsOfTheFewestLayersGoToRam) {
  const ModelSpec m = model("gpt-oss-120b");
  const Machine machine = test::machine({24 * kGiB}, 128 * kGiB);
  const PlacementResult r = place(m, machine, kv(32768), 131072);
  ASSERT_EQ(r.chosen.strategy, Strategy::ExpertsInRam);
  const int64_t n = r.chosen.param;
  EXPECT_GT(n, 1);
  EXPECT_LT(n, m.config.n_layer);
  EXPECT_TRUE(lay_out(m, machine, kv(32768), Strategy::ExpertsInRam, n).fits());
  EXPECT_FALSE(lay_out(m, machine, kv(32768), Strategy::ExpertsInRam, n - 1).fits());
  // Exactly the experts of layers 0..n-1 are in RAM, with the embedding.
  uint64_t want = 0;
  for (const PlannedTensor& t : m.tensors) {
    if ((t.is_expert() && t.layer < n) || t.role == models::TensorRole::Embedding) want += t.bytes;
  }
  EXPECT_EQ(r.chosen.devices.back().weights, want);
  EXPECT_EQ(r.chosen.devices.back().kv, 0u);
  EXPECT_EQ(placed_weights(r.chosen), summarize(m).total_bytes);
}

TEST(PlanPlacement, DenseModelSplitsLayers) {
  const ModelSpec m = model("qwen3-32b");  // 61 GiB in BF16
  const Machine machine = test::machine({24 * kGiB}, 128 * kGiB);
  const PlacementResult r = place(m, machine, kv(8192), 40960);
  ASSERT_EQ(r.chosen.strategy, Strategy::LayerSplit);
  const int64_t k = r.chosen.param;
  EXPECT_TRUE(lay_out(m, machine, kv(8192), Strategy::LayerSplit, k).fits());
  EXPECT_FALSE(lay_out(m, machine, kv(8192), Strategy::LayerSplit, k + 1).fits());
  // KV of the GPU layers is on the GPU, the rest in RAM.
  EXPECT_EQ(r.chosen.devices[0].kv, static_cast<uint64_t>(k) * kv_bytes(m.config, kv(8192)) / m.config.n_layer);
}

TEST(PlanPlacement, DoesNotFitSaysByHowMuch) {
  const ModelSpec m = model("qwen3-235b-a22b");  // BF16: about 438 GiB
  const Machine machine = test::machine({}, 64 * kGiB);
  const PlacementResult r = place(m, machine, kv(4096), 40960);
  EXPECT_FALSE(r.chosen.fits());
  ASSERT_EQ(r.fits.size(), 1u);  // CPU only: no GPU
  EXPECT_EQ(r.fits[0].max_ctx, 0);
  const uint64_t need =
      summarize(m).total_bytes + kv_bytes(m.config, kv(4096)) + compute_buffer_bytes(m.config, true) + kRamReserve;
  EXPECT_EQ(r.chosen.shortfall(), need - 64 * kGiB);
}

TEST(PlanPlacement, ClosestLayoutWhenNothingFits) {
  const ModelSpec m = model("qwen3-235b-a22b");
  const Machine machine = test::machine({80 * kGiB}, 256 * kGiB);
  const PlacementResult r = place(m, machine, kv(4096), 40960);
  EXPECT_FALSE(r.chosen.fits());
  // GPU and RAM together hold 336 GiB; the shortfall is what the best split lacks.
  for (const StrategyFit& f : r.fits) EXPECT_FALSE(f.fits) << strategy_name(f.strategy);
  EXPECT_GT(r.chosen.shortfall(), 0u);
  EXPECT_LT(r.chosen.shortfall(), lay_out(m, machine, kv(4096), Strategy::CpuOnly, 0).shortfall());
}

TEST(PlanPlacement, LargestContextIsExact) {
  const ModelSpec m = model("qwen3-8b");  // 15.3 GiB BF16
  const Machine machine = test::machine({20 * kGiB}, 64 * kGiB);
  const PlacementResult r = place(m, machine, kv(40960), 40960);
  ASSERT_EQ(r.fits[0].strategy, Strategy::AllGpu);
  const int64_t max_ctx = r.fits[0].max_ctx;
  EXPECT_GT(max_ctx, 0);
  EXPECT_LT(max_ctx, 40960);
  EXPECT_TRUE(lay_out(m, machine, kv(max_ctx), Strategy::AllGpu, 0).fits());
  EXPECT_FALSE(lay_out(m, machine, kv(max_ctx + 1), Strategy::AllGpu, 0).fits());
}

TEST(PlanPlacement, TwoGpusShareTheLayers) {
  const ModelSpec m = model("gpt-oss-120b");
  const PlacementResult r = place(m, test::machine({48 * kGiB, 48 * kGiB}, 64 * kGiB), kv(131072), 131072);
  EXPECT_EQ(r.chosen.strategy, Strategy::AllGpu);
  EXPECT_GT(r.chosen.devices[0].weights, 0u);
  EXPECT_GT(r.chosen.devices[1].weights, 0u);
  EXPECT_EQ(placed_weights(r.chosen), summarize(m).total_bytes);
}

// Decode reads every byte a token touches once, at the CPU's share of its bandwidth.
TEST(PlanSpeed, DecodeIsBytesOverBandwidth) {
  const ModelSpec m = model("qwen3-8b");
  const Machine machine = test::machine({}, 64 * kGiB);
  const Layout l = lay_out(m, machine, kv(4096), Strategy::CpuOnly, 0);
  const SpeedEstimate s = estimate_speed(m, machine, l, kv(4096));
  double read = 0;
  for (const PlannedTensor& t : m.tensors) {
    read += t.role == models::TensorRole::Embedding ? t.bytes / double(m.config.n_vocab) : double(t.bytes);
  }
  EXPECT_NEAR(s.decode_tps, machine.cpu.bandwidth * kCpuBandwidthEfficiency / read, 1e-9 * s.decode_tps);
  EXPECT_NEAR(s.decode_tps_full,
              machine.cpu.bandwidth * kCpuBandwidthEfficiency / (read + kv_bytes(m.config, kv(4096))),
              1e-9 * s.decode_tps);
  // MoE: only the chosen experts' share of the expert bytes is read.
  const ModelSpec moe = model("qwen3-30b-a3b");
  const SpeedEstimate sm =
      estimate_speed(moe, machine, lay_out(moe, machine, kv(4096), Strategy::CpuOnly, 0), kv(4096));
  EXPECT_GT(sm.decode_tps, s.decode_tps);
}

// Experts kept in RAM: the CPU reads the chosen ones at decode; at prefill every
// expert's weights cross PCIe once per 512-token batch, which bounds the speed.
TEST(PlanSpeed, OffloadedExpertsCrossPcieAtPrefill) {
  const ModelSpec m = model("gpt-oss-120b");
  const Machine machine = test::machine({24 * kGiB}, 128 * kGiB);
  const PlacementResult r = place(m, machine, kv(32768), 131072);
  ASSERT_EQ(r.chosen.strategy, Strategy::ExpertsInRam);
  const SpeedEstimate s = estimate_speed(m, machine, r.chosen, kv(32768));
  const uint64_t ram_experts = r.chosen.devices.back().weights_by_group.at("experts");
  EXPECT_NEAR(s.pcie_bytes_per_batch, double(ram_experts), 1e-6 * ram_experts);
  EXPECT_LT(s.prefill_tps, kUbatch * machine.gpus[0].pcie_bandwidth * kBandwidthEfficiency / ram_experts);
  // The CPU reads 4 of 128 experts of the offloaded layers per token.
  EXPECT_NEAR(s.devices.back().decode_bytes - r.chosen.devices.back().weights_by_group.at("embeddings") /
                                                   double(m.config.n_vocab),
              ram_experts * 4.0 / 128, 1e-6 * ram_experts);
  // Everything on the CPU stays on the CPU, prefill included.
  const Layout cpu = lay_out(m, machine, kv(32768), Strategy::CpuOnly, 0);
  EXPECT_EQ(estimate_speed(m, machine, cpu, kv(32768)).pcie_bytes_per_batch, 0.0);
}
