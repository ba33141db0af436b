// fathom convert: a Hugging Face checkpoint folder (config.json, safetensors shards,
// tokenizer.json) written as one GGUF file with llama.cpp's names and layouts.
// Tensors stream one at a time from the mmap'd shards into the GGUF writer, so memory
// stays bounded whatever the model's size; the output appears only when complete.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "models/config.h"

namespace fathom::convert {

struct ConvertOptions {
  // Type of the weight matrices; nullopt ("auto") keeps each as stored: BF16 stays
  // BF16, OpenAI's MXFP4 experts stay MXFP4 (repacked losslessly). Vectors, norms and
  // the router are always F32, as llama.cpp writes them.
  std::optional<DType> type;
  // Called after each tensor with bytes written so far and the total.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

struct ConvertResult {
  models::ModelConfig config;
  int64_t n_tensors = 0;
  uint64_t tensor_bytes = 0;
};

ConvertResult convert_hf(const std::string& dir, const std::string& out, const ConvertOptions& o, ThreadPool& pool);

}  // namespace fathom::convert
