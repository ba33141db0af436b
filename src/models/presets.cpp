#include "models/presets.h"

namespace fathom::models {

namespace {

ModelConfig gpt_oss(const char* name, int64_t n_layer, int64_t n_expert) {
  ModelConfig c;
  c.arch = Arch::GptOss;
  c.name = name;
  c.n_vocab = 201088;
  c.n_ctx_train = 131072;
  c.n_embd = 2880;
  c.n_layer = n_layer;
  c.n_head = 64;
  c.n_head_kv = 8;
  c.head_dim = 64;
  c.n_expert = n_expert;
  c.n_expert_used = 4;
  c.n_ff_expert = 2880;
  c.expert_weights_norm = false;
  c.rms_eps = 1e-5f;
  c.rope_base = 150000.0f;
  c.rope_scaling_factor = 32.0f;
  c.rope_original_ctx = 4096;
  c.sliding_window = 128;
  return c;
}

ModelConfig qwen3(const char* name, int64_t n_embd, int64_t n_layer, int64_t n_head, int64_t n_head_kv,
                  int64_t n_ff) {
  ModelConfig c;
  c.arch = Arch::Qwen3;
  c.name = name;
  c.n_vocab = 151936;
  c.n_ctx_train = 40960;
  c.n_embd = n_embd;
  c.n_layer = n_layer;
  c.n_head = n_head;
  c.n_head_kv = n_head_kv;
  c.head_dim = 128;
  c.n_ff = n_ff;
  c.rms_eps = 1e-6f;
  c.rope_base = 1000000.0f;
  return c;
}

ModelConfig qwen3moe(const char* name, int64_t n_embd, int64_t n_layer, int64_t n_head, int64_t n_ff_expert) {
  ModelConfig c = qwen3(name, n_embd, n_layer, n_head, 4, 0);
  c.arch = Arch::Qwen3Moe;
  c.n_expert = 128;
  c.n_expert_used = 8;
  c.n_ff_expert = n_ff_expert;
  return c;
}

// Tiny shapes for tests: every row length a multiple of 256 so all K-quants apply,
// and a sliding window (8) shorter than the test sequences.
ModelConfig tiny(Arch arch) {
  ModelConfig c;
  switch (arch) {
    case Arch::GptOss:
      c = gpt_oss("tiny gpt-oss", 2, 8);
      c.n_embd = 256;
      c.n_ff_expert = 256;
      c.sliding_window = 8;
      break;
    case Arch::Qwen3:
      c = qwen3("tiny qwen3", 256, 3, 4, 2, 512);
      break;
    case Arch::Qwen3Moe:
      c = qwen3moe("tiny qwen3moe", 256, 3, 4, 256);
      c.n_head_kv = 2;
      c.n_expert = 8;
      c.n_expert_used = 3;
      break;
  }
  c.n_vocab = 512;
  c.n_head = 4;
  c.n_head_kv = 2;
  c.head_dim = 64;
  return c;
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = {
      {"tiny", tiny(Arch::GptOss)},
      {"tiny", tiny(Arch::Qwen3)},
      {"tiny", tiny(Arch::Qwen3Moe)},
      {"gpt-oss-20b", gpt_oss("gpt-oss-20b", 24, 32)},
      {"gpt-oss-120b", gpt_oss("gpt-oss-120b", 36, 128)},
      {"qwen3-8b", qwen3("Qwen3-8B", 4096, 36, 32, 8, 12288)},
      {"qwen3-32b", qwen3("Qwen3-32B", 5120, 64, 64, 8, 25600)},
      {"qwen3-30b-a3b", qwen3moe("Qwen3-30B-A3B", 2048, 48, 32, 768)},
      {"qwen3-235b-a22b", qwen3moe("Qwen3-235B-A22B", 4096, 94, 64, 1536)},
  };
  return all;
}

const Preset* find_preset(const std::string& name, Arch arch) {
  for (const Preset& p : presets()) {
    if (p.name == name && (name != "tiny" || p.config.arch == arch)) return &p;
  }
  return nullptr;
}

}  // namespace fathom::models
