/* Bulk memory, table and reference instructions for compiled code: each helper takes the
 * instruction's operands in a[0..] (their home slots), writes its result to a[0], and
 * returns 0 or a trap kind (the frame is added by the caller). The semantics and the fuel
 * charges are the interpreter's (src/exec/README.md, "Memory"): bounds first, then one
 * unit per 64 bytes or 8 elements, then the work, in chunks past EXEC_BULK_CHUNK. */
#include <stdio.h>
#include <string.h>

#include "jit_int.h"

#define BULK_SHIFT 6
#define BULK_ELEM_SHIFT 3

/* A trap of kind k with the kind's own message (shared with rt_gc.c). */
uint32_t jit_rt_fail(jit_ctx *c, exec_trap_kind k) {
  c->th->trap = k;
  c->th->trap_msg[0] = 0;
  exec_bt_reset(c->th);
  return k;
}

/* The interpreter's BULK_CHARGE: units of bulk work, the slow path when the budget is
 * spent (shared with rt_gc.c). */
uint32_t jit_rt_charge(jit_ctx *c, uint64_t units) {
  exec_thread *th = c->th;
  if (units > (uint64_t)INT64_MAX / 2) units = (uint64_t)INT64_MAX / 2;
  th->budget -= (int64_t)units;
  if (th->budget < 0) {
    exec_trap_kind k = exec_check_interrupt(th);
    if (k) return jit_rt_fail(c, k);
  }
  return 0;
}

/* The instance's memory k (memory 0 is the context's). */
static exec_memory *mem_at(jit_ctx *c, uint32_t k) { return k ? c->inst->memories[k] : c->mem; }

uint32_t jit_rt_memory_fill(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  (void)y;
  exec_memory *m = mem_at(c, x);
  uint64_t d = (uint32_t)a[0], n = (uint32_t)a[2];
  int v = (int)(uint8_t)a[1];
  if (d + n > m->size) return jit_rt_fail(c, EXEC_TRAP_MEMORY_OOB);
  uint32_t k = jit_rt_charge(c, n >> BULK_SHIFT);
  if (k) return k;
  if (n <= EXEC_BULK_CHUNK) memset(m->base + d, v, n);
  else if ((k = exec_bulk_fill(c->th, m->base + d, v, n))) return jit_rt_fail(c, (exec_trap_kind)k);
  return 0;
}

uint32_t jit_rt_memory_copy(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  exec_memory *dm = mem_at(c, x), *sm = mem_at(c, y);
  uint64_t d = (uint32_t)a[0], s = (uint32_t)a[1], n = (uint32_t)a[2];
  if (d + n > dm->size || s + n > sm->size) return jit_rt_fail(c, EXEC_TRAP_MEMORY_OOB);
  uint32_t k = jit_rt_charge(c, n >> BULK_SHIFT);
  if (k) return k;
  if (n <= EXEC_BULK_CHUNK) memmove(dm->base + d, sm->base + s, n);
  else if ((k = exec_bulk_move(c->th, dm->base + d, sm->base + s, n))) return jit_rt_fail(c, (exec_trap_kind)k);
  return 0;
}

uint32_t jit_rt_memory_init(jit_ctx *c, exec_slot *a, uint32_t seg, uint32_t y) {
  exec_memory *m = mem_at(c, y);
  const exec_data_inst *ds = &c->inst->datas[seg];
  uint64_t d = (uint32_t)a[0], s = (uint32_t)a[1], n = (uint32_t)a[2];
  if (s + n > ds->len || d + n > m->size) return jit_rt_fail(c, EXEC_TRAP_MEMORY_OOB);
  uint32_t k = jit_rt_charge(c, n >> BULK_SHIFT);
  if (k) return k;
  if (!n) return 0;
  if (n <= EXEC_BULK_CHUNK) memcpy(m->base + d, ds->bytes + s, n);
  else if ((k = exec_bulk_move(c->th, m->base + d, ds->bytes + s, n))) return jit_rt_fail(c, (exec_trap_kind)k);
  return 0;
}

uint32_t jit_rt_data_drop(jit_ctx *c, exec_slot *a, uint32_t seg, uint32_t y) {
  (void)a, (void)y;
  c->inst->datas[seg].len = 0;
  return 0;
}

uint32_t jit_rt_elem_drop(jit_ctx *c, exec_slot *a, uint32_t seg, uint32_t y) {
  (void)a, (void)y;
  c->inst->elems[seg].count = 0;
  return 0;
}

uint32_t jit_rt_ref_func(jit_ctx *c, exec_slot *a, uint32_t f, uint32_t y) {
  (void)y;
  a[0] = (exec_slot)(uintptr_t)c->inst->funcs[f];
  return 0;
}

uint32_t jit_rt_table_get(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y) {
  (void)y;
  exec_table *tb = c->inst->tables[t];
  uint32_t i = (uint32_t)a[0];
  if (i >= tb->size) return jit_rt_fail(c, EXEC_TRAP_TABLE_OOB);
  a[0] = (exec_slot)(uintptr_t)exec_table_get(tb, i);
  return 0;
}

uint32_t jit_rt_table_set(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y) {
  (void)y;
  exec_table *tb = c->inst->tables[t];
  uint32_t i = (uint32_t)a[0];
  if (i >= tb->size) return jit_rt_fail(c, EXEC_TRAP_TABLE_OOB);
  exec_table_forget(tb, i, 1);
  tb->elems[i] = (void *)(uintptr_t)a[1];
  return 0;
}

uint32_t jit_rt_table_size(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y) {
  (void)y;
  a[0] = c->inst->tables[t]->size;
  return 0;
}

uint32_t jit_rt_table_grow(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y) {
  exec_thread *th = c->th;
  exec_table *tb = c->inst->tables[t];
  void *init = (void *)(uintptr_t)a[0];
  uint32_t n = (uint32_t)a[1];
  if (n <= tb->max - tb->size) {
    uint32_t k = jit_rt_charge(c, n >> BULK_ELEM_SHIFT);
    if (k) return k;
  }
  int64_t r = exec_table_grow(tb, n, init);
  if (r == EXEC_GROW_TRAP) {
    jit_rt_fail(c, EXEC_TRAP_LIMIT);
    exec_store *st = th->store;
    unsigned long long want = (unsigned long long)tb->size + n;
    if (st->usage.stopped_by == EXEC_LIMIT_MEMORY)
      snprintf(th->trap_msg, sizeof th->trap_msg,
               "memory limit exceeded (table.grow to %llu elements, %llu bytes; limit %llu bytes)", want,
               want * EXEC_TABLE_ELEM_BYTES, (unsigned long long)st->limits.memory_bytes);
    else if (want <= st->limits.table_elements)
      snprintf(th->trap_msg, sizeof th->trap_msg,
               "table limit exceeded (table.grow to %llu elements, store total %llu, limit %llu)", want,
               (unsigned long long)(st->usage.table_elements + n), (unsigned long long)st->limits.table_elements);
    else
      snprintf(th->trap_msg, sizeof th->trap_msg, "table limit exceeded (table.grow to %llu elements, limit %llu)",
               want, (unsigned long long)st->limits.table_elements);
    return EXEC_TRAP_LIMIT;
  }
  a[0] = r >= 0 ? (uint32_t)r : y ? UINT64_MAX : 0xffffffffu; /* y: a 64-bit table */
  return 0;
}

uint32_t jit_rt_table_fill(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t y) {
  (void)y;
  exec_table *tb = c->inst->tables[t];
  uint64_t i = (uint32_t)a[0], n = (uint32_t)a[2];
  void *v = (void *)(uintptr_t)a[1];
  if (i + n > tb->size) return jit_rt_fail(c, EXEC_TRAP_TABLE_OOB);
  uint32_t k = jit_rt_charge(c, n >> BULK_ELEM_SHIFT);
  if (k) return k;
  exec_table_settle(tb, i, n); /* a fill stopped half-way leaves the rest as it was */
  if (n * sizeof(void *) <= EXEC_BULK_CHUNK) {
    for (uint64_t q = 0; q < n; q++) tb->elems[i + q] = v;
  } else if ((k = exec_bulk_fill_refs(c->th, tb->elems + i, v, n))) {
    return jit_rt_fail(c, (exec_trap_kind)k);
  }
  return 0;
}

uint32_t jit_rt_table_copy(jit_ctx *c, exec_slot *a, uint32_t dti, uint32_t sti) {
  exec_table *dt = c->inst->tables[dti], *st = c->inst->tables[sti];
  uint64_t d = (uint32_t)a[0], s = (uint32_t)a[1], n = (uint32_t)a[2];
  if (d + n > dt->size || s + n > st->size) return jit_rt_fail(c, EXEC_TRAP_TABLE_OOB);
  uint32_t k = jit_rt_charge(c, n >> BULK_ELEM_SHIFT);
  if (k || !n) return k;
  exec_table_settle(st, s, n);
  exec_table_settle(dt, d, n);
  size_t bytes = n * sizeof(void *);
  if (bytes <= EXEC_BULK_CHUNK) memmove(dt->elems + d, st->elems + s, bytes);
  else if ((k = exec_bulk_move(c->th, (uint8_t *)(dt->elems + d), (const uint8_t *)(st->elems + s), bytes)))
    return jit_rt_fail(c, (exec_trap_kind)k);
  return 0;
}

uint32_t jit_rt_table_init(jit_ctx *c, exec_slot *a, uint32_t t, uint32_t seg) {
  exec_table *tb = c->inst->tables[t];
  const exec_elem_inst *es = &c->inst->elems[seg];
  uint64_t d = (uint32_t)a[0], s = (uint32_t)a[1], n = (uint32_t)a[2];
  if (s + n > es->count || d + n > tb->size) return jit_rt_fail(c, EXEC_TRAP_TABLE_OOB);
  uint32_t k = jit_rt_charge(c, n >> BULK_ELEM_SHIFT);
  if (k || !n) return k;
  exec_table_settle(tb, d, n);
  size_t bytes = n * sizeof(void *);
  if (bytes <= EXEC_BULK_CHUNK) memcpy(tb->elems + d, es->refs + s, bytes);
  else if ((k = exec_bulk_move(c->th, (uint8_t *)(tb->elems + d), (const uint8_t *)(es->refs + s), bytes)))
    return jit_rt_fail(c, (exec_trap_kind)k);
  return 0;
}
