/* Tables: a growable array of references (exec_func * for funcref, the host's pointer
 * for externref; NULL is the null reference). */
#include <stdlib.h>

#include "exec.h"

/* An implementation limit on elements per table, so a hostile table.grow fails with -1
 * (as the spec allows) instead of exhausting host memory. */
#define TABLE_MAX_ELEMS (10u * 1000u * 1000u)

/* NULL when min exceeds the implementation limit or memory runs out. */
exec_table *exec_table_new(uint8_t elemtype, uint32_t min, uint32_t max, bool has_max, void *init) {
  if (min > TABLE_MAX_ELEMS) return NULL;
  exec_table *t = util_try_calloc(1, sizeof *t);
  if (!t) return NULL;
  t->elemtype = elemtype;
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
  free(t->elems);
  free(t);
}

int64_t exec_table_grow(exec_table *t, uint32_t delta, void *init) {
  uint32_t old = t->size;
  if (delta == 0) return old;
  if (delta > t->max || old > t->max - delta) return -1;
  exec_store *s = t->store;
  if (s && (uint64_t)old + delta > s->limits.table_elements) {
    s->usage.grow_denials++;
    if (!s->limits.trap_on_grow_failure) return -1;
    s->usage.stopped_by = EXEC_LIMIT_TABLE;
    return EXEC_GROW_TRAP;
  }
  void **e = realloc(t->elems, ((size_t)old + delta) * sizeof(void *));
  if (!e) return -1;
  for (uint32_t i = 0; i < delta; i++) e[old + i] = init;
  t->elems = e;
  t->size = old + delta;
  if (s) {
    s->usage.table_elements += delta;
    if (s->usage.table_elements > s->usage.peak_table_elements)
      s->usage.peak_table_elements = s->usage.table_elements;
  }
  return old;
}

bool exec_store_adopt_table(exec_store *s, exec_table *t, util_error *err) {
  if (t->size > s->limits.table_elements) {
    s->usage.limit_denials++;
    s->usage.stopped_by = EXEC_LIMIT_TABLE;
    return util_fail(err, UTIL_ERR_LIMIT, -1,
                     "table of %u elements exceeds the table limit (%llu elements)", t->size,
                     (unsigned long long)s->limits.table_elements);
  }
  t->store = s;
  s->usage.table_elements += t->size;
  if (s->usage.table_elements > s->usage.peak_table_elements)
    s->usage.peak_table_elements = s->usage.table_elements;
  return true;
}
