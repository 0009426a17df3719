/* The CPU features weld reads from the C library agree with the cpuid instruction read
 * here directly (the same bits of the same leaves, AVX's family gated on the OS saving
 * the YMM state), and the compiled-code tier's mask is their first 17 bits. */
#include <stdlib.h>

#include "unit.h"
#include "jit/image.h"
#include "util/cpu.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

static uint32_t by_cpuid(void) {
  unsigned a, b, c, d, max;
  uint32_t f = 0;
  __cpuid(0, max, b, c, d);
  if (max < 1) return 0;
  __cpuid(1, a, b, c, d);
  unsigned c1 = c;
  struct { unsigned bit; uint32_t f; } l1[] = {
      {0, UTIL_CPU_SSE3},   {1, UTIL_CPU_PCLMUL},  {9, UTIL_CPU_SSSE3},  {13, UTIL_CPU_CX16},
      {19, UTIL_CPU_SSE41}, {20, UTIL_CPU_SSE42},  {22, UTIL_CPU_MOVBE}, {23, UTIL_CPU_POPCNT},
      {25, UTIL_CPU_AES},
  };
  for (size_t i = 0; i < sizeof l1 / sizeof *l1; i++)
    if (c1 >> l1[i].bit & 1) f |= l1[i].f;
  int ymm = 0;
  if ((c1 >> 27 & 1) && (c1 >> 28 & 1)) {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ymm = (lo & 6u) == 6u;
  }
  if (ymm) {
    f |= UTIL_CPU_AVX;
    if (c1 >> 12 & 1) f |= UTIL_CPU_FMA;
    if (c1 >> 29 & 1) f |= UTIL_CPU_F16C;
  }
  if (max >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    if (b >> 3 & 1) f |= UTIL_CPU_BMI;
    if ((b >> 5 & 1) && ymm) f |= UTIL_CPU_AVX2;
    if (b >> 8 & 1) f |= UTIL_CPU_BMI2;
    if (b >> 29 & 1) f |= UTIL_CPU_SHA;
  }
  __cpuid(0x80000000u, max, b, c, d);
  if (max >= 0x80000001u) {
    __cpuid(0x80000001u, a, b, c, d);
    if (c & 1) f |= UTIL_CPU_SAHF;
    if (c >> 5 & 1) f |= UTIL_CPU_LZCNT;
  }
  return f;
}
#endif

UNIT_GROUP(cpu_features) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  uint32_t f = util_cpu_x86();
  CHECK_EQ_U64(f, by_cpuid());
  CHECK_EQ_U64(util_cpu_x86(), f); /* read once, the same after */
  if (!getenv("WELD_CPU_FEATURES")) CHECK_EQ_U64(jit_cpu_features(), f & ((1u << JIT_CPU_NFEATURES) - 1));
#else
  CHECK_EQ_U64(util_cpu_x86(), 0);
#endif
}
