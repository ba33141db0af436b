// Which type each matrix gets when a model is quantized to a llama.cpp preset: the one
// rule set `plan` (sizing catalog variants) and `quantize` (writing them) share.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "models/config.h"
#include "models/tensors.h"

namespace fathom::models {

// llama.cpp's Q4_K_M mix for the matrix s of block `layer` (-1 outside the blocks).
DType q4_k_m_type(const ModelConfig& c, const TensorSpec& s, int64_t layer);

// The type of matrix s under a single-type preset t, as llama.cpp's quantizer picks it:
// the output matrix (the embedding, when tied) is kept at Q6_K under types below it,
// because its error lands on every logit; mxfp4 is an experts-only format (llama.cpp's
// MXFP4_MOE) and leaves the other matrices at Q8_0.
DType preset_type(const ModelConfig& c, const TensorSpec& s, DType t);

}  // namespace fathom::models
