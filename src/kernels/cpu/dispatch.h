// Which SIMD implementation the row kernels use. Picked once from the CPU;
// tests and benchmarks may force any level the CPU supports.
#pragma once
#include <vector>

namespace fathom::kernels {

enum class DispatchLevel {
  Scalar,       // portable C++, the reference
  AVX2,         // avx2 + fma + f16c
  AVX512,       // avx512 f/bw/vl/dq
  AVX512_VNNI,  // avx512 plus vpdpbusd and vbmi (byte permutes)
  AVX512_BF16,  // avx512_vnni plus vdpbf16ps
};

const char* dispatch_level_name(DispatchLevel level);

// Every level this CPU can run, Scalar first, best last.
std::vector<DispatchLevel> supported_dispatch_levels();

DispatchLevel dispatch_level();

// Throws fathom::Error when the CPU lacks the level. Not meant to race with
// running kernels: set it between operations.
void set_dispatch_level(DispatchLevel level);

}  // namespace fathom::kernels
