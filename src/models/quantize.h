// fathom quantize: a GGUF model rewritten with its weight matrices in another type,
// by llama.cpp's preset rules (quant_mix.h). Vectors, norms and the router are left as
// they are (F32); tensors stream one at a time from the mmap'd input.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "core/dtype.h"
#include "core/thread_pool.h"

namespace fathom::models {

struct QuantizeOptions {
  DType type = DType::Q8_0;
  bool q4_k_m = false;        // llama.cpp's Q4_K_M mix instead of one type
  bool keep_experts = false;  // expert matrices keep their stored type
  // MXFP4 experts requantized to another type of 4.5 bits or fewer lose precision
  // twice over; refused unless forced.
  bool force = false;
  std::function<void(uint64_t done, uint64_t total)> progress;
};

void quantize_gguf(const std::string& in, const std::string& out, const QuantizeOptions& o, ThreadPool& pool);

}  // namespace fathom::models
