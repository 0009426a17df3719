/* The GC instructions' out-of-line work: layouts of a module's types, casts, the bulk
 * array instructions and GC constant expressions. The interpreter's handlers
 * (interp_gc.def) do the null checks and the simple accesses inline and call these. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "../wasm/instr.h"

uint8_t exec_gc_storage_of(const wasm_module *m, wasm_vtype t) {
  switch (t) {
  case WASM_PACKED_I8: return EXEC_GC_I8;
  case WASM_PACKED_I16: return EXEC_GC_I16;
  case WASM_I32: return EXEC_GC_I32;
  case WASM_I64: return EXEC_GC_I64;
  case WASM_F32: return EXEC_GC_F32;
  case WASM_F64: return EXEC_GC_F64;
  case WASM_V128: return EXEC_GC_V128;
  default: return exec_kind_is_gc(exec_kind_of_m(m, t)) ? EXEC_GC_REF : EXEC_GC_PTR;
  }
}

bool exec_gc_instance_layouts(exec_store *s, const exec_module *em, exec_gc_layout **out) {
  const wasm_module *m = em->wasm;
  for (uint32_t i = 0; i < m->ntypes; i++) {
    const wasm_deftype *d = m->deftypes ? &m->deftypes[i] : NULL;
    out[i] = NULL;
    if (!d || d->kind == WASM_TYPE_FUNC) continue;
    uint8_t small[32], *st = d->nfields <= 32 ? small : util_try_malloc(d->nfields);
    if (!st) return false;
    for (uint32_t k = 0; k < d->nfields; k++) st[k] = exec_gc_storage_of(m, d->fields[k].type);
    exec_gc_layout *l = exec_gc_layout_get(s, em->typeids[i], d->kind == WASM_TYPE_STRUCT ? EXEC_GC_STRUCT : EXEC_GC_ARRAY,
                                           d->nfields, st);
    if (st != small) free(st);
    if (!l) return false;
    if (!l->supers) {
      uint32_t n = 0;
      for (uint32_t k = i; k != WASM_NO_SUPER && n <= m->ntypes; k = m->deftypes[k].super) n++;
      l->supers = util_try_malloc(n * sizeof *l->supers);
      if (!l->supers) return false;
      n = 0;
      for (uint32_t k = i; k != WASM_NO_SUPER && n <= m->ntypes; k = m->deftypes[k].super) l->supers[n++] = em->typeids[k];
      l->nsupers = n;
    }
    out[i] = l;
  }
  return true;
}

/* Whether function f's type is the store-level type `id` or declares it as a supertype
 * (directly or further up). */
bool exec_gc_func_sub(const exec_func *f, exec_typeid id) {
  if (f->typeid == id) return true;
  if (!f->inst) return false; /* host signatures are final, without supertypes */
  const exec_module *em = f->inst->module;
  const wasm_module *m = em->wasm;
  uint32_t k = m->funcs[f->index].type;
  for (uint32_t n = 0; k != WASM_NO_SUPER && n <= m->ntypes; n++, k = m->deftypes[k].super) {
    if (em->typeids[k] == id) return true;
  }
  return false;
}

bool exec_gc_test(const exec_instance *inst, exec_slot v, uint32_t heap, bool nullable) {
  if (!v) return nullable;
  const wasm_module *m = inst->module->wasm;
  int64_t idx = wasm_heap_typeidx(heap);
  if (idx >= 0) {
    if (m->deftypes[idx].kind == WASM_TYPE_FUNC) return exec_gc_func_sub((const exec_func *)(uintptr_t)v, inst->module->typeids[idx]);
    exec_gc_obj *o = exec_gc_obj_of(v);
    if (!o) return false;
    const exec_gc_layout *l = o->layout;
    exec_typeid want = inst->module->typeids[idx];
    for (uint32_t k = 0; k < l->nsupers; k++) {
      if (l->supers[k] == want) return true;
    }
    return false;
  }
  exec_gc_obj *o = exec_gc_obj_of(v);
  switch (heap) {
  case WASM_HEAP_ANY:
  case WASM_HEAP_EXTERN:
  case WASM_HEAP_FUNC:
  case WASM_HEAP_EXN: return true;
  case WASM_HEAP_EQ: return exec_ref_is_i31(v) || o->layout->kind != EXEC_GC_HOST;
  case WASM_HEAP_I31: return exec_ref_is_i31(v);
  case WASM_HEAP_STRUCT: return o && o->layout->kind == EXEC_GC_STRUCT;
  case WASM_HEAP_ARRAY: return o && o->layout->kind == EXEC_GC_ARRAY;
  default: return false; /* the bottom types hold null only */
  }
}

exec_trap_kind exec_gc_alloc_trap(exec_thread *th) {
  exec_store *s = th->store;
  if (s->gc->failed_limit)
    snprintf(th->trap_msg, sizeof th->trap_msg, "gc heap limit exceeded (%llu bytes)",
             (unsigned long long)s->limits.gc_heap_bytes);
  else
    snprintf(th->trap_msg, sizeof th->trap_msg, "out of memory (GC heap)");
  return EXEC_TRAP_LIMIT;
}

/* Charges bulk work the way the bulk memory instructions do: 1 unit per 64 bytes. */
static exec_trap_kind charge(exec_thread *th, uint64_t bytes) {
  uint64_t u = bytes >> 6;
  if (!u) return EXEC_OK;
  if (u > (uint64_t)INT64_MAX / 2) u = (uint64_t)INT64_MAX / 2;
  th->budget -= (int64_t)u;
  return th->budget < 0 ? exec_check_interrupt(th) : EXEC_OK;
}

static uint8_t *elem_at(exec_gc_obj *a, uint32_t i) { return exec_gc_data(a) + (size_t)i * a->layout->size; }

exec_trap_kind exec_gc_array_fill(exec_thread *th, exec_gc_obj *a, uint32_t off, const exec_slot *v, uint32_t n) {
  if ((uint64_t)off + n > a->len) return EXEC_TRAP_ARRAY_OOB;
  exec_trap_kind k = charge(th, (uint64_t)n * a->layout->size);
  if (k) return k;
  uint8_t st = a->layout->storage[0];
  for (uint32_t i = 0; i < n; i++) exec_gc_store(st, elem_at(a, off + i), v);
  return EXEC_OK;
}

exec_trap_kind exec_gc_array_copy(exec_thread *th, exec_gc_obj *d, uint32_t doff, exec_gc_obj *s, uint32_t soff,
                                  uint32_t n) {
  if ((uint64_t)doff + n > d->len || (uint64_t)soff + n > s->len) return EXEC_TRAP_ARRAY_OOB;
  size_t sz = d->layout->size;
  exec_trap_kind k = charge(th, (uint64_t)n * sz);
  if (k) return k;
  if (n) memmove(elem_at(d, doff), elem_at(s, soff), (size_t)n * sz);
  return EXEC_OK;
}

exec_trap_kind exec_gc_array_init_data(exec_thread *th, const exec_instance *inst, exec_gc_obj *a, uint32_t d,
                                       uint32_t data, uint32_t s, uint32_t n) {
  const exec_data_inst *di = &inst->datas[data];
  size_t sz = a->layout->size;
  if ((uint64_t)d + n > a->len) return EXEC_TRAP_ARRAY_OOB;
  if ((uint64_t)s + (uint64_t)n * sz > di->len) return EXEC_TRAP_MEMORY_OOB;
  exec_trap_kind k = charge(th, (uint64_t)n * sz);
  if (k) return k;
  if (n) memcpy(elem_at(a, d), di->bytes + s, (size_t)n * sz);
  return EXEC_OK;
}

exec_trap_kind exec_gc_array_init_elem(exec_thread *th, const exec_instance *inst, exec_gc_obj *a, uint32_t d,
                                       uint32_t elem, uint32_t s, uint32_t n) {
  const exec_elem_inst *ei = &inst->elems[elem];
  if ((uint64_t)d + n > a->len) return EXEC_TRAP_ARRAY_OOB;
  if ((uint64_t)s + n > ei->count) return EXEC_TRAP_TABLE_OOB;
  exec_trap_kind k = charge(th, (uint64_t)n * 8);
  if (k) return k;
  for (uint32_t i = 0; i < n; i++) {
    exec_slot v = (exec_slot)(uintptr_t)ei->refs[s + i];
    memcpy(elem_at(a, d + i), &v, 8);
  }
  return EXEC_OK;
}

exec_trap_kind exec_gc_array_new_data(exec_thread *th, const exec_instance *inst, uint32_t type, uint32_t data,
                                      uint32_t s, uint32_t n, exec_slot *out) {
  const exec_gc_layout *l = inst->layouts[type];
  const exec_data_inst *di = &inst->datas[data];
  if ((uint64_t)s + (uint64_t)n * l->size > di->len) return EXEC_TRAP_MEMORY_OOB;
  exec_trap_kind k = charge(th, (uint64_t)n * l->size);
  if (k) return k;
  exec_gc_obj *a = exec_gc_new_array(th->store, l, n, true);
  if (!a) return exec_gc_alloc_trap(th);
  if (n) memcpy(exec_gc_data(a), di->bytes + s, (size_t)n * l->size);
  *out = exec_gc_ref(a);
  return EXEC_OK;
}

exec_trap_kind exec_gc_array_new_elem(exec_thread *th, const exec_instance *inst, uint32_t type, uint32_t elem,
                                      uint32_t s, uint32_t n, exec_slot *out) {
  const exec_gc_layout *l = inst->layouts[type];
  const exec_elem_inst *ei = &inst->elems[elem];
  if ((uint64_t)s + n > ei->count) return EXEC_TRAP_TABLE_OOB;
  exec_trap_kind k = charge(th, (uint64_t)n * 8);
  if (k) return k;
  exec_gc_obj *a = exec_gc_new_array(th->store, l, n, true);
  if (!a) return exec_gc_alloc_trap(th);
  for (uint32_t i = 0; i < n; i++) {
    exec_slot v = (exec_slot)(uintptr_t)ei->refs[s + i];
    memcpy(elem_at(a, i), &v, 8);
  }
  *out = exec_gc_ref(a);
  return EXEC_OK;
}

/* ---------- constant expressions ------------------------------------------------------------ */

static bool const_fail(util_reader *r, util_error *err, const char *msg) {
  return util_fail(err, UTIL_ERR_INVALID, (int64_t)util_reader_offset(r), "%s", msg);
}

/* The values of a struct's fields or an array's elements, popped from the stack. */
static void put_fields(const exec_gc_layout *l, exec_gc_obj *o, exec_slot (*vals)[2], uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    uint8_t st = l->kind == EXEC_GC_ARRAY ? l->storage[0] : l->storage[i];
    uint8_t *p = l->kind == EXEC_GC_ARRAY ? elem_at(o, i) : exec_gc_data(o) + l->offsets[i];
    exec_gc_store(st, p, vals[i]);
  }
}

bool exec_gc_const_op(exec_instance *inst, uint32_t sub, util_reader *r, exec_slot (*st)[2], int *sp, int cap,
                      util_error *err) {
  exec_store *s = inst->store;
  uint32_t type = 0, count = 0;
  bool has_type = sub <= 0x08;
  if (has_type && !util_read_u32(r, &type, err)) return false;
  if (sub == 0x08 && !util_read_u32(r, &count, err)) return false;
  const exec_gc_layout *l = has_type && type < inst->module->wasm->ntypes ? inst->layouts[type] : NULL;
  if (has_type && !l) return const_fail(r, err, "constant expression required");
  exec_gc_obj *o = NULL;
  switch (sub) {
  case 0x00: /* struct.new */
  case 0x01: /* struct.new_default */ {
    uint32_t n = sub == 0x00 ? l->nfields : 0;
    if ((uint32_t)*sp < n) return const_fail(r, err, "type mismatch");
    o = exec_gc_new_struct(s, l, false);
    if (!o) break;
    put_fields(l, o, st + *sp - n, n);
    *sp -= (int)n;
    break;
  }
  case 0x06: /* array.new: value, length */
  case 0x07: /* array.new_default: length */ {
    int need = sub == 0x06 ? 2 : 1;
    if (*sp < need) return const_fail(r, err, "type mismatch");
    uint32_t len = (uint32_t)st[*sp - 1][0];
    o = exec_gc_new_array(s, l, len, false);
    if (!o) break;
    if (sub == 0x06) {
      for (uint32_t i = 0; i < len; i++) exec_gc_store(l->storage[0], elem_at(o, i), st[*sp - 2]);
    }
    *sp -= need;
    break;
  }
  case 0x08: /* array.new_fixed */ {
    if ((uint32_t)*sp < count) return const_fail(r, err, "type mismatch");
    o = exec_gc_new_array(s, l, count, false);
    if (!o) break;
    put_fields(l, o, st + *sp - count, count);
    *sp -= (int)count;
    break;
  }
  case 0x1a: /* any.convert_extern */
  case 0x1b: /* extern.convert_any: the same value */
    if (*sp < 1) return const_fail(r, err, "type mismatch");
    return true;
  case 0x1c: /* ref.i31 */
    if (*sp < 1) return const_fail(r, err, "type mismatch");
    st[*sp - 1][0] = exec_i31_new((uint32_t)st[*sp - 1][0]);
    return true;
  default: return const_fail(r, err, "constant expression required");
  }
  if (!o) {
    return util_fail(err, UTIL_ERR_LIMIT, (int64_t)util_reader_offset(r),
                     s->gc->failed_limit ? "gc heap limit exceeded" : "out of memory");
  }
  if (*sp >= cap) return util_fail(err, UTIL_ERR_LIMIT, (int64_t)util_reader_offset(r), "constant expression too deep");
  st[*sp][0] = exec_gc_ref(o);
  st[*sp][1] = 0;
  (*sp)++;
  return true;
}
