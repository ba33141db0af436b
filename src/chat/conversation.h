// A conversation as the chat formats see it: messages with roles, reasoning, tool calls
// and tool results, the function tools on offer, and the options a template reads.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::chat {

// Objects keep their keys in the order given: the templates print schemas and
// arguments in that order, so a sorted map would change the prompt.
using Json = nlohmann::ordered_json;

enum class Role { System, Developer, User, Assistant, Tool };

std::string_view role_name(Role r);      // "system", "developer", ...
Role parse_role(std::string_view name);  // throws Error on an unknown role

struct ToolCall {
  std::string id;    // the caller's id, echoed by the tool result; harmony has none
  std::string name;  // function name, without harmony's "functions." namespace
  Json arguments;    // an object as a rule; a string when the model wrote invalid JSON
};

struct Message {
  Role role = Role::User;
  std::string content;
  // Assistant only: the reasoning (harmony's analysis channel, Qwen3's <think>). Absent
  // and empty differ: a template may render an empty analysis message for the latter.
  std::optional<std::string> reasoning;
  std::vector<ToolCall> tool_calls;  // assistant only
  std::string tool_call_id;          // tool only: the call this result answers
  std::string name;                  // tool only: the function that produced it
};

// A function the model may call; parameters is a JSON schema (null when it takes none).
struct ToolDef {
  std::string name;
  std::string description;
  Json parameters;
};

enum class ReasoningEffort { Low, Medium, High };

std::string_view effort_name(ReasoningEffort e);      // "low", "medium", "high"
ReasoningEffort parse_effort(std::string_view name);  // throws Error

struct RenderOptions {
  bool add_generation_prompt = true;                           // end with the opening of the assistant's turn
  ReasoningEffort reasoning_effort = ReasoningEffort::Medium;  // harmony
  bool enable_thinking = true;                                 // ChatML (Qwen3)
  std::string knowledge_cutoff = "2024-06";                    // harmony
  std::string current_date;                                    // harmony, YYYY-MM-DD; empty: today (tests pin it)
};

struct Conversation {
  std::vector<Message> messages;
  std::vector<ToolDef> tools;
};

}  // namespace fathom::chat
