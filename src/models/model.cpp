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

void Model::forward(std::span<const int32_t> tokens, KvCache& cache, float* logits, bool all_logits) {
  const Sequence s{tokens, &cache, logits, all_logits};
  forward(std::span<const Sequence>(&s, 1));
}

void Model::forward(std::span<const Sequence> batch) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].tokens.empty()) throw Error("forward: sequence " + std::to_string(i) + " of the batch has no tokens");
    for (size_t j = 0; j < i; ++j) {
      if (batch[j].cache == batch[i].cache) throw Error("forward: two sequences of one batch share a KV cache");
    }
    batch[i].cache->reserve(static_cast<int64_t>(batch[i].tokens.size()));
  }
  compute(batch);
  for (const Sequence& s : batch) s.cache->advance(static_cast<int64_t>(s.tokens.size()));
}

std::vector<float> Model::embed(std::span<const Sequence> batch) const {
  const int64_t n = cfg_.n_embd;
  const int64_t row = row_bytes(token_embd_.type, n);
  std::vector<float> x;
  for (const Sequence& s : batch) {
    for (size_t t = 0; t < s.tokens.size(); ++t) {
      const int32_t id = s.tokens[t];
      if (id < 0 || id >= cfg_.n_vocab) {
        throw Error("token id " + std::to_string(id) + " at position " + std::to_string(s.cache->n_past() + t) +
                    " is outside the vocabulary [0, " + std::to_string(cfg_.n_vocab) + ")");
      }
      x.resize(x.size() + n);
      kernels::dequantize_row(token_embd_.type, token_embd_.data + id * row, x.data() + x.size() - n, n);
    }
  }
  return x;
}

void Model::unembed(float* x, std::span<const Sequence> batch) {
  const int64_t n = cfg_.n_embd, n_vocab = cfg_.n_vocab;
  // One sequence asking for its rows in order unembeds in place; a batch gathers the
  // rows it needs so the output matrix is still streamed once.
  if (batch.size() == 1) {
    const Sequence& s = batch[0];
    const int64_t n_tok = static_cast<int64_t>(s.tokens.size());
    float* rows = s.all_logits ? x : x + (n_tok - 1) * n;
    const int64_t n_rows = s.all_logits ? n_tok : 1;
    kernels::rmsnorm(rows, output_norm_, n, n_rows, cfg_.rms_eps, rows);
    linear(output_, rows, n_rows, s.logits, pool_);
    return;
  }
  std::vector<float>& rows = unembed_rows_;
  rows.clear();
  int64_t at = 0;
  for (const Sequence& s : batch) {
    const int64_t n_tok = static_cast<int64_t>(s.tokens.size());
    const int64_t first = s.all_logits ? at : at + n_tok - 1;
    rows.insert(rows.end(), x + first * n, x + (at + n_tok) * n);
    at += n_tok;
  }
  const int64_t n_rows = static_cast<int64_t>(rows.size()) / n;
  kernels::rmsnorm(rows.data(), output_norm_, n, n_rows, cfg_.rms_eps, rows.data());
  std::vector<float>& logits = unembed_logits_;
  if (logits.size() < static_cast<size_t>(n_rows * n_vocab)) logits.resize(static_cast<size_t>(n_rows * n_vocab));
  linear(output_, rows.data(), n_rows, logits.data(), pool_);
  int64_t r = 0;
  for (const Sequence& s : batch) {
    const int64_t k = s.all_logits ? static_cast<int64_t>(s.tokens.size()) : 1;
    std::copy(logits.begin() + r * n_vocab, logits.begin() + (r + k) * n_vocab, s.logits);
    r += k;
  }
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
