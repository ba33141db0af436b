#include "eval/targets.h"

#include <httplib.h>


#include "core/error.h"
#include "server/backend.h"
#include "server/openai_json.h"

namespace fathom::eval {

namespace {

using Json = chat::Json;

// The run's pieces once it is over; a failed generation is an Error.
std::vector<server::Piece> collect(server::Run& run) {
  std::vector<server::Piece> all = run.wait_all();
  const server::RunResult r = run.result();
  if (r.summary.reason == runtime::FinishReason::Error) throw Error("generation failed: " + r.summary.error);
  return all;
}

class LocalTarget : public Target {
 public:
  LocalTarget(const std::string& path, int threads, int parallel, int64_t n_ctx) {
    server::BackendOptions o;
    o.model_path = path;
    o.threads = threads;
    o.scheduler.n_slots = parallel;
    o.scheduler.n_ctx = n_ctx;
    o.scheduler.max_queue = 1 << 16;
    backend_ = std::make_unique<server::Backend>(o);
  }

  std::string model() const override { return backend_->traits().id; }

  std::vector<double> logliks(const std::string& context, const std::vector<std::string>& continuations) override {
    const tokenizer::Tokenizer& tok = backend_->tokenizer();
    const std::vector<int32_t> ctx = tok.encode(context);
    server::CompletionRequest req;
    req.echo = true;
    req.gen.top_logprobs = 0;
    req.gen.max_tokens = 0;
    std::vector<size_t> n_cont;
    for (const std::string& c : continuations) {
      std::vector<int32_t> ids = ctx;
      const std::vector<int32_t> cont = tok.encode(c, false, false);
      ids.insert(ids.end(), cont.begin(), cont.end());
      n_cont.push_back(cont.size());
      req.prompts.push_back({"", ids, true});
    }
    const auto runs = backend_->start_completion(req);
    std::vector<double> out;
    for (size_t i = 0; i < runs.size(); ++i) {
      std::vector<runtime::GeneratedToken> prompt;
      for (const server::Piece& p : collect(*runs[i])) prompt.insert(prompt.end(), p.prompt.begin(), p.prompt.end());
      double sum = 0;
      for (size_t k = prompt.size() - n_cont[i]; k < prompt.size(); ++k) sum += prompt[k].logprobs.chosen.logprob;
      out.push_back(sum);
    }
    return out;
  }

  ChatAnswer chat(const std::string& prompt, const GenSettings& s) override {
    server::ChatRequest req;
    req.gen.sampling.temperature = 0.0f;
    req.gen.max_tokens = s.max_tokens;
    req.conv.messages.push_back({chat::Role::User, prompt, {}, {}, {}, {}});
    if (!s.effort.empty()) req.render.reasoning_effort = chat::parse_effort(s.effort);
    if (s.think) req.render.enable_thinking = *s.think;
    auto run = backend_->start_chat(req);
    ChatAnswer a;
    for (const server::Piece& p : collect(*run)) {
      for (const chat::Event& e : p.events) {
        if (e.type == chat::Event::Type::Content) a.content += e.text;
        if (e.type == chat::Event::Type::Reasoning) a.reasoning += e.text;
      }
    }
    const server::RunResult r = run->result();
    a.completion_tokens = r.summary.n_generated;
    a.reasoning_tokens = r.reasoning_tokens;
    a.finish_reason = server::finish_reason_json(r).get<std::string>();
    return a;
  }

 private:
  std::unique_ptr<server::Backend> backend_;
};

class EndpointTarget : public Target {
 public:
  EndpointTarget(const std::string& url, std::string model, std::string key)
      : url_(url), model_(std::move(model)), key_(std::move(key)) {
    if (!httplib::Client(url).is_valid()) throw Error("--endpoint: '" + url + "' is not a usable http:// URL");
  }

  std::string model() const override { return model_; }

  std::vector<double> logliks(const std::string& context, const std::vector<std::string>& continuations) override {
    const std::vector<int64_t> ctx = tokenize(context, true);
    Json prompts = Json::array();
    std::vector<size_t> n_cont;
    for (const std::string& c : continuations) {
      std::vector<int64_t> ids = ctx;
      const std::vector<int64_t> cont = tokenize(c, false);
      ids.insert(ids.end(), cont.begin(), cont.end());
      n_cont.push_back(cont.size());
      prompts.push_back(ids);
    }
    const Json r = post("/v1/completions", Json{{"model", model_}, {"prompt", prompts}, {"echo", true},
                                                {"logprobs", 0}, {"max_tokens", 0}, {"temperature", 0}});
    std::vector<double> out(continuations.size(), 0.0);
    for (const Json& choice : r.at("choices")) {
      const size_t i = choice.at("index").get<size_t>();
      const Json& lps = choice.at("logprobs").at("token_logprobs");
      if (i >= out.size() || lps.size() < n_cont[i]) throw Error(url_ + ": the completions answer lacks the prompt's logprobs (echo)");
      for (size_t k = lps.size() - n_cont[i]; k < lps.size(); ++k) out[i] += lps[k].get<double>();
    }
    return out;
  }

  ChatAnswer chat(const std::string& prompt, const GenSettings& s) override {
    Json body{{"model", model_},
              {"messages", Json::array({{{"role", "user"}, {"content", prompt}}})},
              {"temperature", 0},
              {"max_tokens", s.max_tokens}};
    if (!s.effort.empty()) body["reasoning_effort"] = s.effort;
    if (s.think) body["chat_template_kwargs"] = {{"enable_thinking", *s.think}};
    const Json r = post("/v1/chat/completions", body);
    const Json& choice = r.at("choices").at(0);
    const Json& m = choice.at("message");
    ChatAnswer a;
    a.content = m.value("content", Json()).is_string() ? m["content"].get<std::string>() : "";
    if (m.contains("reasoning_content") && m["reasoning_content"].is_string()) a.reasoning = m["reasoning_content"];
    else if (m.contains("reasoning") && m["reasoning"].is_string()) a.reasoning = m["reasoning"];
    a.finish_reason = choice.value("finish_reason", Json()).is_string() ? choice["finish_reason"].get<std::string>() : "";
    if (r.contains("usage")) {
      a.completion_tokens = r["usage"].value("completion_tokens", 0);
      if (r["usage"].contains("completion_tokens_details")) {
        a.reasoning_tokens = r["usage"]["completion_tokens_details"].value("reasoning_tokens", 0);
      }
    }
    return a;
  }

 private:
  std::vector<int64_t> tokenize(const std::string& text, bool specials) {
    const Json r = post("/tokenize", Json{{"model", model_}, {"prompt", text}, {"add_special_tokens", specials}});
    return r.at("tokens").get<std::vector<int64_t>>();
  }

  // A client per request: items run on several threads, and one httplib client is one
  // connection.
  Json post(const std::string& path, const Json& body) {
    httplib::Client client(url_);
    client.set_read_timeout(3600, 0);
    client.set_connection_timeout(10, 0);
    if (!key_.empty()) client.set_bearer_token_auth(key_);
    const auto res = client.Post(path, server::dump(body), "application/json");
    if (!res) throw Error(url_ + path + ": " + httplib::to_string(res.error()));
    const Json j = Json::parse(res->body, nullptr, false);
    if (res->status != 200) {
      std::string msg = j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"].value("message", "") : res->body.substr(0, 200);
      throw Error(url_ + path + ": HTTP " + std::to_string(res->status) + ": " + msg);
    }
    if (j.is_discarded()) throw Error(url_ + path + ": the answer is not JSON");
    return j;
  }

  std::string url_, model_, key_;
};

}  // namespace

std::unique_ptr<Target> local_target(const std::string& model_path, int threads, int parallel, int64_t n_ctx) {
  return std::make_unique<LocalTarget>(model_path, threads, parallel, n_ctx);
}

std::unique_ptr<Target> endpoint_target(const std::string& url, const std::string& model, const std::string& key) {
  return std::make_unique<EndpointTarget>(url, model, key);
}

}  // namespace fathom::eval
