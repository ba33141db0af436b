// fathom experts: how a mixture-of-experts model routes each text, per layer, and how
// the first two texts' routing differs (e.g. Russian against English).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/perplexity_args.h"
#include "core/error.h"
#include "eval/experts.h"
#include "eval/perplexity_run.h"
#include "formats/gguf.h"
#include "tokenizer/tokenizer.h"

namespace fathom::cli {

namespace {

struct ExpertsArgs {
  std::string model;
  std::vector<std::string> texts;
  int64_t ctx = 512;
  bool json = false;
  int threads = 1;
};

void run(const ExpertsArgs& a) {
  ThreadPool pool(a.threads);
  const auto file = gguf::File::open(a.model);
  const auto model = models::load_model(*file, pool);
  const auto tok = tokenizer::Tokenizer::from_gguf(*file);
  std::vector<eval::RoutingCounts> counts;
  for (const eval::Text& t : eval::load_texts(a.texts, *tok)) {
    counts.push_back(eval::count_routing(*model, t.name, t.tokens, a.ctx));
  }
  const eval::RoutingReport r =
      eval::routing_report(model_name(*file, a.model), model->config().n_expert_used, std::move(counts));
  if (a.json) {
    std::printf("%s\n", eval::routing_json(r).dump().c_str());
  } else {
    std::fputs(eval::routing_text(r).c_str(), stdout);
  }
}

}  // namespace

void add_experts_command(CLI::App& app) {
  auto a = std::make_shared<ExpertsArgs>();
  CLI::App* cmd = app.add_subcommand("experts", "expert routing per layer and text: usage, entropy, divergence");
  cmd->add_option("model", a->model, "mixture-of-experts model .gguf")->required();
  cmd->add_option("--text", a->texts, "text file (UTF-8), once per language; the first two are compared")->required();
  cmd->add_option("-c,--ctx", a->ctx, "tokens per forward pass")->capture_default_str();
  cmd->add_flag("--json", a->json, "print counts and statistics as JSON");
  add_threads_option(cmd, &a->threads);
  cmd->callback([a] { run(*a); });
}

}  // namespace fathom::cli
