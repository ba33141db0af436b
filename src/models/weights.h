// Binding a model's tensors from a GGUF file: every tensor of the architecture's
// manifest must be present with its exact shape and a supported type. Matrices are
// views into the mapped file; small vectors are F32 views or converted once.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/gguf.h"
#include "kernels/cpu/matmul.h"
#include "models/config.h"

namespace fathom::models {

// A stack of n_expert matrices of the same shape, stored back to back.
struct ExpertMatrix {
  kernels::Matrix first;  // expert 0
  int64_t n_expert = 0;
  int64_t stride = 0;     // bytes between experts

  kernels::Matrix expert(int64_t e) const {
    kernels::Matrix m = first;
    m.data += e * stride;
    return m;
  }
};

class Weights {
 public:
  // Validates the whole manifest of `c` against `f` up front, so a bad file fails at
  // load with the tensor's name rather than in the middle of a forward pass.
  Weights(const gguf::File& f, const ModelConfig& c);

  kernels::Matrix matrix(const std::string& name) const;
  ExpertMatrix experts(const std::string& name) const;
  // F32 data of a vector (or a small matrix such as expert biases), nullptr if optional and absent.
  const float* vec(const std::string& name) const;

 private:
  const gguf::TensorInfo& get(const std::string& name) const;
  const gguf::File& file_;
  std::unordered_map<std::string, const gguf::TensorInfo*> by_name_;
  mutable std::deque<std::vector<float>> converted_;
};

}  // namespace fathom::models
