// fathom run: generate from a prompt of token ids (printing ids) or of text (printing
// text as it streams), with tokens/s on stderr.
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/model.h"
#include "runtime/generate.h"
#include "runtime/sampler.h"
#include "runtime/stop_strings.h"
#include "tokenizer/tokenizer.h"

namespace fathom::cli {

namespace {

struct RunArgs {
  std::string model, tokens, prompt, kv_type = "f16";
  std::vector<std::string> stop;
  int64_t n_predict = 32, ctx = 4096;
  runtime::SamplerParams sampling;
  int threads = 1;
};

void run_run(const RunArgs& a) {
  if (a.tokens.empty() == a.prompt.empty()) {
    throw Error("give the prompt as exactly one of --tokens (ids) or -p/--prompt (text)");
  }
  const bool text = !a.prompt.empty();
  if (!text && !a.stop.empty()) throw Error("--stop needs a text prompt (-p); --tokens output is ids");
  const DType kv = parse_type_option("--kv-type", a.kv_type);
  ThreadPool pool(a.threads);
  const auto file = gguf::File::open(a.model);
  // A text prompt may hold a chat template's special tokens, so they are parsed.
  const auto tok = text ? tokenizer::Tokenizer::from_gguf(*file) : nullptr;
  const std::vector<int32_t> prompt = text ? tok->encode(a.prompt, /*parse_special=*/true) : parse_token_list(a.tokens);
  const auto model = models::load_model(*file, pool);
  models::KvCache cache(model->config(), a.ctx, kv);
  runtime::Sampler sampler(a.sampling);
  runtime::GenerateOptions opts;
  opts.max_tokens = a.n_predict;
  if (text) opts.stop_tokens = tok->end_of_generation();
  std::optional<tokenizer::StreamDecoder> decoder;
  if (text) decoder.emplace(*tok);
  runtime::StopStrings stops(a.stop);
  bool first = true;
  const runtime::GenerationStats st = runtime::generate(*model, cache, prompt, opts, sampler, [&](int32_t id) {
    if (decoder) {
      std::fputs(stops.push(decoder->push(id)).c_str(), stdout);
      if (stops.stopped()) return false;
    } else {
      std::printf(first ? "%d" : " %d", id);
    }
    std::fflush(stdout);
    first = false;
    return true;
  });
  if (decoder) std::fputs((stops.push(decoder->flush()) + stops.flush()).c_str(), stdout);
  std::printf("\n");
  std::fprintf(stderr, "prefill: %lld tokens in %.3f s, %.2f tokens/s\n", static_cast<long long>(st.n_prompt),
               st.prefill_seconds, st.prefill_tps());
  std::fprintf(stderr, "decode:  %lld tokens in %.3f s, %.2f tokens/s (%d threads)\n",
               static_cast<long long>(st.n_generated), st.decode_seconds, st.decode_tps(), a.threads);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "generate tokens from a prompt");
  cmd->add_option("model", args->model, "model .gguf")->required();
  cmd->add_option("--tokens", args->tokens, "prompt as comma-separated token ids (output: ids)");
  cmd->add_option("-p,--prompt", args->prompt, "prompt as text (output: text)");
  cmd->add_option("-n,--n-predict", args->n_predict, "tokens to generate")->capture_default_str();
  cmd->add_option("-c,--ctx", args->ctx, "context size (KV cache positions)")->capture_default_str();
  cmd->add_option("--kv-type", args->kv_type, "KV cache type: f16 or f32")->capture_default_str();
  add_sampling_options(cmd, &args->sampling);
  cmd->add_option("--stop", args->stop, "stop where this text appears, without printing it (repeatable)");
  add_threads_option(cmd, &args->threads);
  cmd->callback([args] { run_run(*args); });
}

}  // namespace fathom::cli
