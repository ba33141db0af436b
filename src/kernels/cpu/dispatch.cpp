// Picks the kernel table for this CPU once; tests may switch it.
#include "kernels/cpu/dispatch.h"

#include <array>
#include <atomic>
#include <string>

#include "core/error.h"
#include "kernels/cpu/quant_kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace fathom::kernels {
namespace {

constexpr int kLevels = 5;

#if defined(__x86_64__)
// Feature bits read from CPUID directly, since not every compiler's
// __builtin_cpu_supports knows fma/f16c/avx512vnni/avx512vbmi. They are only trusted together
// with a __builtin_cpu_supports check of the same register width (avx2, avx512f),
// which also confirms the OS saves that register state.
bool cpuid_bit(unsigned leaf, unsigned ecx_bit) {
  unsigned eax, ebx, ecx, edx;
  return __get_cpuid_count(leaf, 0, &eax, &ebx, &ecx, &edx) && (ecx & (1u << ecx_bit));
}
bool cpu_has_avx512_bf16() {
  unsigned eax, ebx, ecx, edx;
  return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 5));
}
bool cpu_has_fma_f16c() { return cpuid_bit(1, 12) && cpuid_bit(1, 29); }
// VBMI (byte permutes) comes with VNNI from Ice Lake on; Cascade Lake has VNNI
// without it and takes the plain AVX-512 level.
bool cpu_has_avx512_vnni_vbmi() { return cpuid_bit(7, 11) && cpuid_bit(7, 1); }
#endif

bool cpu_has(DispatchLevel level) {
#if defined(__x86_64__)
  switch (level) {
    case DispatchLevel::Scalar: return true;
    case DispatchLevel::AVX2: return __builtin_cpu_supports("avx2") && cpu_has_fma_f16c();
    case DispatchLevel::AVX512:
      return cpu_has(DispatchLevel::AVX2) && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq");
    case DispatchLevel::AVX512_VNNI: return cpu_has(DispatchLevel::AVX512) && cpu_has_avx512_vnni_vbmi();
    case DispatchLevel::AVX512_BF16: return cpu_has(DispatchLevel::AVX512_VNNI) && cpu_has_avx512_bf16();
  }
  return false;
#else
  return level == DispatchLevel::Scalar;
#endif
}

struct Tables {
  std::array<detail::KernelTable, kLevels> by_level;
  DispatchLevel best = DispatchLevel::Scalar;
};

const Tables& tables() {
  static const Tables t = [] {
    Tables r;
    detail::KernelTable cur = detail::scalar_kernels();
    r.by_level[0] = cur;
    for (int i = 1; i < kLevels; ++i) {
      const auto level = static_cast<DispatchLevel>(i);
      if (!cpu_has(level)) break;
      if (level == DispatchLevel::AVX2) detail::install_avx2(cur);
      if (level == DispatchLevel::AVX512) detail::install_avx512(cur, false);
      if (level == DispatchLevel::AVX512_VNNI) detail::install_avx512(cur, true);
      if (level == DispatchLevel::AVX512_BF16) detail::install_avx512_bf16(cur);
      r.by_level[i] = cur;
      r.best = level;
    }
    return r;
  }();
  return t;
}

std::atomic<const detail::KernelTable*>& active_slot() {
  static std::atomic<const detail::KernelTable*> slot{&tables().by_level[static_cast<int>(tables().best)]};
  return slot;
}

}  // namespace

const char* dispatch_level_name(DispatchLevel level) {
  switch (level) {
    case DispatchLevel::Scalar: return "scalar";
    case DispatchLevel::AVX2: return "avx2";
    case DispatchLevel::AVX512: return "avx512";
    case DispatchLevel::AVX512_VNNI: return "avx512_vnni";
    case DispatchLevel::AVX512_BF16: return "avx512_bf16";
  }
  return "unknown";
}

std::vector<DispatchLevel> supported_dispatch_levels() {
  std::vector<DispatchLevel> out;
  for (int i = 0; i <= static_cast<int>(tables().best); ++i) out.push_back(static_cast<DispatchLevel>(i));
  return out;
}

DispatchLevel dispatch_level() {
  const detail::KernelTable* cur = active_slot().load(std::memory_order_relaxed);
  return static_cast<DispatchLevel>(cur - tables().by_level.data());
}

void set_dispatch_level(DispatchLevel level) {
  const int i = static_cast<int>(level);
  if (i < 0 || i > static_cast<int>(tables().best)) {
    throw Error(std::string("set_dispatch_level: this CPU does not support ") + dispatch_level_name(level));
  }
  active_slot().store(&tables().by_level[i]);
}

namespace detail {
const KernelTable& active_kernels() { return *active_slot().load(std::memory_order_relaxed); }
}  // namespace detail

}  // namespace fathom::kernels
