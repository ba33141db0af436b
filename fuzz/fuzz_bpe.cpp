// The BPE encoder (pre-tokenizer regexes, NFC, merges, special tokens) on arbitrary
// bytes, invalid UTF-8 included, with a small byte-level vocabulary; decoding what it
// encoded must give back valid text.
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

#ifndef FUZZ_TOKENIZER_JSON
#error "FUZZ_TOKENIZER_JSON: the path of the seed tokenizer.json"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<fathom::tokenizer::Tokenizer> tok =
      fathom::tokenizer::Tokenizer::from_hf_json(FUZZ_TOKENIZER_JSON);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool special : {false, true}) {
    const auto ids = tok->encode(text, special);
    fathom::tokenizer::StreamDecoder dec(*tok);
    for (int32_t id : ids) (void)dec.push(id);
    (void)dec.flush();
  }
  return 0;
}
