/* The CPU's usable x86-64 features, once per process (see cpu.h). */
#include "cpu.h"

#include <stdatomic.h>
#include <stdbool.h>

#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define HAVE_LIBC_CPU 1
#endif
#endif

#if defined(__x86_64__) && !defined(HAVE_LIBC_CPU) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

static uint32_t detect(void) {
  uint32_t f = 0;
#if defined(HAVE_LIBC_CPU)
  /* "active": present and enabled, the AVX family only when the OS saves its state */
  if (CPU_FEATURE_ACTIVE(SSE3)) f |= UTIL_CPU_SSE3;
  if (CPU_FEATURE_ACTIVE(SSSE3)) f |= UTIL_CPU_SSSE3;
  if (CPU_FEATURE_ACTIVE(SSE4_1)) f |= UTIL_CPU_SSE41;
  if (CPU_FEATURE_ACTIVE(SSE4_2)) f |= UTIL_CPU_SSE42;
  if (CPU_FEATURE_ACTIVE(POPCNT)) f |= UTIL_CPU_POPCNT;
  if (CPU_FEATURE_ACTIVE(CMPXCHG16B)) f |= UTIL_CPU_CX16;
  if (CPU_FEATURE_ACTIVE(MOVBE)) f |= UTIL_CPU_MOVBE;
  if (CPU_FEATURE_ACTIVE(LAHF64_SAHF64)) f |= UTIL_CPU_SAHF;
  if (CPU_FEATURE_ACTIVE(LZCNT)) f |= UTIL_CPU_LZCNT;
  if (CPU_FEATURE_ACTIVE(AVX)) f |= UTIL_CPU_AVX;
  if (CPU_FEATURE_ACTIVE(AVX2)) f |= UTIL_CPU_AVX2;
  if (CPU_FEATURE_ACTIVE(FMA)) f |= UTIL_CPU_FMA;
  if (CPU_FEATURE_ACTIVE(F16C)) f |= UTIL_CPU_F16C;
  if (CPU_FEATURE_ACTIVE(BMI1)) f |= UTIL_CPU_BMI;
  if (CPU_FEATURE_ACTIVE(BMI2)) f |= UTIL_CPU_BMI2;
  if (CPU_FEATURE_ACTIVE(PCLMULQDQ)) f |= UTIL_CPU_PCLMUL;
  if (CPU_FEATURE_ACTIVE(AES)) f |= UTIL_CPU_AES;
  if (CPU_FEATURE_ACTIVE(SHA)) f |= UTIL_CPU_SHA;
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  if (c & (1u << 0)) f |= UTIL_CPU_SSE3;
  if (c & (1u << 1)) f |= UTIL_CPU_PCLMUL;
  if (c & (1u << 9)) f |= UTIL_CPU_SSSE3;
  if (c & (1u << 13)) f |= UTIL_CPU_CX16;
  if (c & (1u << 19)) f |= UTIL_CPU_SSE41;
  if (c & (1u << 20)) f |= UTIL_CPU_SSE42;
  if (c & (1u << 22)) f |= UTIL_CPU_MOVBE;
  if (c & (1u << 23)) f |= UTIL_CPU_POPCNT;
  if (c & (1u << 25)) f |= UTIL_CPU_AES;
  bool ymm = false;
  if ((c & (1u << 27)) && (c & (1u << 28))) { /* OSXSAVE and AVX: does the OS save YMM? */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ymm = (lo & 6u) == 6u;
  }
  if (ymm) {
    f |= UTIL_CPU_AVX;
    if (c & (1u << 12)) f |= UTIL_CPU_FMA;
    if (c & (1u << 29)) f |= UTIL_CPU_F16C;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    if (b & (1u << 3)) f |= UTIL_CPU_BMI;
    if ((b & (1u << 5)) && ymm) f |= UTIL_CPU_AVX2;
    if (b & (1u << 8)) f |= UTIL_CPU_BMI2;
    if (b & (1u << 29)) f |= UTIL_CPU_SHA;
  }
  if (__get_cpuid(0x80000001u, &a, &b, &c, &d)) {
    if (c & (1u << 0)) f |= UTIL_CPU_SAHF;
    if (c & (1u << 5)) f |= UTIL_CPU_LZCNT;
  }
#endif
  return f;
}

uint32_t util_cpu_x86(void) {
  static _Atomic uint64_t known; /* detected | 1 << 32 once read; racing first readers agree */
  uint64_t k = atomic_load_explicit(&known, memory_order_relaxed);
  if (k) return (uint32_t)k;
  uint32_t f = detect();
  atomic_store_explicit(&known, (uint64_t)f | 1ull << 32, memory_order_relaxed);
  return f;
}
