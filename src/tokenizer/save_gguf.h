// A vocabulary written as GGUF tokenizer.ggml.* keys, the way llama.cpp's converter
// writes a byte-level BPE tokenizer, so that load_gguf_vocab reads back the same ids.
#pragma once
#include <cstdint>

#include "tokenizer/vocab.h"

namespace fathom::gguf {
class Writer;
}

namespace fathom::tokenizer {

// n_vocab >= v.bytes.size(): the model's embedding rows; the ids past the tokenizer's
// (Qwen3 pads 151669 tokens to 151936 rows) become unused "[PADn]" tokens, as in llama.cpp.
void write_gguf_vocab(gguf::Writer& w, const Vocab& v, int64_t n_vocab);

}  // namespace fathom::tokenizer
