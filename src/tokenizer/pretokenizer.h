// The split of text into pieces before BPE, with each model family's exact regex.
// BPE never merges across pieces, so a wrong split changes token ids.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fathom::tokenizer {

// The published patterns, verbatim (tiktoken's o200k_base, Qwen2's tokenizer.json,
// GPT-2's encoder.py), so they can be compared with what a tokenizer.json declares.
extern const std::string_view kPatternGpt4o;
extern const std::string_view kPatternQwen2;
extern const std::string_view kPatternGpt2;

// "gpt-4o", "qwen2" or "gpt2" for a name a GGUF file or caller may use ("gpt-2" is
// llama.cpp's name for GPT-2); nullopt when unknown.
std::optional<std::string> canonical_pre_tokenizer(std::string_view name);
// The pre-tokenizer whose published pattern is exactly `regex`; nullopt when none is.
std::optional<std::string> pre_tokenizer_for_pattern(std::string_view regex);

class PreTokenizer {
 public:
  // `name` must be canonical; throws Error naming it otherwise.
  explicit PreTokenizer(const std::string& name);
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  const std::string& name() const { return name_; }
  // Calls on_piece for each piece of `text`, which must be valid UTF-8; the pieces
  // cover the text in order.
  void split(std::string_view text, const std::function<void(std::string_view)>& on_piece) const;

 private:
  struct Regex;
  std::string name_;
  std::unique_ptr<Regex> re_;
};

}  // namespace fathom::tokenizer
