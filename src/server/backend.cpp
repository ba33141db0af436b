#include "server/backend.h"

#include <algorithm>
#include <filesystem>

#include "runtime/reply_stream.h"
#include "runtime/stop_strings.h"
#include "server/api_error.h"

namespace fathom::server {

namespace {

runtime::Job base_job(const GenerationRequest& g, std::vector<int32_t> prompt, const tokenizer::Tokenizer& tok) {
  runtime::Job j;
  j.prompt = std::move(prompt);
  j.sampling = g.sampling;
  j.max_tokens = g.max_tokens;
  j.end_tokens = tok.end_of_generation();
  j.top_logprobs = g.top_logprobs;
  return j;
}

void apply_script(const std::optional<TestScript>& script, const std::string& text, runtime::Job& j) {
  if (!script) return;
  if (auto reply = script->find(text)) {
    j.forced = std::move(reply->tokens);
    j.forced_delay = reply->delay;
  }
}

// End is the stream's own business: the run's end says the same, with the reason.
void drop_end(std::vector<chat::Event>& events) {
  events.erase(std::remove_if(events.begin(), events.end(),
                              [](const chat::Event& e) { return e.type == chat::Event::Type::End; }),
               events.end());
}

}  // namespace

Backend::Backend(const BackendOptions& o) : pool_(o.threads) {
  file_ = gguf::File::open(o.model_path);
  model_ = models::load_model(*file_, pool_);
  tok_ = tokenizer::Tokenizer::from_gguf(*file_);
  format_ = chat::chat_format_for(file_->get_string("general.architecture"));
  if (!o.test_script.empty()) script_ = TestScript::load(o.test_script, *tok_);
  traits_.id = !o.alias.empty() ? o.alias
                                : file_->get_string("general.name", std::filesystem::path(o.model_path).stem().string());
  traits_.effort = model_->config().arch == models::Arch::GptOss;
  traits_.thinking = !traits_.effort;
  traits_.n_ctx = o.scheduler.n_ctx;
  traits_.max_tokens = o.max_tokens;
  scheduler_ = std::make_unique<runtime::Scheduler>(*model_, o.scheduler);
}

// The scheduler goes first: its thread calls into the model and the callbacks.
Backend::~Backend() { scheduler_.reset(); }

std::vector<int32_t> Backend::check_prompt(std::vector<int32_t> tokens, const std::string& what,
                                           const std::string& param) const {
  const auto n = static_cast<int64_t>(tokens.size());
  if (n == 0) throw bad_request(what + " is empty: at least one token is needed", param);
  if (n >= traits_.n_ctx) {
    throw bad_request(what + " is " + std::to_string(n) + " tokens but the context holds " +
                          std::to_string(traits_.n_ctx) + " per request (--ctx); no room for a reply",
                      param, "context_length_exceeded");
  }
  for (int32_t t : tokens) {
    if (t < 0 || t >= model_->config().n_vocab) {
      throw bad_request("token id " + std::to_string(t) + " is outside the vocabulary [0, " +
                            std::to_string(model_->config().n_vocab) + ")",
                        param);
    }
  }
  return tokens;
}

void Backend::shut_down() {
  closing_ = true;
  scheduler_->cancel_all();
}

std::shared_ptr<Run> Backend::submit(runtime::Job job, runtime::JobCallbacks cb, std::shared_ptr<Run> run) {
  if (closing_) throw ApiError(503, "server_overloaded", "the server is shutting down", "", "shutting_down");
  run->n_prompt = static_cast<int64_t>(job.prompt.size());
  run->job = scheduler_->submit(std::move(job), std::move(cb));
  if (!run->job) {
    throw ApiError(503, "server_overloaded",
                   "the server is busy: every slot is generating and the queue is full; retry shortly", "",
                   "queue_full");
  }
  return run;
}

std::shared_ptr<Run> Backend::start_chat(const ChatRequest& r) {
  chat::RenderOptions ro = r.render;
  ro.add_generation_prompt = true;
  std::vector<int32_t> prompt =
      check_prompt(tok_->encode(format_->render(r.conv, ro), /*parse_special=*/true), "the conversation", "messages");
  runtime::Job job = base_job(r.gen, std::move(prompt), *tok_);
  const auto last_user = std::find_if(r.conv.messages.rbegin(), r.conv.messages.rend(),
                                      [](const chat::Message& m) { return m.role == chat::Role::User; });
  if (last_user != r.conv.messages.rend()) apply_script(script_, last_user->content, job);

  struct State {
    runtime::ReplyStream stream;
    bool reasoning = false;  // what the last token that said anything was saying
    RunResult result;
  };
  auto st = std::make_shared<State>(State{runtime::ReplyStream(*tok_, *format_, r.gen.stop), false, {}});
  auto run = std::make_shared<Run>();
  const bool logprobs = r.gen.top_logprobs >= 0;
  runtime::JobCallbacks cb;
  cb.on_token = [run, st, logprobs](const runtime::GeneratedToken& g) {
    Piece p;
    p.events = st->stream.push(g.token);
    drop_end(p.events);
    for (const chat::Event& e : p.events) {
      st->reasoning = e.type == chat::Event::Type::Reasoning;
      st->result.has_tool_calls |= e.type == chat::Event::Type::ToolCall;
    }
    if (!g.is_end) {
      st->result.reasoning_tokens += st->reasoning;
      if (logprobs) p.tokens.push_back(g);
    }
    if (!p.events.empty() || !p.tokens.empty()) run->push(std::move(p));
    return !st->stream.stopped();
  };
  cb.on_done = [run, st](const runtime::JobSummary& s) {
    Piece p;
    p.events = st->stream.finish();
    drop_end(p.events);
    for (const chat::Event& e : p.events) st->result.has_tool_calls |= e.type == chat::Event::Type::ToolCall;
    if (!p.events.empty()) run->push(std::move(p));
    st->result.summary = s;
    st->result.stopped_by_string = st->stream.stopped();
    run->finish(st->result);
  };
  return submit(std::move(job), std::move(cb), run);
}

std::vector<std::shared_ptr<Run>> Backend::start_completion(const CompletionRequest& r) {
  std::vector<std::shared_ptr<Run>> runs;
  try {
    for (const CompletionPrompt& p : r.prompts) {
      std::vector<int32_t> tokens = check_prompt(
          p.is_tokens ? p.tokens : tok_->encode(p.text, /*parse_special=*/true), "the prompt", "prompt");
      runtime::Job job = base_job(r.gen, std::move(tokens), *tok_);
      job.prompt_logprobs = r.echo && r.gen.top_logprobs >= 0;
      apply_script(script_, p.is_tokens ? tok_->decode(p.tokens) : p.text, job);

      struct State {
        tokenizer::StreamDecoder decoder;
        runtime::StopStrings stops;
      };
      auto st = std::make_shared<State>(State{tokenizer::StreamDecoder(*tok_), runtime::StopStrings(r.gen.stop)});
      auto run = std::make_shared<Run>();
      const bool logprobs = r.gen.top_logprobs >= 0;
      runtime::JobCallbacks cb;
      cb.on_prompt = [run](std::vector<runtime::GeneratedToken> prompt) {
        Piece p;
        p.prompt = std::move(prompt);
        run->push(std::move(p));
      };
      cb.on_token = [run, st, logprobs](const runtime::GeneratedToken& g) {
        if (g.is_end) return true;
        Piece p;
        p.text = st->stops.push(st->decoder.push(g.token));
        if (logprobs) p.tokens.push_back(g);
        run->push(std::move(p));
        return !st->stops.stopped();
      };
      cb.on_done = [run, st](const runtime::JobSummary& s) {
        RunResult res;
        res.summary = s;
        res.stopped_by_string = st->stops.stopped();
        if (!st->stops.stopped()) {
          Piece p;
          p.text = st->stops.push(st->decoder.flush());
          if (!st->stops.stopped()) p.text += st->stops.flush();
          res.stopped_by_string = st->stops.stopped();
          if (!p.text.empty()) run->push(std::move(p));
        }
        run->finish(res);
      };
      runs.push_back(submit(std::move(job), std::move(cb), run));
    }
  } catch (...) {
    for (auto& run : runs) run->cancel();
    throw;
  }
  return runs;
}

}  // namespace fathom::server
