#include "server/test_script.h"

#include <fstream>
#include <sstream>

#include "chat/conversation.h"
#include "core/error.h"

namespace fathom::server {

TestScript TestScript::load(const std::string& path, const tokenizer::Tokenizer& tok) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open the test script");
  std::stringstream ss;
  ss << in.rdbuf();
  const chat::Json j = chat::Json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("replies") || !j["replies"].is_array()) {
    throw Error(path + ": expected {\"replies\": [{\"match\", \"output\", \"delay_ms\"}, ...]}");
  }
  TestScript s;
  for (const chat::Json& r : j["replies"]) {
    if (!r.is_object() || !r.contains("match") || !r["match"].is_string() || !r.contains("output") ||
        !r["output"].is_string()) {
      throw Error(path + ": every reply needs string fields 'match' and 'output'");
    }
    Entry e;
    e.match = r["match"].get<std::string>();
    e.reply.tokens = tok.encode(r["output"].get<std::string>(), /*parse_special=*/true, /*add_bos=*/false);
    e.reply.delay = std::chrono::milliseconds(r.value("delay_ms", 0));
    s.entries_.push_back(std::move(e));
  }
  return s;
}

std::optional<ScriptedReply> TestScript::find(const std::string& text) const {
  for (const Entry& e : entries_) {
    if (text.find(e.match) != std::string::npos) return e.reply;
  }
  return std::nullopt;
}

}  // namespace fathom::server
