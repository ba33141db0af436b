// Vocabulary from a Hugging Face tokenizer.json (model BPE, byte-level), with the
// tokenizer_config.json beside it for bos/eos and add_bos_token.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/error.h"
#include "formats/gguf_error.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/vocab.h"

namespace fathom::tokenizer {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& where, const std::string& what) {
  gguf::fail(path, where, what);  // same "<file>: <where>: <what>" shape as every other loader
}

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

bool flag(const json& object, const char* key) {
  return object.contains(key) && object[key].is_boolean() && object[key].get<bool>();
}

std::string type_of(const json& object) {
  return object.is_object() && object.contains("type") && object["type"].is_string() ? object["type"].get<std::string>()
                                                                                     : "";
}

std::string brief(const json& j) { return gguf::printable(j.dump(), 160); }

// The canonical pre-tokenizer a tokenizer.json's pre_tokenizer amounts to.
std::string pre_tokenizer_of(const std::string& path, const json& pt) {
  const auto byte_level = [](const json& b, bool use_regex) {
    const bool regex = !b.is_object() || !b.contains("use_regex") || flag(b, "use_regex");
    return type_of(b) == "ByteLevel" && !flag(b, "add_prefix_space") && regex == use_regex;
  };
  if (byte_level(pt, true)) return "gpt2";  // ByteLevel's own regex is GPT-2's
  if (type_of(pt) == "Sequence" && pt.contains("pretokenizers") && pt["pretokenizers"].is_array() &&
      pt["pretokenizers"].size() == 2 && byte_level(pt["pretokenizers"][1], false)) {
    const json& split = pt["pretokenizers"][0];
    // Matches kept as pieces: "Isolated", or "Removed" with invert (transformers' tiktoken
    // conversion writes that for gpt-4o); the same thing for patterns that match everywhere.
    const json behavior = split.value("behavior", json());
    const bool keeps_matches =
        (behavior == "Isolated" && !flag(split, "invert")) || (behavior == "Removed" && flag(split, "invert"));
    if (type_of(split) == "Split" && keeps_matches && split.contains("pattern") && split["pattern"].is_object() &&
        split["pattern"].contains("Regex") && split["pattern"]["Regex"].is_string()) {
      const std::string regex = split["pattern"]["Regex"].get<std::string>();
      if (const auto name = pre_tokenizer_for_pattern(regex)) return *name;
      fail(path, "pre_tokenizer",
           "unknown split regex '" + gguf::printable(regex, 200) + "' (expected the gpt-4o, qwen2 or gpt2 pattern)");
    }
  }
  fail(path, "pre_tokenizer",
       "unsupported " + brief(pt) + " (expected ByteLevel, or a Split regex followed by ByteLevel without regex)");
}

// "a b" (older files) or ["a", "b"].
std::pair<std::string, std::string> merge_pair(const std::string& path, size_t r, const json& m) {
  if (m.is_string()) {
    const std::string s = m.get<std::string>();
    const size_t space = s.find(' ', 1);
    if (space != std::string::npos) return {s.substr(0, space), s.substr(space + 1)};
  } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
    return {m[0].get<std::string>(), m[1].get<std::string>()};
  }
  fail(path, "model.merges[" + std::to_string(r) + "]", "expected \"a b\" or [\"a\", \"b\"], found " + brief(m));
}

// tokenizer_config.json's token fields are a string, {"content": ...} or null.
std::string token_text(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("content") && j["content"].is_string()) return j["content"].get<std::string>();
  return "";
}

Vocab load(const std::string& path) {
  const json j = read_json(path);
  Vocab v;
  v.source = path;
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object()) fail(path, "model", "missing");
  const json& model = j["model"];
  if (model.contains("type") && type_of(model) != "BPE") {
    fail(path, "model.type", "unsupported " + brief(model["type"]) + " (expected BPE)");
  }
  const auto nonempty = [&](const char* key) {
    return model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty();
  };
  if (flag(model, "byte_fallback") || nonempty("continuing_subword_prefix") || nonempty("end_of_word_suffix")) {
    fail(path, "model", "byte_fallback and subword affixes are not features of byte-level BPE");
  }
  if (model.contains("dropout") && model["dropout"].is_number() && model["dropout"].get<double>() > 0) {
    fail(path, "model.dropout", "BPE dropout is a training feature; expected null");
  }
  v.whole_piece_first = flag(model, "ignore_merges");
  v.pre = pre_tokenizer_of(path, j.value("pre_tokenizer", json()));
  const json normalizer = j.value("normalizer", json());
  if (type_of(normalizer) == "NFC") {
    v.nfc = true;
  } else if (!normalizer.is_null()) {
    fail(path, "normalizer", "unsupported " + brief(normalizer) + " (expected null or NFC)");
  }

  if (!model.contains("vocab") || !model["vocab"].is_object()) fail(path, "model.vocab", "missing");
  const json& vocab = model["vocab"];
  const json added = j.value("added_tokens", json::array());
  int64_t n = 0;
  for (const auto& [text, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= INT32_MAX) {
      fail(path, "model.vocab['" + gguf::printable(text) + "']", "expected a token id, found " + brief(id));
    }
    n = std::max(n, id.get<int64_t>() + 1);
  }
  for (const json& a : added) {
    if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || a["id"].get<int64_t>() < 0 ||
        a["id"].get<int64_t>() >= INT32_MAX || !a.contains("content") || !a["content"].is_string()) {
      fail(path, "added_tokens", "expected {\"id\": n, \"content\": text, ...}, found " + brief(a));
    }
    if (flag(a, "lstrip") || flag(a, "rstrip") || flag(a, "single_word")) {
      fail(path, "added_tokens", "lstrip/rstrip/single_word are not supported: " + brief(a));
    }
    n = std::max(n, a["id"].get<int64_t>() + 1);
  }
  // Ids no entry names stay unused and decode to nothing.
  v.bytes.assign(size_t(n), "");
  v.types.assign(size_t(n), TokenType::Unused);
  std::unordered_map<std::string, int32_t> by_spelling;
  for (const auto& [text, id_json] : vocab.items()) {
    const int32_t id = id_json.get<int32_t>();
    auto raw = unicode_to_bytes(text);
    if (!raw) fail(path, "model.vocab['" + gguf::printable(text) + "']", "not spelled in GPT-2's byte characters");
    v.bytes[size_t(id)] = std::move(*raw);
    v.types[size_t(id)] = TokenType::Normal;
    by_spelling.emplace(text, id);
  }
  std::unordered_map<std::string, int32_t> added_by_text;
  for (const json& a : added) {
    const int32_t id = a["id"].get<int32_t>();
    v.bytes[size_t(id)] = a["content"].get<std::string>();
    v.types[size_t(id)] = flag(a, "special") ? TokenType::Control : TokenType::UserDefined;
    added_by_text.emplace(v.bytes[size_t(id)], id);
  }

  static const json kNoMerges = json::array();
  const json& merges = model.contains("merges") ? model["merges"] : kNoMerges;
  v.merges.reserve(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto [left, right] = merge_pair(path, r, merges[r]);
    const auto id_of = [&](const std::string& s) {
      const auto it = by_spelling.find(s);
      if (it == by_spelling.end()) {
        fail(path, "model.merges[" + std::to_string(r) + "]", "'" + gguf::printable(s) + "' is not in model.vocab");
      }
      return it->second;
    };
    v.merges.push_back({id_of(left), id_of(right), id_of(left + right), static_cast<uint32_t>(r)});
  }

  const std::filesystem::path config_path = std::filesystem::path(path).parent_path() / "tokenizer_config.json";
  if (std::filesystem::exists(config_path)) {
    const json config = read_json(config_path.string());
    const auto id_named = [&](const char* key) -> int32_t {
      const std::string text = token_text(config.value(key, json()));
      if (text.empty()) return -1;
      if (const auto it = added_by_text.find(text); it != added_by_text.end()) return it->second;
      fail(config_path.string(), key, "'" + gguf::printable(text) + "' is not an added token of " + path);
    };
    v.bos = id_named("bos_token");
    v.eos = id_named("eos_token");
    v.pad = id_named("pad_token");
    v.add_bos = flag(config, "add_bos_token");
  }
  return v;
}

}  // namespace

Vocab load_hf_vocab(const std::string& path) {
  try {
    return load(path);
  } catch (const json::exception& e) {  // a field of an unexpected JSON type
    throw Error(path + ": unexpected content: " + e.what());
  }
}

}  // namespace fathom::tokenizer
