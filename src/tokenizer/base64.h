// Base64 (RFC 4648, standard alphabet), as tiktoken ranks files spell their tokens.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace fathom::tokenizer {

// nullopt when `s` holds a character outside the alphabet (padding '=' allowed at the end).
std::optional<std::string> base64_decode(std::string_view s);

}  // namespace fathom::tokenizer
