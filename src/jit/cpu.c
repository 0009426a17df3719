/* The CPU features compiled code may use, as one bit mask: what a precompiled image
 * records (the features its code was compiled for) and what the loading machine must
 * have. Read with cpuid; AVX and AVX2 count only when the OS saves the YMM registers. */
#include <stdlib.h>
#include <string.h>

#include "image.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

/* bit -> LLVM's name of the feature (the optimising tier compiles for exactly these) */
static const char *const names[JIT_CPU_NFEATURES] = {
    "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "cx16", "movbe", "sahf", "lzcnt",
    "avx",  "avx2",  "fma",    "f16c",   "bmi",    "bmi2", "pclmul", "aes",
};

const char *jit_cpu_feature_name(unsigned bit) { return bit < JIT_CPU_NFEATURES ? names[bit] : "?"; }

static uint64_t detect(void);

/* WELD_CPU_FEATURES=MASK (hex) hides every feature outside MASK, as on an older CPU: for
 * testing what a machine without them does with precompiled code. */
uint64_t jit_cpu_features(void) {
  static _Atomic uint64_t known; /* detected | 1 << 63 once read */
  uint64_t k = known;
  if (k) return k & ~(1ull << 63);
  uint64_t f = detect();
  const char *m = getenv("WELD_CPU_FEATURES");
  if (m && *m) {
    char *end;
    unsigned long long v = strtoull(m, &end, 16);
    if (!*end) f &= v;
  }
  known = f | 1ull << 63;
  return f;
}

static uint64_t detect(void) {
  uint64_t f = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  unsigned c1 = c;
  if (c1 & (1u << 0)) f |= JIT_CPU_SSE3;
  if (c1 & (1u << 1)) f |= JIT_CPU_PCLMUL;
  if (c1 & (1u << 9)) f |= JIT_CPU_SSSE3;
  if (c1 & (1u << 13)) f |= JIT_CPU_CX16;
  if (c1 & (1u << 19)) f |= JIT_CPU_SSE41;
  if (c1 & (1u << 20)) f |= JIT_CPU_SSE42;
  if (c1 & (1u << 22)) f |= JIT_CPU_MOVBE;
  if (c1 & (1u << 23)) f |= JIT_CPU_POPCNT;
  if (c1 & (1u << 25)) f |= JIT_CPU_AES;
  bool ymm = false;
  if ((c1 & (1u << 27)) && (c1 & (1u << 28))) { /* OSXSAVE and AVX: does the OS save YMM? */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ymm = (lo & 6u) == 6u;
  }
  if (ymm) {
    f |= JIT_CPU_AVX;
    if (c1 & (1u << 12)) f |= JIT_CPU_FMA;
    if (c1 & (1u << 29)) f |= JIT_CPU_F16C;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    if (b & (1u << 3)) f |= JIT_CPU_BMI;
    if ((b & (1u << 5)) && ymm) f |= JIT_CPU_AVX2;
    if (b & (1u << 8)) f |= JIT_CPU_BMI2;
  }
  if (__get_cpuid(0x80000001u, &a, &b, &c, &d)) {
    if (c & (1u << 0)) f |= JIT_CPU_SAHF;
    if (c & (1u << 5)) f |= JIT_CPU_LZCNT;
  }
#endif
  return f;
}

size_t jit_cpu_feature_list(uint64_t mask, const char *prefix, char *buf, size_t n) {
  size_t len = 0;
  if (n) buf[0] = 0;
  for (unsigned i = 0; i < JIT_CPU_NFEATURES; i++) {
    if (!(mask & (1ull << i))) continue;
    size_t need = (len ? 1 : 0) + strlen(prefix) + strlen(names[i]);
    if (len + need + 1 > n) break;
    if (len) buf[len++] = ',';
    strcpy(buf + len, prefix);
    len += strlen(prefix);
    strcpy(buf + len, names[i]);
    len += strlen(names[i]);
  }
  return len;
}
