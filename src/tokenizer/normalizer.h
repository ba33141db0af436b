// Unicode normalization a tokenizer declares (Qwen's tokenizer.json: NFC), via ICU.
#pragma once
#include <string>
#include <string_view>

namespace fathom::tokenizer {

// NFC of valid UTF-8 text. Returns false, leaving `out` untouched, when the text is
// already NFC (the common case, checked without copying).
bool to_nfc(std::string_view text, std::string& out);

}  // namespace fathom::tokenizer
