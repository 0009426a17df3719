/* The engine's in-memory module cache (src/cache/mem.h) as weld_module_new uses it: the
 * key of a module's bytes under an engine's settings, and what a module costs. api.c
 * holds the cache itself (one per engine) and decides when to use it. */
#include <stdio.h>

#include "aot.h"
#include "jit/jit.h"
#include "util/sha256.h"
#include "wasm/module.h"

#ifndef WELD_VERSION
#define WELD_VERSION "0"
#endif

void api_module_key(const weld_config *c, const uint8_t *bytes, size_t len, uint8_t out[32]) {
  /* every setting that changes the module object a weld_module_new makes (the engine's
   * are fixed when it is made; they are in the key so that no lookup can ever find a
   * module made under others) */
  char head[256];
  int n = snprintf(head, sizeof head,
                   "weld %s module\ntier %d bounds %d standard %d threshold %u osr %u threads %u precompiled %d "
                   "cache %s\n",
                   WELD_VERSION, (int)c->tier, (int)c->bounds, (int)c->standard, c->tier_up_threshold,
                   c->osr_threshold, c->compile_threads, (int)c->allow_precompiled, c->cache_dir ? "on" : "off");
  util_sha256 s;
  util_sha256_init(&s);
  util_sha256_update(&s, head, (size_t)n < sizeof head ? (size_t)n : sizeof head - 1);
  util_sha256_update(&s, bytes, len);
  util_sha256_final(&s, out);
}

uint64_t api_module_bytes(const exec_module *em) {
  jit_stats st;
  jit_module_stats(em, &st);
  return sizeof *em + em->arena.used_total + em->wasm->arena.used_total + st.code_bytes;
}
