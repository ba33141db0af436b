#include "server/requests.h"

#include <limits>
#include <optional>
#include <random>

#include "server/api_error.h"

namespace fathom::server {

namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

void check_model(const GenerationRequest& g, const ModelTraits& m) {
  if (!g.model.empty() && g.model != m.id) {
    throw ApiError(404, "not_found_error", "the model '" + g.model + "' does not exist; this server serves '" + m.id + "'",
                   "model", "model_not_found");
  }
}

GenerationRequest parse_generation(const Json& b, const ModelTraits& m, int64_t default_max_tokens) {
  GenerationRequest g;
  g.model = get_string(b, "model").value_or("");
  check_model(g, m);
  if (get_int(b, "n", 1, 1).value_or(1) != 1) throw bad_request("only n=1 is supported", "n");
  if (get_int(b, "best_of", 1, 1).value_or(1) != 1) throw bad_request("only best_of=1 is supported", "best_of");
  // OpenAI's defaults: temperature 1, nucleus off. top_k, min_p and repeat_penalty are
  // llama.cpp's extensions, off unless asked for.
  runtime::SamplerParams& s = g.sampling;
  s.temperature = static_cast<float>(get_number(b, "temperature", 0.0, 2.0).value_or(1.0));
  s.top_p = static_cast<float>(get_number(b, "top_p", 0.0, 1.0).value_or(1.0));
  s.top_k = get_int(b, "top_k", 0, kMaxInt).value_or(0);
  s.min_p = static_cast<float>(get_number(b, "min_p", 0.0, 1.0).value_or(0.0));
  s.presence_penalty = static_cast<float>(get_number(b, "presence_penalty", -2.0, 2.0).value_or(0.0));
  s.frequency_penalty = static_cast<float>(get_number(b, "frequency_penalty", -2.0, 2.0).value_or(0.0));
  s.repeat_penalty = static_cast<float>(get_number(b, "repeat_penalty", 0.0, 10.0).value_or(1.0));
  if (const auto seed = get_int(b, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())) {
    s.seed = static_cast<uint64_t>(*seed);
  } else {
    s.seed = std::random_device{}();
  }
  const auto max_completion = get_int(b, "max_completion_tokens", 0, kMaxInt);
  const auto max_tokens = get_int(b, "max_tokens", 0, kMaxInt);
  g.max_tokens = max_completion ? *max_completion : max_tokens ? *max_tokens : default_max_tokens;
  if (m.max_tokens > 0 && (g.max_tokens < 0 || g.max_tokens > m.max_tokens)) {
    if (g.max_tokens > m.max_tokens) {
      throw bad_request("'max_tokens' is " + std::to_string(g.max_tokens) + " but this server allows at most " +
                            std::to_string(m.max_tokens) + " per request",
                        max_completion ? "max_completion_tokens" : "max_tokens");
    }
    g.max_tokens = m.max_tokens;
  }
  g.stop = get_stop(b);
  g.stream = get_bool(b, "stream").value_or(false);
  if (const Json* so = get_object(b, "stream_options")) g.include_usage = get_bool(*so, "include_usage").value_or(false);
  return g;
}

// Message content: a string, or OpenAI's array of parts of which fathom reads the text ones.
std::string content_text(const Json& msg, size_t index) {
  const auto it = msg.find("content");
  if (it == msg.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  const std::string where = "messages[" + std::to_string(index) + "].content";
  if (!it->is_array()) throw bad_request("'" + where + "' must be a string or an array of parts, found " + json_type_name(*it), where);
  std::string text;
  for (const Json& part : *it) {
    if (!part.is_object()) throw bad_request("'" + where + "' parts must be objects", where);
    const auto type = get_string(part, "type").value_or("text");
    if (type != "text") throw bad_request("'" + where + "': parts of type '" + type + "' are not supported (text only)", where);
    text += get_string(part, "text").value_or("");
  }
  return text;
}

chat::ToolCall parse_tool_call(const Json& tc, const std::string& where) {
  if (!tc.is_object()) throw bad_request("'" + where + "' must be an object", where);
  const Json* fn = get_object(tc, "function");
  if (!fn) throw bad_request("'" + where + ".function' is required", where);
  chat::ToolCall call;
  call.id = get_string(tc, "id").value_or("");
  call.name = get_string(*fn, "name").value_or("");
  if (call.name.empty()) throw bad_request("'" + where + ".function.name' is required", where);
  const auto it = fn->find("arguments");
  if (it != fn->end() && it->is_string()) {
    // Arguments travel as JSON text; the templates print them as JSON, so parse them back.
    call.arguments = Json::parse(it->get<std::string>(), nullptr, false);
    if (call.arguments.is_discarded()) call.arguments = it->get<std::string>();
  } else if (it != fn->end()) {
    call.arguments = *it;
  } else {
    call.arguments = Json::object();
  }
  return call;
}

chat::Message parse_message(const Json& m, size_t i) {
  const std::string where = "messages[" + std::to_string(i) + "]";
  if (!m.is_object()) throw bad_request("'" + where + "' must be an object, found " + json_type_name(m), "messages");
  const auto role = get_string(m, "role");
  if (!role) throw bad_request("'" + where + ".role' is required", "messages");
  chat::Message msg;
  try {
    msg.role = chat::parse_role(*role);
  } catch (const std::exception&) {
    throw bad_request("'" + where + ".role' must be system, developer, user, assistant or tool, found '" + *role + "'",
                      "messages");
  }
  msg.content = content_text(m, i);
  if (msg.role == chat::Role::Assistant) {
    // llama.cpp's name and vLLM's / Ollama's: clients send back whichever they read.
    if (auto r = get_string(m, "reasoning_content")) msg.reasoning = *r;
    else if (auto r2 = get_string(m, "reasoning")) msg.reasoning = *r2;
    const auto tcs = m.find("tool_calls");
    if (tcs != m.end() && !tcs->is_null()) {
      if (!tcs->is_array()) throw bad_request("'" + where + ".tool_calls' must be an array", "messages");
      for (size_t k = 0; k < tcs->size(); ++k) {
        msg.tool_calls.push_back(parse_tool_call((*tcs)[k], where + ".tool_calls[" + std::to_string(k) + "]"));
      }
    }
  }
  if (msg.role == chat::Role::Tool) {
    msg.tool_call_id = get_string(m, "tool_call_id").value_or("");
    msg.name = get_string(m, "name").value_or("");
  }
  return msg;
}

std::vector<chat::ToolDef> parse_tools(const Json& b) {
  const auto it = b.find("tools");
  if (it == b.end() || it->is_null()) return {};
  if (!it->is_array()) throw bad_request("'tools' must be an array, found " + json_type_name(*it), "tools");
  std::vector<chat::ToolDef> tools;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& t = (*it)[i];
    const std::string where = "tools[" + std::to_string(i) + "]";
    if (!t.is_object() || get_string(t, "type").value_or("function") != "function") {
      throw bad_request("'" + where + "' must be {\"type\": \"function\", \"function\": {...}}", "tools");
    }
    const Json* fn = get_object(t, "function");
    if (!fn) throw bad_request("'" + where + ".function' is required", "tools");
    chat::ToolDef d;
    d.name = get_string(*fn, "name").value_or("");
    if (d.name.empty()) throw bad_request("'" + where + ".function.name' is required", "tools");
    d.description = get_string(*fn, "description").value_or("");
    const auto p = fn->find("parameters");
    d.parameters = p == fn->end() ? Json() : *p;
    tools.push_back(std::move(d));
  }
  return tools;
}

// reasoning_effort (OpenAI), reasoning.effort (Responses API style) or
// chat_template_kwargs (vLLM, llama.cpp) choose how much the model thinks.
void parse_reasoning(const Json& b, const ModelTraits& m, chat::RenderOptions& r) {
  std::optional<std::string> effort = get_string(b, "reasoning_effort");
  if (!effort) {
    if (const Json* ro = get_object(b, "reasoning")) effort = get_string(*ro, "effort");
  }
  const Json* kw = get_object(b, "chat_template_kwargs");
  if (kw && !effort) effort = get_string(*kw, "reasoning_effort");
  if (effort) {
    const std::string& e = *effort;
    if (e == "none" || e == "minimal") {
      // gpt-oss cannot switch reasoning off: its least is "low".
      if (m.thinking) r.enable_thinking = false;
      r.reasoning_effort = chat::ReasoningEffort::Low;
    } else if (e == "low" || e == "medium" || e == "high") {
      r.reasoning_effort = chat::parse_effort(e);
    } else {
      throw bad_request("'reasoning_effort' must be none, low, medium or high, found '" + e + "'", "reasoning_effort");
    }
  }
  if (kw) {
    if (const auto t = get_bool(*kw, "enable_thinking")) r.enable_thinking = *t;
  }
}

}  // namespace

ChatRequest parse_chat_request(const Json& b, const ModelTraits& m) {
  ChatRequest r;
  r.gen = parse_generation(b, m, -1);
  const auto msgs = b.find("messages");
  if (msgs == b.end() || !msgs->is_array() || msgs->empty()) {
    throw bad_request("'messages' must be a non-empty array of messages", "messages");
  }
  for (size_t i = 0; i < msgs->size(); ++i) r.conv.messages.push_back(parse_message((*msgs)[i], i));
  r.conv.tools = parse_tools(b);
  // tool_choice "none" hides the tools; "auto", "required" and a named function are
  // accepted, the model deciding (fathom does not constrain decoding).
  const auto tc = b.find("tool_choice");
  if (tc != b.end() && !tc->is_null()) {
    if (tc->is_string()) {
      const std::string c = tc->get<std::string>();
      if (c == "none") r.conv.tools.clear();
      else if (c != "auto" && c != "required") {
        throw bad_request("'tool_choice' must be none, auto, required or a function, found '" + c + "'", "tool_choice");
      }
    } else if (!tc->is_object()) {
      throw bad_request("'tool_choice' must be a string or an object, found " + json_type_name(*tc), "tool_choice");
    }
  }
  if (const Json* rf = get_object(b, "response_format")) {
    const std::string type = get_string(*rf, "type").value_or("");
    if (type == "json_object" || type == "json_schema") {
      r.json_object = true;
    } else if (type != "text") {
      throw bad_request("'response_format.type' must be text, json_object or json_schema, found '" + type + "'",
                        "response_format");
    }
  }
  if (const auto lp = get_bool(b, "logprobs"); lp && *lp) r.gen.top_logprobs = 0;
  if (const auto top = get_int(b, "top_logprobs", 0, 20)) {
    if (r.gen.top_logprobs < 0) throw bad_request("'top_logprobs' needs 'logprobs': true", "top_logprobs");
    r.gen.top_logprobs = static_cast<int>(*top);
  }
  parse_reasoning(b, m, r.render);
  return r;
}

CompletionRequest parse_completion_request(const Json& b, const ModelTraits& m) {
  CompletionRequest r;
  // OpenAI's default of 16 tokens, which lm-evaluation-harness and others rely on.
  r.gen = parse_generation(b, m, 16);
  const auto p = b.find("prompt");
  if (p == b.end() || p->is_null()) throw bad_request("'prompt' is required", "prompt");
  const auto token_list = [&](const Json& a, const std::string& where) {
    CompletionPrompt cp;
    cp.is_tokens = true;
    for (const Json& t : a) {
      if (!t.is_number_integer()) throw bad_request("'" + where + "' must hold integer token ids, found " + json_type_name(t), "prompt");
      const int64_t id = t.get<int64_t>();
      if (id < 0 || id > kMaxInt) throw bad_request("'" + where + "': token id " + std::to_string(id) + " is out of range", "prompt");
      cp.tokens.push_back(static_cast<int32_t>(id));
    }
    return cp;
  };
  if (p->is_string()) {
    r.prompts.push_back({p->get<std::string>(), {}, false});
  } else if (p->is_array() && !p->empty() && (*p)[0].is_number_integer()) {
    r.prompts.push_back(token_list(*p, "prompt"));
  } else if (p->is_array() && !p->empty()) {
    for (size_t i = 0; i < p->size(); ++i) {
      const Json& e = (*p)[i];
      const std::string where = "prompt[" + std::to_string(i) + "]";
      if (e.is_string()) r.prompts.push_back({e.get<std::string>(), {}, false});
      else if (e.is_array()) r.prompts.push_back(token_list(e, where));
      else throw bad_request("'" + where + "' must be a string or an array of token ids, found " + json_type_name(e), "prompt");
    }
  } else {
    throw bad_request("'prompt' must be a string, an array of token ids, or an array of those, found " +
                          (p->is_array() ? std::string("an empty array") : json_type_name(*p)),
                      "prompt");
  }
  if (r.prompts.size() > 64) throw bad_request("at most 64 prompts per request, found " + std::to_string(r.prompts.size()), "prompt");
  r.echo = get_bool(b, "echo").value_or(false);
  if (const auto lp = get_int(b, "logprobs", 0, 20)) r.gen.top_logprobs = static_cast<int>(*lp);
  return r;
}

}  // namespace fathom::server
