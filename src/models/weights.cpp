#include "models/weights.h"

#include "core/error.h"
#include "core/units.h"
#include "kernels/cpu/quant.h"
#include "models/tensors.h"

namespace fathom::models {

namespace {

bool is_float_type(uint32_t t) {
  return t == static_cast<uint32_t>(DType::F32) || t == static_cast<uint32_t>(DType::F16) ||
         t == static_cast<uint32_t>(DType::BF16);
}

}  // namespace

Weights::Weights(const gguf::File& f, const ModelConfig& c) : file_(f) {
  for (const gguf::TensorInfo& t : f.tensors()) by_name_[t.name] = &t;
  for (const TensorSpec& spec : tensor_manifest(c)) {
    const auto it = by_name_.find(spec.name);
    if (it == by_name_.end()) {
      throw Error(f.path() + ": missing tensor " + spec.name + " (expected by " + arch_name(c.arch) + ")");
    }
    const gguf::TensorInfo& t = *it->second;
    if (t.dims != spec.dims) {
      throw Error(f.path() + ": tensor " + spec.name + ": shape " + format_shape(t.dims) + " expected " +
                  format_shape(spec.dims));
    }
    const TypeTraits* tt = type_traits(t.type);
    const bool ok = role_is_matrix(spec.role) ? (tt && tt->supported) : is_float_type(t.type);
    if (!ok) {
      throw Error(f.path() + ": tensor " + spec.name + ": type " + type_name(t.type) + " is not supported here" +
                  (role_is_matrix(spec.role) ? " (supported: f32, f16, bf16, q8_0, q4_0, q4_K, q5_K, q6_K, mxfp4)"
                                             : " (vectors must be f32, f16 or bf16)"));
    }
    if (t.data == nullptr) throw Error(f.path() + ": tensor " + spec.name + ": file was opened header-only");
  }
}

const gguf::TensorInfo& Weights::get(const std::string& name) const {
  const auto it = by_name_.find(name);
  if (it == by_name_.end()) throw Error(file_.path() + ": missing tensor " + name);
  return *it->second;
}

kernels::Matrix Weights::matrix(const std::string& name) const {
  const gguf::TensorInfo& t = get(name);
  return {static_cast<DType>(t.type), t.dims.size() > 1 ? t.dims[1] : 1, t.dims[0], t.data};
}

ExpertMatrix Weights::experts(const std::string& name) const {
  const gguf::TensorInfo& t = get(name);
  ExpertMatrix e;
  e.first = {static_cast<DType>(t.type), t.dims[1], t.dims[0], t.data};
  e.n_expert = t.dims[2];
  e.stride = static_cast<int64_t>(t.n_bytes) / e.n_expert;
  return e;
}

const float* Weights::vec(const std::string& name) const {
  const gguf::TensorInfo& t = get(name);
  if (t.type == static_cast<uint32_t>(DType::F32)) return reinterpret_cast<const float*>(t.data);
  std::vector<float>& out = converted_.emplace_back(static_cast<size_t>(t.n_elements));
  kernels::dequantize_row(static_cast<DType>(t.type), t.data, out.data(), t.n_elements);
  return out.data();
}

}  // namespace fathom::models
