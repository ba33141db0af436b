// The tensors each architecture expects, with llama.cpp's names and shapes.
// One list serves the loader (validation), synth (what to write) and inspect (grouping).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/config.h"

namespace fathom::models {

enum class TensorRole {
  Embedding,      // token_embd
  Output,         // output (unembedding)
  Norm,           // RMSNorm weights, incl. per-head q/k norms
  Attention,      // q/k/v/o projections
  AttentionBias,  // their biases (gpt-oss)
  Sink,           // learned attention sinks (gpt-oss)
  Router,         // expert gate
  RouterBias,
  Expert,         // stacked expert matrices [in, out, n_expert]
  ExpertBias,     // [out, n_expert]
  Dense,          // dense FFN matrices
};

// Matrices are what a --type applies to; vectors and the router stay F32,
// as llama.cpp's quantizer keeps them.
bool role_is_matrix(TensorRole r);
// The group inspect and plan report: "experts", "attention", "embeddings", "output", "norms", "router", "ffn".
const char* role_group(TensorRole r);

struct TensorSpec {
  std::string name;
  std::vector<int64_t> dims;  // ggml order
  TensorRole role;
};

std::vector<TensorSpec> tensor_manifest(const ModelConfig& c);

}  // namespace fathom::models

namespace fathom::models {
// The role of a tensor judged by its llama.cpp name alone, for files of any
// architecture (inspect and plan); names it does not know are Dense.
TensorRole role_of(const std::string& name);
}  // namespace fathom::models
