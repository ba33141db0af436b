// Renders a conversation as Qwen3's chat template does, including its rules for which
// reasoning survives (only that of assistant turns after the last real user query) and
// how tool results are folded into user turns.
#include "chat/chatml.h"
#include "chat/json_text.h"
#include "core/error.h"

namespace fathom::chat {

namespace {

std::string strip_newlines_left(const std::string& s) {
  const size_t b = s.find_first_not_of('\n');
  return b == std::string::npos ? "" : s.substr(b);
}

std::string strip_newlines_right(const std::string& s) {
  const size_t e = s.find_last_not_of('\n');
  return e == std::string::npos ? "" : s.substr(0, e + 1);
}

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string tools_system_prompt(const Conversation& c) {
  std::string s = "<|im_start|>system\n";
  if (c.messages[0].role == Role::System) s += c.messages[0].content + "\n\n";
  s += "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
       "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
  for (const ToolDef& t : c.tools) {
    Json function = {{"name", t.name}, {"description", t.description}};
    if (!t.parameters.is_null()) function["parameters"] = t.parameters;
    s += "\n" + to_json_text(Json{{"type", "function"}, {"function", function}});
  }
  s += "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
       "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
       "<args-json-object>}\n</tool_call><|im_end|>\n";
  return s;
}

// The last user message that is a real query, not tool output the caller wrapped in a user turn.
size_t last_query_index(const std::vector<Message>& msgs) {
  for (size_t i = msgs.size(); i-- > 0;) {
    const Message& m = msgs[i];
    if (m.role == Role::User &&
        !(starts_with(m.content, "<tool_response>") && ends_with(m.content, "</tool_response>"))) {
      return i;
    }
  }
  return msgs.size() - 1;
}

std::string assistant_turn(const Message& m, bool keep_reasoning, bool last) {
  std::string content = m.content;
  std::string reasoning;
  if (m.reasoning) {
    reasoning = *m.reasoning;
  } else if (const size_t close = content.find("</think>"); close != std::string::npos) {
    // Reasoning left inline in the content: split it out as the template does.
    std::string before = strip_newlines_right(content.substr(0, close));
    if (const size_t open = before.rfind("<think>"); open != std::string::npos) before = before.substr(open + 7);
    reasoning = strip_newlines_left(before);
    content = strip_newlines_left(content.substr(content.rfind("</think>") + 8));
  }
  std::string s = "<|im_start|>assistant\n";
  if (keep_reasoning && (last || !reasoning.empty())) {
    s += "<think>\n" + strip_newlines_right(strip_newlines_left(reasoning)) + "\n</think>\n\n" +
         strip_newlines_left(content);
  } else {
    s += content;
  }
  for (size_t j = 0; j < m.tool_calls.size(); ++j) {
    const ToolCall& call = m.tool_calls[j];
    if (j > 0 || !content.empty()) s += "\n";
    s += "<tool_call>\n{\"name\": \"" + call.name + "\", \"arguments\": " +
         (call.arguments.is_string() ? call.arguments.get<std::string>() : to_json_text(call.arguments)) +
         "}\n</tool_call>";
  }
  return s + "<|im_end|>\n";
}

}  // namespace

std::string render_chatml(const Conversation& c, const RenderOptions& o) {
  if (c.messages.empty()) throw Error("cannot render a conversation with no messages");
  const std::vector<Message>& msgs = c.messages;
  std::string s;
  if (!c.tools.empty()) {
    s = tools_system_prompt(c);
  } else if (msgs[0].role == Role::System) {
    s = "<|im_start|>system\n" + msgs[0].content + "<|im_end|>\n";
  }
  const size_t last_query = last_query_index(msgs);
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& m = msgs[i];
    const bool last = i + 1 == msgs.size();
    switch (m.role) {
      case Role::System:
        if (i == 0) break;  // already rendered above
        [[fallthrough]];
      case Role::User:
        s += "<|im_start|>" + std::string(role_name(m.role)) + "\n" + m.content + "<|im_end|>\n";
        break;
      case Role::Assistant:
        s += assistant_turn(m, i > last_query, last);
        break;
      case Role::Tool:
        // Consecutive tool results share one user turn.
        if (i == 0 || msgs[i - 1].role != Role::Tool) s += "<|im_start|>user";
        s += "\n<tool_response>\n" + m.content + "\n</tool_response>";
        if (last || msgs[i + 1].role != Role::Tool) s += "<|im_end|>\n";
        break;
      case Role::Developer:
        break;  // the template has no developer role and drops such messages
    }
  }
  if (o.add_generation_prompt) {
    s += "<|im_start|>assistant\n";
    // Thinking off: an empty reasoning block, so the model answers at once.
    if (!o.enable_thinking) s += "<think>\n\n</think>\n\n";
  }
  return s;
}

}  // namespace fathom::chat
