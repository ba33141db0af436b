// Helpers for the chat parser tests: feed a token stream, in whole tokens or cut at any
// byte, and gather what the events add up to.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chat/parser.h"
#include "chat/utf8.h"

namespace fathom::chat::testing {

struct Piece {
  std::string text;
  bool special = false;
};

inline Piece sp(std::string t) { return {std::move(t), true}; }
inline Piece tx(std::string t) { return {std::move(t), false}; }

struct Outcome {
  Message message;
  int ends = 0;
  std::vector<Event::Type> order;  // the event types in order, consecutive repeats folded
};

using ParserFactory = std::function<std::unique_ptr<OutputParser>()>;

// Pushes every piece, then finishes. Every delta must be valid UTF-8 on its own: a
// delta that splits a character fails the test.
inline Outcome feed(const ParserFactory& make, const std::vector<Piece>& pieces) {
  auto parser = make();
  Outcome o;
  o.message.role = Role::Assistant;
  std::vector<Event> events;
  for (const Piece& p : pieces) parser->push(p.text, p.special, events);
  parser->finish(events);
  for (const Event& e : events) {
    if (e.type == Event::Type::Reasoning || e.type == Event::Type::Content) {
      EXPECT_FALSE(e.text.empty()) << "empty delta";
      EXPECT_EQ(valid_utf8(e.text), e.text) << "delta is not whole UTF-8 characters";
    }
    if (e.type == Event::Type::End) ++o.ends;
    if (o.order.empty() || o.order.back() != e.type) o.order.push_back(e.type);
    append_event(o.message, e);
  }
  return o;
}

// The same stream with text piece bytes regrouped: cut at byte `at` of the whole stream
// (specials stay whole), so a character or a tag may arrive in two tokens.
inline std::vector<Piece> cut_at(const std::vector<Piece>& pieces, size_t at) {
  std::vector<Piece> out;
  size_t pos = 0;
  for (const Piece& p : pieces) {
    if (!p.special && at > pos && at < pos + p.text.size()) {
      out.push_back(tx(p.text.substr(0, at - pos)));
      out.push_back(tx(p.text.substr(at - pos)));
    } else {
      out.push_back(p);
    }
    pos += p.text.size();
  }
  return out;
}

// Every text byte as its own token.
inline std::vector<Piece> bytewise(const std::vector<Piece>& pieces) {
  std::vector<Piece> out;
  for (const Piece& p : pieces) {
    if (p.special) {
      out.push_back(p);
    } else {
      for (char c : p.text) out.push_back(tx(std::string(1, c)));
    }
  }
  return out;
}

inline size_t total_bytes(const std::vector<Piece>& pieces) {
  size_t n = 0;
  for (const Piece& p : pieces) n += p.text.size();
  return n;
}

inline void expect_same(const Outcome& a, const Outcome& b, const std::string& where) {
  EXPECT_EQ(a.message.content, b.message.content) << where;
  EXPECT_EQ(a.message.reasoning, b.message.reasoning) << where;
  ASSERT_EQ(a.message.tool_calls.size(), b.message.tool_calls.size()) << where;
  for (size_t i = 0; i < a.message.tool_calls.size(); ++i) {
    EXPECT_EQ(a.message.tool_calls[i].name, b.message.tool_calls[i].name) << where;
    EXPECT_EQ(a.message.tool_calls[i].arguments, b.message.tool_calls[i].arguments) << where;
  }
  EXPECT_EQ(a.ends, b.ends) << where;
}

// Feeding the stream whole, a byte at a time, cut at every byte, or split into two push
// runs at every token boundary must all give the same message.
inline Outcome feed_every_way(const ParserFactory& make, const std::vector<Piece>& pieces) {
  const Outcome whole = feed(make, pieces);
  expect_same(whole, feed(make, bytewise(pieces)), "byte by byte");
  for (size_t at = 1; at < total_bytes(pieces); ++at) {
    expect_same(whole, feed(make, cut_at(pieces, at)), "cut at byte " + std::to_string(at));
  }
  for (size_t k = 0; k <= pieces.size(); ++k) {
    // Prefix, then the rest: the parser carries its state across calls.
    auto parser = make();
    std::vector<Event> first, rest;
    for (size_t i = 0; i < k; ++i) parser->push(pieces[i].text, pieces[i].special, first);
    for (size_t i = k; i < pieces.size(); ++i) parser->push(pieces[i].text, pieces[i].special, rest);
    parser->finish(rest);
    Outcome o;
    o.message.role = Role::Assistant;
    for (const auto* evs : {&first, &rest}) {
      for (const Event& e : *evs) {
        if (e.type == Event::Type::End) ++o.ends;
        append_event(o.message, e);
      }
    }
    expect_same(whole, o, "prefix of " + std::to_string(k) + " tokens");
  }
  return whole;
}

}  // namespace fathom::chat::testing
