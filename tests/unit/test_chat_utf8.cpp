// UTF-8 holdback: pieces end on character boundaries whatever the byte cuts, and
// invalid input becomes U+FFFD instead of reaching a terminal or a JSON encoder.
#include <gtest/gtest.h>

#include "chat/utf8.h"

namespace fathom::chat {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(ChatUtf8, EveryCutGivesWholeCharacters) {
  const std::string text = "Съешь же ещё этих мягких булок — 😀 ok";
  for (size_t a = 0; a <= text.size(); ++a) {
    for (size_t b = a; b <= text.size(); b += 3) {
      Utf8Holdback h;
      std::string out;
      for (const std::string& piece : {text.substr(0, a), text.substr(a, b - a), text.substr(b)}) {
        const std::string delta = h.push(piece);
        EXPECT_EQ(valid_utf8(delta), delta);
        out += delta;
      }
      out += h.flush();
      EXPECT_EQ(out, text) << "cuts at " << a << ", " << b;
    }
  }
}

TEST(ChatUtf8, UnfinishedCharacterIsHeldThenReplacedOnFlush) {
  Utf8Holdback h;
  EXPECT_EQ(h.push("ab\xD0"), "ab");
  EXPECT_EQ(h.flush(), kFffd);
  EXPECT_EQ(h.flush(), "");
}

TEST(ChatUtf8, InvalidSequences) {
  EXPECT_EQ(valid_utf8("\xC0\xAF"), kFffd + kFffd);                          // overlong lead
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);              // surrogate: lead then two strays
  EXPECT_EQ(valid_utf8("\xE2\x82x"), kFffd + "x");                           // truncated by ASCII
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // above U+10FFFF
  EXPECT_EQ(valid_utf8("\xF0\x9F\x98"), kFffd);                              // unfinished at the end
  EXPECT_EQ(valid_utf8("привет"), "привет");
}

}  // namespace
}  // namespace fathom::chat
