/* src/cache — the on-disk cache of compiled code: precompiled images (src/jit/image.h)
 * stored under a key made of everything the code depends on, evicted least recently used
 * first under a byte budget. Safe with any number of weld processes at once: an entry is
 * written to a temporary file and renamed into place (a reader sees a whole entry or
 * none), readers take no lock, and a damaged entry is found by the image's checksum when
 * it is loaded (the caller removes it and compiles again). README.md has the design. */
#ifndef WELD_CACHE_H
#define WELD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

#define CACHE_DEFAULT_MAX_BYTES ((uint64_t)512 << 20)
/* An entry's use is recorded in its modification time, to this many seconds: one used
 * again sooner is not touched again. */
#define CACHE_TOUCH_SECONDS 60

/* The directory: $WELD_CACHE_DIR, else $XDG_CACHE_HOME/weld, else ~/.cache/weld (the root
 * `weld pkg cache` shares), then /code. */
const char *cache_default_dir(char *buf, size_t n);

/* The key (64 hex digits) of a module's code: sha256 over weld's version, the CPU
 * features, the settings that change code (`settings`, a short text) and the module. */
void cache_key(const uint8_t *module, size_t len, uint64_t features, const char *settings, char out[65]);

/* The entry's bytes, mapped read-only (entries are replaced by rename, never rewritten
 * in place), marking it used (its modification time set to now, unless it is less than
 * CACHE_TOUCH_SECONDS old); false when absent. cache_release gives them back. */
bool cache_get(const char *dir, const char *key, const uint8_t **bytes, size_t *len);
void cache_release(const uint8_t *bytes, size_t len);
/* Stores an entry (temporary file, then rename), then evicts down to max_bytes. */
bool cache_put(const char *dir, const char *key, const uint8_t *bytes, size_t len, uint64_t max_bytes, util_error *err);
/* Removes an entry (a damaged one). */
void cache_remove(const char *dir, const char *key);

typedef struct cache_stats {
  uint64_t entries, bytes;
} cache_stats;
/* Entries and bytes in the cache (an absent directory is empty). */
bool cache_info(const char *dir, cache_stats *out, util_error *err);
/* Removes entries, least recently used first, until at most max_bytes remain (also stale
 * temporary files); *removed counts what went. */
bool cache_evict(const char *dir, uint64_t max_bytes, cache_stats *removed, util_error *err);

#endif
