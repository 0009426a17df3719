/* The CPU features compiled code may use, as one bit mask: what a precompiled image
 * records (the features its code was compiled for) and what the loading machine must
 * have (src/util/cpu.c reads them once per process; AVX and AVX2 count only when the OS
 * saves the YMM registers). */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "../util/cpu.h"

_Static_assert((unsigned)JIT_CPU_SSE3 == (unsigned)UTIL_CPU_SSE3 &&
                   (unsigned)JIT_CPU_SAHF == (unsigned)UTIL_CPU_SAHF &&
                   (unsigned)JIT_CPU_AVX2 == (unsigned)UTIL_CPU_AVX2 &&
                   (unsigned)JIT_CPU_AES == (unsigned)UTIL_CPU_AES && JIT_CPU_NFEATURES == 17u,
               "an image's CPU feature bits are util_cpu_x86's first 17");

/* bit -> LLVM's name of the feature (the optimising tier compiles for exactly these) */
static const char names[JIT_CPU_NFEATURES][8] = {
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

static uint64_t detect(void) { return util_cpu_x86() & ((1u << JIT_CPU_NFEATURES) - 1); }

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
