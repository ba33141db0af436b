// /v1/chat/completions and /v1/completions: whole answers, or server-sent events that
// end with `data: [DONE]`. A client that goes away cancels its generation: a streaming
// one within one decode step (the write fails, or the keep-alive probe finds the socket
// gone), one waiting for a whole answer within kClientCheck (its socket is looked at).
#include <httplib.h>

#include <chrono>
#include <ctime>
#include <functional>

#include "server/api_error.h"
#include "server/guarded_server.h"
#include "server/http_server.h"
#include "server/openai_json.h"

namespace fathom::server {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// How long a stream stays silent before a comment line checks the client is still there.
constexpr auto kKeepAlive = 2s;
// How often a request waiting for a whole answer checks its client is still there.
constexpr auto kClientCheck = 200ms;

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

std::string sse(const Json& j) { return "data: " + dump(j) + "\n\n"; }

// A run that ended in an error or a shutdown has no answer to give.
void check_result(const RunResult& r) {
  if (r.summary.reason == runtime::FinishReason::Error) {
    throw ApiError(500, "server_error", "generation failed: " + r.summary.error);
  }
  if (r.summary.reason == runtime::FinishReason::Cancelled) {
    throw ApiError(503, "server_overloaded", "the server is shutting down", "", "shutting_down");
  }
}

Json error_event(const RunResult& r) {
  const bool failed = r.summary.reason == runtime::FinishReason::Error;
  return Json{{"error",
               {{"message", failed ? "generation failed: " + r.summary.error : "the server is shutting down"},
                {"type", failed ? "server_error" : "server_overloaded"},
                {"param", nullptr},
                {"code", failed ? "generation_failed" : "shutting_down"}}}};
}

bool has_answer(const RunResult& r) {
  return r.summary.reason != runtime::FinishReason::Error && r.summary.reason != runtime::FinishReason::Cancelled;
}

void cancel(const std::vector<std::shared_ptr<Run>>& runs) {
  for (const auto& run : runs) run->cancel();
}

// A client gone before the end of its answer `id`, streamed or not: its generations are
// cancelled, which frees their slots, and the event is counted and logged once.
void drop_answer(HttpCounters& counters, const std::string& id, const std::function<void()>& cancel_runs) {
  counters.count_disconnect(id);
  cancel_runs();
}

// Waits for the runs of an answer that is not streamed. Nothing is written before the
// end, so only the socket tells that the client hung up; then the request ends as a
// 499 that nobody reads.
void await_answer(const std::vector<std::shared_ptr<Run>>& runs, const std::string& id, HttpCounters& counters) {
  for (const auto& run : runs) {
    while (!run->wait_done(kClientCheck)) {
      if (!GuardedServer::client_gone()) continue;
      drop_answer(counters, id, [&] { cancel(runs); });
      throw ApiError(kClientClosedRequest, "client_closed_request", "the client disconnected before its answer");
    }
  }
}

// The writing side of one event stream: when it last wrote (a silent stream probes the
// client with a comment line) and what a failed write means: the client is gone.
struct SseWriter {
  Clock::time_point last_write = Clock::now();

  std::string id;  // the response's id, for the log

  bool send(httplib::DataSink& sink, const std::string& s, HttpCounters& counters,
            const std::function<void()>& cancel_runs) {
    if (sink.write(s.data(), s.size())) {
      last_write = Clock::now();
      return true;
    }
    drop_answer(counters, id, cancel_runs);
    return false;
  }
  bool probe_due() const { return Clock::now() - last_write > kKeepAlive; }
};

}  // namespace

void HttpServer::handle_chat(const httplib::Request& req, httplib::Response& res) {
  const ChatRequest r = parse_chat_request(parse_body(req.body), backend_->traits());
  std::shared_ptr<Run> run = backend_->start_chat(r);
  const std::string id = new_id("chatcmpl-");
  const std::string call_prefix = "call_" + id.substr(9, 12) + "_";
  const int64_t created = now_seconds();
  const std::string model = backend_->traits().id;
  const tokenizer::Tokenizer& tok = backend_->tokenizer();
  const bool logprobs = r.gen.top_logprobs >= 0;

  if (!r.gen.stream) {
    await_answer({run}, id, counters_);
    const std::vector<Piece> pieces = run->wait_all();
    const RunResult result = run->result();
    check_result(result);
    Json choice{{"index", 0}, {"message", chat_message_json(pieces, call_prefix)}, {"logprobs", nullptr},
                {"finish_reason", finish_reason_json(result)}};
    if (logprobs) {
      Json content = Json::array();
      for (const Piece& p : pieces) {
        for (const runtime::GeneratedToken& g : p.tokens) content.push_back(chat_logprob_json(tok, g));
      }
      choice["logprobs"] = Json{{"content", content}};
    }
    res.status = 200;
    res.set_content(dump(Json{{"id", id},
                              {"object", "chat.completion"},
                              {"created", created},
                              {"model", model},
                              {"choices", Json::array({choice})},
                              {"usage", usage_json({result}, {run->n_prompt})},
                              {"timings", timings_json({result})}}),
                    "application/json");
    return;
  }

  struct Stream {
    bool started = false;
    int n_calls = 0;
    SseWriter out;
  };
  auto st = std::make_shared<Stream>();
  st->out.id = id;
  const bool include_usage = r.gen.include_usage;
  const auto chunk = [=](const Json& delta, const Json& finish, const Json& lp) {
    Json c{{"index", 0}, {"delta", delta}, {"logprobs", lp}, {"finish_reason", finish}};
    return Json{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", model},
                {"choices", Json::array({c})}};
  };
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [=, &tok, counters = &counters_](size_t, httplib::DataSink& sink) {
        const auto send = [&](const std::string& s) { return st->out.send(sink, s, *counters, [&] { run->cancel(); }); };
        if (!st->started) {
          st->started = true;
          if (!send(sse(chunk(Json{{"role", "assistant"}, {"content", ""}}, nullptr, nullptr)))) return false;
        }
        bool done = false;
        for (const Piece& p : run->take(100ms, done)) {
          Json lp = nullptr;
          if (logprobs && !p.tokens.empty()) {
            Json content = Json::array();
            for (const runtime::GeneratedToken& g : p.tokens) content.push_back(chat_logprob_json(tok, g));
            lp = Json{{"content", content}};
          }
          const Json delta = chat_delta_json(p, call_prefix, &st->n_calls);
          if (delta.empty() && lp.is_null()) continue;
          if (!send(sse(chunk(delta, nullptr, lp)))) return false;
        }
        if (!done) {
          if (st->out.probe_due() && !send(": keep-alive\n\n")) return false;
          return true;
        }
        const RunResult result = run->result();
        if (has_answer(result)) {
          if (!send(sse(chunk(Json::object(), finish_reason_json(result), nullptr)))) return false;
          if (include_usage) {
            Json u{{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", model},
                   {"choices", Json::array()}, {"usage", usage_json({result}, {run->n_prompt})},
                   {"timings", timings_json({result})}};
            if (!send(sse(u))) return false;
          }
        } else if (!send(sse(error_event(result)))) {
          return false;
        }
        if (!send("data: [DONE]\n\n")) return false;
        sink.done();
        return true;
      },
      [run](bool success) {
        if (!success) run->cancel();
      });
}

void HttpServer::handle_completion(const httplib::Request& req, httplib::Response& res) {
  const CompletionRequest r = parse_completion_request(parse_body(req.body), backend_->traits());
  std::vector<std::shared_ptr<Run>> runs = backend_->start_completion(r);
  const std::string id = new_id("cmpl-");
  const int64_t created = now_seconds();
  const std::string model = backend_->traits().id;
  const tokenizer::Tokenizer& tok = backend_->tokenizer();
  const bool logprobs = r.gen.top_logprobs >= 0;
  std::vector<std::string> echoed;
  for (const CompletionPrompt& p : r.prompts) {
    echoed.push_back(!r.echo ? "" : p.is_tokens ? tok.decode(p.tokens) : p.text);
  }
  std::vector<int64_t> n_prompt;
  for (const auto& run : runs) n_prompt.push_back(run->n_prompt);

  if (!r.gen.stream) {
    await_answer(runs, id, counters_);
    Json choices = Json::array();
    std::vector<RunResult> results;
    for (size_t i = 0; i < runs.size(); ++i) {
      const std::vector<Piece> pieces = runs[i]->wait_all();
      results.push_back(runs[i]->result());
      check_result(results.back());
      std::string text = echoed[i];
      size_t offset = 0;
      std::vector<runtime::GeneratedToken> lp_tokens;
      for (const Piece& p : pieces) {
        text += p.text;
        lp_tokens.insert(lp_tokens.end(), p.prompt.begin(), p.prompt.end());
        lp_tokens.insert(lp_tokens.end(), p.tokens.begin(), p.tokens.end());
      }
      choices.push_back(Json{{"index", i},
                             {"text", text},
                             {"logprobs", logprobs ? completion_logprobs_json(tok, lp_tokens, &offset) : Json()},
                             {"finish_reason", finish_reason_json(results.back())}});
    }
    res.status = 200;
    res.set_content(dump(Json{{"id", id},
                              {"object", "text_completion"},
                              {"created", created},
                              {"model", model},
                              {"choices", choices},
                              {"usage", usage_json(results, n_prompt)},
                              {"timings", timings_json(results)}}),
                    "application/json");
    return;
  }

  struct Stream {
    std::vector<bool> started, finished;
    std::vector<size_t> offset;  // text_offset of the next logprobs token, per choice
    std::vector<RunResult> results;
    SseWriter out;
  };
  auto st = std::make_shared<Stream>();
  st->started.assign(runs.size(), false);
  st->finished.assign(runs.size(), false);
  st->offset.assign(runs.size(), 0);
  st->results.resize(runs.size());
  st->out.id = id;
  const bool include_usage = r.gen.include_usage;
  const auto chunk = [=](size_t index, const std::string& text, const Json& lp, const Json& finish) {
    Json c{{"index", index}, {"text", text}, {"logprobs", lp}, {"finish_reason", finish}};
    return Json{{"id", id}, {"object", "text_completion"}, {"created", created}, {"model", model},
                {"choices", Json::array({c})}};
  };
  const auto cancel_all = [runs] { cancel(runs); };
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [=, &tok, counters = &counters_](size_t, httplib::DataSink& sink) {
        const auto send = [&](const std::string& s) { return st->out.send(sink, s, *counters, cancel_all); };
        bool wrote = false, all_done = true;
        for (size_t i = 0; i < runs.size(); ++i) {
          if (st->finished[i]) continue;
          if (!st->started[i]) {
            st->started[i] = true;
            if (!echoed[i].empty() && !send(sse(chunk(i, echoed[i], nullptr, nullptr)))) return false;
          }
          bool done = false;
          // Wait on the first unfinished run only; the others are polled.
          for (const Piece& p : runs[i]->take(wrote || !all_done ? 0ms : 100ms, done)) {
            std::vector<runtime::GeneratedToken> lp_tokens = p.prompt;
            lp_tokens.insert(lp_tokens.end(), p.tokens.begin(), p.tokens.end());
            Json lp = nullptr;
            if (logprobs && !lp_tokens.empty()) lp = completion_logprobs_json(tok, lp_tokens, &st->offset[i]);
            if (p.text.empty() && lp.is_null()) continue;
            if (!send(sse(chunk(i, p.text, lp, nullptr)))) return false;
            wrote = true;
          }
          if (!done) {
            all_done = false;
            continue;
          }
          st->finished[i] = true;
          st->results[i] = runs[i]->result();
          if (!has_answer(st->results[i])) {
            if (!send(sse(error_event(st->results[i])))) return false;
          } else if (!send(sse(chunk(i, "", nullptr, finish_reason_json(st->results[i]))))) {
            return false;
          }
        }
        if (!all_done) {
          if (st->out.probe_due() && !send(": keep-alive\n\n")) return false;
          return true;
        }
        if (include_usage) {
          Json u{{"id", id}, {"object", "text_completion"}, {"created", created}, {"model", model},
                 {"choices", Json::array()}, {"usage", usage_json(st->results, n_prompt)},
                 {"timings", timings_json(st->results)}};
          if (!send(sse(u))) return false;
        }
        if (!send("data: [DONE]\n\n")) return false;
        sink.done();
        return true;
      },
      [cancel_all](bool success) {
        if (!success) cancel_all();
      });
}

}  // namespace fathom::server
