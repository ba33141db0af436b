// The harmony and ChatML streaming parsers fed arbitrary token sequences: the input is
// cut into tokens at 0xFF bytes, and a token starting with 0xFE is marked special.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chat/format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::pair<std::string, bool>> tokens;
  std::string cur;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == 0xFF) {
      const bool special = !cur.empty() && static_cast<uint8_t>(cur[0]) == 0xFE;
      tokens.emplace_back(special ? cur.substr(1) : cur, special);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  for (const char* arch : {"gpt-oss", "qwen3"}) {
    const auto format = fathom::chat::chat_format_for(arch);
    const auto parser = format->make_parser();
    std::vector<fathom::chat::Event> events;
    for (const auto& [text, special] : tokens) parser->push(text, special, events);
    parser->finish(events);
    fathom::chat::Message m;
    for (const auto& e : events) fathom::chat::append_event(m, e);
  }
  return 0;
}
