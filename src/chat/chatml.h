// ChatML with Qwen3's reasoning and tool conventions: rendering a conversation exactly
// as Qwen3's chat template does, and parsing <think> and <tool_call> out of the stream.
#pragma once
#include <string>

#include "chat/conversation.h"
#include "chat/parser.h"
#include "chat/utf8.h"

namespace fathom::chat {

// The prompt text, byte-identical to Qwen3's chat template (tokenizer_config.json).
std::string render_chatml(const Conversation& c, const RenderOptions& o);

// Parses Qwen3's reply: "<think>\nREASONING\n</think>\n\nANSWER", with tool calls as
// <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>. The tags are matched in
// the text (Qwen3's vocabulary does not mark <think> or <tool_call> as control tokens,
// and a model may spell them in pieces), so a possible tag start is held back until it
// is decided. <|im_end|> and <|endoftext|> end the turn. Like the template when it
// re-renders a reply, newlines right inside <think> and before the answer are trimmed.
class ChatmlParser final : public OutputParser {
 public:
  void push(std::string_view text, bool special, std::vector<Event>& out) override;
  void finish(std::vector<Event>& out) override;

 private:
  enum class State { Content, Think, Call };

  void scan(std::vector<Event>& out, bool final);
  void emit(std::string_view bytes, std::vector<Event>& out);
  void flush_text(std::vector<Event>& out);
  void close_call(bool terminated, std::vector<Event>& out);
  void end(std::vector<Event>& out);

  State state_ = State::Content;
  std::string pending_;        // bytes not yet routed: they may start a tag
  std::string call_;           // body of the open <tool_call>
  bool trim_leading_ = true;   // at the start of the answer or of the reasoning
  std::string held_newlines_;  // reasoning newlines that may turn out to precede </think>
  Utf8Holdback utf8_;
  bool ended_ = false;
};

}  // namespace fathom::chat
