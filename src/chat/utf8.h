// Streaming text must never split a UTF-8 character: a token may end in the middle of
// one (Russian letters are two bytes, and byte-level BPE cuts anywhere).
#pragma once
#include <string>
#include <string_view>

namespace fathom::chat {

// Passes a byte stream on in pieces that end on character boundaries. Invalid bytes
// become U+FFFD, so every piece is valid UTF-8 (JSON encoders and terminals need that).
class Utf8Holdback {
 public:
  // The bytes that complete whole characters; an unfinished character is held back.
  std::string push(std::string_view bytes);
  // Whatever is held back (an unfinished character, as U+FFFD); the holdback is empty after.
  std::string flush();

 private:
  std::string pending_;
};

// The text with every invalid or unfinished sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view bytes);

}  // namespace fathom::chat
