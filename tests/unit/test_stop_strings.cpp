#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/stop_strings.h"

using fathom::runtime::StopStrings;

namespace {

// Feeds pieces one by one and returns everything emitted (flushing at the end).
std::string stream(StopStrings& s, const std::vector<std::string>& pieces) {
  std::string out;
  for (const std::string& p : pieces) out += s.push(p);
  return out + s.flush();
}

}  // namespace

TEST(StopStrings, NoStopsPassEverythingThrough) {
  StopStrings s({});
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.push("hello"), "hello");
  EXPECT_FALSE(s.stopped());
}

TEST(StopStrings, StopInsideOnePieceCutsThere) {
  StopStrings s({"END"});
  EXPECT_EQ(s.push("abcENDdef"), "abc");
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(s.push("more"), "");
  EXPECT_EQ(s.flush(), "");
}

TEST(StopStrings, StopSplitAcrossPiecesIsNeverPartlyEmitted) {
  StopStrings s({"</answer>"});
  EXPECT_EQ(s.push("42</ans"), "42");  // "</ans" could still become the stop
  EXPECT_EQ(s.push("wer> tail"), "");
  EXPECT_TRUE(s.stopped());
}

TEST(StopStrings, HeldBackTextIsReleasedWhenItCannotMatch) {
  StopStrings s({"STOP"});
  EXPECT_EQ(s.push("a ST"), "a ");
  EXPECT_EQ(s.push("OCK"), "STOCK");
  EXPECT_FALSE(s.stopped());
}

TEST(StopStrings, FlushReturnsHeldTailWhenGenerationEndsOtherwise) {
  StopStrings s({"\n\nUser:"});
  EXPECT_EQ(stream(s, {"answer", "\n\n", "Us"}), "answer\n\nUs");
  EXPECT_FALSE(s.stopped());
}

TEST(StopStrings, EarliestOfSeveralStopsWins) {
  StopStrings s({"world", "lo"});
  EXPECT_EQ(s.push("hello world"), "hel");
}

TEST(StopStrings, EveryCutOfTheStreamGivesTheSameResult) {
  const std::string text = "Ответ: «ёлочки» 1 234,5 ###конец";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    StopStrings s({"###"});
    EXPECT_EQ(stream(s, {text.substr(0, cut), text.substr(cut)}), "Ответ: «ёлочки» 1 234,5 ") << cut;
    EXPECT_TRUE(s.stopped());
  }
}

TEST(StopStrings, EmptyStopStringsAreIgnored) {
  StopStrings s({"", "x"});
  EXPECT_EQ(s.push("abc"), "abc");
  EXPECT_EQ(s.push("yxz"), "y");
}
