// A loaded model: configuration, weights bound in place, and a forward pass.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "formats/gguf.h"
#include "models/blocks.h"
#include "models/config.h"
#include "models/kv_cache.h"
#include "models/weights.h"

namespace fathom::models {

class Model {
 public:
  Model(const gguf::File& f, ThreadPool& pool);
  virtual ~Model() = default;

  const ModelConfig& config() const { return cfg_; }

  // Runs `tokens` at positions cache.n_past()... and appends them to the cache.
  // logits: [n_tokens, n_vocab] when all_logits, else [n_vocab] for the last token.
  virtual void forward(std::span<const int32_t> tokens, KvCache& cache, float* logits, bool all_logits) = 0;

 protected:
  // x[t] = embedding of tokens[t]; throws on an id outside the vocabulary.
  std::vector<float> embed(std::span<const int32_t> tokens) const;
  // Final norm and unembedding of the rows of x that the caller asked logits for.
  void unembed(float* x, int64_t n_tok, float* logits, bool all_logits);
  AttentionWeights attention_weights(int64_t layer) const;

  ModelConfig cfg_;
  Weights w_;
  ThreadPool& pool_;
  kernels::Matrix token_embd_;
  const float* output_norm_;
  Linear output_;
};

// Loads the architecture named by general.architecture.
std::unique_ptr<Model> load_model(const gguf::File& f, ThreadPool& pool);

}  // namespace fathom::models
