/* Shared by every kernel: the entry point's shape and a tiny deterministic PRNG.
 * Each kernel defines `int run(int n)`: n scales the work, the result is a checksum that
 * depends on every step, kept in 31 bits so that signed and unsigned printers agree. */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H
#include <stdint.h>

int run(int n);

#define KERNEL_RESULT(x) ((int)((uint32_t)(x) & 0x7fffffffu))

/* xorshift32: same sequence on every target, no libc */
static inline uint32_t kernel_rand(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

/* Keeps the compiler from computing a loop's result once for all iterations when the
 * body does not depend on the iteration: an opaque identity. */
static inline uint32_t kernel_opaque(uint32_t v) {
  __asm__ volatile("" : "+r"(v));
  return v;
}
#endif
