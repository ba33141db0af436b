#include "eval/tasks.h"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "chat/conversation.h"
#include "core/error.h"
#include "eval/builtin_suite.h"

namespace fathom::eval {

namespace {

using Json = chat::Json;

std::string field(const Json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw Error(where + ": field '" + key + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

Item parse_item(const Json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected a JSON object");
  Item it;
  it.id = field(j, "id", where);
  it.lang = field(j, "lang", where);
  it.category = j.value("category", std::string("other"));
  const std::string type = field(j, "type", where);
  if (type == "mc") {
    it.mc = true;
    it.question = field(j, "question", where);
    const auto c = j.find("choices");
    if (c == j.end() || !c->is_array() || c->size() < 2) throw Error(where + ": 'choices' must be an array of at least 2 strings");
    for (const Json& s : *c) {
      if (!s.is_string()) throw Error(where + ": 'choices' must hold strings");
      it.choices.push_back(s.get<std::string>());
    }
    const auto a = j.find("answer");
    if (a == j.end() || !a->is_number_integer() || a->get<int64_t>() < 0 ||
        a->get<int64_t>() >= static_cast<int64_t>(it.choices.size())) {
      throw Error(where + ": 'answer' must be the 0-based index of a choice (0.." + std::to_string(it.choices.size() - 1) + ")");
    }
    it.answer_index = a->get<int>();
  } else if (type == "gen") {
    it.prompt = field(j, "prompt", where);
    it.answer = field(j, "answer", where);
    it.match = j.value("match", std::string("exact"));
    if (it.match != "number" && it.match != "exact" && it.match != "regex") {
      throw Error(where + ": 'match' must be number, exact or regex, found '" + it.match + "'");
    }
    if (it.match == "regex") {
      try {
        std::regex re(it.answer, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        throw Error(where + ": 'answer' is not a valid regular expression: " + e.what());
      }
    }
  } else {
    throw Error(where + ": 'type' must be mc or gen, found '" + type + "'");
  }
  return it;
}

}  // namespace

std::vector<Item> parse_items(std::string_view text, const std::string& source) {
  std::vector<Item> items;
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = source + ":" + std::to_string(line_no);
    const Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded()) throw Error(where + ": not valid JSON");
    items.push_back(parse_item(j, where));
  }
  if (items.empty()) throw Error(source + ": no items");
  return items;
}

std::vector<Item> load_items(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the task file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_items(ss.str(), path);
}

std::vector<Item> builtin_items() {
  std::vector<Item> all;
  for (const EmbeddedFile& f : builtin_suite_files()) {
    std::vector<Item> items = parse_items(f.data, "builtin" + std::string(f.path));
    all.insert(all.end(), items.begin(), items.end());
  }
  return all;
}

std::vector<Item> load_suites(const std::vector<std::string>& suites) {
  std::vector<Item> items;
  for (const std::string& s : suites) {
    const std::vector<Item> part = s == "builtin" ? builtin_items() : load_items(s);
    items.insert(items.end(), part.begin(), part.end());
  }
  return items;
}

std::vector<Item> first_per_language(const std::vector<Item>& items, int64_t limit) {
  if (limit <= 0) return items;
  std::map<std::string, int64_t> seen;
  std::vector<Item> out;
  for (const Item& it : items) {
    if (seen[it.lang]++ < limit) out.push_back(it);
  }
  return out;
}

}  // namespace fathom::eval
