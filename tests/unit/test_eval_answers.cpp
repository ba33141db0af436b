// Final-answer extraction and matching on fixed outputs, Russian number formats included.
#include <gtest/gtest.h>

#include "core/error.h"
#include "eval/answers.h"
#include "eval/tasks.h"

using namespace fathom;
using eval::Item;

namespace {

Item gen(std::string lang, std::string answer, std::string match) {
  Item it;
  it.id = "x";
  it.lang = std::move(lang);
  it.answer = std::move(answer);
  it.match = std::move(match);
  return it;
}

}  // namespace

TEST(EvalAnswers, NumbersInEveryNotation) {
  EXPECT_DOUBLE_EQ(*eval::last_number("Итого: 1 234,5 рубля", "ru"), 1234.5);
  EXPECT_DOUBLE_EQ(*eval::last_number("Итого: 1\xC2\xA0" "234,5", "ru"), 1234.5);      // no-break space
  EXPECT_DOUBLE_EQ(*eval::last_number("Итого: 1\xE2\x80\xAF" "234,5", "ru"), 1234.5);  // narrow no-break space
  EXPECT_DOUBLE_EQ(*eval::last_number("total 1,234.5 euros", "en"), 1234.5);
  EXPECT_DOUBLE_EQ(*eval::last_number("total 1,234", "en"), 1234.0);
  EXPECT_DOUBLE_EQ(*eval::last_number("всего 1,234", "ru"), 1.234);
  EXPECT_DOUBLE_EQ(*eval::last_number("7,5 км", "ru"), 7.5);
  EXPECT_DOUBLE_EQ(*eval::last_number("1.000.000", "ru"), 1000000.0);
  EXPECT_DOUBLE_EQ(*eval::last_number("from 3 to -12", "en"), -12.0);
  EXPECT_DOUBLE_EQ(*eval::last_number("равно \xE2\x88\x92" "12", "ru"), -12.0);  // U+2212
  EXPECT_DOUBLE_EQ(*eval::last_number("2, 3 and 4.", "en"), 4.0);  // a list, not 2,3
  EXPECT_FALSE(eval::last_number("no digits here", "en"));
}

TEST(EvalAnswers, FinalAnswerIsTheLastLineWithoutItsLabel) {
  EXPECT_EQ(eval::extract_final_answer("First, 2+2=4.\nThen 4*3=12.\n\n**Answer:** 12."), "12");
  EXPECT_EQ(eval::extract_final_answer("Считаем...\nОкончательный ответ: «Анна»."), "Анна");
  EXPECT_EQ(eval::extract_final_answer("  42  \n\n"), "42");
}

TEST(EvalAnswers, MatchRules) {
  EXPECT_TRUE(eval::score_generative(gen("ru", "1234.5", "number"), "Ответ: 1 234,5").correct);
  EXPECT_TRUE(eval::score_generative(gen("en", "1234.5", "number"), "The total is 1,234.5.").correct);
  EXPECT_FALSE(eval::score_generative(gen("en", "1234.5", "number"), "The total is 1,234.").correct);
  // A last line of words: the number is found earlier in the reply.
  EXPECT_TRUE(eval::score_generative(gen("en", "18", "number"), "She is 18 years old.\nThat is my answer.").correct);
  EXPECT_TRUE(eval::score_generative(gen("ru", "Вера", "exact"), "Ответ: ВЕРА.").correct);
  EXPECT_TRUE(eval::score_generative(gen("en", "Anna", "exact"), "So the winner is Anna!").correct);
  EXPECT_FALSE(eval::score_generative(gen("en", "Anna", "exact"), "Hanna").correct);
  EXPECT_TRUE(eval::score_generative(gen("en", "^(?:On )?[Ff]riday$", "regex"), "**Answer:** Friday.").correct);
  EXPECT_FALSE(eval::score_generative(gen("en", "^(?:On )?[Ff]riday$", "regex"), "Thursday").correct);
}

TEST(EvalTasks, ParsesAndValidates) {
  const auto items = eval::parse_items(
      "{\"id\":\"a\",\"lang\":\"en\",\"type\":\"mc\",\"question\":\"Q?\",\"choices\":[\"x\",\"y\"],\"answer\":1}\n"
      "\n"
      "{\"id\":\"b\",\"lang\":\"ru\",\"type\":\"gen\",\"prompt\":\"P\",\"answer\":\"5\",\"match\":\"number\"}\n",
      "t.jsonl");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].mc);
  EXPECT_EQ(items[0].answer_index, 1);
  EXPECT_EQ(items[1].match, "number");
  try {
    eval::parse_items("{\"id\":\"a\",\"lang\":\"en\",\"type\":\"mc\",\"question\":\"Q\",\"choices\":[\"x\",\"y\"],\"answer\":2}",
                      "t.jsonl");
    FAIL() << "accepted an answer index out of range";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.jsonl:1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(eval::parse_items("{\"id\":\"a\"", "t.jsonl"), Error);
}

TEST(EvalTasks, BuiltinSuiteIsParallel) {
  const auto items = eval::builtin_items();
  size_t ru = 0, en = 0;
  for (const auto& it : items) (it.lang == "ru" ? ru : en)++;
  EXPECT_GE(ru, 150u);
  EXPECT_EQ(ru, en);
  // Every number and word answer is recognised when a reply states it plainly.
  for (const auto& it : items) {
    if (it.mc || it.match == "regex") continue;
    const std::string label = it.lang == "ru" ? "Ответ: " : "Answer: ";
    EXPECT_TRUE(eval::score_generative(it, "Reasoning...\n" + label + it.answer + ".").correct) << it.id << " " << it.lang;
  }
}
