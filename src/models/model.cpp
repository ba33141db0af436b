#include "models/model.h"

#include <string>

#include "core/error.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/quant.h"

namespace fathom::models {

std::unique_ptr<Model> make_gpt_oss(const gguf::File& f, ThreadPool& pool);
std::unique_ptr<Model> make_qwen3(const gguf::File& f, ThreadPool& pool);

Model::Model(const gguf::File& f, ThreadPool& pool)
    : cfg_(read_config(f)), w_(f, cfg_), pool_(pool) {
  token_embd_ = w_.matrix("token_embd.weight");
  output_norm_ = w_.vec("output_norm.weight");
  output_.w = w_.matrix(cfg_.tied_embeddings ? "token_embd.weight" : "output.weight");
}

std::vector<float> Model::embed(std::span<const int32_t> tokens) const {
  const int64_t n = cfg_.n_embd;
  const int64_t row = row_bytes(token_embd_.type, n);
  std::vector<float> x(tokens.size() * n);
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (tokens[t] < 0 || tokens[t] >= cfg_.n_vocab) {
      throw Error("token id " + std::to_string(tokens[t]) + " at position " + std::to_string(t) +
                  " is outside the vocabulary [0, " + std::to_string(cfg_.n_vocab) + ")");
    }
    kernels::dequantize_row(token_embd_.type, token_embd_.data + tokens[t] * row, x.data() + t * n, n);
  }
  return x;
}

void Model::unembed(float* x, int64_t n_tok, float* logits, bool all_logits) {
  const int64_t n = cfg_.n_embd;
  float* rows = all_logits ? x : x + (n_tok - 1) * n;
  const int64_t n_rows = all_logits ? n_tok : 1;
  kernels::rmsnorm(rows, output_norm_, n, n_rows, cfg_.rms_eps, rows);
  linear(output_, rows, n_rows, logits, pool_);
}

AttentionWeights Model::attention_weights(int64_t layer) const {
  const std::string p = "blk." + std::to_string(layer) + ".";
  const bool biased = cfg_.arch == Arch::GptOss;
  auto lin = [&](const char* name) {
    return Linear{w_.matrix(p + name + ".weight"), biased ? w_.vec(p + name + ".bias") : nullptr};
  };
  AttentionWeights a{lin("attn_q"), lin("attn_k"), lin("attn_v"), lin("attn_output")};
  if (cfg_.arch == Arch::GptOss) {
    a.sinks = w_.vec(p + "attn_sinks.weight");
  } else {
    a.q_norm = w_.vec(p + "attn_q_norm.weight");
    a.k_norm = w_.vec(p + "attn_k_norm.weight");
  }
  return a;
}

std::unique_ptr<Model> load_model(const gguf::File& f, ThreadPool& pool) {
  const std::string arch = f.get_string("general.architecture");
  if (arch == "gpt-oss") return make_gpt_oss(f, pool);
  if (arch == "qwen3" || arch == "qwen3moe") return make_qwen3(f, pool);
  throw Error(f.path() + ": key general.architecture: unsupported architecture '" + arch +
              "', expected one of gpt-oss, qwen3, qwen3moe");
}

}  // namespace fathom::models
