/* The baseline compiler's GC instructions (0xFB and ref.eq): ref.eq, ref.i31, i31.get_s/u
 * and struct.get/set of 4- and 8-byte fields inline, any.convert_extern/extern.convert_any nothing (one encoding for both
 * hierarchies, src/exec/gc.h), everything else a call to a helper of rt_gc.c with the
 * operands home. An allocating instruction is a collection point: jc_gc_site names the
 * interpreter's stack map for it before the call, its operands still counted on the
 * stack (the helper reads them after allocating), as the translator records it. */
#include "../exec/gc.h"
#include "compile_int.h"

static const wasm_deftype *deftype(jc *j, uint32_t idx) { return &j->m->deftypes[idx]; }

static uint32_t vslots(wasm_vtype t) { return t == WASM_V128 ? 2 : 1; }

/* nargs operand slots go home, the helper gets the first one's address; the result (of
 * type *res, or none) goes to the same place. `alloc`: the helper may collect. `traps`:
 * it returns a trap kind to check. */
static void gc_helper(jc *j, jit_helper fn, uint32_t nargs, const wasm_vtype *res, uint32_t x, uint32_t y,
                      uint32_t off, bool alloc, bool traps) {
  jc_spill_regs(j);
  for (uint32_t i = 0; i < nargs; i++) jc_materialize(j, j->n - nargs + i);
  uint32_t base = j->n - nargs, top = j->n;
  uint32_t rs = res ? vslots(*res) : 0;
  while (j->n < base + rs) /* room for a result wider than the operands (frame size) */
    if (!jc_push(j, (ent){.kind = E_SLOT})) return;
  j->n = top;
  if (alloc) jc_gc_site(j, off);
  x64_mov_rr(j->b, true, X64_RDI, R12);
  x64_lea(j->b, true, X64_RSI, RBX, NOREG, 1, home(j, base));
  x64_mov_ri(j->b, false, RDX, x);
  x64_mov_ri(j->b, false, X64_RCX, y);
  jc_call_abs(j, (const void *)fn);
  if (traps) jc_check_eax(j, off);
  j->n = base;
  if (res) jc_push_typed(j, res, 1);
}

static uint32_t struct_slots(jc *j, uint32_t idx) {
  const wasm_deftype *d = deftype(j, idx);
  uint32_t n = 0;
  for (uint32_t i = 0; i < d->nfields; i++) n += vslots(wasm_unpacked(d->fields[i].type));
  return n;
}

static wasm_vtype field_type(jc *j, uint32_t idx, uint32_t f) { return wasm_unpacked(deftype(j, idx)->fields[f].type); }

/* A struct field accessed inline: its size (4 or 8 bytes: i32, f32, i64, f64, references),
 * or 0 (packed and v128 fields go through the helpers). */
static uint32_t inline_size(jc *j, uint32_t idx, uint32_t f) {
  uint8_t st = exec_gc_storage_of(j->m, deftype(j, idx)->fields[f].type);
  if (st == EXEC_GC_I8 || st == EXEC_GC_I16 || st == EXEC_GC_V128) return 0;
  return exec_gc_storage_size(st) == 4 ? 4 : 8;
}

/* The field's displacement from the object's address (a subtype's objects have it at the
 * same place, src/exec/gc.c). */
static int32_t field_disp(jc *j, uint32_t idx, uint32_t f) {
  return (int32_t)(sizeof(exec_gc_obj) + exec_gc_field_offset(j->m, idx, f));
}

const char *jc_gc(jc *j, const wasm_instr *in, uint32_t off) {
  static const wasm_vtype ref = WASM_ANYREF, i32 = WASM_I32;
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
    gc_helper(j, jit_rt_struct_new, struct_slots(j, in->idx), &ref, in->idx, 0, off, true, true);
    return NULL;
  case WASM_OP_STRUCT_NEW_DEFAULT:
    gc_helper(j, jit_rt_struct_new_default, 0, &ref, in->idx, 0, off, true, true);
    return NULL;
  case WASM_OP_STRUCT_GET:
  case WASM_OP_STRUCT_GET_S:
  case WASM_OP_STRUCT_GET_U: {
    wasm_vtype t = field_type(j, in->idx, in->idx2);
    uint32_t sz = inline_size(j, in->idx, in->idx2);
    if (sz) {
      /* the null test, then one load from the object's data (zero-extended for 4 bytes) */
      ent o = jc_pop(j);
      jc_load(j, RAX, o, j->n, true);
      x64_test_rr(j->b, true, RAX, RAX);
      jc_trap_if(j, X64_CC_E, EXEC_TRAP_NULL_STRUCT, off);
      x64_mov_rm(j->b, sz == 8, RAX, RAX, NOREG, 1, field_disp(j, in->idx, in->idx2));
      jc_push_rax(j);
      return NULL;
    }
    gc_helper(j, jit_rt_struct_get, 1, &t, in->idx2, in->op == WASM_OP_STRUCT_GET_S, off, false, true);
    return NULL;
  }
  case WASM_OP_STRUCT_SET: {
    uint32_t sz = inline_size(j, in->idx, in->idx2);
    if (sz) {
      ent v = jc_pop(j);
      uint32_t vpos = j->n;
      ent o = jc_pop(j);
      jc_load(j, X64_RCX, v, vpos, true);
      jc_load(j, RAX, o, j->n, true);
      x64_test_rr(j->b, true, RAX, RAX);
      jc_trap_if(j, X64_CC_E, EXEC_TRAP_NULL_STRUCT, off);
      x64_mov_mr(j->b, sz == 8, RAX, NOREG, 1, field_disp(j, in->idx, in->idx2), X64_RCX);
      return NULL;
    }
  }
    gc_helper(j, jit_rt_struct_set, 1 + vslots(field_type(j, in->idx, in->idx2)), NULL, in->idx2, 0, off, false,
              true);
    return NULL;
  case WASM_OP_ARRAY_NEW: {
    uint32_t vs = vslots(field_type(j, in->idx, 0));
    gc_helper(j, jit_rt_array_new, vs + 1, &ref, in->idx, vs, off, true, true);
    return NULL;
  }
  case WASM_OP_ARRAY_NEW_DEFAULT:
    gc_helper(j, jit_rt_array_new_default, 1, &ref, in->idx, 0, off, true, true);
    return NULL;
  case WASM_OP_ARRAY_NEW_FIXED:
    gc_helper(j, jit_rt_array_new_fixed, in->idx2 * vslots(field_type(j, in->idx, 0)), &ref, in->idx, in->idx2, off,
              true, true);
    return NULL;
  case WASM_OP_ARRAY_NEW_DATA:
    gc_helper(j, jit_rt_array_new_data, 2, &ref, in->idx, in->idx2, off, true, true);
    return NULL;
  case WASM_OP_ARRAY_NEW_ELEM:
    gc_helper(j, jit_rt_array_new_elem, 2, &ref, in->idx, in->idx2, off, true, true);
    return NULL;
  case WASM_OP_ARRAY_GET:
  case WASM_OP_ARRAY_GET_S:
  case WASM_OP_ARRAY_GET_U: {
    wasm_vtype t = field_type(j, in->idx, 0);
    gc_helper(j, jit_rt_array_get, 2, &t, in->op == WASM_OP_ARRAY_GET_S, 0, off, false, true);
    return NULL;
  }
  case WASM_OP_ARRAY_SET:
    gc_helper(j, jit_rt_array_set, 2 + vslots(field_type(j, in->idx, 0)), NULL, 0, 0, off, false, true);
    return NULL;
  case WASM_OP_ARRAY_LEN: gc_helper(j, jit_rt_array_len, 1, &i32, 0, 0, off, false, true); return NULL;
  case WASM_OP_ARRAY_FILL: {
    uint32_t vs = vslots(field_type(j, in->idx, 0));
    gc_helper(j, jit_rt_array_fill, 3 + vs, NULL, vs, 0, off, false, true);
    return NULL;
  }
  case WASM_OP_ARRAY_COPY: gc_helper(j, jit_rt_array_copy, 5, NULL, 0, 0, off, false, true); return NULL;
  case WASM_OP_ARRAY_INIT_DATA:
    gc_helper(j, jit_rt_array_init_data, 4, NULL, in->idx2, 0, off, false, true);
    return NULL;
  case WASM_OP_ARRAY_INIT_ELEM:
    gc_helper(j, jit_rt_array_init_elem, 4, NULL, in->idx2, 0, off, false, true);
    return NULL;
  case WASM_OP_REF_TEST:
  case WASM_OP_REF_TEST_NULL:
    gc_helper(j, jit_rt_ref_test, 1, &i32, wasm_ref_heap(in->reftype), in->op == WASM_OP_REF_TEST_NULL, off, false,
              false);
    return NULL;
  case WASM_OP_REF_CAST:
  case WASM_OP_REF_CAST_NULL:
    gc_helper(j, jit_rt_ref_cast, 1, &ref, wasm_ref_heap(in->reftype), in->op == WASM_OP_REF_CAST_NULL, off, false,
              true);
    return NULL;
  case WASM_OP_BR_ON_CAST:
  case WASM_OP_BR_ON_CAST_FAIL: {
    /* the test's result goes to the slot above the reference (flag 4), which stays home
     * below it (a branch value when the label takes it); then br_if */
    uint32_t flags = (wasm_ref_nullable(in->reftype2) ? 1u : 0u) | (in->op == WASM_OP_BR_ON_CAST_FAIL ? 2u : 0u) | 4u;
    jc_spill_regs(j);
    jc_materialize(j, j->n - 1);
    uint32_t rpos = j->n - 1;
    if (!jc_push(j, (ent){.kind = E_SLOT})) return NULL;
    x64_mov_rr(j->b, true, X64_RDI, R12);
    x64_lea(j->b, true, X64_RSI, RBX, NOREG, 1, home(j, rpos));
    x64_mov_ri(j->b, false, RDX, wasm_ref_heap(in->reftype2));
    x64_mov_ri(j->b, false, X64_RCX, flags);
    jc_call_abs(j, (const void *)jit_rt_ref_test);
    jc_br_if(j, in->idx, off);
    return NULL;
  }
  case WASM_OP_ANY_CONVERT_EXTERN:
  case WASM_OP_EXTERN_CONVERT_ANY: return NULL;
  case WASM_OP_REF_I31: {
    ent v = jc_pop(j);
    jc_load(j, RAX, v, j->n, false);
    x64_shift_ri(j->b, X64_SHL, false, RAX, 1); /* bit 31 drops out: (v & 0x7fffffff) << 1 */
    x64_alu_ri(j->b, X64_OR, false, RAX, 1);
    jc_push_rax(j);
    return NULL;
  }
  case WASM_OP_I31_GET_S:
  case WASM_OP_I31_GET_U: {
    ent v = jc_pop(j);
    jc_load(j, RAX, v, j->n, true);
    x64_test_rr(j->b, true, RAX, RAX);
    jc_trap_if(j, X64_CC_E, EXEC_TRAP_NULL_I31, off);
    /* the low 32 bits are v << 1 | 1: one shift gives the 31-bit value, sign- or
     * zero-extended to 32 bits (a 32-bit operation clears the high half) */
    x64_shift_ri(j->b, in->op == WASM_OP_I31_GET_S ? X64_SAR : X64_SHR, false, RAX, 1);
    jc_push_rax(j);
    return NULL;
  }
  case WASM_OP_REF_EQ: {
    ent b = jc_pop(j);
    uint32_t bpos = j->n;
    ent a = jc_pop(j);
    jc_load(j, X64_RCX, b, bpos, true);
    jc_load(j, RAX, a, j->n, true);
    x64_alu_rr(j->b, X64_CMP, true, RAX, X64_RCX);
    x64_setcc(j->b, X64_CC_E, RAX);
    x64_movzx8(j->b, RAX, RAX);
    jc_push_rax(j);
    return NULL;
  }
  default: return "not supported: GC instruction";
  }
}
