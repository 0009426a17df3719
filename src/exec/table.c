/* Tables: a growable array of references (exec_func * for funcref, the host's pointer
 * for externref; NULL is the null reference). A store's tables are bounded like its
 * memories: each by the table limit and, by the bytes its elements occupy, by the memory
 * limit; together by the table limit over the whole store and, per instance, by the
 * memory limit over the instance's memories and tables. */
#include <stdlib.h>
#include <string.h>

#include "exec.h"

/* An implementation limit on elements per table, so a hostile table.grow fails with -1
 * (as the spec allows) instead of exhausting host memory. */
#define TABLE_MAX_ELEMS (10u * 1000u * 1000u)

/* Lazy initialisation. An instance's active element segments of function indices are
 * not written into the table: each is recorded (its instance, its function indices and
 * the range it covers) and a bitmap marks the elements still due. Such an element reads
 * NULL in `elems`, so call_indirect and table.get pay nothing extra on their fast path
 * (their null check leads here); writers settle the range first, so a later write, even
 * of null, is never undone by a segment. A later segment over the same elements is
 * recorded after the earlier one and wins, as the eager copy would. When the last due
 * element is materialised the record goes. Tables are not shared between threads (a
 * store runs on one thread at a time), so no atomics. */
/* Segments recorded per table at most; later ones are copied at once. A materialisation
 * searches the list from its end, so this bounds its cost (a C program's table has one). */
#define LAZY_MAX_SEGS 64

typedef struct {
  const exec_instance *inst; /* the segment's instance: whose function index space */
  const uint32_t *funcs;     /* its function indices (the module's IR) */
  uint32_t d, n;             /* elements [d, d+n) */
} lazy_seg;

typedef struct exec_table_lazy {
  uint64_t *due;   /* bit i: element i still to be materialised */
  uint32_t nwords; /* words of `due` */
  uint64_t ndue;   /* bits set */
  lazy_seg *segs;
  size_t nsegs, capsegs;
} exec_table_lazy;

static void lazy_free(exec_table *t) {
  if (!t->lazy) return;
  free(t->lazy->due);
  free(t->lazy->segs);
  free(t->lazy);
  t->lazy = NULL;
}

bool exec_table_init_lazy(exec_table *t, const exec_instance *inst, const uint32_t *funcs, uint32_t d, uint32_t n,
                          bool clear) {
  if (!n) return true;
  exec_table_lazy *z = t->lazy;
  if (z && z->nsegs >= LAZY_MAX_SEGS) {
    /* copied now, as without laziness: a read must not search a long list */
    exec_table_forget(t, d, n);
    for (uint32_t k = 0; k < n; k++) t->elems[d + k] = inst->funcs[funcs[k]];
    return true;
  }
  if (!z && !(z = t->lazy = util_try_calloc(1, sizeof *z))) return false;
  uint64_t end = (uint64_t)d + n, words = (end + 63) / 64;
  if (words > z->nwords) {
    uint64_t *w = realloc(z->due, words * sizeof *w);
    if (!w) return false;
    memset(w + z->nwords, 0, (words - z->nwords) * sizeof *w);
    z->due = w;
    z->nwords = (uint32_t)words;
  }
  if (!UTIL_VEC_TRY_PUSH(z->segs, z->nsegs, z->capsegs, ((lazy_seg){inst, funcs, d, n}))) return false;
  for (uint64_t i = d; i < end;) {
    uint64_t w = i / 64, lo = i % 64, hi = end - w * 64 < 64 ? end - w * 64 : 64;
    uint64_t mask = (hi == 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
    z->ndue += (uint64_t)__builtin_popcountll(mask & ~z->due[w]);
    z->due[w] |= mask;
    i = w * 64 + hi;
  }
  /* a due element must read NULL; a new table's elements do already */
  if (clear) memset(t->elems + d, 0, (size_t)n * sizeof(void *));
  return true;
}

/* Element i's value from the last segment covering it. */
static void *lazy_value(const exec_table_lazy *z, uint32_t i) {
  for (size_t k = z->nsegs; k-- > 0;) {
    const lazy_seg *g = &z->segs[k];
    if (i >= g->d && i - g->d < g->n) return g->inst->funcs[g->funcs[i - g->d]];
  }
  return NULL; /* not reached: a due element has a segment */
}

/* Element i is no longer due: materialised (`write`) or about to be overwritten. */
static void undue(exec_table *t, uint32_t i, bool write) {
  exec_table_lazy *z = t->lazy;
  if (write) {
    t->elems[i] = lazy_value(z, i);
    t->materialised++;
  }
  z->due[i / 64] &= ~(1ull << (i % 64));
  if (--z->ndue == 0) lazy_free(t);
}

void *exec_table_materialise(exec_table *t, uint32_t i) {
  exec_table_lazy *z = t->lazy;
  if (z && i / 64 < z->nwords && (z->due[i / 64] >> (i % 64) & 1)) undue(t, i, true);
  return t->elems[i];
}

static void undue_range(exec_table *t, uint64_t i, uint64_t n, bool write) {
  uint64_t end = i + n;
  while (t->lazy && i < end) {
    exec_table_lazy *z = t->lazy;
    uint64_t w = i / 64;
    if (w >= z->nwords) return;
    uint64_t bits = z->due[w] & (~0ull << (i % 64));
    if (!bits) {
      i = (w + 1) * 64;
      continue;
    }
    uint64_t k = w * 64 + (uint64_t)__builtin_ctzll(bits);
    if (k >= end) return;
    undue(t, (uint32_t)k, write);
    i = k + 1;
  }
}

void exec_table_settle_range(exec_table *t, uint64_t i, uint64_t n) { undue_range(t, i, n, true); }
void exec_table_forget_range(exec_table *t, uint64_t i, uint64_t n) { undue_range(t, i, n, false); }

uint64_t exec_table_pending(const exec_table *t) { return t->lazy ? t->lazy->ndue : 0; }

/* NULL when min exceeds the implementation limit or memory runs out. */
exec_table *exec_table_new(wasm_vtype elemtype, uint32_t min, uint32_t max, bool has_max, void *init) {
  if (min > TABLE_MAX_ELEMS) return NULL;
  exec_table *t = util_try_calloc(1, sizeof *t);
  if (!t) return NULL;
  t->elemtype = elemtype;
  t->kind = exec_kind_of(elemtype);
  t->size = min;
  t->max = has_max && max < TABLE_MAX_ELEMS ? max : TABLE_MAX_ELEMS;
  t->has_max = has_max;
  t->elems = util_try_calloc(min ? min : 1, sizeof(void *));
  if (!t->elems) {
    free(t);
    return NULL;
  }
  for (uint32_t i = 0; init && i < min; i++) t->elems[i] = init;
  return t;
}

void exec_table_free(exec_table *t) {
  if (!t) return;
  lazy_free(t);
  if (t->pool_slot) {
    exec_pool_table_release(t); /* cleared and back to its pool */
    return;
  }
  free(t->elems);
  free(t);
}

exec_limit_kind exec_table_limit_hit(const exec_store *s, uint64_t size_after, uint64_t add,
                                     const uint64_t *inst_bytes) {
  const exec_limits *l = &s->limits;
  if (size_after > l->table_elements || s->usage.table_elements + add > l->table_elements)
    return EXEC_LIMIT_TABLE;
  /* size_after <= 2^32 and add <= size_after: the products cannot overflow */
  uint64_t bytes = size_after * EXEC_TABLE_ELEM_BYTES, more = add * EXEC_TABLE_ELEM_BYTES;
  if (bytes > l->memory_bytes || (inst_bytes && *inst_bytes + more > l->memory_bytes))
    return EXEC_LIMIT_MEMORY;
  return EXEC_LIMIT_NONE;
}

static void charge(exec_store *s, exec_table *t, uint64_t add) {
  s->usage.table_elements += add;
  if (s->usage.table_elements > s->usage.peak_table_elements)
    s->usage.peak_table_elements = s->usage.table_elements;
  if (t->inst_bytes) *t->inst_bytes += add * EXEC_TABLE_ELEM_BYTES;
}

int64_t exec_table_grow(exec_table *t, uint32_t delta, void *init) {
  uint32_t old = t->size;
  if (delta == 0) return old;
  if (delta > t->max || old > t->max - delta) return -1;
  exec_store *s = t->store;
  exec_limit_kind hit = s ? exec_table_limit_hit(s, (uint64_t)old + delta, delta, t->inst_bytes) : EXEC_LIMIT_NONE;
  if (hit) {
    s->usage.grow_denials++;
    s->usage.stopped_by = hit;
    if (!s->limits.trap_on_grow_failure) return -1;
    return EXEC_GROW_TRAP;
  }
  /* a pooled table's slot holds t->max elements already */
  void **e = t->pool_slot ? t->elems : realloc(t->elems, ((size_t)old + delta) * sizeof(void *));
  if (!e) return -1;
  for (uint32_t i = 0; i < delta; i++) e[old + i] = init;
  t->elems = e;
  t->size = old + delta;
  if (s) charge(s, t, delta);
  return old;
}

bool exec_store_adopt_table(exec_store *s, exec_table *t, uint64_t *inst_bytes, util_error *err) {
  exec_limit_kind hit = exec_table_limit_hit(s, t->size, t->size, inst_bytes);
  if (hit) {
    s->usage.limit_denials++;
    s->usage.stopped_by = hit;
    const exec_limits *l = &s->limits;
    if (hit == EXEC_LIMIT_TABLE && t->size > l->table_elements)
      return util_fail(err, UTIL_ERR_LIMIT, -1, "table of %u elements exceeds the table limit (%llu elements)",
                       t->size, (unsigned long long)l->table_elements);
    if (hit == EXEC_LIMIT_TABLE)
      return util_fail(err, UTIL_ERR_LIMIT, -1,
                       "table of %u elements brings the store to %llu table elements, above the table limit (%llu elements)",
                       t->size, (unsigned long long)(s->usage.table_elements + t->size),
                       (unsigned long long)l->table_elements);
    return util_fail(err, UTIL_ERR_LIMIT, -1,
                     "table of %u elements (%llu bytes) exceeds the memory limit (%llu bytes%s)", t->size,
                     (unsigned long long)(t->size * EXEC_TABLE_ELEM_BYTES), (unsigned long long)l->memory_bytes,
                     t->size * EXEC_TABLE_ELEM_BYTES > l->memory_bytes ? "" : " per instance");
  }
  t->store = s;
  t->inst_bytes = inst_bytes;
  charge(s, t, t->size);
  return true;
}
