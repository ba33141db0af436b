// fathom logits: float32 logits at every position, as a NumPy .npy file.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>

#include "cli/common.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "formats/npy.h"
#include "models/model.h"

namespace fathom::cli {

namespace {

struct LogitsArgs {
  std::string model, tokens, out, kv_type = "f16";
  int64_t chunk = 0;
  int threads = 1;
};

void run_logits(const LogitsArgs& a) {
  const std::vector<int32_t> tokens = parse_token_list(a.tokens);
  const DType kv = parse_type_option("--kv-type", a.kv_type);
  if (kv != DType::F32 && kv != DType::F16) throw Error("--kv-type: expected f32 or f16, found " + a.kv_type);
  ThreadPool pool(a.threads);
  const auto file = gguf::File::open(a.model);
  const auto model = models::load_model(*file, pool);
  const int64_t n = static_cast<int64_t>(tokens.size()), n_vocab = model->config().n_vocab;
  models::KvCache cache(model->config(), n, kv);
  std::vector<float> logits(static_cast<size_t>(n * n_vocab));
  // Feeding the sequence in chunks (1 = token by token) checks that decoding after a
  // prefill computes the same function as one prefill.
  const int64_t chunk = a.chunk > 0 ? a.chunk : n;
  for (int64_t i = 0; i < n; i += chunk) {
    const int64_t m = std::min(chunk, n - i);
    model->forward(std::span<const int32_t>(tokens.data() + i, m), cache, logits.data() + i * n_vocab, true);
  }
  npy::write_f32(a.out, {n, n_vocab}, logits.data());
}

}  // namespace

void add_logits_command(CLI::App& app) {
  auto args = std::make_shared<LogitsArgs>();
  CLI::App* cmd = app.add_subcommand("logits", "write the logits of every position as a .npy file");
  cmd->add_option("model", args->model, "model .gguf")->required();
  cmd->add_option("--tokens", args->tokens, "comma-separated token ids")->required();
  cmd->add_option("-o,--out", args->out, "output .npy ([n_tokens, n_vocab] float32)")->required();
  cmd->add_option("--kv-type", args->kv_type, "KV cache type: f16 or f32")->capture_default_str();
  cmd->add_option("--prefill-chunk", args->chunk, "feed the tokens in chunks of this size (1: decode one by one)");
  add_threads_option(cmd, &args->threads);
  cmd->callback([args] { run_logits(*args); });
}

}  // namespace fathom::cli
