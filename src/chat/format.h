// The chat format of a model family, chosen from its general.architecture: how to
// render a conversation into a prompt and how to parse the reply.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "chat/conversation.h"
#include "chat/parser.h"

namespace fathom::chat {

class ChatFormat {
 public:
  virtual ~ChatFormat() = default;
  virtual std::string_view name() const = 0;  // "harmony", "chatml"
  virtual std::string render(const Conversation& c, const RenderOptions& o) const = 0;
  virtual std::unique_ptr<OutputParser> make_parser() const = 0;
};

// gpt-oss -> harmony; qwen3, qwen3moe -> ChatML. Other architectures -> Error.
std::unique_ptr<ChatFormat> chat_format_for(std::string_view architecture);

}  // namespace fathom::chat
