// The safetensors header reader on arbitrary files.
#include <cstdint>

#include "core/error.h"
#include "formats/safetensors.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = fuzz_input_file(data, size, "model.safetensors");
  try {
    fathom::safetensors::read_header(path);
  } catch (const fathom::Error&) {
  }
  return 0;
}
