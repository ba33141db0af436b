// The built-in suite's files (eval/builtin/*.jsonl), embedded at build time.
#pragma once
#include <span>

#include "core/embedded.h"

namespace fathom::eval {

std::span<const EmbeddedFile> builtin_suite_files();

}  // namespace fathom::eval
