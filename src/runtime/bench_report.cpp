#include "runtime/bench_report.h"

#include <algorithm>
#include <cstdio>

#include "core/units.h"

namespace fathom::runtime {

namespace {

std::string fmt(const char* f, double a, double b = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a, b);
  return buf;
}

std::string gib_s(double bytes_per_s) { return fmt("%.1f GiB/s", bytes_per_s / (1024.0 * 1024 * 1024)); }

// Characters, not bytes: "±" is two bytes of UTF-8 but one column.
size_t width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Columns padded to their widest cell, as llama-bench does, so the raw text reads as
// a table too; numbers right-aligned.
std::string markdown_table(const std::vector<std::vector<std::string>>& rows, const std::vector<bool>& right) {
  std::vector<size_t> w(right.size(), 3);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string s = "|";
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(w[c] - width(row[c]), ' ');
      s += " " + (right[c] ? pad + row[c] : row[c] + pad) + " |";
    }
    return s + "\n";
  };
  std::string out = line(rows[0]);
  out += "|";
  for (size_t c = 0; c < w.size(); ++c) out += " " + std::string(w[c] - 1, '-') + (right[c] ? ":" : "-") + " |";
  out += "\n";
  for (size_t i = 1; i < rows.size(); ++i) out += line(rows[i]);
  return out;
}

}  // namespace

std::string bench_markdown(const BenchReport& r) {
  std::string out = "model: " + r.model + " (" + r.path + ")\n";
  out += "weights " + format_bytes(r.size) + ", " + format_count(r.params) + " parameters; read per decoded token: " +
         format_bytes(r.active_bytes) + "\n";
  out += "memory bandwidth " + gib_s(r.bandwidth) + " (" + r.bandwidth_from + "): decode bound " +
         fmt("%.2f", r.decode_bound()) + " tokens/s\n";
  out += "kernels " + r.dispatch + ", KV cache " + r.kv_type + ", " + std::to_string(r.reps) +
         " repetitions after a warm-up\n\n";
  std::vector<std::vector<std::string>> rows = {{"model", "size", "params", "backend", "threads", "test", "t/s"}};
  for (const BenchRow& row : r.rows) {
    const MeanSd m = mean_sd(row.tps);
    rows.push_back({r.model, format_bytes(r.size), format_count(r.params), "CPU", std::to_string(row.threads),
                    row.test.name(), fmt("%.2f ± %.2f", m.mean, m.sd)});
  }
  return out + markdown_table(rows, {false, true, true, false, true, true, true});
}

nlohmann::json bench_json(const BenchReport& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const BenchRow& row : r.rows) {
    const MeanSd m = mean_sd(row.tps);
    const bool pp = row.test.kind == BenchTest::Kind::Prompt;
    rows.push_back({{"threads", row.threads},
                    {"test", row.test.name()},
                    {"n_prompt", pp ? row.test.n_tokens : 0},
                    {"n_gen", pp ? 0 : row.test.n_tokens},
                    {"n_depth", row.test.depth},
                    {"n_seq", row.test.n_seq},
                    {"samples_ts", row.tps},
                    {"avg_ts", m.mean},
                    {"stddev_ts", m.sd}});
  }
  return {{"model", r.model},
          {"path", r.path},
          {"model_size", r.size},
          {"model_n_params", r.params},
          {"active_bytes_per_token", r.active_bytes},
          {"bandwidth_bytes_per_s", r.bandwidth},
          {"bandwidth_from", r.bandwidth_from},
          {"decode_bound_ts", r.decode_bound()},
          {"backend", "CPU"},
          {"dispatch", r.dispatch},
          {"kv_type", r.kv_type},
          {"repetitions", r.reps},
          {"results", rows}};
}

std::string probe_text(const ProbeResult& p) {
  const std::string all = std::to_string(p.threads) + " thread" + (p.threads == 1 ? "" : "s");
  std::vector<std::vector<std::string>> rows = {{"probe", "1 thread", all}};
  rows.push_back({"memory read (" + format_bytes(p.buffer_bytes) + " buffer)", gib_s(p.read_bw_1), gib_s(p.read_bw_all)});
  rows.push_back({"FP32 FMA", fmt("%.1f GFLOP/s", p.fma_1 / 1e9), fmt("%.1f GFLOP/s", p.fma_all / 1e9)});
  rows.push_back({"int8 dot", fmt("%.1f GOP/s", p.int8_1 / 1e9), fmt("%.1f GOP/s", p.int8_all / 1e9)});
  std::string out = std::string("kernels ") + kernels::dispatch_level_name(p.level) + "\n\n";
  out += markdown_table(rows, {false, true, true});
  out += "\nfor fathom plan: --cpu-bw " + fmt("%.1fGiB/s", p.read_bw_all / (1024.0 * 1024 * 1024)) + "\n";
  return out;
}

nlohmann::json probe_json(const ProbeResult& p) {
  return {{"dispatch", kernels::dispatch_level_name(p.level)},
          {"threads", p.threads},
          {"buffer_bytes", p.buffer_bytes},
          {"read_bytes_per_s", {{"one_thread", p.read_bw_1}, {"all_threads", p.read_bw_all}}},
          {"fp32_flops", {{"one_thread", p.fma_1}, {"all_threads", p.fma_all}}},
          {"int8_ops", {{"one_thread", p.int8_1}, {"all_threads", p.int8_all}}}};
}

}  // namespace fathom::runtime
