#include "models/quantize.h"

#include <cstring>
#include <map>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "kernels/cpu/quant.h"
#include "models/config.h"
#include "models/quant_mix.h"
#include "models/tensors.h"

namespace fathom::models {

namespace {

int64_t layer_of(const std::string& name) {
  return name.rfind("blk.", 0) == 0 ? std::stoll(name.substr(4)) : -1;
}

bool at_most_4_5_bits(DType t) { return t == DType::Q4_0 || t == DType::Q4_K || t == DType::MXFP4; }

DType target_type(const ModelConfig& c, const TensorSpec& s, DType stored, const QuantizeOptions& o,
                  const std::string& path) {
  if (!role_is_matrix(s.role)) return stored;
  if (s.role == TensorRole::Expert && o.keep_experts) return stored;
  const DType t = o.q4_k_m ? q4_k_m_type(c, s, layer_of(s.name)) : preset_type(c, s, o.type);
  if (stored == DType::MXFP4 && t != DType::MXFP4 && at_most_4_5_bits(t) && !o.force) {
    throw Error(path + ": tensor " + s.name + ": stored as MXFP4; requantizing it to " +
                type_name(static_cast<uint32_t>(t)) +
                " rounds 4-bit values a second time and loses precision for no size gain (use --keep-experts, "
                "or --force to do it anyway)");
  }
  const TypeTraits* traits = type_traits(static_cast<uint32_t>(t));
  if (s.dims[0] % traits->block_elems != 0) {
    throw Error(path + ": tensor " + s.name + ": row length " + std::to_string(s.dims[0]) + " is not a multiple of " +
                traits->name + "'s block of " + std::to_string(traits->block_elems));
  }
  return t;
}

void requantize(const gguf::TensorInfo& in, DType t, uint8_t* dst, ThreadPool& pool) {
  const DType stored = static_cast<DType>(in.type);
  if (stored == t) {
    std::memcpy(dst, in.data, in.n_bytes);
    return;
  }
  const int64_t row_len = in.dims[0], n_rows = in.n_elements / row_len;
  const int64_t in_row = row_bytes(stored, row_len), out_row = row_bytes(t, row_len);
  pool.parallel_for(n_rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(row_len));
    for (int64_t r = begin; r < end; ++r) {
      kernels::dequantize_row(stored, in.data + r * in_row, row.data(), row_len);
      kernels::quantize_row(t, row.data(), dst + r * out_row, row_len);
    }
  });
}

}  // namespace

void quantize_gguf(const std::string& in_path, const std::string& out, const QuantizeOptions& o, ThreadPool& pool) {
  const auto in = gguf::File::open(in_path);
  const ModelConfig c = read_config(*in);
  std::map<std::string, TensorSpec> specs;
  for (TensorSpec& s : tensor_manifest(c)) specs.emplace(s.name, std::move(s));

  gguf::Writer w;
  for (const gguf::KeyValue& kv : in->metadata()) {
    if (kv.key != "general.alignment") w.set(kv.key, kv.value);
  }
  uint64_t total = 0;
  for (const gguf::TensorInfo& t : in->tensors()) {
    const auto it = specs.find(t.name);
    if (it == specs.end()) throw Error(in_path + ": tensor " + t.name + " is not one " + arch_name(c.arch) + " has");
    const DType stored = static_cast<DType>(t.type);
    if (!type_traits(t.type) || !type_traits(t.type)->supported) {
      throw Error(in_path + ": tensor " + t.name + ": type " + type_name(t.type) + " has no fathom kernels");
    }
    const DType target = target_type(c, it->second, stored, o, in_path);
    total += static_cast<uint64_t>(row_bytes(target, t.dims[0]) * (t.n_elements / t.dims[0]));
    w.add_tensor(t.name, t.dims, static_cast<uint32_t>(target), [&t, target, done = total, &total, &o, &pool](uint8_t* dst, uint64_t) {
      requantize(t, target, dst, pool);
      if (o.progress) o.progress(done, total);
    });
  }
  w.write(out);
}

}  // namespace fathom::models
