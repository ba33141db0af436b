#include "cli/perplexity_args.h"

#include <filesystem>

#include "cli/common.h"
#include "cli/progress.h"
#include "core/error.h"
#include "models/model.h"
#include "tokenizer/tokenizer.h"

namespace fathom::cli {

eval::WindowOptions WindowArgs::options() const {
  eval::WindowOptions o;
  o.ctx = ctx;
  o.stride = stride < 0 ? std::max<int64_t>(ctx / 2, 1) : stride;
  o.kv_type = parse_type_option("--kv-type", kv_type);
  if (o.kv_type != DType::F32 && o.kv_type != DType::F16) throw Error("--kv-type: expected f32 or f16, found " + kv_type);
  return o;
}

void add_window_options(CLI::App* cmd, WindowArgs* w) {
  cmd->add_option("-c,--ctx", w->ctx, "tokens per window")->capture_default_str();
  cmd->add_option("--stride", w->stride, "tokens between window starts (default: half the window)");
  cmd->add_option("--kv-type", w->kv_type, "KV cache precision: f16 or f32")->capture_default_str();
}

std::string model_name(const gguf::File& f, const std::string& path) {
  return f.get_string("general.name", std::filesystem::path(path).filename().string());
}

eval::PerplexityReport perplexity_of(const std::string& model_path, const std::vector<std::string>& texts,
                                     const eval::WindowOptions& w, const std::string& save, const std::string& base,
                                     int threads, const char* label) {
  ThreadPool pool(threads);
  const auto file = gguf::File::open(model_path);
  const auto model = models::load_model(*file, pool);
  const auto tok = tokenizer::Tokenizer::from_gguf(*file);
  ProgressBar bar(label, "tokens");
  eval::PerplexityRun run{save, base, model_name(*file, model_path), [&](int64_t d, int64_t t) { bar.update(d, t); }};
  eval::PerplexityReport r = eval::run_perplexity(*model, *tok, eval::load_texts(texts, *tok), w, run);
  bar.finish();
  return r;
}

}  // namespace fathom::cli
