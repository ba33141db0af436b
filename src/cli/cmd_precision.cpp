// fathom precision REF CANDIDATE: what a precision costs, per language. Runs the
// reference over each text and keeps its log-probabilities in a temporary base file,
// then the candidate against it (one model in memory at a time), and prints perplexity,
// KL divergence and top-token agreement per text side by side.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/perplexity_args.h"
#include "core/error.h"
#include "eval/perplexity_report.h"

namespace fathom::cli {

namespace {

struct PrecisionArgs {
  std::string reference, candidate, keep_base;
  std::vector<std::string> texts;
  WindowArgs window;
  bool json = false;
  int threads = 1;
};

void run(const PrecisionArgs& a) {
  if (a.texts.empty()) throw Error("give at least one --text FILE");
  const eval::WindowOptions w = a.window.options();
  std::string base = a.keep_base;
  bool temporary = false;
  if (base.empty()) {
    base = (std::filesystem::temp_directory_path() / ("fathom-precision-" + std::to_string(::getpid()) + ".bin")).string();
    temporary = true;
  }
  struct Remove {
    std::string path;
    bool on;
    ~Remove() {
      if (on) std::filesystem::remove(path);
    }
  } cleanup{base, temporary};
  perplexity_of(a.reference, a.texts, w, base, "", a.threads, "reference");
  const eval::PerplexityReport r = perplexity_of(a.candidate, a.texts, w, "", base, a.threads, "candidate");
  if (a.json) {
    std::printf("%s\n", eval::perplexity_json(r).dump(2).c_str());
  } else {
    std::fputs(eval::precision_text(r).c_str(), stdout);
  }
}

}  // namespace

void add_precision_command(CLI::App& app) {
  auto a = std::make_shared<PrecisionArgs>();
  CLI::App* cmd = app.add_subcommand("precision", "perplexity and KL divergence of a candidate against a reference, per text");
  cmd->add_option("reference", a->reference, "reference model .gguf (e.g. BF16)")->required();
  cmd->add_option("candidate", a->candidate, "candidate model .gguf (e.g. MXFP4, Q4_K_M)")->required();
  cmd->add_option("--text", a->texts, "text file (UTF-8), once per language")->required();
  add_window_options(cmd, &a->window);
  cmd->add_option("--keep-base", a->keep_base, "keep the reference's log-probabilities in this file");
  cmd->add_flag("--json", a->json, "print the results as JSON");
  add_threads_option(cmd, &a->threads);
  cmd->callback([a] { run(*a); });
}

}  // namespace fathom::cli
