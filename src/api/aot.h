/* Private to src/api: precompiled images and the code cache (aot.c); the in-memory module
 * cache's key and sizes (modcache.c). */
#ifndef WELD_API_AOT_H
#define WELD_API_AOT_H

#include "exec/exec.h"
#include "jit/image.h"
#include "weld.h"

/* Checks an image's header against the engine's settings (and that it allows images). */
bool api_image_open(const weld_config *c, const uint8_t *bytes, size_t len, jit_image *img, util_error *err);
/* A whole image of em (made from `module`) for the engine's tier. */
bool api_image_make(const weld_config *c, const exec_module *em, const uint8_t *module, size_t len, jit_bytes *out,
                    util_error *err);
/* True when the engine keeps a code cache for these bytes (a binary module, a compiling tier). */
bool api_cache_applies(const weld_config *c, const uint8_t *bytes, size_t len);
/* The cache key of `module` under the engine's settings (64 hex digits). */
void api_cache_key(const weld_config *c, const uint8_t *module, size_t len, char key[65]);
/* The entry of `key`, mapped (*entry, *entry_len: util_map_file's) and opened (img points
 * into it): checksum, this weld's build, the settings, and its module equal to `module`.
 * False when there is none or it does not hold (then it is removed, to be compiled again). */
bool api_cache_lookup(const weld_config *c, const uint8_t *module, size_t len, const char *key, const uint8_t **entry,
                      size_t *entry_len, jit_image *img);
/* em's code from `hit` (api_cache_lookup's), or, when it is NULL or its code does not
 * load, compiled and stored under `key`. */
bool api_cache_prepare(const weld_config *c, exec_module *em, const uint8_t *module, size_t len, const char *key,
                       const jit_image *hit, util_error *err);

/* The engine's in-memory module cache (modcache.c): the key of `bytes` under the engine's
 * settings (a sha256 of the settings, the length and a fast hash of the bytes: where to
 * look, the bytes are compared on a match), and the bytes a module holds (IR, internal
 * code, machine code). */
#define API_MODULE_CACHE_DEFAULT ((uint64_t)64 << 20)
void api_module_key(const weld_config *c, const uint8_t *bytes, size_t len, uint8_t out[32]);
uint64_t api_module_bytes(const exec_module *em);

#endif
