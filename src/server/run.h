// One generation as the HTTP side sees it: the scheduler's thread turns tokens into
// pieces (text, reasoning and tool-call events, logprobs) and pushes them here; the
// connection's thread takes them as they come. Cancelling frees the slot.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chat/parser.h"
#include "runtime/scheduler.h"

namespace fathom::server {

struct Piece {
  std::vector<chat::Event> events;               // chat: reasoning, answer and tool calls
  std::string text;                              // completions: answer text
  std::vector<runtime::GeneratedToken> tokens;   // the tokens behind them, with logprobs when asked
  std::vector<runtime::GeneratedToken> prompt;   // echo: the prompt's tokens and logprobs
};

struct RunResult {
  runtime::JobSummary summary;
  int64_t reasoning_tokens = 0;
  bool stopped_by_string = false;
  bool has_tool_calls = false;
};

class Run {
 public:
  void push(Piece p);
  void finish(const RunResult& r);
  // Waits up to `timeout` for news: the pieces since the last call, and whether the run
  // is over (then result() is final).
  std::vector<Piece> take(std::chrono::milliseconds timeout, bool& done);
  // Waits up to `timeout` for the run to be over; true once it is.
  bool wait_done(std::chrono::milliseconds timeout);
  // Every piece, once the run is over (for answers that are not streamed).
  std::vector<Piece> wait_all();
  RunResult result() const;
  void cancel();

  std::shared_ptr<runtime::JobHandle> job;
  int64_t n_prompt = 0;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Piece> pending_;
  bool done_ = false;
  RunResult result_;
};

}  // namespace fathom::server
