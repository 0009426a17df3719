/* The x86-64 features this machine lets weld's own code and its compilers use, read once
 * per process. */
#ifndef WELD_UTIL_CPU_H
#define WELD_UTIL_CPU_H

#include <stdint.h>

/* One bit each; the first 17 are in the order of the compiled-code image's feature mask
 * (src/jit/image.h), which checks that they agree. A feature counts only when it is
 * usable: AVX, AVX2, FMA and F16C also need the OS to save the YMM registers. */
enum {
  UTIL_CPU_SSE3 = 1u << 0, UTIL_CPU_SSSE3 = 1u << 1, UTIL_CPU_SSE41 = 1u << 2,
  UTIL_CPU_SSE42 = 1u << 3, UTIL_CPU_POPCNT = 1u << 4, UTIL_CPU_CX16 = 1u << 5,
  UTIL_CPU_MOVBE = 1u << 6, UTIL_CPU_SAHF = 1u << 7, UTIL_CPU_LZCNT = 1u << 8,
  UTIL_CPU_AVX = 1u << 9, UTIL_CPU_AVX2 = 1u << 10, UTIL_CPU_FMA = 1u << 11,
  UTIL_CPU_F16C = 1u << 12, UTIL_CPU_BMI = 1u << 13, UTIL_CPU_BMI2 = 1u << 14,
  UTIL_CPU_PCLMUL = 1u << 15, UTIL_CPU_AES = 1u << 16, UTIL_CPU_SHA = 1u << 17,
};

/* The usable features as a mask of UTIL_CPU_* (0 on other architectures). Taken from
 * the C library's own record of the CPU where it keeps one (glibc 2.33 and later: no
 * cpuid instruction, which traps to the hypervisor on a virtual machine), else read
 * with cpuid. */
uint32_t util_cpu_x86(void);

#endif
