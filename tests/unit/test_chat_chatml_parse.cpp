// The Qwen3 (ChatML) parser on known output streams, whole and cut at every byte (tags
// and Russian letters split across tokens), and on malformed streams.
#include <gtest/gtest.h>

#include "chat/chatml.h"
#include "test_chat_stream.h"

namespace fathom::chat {
namespace {

using testing::feed;
using testing::feed_every_way;
using testing::sp;
using testing::tx;

const testing::ParserFactory kChatml = [] { return std::make_unique<ChatmlParser>(); };

TEST(ChatmlParse, ThinkingThenAnswer) {
  const auto o = feed_every_way(kChatml, {tx("<think>"), tx("\nLet me think"), tx(".\n\nStill.\n"), tx("</think>"),
                                          tx("\n\n"), tx("The answer is 4."), sp("<|im_end|>")});
  EXPECT_EQ(o.message.reasoning, "Let me think.\n\nStill.");
  EXPECT_EQ(o.message.content, "The answer is 4.");
  EXPECT_EQ(o.ends, 1);
  EXPECT_EQ(o.order, (std::vector<Event::Type>{Event::Type::Reasoning, Event::Type::Content, Event::Type::End}));
}

TEST(ChatmlParse, ThinkTagsAsControlTokens) {
  // fathom's synthetic vocabularies mark <think> and </think> as control tokens.
  const auto o = feed_every_way(kChatml, {sp("<think>"), tx("\nr\n"), sp("</think>"), tx("\n\nc"), sp("<|im_end|>")});
  EXPECT_EQ(o.message.reasoning, "r");
  EXPECT_EQ(o.message.content, "c");
}

TEST(ChatmlParse, ThinkingOffAnswersDirectly) {
  const auto o = feed_every_way(kChatml, {tx("Hello"), tx("!"), sp("<|im_end|>")});
  EXPECT_FALSE(o.message.reasoning);
  EXPECT_EQ(o.message.content, "Hello!");
}

TEST(ChatmlParse, EmptyThinkBlockFromNoThink) {
  const auto o = feed_every_way(kChatml, {tx("<think>\n\n</think>\n\n"), tx("Коротко."), sp("<|im_end|>")});
  EXPECT_FALSE(o.message.reasoning);
  EXPECT_EQ(o.message.content, "Коротко.");
}

TEST(ChatmlParse, RussianSplitInsideCharacters) {
  const std::string think = "Нужно подумать", answer = "Ответ: сорок два.";
  const auto o = feed_every_way(
      kChatml, {tx("<think>\n" + think.substr(0, 5)), tx(think.substr(5, 2)),
                tx(think.substr(7) + "\n</think>\n\n" + answer.substr(0, 3)), tx(answer.substr(3)), sp("<|im_end|>")});
  EXPECT_EQ(o.message.reasoning, think);
  EXPECT_EQ(o.message.content, answer);
}

TEST(ChatmlParse, ToolCalls) {
  const auto o = feed_every_way(
      kChatml, {tx("<think>\nTwo cities.\n</think>\n\n"), tx("Checking.\n"), tx("<tool_call>"),
                tx("\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n"), tx("</tool_call>"),
                tx("\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Лион\"}}\n</tool_call>"),
                sp("<|im_end|>")});
  EXPECT_EQ(o.message.reasoning, "Two cities.");
  EXPECT_EQ(o.message.content, "Checking.\n");
  ASSERT_EQ(o.message.tool_calls.size(), 2u);
  EXPECT_EQ(o.message.tool_calls[0].name, "get_weather");
  EXPECT_EQ(o.message.tool_calls[0].arguments, Json({{"city", "Paris"}}));
  EXPECT_EQ(o.message.tool_calls[1].arguments, Json({{"city", "Лион"}}));
}

TEST(ChatmlParse, MalformedToolCallStaysAsText) {
  const std::string body = "\n{\"name\": get_weather}\n";
  const auto o = feed_every_way(kChatml, {tx("<tool_call>" + body + "</tool_call>"), sp("<|im_end|>")});
  EXPECT_TRUE(o.message.tool_calls.empty());
  EXPECT_EQ(o.message.content, "<tool_call>" + body + "</tool_call>");
}

TEST(ChatmlParse, UnterminatedToolCall) {
  // Complete JSON but no closing tag: still a call. Broken JSON: kept as text.
  const auto ok = feed(kChatml, {tx("<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n")});
  ASSERT_EQ(ok.message.tool_calls.size(), 1u);
  EXPECT_EQ(ok.message.tool_calls[0].name, "f");
  const auto cut = feed_every_way(kChatml, {tx("<tool_call>\n{\"name\": \"f\", \"argu")});
  EXPECT_TRUE(cut.message.tool_calls.empty());
  EXPECT_EQ(cut.message.content, "<tool_call>\n{\"name\": \"f\", \"argu");
}

TEST(ChatmlParse, UnterminatedThinkKeepsItsText) {
  const auto o = feed_every_way(kChatml, {tx("<think>\nstill going\n\n")});
  EXPECT_EQ(o.message.reasoning, "still going\n\n");
  EXPECT_EQ(o.ends, 1);
}

TEST(ChatmlParse, AngleBracketsThatAreNotTags) {
  const auto o = feed_every_way(kChatml, {tx("a < b, <thin"), tx("g> and </think> <tool"), tx("_c")});
  EXPECT_EQ(o.message.content, "a < b, <thing> and </think> <tool_c");
}

TEST(ChatmlParse, TextAfterTheEndIsKept) {
  const auto o = feed_every_way(kChatml, {tx("Done."), sp("<|im_end|>"), tx("\nmore"), sp("<|endoftext|>")});
  EXPECT_EQ(o.message.content, "Done.more");
  EXPECT_EQ(o.ends, 1);
}

TEST(ChatmlParse, OtherSpecialTokensAreText) {
  const auto o = feed_every_way(kChatml, {tx("x"), sp("<|im_start|>"), tx("y")});
  EXPECT_EQ(o.message.content, "x<|im_start|>y");
}

TEST(ChatmlParse, InvalidBytesBecomeReplacementCharacters) {
  const auto o = feed(kChatml, {tx("a\xFF"), tx("b\xD0"), sp("<|im_end|>")});
  EXPECT_EQ(o.message.content,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

}  // namespace
}  // namespace fathom::chat
