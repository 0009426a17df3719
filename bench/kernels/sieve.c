/* Sieve of Eratosthenes over 4 Mi numbers, repeated n times: byte stores in a strided loop. */
#include "kernel.h"

#define LIMIT (4u << 20)
static unsigned char composite[LIMIT];

int run(int n) {
  uint32_t sum = 0;
  for (int rep = 0; rep < n; rep++) {
    uint32_t limit = LIMIT - kernel_opaque((uint32_t)rep & 7u);
    for (uint32_t i = 0; i < limit; i++) composite[i] = 0;
    uint32_t count = 0;
    for (uint32_t i = 2; i < limit; i++) {
      if (composite[i]) continue;
      count++;
      sum += i * count;
      for (uint64_t j = (uint64_t)i * i; j < limit; j += i) composite[j] = 1;
    }
    sum = sum * 31u + count;
  }
  return KERNEL_RESULT(sum);
}
