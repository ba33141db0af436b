// Request parsing: OpenAI's fields with their types and ranges, fathom's extensions,
// and 400s that name the field, what was expected and what was found.
#include <gtest/gtest.h>

#include <string>

#include "server/api_error.h"
#include "server/requests.h"

using namespace fathom;
using server::Json;

namespace {

server::ModelTraits gpt_oss() {
  server::ModelTraits m;
  m.id = "gpt-oss-20b";
  m.effort = true;
  m.n_ctx = 4096;
  return m;
}

server::ModelTraits qwen3() {
  server::ModelTraits m = gpt_oss();
  m.id = "qwen3";
  m.effort = false;
  m.thinking = true;
  return m;
}

Json chat_body(Json extra = Json::object()) {
  Json b = {{"messages", Json::array({{{"role", "user"}, {"content", "Привет"}}})}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

// The ApiError a body raises, or status 0.
server::ApiError chat_error(const Json& body, const server::ModelTraits& m = gpt_oss()) {
  try {
    server::parse_chat_request(body, m);
  } catch (const server::ApiError& e) {
    return e;
  }
  return server::ApiError(0, "", "");
}

}  // namespace

TEST(ServerRequests, ChatDefaultsFollowOpenAI) {
  const server::ChatRequest r = server::parse_chat_request(chat_body(), gpt_oss());
  EXPECT_EQ(r.gen.sampling.temperature, 1.0f);
  EXPECT_EQ(r.gen.sampling.top_p, 1.0f);
  EXPECT_EQ(r.gen.sampling.top_k, 0);
  EXPECT_EQ(r.gen.max_tokens, -1);
  EXPECT_FALSE(r.gen.stream);
  EXPECT_EQ(r.gen.top_logprobs, -1);
  ASSERT_EQ(r.conv.messages.size(), 1u);
  EXPECT_EQ(r.conv.messages[0].content, "Привет");
}

TEST(ServerRequests, ChatReadsEveryField) {
  const Json extra = {{"model", "gpt-oss-20b"},
                      {"temperature", 0.5},
                      {"top_p", 0.9},
                      {"seed", 42},
                      {"max_completion_tokens", 100},
                      {"stop", "END"},
                      {"stream", true},
                      {"stream_options", {{"include_usage", true}}},
                      {"logprobs", true},
                      {"top_logprobs", 3},
                      {"reasoning_effort", "high"},
                      {"response_format", {{"type", "json_object"}}},
                      {"some_future_field", {1, 2, 3}}};
  const server::ChatRequest r = server::parse_chat_request(chat_body(extra), gpt_oss());
  EXPECT_FLOAT_EQ(r.gen.sampling.temperature, 0.5f);
  EXPECT_FLOAT_EQ(r.gen.sampling.top_p, 0.9f);
  EXPECT_EQ(r.gen.sampling.seed, 42u);
  EXPECT_EQ(r.gen.max_tokens, 100);
  EXPECT_EQ(r.gen.stop, std::vector<std::string>{"END"});
  EXPECT_TRUE(r.gen.stream);
  EXPECT_TRUE(r.gen.include_usage);
  EXPECT_EQ(r.gen.top_logprobs, 3);
  EXPECT_EQ(r.render.reasoning_effort, chat::ReasoningEffort::High);
  EXPECT_TRUE(r.json_object);
}

TEST(ServerRequests, MessagesWithPartsToolCallsAndReasoning) {
  const Json body = {
      {"messages",
       Json::array({{{"role", "system"}, {"content", Json::array({{{"type", "text"}, {"text", "Be brief."}}})}},
                    {{"role", "user"}, {"content", "Weather?"}},
                    {{"role", "assistant"},
                     {"content", nullptr},
                     {"reasoning", "Call the tool."},
                     {"tool_calls",
                      Json::array({{{"id", "call_1"},
                                    {"type", "function"},
                                    {"function", {{"name", "get_weather"}, {"arguments", "{\"city\":\"Москва\"}"}}}}})}},
                    {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "-5 C"}}})},
      {"tools", Json::array({{{"type", "function"},
                              {"function", {{"name", "get_weather"}, {"parameters", {{"type", "object"}}}}}}})}};
  const server::ChatRequest r = server::parse_chat_request(body, gpt_oss());
  ASSERT_EQ(r.conv.messages.size(), 4u);
  EXPECT_EQ(r.conv.messages[0].content, "Be brief.");
  EXPECT_EQ(r.conv.messages[2].reasoning.value_or(""), "Call the tool.");
  ASSERT_EQ(r.conv.messages[2].tool_calls.size(), 1u);
  EXPECT_EQ(r.conv.messages[2].tool_calls[0].arguments["city"], "Москва");
  EXPECT_EQ(r.conv.messages[3].tool_call_id, "call_1");
  ASSERT_EQ(r.conv.tools.size(), 1u);
  EXPECT_EQ(r.conv.tools[0].name, "get_weather");

  Json none = body;
  none["tool_choice"] = "none";
  EXPECT_TRUE(server::parse_chat_request(none, gpt_oss()).conv.tools.empty());
}

TEST(ServerRequests, ThinkingSwitchForQwen3) {
  Json b = chat_body({{"chat_template_kwargs", {{"enable_thinking", false}}}});
  EXPECT_FALSE(server::parse_chat_request(b, qwen3()).render.enable_thinking);
  EXPECT_FALSE(server::parse_chat_request(chat_body({{"reasoning_effort", "none"}}), qwen3()).render.enable_thinking);
  EXPECT_TRUE(server::parse_chat_request(chat_body(), qwen3()).render.enable_thinking);
  // gpt-oss cannot stop reasoning: "none" is its lowest effort.
  EXPECT_EQ(server::parse_chat_request(chat_body({{"reasoning_effort", "none"}}), gpt_oss()).render.reasoning_effort,
            chat::ReasoningEffort::Low);
  EXPECT_EQ(server::parse_chat_request(chat_body({{"reasoning", {{"effort", "low"}}}}), gpt_oss()).render.reasoning_effort,
            chat::ReasoningEffort::Low);
}

TEST(ServerRequests, WrongTypesNameTheField) {
  server::ApiError e = chat_error(chat_body({{"temperature", "hot"}}));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.param, "temperature");
  EXPECT_NE(std::string(e.what()).find("must be a number, found string"), std::string::npos) << e.what();

  e = chat_error(chat_body({{"temperature", 3.0}}));
  EXPECT_NE(std::string(e.what()).find("between 0 and 2, found 3"), std::string::npos) << e.what();

  e = chat_error(Json{{"messages", "hi"}});
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.param, "messages");

  e = chat_error(Json{{"messages", Json::array({{{"role", "robot"}, {"content", "x"}}})}});
  EXPECT_NE(std::string(e.what()).find("'robot'"), std::string::npos) << e.what();

  EXPECT_EQ(chat_error(chat_body({{"max_tokens", 1.5}})).param, "max_tokens");
  EXPECT_EQ(chat_error(chat_body({{"n", 2}})).param, "n");
  EXPECT_EQ(chat_error(chat_body({{"stop", Json::array({1})}})).param, "stop");
  EXPECT_EQ(chat_error(chat_body({{"top_logprobs", 2}})).param, "top_logprobs");  // without logprobs
  EXPECT_EQ(chat_error(chat_body({{"reasoning_effort", "extreme"}})).param, "reasoning_effort");
  EXPECT_EQ(chat_error(chat_body({{"response_format", {{"type", "yaml"}}}})).param, "response_format");
}

TEST(ServerRequests, UnknownModelIs404) {
  const server::ApiError e = chat_error(chat_body({{"model", "gpt-5"}}));
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code, "model_not_found");
}

TEST(ServerRequests, ServerCapOnMaxTokens) {
  server::ModelTraits m = gpt_oss();
  m.max_tokens = 100;
  EXPECT_EQ(server::parse_chat_request(chat_body(), m).gen.max_tokens, 100);
  EXPECT_EQ(chat_error(chat_body({{"max_tokens", 200}}), m).status, 400);
}

TEST(ServerRequests, CompletionPrompts) {
  const server::ModelTraits m = gpt_oss();
  server::CompletionRequest r = server::parse_completion_request(Json{{"prompt", "Hello"}}, m);
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].text, "Hello");
  EXPECT_EQ(r.gen.max_tokens, 16);  // OpenAI's default for completions

  r = server::parse_completion_request(Json{{"prompt", {1, 2, 3}}, {"echo", true}, {"logprobs", 1}}, m);
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].tokens, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_TRUE(r.echo);
  EXPECT_EQ(r.gen.top_logprobs, 1);

  r = server::parse_completion_request(Json{{"prompt", Json::array({"a", Json::array({4, 5})})}}, m);
  ASSERT_EQ(r.prompts.size(), 2u);
  EXPECT_TRUE(r.prompts[1].is_tokens);

  for (const Json& bad : {Json{{"prompt", 5}}, Json{{"prompt", Json::array()}}, Json{{"prompt", {1, -2}}},
                          Json{{"prompt", Json::array({"a", 3})}}, Json::object()}) {
    try {
      server::parse_completion_request(bad, m);
      ADD_FAILURE() << "accepted " << bad.dump();
    } catch (const server::ApiError& e) {
      EXPECT_EQ(e.status, 400) << bad.dump();
      EXPECT_EQ(e.param, "prompt") << bad.dump();
    }
  }
}

TEST(ServerRequests, BodyMustBeAnObjectOfBoundedDepth) {
  EXPECT_THROW(server::parse_body("{\"a\": "), server::ApiError);
  EXPECT_THROW(server::parse_body("[1, 2]"), server::ApiError);
  EXPECT_THROW(server::parse_body("{\"a\": \"\xff\"}"), server::ApiError);  // invalid UTF-8
  EXPECT_THROW(server::parse_body(std::string(100000, '[')), server::ApiError);
  EXPECT_THROW(server::parse_body("{\"x\": 49999999E9999}"), server::ApiError);  // found by fuzz_chat_request
  EXPECT_NO_THROW(server::parse_body("{\"s\": \"[[[[[[\\\"\"}"));  // brackets inside strings do not count
  EXPECT_EQ(server::parse_body("{\"x\": 1}")["x"], 1);
}
