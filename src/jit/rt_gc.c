/* The GC instructions (0xFB, ref.eq) for compiled code: each helper takes the
 * instruction's operands in a[0..] (their home slots; a v128 takes two), writes its result
 * to a[0], and returns 0 or a trap kind (the frame is added by the caller). They do what
 * the interpreter's handlers do (src/exec/interp_gc.def) with the same out-of-line work
 * (src/exec/gc_ops.c), so traps, messages and fuel charges are the same. An allocating
 * helper may collect: the calling frame's operands, these included, are home and its
 * exec_jit_frame names the stack map of the instruction (compile_gc.c). */
#include <string.h>

#include "../exec/gc.h"
#include "jit_int.h"

#define BULK_SHIFT 6

/* A trap whose message is written already (a GC heap limit). */
static uint32_t fail_msg(jit_ctx *c, exec_trap_kind k) {
  c->th->trap = k;
  exec_bt_reset(c->th);
  return k;
}

static uint32_t fail_kind(jit_ctx *c, exec_trap_kind k) { return k == EXEC_TRAP_LIMIT ? fail_msg(c, k) : jit_rt_fail(c, k); }

static uint32_t alloc_fail(jit_ctx *c) { return fail_msg(c, exec_gc_alloc_trap(c->th)); }

static uint8_t *elem(exec_gc_obj *a, uint32_t i) { return exec_gc_data(a) + (size_t)i * a->layout->size; }

uint32_t jit_rt_struct_new(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t y) {
  (void)y;
  const exec_gc_layout *l = c->inst->layouts[type];
  exec_gc_obj *o = exec_gc_new_struct(c->th->store, l, true);
  if (!o) return alloc_fail(c);
  uint32_t slot = 0;
  for (uint32_t i = 0; i < l->nfields; i++) {
    exec_gc_store(l->storage[i], exec_gc_data(o) + l->offsets[i], &a[slot]);
    slot += l->storage[i] == EXEC_GC_V128 ? 2 : 1;
  }
  a[0] = exec_gc_ref(o);
  return 0;
}

uint32_t jit_rt_struct_new_default(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t y) {
  (void)y;
  exec_gc_obj *o = exec_gc_new_struct(c->th->store, c->inst->layouts[type], true);
  if (!o) return alloc_fail(c);
  a[0] = exec_gc_ref(o);
  return 0;
}

/* y: 1 sign-extends a packed field */
uint32_t jit_rt_struct_get(jit_ctx *c, exec_slot *a, uint32_t field, uint32_t y) {
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_STRUCT);
  const exec_gc_layout *l = o->layout;
  exec_gc_load(l->storage[field], exec_gc_data(o) + l->offsets[field], y != 0, a);
  return 0;
}

uint32_t jit_rt_struct_set(jit_ctx *c, exec_slot *a, uint32_t field, uint32_t y) {
  (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_STRUCT);
  const exec_gc_layout *l = o->layout;
  exec_gc_store(l->storage[field], exec_gc_data(o) + l->offsets[field], &a[1]);
  return 0;
}

/* value, length (at a[vslots]) */
uint32_t jit_rt_array_new(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t vslots) {
  const exec_gc_layout *l = c->inst->layouts[type];
  uint32_t n = (uint32_t)a[vslots];
  uint32_t k = jit_rt_charge(c, ((uint64_t)n * l->size) >> BULK_SHIFT);
  if (k) return k;
  exec_gc_obj *o = exec_gc_new_array(c->th->store, l, n, true);
  if (!o) return alloc_fail(c);
  for (uint32_t i = 0; i < n; i++) exec_gc_store(l->storage[0], elem(o, i), a);
  a[0] = exec_gc_ref(o);
  return 0;
}

uint32_t jit_rt_array_new_default(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t y) {
  (void)y;
  const exec_gc_layout *l = c->inst->layouts[type];
  uint32_t n = (uint32_t)a[0];
  uint32_t k = jit_rt_charge(c, ((uint64_t)n * l->size) >> BULK_SHIFT);
  if (k) return k;
  exec_gc_obj *o = exec_gc_new_array(c->th->store, l, n, true);
  if (!o) return alloc_fail(c);
  a[0] = exec_gc_ref(o);
  return 0;
}

uint32_t jit_rt_array_new_fixed(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t n) {
  const exec_gc_layout *l = c->inst->layouts[type];
  uint32_t step = l->storage[0] == EXEC_GC_V128 ? 2 : 1;
  exec_gc_obj *o = exec_gc_new_array(c->th->store, l, n, true);
  if (!o) return alloc_fail(c);
  for (uint32_t i = 0; i < n; i++) exec_gc_store(l->storage[0], elem(o, i), &a[i * step]);
  a[0] = exec_gc_ref(o);
  return 0;
}

/* source offset, length; the type and the segment packed: x the type, y the segment */
uint32_t jit_rt_array_new_data(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t data) {
  exec_slot r = 0;
  exec_trap_kind k = exec_gc_array_new_data(c->th, c->inst, type, data, (uint32_t)a[0], (uint32_t)a[1], &r);
  if (k) return fail_kind(c, k);
  a[0] = r;
  return 0;
}

uint32_t jit_rt_array_new_elem(jit_ctx *c, exec_slot *a, uint32_t type, uint32_t el) {
  exec_slot r = 0;
  exec_trap_kind k = exec_gc_array_new_elem(c->th, c->inst, type, el, (uint32_t)a[0], (uint32_t)a[1], &r);
  if (k) return fail_kind(c, k);
  a[0] = r;
  return 0;
}

uint32_t jit_rt_array_get(jit_ctx *c, exec_slot *a, uint32_t sign, uint32_t y) {
  (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  uint32_t i = (uint32_t)a[1];
  if (i >= o->len) return jit_rt_fail(c, EXEC_TRAP_ARRAY_OOB);
  exec_gc_load(o->layout->storage[0], elem(o, i), sign != 0, a);
  return 0;
}

uint32_t jit_rt_array_set(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  (void)x, (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  uint32_t i = (uint32_t)a[1];
  if (i >= o->len) return jit_rt_fail(c, EXEC_TRAP_ARRAY_OOB);
  exec_gc_store(o->layout->storage[0], elem(o, i), &a[2]);
  return 0;
}

uint32_t jit_rt_array_len(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  (void)x, (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  a[0] = o->len;
  return 0;
}

/* array, offset, value (vslots), length */
uint32_t jit_rt_array_fill(jit_ctx *c, exec_slot *a, uint32_t vslots, uint32_t y) {
  (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  exec_trap_kind k = exec_gc_array_fill(c->th, o, (uint32_t)a[1], &a[2], (uint32_t)a[2 + vslots]);
  return k ? jit_rt_fail(c, k) : 0;
}

uint32_t jit_rt_array_copy(jit_ctx *c, exec_slot *a, uint32_t x, uint32_t y) {
  (void)x, (void)y;
  exec_gc_obj *d = exec_gc_obj_of(a[0]);
  if (!d) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  exec_gc_obj *s = exec_gc_obj_of(a[2]);
  if (!s) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  exec_trap_kind k = exec_gc_array_copy(c->th, d, (uint32_t)a[1], s, (uint32_t)a[3], (uint32_t)a[4]);
  return k ? jit_rt_fail(c, k) : 0;
}

uint32_t jit_rt_array_init_data(jit_ctx *c, exec_slot *a, uint32_t data, uint32_t y) {
  (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  exec_trap_kind k = exec_gc_array_init_data(c->th, c->inst, o, (uint32_t)a[1], data, (uint32_t)a[2], (uint32_t)a[3]);
  return k ? jit_rt_fail(c, k) : 0;
}

uint32_t jit_rt_array_init_elem(jit_ctx *c, exec_slot *a, uint32_t el, uint32_t y) {
  (void)y;
  exec_gc_obj *o = exec_gc_obj_of(a[0]);
  if (!o) return jit_rt_fail(c, EXEC_TRAP_NULL_ARRAY);
  exec_trap_kind k = exec_gc_array_init_elem(c->th, c->inst, o, (uint32_t)a[1], el, (uint32_t)a[2], (uint32_t)a[3]);
  return k ? jit_rt_fail(c, k) : 0;
}

/* ref.test: flags 1 nullable, 2 negate (br_on_cast_fail); the result goes to a[1] when
 * flags has 4 (br_on_cast keeps the reference in a[0]) */
uint32_t jit_rt_ref_test(jit_ctx *c, exec_slot *a, uint32_t heap, uint32_t flags) {
  bool r = exec_gc_test(c->inst, a[0], heap, flags & 1);
  a[(flags & 4) ? 1 : 0] = r != ((flags & 2) != 0);
  return 0;
}

uint32_t jit_rt_ref_cast(jit_ctx *c, exec_slot *a, uint32_t heap, uint32_t nullable) {
  return exec_gc_test(c->inst, a[0], heap, nullable != 0) ? 0 : jit_rt_fail(c, EXEC_TRAP_CAST);
}
