// fathom quantize: a GGUF model to another precision, with the size and bits/weight
// of each tensor group before and after.
#include <cstdio>
#include <memory>

#include "cli/common.h"
#include "cli/progress.h"
#include "core/error.h"
#include "core/units.h"
#include "formats/gguf.h"
#include "models/inventory.h"
#include "models/quantize.h"

namespace fathom::cli {

namespace {

struct QuantizeArgs {
  std::string in, out, type;
  bool keep_experts = false, force = false;
  int threads = 1;
};

models::Inventory inventory_of(const std::string& path) {
  return models::take_inventory(*gguf::File::open(path, {.header_only = true}));
}

void print_summary(const models::Inventory& before, const models::Inventory& after) {
  std::fprintf(stderr, "%-12s %12s %8s   %12s %8s\n", "group", "before", "bpw", "after", "bpw");
  for (const models::GroupStats& a : after.groups) {
    const models::GroupStats* b = nullptr;
    for (const models::GroupStats& g : before.groups) {
      if (g.group == a.group) b = &g;
    }
    std::fprintf(stderr, "%-12s %12s %8.2f   %12s %8.2f\n", a.group.c_str(),
                 b ? format_bytes(b->bytes).c_str() : "-", b ? b->bits_per_weight() : 0.0,
                 format_bytes(a.bytes).c_str(), a.bits_per_weight());
  }
  const auto bpw = [](const models::Inventory& i) {
    return i.total_params ? 8.0 * static_cast<double>(i.total_bytes) / static_cast<double>(i.total_params) : 0.0;
  };
  std::fprintf(stderr, "%-12s %12s %8.2f   %12s %8.2f\n", "total", format_bytes(before.total_bytes).c_str(),
               bpw(before), format_bytes(after.total_bytes).c_str(), bpw(after));
}

void run_quantize(const QuantizeArgs& a) {
  models::QuantizeOptions o;
  o.q4_k_m = a.type == "q4_k_m" || a.type == "Q4_K_M";
  if (!o.q4_k_m) {
    o.type = parse_type_option("--type", a.type);
    if (o.type != DType::Q8_0 && o.type != DType::Q6_K && o.type != DType::Q5_K && o.type != DType::Q4_K &&
        o.type != DType::Q4_0 && o.type != DType::MXFP4) {
      throw Error("--type: quantize writes q8_0, q6_k, q5_k, q4_k, q4_0, mxfp4 or q4_k_m, not '" + a.type + "'");
    }
  }
  o.keep_experts = a.keep_experts;
  o.force = a.force;
  ProgressBar bar("quantizing");
  o.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  ThreadPool pool(a.threads);
  models::quantize_gguf(a.in, a.out, o, pool);
  bar.finish();
  std::fprintf(stderr, "wrote %s (%s)\n", a.out.c_str(), a.type.c_str());
  print_summary(inventory_of(a.in), inventory_of(a.out));
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  auto args = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand("quantize", "rewrite a GGUF model's weight matrices in another type");
  cmd->add_option("in", args->in, "input .gguf")->required();
  cmd->add_option("out", args->out, "output .gguf")->required();
  cmd->add_option("--type", args->type,
                  "q8_0, q6_k, q5_k, q4_k, q4_0, mxfp4 (experts only; other matrices q8_0) or q4_k_m "
                  "(llama.cpp's mix); the output matrix stays at q6_k under 4- and 5-bit types")
      ->required();
  cmd->add_flag("--keep-experts", args->keep_experts, "leave the expert matrices in their stored type");
  cmd->add_flag("--force", args->force, "requantize MXFP4 experts to another 4-bit type anyway");
  add_threads_option(cmd, &args->threads);
  cmd->callback([args] { run_quantize(*args); });
}

}  // namespace fathom::cli
