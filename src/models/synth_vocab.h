// A small but valid byte-level BPE vocabulary for synthetic models: the 256 byte
// tokens in GPT-2's byte-to-unicode spelling, merges learned from a built-in
// English/Russian sample, the architecture's special tokens, then reserved fillers
// up to the requested size.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/config.h"

namespace fathom::models {

struct SynthVocab {
  std::string pre;  // tokenizer.ggml.pre: "gpt-4o" (gpt-oss) or "qwen2" (Qwen3)
  std::vector<std::string> tokens;
  std::vector<int32_t> types;  // 1 normal, 3 control, as llama.cpp's token types
  std::vector<std::string> merges;
  int32_t bos = 0, eos = 0;
};

SynthVocab make_synth_vocab(Arch arch, int64_t n_vocab);

}  // namespace fathom::models
