// Turning a model's generated tokens back into a message, as they stream: reasoning and
// answer text as deltas, tool calls once complete, and the end of the turn.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "chat/conversation.h"

namespace fathom::chat {

struct Event {
  enum class Type { Reasoning, Content, ToolCall, End };
  Type type = Type::Content;
  std::string text;  // Reasoning and Content: a delta of whole UTF-8 characters
  ToolCall call;     // ToolCall
};

// Fed one generated token at a time. Text the parser cannot place (an unknown channel,
// a malformed header, text after the end) goes to Content: nothing the model wrote is
// dropped. Special tokens are recognised by their text, so the parsers need no ids.
class OutputParser {
 public:
  virtual ~OutputParser() = default;
  // A token's bytes (possibly part of a UTF-8 character) and whether the vocabulary
  // marks it as a control token. Appends the events it completes to `out`.
  virtual void push(std::string_view text, bool special, std::vector<Event>& out) = 0;
  // The stream is over: what was held back, an unfinished tool call, and End if the
  // model never said it.
  virtual void finish(std::vector<Event>& out) = 0;
};

// Adds an event to the assistant message being assembled from the stream.
void append_event(Message& m, const Event& e);

}  // namespace fathom::chat
