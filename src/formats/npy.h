// NumPy .npy (format 1.0) writing of float32 arrays.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::npy {

void write_f32(const std::string& path, const std::vector<int64_t>& shape, const float* data);

}  // namespace fathom::npy
