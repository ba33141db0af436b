// Human-readable quantities: bytes in binary units, counts with B/M/K suffixes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom {

std::string format_bytes(uint64_t bytes);  // "12.81 GiB", "512 B"
std::string format_count(int64_t n);       // "116.83 B", "5.13 M", "512"
std::string format_shape(const std::vector<int64_t>& dims);  // "[2880, 2880, 32]", for errors
std::string format_number(const char* printf_format, double x);  // format_number("%.2f", x)

}  // namespace fathom
