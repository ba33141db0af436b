#include "eval/compare.h"

#include <filesystem>

#include "core/error.h"
#include "eval/eval_report.h"
#include "eval/experts.h"
#include "eval/perplexity_report.h"
#include "eval/perplexity_run.h"
#include "formats/gguf.h"
#include "kernels/cpu/dispatch.h"
#include "models/inventory.h"
#include "plan/plan.h"
#include "plan/report.h"
#include "plan/sources.h"
#include "runtime/bench.h"
#include "tokenizer/tokenizer.h"

namespace fathom::eval {

namespace {

using Json = chat::Json;

Json identity_json(const std::string& path, const gguf::File& f) {
  const models::Inventory inv = models::take_inventory(f);
  Json groups = Json::array();
  for (const models::GroupStats& g : inv.groups) {
    groups.push_back({{"group", g.group}, {"params", g.params}, {"bytes", g.bytes},
                      {"bits_per_weight", g.bits_per_weight()}, {"types", g.types}});
  }
  Json j{{"path", path}, {"file", std::filesystem::path(path).filename().string()},
         {"params", inv.total_params}, {"active_params", inv.active_params}, {"bytes", inv.total_bytes},
         {"active_bytes", inv.active_bytes}, {"groups", groups}};
  if (inv.config) {
    j["name"] = inv.config->name.empty() ? j["file"].get<std::string>() : inv.config->name;
    j["arch"] = models::arch_name(inv.config->arch);
    j["n_layer"] = inv.config->n_layer;
    j["n_expert"] = inv.config->n_expert;
    j["n_expert_used"] = inv.config->n_expert_used;
  }
  return j;
}

Json speed_json(models::Model& model, const CompareOptions& o) {
  Json j = Json::object();
  const auto one = [&](runtime::BenchTest::Kind kind, int64_t n, const char* key) {
    if (n <= 0) return;
    const runtime::BenchTest t{kind, n, 0};
    const runtime::MeanSd m = runtime::mean_sd(runtime::run_bench_test(model, t, o.bench_reps, o.window.kv_type));
    j[key] = {{"test", t.name()}, {"tokens_per_second", m.mean}, {"sd", m.sd}, {"reps", o.bench_reps}};
  };
  one(runtime::BenchTest::Kind::Prompt, o.bench_prompt, "prefill");
  one(runtime::BenchTest::Kind::Generate, o.bench_gen, "decode");
  j["threads"] = o.threads;
  j["kernels"] = kernels::dispatch_level_name(kernels::dispatch_level());
  return j;
}

}  // namespace

Json run_compare(const CompareOptions& o) {
  if (o.models.empty()) throw Error("give at least one model to compare");
  std::filesystem::create_directories(o.results_dir);
  const auto stage = [&](size_t i, const std::string& what) {
    if (o.on_stage) o.on_stage("model " + std::to_string(i + 1) + "/" + std::to_string(o.models.size()) + ": " + what);
  };
  const plan::Machine machine = plan::build_machine(plan::detect(), o.machine);
  std::vector<plan::Plan> plans;
  Json models = Json::array();
  const std::string base = (std::filesystem::path(o.results_dir) / "reference-logprobs.bin").string();

  for (size_t i = 0; i < o.models.size(); ++i) {
    const std::string& path = o.models[i];
    Json m;
    {
      ThreadPool pool(o.threads);
      const auto file = gguf::File::open(path);
      m["identity"] = identity_json(path, *file);
      const std::string name = m["identity"].value("name", m["identity"]["file"].get<std::string>());
      stage(i, "plan");
      plans.push_back(plan::make_plan(plan::model_from_gguf(path), machine, plan::PlanRequest{}));
      const auto model = models::load_model(*file, pool);
      stage(i, "speed");
      m["speed"] = speed_json(*model, o);
      if (!o.texts.empty()) {
        const auto tok = tokenizer::Tokenizer::from_gguf(*file);
        const std::vector<Text> texts = load_texts(o.texts, *tok);
        stage(i, "perplexity");
        PerplexityRun run{i == 0 ? base : "", i == 0 ? "" : base, name, o.progress};
        try {
          m["perplexity"] = perplexity_json(run_perplexity(*model, *tok, texts, o.window, run));
        } catch (const Error& e) {
          if (i == 0) throw;
          // Another vocabulary: perplexity alone (KL divergence needs the same tokens).
          run.base_path.clear();
          m["perplexity"] = perplexity_json(run_perplexity(*model, *tok, texts, o.window, run));
          m["perplexity"]["kld_unavailable"] = e.what();
        }
        if (model->config().is_moe()) {
          stage(i, "expert routing");
          std::vector<RoutingCounts> counts;
          for (const Text& t : texts) counts.push_back(count_routing(*model, t.name, t.tokens, o.window.ctx));
          m["experts"] = routing_json(routing_report(name, model->config().n_expert_used, std::move(counts)));
        }
      }
    }
    if (!o.suites.empty()) {
      stage(i, "accuracy");
      const std::vector<Item> items = first_per_language(load_suites(o.suites), o.limit);
      EvalOptions eo;
      eo.efforts = o.efforts;
      eo.think = o.think;
      eo.max_tokens = o.max_tokens;
      eo.parallel = o.parallel;
      eo.out = (std::filesystem::path(o.results_dir) /
                ("eval-" + std::to_string(i + 1) + "-" + std::filesystem::path(path).stem().string() + ".jsonl"))
                   .string();
      eo.progress = o.progress;
      const auto target = local_target(path, o.threads, o.parallel, o.ctx);
      m["eval"] = eval_json(eval_report(target->model(), run_eval(*target, items, eo)));
      m["eval"]["results_file"] = eo.out;
    }
    models.push_back(m);
  }
  return Json{{"fathom_compare", 1}, {"models", models}, {"plan", plan::report_json(machine, plans)},
              {"window", {{"ctx", o.window.ctx}, {"stride", o.window.stride}}}, {"texts", o.texts},
              {"suites", o.suites}};
}

}  // namespace fathom::eval
