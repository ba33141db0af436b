// Files built into the binary (the web page, the built-in eval suite) by
// cmake/embed_assets.cmake, so fathom needs nothing beside it at run time.
#pragma once
#include <string_view>

namespace fathom {

struct EmbeddedFile {
  std::string_view path;  // "/index.html", "/ru.jsonl"
  std::string_view content_type;
  std::string_view data;
};

}  // namespace fathom
