// The two generation endpoints' requests, parsed and checked: /v1/chat/completions
// (a conversation in the model's chat format) and /v1/completions (raw text or token
// ids, no template: the unfiltered path).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "runtime/sampler.h"
#include "server/request_fields.h"

namespace fathom::server {

// What the model is, as far as request parsing cares.
struct ModelTraits {
  std::string id;            // the name /v1/models lists
  bool effort = false;       // gpt-oss: reasoning effort low/medium/high
  bool thinking = false;     // Qwen3: thinking on/off
  int64_t n_ctx = 0;         // positions per slot
  int64_t max_tokens = 0;    // the server's cap per request (0: the context)
};

// Fields both endpoints share.
struct GenerationRequest {
  std::string model;
  runtime::SamplerParams sampling;
  int64_t max_tokens = -1;  // -1: until the end or the context is full
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;
  int top_logprobs = -1;    // -1: no logprobs
};

struct ChatRequest {
  GenerationRequest gen;
  chat::Conversation conv;
  chat::RenderOptions render;
  bool json_object = false;  // response_format json_object / json_schema
};

struct CompletionPrompt {
  std::string text;             // when given as text
  std::vector<int32_t> tokens;  // when given as token ids
  bool is_tokens = false;
};

struct CompletionRequest {
  GenerationRequest gen;
  std::vector<CompletionPrompt> prompts;  // one choice each
  bool echo = false;
};

ChatRequest parse_chat_request(const Json& body, const ModelTraits& m);
CompletionRequest parse_completion_request(const Json& body, const ModelTraits& m);

}  // namespace fathom::server
