/* Tables: a growable array of references (exec_func * for funcref, the host's pointer
 * for externref; NULL is the null reference). A store's tables are bounded like its
 * memories: each by the table limit and, by the bytes its elements occupy, by the memory
 * limit; together by the table limit over the whole store and, per instance, by the
 * memory limit over the instance's memories and tables. */
#include <stdlib.h>

#include "exec.h"

/* An implementation limit on elements per table, so a hostile table.grow fails with -1
 * (as the spec allows) instead of exhausting host memory. */
#define TABLE_MAX_ELEMS (10u * 1000u * 1000u)

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
