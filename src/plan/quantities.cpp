#include "plan/quantities.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "core/error.h"

namespace fathom::plan {

namespace {

struct Unit {
  const char* name;
  double bytes;
};

constexpr Unit kUnits[] = {{"b", 1.0},          {"kb", 1e3},           {"kib", 1024.0},
                           {"mb", 1e6},         {"mib", 1048576.0},    {"gb", 1e9},
                           {"gib", 1073741824.0}, {"tb", 1e12},        {"tib", 1099511627776.0}};

// Splits "1.5 TiB" into 1.5 and "tib"; false when the text is not number + unit.
bool split(const std::string& text, double* value, std::string* unit) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  const auto [p, ec] = std::from_chars(begin, end, *value);
  if (ec != std::errc() || p == begin || !std::isfinite(*value) || *value <= 0) return false;
  unit->clear();
  for (const char* q = p; q != end; ++q) {
    if (*q == ' ' && unit->empty()) continue;
    unit->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*q))));
  }
  return true;
}

double unit_bytes(const std::string& unit) {
  for (const Unit& u : kUnits) {
    if (unit == u.name) return u.bytes;
  }
  return 0;
}

}  // namespace

uint64_t parse_size(const std::string& flag, const std::string& text) {
  double value = 0;
  std::string unit;
  const double scale = split(text, &value, &unit) ? unit_bytes(unit) : 0;
  if (scale == 0 || value * scale >= 1.8e19) {
    throw Error(flag + ": '" + text + "' is not a size (expected a number and a unit: 98GB, 96GiB, 512MiB, 1.5TB)");
  }
  return static_cast<uint64_t>(std::llround(value * scale));
}

double parse_rate(const std::string& flag, const std::string& text) {
  double value = 0;
  std::string unit;
  const bool per_second = split(text, &value, &unit) && unit.size() > 2 && unit.compare(unit.size() - 2, 2, "/s") == 0;
  const double scale = per_second ? unit_bytes(unit.substr(0, unit.size() - 2)) : 0;
  if (scale == 0) {
    throw Error(flag + ": '" + text + "' is not a bandwidth (expected a number and a unit: 1792GB/s, 3.35TB/s)");
  }
  return value * scale;
}

}  // namespace fathom::plan
