// Memory a model needs besides its weights: the KV cache, compute buffers and the
// reserve the OS and GPU driver keep. Each estimate states its formula.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "models/config.h"

namespace fathom::plan {

struct KvSettings {
  int64_t ctx = 0;       // positions per sequence
  int64_t parallel = 1;  // sequences decoded together, each with its own cache
  DType type = DType::F16;
};

// Positions a layer keeps per sequence: sliding-window layers only their window.
int64_t kv_positions(const models::ModelConfig& c, int64_t layer, int64_t ctx);

// Keys and values of one layer for all sequences: 2 x positions x row_bytes(type, kv_dim) x parallel.
uint64_t kv_layer_bytes(const models::ModelConfig& c, int64_t layer, const KvSettings& kv);
uint64_t kv_bytes(const models::ModelConfig& c, const KvSettings& kv);

// Tokens per forward pass in prefill (llama.cpp's default n_ubatch), which sizes the
// compute buffers and how often offloaded weights cross PCIe.
constexpr int64_t kUbatch = 512;

// Activations of one prefill batch on a device that computes (estimate):
// 4 bytes x kUbatch x (6 x n_embd + 2 x q_dim + 3 x FFN width a token uses), plus the
// float logits of the batch (4 x kUbatch x n_vocab) on the device holding the output.
// Attention is assumed streaming (flash-attention style), so no n_ctx-sized scores.
uint64_t compute_buffer_bytes(const models::ModelConfig& c, bool holds_output);

// The estimates above in one line, printed with every plan.
extern const char* const kMemoryModel;

// Kept free on each GPU in use for the CUDA context, library workspaces and
// fragmentation (estimate).
constexpr uint64_t kGpuReserve = 1ull << 30;
// Kept free in RAM for the OS and the engine's own process (estimate).
constexpr uint64_t kRamReserve = 4ull << 30;

}  // namespace fathom::plan
