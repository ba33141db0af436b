// tokenizer.json loading on arbitrary files; a vocabulary that loads must also encode.
#include <cstdint>
#include <filesystem>

#include "core/error.h"
#include "fuzz_file.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A folder of its own: the loader also reads tokenizer_config.json beside the file.
  const std::string dir = "/tmp/fathom-fuzz-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = fuzz_input_file(data, size, "tokenizer.json");
  const std::string target = dir + "/tokenizer.json";
  std::filesystem::rename(path, target);
  try {
    const auto tok = fathom::tokenizer::Tokenizer::from_hf_json(target);
    const auto ids = tok->encode("Hello, мир! <|im_end|> 123", /*parse_special=*/true);
    (void)tok->decode(ids);
  } catch (const fathom::Error&) {
  }
  return 0;
}
