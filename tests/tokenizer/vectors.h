// llama.cpp's tokenizer test vectors: NAME.inp holds strings separated by lines of
// "__ggml_vocab_test__", NAME.out one line of space-separated ids per string.
#pragma once
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fathom::tokenizer::testing {

inline std::vector<std::pair<std::string, std::vector<int32_t>>> read_vectors(const std::string& base) {
  std::ifstream inp(base + ".inp", std::ios::binary), out(base + ".out", std::ios::binary);
  if (!inp || !out) throw std::runtime_error("missing " + base + ".inp/.out");
  const std::string raw((std::istreambuf_iterator<char>(inp)), {});
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::pair<std::string, std::vector<int32_t>>> v;
  size_t pos = 0;
  for (std::string line; std::getline(out, line);) {
    const size_t next = raw.find(sep, pos);
    if (next == std::string::npos) throw std::runtime_error(base + ".inp: fewer strings than .out has lines");
    std::istringstream ids(line);
    v.emplace_back(raw.substr(pos, next - pos), std::vector<int32_t>(std::istream_iterator<int32_t>(ids), {}));
    pos = next + sep.size();
  }
  return v;
}

}  // namespace fathom::tokenizer::testing
