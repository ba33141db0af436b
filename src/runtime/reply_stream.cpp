#include "runtime/reply_stream.h"

#include <utility>

namespace fathom::runtime {

ReplyStream::ReplyStream(const tokenizer::Tokenizer& tok, const chat::ChatFormat& format,
                         std::vector<std::string> stop)
    : tok_(tok), parser_(format.make_parser()), stops_(std::move(stop)) {}

std::vector<chat::Event> ReplyStream::push(int32_t token) {
  // Added tokens that a conversion marked user-defined rather than control are markers too.
  const tokenizer::TokenType type = tok_.token_type(token);
  const bool special = type == tokenizer::TokenType::Control || type == tokenizer::TokenType::UserDefined;
  std::vector<chat::Event> events;
  parser_->push(tok_.token_bytes(token), special, events);
  return deliver(std::move(events));
}

std::vector<chat::Event> ReplyStream::finish() {
  std::vector<chat::Event> events;
  parser_->finish(events);
  std::vector<chat::Event> out = deliver(std::move(events));
  if (!stops_.stopped()) {
    // What the stop strings held back is now decided: it was no stop string. It goes
    // before End, which the parser put last.
    std::string tail = stops_.flush();
    if (!tail.empty()) {
      const bool ends = !out.empty() && out.back().type == chat::Event::Type::End;
      out.insert(ends ? out.end() - 1 : out.end(), {chat::Event::Type::Content, std::move(tail), {}});
    }
  }
  return out;
}

std::vector<chat::Event> ReplyStream::deliver(std::vector<chat::Event> events) {
  std::vector<chat::Event> out;
  for (chat::Event& e : events) {
    if (e.type == chat::Event::Type::Content) {
      if (stops_.stopped()) continue;
      e.text = stops_.push(e.text);
      if (e.text.empty()) continue;
    } else if (stops_.stopped() && e.type != chat::Event::Type::End) {
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace fathom::runtime
