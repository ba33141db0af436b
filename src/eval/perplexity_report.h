// Printing perplexity and precision results: aligned text tables and JSON.
#pragma once
#include <string>

#include "chat/conversation.h"
#include "eval/perplexity_run.h"

namespace fathom::eval {

std::string perplexity_text(const PerplexityReport& r);
chat::Json summary_json(const PrecisionSummary& s);
chat::Json perplexity_json(const PerplexityReport& r);

// REF against CANDIDATE per text, side by side (the candidate's report carries both).
std::string precision_text(const PerplexityReport& candidate);

}  // namespace fathom::eval
