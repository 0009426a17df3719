/* Interning of function signatures, so call_indirect compares one integer and modules
 * compiled separately (and host functions) agree on ids.
 *
 * A table belongs to an engine (weld_engine); every module compiled and every store made
 * with that engine uses it, so ids are comparable across all of their instances. Entries
 * are reference-counted: a compiled module holds one reference per type, a host function
 * one for its signature, and an entry (and its id) goes away with its last holder. So a
 * long-lived engine fed a stream of modules with ever new signatures holds only the
 * signatures of what is alive, and an engine frees its table with itself. A freed id may
 * be given to a new signature: nothing can still hold it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

typedef struct sig_entry {
  struct sig_entry *next; /* hash chain */
  uint32_t hash;
  uint32_t nparams, nresults;
  exec_typeid id;
  uint64_t refs;
  wasm_vtype types[]; /* params then results */
} sig_entry;

struct exec_typetab {
  pthread_mutex_t lock;
  sig_entry **buckets; /* power-of-two count */
  size_t nbuckets, count;
  sig_entry **by_id;   /* by_id[id - 1]; NULL when free */
  size_t nids, capids;
  exec_typeid *free_ids; /* capacity capids */
  size_t nfree;
};

exec_typetab *exec_typetab_new(void) {
  exec_typetab *t = util_try_calloc(1, sizeof *t);
  if (!t) return NULL;
  if (pthread_mutex_init(&t->lock, NULL) != 0) {
    free(t);
    return NULL;
  }
  return t;
}

void exec_typetab_free(exec_typetab *t) {
  if (!t) return;
  for (size_t i = 0; i < t->nbuckets; i++) {
    for (sig_entry *e = t->buckets[i], *n; e; e = n) {
      n = e->next;
      free(e);
    }
  }
  free(t->buckets);
  free(t->by_id);
  free(t->free_ids);
  pthread_mutex_destroy(&t->lock);
  free(t);
}

/* For modules and stores made without an engine. Reference counting bounds it too. */
static exec_typetab *default_tab;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static void default_init(void) { default_tab = exec_typetab_new(); }

exec_typetab *exec_typetab_default(void) {
  pthread_once(&default_once, default_init);
  return default_tab;
}

size_t exec_typetab_count(exec_typetab *t) {
  pthread_mutex_lock(&t->lock);
  size_t n = t->count;
  pthread_mutex_unlock(&t->lock);
  return n;
}

static uint32_t sig_hash(uint32_t np, const wasm_vtype *p, uint32_t nr, const wasm_vtype *r) {
  uint32_t h = 2166136261u ^ np ^ (nr << 16);
  for (uint32_t i = 0; i < np; i++) h = (h ^ p[i]) * 16777619u;
  h = (h ^ 0xff) * 16777619u;
  for (uint32_t i = 0; i < nr; i++) h = (h ^ r[i]) * 16777619u;
  return h;
}

static bool sig_equal(const sig_entry *e, uint32_t h, uint32_t np, const wasm_vtype *p, uint32_t nr,
                      const wasm_vtype *r) {
  return e->hash == h && e->nparams == np && e->nresults == nr &&
         (np == 0 || memcmp(e->types, p, np * sizeof *p) == 0) &&
         (nr == 0 || memcmp(e->types + np, r, nr * sizeof *r) == 0);
}

/* Doubles the bucket array; false (table unchanged) when memory runs out. */
static bool rehash(exec_typetab *t) {
  size_t n = t->nbuckets ? t->nbuckets * 2 : 64;
  sig_entry **b = util_try_calloc(n, sizeof *b);
  if (!b) return false;
  for (size_t i = 0; i < t->nbuckets; i++) {
    for (sig_entry *e = t->buckets[i], *next; e; e = next) {
      next = e->next;
      e->next = b[e->hash & (n - 1)];
      b[e->hash & (n - 1)] = e;
    }
  }
  free(t->buckets);
  t->buckets = b;
  t->nbuckets = n;
  return true;
}

/* A free id for a new entry, or 0 when memory runs out. */
static exec_typeid take_id(exec_typetab *t) {
  if (t->nfree) return t->free_ids[--t->nfree];
  if (t->nids == t->capids) {
    size_t n = t->capids ? t->capids * 2 : 64;
    if (n > UINT32_MAX - 1) return 0;
    sig_entry **b = util_try_realloc(t->by_id, n * sizeof *b);
    if (!b) return 0;
    t->by_id = b;
    /* the free list has room for every id handed out, so a release never allocates */
    exec_typeid *f = util_try_realloc(t->free_ids, n * sizeof *f);
    if (!f) return 0;
    t->free_ids = f;
    t->capids = n;
  }
  t->by_id[t->nids] = NULL;
  return (exec_typeid)++t->nids; /* ids start at 1; 0 never names a signature */
}

exec_typeid exec_typeid_acquire(exec_typetab *t, uint32_t nparams, const wasm_vtype *params,
                                uint32_t nresults, const wasm_vtype *results) {
  uint32_t h = sig_hash(nparams, params, nresults, results);
  exec_typeid id = 0;
  pthread_mutex_lock(&t->lock);
  if (t->count >= t->nbuckets && !rehash(t) && !t->nbuckets) goto out;
  sig_entry **head = &t->buckets[h & (t->nbuckets - 1)];
  for (sig_entry *e = *head; e; e = e->next) {
    if (sig_equal(e, h, nparams, params, nresults, results)) {
      e->refs++;
      id = e->id;
      goto out;
    }
  }
  sig_entry *e = util_try_malloc(sizeof *e + ((size_t)nparams + nresults) * sizeof(wasm_vtype));
  if (!e) goto out;
  id = take_id(t);
  if (!id) {
    free(e);
    goto out;
  }
  e->hash = h;
  e->nparams = nparams;
  e->nresults = nresults;
  e->id = id;
  e->refs = 1;
  if (nparams) memcpy(e->types, params, nparams * sizeof *params);
  if (nresults) memcpy(e->types + nparams, results, nresults * sizeof *results);
  e->next = *head;
  *head = e;
  t->by_id[id - 1] = e;
  t->count++;
out:
  pthread_mutex_unlock(&t->lock);
  return id;
}

void exec_typeid_release(exec_typetab *t, exec_typeid id) {
  if (!t || !id) return;
  pthread_mutex_lock(&t->lock);
  sig_entry *e = id <= t->nids ? t->by_id[id - 1] : NULL;
  if (e && --e->refs == 0) {
    sig_entry **p = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*p != e) p = &(*p)->next;
    *p = e->next;
    t->by_id[id - 1] = NULL;
    t->free_ids[t->nfree++] = id;
    t->count--;
    free(e);
  }
  pthread_mutex_unlock(&t->lock);
}
