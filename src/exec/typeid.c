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

/* An entry is a signature (a final function type without supertypes, alone in its
 * recursion group: what 2.0 calls a function type, and every host signature), a GC
 * recursion group's description, or a member of such a group (the group's id and a
 * position). Entries of different forms never compare equal. */
enum { ENTRY_SIG = 0, ENTRY_GROUP = 1, ENTRY_MEMBER = 2 };

typedef struct sig_entry {
  struct sig_entry *next; /* hash chain */
  uint32_t hash;
  uint8_t form;           /* ENTRY_* */
  uint8_t kind;           /* WASM_TYPE_*: FUNC for signatures */
  uint32_t nparams, nresults; /* signatures; a group's and member's words are in nparams */
  exec_typeid id;
  exec_typeid group;      /* members: their group (one reference held) */
  exec_typeid super;      /* members: the declared supertype's id, or 0 */
  uint64_t refs;
  wasm_vtype types[]; /* params then results; a group's or member's words */
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
  return e->hash == h && e->form == ENTRY_SIG && e->nparams == np && e->nresults == nr &&
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
  e->form = ENTRY_SIG;
  e->kind = WASM_TYPE_FUNC;
  e->group = e->super = 0;
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

/* Drops one reference with the lock held; a member's last reference drops its group's. */
static void release_locked(exec_typetab *t, exec_typeid id) {
  while (id) {
    sig_entry *e = id <= t->nids ? t->by_id[id - 1] : NULL;
    if (!e || --e->refs != 0) return;
    sig_entry **p = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*p != e) p = &(*p)->next;
    *p = e->next;
    t->by_id[id - 1] = NULL;
    t->free_ids[t->nfree++] = id;
    t->count--;
    id = e->form == ENTRY_MEMBER ? e->group : 0;
    free(e);
  }
}

void exec_typeid_release(exec_typetab *t, exec_typeid id) {
  if (!t || !id) return;
  pthread_mutex_lock(&t->lock);
  release_locked(t, id);
  pthread_mutex_unlock(&t->lock);
}

void exec_typeid_retain(exec_typetab *t, exec_typeid id) {
  if (!t || !id) return;
  pthread_mutex_lock(&t->lock);
  sig_entry *e = id <= t->nids ? t->by_id[id - 1] : NULL;
  if (e) e->refs++;
  pthread_mutex_unlock(&t->lock);
}

/* A group or member entry for `words`, taking one reference; 0 when out of memory. A new
 * member takes a reference to its group and records its kind and supertype. */
static exec_typeid intern_words(exec_typetab *t, uint8_t form, const uint32_t *words, uint32_t n, uint8_t kind,
                                exec_typeid group, exec_typeid super) {
  uint32_t h = (2166136261u ^ form) * 16777619u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ words[i]) * 16777619u;
  exec_typeid id = 0;
  pthread_mutex_lock(&t->lock);
  if (t->count >= t->nbuckets && !rehash(t) && !t->nbuckets) goto out;
  sig_entry **head = &t->buckets[h & (t->nbuckets - 1)];
  for (sig_entry *e = *head; e; e = e->next) {
    if (e->hash == h && e->form == form && e->nparams == n && (n == 0 || memcmp(e->types, words, n * sizeof *words) == 0)) {
      e->refs++;
      id = e->id;
      goto out;
    }
  }
  sig_entry *e = util_try_malloc(sizeof *e + (size_t)n * sizeof(wasm_vtype));
  if (!e) goto out;
  id = take_id(t);
  if (!id) {
    free(e);
    goto out;
  }
  e->hash = h;
  e->form = form;
  e->kind = kind;
  e->nparams = n;
  e->nresults = 0;
  e->id = id;
  e->group = group;
  e->super = super;
  e->refs = 1;
  if (n) memcpy(e->types, words, n * sizeof *words);
  if (form == ENTRY_MEMBER && group && group <= t->nids && t->by_id[group - 1]) t->by_id[group - 1]->refs++;
  e->next = *head;
  *head = e;
  t->by_id[id - 1] = e;
  t->count++;
out:
  pthread_mutex_unlock(&t->lock);
  return id;
}

static sig_entry *entry_of(exec_typetab *t, exec_typeid id) { return id && id <= t->nids ? t->by_id[id - 1] : NULL; }

uint8_t exec_typeid_kind(exec_typetab *t, exec_typeid id) {
  pthread_mutex_lock(&t->lock);
  sig_entry *e = entry_of(t, id);
  uint8_t k = e ? e->kind : WASM_TYPE_FUNC;
  pthread_mutex_unlock(&t->lock);
  return k;
}

exec_typeid exec_typeid_super(exec_typetab *t, exec_typeid id) {
  pthread_mutex_lock(&t->lock);
  sig_entry *e = entry_of(t, id);
  exec_typeid s = e ? e->super : 0;
  pthread_mutex_unlock(&t->lock);
  return s;
}

bool exec_typeid_sub(exec_typetab *t, exec_typeid a, exec_typeid b) {
  if (a == b) return true;
  pthread_mutex_lock(&t->lock);
  bool sub = false;
  /* supertypes are interned before their subtypes, so the chain is finite; the bound
   * guards against an id reused while a stale one is still held */
  for (size_t steps = 0; a && !sub && steps <= t->nids; steps++) {
    sig_entry *e = entry_of(t, a);
    a = e ? e->super : 0;
    sub = a == b;
  }
  pthread_mutex_unlock(&t->lock);
  return sub;
}

/* ---------- a module's types ------------------------------------------------------------ */

/* A growable word buffer for a group's description. */
typedef struct words {
  uint32_t *w;
  size_t n, cap;
  bool oom;
} words;

static void put(words *b, uint32_t x) {
  if (!UTIL_VEC_TRY_PUSH(b->w, b->n, b->cap, x)) b->oom = true;
}

/* A value or storage type inside group [rec, rec + len): references into the group by
 * position, others by store-level id (ids[] of the earlier types). */
static void put_type(words *b, const exec_typeid *ids, uint32_t rec, uint32_t len, wasm_vtype t) {
  int64_t i = wasm_is_reftype(t) ? wasm_heap_typeidx(wasm_ref_heap(t)) : -1;
  if (i >= rec && (uint64_t)i < (uint64_t)rec + len) {
    put(b, 0xffffff00u | (wasm_ref_nullable(t) ? 1u : 0u));
    put(b, (uint32_t)i - rec);
  } else {
    put(b, i >= 0 ? wasm_reftype(wasm_ref_nullable(t), WASM_HEAP_INDEX + ids[i]) : t);
    put(b, 0);
  }
}

/* The signature of a plain function type (its references to itself as EXEC_HEAP_SELF). */
static exec_typeid intern_sig(exec_typetab *t, const exec_typeid *ids, const wasm_functype *ft, uint32_t self) {
  size_t n = (size_t)ft->nparams + ft->nresults;
  wasm_vtype small[16] = {0};
  wasm_vtype *buf = n <= 16 ? small : util_try_malloc(n * sizeof *buf);
  if (!buf) return 0;
  for (size_t k = 0; k < n; k++) {
    wasm_vtype v = k < ft->nparams ? ft->params[k] : ft->results[k - ft->nparams];
    int64_t i = wasm_is_reftype(v) ? wasm_heap_typeidx(wasm_ref_heap(v)) : -1;
    if (i == self) v = wasm_reftype(wasm_ref_nullable(v), EXEC_HEAP_SELF);
    else if (i >= 0) v = wasm_reftype(wasm_ref_nullable(v), WASM_HEAP_INDEX + ids[i]);
    buf[k] = v;
  }
  exec_typeid id = exec_typeid_acquire(t, ft->nparams, buf, ft->nresults, buf + ft->nparams);
  if (buf != small) free(buf);
  return id;
}

/* A recursion group's members: the group's description is interned, then each member
 * as (group, position), in order, so a supertype inside the group already has its id. */
static bool intern_group(exec_typetab *t, const wasm_module *m, exec_typeid *ids, uint32_t rec, uint32_t len) {
  words b = {0};
  put(&b, len);
  for (uint32_t i = rec; i < rec + len; i++) {
    const wasm_deftype *d = &m->deftypes[i];
    put(&b, d->kind | (d->final ? 0x100u : 0));
    if (d->super == WASM_NO_SUPER) {
      put(&b, 0xfffffffeu);
      put(&b, 0);
    } else put_type(&b, ids, rec, len, wasm_reftype(false, WASM_HEAP_INDEX + d->super));
    if (d->kind == WASM_TYPE_FUNC) {
      const wasm_functype *ft = &m->types[i];
      put(&b, ft->nparams);
      put(&b, ft->nresults);
      for (uint32_t k = 0; k < ft->nparams; k++) put_type(&b, ids, rec, len, ft->params[k]);
      for (uint32_t k = 0; k < ft->nresults; k++) put_type(&b, ids, rec, len, ft->results[k]);
    } else {
      put(&b, d->nfields);
      for (uint32_t k = 0; k < d->nfields; k++) {
        put_type(&b, ids, rec, len, d->fields[k].type);
        put(&b, d->fields[k].mut);
      }
    }
  }
  if (b.oom || b.n > UINT32_MAX) {
    free(b.w);
    return false;
  }
  exec_typeid g = intern_words(t, ENTRY_GROUP, b.w, (uint32_t)b.n, 0, 0, 0);
  free(b.w);
  if (!g) return false;
  bool ok = true;
  for (uint32_t k = 0; k < len && ok; k++) {
    const wasm_deftype *d = &m->deftypes[rec + k];
    uint32_t key[2] = {g, k};
    exec_typeid super = d->super == WASM_NO_SUPER ? 0 : ids[d->super];
    ids[rec + k] = intern_words(t, ENTRY_MEMBER, key, 2, d->kind, g, super);
    ok = ids[rec + k] != 0;
  }
  exec_typeid_release(t, g); /* the members hold it */
  return ok;
}

bool exec_typeids_intern(exec_typetab *t, const wasm_module *m, exec_typeid *ids, uint32_t *ndone) {
  *ndone = 0;
  for (uint32_t g = 0; g < m->ntypes;) {
    const wasm_deftype *d = &m->deftypes[g];
    uint32_t len = d->rec_len ? d->rec_len : 1;
    bool plain = len == 1 && d->kind == WASM_TYPE_FUNC && d->final && d->super == WASM_NO_SUPER;
    if (plain) {
      ids[g] = intern_sig(t, ids, &m->types[g], g);
      if (!ids[g]) return false;
    } else if (!intern_group(t, m, ids, g, len)) {
      *ndone = g + len; /* the members interned so far (the others are 0) */
      return false;
    }
    *ndone = g + len;
    for (uint32_t k = g; k < g + len; k++)
      if (ids[k] > WASM_MAX_TYPE_INDEX) return false;
    g += len;
  }
  return true;
}
