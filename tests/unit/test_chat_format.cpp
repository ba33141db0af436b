// The format factory and the renderers' refusals (where the templates raise).
#include <gtest/gtest.h>

#include "chat/format.h"
#include "core/error.h"

namespace fathom::chat {
namespace {

TEST(ChatFormat, ChosenFromTheArchitecture) {
  EXPECT_EQ(chat_format_for("gpt-oss")->name(), "harmony");
  EXPECT_EQ(chat_format_for("qwen3")->name(), "chatml");
  EXPECT_EQ(chat_format_for("qwen3moe")->name(), "chatml");
  EXPECT_THROW(chat_format_for("llama"), Error);
}

TEST(ChatFormat, RefusesWhatTheTemplatesRefuse) {
  const auto harmony = chat_format_for("gpt-oss");
  const auto chatml = chat_format_for("qwen3");
  const RenderOptions o;
  EXPECT_THROW(harmony->render({}, o), Error);
  EXPECT_THROW(chatml->render({}, o), Error);

  Conversation orphan_result;
  orphan_result.messages = {{Role::User, "q"}, {Role::Tool, "result"}};
  EXPECT_THROW(harmony->render(orphan_result, o), Error);

  Conversation raw_output;
  raw_output.messages = {{Role::User, "q"}, {Role::Assistant, "<|channel|>final<|message|>hi"}};
  EXPECT_THROW(harmony->render(raw_output, o), Error);
}

TEST(ChatFormat, RoleAndEffortNames) {
  EXPECT_EQ(parse_role("developer"), Role::Developer);
  EXPECT_EQ(role_name(Role::Tool), "tool");
  EXPECT_THROW(parse_role("bot"), Error);
  EXPECT_EQ(parse_effort("high"), ReasoningEffort::High);
  EXPECT_EQ(effort_name(ReasoningEffort::Low), "low");
  EXPECT_THROW(parse_effort("max"), Error);
}

TEST(ChatFormat, HarmonyDateDefaultsToToday) {
  Conversation c;
  c.messages = {{Role::User, "hi"}};
  const std::string s = chat_format_for("gpt-oss")->render(c, RenderOptions{});
  const size_t at = s.find("Current date: ");
  ASSERT_NE(at, std::string::npos);
  const std::string date = s.substr(at + 14, 10);
  EXPECT_EQ(date.size(), 10u);
  EXPECT_EQ(date[4], '-');
  EXPECT_EQ(date[7], '-');
}

}  // namespace
}  // namespace fathom::chat
