// HTTP request bodies into chat and completion requests: wrong types, deep nesting,
// huge numbers and invalid UTF-8 must end in an ApiError (a 400), nothing else; a
// request that parses must also render in both chat formats.
#include <cstdint>
#include <string>

#include "chat/format.h"
#include "core/error.h"
#include "server/api_error.h"
#include "server/requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  fathom::server::ModelTraits m;
  m.id = "m";
  m.n_ctx = 4096;
  for (bool effort : {true, false}) {
    m.effort = effort;
    m.thinking = !effort;
    try {
      const auto j = fathom::server::parse_body(body);
      try {
        const auto r = fathom::server::parse_chat_request(j, m);
        // The server answers a conversation its format cannot render with a 400 too.
        try {
          (void)fathom::chat::chat_format_for(effort ? "gpt-oss" : "qwen3")->render(r.conv, r.render);
        } catch (const fathom::Error&) {
        }
      } catch (const fathom::server::ApiError&) {
      }
      try {
        (void)fathom::server::parse_completion_request(j, m);
      } catch (const fathom::server::ApiError&) {
      }
    } catch (const fathom::server::ApiError&) {
    }
  }
  return 0;
}
