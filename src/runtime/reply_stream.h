// A reply as it is generated: tokens through the chat format's parser into reasoning,
// answer and tool-call events, with stop strings applied to the answer only (reasoning
// and tool calls pass untouched). The chat CLI and the server share it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chat/format.h"
#include "chat/parser.h"
#include "runtime/stop_strings.h"
#include "tokenizer/tokenizer.h"

namespace fathom::runtime {

class ReplyStream {
 public:
  ReplyStream(const tokenizer::Tokenizer& tok, const chat::ChatFormat& format, std::vector<std::string> stop);

  // One generated token (end tokens too: harmony's <|call|> closes a tool call). Returns
  // the events it completes; after a stop string, only End gets through.
  std::vector<chat::Event> push(int32_t token);
  // Generation is over: what the parser and the stop strings held back, and End.
  std::vector<chat::Event> finish();
  // A stop string completed: the caller should stop generating.
  bool stopped() const { return stops_.stopped(); }

 private:
  std::vector<chat::Event> deliver(std::vector<chat::Event> events);

  const tokenizer::Tokenizer& tok_;
  std::unique_ptr<chat::OutputParser> parser_;
  StopStrings stops_;
};

}  // namespace fathom::runtime
