// JSON text as the chat templates' `tojson` writes it: Python's json.dumps defaults
// (", " and ": " separators, keys in the order given, non-ASCII kept as UTF-8), which
// transformers and @huggingface/jinja both follow. nlohmann's dump() is compact, so a
// prompt built with it would differ from the one the model was trained on.
#pragma once
#include <string>

#include "chat/conversation.h"

namespace fathom::chat {

std::string to_json_text(const Json& v);

}  // namespace fathom::chat
