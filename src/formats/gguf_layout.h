// Layout rules shared by the GGUF reader and writer, so both agree on what a
// valid tensor and alignment are.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fathom::gguf {

inline constexpr uint64_t kDefaultAlignment = 32;
inline constexpr uint32_t kMaxDims = 4;
// Deeper nesting has no use in real files and would let a tiny file recurse deeply.
inline constexpr int kMaxArrayDepth = 8;

inline bool valid_alignment(uint64_t a) { return a != 0 && (a & (a - 1)) == 0; }

// Rounds x up to a multiple of the power-of-two a; false on overflow.
inline bool align_up(uint64_t x, uint64_t a, uint64_t* out) {
  uint64_t sum;
  if (__builtin_add_overflow(x, a - 1, &sum)) return false;
  *out = sum & ~(a - 1);
  return true;
}

struct TensorSize {
  int64_t n_elements = 0;
  uint64_t n_bytes = 0;
};

// Element and byte counts of a tensor of ggml type `type`, or what makes the
// shape invalid ("unknown ggml type id 57", "dims[0] = 33, expected a multiple
// of 32 (the q8_0 block)"). Returns an empty string on success.
std::string tensor_size(const std::vector<int64_t>& dims, uint32_t type, TensorSize* out);

}  // namespace fathom::gguf
