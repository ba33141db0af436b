#include "runtime/chat_session.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "runtime/reply_stream.h"

namespace fathom::runtime {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

ChatSession::ChatSession(models::Model& model, models::KvCache& cache, const tokenizer::Tokenizer& tok,
                         const chat::ChatFormat& format)
    : model_(model), cache_(cache), tok_(tok), format_(format), end_tokens_(tok.end_of_generation()) {}

Reply ChatSession::reply(const chat::Conversation& conv, const chat::RenderOptions& render, const ReplyOptions& opts,
                         Sampler& sampler, const std::function<void(const chat::Event&)>& on_event) {
  chat::RenderOptions ro = render;
  ro.add_generation_prompt = true;
  const std::vector<int32_t> prompt = tok_.encode(format_.render(conv, ro), /*parse_special=*/true);
  if (prompt.empty()) throw Error("the rendered conversation is empty");
  if (static_cast<int64_t>(prompt.size()) >= cache_.n_ctx()) {
    throw Error("the conversation is " + std::to_string(prompt.size()) + " tokens, the context " +
                std::to_string(cache_.n_ctx()) + ": no room for a reply (raise --ctx)");
  }

  // Earlier turns usually survive as a prefix; a template that drops old reasoning, or a
  // reply cut short, makes the rendering diverge and the cache is cut back to match. At
  // least the last prompt token is recomputed: its logits start the reply.
  const auto diverge = std::mismatch(cached_.begin(), cached_.end(), prompt.begin(), prompt.end()).first;
  const int64_t reuse = std::min<int64_t>(diverge - cached_.begin(), static_cast<int64_t>(prompt.size()) - 1);
  cache_.truncate(reuse);
  cached_.resize(static_cast<size_t>(reuse));

  Reply r;
  r.message.role = chat::Role::Assistant;
  r.stats.n_prompt = static_cast<int64_t>(prompt.size());
  r.stats.n_reused = reuse;
  std::vector<float> logits(static_cast<size_t>(model_.config().n_vocab));
  auto t0 = std::chrono::steady_clock::now();
  model_.forward(std::span<const int32_t>(prompt).subspan(static_cast<size_t>(reuse)), cache_, logits.data(), false);
  r.stats.prefill_seconds = seconds_since(t0);
  cached_ = prompt;

  ReplyStream stream(tok_, format_, opts.stop);
  const auto deliver = [&](const std::vector<chat::Event>& events) {
    for (const chat::Event& e : events) {
      chat::append_event(r.message, e);
      on_event(e);
    }
  };
  t0 = std::chrono::steady_clock::now();
  for (;;) {
    if (opts.cancel != nullptr && opts.cancel->load()) {
      r.stats.stop = StopReason::Cancelled;
      break;
    }
    const int32_t tok = sampler.sample(logits, cached_);
    deliver(stream.push(tok));
    if (stream.stopped()) {
      r.stats.stop = StopReason::StopString;
      break;
    }
    if (std::find(end_tokens_.begin(), end_tokens_.end(), tok) != end_tokens_.end()) {
      r.stats.stop = StopReason::End;
      break;
    }
    ++r.stats.n_generated;
    if (r.stats.n_generated == opts.max_tokens) {
      r.stats.stop = StopReason::Length;
      break;
    }
    if (cache_.n_past() >= cache_.n_ctx()) {
      r.stats.stop = StopReason::ContextFull;
      break;
    }
    model_.forward(std::span<const int32_t>(&tok, 1), cache_, logits.data(), false);
    cached_.push_back(tok);
  }
  deliver(stream.finish());
  r.stats.decode_seconds = seconds_since(t0);
  return r;
}

}  // namespace fathom::runtime
