// Renders a conversation as gpt-oss's chat_template.jinja does. The template, not the
// harmony spec, is the reference: it is what inference servers feed the model, and it
// differs from the spec in places (tool calls as "commentary json", tool results
// JSON-quoted, every system or developer message after the first dropped).
#include <ctime>
#include <span>

#include "chat/harmony.h"
#include "chat/json_text.h"
#include "core/error.h"

namespace fathom::chat {

namespace {

// The template prints strftime_now("%Y-%m-%d"): the local date.
std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string system_message(const Conversation& c, const RenderOptions& o) {
  std::string s = "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n";
  s += "Knowledge cutoff: " + o.knowledge_cutoff + "\n";
  s += "Current date: " + (o.current_date.empty() ? today() : o.current_date) + "\n\n";
  s += "Reasoning: " + std::string(effort_name(o.reasoning_effort)) + "\n\n";
  s += "# Valid channels: analysis, commentary, final. Channel must be included for every message.";
  if (!c.tools.empty()) s += "\nCalls to these tools must go to the commentary channel: 'functions'.";
  return s + "<|end|>";
}

// The template refuses channel markup inside message text: the caller has mixed the
// model's raw output into a message instead of parsing it.
void check_no_channels(const std::string& text, const char* field) {
  if (text.find("<|channel|>analysis<|message|>") != std::string::npos ||
      text.find("<|channel|>final<|message|>") != std::string::npos) {
    throw Error(std::string("assistant message ") + field +
                " contains harmony channel markup: pass reasoning and answer text separately");
  }
}

std::string analysis(const std::string& text) {
  return "<|start|>assistant<|channel|>analysis<|message|>" + text + "<|end|>";
}

}  // namespace

std::string render_harmony(const Conversation& c, const RenderOptions& o) {
  if (c.messages.empty()) throw Error("cannot render a conversation with no messages");
  std::string s = system_message(c, o);

  // A leading system or developer message becomes the developer message's instructions.
  std::span<const Message> msgs(c.messages);
  std::string instructions;
  if (msgs[0].role == Role::System || msgs[0].role == Role::Developer) {
    instructions = msgs[0].content;
    msgs = msgs.subspan(1);
  }
  if (!instructions.empty() || !c.tools.empty()) {
    s += "<|start|>developer<|message|>";
    if (!instructions.empty()) s += "# Instructions\n\n" + instructions + "\n\n";
    if (!c.tools.empty()) s += "# Tools\n\n" + harmony_functions_namespace(c.tools);
    s += "<|end|>";
  }

  // Tool results name the function of the latest call (one call per message is assumed).
  std::optional<std::string> last_call;
  for (size_t i = 0; i < msgs.size(); ++i) {
    const Message& m = msgs[i];
    switch (m.role) {
      case Role::User:
        s += "<|start|>user<|message|>" + m.content + "<|end|>";
        break;
      case Role::Tool:
        if (!last_call) throw Error("a tool message must follow an assistant message with a tool call");
        s += "<|start|>functions." + *last_call + " to=assistant<|channel|>commentary<|message|>" +
             to_json_text(m.content) + "<|end|>";
        break;
      case Role::Assistant: {
        check_no_channels(m.content, "content");
        if (m.reasoning) check_no_channels(*m.reasoning, "reasoning");
        const std::string reasoning = m.reasoning.value_or("");
        if (!m.tool_calls.empty()) {
          // Reasoning that led to a call stays in the prompt until an answer follows it.
          bool answered = false;
          for (size_t j = i + 1; j < msgs.size(); ++j) {
            answered = answered || (msgs[j].role == Role::Assistant && msgs[j].tool_calls.empty());
          }
          if (!m.content.empty() && !reasoning.empty()) {
            throw Error("an assistant message with a tool call may carry content or reasoning, not both");
          }
          if (!answered && !m.content.empty()) s += analysis(m.content);
          if (!answered && !reasoning.empty()) s += analysis(reasoning);
          const ToolCall& call = m.tool_calls[0];
          s += "<|start|>assistant to=functions." + call.name + "<|channel|>commentary json<|message|>" +
               to_json_text(call.arguments) + "<|call|>";
          last_call = call.name;
        } else if (i + 1 == msgs.size() && !o.add_generation_prompt) {
          // A finished last turn (training form): its reasoning stays, and <|return|> ends it.
          if (m.reasoning) s += analysis(*m.reasoning);
          s += "<|start|>assistant<|channel|>final<|message|>" + m.content + "<|return|>";
        } else {
          // Earlier turns' reasoning is dropped.
          s += "<|start|>assistant<|channel|>final<|message|>" + m.content + "<|end|>";
          last_call.reset();
        }
        break;
      }
      case Role::System:
      case Role::Developer:
        break;  // only a leading one is rendered
    }
  }
  if (o.add_generation_prompt) s += "<|start|>assistant";
  return s;
}

}  // namespace fathom::chat
