// The Qwen3 output parser: a small state machine over the text (answer, <think>,
// <tool_call>), holding back only the bytes that might still become a tag.
#include <algorithm>

#include "chat/chatml.h"
#include "chat/utf8.h"

namespace fathom::chat {

namespace {

constexpr std::string_view kThink = "<think>", kThinkEnd = "</think>", kCall = "<tool_call>", kCallEnd = "</tool_call>";

// Length of the longest end of `s` that is the start of one of `tags` (a tag that may be
// arriving in pieces); such bytes must wait for the next token.
size_t partial_tag(std::string_view s, std::initializer_list<std::string_view> tags) {
  for (size_t k = std::min(s.size(), kCallEnd.size() - 1); k > 0; --k) {
    for (std::string_view tag : tags) {
      if (k < tag.size() && tag.substr(0, k) == s.substr(s.size() - k)) return k;
    }
  }
  return 0;
}

}  // namespace

void ChatmlParser::push(std::string_view text, bool special, std::vector<Event>& out) {
  if (special && (text == "<|im_end|>" || text == "<|endoftext|>")) {
    finish(out);
    // Anything after the end is parsed afresh (and so kept).
    state_ = State::Content;
    trim_leading_ = true;
    return;
  }
  pending_ += text;
  scan(out, false);
}

void ChatmlParser::finish(std::vector<Event>& out) {
  scan(out, true);
  if (state_ == State::Call) close_call(false, out);
  flush_text(out);
  // An unterminated <think> keeps all of its text, trailing newlines included.
  if (!held_newlines_.empty()) {
    out.push_back({Event::Type::Reasoning, held_newlines_, {}});
    held_newlines_.clear();
  }
  end(out);
}

void ChatmlParser::scan(std::vector<Event>& out, bool final) {
  for (;;) {
    if (state_ == State::Call) {
      const size_t at = pending_.find(kCallEnd);
      if (at == std::string::npos) {
        const size_t keep = final ? 0 : partial_tag(pending_, {kCallEnd});
        call_ += pending_.substr(0, pending_.size() - keep);
        pending_.erase(0, pending_.size() - keep);
        return;
      }
      call_ += pending_.substr(0, at);
      pending_.erase(0, at + kCallEnd.size());
      close_call(true, out);
      continue;
    }
    const bool thinking = state_ == State::Think;
    size_t at = pending_.find(thinking ? kThinkEnd : kThink);
    size_t tag_size = thinking ? kThinkEnd.size() : kThink.size();
    if (!thinking) {
      if (const size_t call_at = pending_.find(kCall); call_at < at) {
        at = call_at;
        tag_size = kCall.size();
      }
    }
    if (at == std::string::npos) {
      const size_t keep = final      ? 0
                          : thinking ? partial_tag(pending_, {kThinkEnd})
                                     : partial_tag(pending_, {kThink, kCall});
      emit(std::string_view(pending_).substr(0, pending_.size() - keep), out);
      pending_.erase(0, pending_.size() - keep);
      return;
    }
    emit(std::string_view(pending_).substr(0, at), out);
    const bool opens_call = !thinking && tag_size == kCall.size();
    pending_.erase(0, at + tag_size);
    held_newlines_.clear();  // newlines just before </think> belong to the format
    flush_text(out);
    state_ = thinking ? State::Content : opens_call ? State::Call : State::Think;
    trim_leading_ = true;
    call_.clear();
  }
}

void ChatmlParser::emit(std::string_view bytes, std::vector<Event>& out) {
  if (trim_leading_) {
    const size_t b = bytes.find_first_not_of('\n');
    bytes = b == std::string_view::npos ? std::string_view() : bytes.substr(b);
    if (bytes.empty()) return;
    trim_leading_ = false;
  }
  std::string text;
  if (state_ == State::Think) {
    // Hold trailing newlines until text follows them: before </think> they are dropped.
    const size_t e = bytes.find_last_not_of('\n');
    if (e == std::string_view::npos) {
      held_newlines_ += bytes;
      return;
    }
    text = held_newlines_ + std::string(bytes.substr(0, e + 1));
    held_newlines_ = bytes.substr(e + 1);
  } else {
    text = bytes;
  }
  if (std::string whole = utf8_.push(text); !whole.empty()) {
    out.push_back({state_ == State::Think ? Event::Type::Reasoning : Event::Type::Content, std::move(whole), {}});
  }
}

void ChatmlParser::flush_text(std::vector<Event>& out) {
  if (std::string rest = utf8_.flush(); !rest.empty()) {
    out.push_back({state_ == State::Think ? Event::Type::Reasoning : Event::Type::Content, std::move(rest), {}});
  }
}

void ChatmlParser::close_call(bool terminated, std::vector<Event>& out) {
  const std::string body = valid_utf8(call_);
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("name") && j["name"].is_string()) {
    Event e{Event::Type::ToolCall, {}, {}};
    e.call.name = j["name"].get<std::string>();
    e.call.arguments = j.contains("arguments") ? j["arguments"] : Json::object();
    out.push_back(std::move(e));
  } else {
    // Not a call we can read: show the model's text instead of dropping it.
    out.push_back(
        {Event::Type::Content, std::string(kCall) + body + (terminated ? std::string(kCallEnd) : std::string()), {}});
  }
  state_ = State::Content;
  trim_leading_ = true;
  call_.clear();
}

void ChatmlParser::end(std::vector<Event>& out) {
  if (ended_) return;
  ended_ = true;
  out.push_back({Event::Type::End, {}, {}});
}

}  // namespace fathom::chat
