#include "plan/memory.h"

#include <algorithm>

namespace fathom::plan {

const char* const kMemoryModel =
    "KV cache = 2 x positions x KV row bytes per layer (sliding-window layers keep only their window) x --parallel; "
    "compute buffers (estimate) = 4 B x 512 tokens x (6 x n_embd + 2 x q_dim + 3 x FFN width per token, + n_vocab "
    "logits on the device with the output); reserve (estimate) = 1 GiB per GPU in use, 4 GiB of RAM for the OS";

int64_t kv_positions(const models::ModelConfig& c, int64_t layer, int64_t ctx) {
  return c.layer_is_sliding(layer) ? std::min(ctx, c.sliding_window) : ctx;
}

uint64_t kv_layer_bytes(const models::ModelConfig& c, int64_t layer, const KvSettings& kv) {
  const uint64_t row = static_cast<uint64_t>(row_bytes(kv.type, c.kv_dim()));
  return 2 * row * static_cast<uint64_t>(kv_positions(c, layer, kv.ctx)) * static_cast<uint64_t>(kv.parallel);
}

uint64_t kv_bytes(const models::ModelConfig& c, const KvSettings& kv) {
  uint64_t sum = 0;
  for (int64_t l = 0; l < c.n_layer; ++l) sum += kv_layer_bytes(c, l, kv);
  return sum;
}

uint64_t compute_buffer_bytes(const models::ModelConfig& c, bool holds_output) {
  const int64_t ffn = c.is_moe() ? c.n_expert_used * c.n_ff_expert : c.n_ff;
  const int64_t per_token = 6 * c.n_embd + 2 * c.q_dim() + 3 * ffn + (holds_output ? c.n_vocab : 0);
  return static_cast<uint64_t>(4 * kUbatch * per_token);
}

}  // namespace fathom::plan
