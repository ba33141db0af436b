// Random-weight models of a real architecture and shape, for tests and benchmarks.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "models/config.h"

namespace fathom::models {

struct SynthOptions {
  DType type = DType::F32;              // every matrix (embeddings, attention, FFN, experts, output)
  std::optional<DType> expert_type;     // overrides `type` for expert matrices
  uint64_t seed = 1;
  std::string vocab_from;               // copy the tokenizer of this GGUF instead of the built-in one
};

// The type each matrix of the manifest gets. MXFP4 alone follows the published gpt-oss
// layout on MoE models: experts MXFP4, every other matrix BF16. A matrix whose row length
// is not a multiple of the type's block falls back to Q8_0 (then F16), as llama.cpp's
// quantizer falls back for such rows.
DType synth_matrix_type(const ModelConfig& c, const SynthOptions& o, bool is_expert, int64_t row_len);

// Writes the model to `out`. Deterministic for a seed, whatever the thread count.
void synth(const ModelConfig& c, const SynthOptions& o, const std::string& out, ThreadPool& pool);

}  // namespace fathom::models
