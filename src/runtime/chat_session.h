// One conversation with a loaded model: each turn renders the whole conversation in the
// model's chat format, reuses the KV cache for the prefix it shares with what the cache
// already holds, and generates the reply token by token through the format's parser.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "chat/conversation.h"
#include "chat/format.h"
#include "chat/parser.h"
#include "models/kv_cache.h"
#include "models/model.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace fathom::runtime {

struct ReplyOptions {
  int64_t max_tokens = -1;                    // -1: until an end token or a full context
  const std::atomic<bool>* cancel = nullptr;  // checked before each token (Ctrl-C)
  std::vector<std::string> stop;              // end the answer where one appears (not shown)
};

enum class StopReason { End, Length, ContextFull, Cancelled, StopString };

struct ReplyStats {
  int64_t n_prompt = 0;     // tokens of the rendered conversation
  int64_t n_reused = 0;     // of those, already in the cache from earlier turns
  int64_t n_generated = 0;  // reply tokens (the end token not counted)
  double prefill_seconds = 0.0;
  double decode_seconds = 0.0;
  StopReason stop = StopReason::End;
  double prefill_tps() const { return prefill_seconds > 0 ? (n_prompt - n_reused) / prefill_seconds : 0.0; }
  double decode_tps() const { return decode_seconds > 0 ? n_generated / decode_seconds : 0.0; }
};

struct Reply {
  chat::Message message;  // the assistant's turn, ready to append to the conversation
  ReplyStats stats;
};

class ChatSession {
 public:
  // The session keeps references: model, cache, tokenizer and format must outlive it.
  ChatSession(models::Model& model, models::KvCache& cache, const tokenizer::Tokenizer& tok,
              const chat::ChatFormat& format);

  // Generates the assistant's next turn of `conv`; on_event sees reasoning and answer
  // deltas, tool calls and the end as they stream. Throws Error when the rendered
  // conversation does not fit the context.
  Reply reply(const chat::Conversation& conv, const chat::RenderOptions& render, const ReplyOptions& opts,
              Sampler& sampler, const std::function<void(const chat::Event&)>& on_event);

 private:
  models::Model& model_;
  models::KvCache& cache_;
  const tokenizer::Tokenizer& tok_;
  const chat::ChatFormat& format_;
  std::vector<int32_t> end_tokens_;
  std::vector<int32_t> cached_;  // the tokens whose keys and values the cache holds, in order
};

}  // namespace fathom::runtime
