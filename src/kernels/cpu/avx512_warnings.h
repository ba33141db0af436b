// GCC 12's AVX-512 headers seed some builtins with _mm512_undefined_*(), which
// -Wuninitialized flags once inlined (GCC bug 105593); the code is correct. Files of
// AVX-512 kernels put their code between these two.
#pragma once

#if defined(__clang__)
#define FATHOM_AVX512_WARNINGS_OFF \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")
#else
#define FATHOM_AVX512_WARNINGS_OFF                                                     \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"") \
      _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#endif
#define FATHOM_AVX512_WARNINGS_ON _Pragma("GCC diagnostic pop")
