// Sizes and rates as people type them on the command line, with the units' exact
// meaning: GB = 10^9 bytes, GiB = 2^30 bytes (MB/MiB, TB/TiB likewise).
#pragma once
#include <cstdint>
#include <string>

namespace fathom::plan {

// "98GB", "96 GiB", "1.5TB" -> bytes. A bare number is refused: GB and GiB differ by 7%.
// Throws Error naming the flag and what was expected.
uint64_t parse_size(const std::string& flag, const std::string& text);

// "1792GB/s", "1.8 TB/s" -> bytes per second.
double parse_rate(const std::string& flag, const std::string& text);

}  // namespace fathom::plan
