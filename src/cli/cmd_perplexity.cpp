// fathom perplexity: a model's perplexity over text files, with a 95% interval; with a
// base file from a reference precision, the KL divergence and top-token agreement
// against it (llama-perplexity --kl-divergence's statistics).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/perplexity_args.h"
#include "eval/perplexity_report.h"

namespace fathom::cli {

namespace {

struct PerplexityArgs {
  std::string model, save, base;
  std::vector<std::string> files;
  WindowArgs window;
  bool json = false;
  int threads = 1;
};

void run(const PerplexityArgs& a) {
  const eval::PerplexityReport r =
      perplexity_of(a.model, a.files, a.window.options(), a.save, a.base, a.threads, "perplexity");
  if (a.json) {
    std::printf("%s\n", eval::perplexity_json(r).dump(2).c_str());
  } else {
    std::fputs(eval::perplexity_text(r).c_str(), stdout);
  }
}

}  // namespace

void add_perplexity_command(CLI::App& app) {
  auto a = std::make_shared<PerplexityArgs>();
  CLI::App* cmd = app.add_subcommand("perplexity", "perplexity over text files; KL divergence against a base file");
  cmd->add_option("model", a->model, "model .gguf")->required();
  cmd->add_option("files", a->files, "text files (UTF-8)")->required();
  add_window_options(cmd, &a->window);
  cmd->add_option("--save-logits", a->save, "write this model's log-probabilities to a base file for --kld-base");
  cmd->add_option("--kld-base", a->base, "compare against a base file written by --save-logits on the same texts");
  cmd->add_flag("--json", a->json, "print the results as JSON");
  add_threads_option(cmd, &a->threads);
  cmd->callback([a] { run(*a); });
}

}  // namespace fathom::cli
