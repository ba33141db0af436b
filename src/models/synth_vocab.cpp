#include "models/synth_vocab.h"

#include <map>
#include <set>
#include <sstream>

#include "core/error.h"

namespace fathom::models {

namespace {

constexpr int32_t kNormal = 1, kControl = 3;

// GPT-2's reversible byte -> printable code point mapping, UTF-8 encoded.
std::string byte_token(int b) {
  int cp = b;
  if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255))) {
    int n = 0;
    for (int x = 0; x < b; ++x) {
      if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) ++n;
    }
    cp = 256 + n;
  }
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

const char* kSample =
    "The quick brown fox jumps over the lazy dog. A model that runs on your own machine "
    "should be measured, not guessed. Мы измеряем скорость и качество модели на своей машине. "
    "Съешь же ещё этих мягких французских булок, да выпей чаю. The answer is in the numbers, "
    "and the numbers are in the measurements of the model on the machine.";

// Learns merges greedily (most frequent adjacent pair first, ties by spelling) over the
// sample's space-separated words, with the leading space kept as GPT-2 does.
void learn_merges(SynthVocab& v, size_t max_merges) {
  std::vector<std::vector<std::string>> words;
  std::istringstream in(kSample);
  std::string w;
  bool first = true;
  while (in >> w) {
    std::vector<std::string> syms;
    if (!first) syms.push_back(byte_token(' '));
    first = false;
    for (unsigned char ch : w) syms.push_back(byte_token(ch));
    words.push_back(syms);
  }
  std::set<std::string> known(v.tokens.begin(), v.tokens.end());
  while (v.merges.size() < max_merges) {
    std::map<std::pair<std::string, std::string>, int> counts;
    for (const auto& syms : words) {
      for (size_t i = 0; i + 1 < syms.size(); ++i) ++counts[{syms[i], syms[i + 1]}];
    }
    auto best = counts.end();
    for (auto it = counts.begin(); it != counts.end(); ++it) {
      if (it->second >= 2 && (best == counts.end() || it->second > best->second)) best = it;
    }
    if (best == counts.end()) break;
    const auto [a, b] = best->first;
    v.merges.push_back(a + " " + b);
    if (known.insert(a + b).second) {
      v.tokens.push_back(a + b);
      v.types.push_back(kNormal);
    }
    for (auto& syms : words) {
      for (size_t i = 0; i + 1 < syms.size(); ++i) {
        if (syms[i] == a && syms[i + 1] == b) {
          syms[i] += syms[i + 1];
          syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        }
      }
    }
  }
}

}  // namespace

SynthVocab make_synth_vocab(Arch arch, int64_t n_vocab) {
  SynthVocab v;
  std::vector<std::string> specials;
  if (arch == Arch::GptOss) {
    v.pre = "gpt-4o";
    specials = {"<|startoftext|>", "<|endoftext|>", "<|return|>", "<|constrain|>", "<|channel|>",
                "<|start|>",       "<|end|>",       "<|message|>", "<|call|>"};
  } else {
    v.pre = "qwen2";
    specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"};
  }
  const int64_t needed = 256 + static_cast<int64_t>(specials.size());
  if (n_vocab < needed) {
    throw Error("vocabulary of " + std::to_string(n_vocab) + " tokens is too small: at least " +
                std::to_string(needed) + " needed (256 bytes + special tokens)");
  }
  for (int b = 0; b < 256; ++b) {
    v.tokens.push_back(byte_token(b));
    v.types.push_back(kNormal);
  }
  learn_merges(v, static_cast<size_t>(n_vocab - needed));
  for (int64_t i = 0; static_cast<int64_t>(v.tokens.size()) < n_vocab - static_cast<int64_t>(specials.size()); ++i) {
    v.tokens.push_back("<|reserved_" + std::to_string(i) + "|>");
    v.types.push_back(kControl);
  }
  for (const std::string& s : specials) {
    v.tokens.push_back(s);
    v.types.push_back(kControl);
  }
  const auto id_of = [&](const std::string& s) {
    for (size_t i = 0; i < v.tokens.size(); ++i) {
      if (v.tokens[i] == s) return static_cast<int32_t>(i);
    }
    return int32_t{0};
  };
  v.bos = id_of(arch == Arch::GptOss ? "<|startoftext|>" : "<|endoftext|>");
  v.eos = id_of(arch == Arch::GptOss ? "<|return|>" : "<|im_end|>");
  return v;
}

}  // namespace fathom::models
