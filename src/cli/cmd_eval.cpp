// fathom eval: a suite of multiple-choice and generative items against a local model or
// any OpenAI-compatible server; accuracy per language and reasoning setting, the paired
// ru-en difference, and reasoning tokens per item. Results go to a JSONL file as they
// come, and a rerun resumes from it.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/progress.h"
#include "core/error.h"
#include "eval/eval_report.h"

namespace fathom::cli {

namespace {

struct EvalArgs {
  std::string model, endpoint, endpoint_model, api_key, reasoning, out;
  std::vector<std::string> suites;
  bool think = false, no_think = false, json = false;
  int64_t limit = 0, max_tokens = 4096, ctx = 8192;
  int parallel = 1, threads = 1;
};

void run(const EvalArgs& a) {
  if (a.model.empty() == a.endpoint.empty()) throw Error("give exactly one of MODEL or --endpoint URL");
  if (!a.endpoint.empty() && a.endpoint_model.empty()) throw Error("--endpoint needs --model NAME (the id the server lists)");
  if (a.think && a.no_think) throw Error("give at most one of --think and --no-think");
  if (a.suites.empty()) throw Error("--suite: give builtin or one or more JSONL files");
  const std::vector<eval::Item> items = eval::first_per_language(eval::load_suites(a.suites), a.limit);

  eval::EvalOptions o;
  o.efforts = parse_efforts(a.reasoning);
  if (a.think) o.think = true;
  if (a.no_think) o.think = false;
  o.max_tokens = a.max_tokens;
  o.parallel = a.parallel;
  std::unique_ptr<eval::Target> target =
      a.endpoint.empty() ? eval::local_target(a.model, a.threads, a.parallel, a.ctx)
                         : eval::endpoint_target(a.endpoint, a.endpoint_model, a.api_key);
  o.out = a.out.empty() ? "fathom-eval-" + std::filesystem::path(target->model()).filename().string() + ".jsonl" : a.out;
  ProgressBar bar("eval", "items");
  o.progress = [&](int64_t done, int64_t total) { bar.update(static_cast<uint64_t>(done), static_cast<uint64_t>(total)); };
  const std::vector<eval::Result> results = eval::run_eval(*target, items, o);
  bar.finish();
  const eval::EvalReport r = eval::eval_report(target->model(), results);
  if (a.json) {
    std::printf("%s\n", eval::eval_json(r).dump(2).c_str());
  } else {
    std::fputs(eval::eval_text(r).c_str(), stdout);
    std::fprintf(stderr, "per-item results: %s\n", o.out.c_str());
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "accuracy on task suites per language and reasoning effort (docs/EVAL.md)");
  cmd->add_option("model", a->model, "model .gguf (or use --endpoint)");
  cmd->add_option("--endpoint", a->endpoint, "an OpenAI-compatible server instead: http://HOST:PORT");
  cmd->add_option("--model", a->endpoint_model, "with --endpoint: the model id the server serves");
  cmd->add_option("--api-key", a->api_key, "with --endpoint: bearer key");
  cmd->add_option("--suite", a->suites, "builtin, or JSONL task files")->required();
  cmd->add_option("--reasoning", a->reasoning, "gpt-oss reasoning efforts for generative items: low,medium,high");
  cmd->add_flag("--think", a->think, "Qwen3: thinking on for generative items");
  cmd->add_flag("--no-think", a->no_think, "Qwen3: thinking off for generative items");
  cmd->add_option("--limit", a->limit, "at most N items per language");
  cmd->add_option("--max-tokens", a->max_tokens, "tokens per generative answer, reasoning included")->capture_default_str();
  cmd->add_option("--parallel", a->parallel, "items at a time")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("-c,--ctx", a->ctx, "local model: context per parallel sequence")->capture_default_str();
  cmd->add_option("--out", a->out, "results file (JSONL; resumed when it exists); default fathom-eval-MODEL.jsonl");
  cmd->add_flag("--json", a->json, "print the summary as JSON");
  add_threads_option(cmd, &a->threads);
  cmd->callback([a] { run(*a); });
}

}  // namespace fathom::cli
