// GPT-2's reversible byte <-> printable character mapping, in which byte-level BPE
// vocabularies (GGUF tokenizer.ggml.tokens, HF tokenizer.json) spell their tokens.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace fathom::tokenizer {

// The UTF-8 spelling of one byte ("Ġ" for the space byte).
std::string byte_to_unicode(unsigned char b);
// The raw bytes a token spelled that way stands for; nullopt when some character of
// the spelling is not one of the 256 byte characters.
std::optional<std::string> unicode_to_bytes(std::string_view spelled);

}  // namespace fathom::tokenizer
