#include "eval/answers.h"

#include <cmath>
#include <regex>
#include <vector>

namespace fathom::eval {

namespace {

bool is_space_byte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space_byte(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space_byte(s.back())) s.remove_suffix(1);
  return s;
}

// Final punctuation and wrapping quotes, ASCII and the Russian «» and “”.
std::string strip_punctuation(std::string s) {
  for (bool changed = true; changed;) {
    changed = false;
    for (std::string_view p : {".", "!", "?", ",", ";", ":", "*", "\"", "'", "»", "”", "`", ")"}) {
      if (s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0) {
        s.erase(s.size() - p.size());
        changed = true;
      }
    }
    for (std::string_view p : {"*", "\"", "'", "«", "“", "`", "("}) {
      if (s.compare(0, p.size(), p) == 0) {
        s.erase(0, p.size());
        changed = true;
      }
    }
    const std::string t(trim(s));
    if (t.size() != s.size()) changed = true;
    s = t;
  }
  return s;
}

// Lower case for ASCII and Russian Cyrillic (А-Я, Ё), byte-wise over UTF-8.
std::string lower(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c + 32);
    } else if (c == 0xD0 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      if (d >= 0x90 && d <= 0x9F) {  // А-П -> а-п
        out += '\xD0';
        out += static_cast<char>(d + 0x20);
      } else if (d >= 0xA0 && d <= 0xAF) {  // Р-Я -> р-я
        out += '\xD1';
        out += static_cast<char>(d - 0x20);
      } else if (d == 0x81) {  // Ё -> ё
        out += "\xD1\x91";
      } else {
        out += static_cast<char>(c);
        out += static_cast<char>(d);
      }
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> w;
  std::string cur;
  for (char c : s) {
    if (is_space_byte(c)) {
      if (!cur.empty()) w.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) w.push_back(cur);
  return w;
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// A group separator inside a number: a space, a no-break space or a narrow no-break space.
size_t group_space_len(std::string_view s, size_t i) {
  if (i < s.size() && s[i] == ' ') return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;
  if (s.substr(i, 3) == "\xE2\x80\xAF") return 3;
  return 0;
}

// A number's characters (digits, '.', ',' and group spaces) into a double.
std::optional<double> parse_number(std::string raw, bool negative, std::string_view lang) {
  const size_t dot = raw.rfind('.'), comma = raw.rfind(',');
  std::string digits;
  if (dot != std::string::npos && comma != std::string::npos) {
    const char decimal = dot > comma ? '.' : ',';
    for (char c : raw) {
      if (digit(c)) digits += c;
      else if (c == decimal) digits += '.';
    }
  } else if (comma != std::string::npos || dot != std::string::npos) {
    const char sep = comma != std::string::npos ? ',' : '.';
    // Every separator followed by exactly three digits reads as grouping when there are
    // several, or for a lone comma in English; otherwise the separator is decimal.
    size_t n_sep = 0;
    bool all_groups = true;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != sep) continue;
      ++n_sep;
      size_t k = i + 1;
      while (k < raw.size() && digit(raw[k])) ++k;
      if (k - i - 1 != 3) all_groups = false;
    }
    const bool grouping = all_groups && (n_sep > 1 || (sep == ',' && lang == "en"));
    for (char c : raw) {
      if (digit(c)) digits += c;
      else if (c == sep && !grouping) digits += '.';
    }
  } else {
    for (char c : raw) {
      if (digit(c)) digits += c;
    }
  }
  if (digits.empty() || digits.front() == '.') return std::nullopt;
  const double v = std::strtod(digits.c_str(), nullptr);
  return negative ? -v : v;
}

}  // namespace

std::string extract_final_answer(std::string_view reply) {
  std::string_view last;
  size_t start = 0;
  while (start <= reply.size()) {
    size_t end = reply.find('\n', start);
    if (end == std::string_view::npos) end = reply.size();
    const std::string_view line = trim(reply.substr(start, end - start));
    if (!line.empty()) last = line;
    start = end + 1;
  }
  std::string s(last);
  for (size_t p; (p = s.find("**")) != std::string::npos;) s.erase(p, 2);
  // "Answer: 42", "Final answer - 42", "Ответ: 42", "**Окончательный ответ:** 42".
  const size_t colon = s.find(':');
  if (colon != std::string::npos && colon < 40) {
    const std::string label = lower(s.substr(0, colon));
    if (label.find("answer") != std::string::npos || label.find("ответ") != std::string::npos) s.erase(0, colon + 1);
  }
  return strip_punctuation(std::string(trim(s)));
}

std::optional<double> last_number(std::string_view t, std::string_view lang) {
  std::optional<double> last;
  for (size_t i = 0; i < t.size();) {
    if (!digit(t[i])) {
      ++i;
      continue;
    }
    bool negative = false;
    if (i >= 1 && t[i - 1] == '-') negative = true;
    if (i >= 3 && t.substr(i - 3, 3) == "\xE2\x88\x92") negative = true;  // U+2212 minus
    std::string raw;
    size_t k = i;
    for (;;) {
      while (k < t.size() && digit(t[k])) raw += t[k++];
      // A separator continues the number only between digits.
      const size_t gs = group_space_len(t, k);
      if (gs > 0 && k + gs < t.size() && digit(t[k + gs])) {
        k += gs;
        continue;
      }
      if (k + 1 < t.size() && (t[k] == '.' || t[k] == ',') && digit(t[k + 1])) {
        raw += t[k++];
        continue;
      }
      break;
    }
    last = parse_number(raw, negative, lang);
    i = k;
  }
  return last;
}

bool exact_match(std::string_view extracted, std::string_view answer) {
  const std::vector<std::string> got = words(lower(strip_punctuation(std::string(extracted))));
  const std::vector<std::string> want = words(lower(strip_punctuation(std::string(answer))));
  if (want.empty() || got.size() < want.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (strip_punctuation(got[got.size() - want.size() + i]) != want[i]) return false;
  }
  return true;
}

Verdict score_generative(const Item& item, std::string_view reply) {
  Verdict v;
  v.extracted = extract_final_answer(reply);
  if (item.match == "number") {
    // The number may sit in the last line or, when that line is only words, earlier.
    std::optional<double> got = last_number(v.extracted, item.lang);
    if (!got) got = last_number(reply, item.lang);
    const std::optional<double> want = last_number(item.answer, "ru");
    v.correct = got && want && std::fabs(*got - *want) <= 1e-6 * std::max(1.0, std::fabs(*want));
  } else if (item.match == "regex") {
    v.correct = std::regex_search(v.extracted, std::regex(item.answer, std::regex::ECMAScript));
  } else {
    v.correct = exact_match(v.extracted, item.answer);
  }
  return v;
}

}  // namespace fathom::eval
