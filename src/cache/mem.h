/* src/cache — the in-memory cache of compiled modules, one per engine (src/api): a value
 * made once under a 32-byte key (a sha256 of everything the value depends on) serves
 * every later request for that key while it stays cached. Values are reference counted:
 * each request that gets one holds a reference, the cache holds one while the value is
 * indexed, and the last release frees it, so the order in which holders let go does not
 * matter. Indexed values are evicted least recently used first once their bytes pass the
 * budget. Thread-safe: one mutex guards the index; values are made and freed outside it,
 * and a request for a key another thread is making waits for it instead of making it
 * again. README.md ("In memory") has the design. */
#ifndef WELD_CACHE_MEM_H
#define WELD_CACHE_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cache_mem cache_mem;
typedef struct cache_mem_entry cache_mem_entry;

/* NULL when out of memory. free_value frees a value whose last reference went. */
cache_mem *cache_mem_new(uint64_t max_bytes, void (*free_value)(void *value));
/* The owner lets go: every value no request holds is freed now; one still held is freed
 * by its last cache_mem_release (the cache's own memory goes with the last of them). */
void cache_mem_free(cache_mem *c);

/* The value under key with one more reference for the caller (*entry: what to release),
 * waiting while another thread makes it. The key need not be collision-free: an entry
 * keeps a copy of `data` (what the value is made of) and a lookup matches only an entry
 * whose data equals it byte for byte. NULL when absent: the key is then reserved for the
 * caller (*entry), who must call cache_mem_fill or cache_mem_abandon; requests for it
 * wait until then. Also NULL, with *entry NULL, when out of memory (or after
 * cache_mem_free). */
void *cache_mem_acquire(cache_mem *c, const uint8_t key[32], const void *data, size_t len, cache_mem_entry **entry);
/* The reserved entry gets its value of `bytes` bytes (the copy of its data is counted
 * too): the caller holds one reference, the index another; then values are evicted down to the budget (this one too, when it alone
 * is over it: it is then the caller's only). */
void cache_mem_fill(cache_mem_entry *e, void *value, uint64_t bytes);
/* Making the value failed: the reservation goes and the waiters make it themselves. */
void cache_mem_abandon(cache_mem_entry *e);
/* One reference less; the last frees the value (free_value) and the entry. */
void cache_mem_release(cache_mem_entry *e);

typedef struct cache_mem_stats {
  uint64_t entries, bytes, max_bytes; /* values indexed, their bytes, the budget */
  uint64_t hits, misses, evictions;
} cache_mem_stats;
void cache_mem_get_stats(cache_mem *c, cache_mem_stats *out);

#endif
