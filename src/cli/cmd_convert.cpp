// fathom convert: a Hugging Face checkpoint folder to one GGUF file.
#include <cstdio>
#include <memory>

#include "cli/common.h"
#include "cli/progress.h"
#include "core/error.h"
#include "core/units.h"
#include "convert/convert.h"

namespace fathom::cli {

namespace {

struct ConvertArgs {
  std::string dir, out, type = "auto";
  int threads = 1;
};

void run_convert(const ConvertArgs& a) {
  convert::ConvertOptions o;
  if (a.type != "auto") {
    const DType t = parse_type_option("--type", a.type);
    if (t != DType::BF16 && t != DType::F16 && t != DType::F32 && t != DType::Q8_0) {
      throw Error("--type: convert writes auto, bf16, f16, f32 or q8_0 (use fathom quantize for '" + a.type + "')");
    }
    o.type = t;
  }
  ProgressBar bar("converting");
  o.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  ThreadPool pool(a.threads);
  const convert::ConvertResult r = convert::convert_hf(a.dir, a.out, o, pool);
  bar.finish();
  std::fprintf(stderr, "wrote %s (%s, %lld tensors, %s of weights, type %s)\n", a.out.c_str(),
               models::arch_name(r.config.arch), static_cast<long long>(r.n_tensors),
               format_bytes(r.tensor_bytes).c_str(), a.type.c_str());
}

}  // namespace

void add_convert_command(CLI::App& app) {
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* cmd = app.add_subcommand("convert", "convert a Hugging Face safetensors folder (Qwen3, Qwen3-MoE, gpt-oss) to GGUF");
  cmd->add_option("dir", args->dir, "folder with config.json, *.safetensors and tokenizer.json")->required();
  cmd->add_option("out", args->out, "output .gguf")->required();
  cmd->add_option("--type", args->type,
                  "type of the weight matrices: auto (as stored: BF16 stays BF16, MXFP4 experts stay MXFP4), "
                  "bf16, f16, f32, q8_0")
      ->capture_default_str();
  add_threads_option(cmd, &args->threads);
  cmd->callback([args] { run_convert(*args); });
}

}  // namespace fathom::cli
