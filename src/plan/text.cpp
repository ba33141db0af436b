#include "plan/text.h"

#include <cstdio>

#include "core/units.h"

namespace fathom::plan {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string rate(double bytes_per_s) { return fixed(bytes_per_s / 1e9, 1) + " GB/s"; }

std::string tps(double tokens_per_s) { return fixed(tokens_per_s, tokens_per_s < 10 ? 2 : 1) + " tok/s"; }

std::string bytes(uint64_t n) { return format_bytes(n); }

}  // namespace fathom::plan
