// The web chat page (ui/), built by Vite at build time and embedded in the binary, so
// `fathom serve` works from any directory with nothing beside it.
#pragma once
#include <span>

#include "core/embedded.h"

namespace fathom::server {

std::span<const EmbeddedFile> ui_assets();

}  // namespace fathom::server
