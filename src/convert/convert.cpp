#include "convert/convert.h"

#include <filesystem>

#include "core/error.h"
#include "formats/gguf_writer.h"
#include "formats/safetensors_checkpoint.h"
#include "models/convert_source.h"
#include "models/hf_config.h"
#include "models/tensors.h"
#include "tokenizer/save_gguf.h"
#include "tokenizer/vocab.h"

namespace fathom::convert {

// The converter maps checkpoints onto the models layer's manifest and configs.
using namespace models;

namespace {

namespace fs = std::filesystem;

// The folder's name ("models/Qwen3-8B/" -> "Qwen3-8B") as general.name.
std::string folder_name(const std::string& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

DType target_type(const TensorSpec& s, DType native, const ConvertOptions& o) {
  if (!role_is_matrix(s.role)) return DType::F32;
  const DType t = o.type.value_or(native);
  const TypeTraits* traits = type_traits(static_cast<uint32_t>(t));
  if (s.dims[0] % traits->block_elems != 0) {
    throw Error(s.name + ": row length " + std::to_string(s.dims[0]) + " is not a multiple of " + traits->name +
                "'s block of " + std::to_string(traits->block_elems));
  }
  return t;
}

}  // namespace

ConvertResult convert_hf(const std::string& dir, const std::string& out, const ConvertOptions& o, ThreadPool& pool) {
  const fs::path config_path = fs::path(dir) / "config.json";
  if (!fs::exists(config_path)) throw Error(dir + ": not a model folder (no config.json)");
  ConvertResult result;
  result.config = read_hf_config(config_path.string(), folder_name(dir));
  const ModelConfig& c = result.config;
  const fs::path tokenizer_path = fs::path(dir) / "tokenizer.json";
  if (!fs::exists(tokenizer_path)) throw Error(dir + ": no tokenizer.json (the GGUF carries the tokenizer)");
  const auto ck = safetensors::Checkpoint::open(dir);

  gguf::Writer w;
  write_config(w, c);
  w.set("general.quantization_version", gguf::Value::u32(2));
  tokenizer::write_gguf_vocab(w, tokenizer::load_hf_vocab(tokenizer_path.string()), c.n_vocab);

  // Everything is resolved and checked before the first byte is written: a bad
  // checkpoint fails in a second, not after hours of streaming.
  uint64_t total = 0;
  for (const TensorSpec& s : tensor_manifest(c)) {
    TensorSource src = c.arch == Arch::GptOss ? gpt_oss_source(c, s, *ck) : qwen3_source(c, s, *ck);
    const DType native = checked_native_type(src, s);
    const DType t = target_type(s, native, o);
    int64_t n_rows = 1;
    for (size_t i = 1; i < s.dims.size(); ++i) n_rows *= s.dims[i];
    const uint64_t bytes = static_cast<uint64_t>(row_bytes(t, s.dims[0]) * n_rows);
    total += bytes;
    w.add_tensor(s.name, s.dims, static_cast<uint32_t>(t),
                 [s, src = std::move(src), native, t, done = total, &o, &result, &pool](uint8_t* dst, uint64_t) {
                   fill_from_source(src, s, native, t, dst, pool);
                   if (o.progress) o.progress(done, result.tensor_bytes);
                 });
    ++result.n_tensors;
  }
  result.tensor_bytes = total;
  w.write(out);
  return result;
}

}  // namespace fathom::convert
