// A test hook below the chat parser (`fathom serve --test-script FILE`): when the last
// user message contains a reply's `match`, the server forces the tokens of its `output`
// (special tokens included) instead of sampling, one every delay_ms. The model still
// runs each step, so batching, cancellation and timing behave as in real use; only the
// choice of token is scripted. Tests use it to drive reasoning channels, tool calls and
// hostile markup through the real streaming path, which a random tiny model never emits.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace fathom::server {

struct ScriptedReply {
  std::vector<int32_t> tokens;
  std::chrono::milliseconds delay{0};
};

class TestScript {
 public:
  // {"replies": [{"match": "...", "output": "...", "delay_ms": 20}, ...]}; the first match wins.
  static TestScript load(const std::string& path, const tokenizer::Tokenizer& tok);
  std::optional<ScriptedReply> find(const std::string& text) const;

 private:
  struct Entry {
    std::string match;
    ScriptedReply reply;
  };
  std::vector<Entry> entries_;
};

}  // namespace fathom::server
