/* The engine's in-memory module cache (src/cache/mem.h) as weld_module_new uses it: the
 * key of a module's bytes under an engine's settings (where to look; the cache compares
 * the bytes themselves), and what a module costs. api.c
 * holds the cache itself (one per engine) and decides when to use it. */
#include <stdio.h>

#include "aot.h"
#include "jit/jit.h"
#include "util/sha256.h"
#include "wasm/module.h"

#ifndef WELD_VERSION
#define WELD_VERSION "0"
#endif

/* A fast 64-bit hash of the module's bytes (four independent lanes of multiply-rotate
 * over 8-byte words). Not collision-resistant, and need not be: it only picks where to
 * look, and a match is confirmed by comparing the bytes themselves (src/cache/mem.h). */
static uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static uint64_t word(const uint8_t *p) {
  uint64_t w = 0;
  for (int i = 7; i >= 0; i--) w = w << 8 | p[i];
  return w;
}

static uint64_t bytes_hash(const uint8_t *p, size_t n) {
  const uint64_t k1 = 0x9e3779b97f4a7c15ull, k2 = 0xc2b2ae3d27d4eb4full;
  uint64_t h[4] = {k1, k2, k1 ^ n, k2 ^ n};
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int l = 0; l < 4; l++) h[l] = rotl(h[l] ^ word(p + i + 8 * l) * k2, 31) * k1;
  uint64_t r = h[0] ^ rotl(h[1], 17) ^ rotl(h[2], 33) ^ rotl(h[3], 49);
  for (; i < n; i++) r = (r ^ p[i]) * k1;
  r ^= r >> 29;
  r *= k2;
  return r ^ r >> 32;
}

void api_module_key(const weld_config *c, const uint8_t *bytes, size_t len, uint8_t out[32]) {
  /* every setting that changes the module object a weld_module_new makes (the engine's
   * are fixed when it is made; they are in the key so that no lookup can ever find a
   * module made under others) */
  char head[256];
  int n = snprintf(head, sizeof head,
                   "weld %s module\ntier %d bounds %d standard %d threshold %u osr %u eager %llu threads %u "
                   "precompiled %d cache %s\n",
                   WELD_VERSION, (int)c->tier, (int)c->bounds, (int)c->standard, c->tier_up_threshold,
                   c->osr_threshold, (unsigned long long)c->tier_eager_bytes, c->compile_threads, (int)c->allow_precompiled, c->cache_dir ? "on" : "off");
  util_sha256 s;
  util_sha256_init(&s);
  util_sha256_update(&s, head, (size_t)n < sizeof head ? (size_t)n : sizeof head - 1);
  uint8_t tail[16];
  uint64_t h = bytes_hash(bytes, len);
  for (int i = 0; i < 8; i++) tail[i] = (uint8_t)((uint64_t)len >> (8 * i)), tail[8 + i] = (uint8_t)(h >> (8 * i));
  util_sha256_update(&s, tail, sizeof tail);
  util_sha256_final(&s, out);
}

uint64_t api_module_bytes(const exec_module *em) {
  jit_stats st;
  jit_module_stats(em, &st);
  return sizeof *em + em->arena.used_total + em->wasm->arena.used_total + st.code_bytes;
}
