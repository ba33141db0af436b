// The harmony parser on known gpt-oss output streams, whole and cut at every byte, and on
// malformed streams, whose text must all survive.
#include <gtest/gtest.h>

#include "chat/harmony.h"
#include "test_chat_stream.h"

namespace fathom::chat {
namespace {

using testing::feed;
using testing::feed_every_way;
using testing::Piece;
using testing::sp;
using testing::tx;

const testing::ParserFactory kHarmony = [] { return std::make_unique<HarmonyParser>(); };

TEST(HarmonyParse, ReasoningThenAnswer) {
  const auto o = feed_every_way(
      kHarmony, {sp("<|channel|>"), tx("analysis"), sp("<|message|>"), tx("User asks: \"What is 2 + 2?\""),
                 tx(" Simple."), sp("<|end|>"), sp("<|start|>"), tx("assistant"), sp("<|channel|>"), tx("final"),
                 sp("<|message|>"), tx("2 + 2 = 4."), sp("<|return|>")});
  EXPECT_EQ(o.message.reasoning, "User asks: \"What is 2 + 2?\" Simple.");
  EXPECT_EQ(o.message.content, "2 + 2 = 4.");
  EXPECT_TRUE(o.message.tool_calls.empty());
  EXPECT_EQ(o.ends, 1);
  EXPECT_EQ(o.order, (std::vector<Event::Type>{Event::Type::Reasoning, Event::Type::Content, Event::Type::End}));
}

TEST(HarmonyParse, RussianSplitInsideCharacters) {
  // "Привет, мир" and "Думаю" cut in the middle of two-byte letters, as byte-level BPE does.
  const std::string think = "Думаю о мире", answer = "Привет, мир!";
  const auto o = feed_every_way(
      kHarmony,
      {sp("<|channel|>"), tx("analysis"), sp("<|message|>"), tx(think.substr(0, 3)), tx(think.substr(3, 6)),
       tx(think.substr(9)), sp("<|end|>"), sp("<|start|>"), tx("assistant"), sp("<|channel|>"), tx("final"),
       sp("<|message|>"), tx(answer.substr(0, 1)), tx(answer.substr(1, 4)), tx(answer.substr(5)), sp("<|return|>")});
  EXPECT_EQ(o.message.reasoning, think);
  EXPECT_EQ(o.message.content, answer);
}

TEST(HarmonyParse, ToolCallAsTheSpecWritesIt) {
  const auto o = feed_every_way(
      kHarmony, {sp("<|channel|>"), tx("analysis"), sp("<|message|>"), tx("Need to use function get_weather."),
                 sp("<|end|>"), sp("<|start|>"), tx("assistant"), sp("<|channel|>"), tx("commentary"),
                 tx(" to=functions.get_weather"), tx(" "), sp("<|constrain|>"), tx("json"), sp("<|message|>"),
                 tx("{\"location\":"), tx("\"San Francisco\"}"), sp("<|call|>")});
  EXPECT_EQ(o.message.reasoning, "Need to use function get_weather.");
  EXPECT_EQ(o.message.content, "");
  ASSERT_EQ(o.message.tool_calls.size(), 1u);
  EXPECT_EQ(o.message.tool_calls[0].name, "get_weather");
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json({{"location", "San Francisco"}}));
  EXPECT_EQ(o.ends, 1);
}

TEST(HarmonyParse, ToolCallAsTheTemplateWritesIt) {
  // Recipient in the role part, content type as a word after the channel.
  const auto o = feed_every_way(kHarmony, {tx(" to=functions.get_location"), sp("<|channel|>"), tx("commentary json"),
                                           sp("<|message|>"), tx("{}"), sp("<|call|>")});
  ASSERT_EQ(o.message.tool_calls.size(), 1u);
  EXPECT_EQ(o.message.tool_calls[0].name, "get_location");
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json::object());
}

TEST(HarmonyParse, BuiltInToolKeepsItsNamespace) {
  const auto o = feed(kHarmony, {sp("<|channel|>"), tx("analysis to=browser.search"), sp("<|message|>"),
                                 tx("{\"query\": \"Москва\"}"), sp("<|call|>")});
  ASSERT_EQ(o.message.tool_calls.size(), 1u);
  EXPECT_EQ(o.message.tool_calls[0].name, "browser.search");
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json({{"query", "Москва"}}));
}

TEST(HarmonyParse, PreambleOnCommentaryIsContent) {
  const auto o = feed_every_way(
      kHarmony, {sp("<|channel|>"), tx("commentary"), sp("<|message|>"), tx("Plan: look it up."), sp("<|end|>"),
                 sp("<|start|>"), tx("assistant"), sp("<|channel|>"), tx("commentary to=functions.f"),
                 sp("<|constrain|>"), tx("json"), sp("<|message|>"), tx("{\"a\": 1}"), sp("<|call|>")});
  EXPECT_EQ(o.message.content, "Plan: look it up.");
  ASSERT_EQ(o.message.tool_calls.size(), 1u);
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json({{"a", 1}}));
}

TEST(HarmonyParse, InvalidArgumentsAreKeptAsText) {
  const auto o = feed(kHarmony, {sp("<|channel|>"), tx("commentary to=functions.f"), sp("<|message|>"),
                                 tx("{\"a\": oops"), sp("<|call|>")});
  ASSERT_EQ(o.message.tool_calls.size(), 1u);
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json("{\"a\": oops"));
}

TEST(HarmonyParse, UnterminatedChannelKeepsItsText) {
  const auto o = feed_every_way(kHarmony, {sp("<|channel|>"), tx("analysis"), sp("<|message|>"), tx("still thinking")});
  EXPECT_EQ(o.message.reasoning, "still thinking");
  EXPECT_EQ(o.ends, 1);  // finish() ends the turn
}

TEST(HarmonyParse, UnterminatedToolCallIsStillReported) {
  const auto o =
      feed(kHarmony, {sp("<|channel|>"), tx("commentary to=functions.f"), sp("<|message|>"), tx("{\"x\": 2}")});
  ASSERT_EQ(o.message.tool_calls.size(), 1u);
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json({{"x", 2}}));
}

TEST(HarmonyParse, UnknownChannelGoesToContent) {
  const auto o = feed_every_way(
      kHarmony, {sp("<|channel|>"), tx("weird"), sp("<|message|>"), tx("hello"), sp("<|end|>"), sp("<|start|>"),
                 tx("assistant"), sp("<|channel|>"), tx("final"), sp("<|message|>"), tx(" world"), sp("<|return|>")});
  EXPECT_EQ(o.message.content, "hello world");
  EXPECT_FALSE(o.message.reasoning);
}

TEST(HarmonyParse, UnknownRoleGoesToContent) {
  const auto o = feed_every_way(kHarmony, {sp("<|channel|>"), tx("final"), sp("<|message|>"), tx("A."), sp("<|end|>"),
                                           sp("<|start|>"), tx("user"), sp("<|message|>"), tx("B?"), sp("<|end|>")});
  EXPECT_EQ(o.message.content, "A.B?");
}

TEST(HarmonyParse, MissingMessageMarkerKeepsTheHeaderText) {
  const auto o = feed_every_way(kHarmony, {sp("<|channel|>"), tx("final Hello"), tx(" world"), sp("<|end|>")});
  EXPECT_EQ(o.message.content, "<|channel|>final Hello world");
}

TEST(HarmonyParse, TextWithoutAnyHeaderIsContent) {
  const auto o = feed_every_way(kHarmony, {tx("Just "), tx("text, no channel.")});
  EXPECT_EQ(o.message.content, "Just text, no channel.");
}

TEST(HarmonyParse, RunawayHeaderBecomesContentAndStreams) {
  const std::string long_text(300, 'x');
  auto parser = std::make_unique<HarmonyParser>();
  std::vector<Event> events;
  parser->push(long_text, false, events);
  ASSERT_FALSE(events.empty()) << "a header past the limit must not be held back";
  EXPECT_EQ(events[0].type, Event::Type::Content);
  parser->push("y", false, events);
  parser->finish(events);
  Message m;
  for (const Event& e : events) append_event(m, e);
  EXPECT_EQ(m.content, long_text + "y");
}

TEST(HarmonyParse, ChannelWithoutEndStartsANewMessage) {
  const auto o =
      feed_every_way(kHarmony, {sp("<|channel|>"), tx("analysis"), sp("<|message|>"), tx("think"), sp("<|channel|>"),
                                tx("final"), sp("<|message|>"), tx("answer"), sp("<|return|>")});
  EXPECT_EQ(o.message.reasoning, "think");
  EXPECT_EQ(o.message.content, "answer");
}

TEST(HarmonyParse, TextAfterTheEndIsKept) {
  const auto o = feed_every_way(kHarmony, {sp("<|channel|>"), tx("final"), sp("<|message|>"), tx("Done."),
                                           sp("<|return|>"), tx(" trailing"), sp("<|end|>"), tx(" more")});
  EXPECT_EQ(o.message.content, "Done. trailing more");
  EXPECT_EQ(o.ends, 1);
}

TEST(HarmonyParse, StrayMarkersInABodyAreText) {
  const auto o =
      feed_every_way(kHarmony, {sp("<|channel|>"), tx("final"), sp("<|message|>"), tx("a"), sp("<|message|>"), tx("b"),
                                sp("<|constrain|>"), sp("<|reserved_1|>"), sp("<|return|>")});
  EXPECT_EQ(o.message.content, "a<|message|>b<|constrain|><|reserved_1|>");
}

TEST(HarmonyParse, InvalidBytesBecomeReplacementCharacters) {
  const auto o =
      feed(kHarmony, {sp("<|channel|>"), tx("final"), sp("<|message|>"), tx("a\xFF"), tx("b\xD0"), sp("<|end|>")});
  EXPECT_EQ(o.message.content,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

}  // namespace
}  // namespace fathom::chat
