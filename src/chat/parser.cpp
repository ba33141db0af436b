#include "chat/parser.h"

namespace fathom::chat {

void append_event(Message& m, const Event& e) {
  switch (e.type) {
    case Event::Type::Reasoning:
      if (!m.reasoning) m.reasoning.emplace();
      *m.reasoning += e.text;
      break;
    case Event::Type::Content:
      m.content += e.text;
      break;
    case Event::Type::ToolCall:
      m.tool_calls.push_back(e.call);
      break;
    case Event::Type::End:
      break;
  }
}

}  // namespace fathom::chat
