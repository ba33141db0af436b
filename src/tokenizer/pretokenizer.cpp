#include "tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"

namespace fathom::tokenizer {

// o200k_base, from tiktoken_ext/openai_public.py (also gpt-oss's tokenizer.json).
const std::string_view kPatternGpt4o =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2 / Qwen2.5 / Qwen3 tokenizer.json (a Split pre-tokenizer, "Isolated").
const std::string_view kPatternQwen2 =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// GPT-2 (the pattern HF's ByteLevel pre-tokenizer applies with use_regex).
const std::string_view kPatternGpt2 = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

// The reference engines (tiktoken's Rust regex, HF's Oniguruma, llama.cpp) take \s as
// Unicode's White_Space property. PCRE2's \s under UCP also matches U+180E, so the
// patterns are compiled with \s and \S spelled out as that property.
constexpr std::string_view kWhiteSpace =
    R"(\t\n\x{0B}\f\r\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

std::string spell_out_whitespace(std::string_view pattern) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char n = pattern[++i];
      if (n == 's') {
        out += in_class ? std::string(kWhiteSpace) : "[" + std::string(kWhiteSpace) + "]";
      } else if (n == 'S' && !in_class) {
        out += "[^" + std::string(kWhiteSpace) + "]";
      } else {
        out += c;
        out += n;
      }
      continue;
    }
    if (c == '[') in_class = true;
    if (c == ']') in_class = false;
    out += c;
  }
  return out;
}

}  // namespace

std::optional<std::string> canonical_pre_tokenizer(std::string_view name) {
  if (name == "gpt-4o" || name == "qwen2" || name == "gpt2") return std::string(name);
  if (name == "gpt-2") return "gpt2";
  return std::nullopt;
}

std::optional<std::string> pre_tokenizer_for_pattern(std::string_view regex) {
  if (regex == kPatternGpt4o) return "gpt-4o";
  if (regex == kPatternQwen2) return "qwen2";
  if (regex == kPatternGpt2) return "gpt2";
  return std::nullopt;
}

struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  ~Regex() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(const std::string& name) : name_(name), re_(std::make_unique<Regex>()) {
  std::string_view published;
  if (name == "gpt-4o") {
    published = kPatternGpt4o;
  } else if (name == "qwen2") {
    published = kPatternQwen2;
  } else if (name == "gpt2") {
    published = kPatternGpt2;
  } else {
    throw Error("unknown pre-tokenizer '" + name + "' (expected gpt-4o, qwen2 or gpt2)");
  }
  const std::string pattern = spell_out_whitespace(published);
  int err = 0;
  PCRE2_SIZE err_at = 0;
  re_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP, &err,
                            &err_at, nullptr);
  if (re_->code == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw Error("pre-tokenizer " + name + ": regex does not compile at offset " + std::to_string(err_at) + ": " +
                    reinterpret_cast<const char*>(msg),
                ExitCode::Failure);
  }
  // JIT is a speed-up only: where it is unavailable the interpreter gives the same matches.
  pcre2_jit_compile(re_->code, PCRE2_JIT_COMPLETE);
}

PreTokenizer::~PreTokenizer() = default;

void PreTokenizer::split(std::string_view text, const std::function<void(std::string_view)>& on_piece) const {
  if (text.empty()) return;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create_from_pattern(re_->code, nullptr), &pcre2_match_data_free);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
  size_t pos = 0;
  while (pos < text.size()) {
    const int rc = pcre2_match(re_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, md.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(rc, msg, sizeof msg);
      throw Error("pre-tokenizer " + name_ + ": regex match failed at byte " + std::to_string(pos) + ": " +
                      reinterpret_cast<const char*>(msg),
                  ExitCode::Failure);
    }
    // Every character matches some alternative of these patterns, so there are no gaps
    // and no empty matches; text between matches would still be kept as a piece.
    const size_t begin = ov[0], end = ov[1];
    if (begin > pos) on_piece(text.substr(pos, begin - pos));
    if (end == begin) break;
    on_piece(text.substr(begin, end - begin));
    pos = end;
  }
  if (pos < text.size()) on_piece(text.substr(pos));
}

}  // namespace fathom::tokenizer
