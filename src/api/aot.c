/* Precompiled images and the code cache in weld_module_new (api.c calls these): a
 * module's machine code read from an image or the cache instead of compiled, and
 * weld_module_precompile. The images are src/jit/image.h's; the cache is src/cache. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aot.h"
#include "cache/cache.h"
#include "jit/jit.h"
#include "jit/image.h"
#include "opt/opt.h"
#include "text/text.h"
#include "wasm/module.h"

static jit_image_settings settings_of(const weld_config *c) {
  return (jit_image_settings){.tier = (uint32_t)c->tier,
                              .guard = c->bounds == WELD_BOUNDS_GUARD,
                              .standard_2_0 = c->standard == WELD_STANDARD_2_0};
}

bool api_image_open(const weld_config *c, const uint8_t *bytes, size_t len, jit_image *img, util_error *err) {
  if (!c || !c->allow_precompiled)
    return util_fail(err, UTIL_ERR_USAGE, -1,
                     "precompiled module refused: loading one runs the machine code inside it, as trusted as a "
                     "shared library (allow it with --allow-precompiled)");
  if (!jit_image_open(bytes, len, img, err)) return false;
  jit_image_settings want = settings_of(c);
  want.tier = 0; /* the image says which tier */
  return jit_image_check_settings(img, &want, err);
}

/* A code section for em by the engine's tier. */
static bool section(const weld_config *c, const exec_module *em, jit_bytes *out, uint64_t *features, util_error *err) {
  if (c->tier == WELD_TIER_BASELINE)
    return jit_image_baseline(em, c->bounds == WELD_BOUNDS_GUARD, c->compile_threads, out, features, err);
  if (c->tier == WELD_TIER_OPTIMIZED) return opt_image_compile(em, c->bounds == WELD_BOUNDS_GUARD, out, features, err);
  return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: precompiling for the %s tier (only baseline and optimized)",
                   c->tier == WELD_TIER_AUTO ? "auto" : "interp");
}

bool api_image_make(const weld_config *c, const exec_module *em, const uint8_t *module, size_t len, jit_bytes *out,
                    util_error *err) {
  /* the code section is written after the header and the module, in place */
  uint64_t features = 0;
  jit_image_begin(out, module, len);
  if (!section(c, em, out, &features, err)) return false;
  jit_image_settings s = settings_of(c);
  if (!jit_image_end(&s, features, len, em->wasm->legacy_exceptions, out))
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (writing a precompiled module)");
  return true;
}

bool api_cache_applies(const weld_config *c, const uint8_t *bytes, size_t len) {
  return c && c->cache_dir && *c->cache_dir &&
         (c->tier == WELD_TIER_BASELINE || c->tier == WELD_TIER_OPTIMIZED) && text_is_binary(bytes, len);
}

void api_cache_key(const weld_config *c, const uint8_t *module, size_t len, char key[65]) {
  char settings[96];
  snprintf(settings, sizeof settings, "tier %d bounds %d standard %d", (int)c->tier, (int)c->bounds, (int)c->standard);
  /* the features the code may use: the optimising tier compiles for all of them */
  cache_key(module, len, jit_cpu_features(), settings, key);
}

/* An image (bytes) made for exactly this module and these settings, opened; false (err
 * set) when it is not one or is damaged. */
static bool open_entry(const weld_config *c, const uint8_t *module, size_t len, const uint8_t *bytes, size_t blen,
                       jit_image *img, util_error *err) {
  if (!jit_image_open_of(bytes, blen, module, len, img, err)) return false;
  jit_image_settings want = settings_of(c);
  return jit_image_check_settings(img, &want, err);
}

bool api_cache_lookup(const weld_config *c, const uint8_t *module, size_t len, const char *key, const uint8_t **entry,
                      size_t *entry_len, jit_image *img) {
  if (!cache_get(c->cache_dir, key, entry, entry_len)) return false;
  util_error e;
  util_error_clear(&e);
  if (open_entry(c, module, len, *entry, *entry_len, img, &e)) return true;
  cache_release(*entry, *entry_len);
  *entry = NULL;
  cache_remove(c->cache_dir, key); /* damaged or stale: compiled again */
  return false;
}

/* From this size on a cache hit's code pages leave the resident set once loaded. */
#define API_DROP_CODE_MIN ((size_t)256 << 10)

bool api_cache_prepare(const weld_config *c, exec_module *em, const uint8_t *module, size_t len, const char *key,
                       const jit_image *hit, util_error *err) {
  uint64_t budget = c->cache_max_bytes ? c->cache_max_bytes : CACHE_DEFAULT_MAX_BYTES;
  if (hit) {
    util_error e;
    util_error_clear(&e);
    if (jit_image_load(em, hit, &e)) {
      jit_module_set_source(em, WELD_CODE_CACHE_HIT, 0);
      /* the module keeps the entry mapped for its bytes; the code section's pages, read
       * once by the loader, leave this process's resident set (a file's pages: they stay
       * in the page cache, and would be read again from there). Not for a small section:
       * the madvise and its TLB flush cost ~60 us on this VM (a warm hello: 3 pages), for
       * a few pages of resident set */
      if (hit->code_len >= API_DROP_CODE_MIN) util_drop_pages(hit->code, hit->code_len);
      return true;
    }
    if (e.kind == UTIL_ERR_OOM) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    cache_remove(c->cache_dir, key); /* a code section that does not load: compiled again below */
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  jit_bytes img = {0};
  if (!api_image_make(c, em, module, len, &img, err)) {
    jit_bytes_free(&img);
    return false;
  }
  util_error e;
  util_error_clear(&e);
  /* a cache that cannot be written costs the next run a compile, not this one its run */
  bool stored = cache_put(c->cache_dir, key, img.p, img.len, budget, &e);
  jit_image opened;
  bool ok = open_entry(c, module, len, img.p, img.len, &opened, err) && jit_image_load(em, &opened, err);
  jit_bytes_free(&img);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
  if (ok) jit_module_set_source(em, stored ? WELD_CODE_CACHE_STORED : WELD_CODE_COMPILED, secs);
  return ok;
}
