// fathom synth: write a random-weight model of a real architecture and shape.
#include <cstdio>
#include <memory>

#include "cli/common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "models/presets.h"
#include "models/synth.h"

namespace fathom::cli {

namespace {

struct SynthArgs {
  std::string arch, preset = "tiny", type = "f32", expert_type, out, vocab_from;
  uint64_t seed = 1;
  int threads = 1;
};

void run_synth(const SynthArgs& a) {
  models::Arch arch;
  if (!models::parse_arch(a.arch, &arch)) {
    throw Error("--arch: unknown architecture '" + a.arch + "' (expected gpt-oss, qwen3 or qwen3moe)");
  }
  const models::Preset* p = models::find_preset(a.preset, arch);
  if (p == nullptr || p->config.arch != arch) {
    std::string names;
    for (const models::Preset& q : models::presets()) {
      if (q.config.arch == arch) names += (names.empty() ? "" : ", ") + q.name;
    }
    throw Error("--preset: no preset '" + a.preset + "' for " + a.arch + " (available: " + names + ")");
  }
  models::SynthOptions o;
  o.type = parse_type_option("--type", a.type);
  if (!a.expert_type.empty()) o.expert_type = parse_type_option("--expert-type", a.expert_type);
  o.seed = a.seed;
  o.vocab_from = a.vocab_from;
  ThreadPool pool(a.threads);
  models::synth(p->config, o, a.out, pool);
  std::fprintf(stderr, "wrote %s (%s, preset %s, type %s, seed %llu)\n", a.out.c_str(), a.arch.c_str(),
               a.preset.c_str(), a.type.c_str(), static_cast<unsigned long long>(a.seed));
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* cmd = app.add_subcommand("synth", "write a random-weight model of a real architecture and shape");
  cmd->add_option("--arch", args->arch, "gpt-oss, qwen3 or qwen3moe")->required();
  cmd->add_option("--preset", args->preset, "tiny, gpt-oss-20b, gpt-oss-120b, qwen3-8b, qwen3-32b, "
                                            "qwen3-30b-a3b, qwen3-235b-a22b")
      ->capture_default_str();
  cmd->add_option("--type", args->type,
                  "type of every matrix: f32 f16 bf16 q8_0 q4_0 q4_k q5_k q6_k mxfp4 "
                  "(mxfp4 on MoE models: experts MXFP4, the rest BF16, as published)")
      ->capture_default_str();
  cmd->add_option("--expert-type", args->expert_type, "type of the expert matrices (default: --type)");
  cmd->add_option("--seed", args->seed, "random seed (same seed, same file)")->capture_default_str();
  cmd->add_option("--vocab-from", args->vocab_from, "copy the tokenizer from another GGUF");
  cmd->add_option("-o,--out", args->out, "output .gguf")->required();
  add_threads_option(cmd, &args->threads);
  cmd->callback([args] { run_synth(*args); });
}

}  // namespace fathom::cli
