// The harmony output parser. The model's reply is a sequence of messages; headers are
// short, so a header is held until its <|message|> and parsed whole, while message
// bodies stream. Malformed output (a header that never reaches <|message|>, a missing
// <|end|>, an unknown channel or role, text after the end) is kept as content.
#include <sstream>

#include "chat/harmony.h"
#include "chat/utf8.h"

namespace fathom::chat {

namespace {

// Real headers are a few dozen bytes; past this, the model is writing text without one.
constexpr size_t kMaxHeaderBytes = 256;

constexpr std::string_view kStart = "<|start|>", kEnd = "<|end|>", kMessage = "<|message|>", kChannel = "<|channel|>",
                           kConstrain = "<|constrain|>", kReturn = "<|return|>", kCall = "<|call|>";

struct Header {
  std::string role, channel, recipient;
};

// "assistant to=functions.f<|channel|>commentary json" or
// "<|channel|>commentary to=functions.f <|constrain|>json": the recipient may sit on
// either side of the channel marker; the content type is not needed.
Header parse_header(std::string raw) {
  for (size_t at; (at = raw.find(kConstrain)) != std::string::npos;) raw.replace(at, kConstrain.size(), " ");
  const size_t channel_at = raw.find(kChannel);
  Header h;
  const auto scan = [&h](const std::string& part, std::string& first_word) {
    std::istringstream words(part);
    for (std::string w; words >> w;) {
      if (w.rfind("to=", 0) == 0) {
        h.recipient = w.substr(3);
      } else if (first_word.empty()) {
        first_word = w;
      }
    }
  };
  scan(raw.substr(0, channel_at), h.role);
  if (channel_at != std::string::npos) scan(raw.substr(channel_at + kChannel.size()), h.channel);
  return h;
}

// "functions.get_weather" -> "get_weather"; built-in tools ("browser.search") keep their namespace.
std::string function_name(const std::string& recipient) {
  constexpr std::string_view ns = "functions.";
  return recipient.rfind(ns, 0) == 0 ? recipient.substr(ns.size()) : recipient;
}

}  // namespace

void HarmonyParser::push(std::string_view t, bool special, std::vector<Event>& out) {
  if (special && t == kStart) {
    if (state_ == State::Header) header_as_content(out);
    if (state_ == State::Body) close_message(out);
    state_ = State::Header;
    header_.clear();
  } else if (special && t == kChannel && state_ != State::Header) {
    // A channel with no <|end|><|start|>assistant before it: the model skipped them.
    if (state_ == State::Body) close_message(out);
    state_ = State::Header;
    header_ = t;
  } else if (special && state_ == State::Header && (t == kChannel || t == kConstrain)) {
    header_ += t;
  } else if (special && state_ == State::Header && t == kMessage) {
    open_message(out);
  } else if (special && (t == kEnd || t == kReturn || t == kCall)) {
    if (state_ == State::Header) header_as_content(out);
    if (state_ == State::Body) close_message(out);
    state_ = State::Between;
    if (t != kEnd) end(out);
  } else if (state_ == State::Header) {
    header_ += t;
    if (header_.size() > kMaxHeaderBytes) {
      header_as_content(out);
      state_ = State::Body;
      dest_ = Dest::Content;
    }
  } else {
    // Body text, or text outside any message (after the end, say), which is kept as content.
    text(t, state_ == State::Body ? dest_ : Dest::Content, out);
  }
}

void HarmonyParser::finish(std::vector<Event>& out) {
  if (state_ == State::Header) header_as_content(out);
  if (state_ == State::Body) close_message(out);
  state_ = State::Between;
  flush_held(out);
  end(out);
}

void HarmonyParser::open_message(std::vector<Event>& out) {
  flush_held(out);  // a character never spans two messages
  const Header h = parse_header(header_);
  header_.clear();
  state_ = State::Body;
  recipient_ = h.recipient;
  arguments_.clear();
  if (!h.role.empty() && h.role != "assistant") {
    dest_ = Dest::Content;  // an unknown author: keep its text visible
  } else if (!h.recipient.empty()) {
    dest_ = Dest::Call;
  } else if (h.channel == "analysis") {
    dest_ = Dest::Reasoning;
  } else {
    dest_ = Dest::Content;  // final, a commentary preamble, or an unknown channel
  }
}

void HarmonyParser::close_message(std::vector<Event>& out) {
  if (dest_ == Dest::Call) {
    const std::string args = valid_utf8(arguments_);
    Event e{Event::Type::ToolCall, {}, {}};
    e.call.name = function_name(recipient_);
    e.call.arguments = Json::parse(args, nullptr, false);
    if (e.call.arguments.is_discarded()) e.call.arguments = args;
    out.push_back(std::move(e));
  }
  flush_held(out);
}

void HarmonyParser::header_as_content(std::vector<Event>& out) {
  text(header_, Dest::Content, out);
  header_.clear();
}

void HarmonyParser::text(std::string_view bytes, Dest dest, std::vector<Event>& out) {
  if (dest == Dest::Call) {
    arguments_ += bytes;
    return;
  }
  if (dest != held_dest_) {
    flush_held(out);
    held_dest_ = dest;
  }
  if (std::string whole = utf8_.push(bytes); !whole.empty()) {
    out.push_back({dest == Dest::Reasoning ? Event::Type::Reasoning : Event::Type::Content, std::move(whole), {}});
  }
}

void HarmonyParser::flush_held(std::vector<Event>& out) {
  if (std::string rest = utf8_.flush(); !rest.empty()) {
    out.push_back({held_dest_ == Dest::Reasoning ? Event::Type::Reasoning : Event::Type::Content, std::move(rest), {}});
  }
}

void HarmonyParser::end(std::vector<Event>& out) {
  if (ended_) return;
  ended_ = true;
  out.push_back({Event::Type::End, {}, {}});
}

}  // namespace fathom::chat
