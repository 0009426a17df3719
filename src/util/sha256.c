/* SHA-256 as FIPS 180-4 section 6.2 states it; on x86-64 with the SHA extensions the
 * compression runs on them (WELD_NO_SHANI set: never, for comparing the two). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return x >> n | x << (32 - n); }

static void block(uint32_t h[8], const uint8_t *p) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "cpu.h"
#include <immintrin.h>

/* The same compression with the SHA extensions (SHA-NI): four rounds per group, the
 * message schedule by sha256msg1/msg2. The state is kept as the instructions want it,
 * ABEF in one register and CDGH in the other (each as lanes 3..0). */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n) {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i dcba = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
  __m128i badc = _mm_shuffle_epi32(dcba, 0xb1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
  __m128i abef = _mm_alignr_epi8(badc, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, badc, 0xf0);
  for (; n; n--, p += 64) {
    __m128i abef0 = abef, cdgh0 = cdgh, m[4];
    for (int g = 0; g < 16; g++) {
      __m128i *w = &m[g & 3];
      if (g < 4) {
        *w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)), bswap);
      } else {
        /* W[t..t+3] from W[t-16..t-13] (here), W[t-15..t-12], W[t-7..t-4] and W[t-2..t-1] */
        __m128i a = _mm_sha256msg1_epu32(*w, m[(g + 1) & 3]);
        a = _mm_add_epi32(a, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
        *w = _mm_sha256msg2_epu32(a, m[(g + 3) & 3]);
      }
      __m128i k = _mm_add_epi32(*w, _mm_loadu_si128((const __m128i *)(const void *)&K[4 * g]));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k); /* two rounds: now the new ABEF */
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0e));
    }
    abef = _mm_add_epi32(abef, abef0);
    cdgh = _mm_add_epi32(cdgh, cdgh0);
  }
  __m128i feba = _mm_shuffle_epi32(abef, 0x1b);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
  _mm_storeu_si128((__m128i *)(void *)&h[0], _mm_blend_epi16(feba, dchg, 0xf0));
  _mm_storeu_si128((__m128i *)(void *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

static int have_shani(void) {
  static _Atomic int have = -1; /* two threads asking first both compute the same answer */
  int v = atomic_load_explicit(&have, memory_order_relaxed);
  if (v < 0) {
    uint32_t need = UTIL_CPU_SHA | UTIL_CPU_SSSE3 | UTIL_CPU_SSE41;
    v = (util_cpu_x86() & need) == need && !getenv("WELD_NO_SHANI");
    atomic_store_explicit(&have, v, memory_order_relaxed);
  }
  return v;
}
#else
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n) {
  (void)h, (void)p, (void)n;
}
static int have_shani(void) { return 0; }
#endif

/* n whole blocks at p */
static void blocks(uint32_t h[8], const uint8_t *p, size_t n) {
  if (have_shani()) blocks_shani(h, p, n);
  else
    for (; n; n--, p += 64) block(h, p);
}

void util_sha256_init(util_sha256 *s) {
  static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, H0, sizeof H0);
  s->total = 0;
  s->nbuf = 0;
}

void util_sha256_update(util_sha256 *s, const void *data, size_t n) {
  const uint8_t *p = data;
  s->total += n;
  if (s->nbuf) {
    size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;
    memcpy(s->buf + s->nbuf, p, k);
    s->nbuf += k, p += k, n -= k;
    if (s->nbuf < 64) return;
    blocks(s->h, s->buf, 1);
    s->nbuf = 0;
  }
  blocks(s->h, p, n / 64);
  p += n / 64 * 64, n %= 64;
  memcpy(s->buf, p, n);
  s->nbuf = n;
}

void util_sha256_final(util_sha256 *s, uint8_t out[32]) {
  uint64_t bits = s->total * 8;
  uint8_t pad[72] = {0x80};
  size_t padlen = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
  for (int i = 0; i < 8; i++) pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
  uint64_t keep = s->total;
  util_sha256_update(s, pad, padlen + 8);
  s->total = keep;
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(s->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)s->h[i];
  }
}

void util_sha256_hex(const void *data, size_t n, char out[65]) {
  util_sha256 s;
  uint8_t d[32];
  util_sha256_init(&s);
  util_sha256_update(&s, data, n);
  util_sha256_final(&s, d);
  for (int i = 0; i < 32; i++) {
    out[2 * i] = "0123456789abcdef"[d[i] >> 4];
    out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
  }
  out[64] = '\0';
}

void util_sha256_digest(const void *data, size_t n, char out[72]) {
  memcpy(out, "sha256:", 7);
  util_sha256_hex(data, n, out + 7);
}
