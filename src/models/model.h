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
#include "models/moe.h"
#include "models/weights.h"

namespace fathom::models {

// Sees every MoE layer's routing decisions as the forward pass makes them (fathom
// experts: which experts a language uses).
class RoutingObserver {
 public:
  virtual ~RoutingObserver() = default;
  virtual void on_routing(int64_t layer, const Routing& r) = 0;
};

class Model {
 public:
  Model(const gguf::File& f, ThreadPool& pool);
  virtual ~Model() = default;

  const ModelConfig& config() const { return cfg_; }

  // Runs `tokens` at positions cache.n_past()... and appends them to the cache.
  // logits: [n_tokens, n_vocab] when all_logits, else [n_vocab] for the last token.
  void forward(std::span<const int32_t> tokens, KvCache& cache, float* logits, bool all_logits);
  // Several sequences in one pass, each with its own cache: the weights are streamed once
  // for all of them, and each row's result is the same as if its sequence ran alone.
  void forward(std::span<const Sequence> batch);

  // null: none. The observer must outlive the forward passes it watches.
  void set_routing_observer(RoutingObserver* o) { observer_ = o; }

 protected:
  // The architecture's forward pass over the batch's rows, in sequence order.
  virtual void compute(std::span<const Sequence> batch) = 0;
  // x[t] = embedding of every token of the batch; throws on an id outside the vocabulary.
  std::vector<float> embed(std::span<const Sequence> batch) const;
  // Final norm and unembedding of the rows of x whose logits the sequences asked for.
  void unembed(float* x, std::span<const Sequence> batch);
  AttentionWeights attention_weights(int64_t layer) const;
  void observe(int64_t layer, const Routing& r) const {
    if (observer_) observer_->on_routing(layer, r);
  }

  ModelConfig cfg_;
  Weights w_;
  ThreadPool& pool_;
  kernels::Matrix token_embd_;
  const float* output_norm_;
  Linear output_;
  RoutingObserver* observer_ = nullptr;

 private:
  // A batch's gathered rows and their logits, kept between passes: at 200k-word
  // vocabularies the logits of a few rows are megabytes, which allocated afresh each
  // step cost page faults and zeroing in every decode step of the server.
  std::vector<float> unembed_rows_, unembed_logits_;
};

// Loads the architecture named by general.architecture.
std::unique_ptr<Model> load_model(const gguf::File& f, ThreadPool& pool);

}  // namespace fathom::models
