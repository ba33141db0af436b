// OpenAI's harmony format (gpt-oss): rendering a conversation exactly as the model's
// chat template does, and parsing the model's output channels as they stream.
#pragma once
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "chat/parser.h"
#include "chat/utf8.h"

namespace fathom::chat {

// The prompt text (special tokens as their text), byte-identical to gpt-oss's
// chat_template.jinja. Throws Error where the template raises.
std::string render_harmony(const Conversation& c, const RenderOptions& o);

// The developer message's "## functions" section: each tool as a TypeScript-like type,
// its JSON schema converted the way the template's render_typescript_type macro does.
std::string harmony_functions_namespace(const std::vector<ToolDef>& tools);

// Parses what the model writes after "<|start|>assistant": messages of the form
// [<|start|>assistant]<|channel|>CHANNEL[ to=RECIPIENT][ <|constrain|>TYPE]<|message|>TEXT<|end|>,
// the last one ended by <|return|> (an answer) or <|call|> (a tool call). analysis is
// reasoning; final and commentary without a recipient are content; a message with a
// recipient is a tool call.
class HarmonyParser final : public OutputParser {
 public:
  void push(std::string_view text, bool special, std::vector<Event>& out) override;
  void finish(std::vector<Event>& out) override;

 private:
  enum class State { Header, Body, Between };
  enum class Dest { Reasoning, Content, Call };

  void open_message(std::vector<Event>& out);
  void close_message(std::vector<Event>& out);
  void header_as_content(std::vector<Event>& out);
  void text(std::string_view bytes, Dest dest, std::vector<Event>& out);
  void flush_held(std::vector<Event>& out);
  void end(std::vector<Event>& out);

  State state_ = State::Header;  // the prompt ends with "<|start|>assistant"
  std::string header_;           // raw header, markers included, until <|message|>
  Dest dest_ = Dest::Content;
  std::string recipient_;  // of a tool call
  std::string arguments_;  // a tool call's body, parsed when it closes
  Utf8Holdback utf8_;      // text of held_dest_ waiting for the rest of a character
  Dest held_dest_ = Dest::Content;
  bool ended_ = false;
};

}  // namespace fathom::chat
