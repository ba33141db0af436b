// fathom's renderers against the models' own chat templates: every conversation that
// render_expected.mjs rendered with Jinja must come out of fathom byte for byte.
// Usage: fathom_chat_template_tests EXPECTED.json [gtest flags]
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "chat/chatml.h"
#include "chat/conversation.h"
#include "chat/harmony.h"

namespace {

using fathom::chat::Json;
namespace chat = fathom::chat;

chat::Conversation conversation_from(const Json& c) {
  chat::Conversation conv;
  for (const Json& m : c.at("messages")) {
    chat::Message msg;
    msg.role = chat::parse_role(m.at("role").get<std::string>());
    msg.content = m.at("content").get<std::string>();
    if (m.contains("reasoning")) msg.reasoning = m["reasoning"].get<std::string>();
    if (m.contains("tool_calls")) {
      for (const Json& tc : m["tool_calls"]) {
        msg.tool_calls.push_back(
            {tc.at("id").get<std::string>(), tc.at("name").get<std::string>(), tc.at("arguments")});
      }
    }
    msg.name = m.value("name", "");
    msg.tool_call_id = m.value("tool_call_id", "");
    conv.messages.push_back(std::move(msg));
  }
  for (const Json& t : c.value("tools", Json::array())) {
    conv.tools.push_back({t.at("name").get<std::string>(), t.at("description").get<std::string>(), t.at("parameters")});
  }
  return conv;
}

chat::RenderOptions options_from(const Json& o) {
  chat::RenderOptions r;
  r.add_generation_prompt = o.at("add_generation_prompt").get<bool>();
  if (o.contains("reasoning_effort")) r.reasoning_effort = chat::parse_effort(o["reasoning_effort"].get<std::string>());
  if (o.contains("enable_thinking")) r.enable_thinking = o["enable_thinking"].get<bool>();
  if (o.contains("current_date")) r.current_date = o["current_date"].get<std::string>();
  return r;
}

class TemplateCase : public testing::Test {
 public:
  explicit TemplateCase(Json c) : c_(std::move(c)) {}
  void TestBody() override {
    const chat::Conversation conv = conversation_from(c_);
    const chat::RenderOptions opts = options_from(c_.at("options"));
    const std::string format = c_.at("format").get<std::string>();
    const std::string got = format == "harmony" ? chat::render_harmony(conv, opts) : chat::render_chatml(conv, opts);
    const std::string want = c_.at("expected").get<std::string>();
    EXPECT_EQ(got, want) << "source: " << c_.at("source").get<std::string>();
  }

 private:
  Json c_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s EXPECTED.json (written by tests/chat/render_expected.mjs)\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open\n", argv[1]);
    return 2;
  }
  const Json doc = Json::parse(in);
  for (const Json& c : doc.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    testing::RegisterTest("ChatTemplate", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [c]() -> testing::Test* { return new TemplateCase(c); });
  }
  return RUN_ALL_TESTS();
}
