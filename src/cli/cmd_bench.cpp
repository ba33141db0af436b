// fathom bench: prefill and decode tokens/s of a model, llama-bench style, beside the
// bound its bytes per token imply at this machine's memory bandwidth; or, with
// --probe, the machine's bandwidth and compute ceilings alone.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "kernels/cpu/dispatch.h"
#include "models/inventory.h"
#include "models/model.h"
#include "plan/quantities.h"
#include "runtime/bench.h"
#include "runtime/bench_probe.h"
#include "runtime/bench_report.h"

namespace fathom::cli {

namespace {

// Four times the largest L3 seen so far, so the probe reads memory, not cache.
constexpr uint64_t kProbeBytes = 1024ull * 1024 * 1024;

struct BenchArgs {
  std::string model, prompt = "512", gen = "128", threads, kv_type = "f16", bw, parallel = "1";
  int reps = 5;
  int64_t depth = 0;
  bool probe = false, json = false, markdown = false;
};

// "512,1024" -> {512, 1024}: non-negative counts (0 skips that kind of test, as in
// llama-bench), or positive ones where min is 1.
std::vector<int64_t> parse_count_list(const std::string& flag, const std::string& s, int64_t min) {
  std::vector<int64_t> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t used = 0;
    int64_t v = -1;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || v < min || v > (int64_t{1} << 30)) {
      throw Error(flag + ": '" + item + "' is not " + (min > 0 ? "a positive" : "a non-negative") +
                  " integer (expected a comma-separated list like 1,2,4)");
    }
    out.push_back(v);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

void print_json(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

void run_probe(const BenchArgs& a, int threads) {
  const runtime::ProbeResult p = runtime::run_probe(threads, kProbeBytes, 5);
  if (a.json) {
    print_json(runtime::probe_json(p));
  } else {
    std::fputs(runtime::probe_text(p).c_str(), stdout);
  }
}

void run_bench(const BenchArgs& a, const std::vector<int>& threads) {
  const std::vector<int64_t> pp = parse_count_list("-p/--n-prompt", a.prompt, 0);
  const std::vector<int64_t> tg = parse_count_list("-n/--n-gen", a.gen, 0);
  const std::vector<int64_t> parallel = parse_count_list("--parallel", a.parallel, 1);
  const DType kv = parse_type_option("--kv-type", a.kv_type);
  const auto file = gguf::File::open(a.model);
  const models::Inventory inv = models::take_inventory(*file);
  if (!inv.config) throw Error(a.model + ": cannot bench this model: " + inv.config_error);

  runtime::BenchReport r;
  r.model = inv.config->name.empty() ? std::filesystem::path(a.model).filename().string() : inv.config->name;
  r.path = a.model;
  r.size = inv.total_bytes;
  r.params = inv.total_params;
  r.active_bytes = inv.active_bytes;
  r.dispatch = kernels::dispatch_level_name(kernels::dispatch_level());
  r.kv_type = a.kv_type;
  r.reps = a.reps;
  const int max_threads = *std::max_element(threads.begin(), threads.end());
  if (!a.bw.empty()) {
    r.bandwidth = plan::parse_rate("--bw", a.bw);
    r.bandwidth_from = "--bw";
  } else {
    // A quicker probe than --probe's (fewer passes), on a buffer as large: smaller ones
    // fit in the L3 of large server parts (260 MiB on the machine in PERFORMANCE.md).
    ThreadPool pool(max_threads);
    r.bandwidth = runtime::measure_read_bandwidth(pool, kProbeBytes, 2);
    r.bandwidth_from = "probe, " + std::to_string(max_threads) + " thread" + (max_threads == 1 ? "" : "s");
  }

  for (int t : threads) {
    ThreadPool pool(t);
    const auto model = models::load_model(*file, pool);
    auto add = [&](runtime::BenchTest::Kind kind, int64_t n) {
      for (int64_t n_seq : parallel) {
        const runtime::BenchTest test{kind, n, a.depth, n_seq};
        r.rows.push_back({t, test, runtime::run_bench_test(*model, test, a.reps, kv)});
        if (!a.json) std::fprintf(stderr, "bench: -t %d %s done\n", t, test.name().c_str());
      }
    };
    for (int64_t n : pp) {
      if (n > 0) add(runtime::BenchTest::Kind::Prompt, n);
    }
    for (int64_t n : tg) {
      if (n > 0) add(runtime::BenchTest::Kind::Generate, n);
    }
  }
  if (a.json) {
    print_json(runtime::bench_json(r));
  } else {
    std::fputs(runtime::bench_markdown(r).c_str(), stdout);
  }
}

void run(const BenchArgs& a) {
  if (a.json && a.markdown) throw Error("give at most one of --json and --markdown");
  if (a.probe == !a.model.empty()) throw Error("give exactly one of a MODEL to bench or --probe");
  // Checked here: CLI11's range checks print the type's whole range in the message.
  if (a.reps < 1) throw Error("-r/--repetitions: at least 1 is needed, found " + std::to_string(a.reps));
  if (a.depth < 0) throw Error("-d/--ctx-depth: must be 0 or more, found " + std::to_string(a.depth));
  std::vector<int> threads;
  if (a.threads.empty()) {
    threads.push_back(ThreadPool::default_threads());
  } else {
    for (int64_t t : parse_count_list("-t/--threads", a.threads, 1)) threads.push_back(static_cast<int>(t));
  }
  if (a.probe) {
    run_probe(a, *std::max_element(threads.begin(), threads.end()));
  } else {
    run_bench(a, threads);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "measure prefill and decode tokens/s (llama-bench style), or the machine");
  cmd->add_option("model", args->model, "model .gguf");
  cmd->add_flag("--probe", args->probe, "measure this machine: memory read bandwidth, FP32 FMA and int8 dot rates");
  cmd->add_option("-p,--n-prompt", args->prompt, "prompt tokens per pp test, comma-separated (0: none)")
      ->capture_default_str();
  cmd->add_option("-n,--n-gen", args->gen, "tokens per tg test, comma-separated (0: none)")->capture_default_str();
  cmd->add_option("-t,--threads", args->threads, "thread counts, comma-separated (default: physical cores)");
  cmd->add_option("-r,--repetitions", args->reps, "timed repetitions of each test, after one warm-up")
      ->capture_default_str();
  cmd->add_option("-d,--ctx-depth", args->depth, "tokens of context prefilled (untimed) before each test")
      ->capture_default_str();
  cmd->add_option("--kv-type", args->kv_type, "KV cache type: f16 or f32")->capture_default_str();
  cmd->add_option("--parallel", args->parallel,
                  "sequences run side by side in one batch (the server's --parallel path), comma-separated; "
                  "tokens/s is their aggregate")
      ->capture_default_str();
  cmd->add_option("--bw", args->bw, "memory bandwidth for the decode bound (14.2GiB/s); default: a quick probe");
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->add_flag("--markdown", args->markdown, "print the markdown table (the default)");
  cmd->callback([args] { run(*args); });
}

}  // namespace fathom::cli
