// What the planner knows about a model, whichever way it was named (catalog entry,
// GGUF header, Hugging Face folder): its hyper-parameters and every tensor with its
// storage type and exact size. Everything downstream (memory, placement, speed,
// report) reads only this.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "models/config.h"
#include "models/inventory.h"
#include "models/tensors.h"

namespace fathom::plan {

struct PlannedTensor {
  std::string name;  // llama.cpp's name
  models::TensorRole role;
  int64_t layer = -1;  // block index; -1 for the embedding, output and final norm
  uint32_t type = 0;   // ggml type id
  int64_t n_elements = 0;
  uint64_t bytes = 0;

  bool is_expert() const { return role == models::TensorRole::Expert || role == models::TensorRole::ExpertBias; }
};

enum class Source { Catalog, Gguf, HfFolder };
const char* source_name(Source s);  // "catalog", "gguf", "hf-folder"

struct ModelSpec {
  std::string label;   // how reports name it: "gpt-oss-120b (mxfp4)", "model.gguf"
  Source source = Source::Catalog;
  std::string variant;         // catalog precision ("mxfp4", "q4_k_m", ...); empty for files
  std::string native_variant;  // the precision the authors published ("mxfp4", "bf16"); empty when unknown
  std::string run_path;        // the .gguf to hand to `fathom chat`
  std::string catalog_key;     // the catalog entry it came from; empty for files
  models::ModelConfig config;
  std::vector<PlannedTensor> tensors;
};

// "blk.12.attn_q.weight" -> 12; -1 for names outside the blocks.
int64_t layer_of(const std::string& name);

// The tensors of the architecture's manifest for this shape: matrices stored as
// `matrix_type` says, every vector (norms, biases, sinks) and the router in F32 as
// llama.cpp's converter and quantizer keep them; sizes from the block layouts.
using MatrixType = std::function<DType(const models::TensorSpec& spec, int64_t layer)>;
std::vector<PlannedTensor> manifest_tensors(const models::ModelConfig& c, const MatrixType& matrix_type);

// Parameters and bytes by group, with inspect's conventions for "active": the unchosen
// experts and the embedding table (a lookup of one row) are not touched by a token.
models::Inventory summarize(const ModelSpec& m);

// Share of an expert tensor a decoded token reads: n_expert_used / n_expert (1 for dense).
double expert_share(const models::ModelConfig& c);

}  // namespace fathom::plan
