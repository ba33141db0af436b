// The GGUF reader on arbitrary bytes: header, metadata and tensor infos must be
// rejected with an Error, never read outside the buffer.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "formats/gguf_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (bool header_only : {false, true}) {
    try {
      fathom::gguf::parse_file(data, size, "fuzz.gguf", header_only);
    } catch (const fathom::Error&) {
    }
  }
  return 0;
}
