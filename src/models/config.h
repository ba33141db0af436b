// Hyper-parameters of a model, read from (and written to) GGUF metadata with
// llama.cpp's key names, so files move between fathom and llama.cpp unchanged.
#pragma once
#include <cstdint>
#include <string>

namespace fathom::gguf {
class File;
class Writer;
}  // namespace fathom::gguf

namespace fathom::models {

enum class Arch { GptOss, Qwen3, Qwen3Moe };

const char* arch_name(Arch a);  // the general.architecture string: "gpt-oss", "qwen3", "qwen3moe"
bool parse_arch(const std::string& name, Arch* out);

struct ModelConfig {
  Arch arch = Arch::Qwen3;
  std::string name;          // general.name
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;   // context_length
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;      // attention.key_length (== value_length)
  int64_t n_ff = 0;          // dense FFN width (qwen3)
  int64_t n_expert = 0;      // 0 for dense models
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  bool expert_weights_norm = true;  // qwen3moe: renormalise the top-k weights
  float rms_eps = 1e-6f;
  float rope_base = 10000.0f;
  float rope_scaling_factor = 1.0f;  // YaRN factor (gpt-oss: 32)
  int64_t rope_original_ctx = 0;     // YaRN original context (gpt-oss: 4096)
  float yarn_beta_fast = 32.0f;
  float yarn_beta_slow = 1.0f;
  int64_t sliding_window = 0;        // gpt-oss: window of the even layers
  bool tied_embeddings = false;      // no output.weight: reuse token_embd

  bool is_moe() const { return n_expert > 0; }
  // gpt-oss alternates: even layers use the sliding window, odd layers see everything.
  bool layer_is_sliding(int64_t layer) const { return sliding_window > 0 && layer % 2 == 0; }
  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

// Reads and checks the config; errors name the file and key.
ModelConfig read_config(const gguf::File& f);
void write_config(gguf::Writer& w, const ModelConfig& c);

}  // namespace fathom::models
