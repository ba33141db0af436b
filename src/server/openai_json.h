// The JSON objects of OpenAI's API as fathom fills them: completions, chunks, usage,
// logprobs, and llama.cpp's `timings` (prefill and decode tokens/s), which Open WebUI
// and llama.cpp's own page read.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "server/run.h"
#include "tokenizer/tokenizer.h"

namespace fathom::server {

using Json = chat::Json;

// "stop", "length" or "tool_calls"; null while running.
Json finish_reason_json(const RunResult& r);

// Token counts of one or more runs (a completion request may carry several prompts).
Json usage_json(const std::vector<RunResult>& results, const std::vector<int64_t>& n_prompt);
Json timings_json(const std::vector<RunResult>& results);

// A generated token in the chat API's logprobs.content shape.
Json chat_logprob_json(const tokenizer::Tokenizer& tok, const runtime::GeneratedToken& g);

// The assistant message assembled from a run's pieces (non-streaming).
Json chat_message_json(const std::vector<Piece>& pieces, const std::string& call_id_prefix);
// The delta of one streamed piece; tool calls numbered from *n_calls on.
Json chat_delta_json(const Piece& p, const std::string& call_id_prefix, int* n_calls);

// The classic completions logprobs object {tokens, token_logprobs, top_logprobs, text_offset}
// over the echoed prompt (when echo) then the generated tokens. text_offset counts UTF-8
// bytes of the tokens from *offset on, and *offset moves past them.
Json completion_logprobs_json(const tokenizer::Tokenizer& tok, const std::vector<runtime::GeneratedToken>& tokens,
                              size_t* offset);

// Compact JSON text that survives invalid UTF-8 (replaced by U+FFFD).
std::string dump(const Json& j);
// A fresh id with a prefix ("chatcmpl-…").
std::string new_id(const std::string& prefix);

}  // namespace fathom::server
