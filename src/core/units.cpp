#include "core/units.h"

#include <cstdio>

namespace fathom {

namespace {
std::string scaled(double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s", v, unit);
  return buf;
}
}  // namespace

std::string format_bytes(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) return scaled(b / (1024.0 * 1024 * 1024), "GiB");
  if (b >= 1024.0 * 1024) return scaled(b / (1024.0 * 1024), "MiB");
  if (b >= 1024.0) return scaled(b / 1024.0, "KiB");
  return std::to_string(bytes) + " B";
}

std::string format_count(int64_t n) {
  const double v = static_cast<double>(n);
  if (v >= 1e9) return scaled(v / 1e9, "B");
  if (v >= 1e6) return scaled(v / 1e6, "M");
  if (v >= 1e3) return scaled(v / 1e3, "K");
  return std::to_string(n);
}

std::string format_shape(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string format_number(const char* printf_format, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, printf_format, x);
  return buf;
}

}  // namespace fathom
