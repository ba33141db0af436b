// fathom compare: several models measured side by side on this machine, into one
// self-contained HTML report (and JSON): identity and precision, fit and placement,
// speed, perplexity and KL divergence, accuracy by language and reasoning effort, expert
// routing, and a plain-language summary computed from the numbers. Accuracy results are
// kept per model in --results-dir, so an interrupted run resumes.
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/perplexity_args.h"
#include "cli/progress.h"
#include "core/error.h"
#include "eval/compare.h"
#include "eval/report_html.h"

namespace fathom::cli {

namespace {

struct CompareArgs {
  eval::CompareOptions o;
  WindowArgs window;
  std::string reasoning, report, json;
  bool think = false, no_think = false;
};

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw Error(path + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw Error(path + ": cannot rename " + tmp + " into place");
}

void run(CompareArgs a) {
  if (a.report.empty() && a.json.empty()) throw Error("give --report out.html and/or --json out.json");
  if (a.think && a.no_think) throw Error("give at most one of --think and --no-think");
  if (a.think) a.o.think = true;
  if (a.no_think) a.o.think = false;
  a.o.efforts = parse_efforts(a.reasoning);
  a.o.window = a.window.options();
  std::unique_ptr<ProgressBar> bar;
  a.o.on_stage = [&](const std::string& s) {
    if (bar) bar->finish();
    std::fprintf(stderr, "compare: %s\n", s.c_str());
    bar = std::make_unique<ProgressBar>("  " + s.substr(s.find(": ") + 2), "steps");
  };
  a.o.progress = [&](int64_t d, int64_t t) {
    if (bar) bar->update(static_cast<uint64_t>(d), static_cast<uint64_t>(t));
  };
  const chat::Json doc = eval::run_compare(a.o);
  if (bar) bar->finish();
  if (!a.json.empty()) write_file(a.json, doc.dump(2, ' ', false, chat::Json::error_handler_t::replace) + "\n");
  if (!a.report.empty()) write_file(a.report, eval::report_html(doc));
  for (const std::string& s : eval::summary_sentences(doc)) std::printf("%s\n", s.c_str());
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "measure several models side by side into one HTML report");
  cmd->add_option("models", a->o.models, "model .gguf files; the first is the reference for KL divergence")->required();
  cmd->add_option("--suite", a->o.suites, "builtin, or JSONL task files");
  cmd->add_option("--text", a->o.texts, "text file (UTF-8), once per language: perplexity and routing");
  cmd->add_option("--report", a->report, "write the HTML report here");
  cmd->add_option("--json", a->json, "write every number as JSON here");
  cmd->add_option("--reasoning", a->reasoning, "gpt-oss reasoning efforts for generative items: low,medium,high");
  cmd->add_flag("--think", a->think, "Qwen3: thinking on");
  cmd->add_flag("--no-think", a->no_think, "Qwen3: thinking off");
  cmd->add_option("--limit", a->o.limit, "at most N items per language");
  cmd->add_option("--max-tokens", a->o.max_tokens, "tokens per generative answer")->capture_default_str();
  cmd->add_option("--parallel", a->o.parallel, "items at a time")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--eval-ctx", a->o.ctx, "context per parallel sequence for the tasks")->capture_default_str();
  add_window_options(cmd, &a->window);
  cmd->add_option("--bench-prompt", a->o.bench_prompt, "prompt tokens of the speed test (0: none)")->capture_default_str();
  cmd->add_option("--bench-gen", a->o.bench_gen, "decoded tokens of the speed test (0: none)")->capture_default_str();
  cmd->add_option("--bench-reps", a->o.bench_reps, "speed test repetitions")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--results-dir", a->o.results_dir, "per-model results (resumed) and the reference's logits")
      ->capture_default_str();
  cmd->add_option("--vram", a->o.machine.vram, "GPU memory for the plan section, once per GPU");
  cmd->add_option("--ram", a->o.machine.ram, "RAM for the plan section (default: detected)");
  add_threads_option(cmd, &a->o.threads);
  cmd->callback([a] { run(*a); });
}

}  // namespace fathom::cli
