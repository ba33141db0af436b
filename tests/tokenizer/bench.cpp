// Encode throughput of fathom's o200k_harmony and Qwen3 tokenizers on text files
// (bench.sh prepares Russian and English text and runs js-tiktoken on the same).
// Usage: fathom_tokenizer_bench O200K_RANKS QWEN3_TOKENIZER_JSON FILE...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace {

using fathom::tokenizer::Tokenizer;

// First pass (empty piece cache) and best of the next four, in MB/s (10^6 bytes).
void bench(const char* name, const Tokenizer& tok, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw fathom::Error(file + ": cannot open");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  double first = 0, best = 1e30;
  size_t n_tokens = 0;
  for (int run = 0; run < 5; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    n_tokens = tok.encode(text).size();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (run == 0) {
      first = s;
    } else {
      best = std::min(best, s);
    }
  }
  std::printf("fathom %-6s %-28s %8zu bytes %7zu tokens  first %6.2f MB/s  best %6.2f MB/s\n", name, file.c_str(),
              text.size(), n_tokens, text.size() / first / 1e6, text.size() / best / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s O200K_RANKS QWEN3_TOKENIZER_JSON FILE...\n", argv[0]);
    return 2;
  }
  try {
    const auto o200k = Tokenizer::from_tiktoken(argv[1], "gpt-4o", fathom::tokenizer::o200k_harmony_specials());
    const auto qwen3 = Tokenizer::from_hf_json(argv[2]);
    for (int i = 3; i < argc; ++i) {
      bench("o200k", *o200k, argv[i]);
      bench("qwen3", *qwen3, argv[i]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
