/* Table-driven CRC-32 (IEEE, reflected) over a generated 1 MiB buffer, n passes. */
#include "kernel.h"

#define SIZE (1u << 20)
static unsigned char buf[SIZE];
static uint32_t table[256];

int run(int n) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t s = 99;
  for (uint32_t i = 0; i < SIZE; i++) buf[i] = (unsigned char)kernel_rand(&s);
  uint32_t sum = 0;
  for (int rep = 0; rep < n; rep++) {
    buf[rep & (SIZE - 1)] ^= 0x5a;
    uint32_t crc = 0xffffffffu;
    for (uint32_t i = 0; i < SIZE; i++) crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    sum = sum * 31u + ~crc;
  }
  return KERNEL_RESULT(sum);
}
