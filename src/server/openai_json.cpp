#include "server/openai_json.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <random>

#include "chat/utf8.h"

namespace fathom::server {

namespace {

Json tool_call_json(const chat::ToolCall& c, const std::string& id) {
  // Arguments travel as JSON text; a model that wrote invalid JSON gets its text back as is.
  const std::string args = c.arguments.is_string() ? c.arguments.get<std::string>() : dump(c.arguments);
  return Json{{"id", id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", args}}}};
}

Json token_bytes_json(const std::string& bytes) {
  Json b = Json::array();
  for (unsigned char c : bytes) b.push_back(c);
  return b;
}

Json logprob_value(float lp) { return std::isnan(lp) ? Json() : Json(lp); }

}  // namespace

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string new_id(const std::string& prefix) {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}() ^ static_cast<uint64_t>(
      std::chrono::system_clock::now().time_since_epoch().count());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%04llx", static_cast<unsigned long long>(salt),
                static_cast<unsigned long long>(++counter & 0xffff));
  return prefix + buf;
}

Json finish_reason_json(const RunResult& r) {
  switch (r.summary.reason) {
    case runtime::FinishReason::End: return r.has_tool_calls ? "tool_calls" : "stop";
    case runtime::FinishReason::Stopped: return "stop";
    case runtime::FinishReason::Length:
    case runtime::FinishReason::ContextFull: return "length";
    case runtime::FinishReason::Cancelled: return "cancelled";
    case runtime::FinishReason::Error: return "error";
  }
  return nullptr;
}

Json usage_json(const std::vector<RunResult>& results, const std::vector<int64_t>& n_prompt) {
  int64_t prompt = 0, completion = 0, reasoning = 0, cached = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    prompt += n_prompt[i];
    completion += results[i].summary.n_generated;
    reasoning += results[i].reasoning_tokens;
    cached += results[i].summary.n_reused;
  }
  return Json{{"prompt_tokens", prompt},
              {"completion_tokens", completion},
              {"total_tokens", prompt + completion},
              {"prompt_tokens_details", {{"cached_tokens", cached}}},
              {"completion_tokens_details", {{"reasoning_tokens", reasoning}}}};
}

Json timings_json(const std::vector<RunResult>& results) {
  int64_t prompt_n = 0, predicted_n = 0, cached = 0;
  double prompt_s = 0, predicted_s = 0;
  for (const RunResult& r : results) {
    prompt_n += r.summary.n_prompt - r.summary.n_reused;
    cached += r.summary.n_reused;
    predicted_n += r.summary.n_generated;
    prompt_s = std::max(prompt_s, r.summary.prefill_seconds);
    predicted_s = std::max(predicted_s, r.summary.decode_seconds);
  }
  const auto per_second = [](int64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0.0; };
  return Json{{"cache_n", cached},
              {"prompt_n", prompt_n},
              {"prompt_ms", prompt_s * 1e3},
              {"prompt_per_second", per_second(prompt_n, prompt_s)},
              {"predicted_n", predicted_n},
              {"predicted_ms", predicted_s * 1e3},
              {"predicted_per_second", per_second(predicted_n, predicted_s)}};
}

Json chat_logprob_json(const tokenizer::Tokenizer& tok, const runtime::GeneratedToken& g) {
  const auto entry = [&](int32_t id, float lp) {
    const std::string bytes = tok.token_bytes(id);
    return Json{{"token", chat::valid_utf8(bytes)}, {"logprob", logprob_value(lp)}, {"bytes", token_bytes_json(bytes)}};
  };
  Json j = entry(g.token, g.logprobs.chosen.logprob);
  Json top = Json::array();
  for (const runtime::TokenLogprob& t : g.logprobs.top) top.push_back(entry(t.token, t.logprob));
  j["top_logprobs"] = top;
  return j;
}

Json chat_message_json(const std::vector<Piece>& pieces, const std::string& call_id_prefix) {
  std::string content, reasoning;
  bool any_reasoning = false;
  Json calls = Json::array();
  for (const Piece& p : pieces) {
    for (const chat::Event& e : p.events) {
      if (e.type == chat::Event::Type::Content) content += e.text;
      if (e.type == chat::Event::Type::Reasoning) {
        reasoning += e.text;
        any_reasoning = true;
      }
      if (e.type == chat::Event::Type::ToolCall) {
        calls.push_back(tool_call_json(e.call, call_id_prefix + std::to_string(calls.size())));
      }
    }
  }
  Json m{{"role", "assistant"}, {"content", content.empty() && !calls.empty() ? Json() : Json(content)}};
  if (any_reasoning) {
    // llama.cpp's name and vLLM's / Ollama's; Open WebUI reads both.
    m["reasoning_content"] = reasoning;
    m["reasoning"] = reasoning;
  }
  if (!calls.empty()) m["tool_calls"] = calls;
  return m;
}

Json chat_delta_json(const Piece& p, const std::string& call_id_prefix, int* n_calls) {
  std::string content, reasoning;
  bool any_content = false, any_reasoning = false;
  Json calls = Json::array();
  for (const chat::Event& e : p.events) {
    if (e.type == chat::Event::Type::Content) {
      content += e.text;
      any_content = true;
    } else if (e.type == chat::Event::Type::Reasoning) {
      reasoning += e.text;
      any_reasoning = true;
    } else if (e.type == chat::Event::Type::ToolCall) {
      Json c = tool_call_json(e.call, call_id_prefix + std::to_string(*n_calls));
      c["index"] = (*n_calls)++;
      calls.push_back(c);
    }
  }
  Json d = Json::object();
  if (any_reasoning) {
    d["reasoning_content"] = reasoning;
    d["reasoning"] = reasoning;
  }
  if (any_content) d["content"] = content;
  if (!calls.empty()) d["tool_calls"] = calls;
  return d;
}

Json completion_logprobs_json(const tokenizer::Tokenizer& tok, const std::vector<runtime::GeneratedToken>& tokens,
                              size_t* offset) {
  Json toks = Json::array(), lps = Json::array(), tops = Json::array(), offsets = Json::array();
  for (const runtime::GeneratedToken& g : tokens) {
    const std::string bytes = tok.token_bytes(g.token);
    toks.push_back(chat::valid_utf8(bytes));
    lps.push_back(logprob_value(g.logprobs.chosen.logprob));
    if (std::isnan(g.logprobs.chosen.logprob)) {
      tops.push_back(nullptr);
    } else {
      Json top = Json::object();
      for (const runtime::TokenLogprob& t : g.logprobs.top) {
        top[chat::valid_utf8(tok.token_bytes(t.token))] = t.logprob;
      }
      tops.push_back(top);
    }
    offsets.push_back(*offset);
    *offset += bytes.size();
  }
  return Json{{"tokens", toks}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
}

}  // namespace fathom::server
