/* Translation of the GC instructions (0xFB and ref.eq) into interp_gc.def's internal
 * instructions. Operands are slots as everywhere; the allocating instructions record a
 * stack map (safepoint) while their operands are still on the compile-time stack, since
 * the handler reads them after the allocation may have collected. */
#include "compile.h"

static const wasm_deftype *deftype(const exec_tr *t, uint32_t idx) { return &t->m->deftypes[idx]; }

/* The result of an allocation: a reference (kind any) in the home the popped operands
 * leave free. */
static void alloc_result(exec_tr *t, size_t npop) {
  pop_n(t, npop);
  push_temp(t, WASM_ANYREF);
}

/* Materializes the top k operands (consecutive slots from the first one's home) and
 * returns that home (the next free one when k is 0). */
static uint32_t operands_in_place(exec_tr *t, size_t k) {
  for (size_t i = t->n - k; i < t->n; i++) materialize(t, i);
  return k ? t->st[t->n - k].home : next_home(t);
}

bool exec_tr_gc(exec_tr *t, const wasm_instr *in, util_error *err) {
  (void)err;
  uint32_t p;
  switch (in->op) {
  case WASM_OP_STRUCT_NEW: {
    size_t nf = deftype(t, in->idx)->nfields;
    if (!need(t, nf)) return true;
    uint32_t base = operands_in_place(t, nf);
    emit3(t, EXEC_IOP_GC_STRUCT_NEW, base, base, in->idx);
    safepoint(t);
    alloc_result(t, nf);
    return true;
  }
  case WASM_OP_STRUCT_NEW_DEFAULT:
    emit2(t, EXEC_IOP_GC_STRUCT_NEW_DEFAULT, next_home(t), in->idx);
    safepoint(t);
    alloc_result(t, 0);
    return true;
  case WASM_OP_STRUCT_GET:
  case WASM_OP_STRUCT_GET_S:
  case WASM_OP_STRUCT_GET_U: {
    if (!need(t, 1)) return true;
    uint32_t obj = opnd(t, t->n - 1);
    pop(t);
    uint32_t d = push_temp(t, wasm_unpacked(deftype(t, in->idx)->fields[in->idx2].type));
    p = emit3(t, in->op == WASM_OP_STRUCT_GET_S ? EXEC_IOP_GC_STRUCT_GET_S : EXEC_IOP_GC_STRUCT_GET, d, obj, in->idx2);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_STRUCT_SET: {
    if (!need(t, 2)) return true;
    uint32_t obj = opnd(t, t->n - 2), v = opnd(t, t->n - 1);
    pop_n(t, 2);
    emit3(t, EXEC_IOP_GC_STRUCT_SET, obj, v, in->idx2);
    return true;
  }
  case WASM_OP_ARRAY_NEW: {
    if (!need(t, 2)) return true;
    uint32_t v = opnd(t, t->n - 2), len = opnd(t, t->n - 1);
    emit4(t, EXEC_IOP_GC_ARRAY_NEW, t->st[t->n - 2].home, v, len, in->idx);
    safepoint(t);
    alloc_result(t, 2);
    return true;
  }
  case WASM_OP_ARRAY_NEW_DEFAULT: {
    if (!need(t, 1)) return true;
    uint32_t len = opnd(t, t->n - 1);
    emit3(t, EXEC_IOP_GC_ARRAY_NEW_DEFAULT, t->st[t->n - 1].home, len, in->idx);
    safepoint(t);
    alloc_result(t, 1);
    return true;
  }
  case WASM_OP_ARRAY_NEW_FIXED: {
    size_t k = in->idx2;
    if (!need(t, k)) return true;
    uint32_t base = operands_in_place(t, k);
    emit4(t, EXEC_IOP_GC_ARRAY_NEW_FIXED, base, base, in->idx2, in->idx);
    safepoint(t);
    alloc_result(t, k);
    return true;
  }
  case WASM_OP_ARRAY_NEW_DATA:
  case WASM_OP_ARRAY_NEW_ELEM: {
    if (!need(t, 2)) return true;
    uint32_t s = opnd(t, t->n - 2), n = opnd(t, t->n - 1);
    emit5(t, in->op == WASM_OP_ARRAY_NEW_DATA ? EXEC_IOP_GC_ARRAY_NEW_DATA : EXEC_IOP_GC_ARRAY_NEW_ELEM,
          t->st[t->n - 2].home, s, n, in->idx, in->idx2);
    safepoint(t);
    alloc_result(t, 2);
    return true;
  }
  case WASM_OP_ARRAY_GET:
  case WASM_OP_ARRAY_GET_S:
  case WASM_OP_ARRAY_GET_U: {
    if (!need(t, 2)) return true;
    uint32_t a = opnd(t, t->n - 2), i = opnd(t, t->n - 1);
    pop_n(t, 2);
    uint32_t d = push_temp(t, wasm_unpacked(deftype(t, in->idx)->fields[0].type));
    p = emit3(t, in->op == WASM_OP_ARRAY_GET_S ? EXEC_IOP_GC_ARRAY_GET_S : EXEC_IOP_GC_ARRAY_GET, d, a, i);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_ARRAY_SET: {
    if (!need(t, 3)) return true;
    uint32_t a = opnd(t, t->n - 3), i = opnd(t, t->n - 2), v = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit3(t, EXEC_IOP_GC_ARRAY_SET, a, i, v);
    return true;
  }
  case WASM_OP_ARRAY_LEN: {
    if (!need(t, 1)) return true;
    uint32_t a = opnd(t, t->n - 1);
    pop(t);
    uint32_t d = push_temp(t, WASM_I32);
    p = emit2(t, EXEC_IOP_GC_ARRAY_LEN, d, a);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_ARRAY_FILL: {
    if (!need(t, 4)) return true;
    uint32_t a = opnd(t, t->n - 4), o = opnd(t, t->n - 3), v = opnd(t, t->n - 2), n = opnd(t, t->n - 1);
    pop_n(t, 4);
    emit4(t, EXEC_IOP_GC_ARRAY_FILL, a, o, v, n);
    return true;
  }
  case WASM_OP_ARRAY_COPY: {
    if (!need(t, 5)) return true;
    uint32_t d = opnd(t, t->n - 5), doff = opnd(t, t->n - 4), s = opnd(t, t->n - 3), soff = opnd(t, t->n - 2),
             n = opnd(t, t->n - 1);
    pop_n(t, 5);
    emit5(t, EXEC_IOP_GC_ARRAY_COPY, d, doff, s, soff, n);
    return true;
  }
  case WASM_OP_ARRAY_INIT_DATA:
  case WASM_OP_ARRAY_INIT_ELEM: {
    if (!need(t, 4)) return true;
    uint32_t a = opnd(t, t->n - 4), d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), n = opnd(t, t->n - 1);
    pop_n(t, 4);
    emit5(t, in->op == WASM_OP_ARRAY_INIT_DATA ? EXEC_IOP_GC_ARRAY_INIT_DATA : EXEC_IOP_GC_ARRAY_INIT_ELEM, a, d, s, n,
          in->idx2);
    return true;
  }
  case WASM_OP_REF_I31:
  case WASM_OP_I31_GET_S:
  case WASM_OP_I31_GET_U: {
    if (!need(t, 1)) return true;
    uint32_t v = opnd(t, t->n - 1);
    pop(t);
    uint32_t d = push_temp(t, in->op == WASM_OP_REF_I31 ? WASM_ANYREF : WASM_I32);
    unsigned op = in->op == WASM_OP_REF_I31 ? EXEC_IOP_GC_REF_I31
                  : in->op == WASM_OP_I31_GET_S ? EXEC_IOP_GC_I31_GET_S
                                                : EXEC_IOP_GC_I31_GET_U;
    p = emit2(t, op, d, v);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_REF_EQ: {
    if (!need(t, 2)) return true;
    uint32_t a = opnd(t, t->n - 2), b = opnd(t, t->n - 1);
    pop_n(t, 2);
    uint32_t d = push_temp(t, WASM_I32);
    p = emit3(t, EXEC_IOP_GC_REF_EQ, d, a, b);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_REF_TEST:
  case WASM_OP_REF_TEST_NULL: {
    if (!need(t, 1)) return true;
    uint32_t r = opnd(t, t->n - 1);
    pop(t);
    uint32_t d = push_temp(t, WASM_I32);
    p = emit4(t, EXEC_IOP_GC_REF_TEST, d, r, wasm_ref_heap(in->reftype), in->op == WASM_OP_REF_TEST_NULL);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_REF_CAST:
  case WASM_OP_REF_CAST_NULL: {
    if (!need(t, 1)) return true;
    uint32_t r = opnd(t, t->n - 1);
    emit3(t, EXEC_IOP_GC_REF_CAST, r, wasm_ref_heap(in->reftype), in->op == WASM_OP_REF_CAST_NULL);
    return true;
  }
  case WASM_OP_BR_ON_CAST:
  case WASM_OP_BR_ON_CAST_FAIL: {
    /* the test into a temporary, then br_if on it; the reference stays in its home slot
     * below (a branch value when the label takes it) */
    if (!need(t, 1)) return true;
    materialize(t, t->n - 1);
    uint32_t r = t->st[t->n - 1].home;
    uint32_t d = push_temp(t, WASM_I32);
    uint32_t flags = (wasm_ref_nullable(in->reftype2) ? 1u : 0u) | (in->op == WASM_OP_BR_ON_CAST_FAIL ? 2u : 0u);
    emit4(t, EXEC_IOP_GC_REF_TEST, d, r, wasm_ref_heap(in->reftype2), flags);
    exec_tr_br_if(t, in->idx);
    return true;
  }
  case WASM_OP_ANY_CONVERT_EXTERN:
  case WASM_OP_EXTERN_CONVERT_ANY:
    /* one encoding for both hierarchies (gc.h): nothing to do */
    need(t, 1);
    return true;
  default: return util_fail(err, UTIL_ERR_INVALID, in->offset, "not supported: GC instruction %s",
                            wasm_op_name(in->op));
  }
}
