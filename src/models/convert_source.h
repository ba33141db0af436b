// Where each GGUF tensor's rows come from in a safetensors checkpoint. One shape covers
// every layout the converters meet: a tensor as it is, per-expert tensors stacked, and
// gpt-oss's fused gate_up experts whose gate and up rows (and bias elements) interleave.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "formats/safetensors_checkpoint.h"
#include "models/tensors.h"

namespace fathom::models {

struct TensorSource {
  // Stacked along the GGUF tensor's outermost dimension (one per expert, or just one).
  std::vector<const safetensors::Tensor*> parts;
  std::vector<std::vector<int64_t>> expected_shapes;  // per part, in safetensors order
  // OpenAI's MXFP4 layout: parts are the U8 _blocks [.., rows, row/32, 16] and this the
  // U8 _scales [.., rows, row/32] beside them (E8M0 exponents).
  const safetensors::Tensor* scales = nullptr;
  std::vector<int64_t> expected_scales_shape;
  // Row r of a part is source row r * row_step + row_offset; element i of a row is
  // source element i * elem_step + elem_offset.
  int64_t row_step = 1, row_offset = 0;
  int64_t elem_step = 1, elem_offset = 0;
};

// The safetensors shape of a GGUF tensor stored as it is: ggml's dims reversed.
std::vector<int64_t> hf_shape(const std::vector<int64_t>& ggml_dims);
// The common case: one checkpoint tensor holding the GGUF tensor as it is.
TensorSource single_source(const safetensors::Checkpoint& ck, const std::string& hf_name, const TensorSpec& s);

// The checkpoint's tensors for one GGUF tensor of the manifest, per architecture.
// Throws Error naming the missing Hugging Face tensor.
TensorSource qwen3_source(const ModelConfig& c, const TensorSpec& s, const safetensors::Checkpoint& ck);
TensorSource gpt_oss_source(const ModelConfig& c, const TensorSpec& s, const safetensors::Checkpoint& ck);

// The type the source is stored in, as a GGUF type (BF16, F16, F32 or MXFP4); checks
// every part's dtype and shape against the expected ones (Error naming file and tensor).
DType checked_native_type(const TensorSource& src, const TensorSpec& s);

// Writes the GGUF tensor s in type t (row_bytes(t, dims[0]) per row) into dst.
void fill_from_source(const TensorSource& src, const TensorSpec& s, DType native, DType t, uint8_t* dst,
                      ThreadPool& pool);

// One row of OpenAI MXFP4 (n_blocks x 16 bytes, byte k holding elements 2k (low
// nibble) and 2k+1 (high)) with its n_blocks scales, as GGUF block_mxfp4 {e, qs[16]}
// where qs[j] holds element j (low nibble) and j + 16 (high). Lossless.
void repack_mxfp4_row(const uint8_t* blocks, const uint8_t* scales, int64_t n_blocks, uint8_t* dst);

}  // namespace fathom::models
