#include "models/synth.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "kernels/cpu/quant.h"
#include "models/synth_vocab.h"
#include "models/tensors.h"

namespace fathom::models {

namespace {

uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t hash_name(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Values for one tensor role: matrices get variance 1/fan_in so activations keep unit
// scale through the layers; norms sit near 1; biases and sinks are small.
struct Distribution {
  float center;
  float half_width;  // uniform in [center - w, center + w]
};

Distribution distribution(TensorRole role, int64_t row_len) {
  const float unit = std::sqrt(3.0f / static_cast<float>(row_len));  // uniform with variance 1/row_len
  switch (role) {
    case TensorRole::Embedding: return {0.0f, std::sqrt(3.0f)};
    case TensorRole::Norm: return {1.0f, 0.1f};
    case TensorRole::AttentionBias:
    case TensorRole::RouterBias:
    case TensorRole::ExpertBias: return {0.0f, 0.1f};
    case TensorRole::Sink: return {0.0f, 1.0f};
    default: return {0.0f, unit};
  }
}

// Uniform values in [-1, 1) from a row's own stream, so output does not depend on
// how rows are split across threads.
void uniform_row(uint64_t seed, int64_t row, std::vector<float>& out) {
  uint64_t s = seed + static_cast<uint64_t>(row) * 0xD1B54A32D192ED03ULL;
  for (float& v : out) v = static_cast<float>(2.0 * static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-53 - 1.0);
}

// Experts share a common component (as experts grown from one initialisation do) and
// differ by kExpertSpread of their variance's square root. Random independent experts
// make a MoE ill-conditioned: a rounding-level change that swaps two near-tied experts
// would then swing the layer's output by a whole expert's worth.
constexpr float kExpertSpread = 0.1f;

// Output rows get log-normal norms (log standard deviation kOutputNormSpread), as
// trained unembeddings do (frequent tokens have larger rows). With equal norms the
// logits would be Gaussian, whose top two crowd together as the vocabulary grows, and
// 8-bit activation rounding alone would decide the argmax at many positions.
constexpr float kOutputNormSpread = 1.5f;

void fill_tensor(const TensorSpec& spec, DType type, uint64_t seed, uint8_t* dst, ThreadPool& pool) {
  const int64_t row_len = spec.dims[0];
  int64_t n_rows = 1;
  for (size_t i = 1; i < spec.dims.size(); ++i) n_rows *= spec.dims[i];
  const int64_t row = row_bytes(type, row_len);
  const Distribution d = distribution(spec.role, row_len);
  const uint64_t tensor_seed = seed ^ hash_name(spec.name);
  const bool expert = spec.role == TensorRole::Expert;
  const int64_t rows_per_expert = expert ? spec.dims[1] : n_rows;
  const float shared = std::sqrt(1.0f - kExpertSpread * kExpertSpread);
  pool.parallel_for(n_rows, [&](int64_t begin, int64_t end) {
    std::vector<float> values(static_cast<size_t>(row_len)), own(static_cast<size_t>(row_len));
    for (int64_t r = begin; r < end; ++r) {
      if (expert) {
        uniform_row(~tensor_seed, r % rows_per_expert, values);
        uniform_row(tensor_seed, r, own);
        for (size_t i = 0; i < values.size(); ++i) values[i] = shared * values[i] + kExpertSpread * own[i];
      } else {
        uniform_row(tensor_seed, r, values);
      }
      float scale = d.half_width;
      if (spec.role == TensorRole::Output) {
        std::vector<float> z(2);
        uniform_row(tensor_seed ^ 0x5DEECE66DULL, r, z);
        // Box-Muller from two uniforms in [-1, 1).
        const float u1 = 0.5f * (z[0] + 1.0f) + 1e-7f, u2 = 0.5f * (z[1] + 1.0f);
        const float normal = std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853f * u2);
        scale *= std::exp(kOutputNormSpread * normal);
      }
      for (float& v : values) v = d.center + scale * v;
      kernels::quantize_row(type, values.data(), dst + r * row, row_len);
    }
  });
}

void write_vocab(gguf::Writer& w, const ModelConfig& c, const SynthOptions& o) {
  using gguf::Value;
  if (!o.vocab_from.empty()) {
    const auto src = gguf::File::open(o.vocab_from, {.header_only = true});
    int copied = 0;
    for (const gguf::KeyValue& kv : src->metadata()) {
      if (kv.key.rfind("tokenizer.", 0) == 0) {
        w.set(kv.key, kv.value);
        ++copied;
      }
    }
    if (copied == 0) throw Error(o.vocab_from + ": no tokenizer.* keys to copy");
    const Value* tokens = src->find("tokenizer.ggml.tokens");
    if (tokens && static_cast<int64_t>(tokens->arr.items.size()) > c.n_vocab) {
      throw Error(o.vocab_from + ": key tokenizer.ggml.tokens: " + std::to_string(tokens->arr.items.size()) +
                  " tokens do not fit the model's vocabulary of " + std::to_string(c.n_vocab));
    }
    return;
  }
  const SynthVocab v = make_synth_vocab(c.arch, c.n_vocab);
  w.set("tokenizer.ggml.model", Value::str("gpt2"));
  w.set("tokenizer.ggml.pre", Value::str(v.pre));
  w.set("tokenizer.ggml.tokens", Value::str_array(v.tokens));
  w.set("tokenizer.ggml.token_type", Value::i32_array(v.types));
  w.set("tokenizer.ggml.merges", Value::str_array(v.merges));
  w.set("tokenizer.ggml.bos_token_id", Value::u32(static_cast<uint32_t>(v.bos)));
  w.set("tokenizer.ggml.eos_token_id", Value::u32(static_cast<uint32_t>(v.eos)));
  w.set("tokenizer.ggml.add_bos_token", Value::boolean(false));
}

}  // namespace

DType synth_matrix_type(const ModelConfig& c, const SynthOptions& o, bool is_expert, int64_t row_len) {
  DType t = o.type;
  if (is_expert && o.expert_type) t = *o.expert_type;
  if (!is_expert && t == DType::MXFP4 && c.is_moe() && !o.expert_type) t = DType::BF16;
  for (DType candidate : {t, DType::Q8_0, DType::F16}) {
    if (row_len % type_traits(static_cast<uint32_t>(candidate))->block_elems == 0) return candidate;
  }
  return DType::F32;
}

void synth(const ModelConfig& c, const SynthOptions& o, const std::string& out, ThreadPool& pool) {
  gguf::Writer w;
  write_config(w, c);
  w.set("general.quantization_version", gguf::Value::u32(2));
  write_vocab(w, c, o);
  for (const TensorSpec& spec : tensor_manifest(c)) {
    const DType type = role_is_matrix(spec.role)
                           ? synth_matrix_type(c, o, spec.role == TensorRole::Expert, spec.dims[0])
                           : DType::F32;
    const uint64_t seed = o.seed;
    w.add_tensor(spec.name, spec.dims, static_cast<uint32_t>(type),
                 [spec, type, seed, &pool](uint8_t* dst, uint64_t) { fill_tensor(spec, type, seed, dst, pool); });
  }
  w.write(out);
}

}  // namespace fathom::models
