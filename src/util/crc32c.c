/* CRC-32C (crc32c.h). The hardware path splits a long buffer into three equal parts
 * whose CRCs are computed in one loop (the crc32 instruction has a latency of three
 * cycles and a throughput of one, so one stream runs at a third of the speed), then
 * joined: the CRC of a||b is the CRC of a shifted over len(b) zero bytes, xor b's CRC
 * from a zero start. */
#include "crc32c.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define POLY 0x82f63b78u /* 0x1EDC6F41 reflected */

static uint32_t table[256];
static atomic_int table_ready;

static void make_table(void) {
  if (atomic_load_explicit(&table_ready, memory_order_acquire)) return;
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
    table[i] = c; /* the same values whichever thread writes them */
  }
  atomic_store_explicit(&table_ready, 1, memory_order_release);
}

/* the raw register (no pre/post inversion), byte by byte */
static uint32_t soft(uint32_t c, const uint8_t *p, size_t n) {
  make_table();
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c;
}

/* a * b modulo the polynomial, both reflected (bit 31 is x^0) */
static uint32_t gf_mul(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i++) {
    if (a & 0x80000000u) r ^= b;
    a <<= 1;
    b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
  }
  return r;
}

/* x^(8n) modulo the polynomial, reflected: what shifting a register over n zero bytes
 * multiplies it by */
static uint32_t x_pow_bytes(size_t n) {
  uint32_t r = 0x80000000u, sq = 0x00800000u; /* x^0; x^8 */
  for (; n; n >>= 1) {
    if (n & 1) r = gf_mul(r, sq);
    sq = gf_mul(sq, sq);
  }
  return r;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "cpu.h"
#include <nmmintrin.h>

static int have_sse42(void) {
  static _Atomic int have = -1;
  int v = atomic_load_explicit(&have, memory_order_relaxed);
  if (v < 0) {
    v = (util_cpu_x86() & UTIL_CPU_SSE42) && !getenv("WELD_NO_SSE42");
    atomic_store_explicit(&have, v, memory_order_relaxed);
  }
  return v;
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

__attribute__((target("sse4.2"))) static uint32_t hard(uint32_t c, const uint8_t *p, size_t n) {
  /* three streams over blocks of 3 * part bytes; part a multiple of 8 */
  enum { PART = 8192 };
  static _Atomic uint32_t shift_part; /* x^(8 * PART), once */
  if (n >= 3 * PART) {
    uint32_t k = atomic_load_explicit(&shift_part, memory_order_relaxed);
    if (!k) atomic_store_explicit(&shift_part, k = x_pow_bytes(PART), memory_order_relaxed);
    while (n >= 3 * PART) {
      uint64_t c0 = c, c1 = 0, c2 = 0;
      for (size_t i = 0; i < PART; i += 8) {
        c0 = _mm_crc32_u64(c0, load64(p + i));
        c1 = _mm_crc32_u64(c1, load64(p + PART + i));
        c2 = _mm_crc32_u64(c2, load64(p + 2 * PART + i));
      }
      c = gf_mul(gf_mul((uint32_t)c0, k) ^ (uint32_t)c1, k) ^ (uint32_t)c2;
      p += 3 * PART;
      n -= 3 * PART;
    }
  }
  uint64_t c64 = c;
  for (; n >= 8; n -= 8, p += 8) c64 = _mm_crc32_u64(c64, load64(p));
  c = (uint32_t)c64;
  for (; n; n--, p++) c = _mm_crc32_u8(c, *p);
  return c;
}
#else
static int have_sse42(void) { return 0; }
static uint32_t hard(uint32_t c, const uint8_t *p, size_t n) { return soft(c, p, n); }
#endif

uint32_t util_crc32c(uint32_t crc, const void *data, size_t n) {
  const uint8_t *p = data;
  uint32_t c = ~crc;
  c = have_sse42() ? hard(c, p, n) : soft(c, p, n);
  return ~c;
}
