// fathom plan: will this model run on this machine, where does each tensor go, how
// fast, and what can go wrong. Needs no weights: a catalog name, a GGUF header or a
// Hugging Face folder's config and safetensors headers.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/common.h"
#include "core/error.h"
#include "plan/hardware.h"
#include "plan/plan.h"
#include "plan/report.h"
#include "plan/sources.h"

namespace fathom::cli {

namespace {

struct PlanArgs {
  std::vector<std::string> models;
  plan::MachineOptions machine;
  int64_t ctx = 0;  // 0: the model's maximum, as llama.cpp's -c 0
  int64_t parallel = 1;
  std::string kv_type = "f16";
  bool json = false;
};

void run_plan(const PlanArgs& a) {
  plan::PlanRequest request;
  if (a.kv_type == "f16") {
    request.kv_type = DType::F16;
  } else if (a.kv_type == "q8_0") {
    request.kv_type = DType::Q8_0;
  } else {
    throw Error("--kv-type: unknown KV cache type '" + a.kv_type + "' (expected f16 or q8_0)");
  }
  if (a.ctx < 0) throw Error("--ctx: expected a number of tokens (0: the model's maximum), found " + std::to_string(a.ctx));
  if (a.parallel < 1) throw Error("--parallel: expected at least 1 sequence, found " + std::to_string(a.parallel));
  if (a.ctx > 0) request.ctx = a.ctx;
  request.parallel = a.parallel;
  const plan::Machine machine = plan::build_machine(plan::detect(), a.machine);
  std::vector<plan::Plan> plans;
  for (const std::string& name : a.models) plans.push_back(plan::make_plan(plan::resolve_model(name), machine, request));
  if (a.json) {
    std::printf("%s\n", plan::report_json(machine, plans).dump(2).c_str());
  } else {
    const bool color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    plan::print_report(stdout, machine, plans, color);
  }
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "will a model fit this machine, where each tensor goes, how fast, what can go wrong (no weights needed)");
  cmd->add_option("model", args->models,
                  "catalog name (gpt-oss-120b, qwen3-30b-a3b:q4_k_m, Qwen/Qwen3-8B ...), .gguf file or HF folder; "
                  "two or more print side by side")
      ->required();
  // One value per occurrence, so a model name after --vram stays a model name.
  cmd->add_option("--vram", args->machine.vram, "GPU memory, once per GPU (98GB, 96GiB); replaces detected GPUs")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--gpu", args->machine.gpu, "GPU model, once per GPU or once for all (\"RTX PRO 6000\", H100)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--ram", args->machine.ram, "RAM for the model (132GB); default: detected total");
  cmd->add_option("--gpu-bw", args->machine.gpu_bw, "GPU memory bandwidth (1792GB/s); default: from the GPU catalog");
  cmd->add_option("--cpu-bw", args->machine.cpu_bw, "RAM bandwidth (76.8GB/s); default: assumed from the core count");
  cmd->add_option("-c,--ctx", args->ctx, "context per sequence (0, the default: the model's maximum)");
  cmd->add_option("--parallel", args->parallel, "sequences decoded together, each with its own KV cache")
      ->capture_default_str();
  cmd->add_option("--kv-type", args->kv_type, "KV cache type: f16 or q8_0")->capture_default_str();
  cmd->add_flag("--json", args->json, "every number, machine-readable");
  cmd->callback([args] { run_plan(*args); });
}

}  // namespace fathom::cli
