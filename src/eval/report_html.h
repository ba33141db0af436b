// The comparison report as one self-contained HTML file (no script, no CDN: opens
// offline anywhere): tables whose numeric cells carry their JSON path and exact value,
// SVG charts drawn here, and a summary whose sentences are computed from the numbers.
// The whole document is embedded too, for anyone who wants the raw figures.
#pragma once
#include <string>
#include <vector>

#include "chat/conversation.h"

namespace fathom::eval {

std::vector<std::string> summary_sentences(const chat::Json& doc);
std::string report_html(const chat::Json& doc);

}  // namespace fathom::eval
