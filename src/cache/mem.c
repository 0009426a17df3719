/* The in-memory cache of compiled modules (mem.h): a hash index of entries by key, a
 * least-recently-used list of the indexed ones, reference counts. The cache's own memory
 * is counted too (the owner plus every live entry), so an entry released after the owner
 * let go still finds its mutex. */
#include "mem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 1024u

struct cache_mem_entry {
  cache_mem *c;
  uint8_t key[32];
  uint8_t *data;    /* what the value is made of (compared on every match of the key) */
  size_t len;
  void *value;
  uint64_t bytes;
  uint64_t refs;    /* holders, plus one while indexed and filled */
  bool indexed;     /* findable by its key */
  bool pending;     /* reserved, its value being made */
  cache_mem_entry *chain;           /* the bucket's next */
  cache_mem_entry *newer, *older;   /* the LRU list (filled, indexed entries) */
};

struct cache_mem {
  pthread_mutex_t lock;
  pthread_cond_t made; /* a pending entry was filled or abandoned */
  void (*free_value)(void *);
  uint64_t max_bytes;
  cache_mem_stats st;
  uint64_t refs; /* the owner (until cache_mem_free) and every entry not yet freed */
  bool owner_gone;
  cache_mem_entry *newest, *oldest;
  cache_mem_entry *buckets[NBUCKETS];
};

static unsigned bucket(const uint8_t key[32]) { return ((unsigned)key[0] | (unsigned)key[1] << 8) % NBUCKETS; }

cache_mem *cache_mem_new(uint64_t max_bytes, void (*free_value)(void *value)) {
  cache_mem *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  if (pthread_mutex_init(&c->lock, NULL)) {
    free(c);
    return NULL;
  }
  if (pthread_cond_init(&c->made, NULL)) {
    pthread_mutex_destroy(&c->lock);
    free(c);
    return NULL;
  }
  c->free_value = free_value;
  c->max_bytes = max_bytes;
  c->st.max_bytes = max_bytes;
  c->refs = 1;
  return c;
}

/* One reference to the cache's memory less (called without the lock). */
static void cache_unref(cache_mem *c) {
  pthread_mutex_lock(&c->lock);
  bool last = --c->refs == 0;
  pthread_mutex_unlock(&c->lock);
  if (!last) return;
  pthread_cond_destroy(&c->made);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

/* An entry with no references left: its value and itself (called without the lock). */
static void entry_free(cache_mem_entry *e) {
  cache_mem *c = e->c;
  if (e->value) c->free_value(e->value);
  free(e->data);
  free(e);
  cache_unref(c);
}

static void lru_unlink(cache_mem *c, cache_mem_entry *e) {
  if (e->newer) e->newer->older = e->older;
  else c->newest = e->older;
  if (e->older) e->older->newer = e->newer;
  else c->oldest = e->newer;
  e->newer = e->older = NULL;
}

static void lru_push(cache_mem *c, cache_mem_entry *e) {
  e->older = c->newest;
  e->newer = NULL;
  if (c->newest) c->newest->newer = e;
  else c->oldest = e;
  c->newest = e;
}

/* Takes e out of the index (and the LRU list and the totals when filled); under the lock.
 * Returns true when that was its last reference (the caller frees it after unlocking). */
static bool unindex(cache_mem *c, cache_mem_entry *e) {
  cache_mem_entry **p = &c->buckets[bucket(e->key)];
  while (*p != e) p = &(*p)->chain;
  *p = e->chain;
  e->chain = NULL;
  e->indexed = false;
  if (e->pending) return false; /* its maker holds it */
  lru_unlink(c, e);
  c->st.bytes -= e->bytes;
  c->st.entries--;
  return --e->refs == 0;
}

void cache_mem_free(cache_mem *c) {
  if (!c) return;
  cache_mem_entry *dead = NULL;
  pthread_mutex_lock(&c->lock);
  c->owner_gone = true;
  for (unsigned b = 0; b < NBUCKETS; b++) {
    while (c->buckets[b]) {
      cache_mem_entry *e = c->buckets[b];
      if (unindex(c, e)) e->chain = dead, dead = e;
    }
  }
  pthread_mutex_unlock(&c->lock);
  while (dead) {
    cache_mem_entry *n = dead->chain;
    entry_free(dead);
    dead = n;
  }
  cache_unref(c);
}

void *cache_mem_acquire(cache_mem *c, const uint8_t key[32], const void *data, size_t len, cache_mem_entry **entry) {
  *entry = NULL;
  uint8_t *copy = NULL; /* the data's copy for a new entry, made without the lock */
  pthread_mutex_lock(&c->lock);
  for (;;) {
    cache_mem_entry *e = c->buckets[bucket(key)];
    while (e && (memcmp(e->key, key, 32) != 0 || e->len != len || (len && memcmp(e->data, data, len) != 0)))
      e = e->chain;
    if (e && e->pending) {
      pthread_cond_wait(&c->made, &c->lock); /* then look again: it may have been abandoned */
      continue;
    }
    if (e) {
      e->refs++;
      c->st.hits++;
      lru_unlink(c, e);
      lru_push(c, e);
      pthread_mutex_unlock(&c->lock);
      free(copy);
      *entry = e;
      return e->value;
    }
    if (!copy && !c->owner_gone) {
      pthread_mutex_unlock(&c->lock);
      if (!(copy = malloc(len ? len : 1))) return NULL;
      if (len) memcpy(copy, data, len);
      pthread_mutex_lock(&c->lock);
      continue; /* look again: another thread may have reserved it meanwhile */
    }
    c->st.misses++;
    if (c->owner_gone || !(e = calloc(1, sizeof *e))) break;
    e->c = c;
    memcpy(e->key, key, 32);
    e->data = copy;
    e->len = len;
    copy = NULL;
    e->refs = 1;
    e->pending = e->indexed = true;
    e->chain = c->buckets[bucket(key)];
    c->buckets[bucket(key)] = e;
    c->refs++;
    *entry = e;
    break;
  }
  pthread_mutex_unlock(&c->lock);
  free(copy);
  return NULL;
}

void cache_mem_fill(cache_mem_entry *e, void *value, uint64_t bytes) {
  cache_mem *c = e->c;
  cache_mem_entry *dead = NULL;
  pthread_mutex_lock(&c->lock);
  e->value = value;
  e->bytes = bytes + e->len;
  e->pending = false;
  if (e->indexed) {
    e->refs++; /* the index's */
    lru_push(c, e);
    c->st.bytes += e->bytes;
    c->st.entries++;
    /* least recently used first; a value larger than the whole budget goes at once */
    while (c->st.bytes > c->max_bytes && c->oldest) {
      cache_mem_entry *v = c->oldest;
      c->st.evictions++;
      if (unindex(c, v)) v->chain = dead, dead = v;
    }
  }
  pthread_cond_broadcast(&c->made);
  pthread_mutex_unlock(&c->lock);
  while (dead) {
    cache_mem_entry *n = dead->chain;
    entry_free(dead);
    dead = n;
  }
}

void cache_mem_abandon(cache_mem_entry *e) {
  cache_mem *c = e->c;
  pthread_mutex_lock(&c->lock);
  if (e->indexed) {
    e->pending = false;
    cache_mem_entry **p = &c->buckets[bucket(e->key)];
    while (*p != e) p = &(*p)->chain;
    *p = e->chain;
    e->indexed = false;
  }
  pthread_cond_broadcast(&c->made);
  pthread_mutex_unlock(&c->lock);
  e->value = NULL;
  entry_free(e);
}

void cache_mem_release(cache_mem_entry *e) {
  if (!e) return;
  cache_mem *c = e->c;
  pthread_mutex_lock(&c->lock);
  bool last = --e->refs == 0;
  pthread_mutex_unlock(&c->lock);
  if (last) entry_free(e);
}

void cache_mem_get_stats(cache_mem *c, cache_mem_stats *out) {
  pthread_mutex_lock(&c->lock);
  *out = c->st;
  pthread_mutex_unlock(&c->lock);
}
