/* Hashing a generated 1 MiB buffer n times: FNV-1a (byte at a time, 64-bit multiply) and
 * a 64-bit multiply-rotate mix over 8-byte words (xxhash-style). */
#include "kernel.h"

#define SIZE (1u << 20)
static uint64_t words[SIZE / 8];

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

int run(int n) {
  uint32_t s = 777;
  for (uint32_t i = 0; i < SIZE / 8; i++)
    words[i] = ((uint64_t)kernel_rand(&s) << 32) | kernel_rand(&s);
  const unsigned char *bytes = (const unsigned char *)words;
  uint64_t total = 0;
  for (int rep = 0; rep < n; rep++) {
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)rep;
    for (uint32_t i = 0; i < SIZE; i++) h = (h ^ bytes[i]) * 0x100000001b3ull;
    uint64_t acc = 0x9e3779b185ebca87ull + (uint64_t)rep;
    for (uint32_t i = 0; i < SIZE / 8; i++) {
      acc += words[i] * 0xc2b2ae3d27d4eb4full;
      acc = rotl(acc, 31) * 0x9e3779b185ebca87ull;
    }
    acc ^= acc >> 33;
    total = total * 1099511628211ull + (h ^ acc);
  }
  return KERNEL_RESULT(total ^ (total >> 32));
}
