/* CRC-32C against RFC 3720's examples (B.4) and, for long and uneven buffers (the
 * three-stream path and its joining), against a bit-at-a-time reference written here
 * from the polynomial alone. */
#include <stdlib.h>

#include "unit.h"
#include "util/crc32c.h"

static uint32_t bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
  }
  return ~c;
}

UNIT_GROUP(crc32c) {
  uint8_t b[32];
  memset(b, 0, 32);
  CHECK_EQ_U64(util_crc32c(0, b, 32), 0x8a9136aau);
  memset(b, 0xff, 32);
  CHECK_EQ_U64(util_crc32c(0, b, 32), 0x62a8ab43u);
  for (int i = 0; i < 32; i++) b[i] = (uint8_t)i;
  CHECK_EQ_U64(util_crc32c(0, b, 32), 0x46dd794eu);
  for (int i = 0; i < 32; i++) b[i] = (uint8_t)(31 - i);
  CHECK_EQ_U64(util_crc32c(0, b, 32), 0x113fdb5cu);
  CHECK_EQ_U64(util_crc32c(0, "123456789", 9), 0xe3069283u);
  CHECK_EQ_U64(util_crc32c(0, "", 0), 0u);
  /* long buffers, odd lengths and starts, in pieces */
  size_t n = 200000 + 13;
  uint8_t *big = malloc(n);
  CHECK(big != NULL);
  if (!big) return;
  uint32_t x = 12345;
  for (size_t i = 0; i < n; i++) x = x * 1103515245u + 12345u, big[i] = (uint8_t)(x >> 16);
  static const size_t lens[] = {1, 7, 8, 9, 24575, 24576, 24577, 49152 + 5, 100003, 200013};
  for (size_t j = 0; j < sizeof lens / sizeof *lens; j++) {
    size_t len = lens[j];
    CHECK_EQ_U64(util_crc32c(0, big + 3, len < n - 3 ? len : n - 3), bitwise(big + 3, len < n - 3 ? len : n - 3));
  }
  uint32_t c = 0;
  size_t off = 0, step = 1;
  while (off < n) {
    size_t k = step < n - off ? step : n - off;
    c = util_crc32c(c, big + off, k);
    off += k;
    step = step * 7 % 40009 + 1;
  }
  CHECK_EQ_U64(c, bitwise(big, n));
  free(big);
}
