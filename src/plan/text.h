// Small formatters shared by the plan's report and risk lines.
#pragma once
#include <cstdint>
#include <string>

namespace fathom::plan {

std::string fixed(double v, int decimals);  // "12.3"
std::string rate(double bytes_per_s);       // "1792.0 GB/s"
std::string tps(double tokens_per_s);       // "123.4 tok/s"
std::string bytes(uint64_t n);              // format_bytes: "12.81 GiB"

}  // namespace fathom::plan
