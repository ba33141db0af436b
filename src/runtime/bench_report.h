// What `fathom bench` prints: a llama-bench style table (one row per thread count and
// test, t/s as mean ± sd) under a few lines relating decode speed to the memory
// bandwidth bound; or the same as JSON. And the probe's figures.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "runtime/bench.h"
#include "runtime/bench_probe.h"

namespace fathom::runtime {

struct BenchRow {
  int threads = 1;
  BenchTest test;
  std::vector<double> tps;  // one per repetition
};

struct BenchReport {
  std::string model;  // general.name, else the file name
  std::string path;
  uint64_t size = 0;  // bytes of weights
  int64_t params = 0;
  uint64_t active_bytes = 0;    // weights read per decoded token
  double bandwidth = 0;         // bytes/s the bound is computed at
  std::string bandwidth_from;   // "probe, 2 threads" or "--bw"
  std::string dispatch;         // kernel level
  std::string kv_type;
  int reps = 0;
  std::vector<BenchRow> rows;

  // Decode tokens/s if every active byte streams once per token at `bandwidth`.
  double decode_bound() const { return active_bytes ? bandwidth / static_cast<double>(active_bytes) : 0.0; }
};

std::string bench_markdown(const BenchReport& r);
nlohmann::json bench_json(const BenchReport& r);

std::string probe_text(const ProbeResult& p);
nlohmann::json probe_json(const ProbeResult& p);

}  // namespace fathom::runtime
