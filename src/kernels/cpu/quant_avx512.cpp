// AVX-512 kernels in two builds of one body: plain (F/BW/VL/DQ) and with VNNI.
// Function-level target attributes keep the binary runnable on any x86-64.
#include "kernels/cpu/quant_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include "kernels/cpu/avx512_warnings.h"

#include <cstring>

#include "kernels/cpu/quant_blocks.h"

FATHOM_AVX512_WARNINGS_OFF

namespace fathom::kernels::detail {

namespace avx512_plain {
#define FATHOM_TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c")))
#define FATHOM_VNNI 0
#include "kernels/cpu/quant_avx512.inc"
#undef FATHOM_VNNI
#undef FATHOM_TGT
}  // namespace avx512_plain

namespace avx512_vnni {
#define FATHOM_TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi,avx2,fma,f16c")))
#define FATHOM_VNNI 1
#include "kernels/cpu/quant_avx512.inc"
#undef FATHOM_VNNI
#undef FATHOM_TGT
}  // namespace avx512_vnni

FATHOM_AVX512_WARNINGS_ON

void install_avx512(KernelTable& t, bool vnni) {
  if (vnni) {
    avx512_vnni::install(t);
  } else {
    avx512_plain::install(t);
  }
}

void install_avx512_bf16(KernelTable& t) { avx512_vnni::install_bf16(t); }

}  // namespace fathom::kernels::detail

#else  // not x86-64: the scalar table stays in place

namespace fathom::kernels::detail {
void install_avx512(KernelTable&, bool) {}
void install_avx512_bf16(KernelTable&) {}
}  // namespace fathom::kernels::detail

#endif
