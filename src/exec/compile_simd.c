/* Translation of the fixed-width SIMD instructions (0xFD). Each becomes one internal
 * instruction: an inline vector handler for the hot operations (interp_simd.def), or a
 * generic handler by shape that calls the SIMD library's function for this CPU, stored
 * as the instruction's 64-bit immediate. v128 values take two slots; the operand
 * stack's homes already account for that. */
#include "compile.h"
#include "simd.h"

#define SHAND(n)
#define VUN(id, vt, e) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
#define VBIN(id, vt, e) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
#define VSHIFT(id, vt, bits, o) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
#define VSPLAT(id, vt, et) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
#define VEXTRACT(id, et, wt) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
#define VREPLACE(id, et) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
#define VLOAD(id, fn, n) [WASM_OP_##id] = EXEC_IOP_V_##id + 1,
/* the inline handler, + 1 (0: none); a VLOAD's address forms follow it */
static const uint16_t inline_iop[WASM_OP_COUNT] = {
#include "interp_simd.def"
};
#undef SHAND
#undef VUN
#undef VBIN
#undef VSHIFT
#undef VSPLAT
#undef VEXTRACT
#undef VREPLACE
#undef VLOAD

/* the generic handler of each library shape */
static const uint16_t shape_iop[] = {
  [EXEC_SIMD_UNOP] = EXEC_IOP_SIMD_UN,          [EXEC_SIMD_BINOP] = EXEC_IOP_SIMD_BIN,
  [EXEC_SIMD_TERNOP] = EXEC_IOP_SIMD_TER,       [EXEC_SIMD_SHIFT] = EXEC_IOP_SIMD_SHIFT,
  [EXEC_SIMD_SPLAT] = EXEC_IOP_SIMD_SPLAT,      [EXEC_SIMD_EXTRACT] = EXEC_IOP_SIMD_EXTRACT,
  [EXEC_SIMD_REPLACE] = EXEC_IOP_SIMD_REPLACE,  [EXEC_SIMD_SHUFFLE] = EXEC_IOP_SIMD_SHUFFLE,
  [EXEC_SIMD_TEST] = EXEC_IOP_SIMD_TEST,        [EXEC_SIMD_LOAD] = EXEC_IOP_SIMD_LOAD,
  [EXEC_SIMD_LOAD_LANE] = EXEC_IOP_SIMD_LOAD_LANE,
  [EXEC_SIMD_STORE_LANE] = EXEC_IOP_SIMD_STORE_LANE,
};

/* Starts the instruction for `op`: its inline handler, or the generic one with the
 * library function as immediate. */
static void head(exec_tr *t, uint16_t op, const exec_simd_entry *e, bool use_inline) {
  if (use_inline && inline_iop[op]) {
    op_begin(t, inline_iop[op] - 1u);
    return;
  }
  op_begin(t, shape_iop[e->shape]);
  put64(t, (uint64_t)(uintptr_t)e->fn.any);
}

/* Ends an instruction that left a new value on top; `field` is its destination. */
static void result(exec_tr *t, uint8_t type, uint32_t field) {
  op_end(t);
  push_temp(t, type);
  produced(t, field);
}

static void tr_v128_load(exec_tr *t, uint32_t off) {
  uint32_t d = t->st[t->n - 1].home, a, b;
  int form = exec_tr_take_addr(t, t->n - 1, &a, &b);
  pop(t);
  static const uint16_t iops[3] = {EXEC_IOP_V128_LD, EXEC_IOP_V128_LD_AI, EXEC_IOP_V128_LD_AR};
  uint32_t p = form ? emit4(t, iops[form], d, a, b, off) : emit3(t, iops[0], d, a, off);
  push_temp(t, WASM_V128);
  produced(t, p + 2);
}

static void tr_v128_store(exec_tr *t, uint32_t off) {
  exec_tr_entry *ev = &t->st[t->n - 1];
  uint32_t a, b = 0;
  /* an address computed just before folds in unless the value was computed after it */
  int form = ev->kind != E_TEMP ? exec_tr_take_addr(t, t->n - 2, &a, &b) : 0;
  if (!form) a = opnd(t, t->n - 2);
  uint32_t v = opnd(t, t->n - 1);
  pop_n(t, 2);
  static const uint16_t iops[3] = {EXEC_IOP_V128_ST, EXEC_IOP_V128_ST_AI, EXEC_IOP_V128_ST_AR};
  if (form) emit4(t, iops[form], a, b, v, off);
  else emit3(t, iops[0], a, v, off);
}

bool exec_tr_simd(exec_tr *t, const wasm_instr *in, util_error *err) {
  uint16_t op = in->op;
  uint32_t off = (uint32_t)in->mem.offset;
  switch (op) {
  case WASM_OP_V128_CONST: {
    uint64_t lo, hi;
    memcpy(&lo, in->c.v128, 8);
    memcpy(&hi, in->c.v128 + 8, 8);
    uint32_t d = next_home(t);
    op_begin(t, EXEC_IOP_V128_CONST);
    put64(t, lo);
    put64(t, hi);
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    result(t, WASM_V128, field);
    return true;
  }
  case WASM_OP_V128_LOAD:
    if (need(t, 1)) tr_v128_load(t, off);
    return true;
  case WASM_OP_V128_STORE:
    if (need(t, 2)) tr_v128_store(t, off);
    return true;
  case WASM_OP_V128_ANY_TRUE: {
    if (!need(t, 1)) return true;
    uint32_t a = opnd(t, t->n - 1), d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, EXEC_IOP_V128_ANY_TRUE, d, a);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  default: break;
  }

  const exec_simd_entry *e = exec_simd_op((wasm_opcode)op);
  if (!e || !e->fn.any || e->shape == EXEC_SIMD_NONE) {
    return util_fail(err, UTIL_ERR_LIMIT, in->offset, "instruction %s is not supported",
                     wasm_op_name(op));
  }
  bool use_inline = exec_simd_vector_inline() != 0;
  uint8_t rtype = wasm_opinfo_table[op].result;
  switch (e->shape) {
  case EXEC_SIMD_UNOP:
  case EXEC_SIMD_SPLAT:
  case EXEC_SIMD_TEST: {
    if (!need(t, 1)) return true;
    uint32_t a = opnd(t, t->n - 1), d = t->st[t->n - 1].home;
    pop(t);
    head(t, op, e, use_inline);
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    put(t, a);
    result(t, rtype, field);
    return true;
  }
  case EXEC_SIMD_BINOP:
  case EXEC_SIMD_SHIFT:
  case EXEC_SIMD_TERNOP:
  case EXEC_SIMD_SHUFFLE: {
    size_t k = e->shape == EXEC_SIMD_TERNOP ? 3 : 2;
    if (!need(t, k)) return true;
    uint32_t s[3];
    for (size_t i = 0; i < k; i++) s[i] = opnd(t, t->n - k + i);
    uint32_t d = t->st[t->n - k].home;
    pop_n(t, k);
    exec_simd_shuffle_masked_fn masked =
        e->shape == EXEC_SIMD_SHUFFLE ? exec_simd_shuffle_masked() : NULL;
    if (masked) { /* the index work is done here, once, not at every execution */
      op_begin(t, EXEC_IOP_SIMD_SHUFFLE_M);
      put64(t, (uint64_t)(uintptr_t)masked);
    } else {
      head(t, op, e, use_inline);
    }
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    for (size_t i = 0; i < k; i++) put(t, s[i]);
    if (masked) {
      uint8_t m[32];
      exec_simd_shuffle_masks(in->c.v128, m);
      for (int i = 0; i < 32; i += 4) {
        uint32_t w;
        memcpy(&w, m + i, 4);
        put(t, w);
      }
    } else if (e->shape == EXEC_SIMD_SHUFFLE) {
      for (int i = 0; i < 16; i += 4) {
        uint32_t w;
        memcpy(&w, in->c.v128 + i, 4);
        put(t, w);
      }
    }
    result(t, rtype, field);
    return true;
  }
  case EXEC_SIMD_EXTRACT: {
    if (!need(t, 1)) return true;
    uint32_t a = opnd(t, t->n - 1), d = t->st[t->n - 1].home;
    pop(t);
    head(t, op, e, use_inline);
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    put(t, a);
    put(t, in->lane);
    result(t, rtype, field);
    return true;
  }
  case EXEC_SIMD_REPLACE: {
    if (!need(t, 2)) return true;
    uint32_t a = opnd(t, t->n - 2), x = opnd(t, t->n - 1), d = t->st[t->n - 2].home;
    pop_n(t, 2);
    head(t, op, e, use_inline);
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    put(t, a);
    put(t, x);
    put(t, in->lane);
    result(t, WASM_V128, field);
    return true;
  }
  case EXEC_SIMD_LOAD: {
    if (!need(t, 1)) return true;
    uint32_t d = t->st[t->n - 1].home, a, b;
    int form = exec_tr_take_addr(t, t->n - 1, &a, &b); /* folds a preceding i32.add */
    pop(t);
    static const uint16_t iops[3] = {EXEC_IOP_SIMD_LOAD, EXEC_IOP_SIMD_LOAD_AI,
                                     EXEC_IOP_SIMD_LOAD_AR};
    if (use_inline && inline_iop[op]) { /* operands as V128_LD's */
      unsigned iop = inline_iop[op] - 1u + (unsigned)form;
      uint32_t p = form ? emit4(t, iop, d, a, b, off) : emit3(t, iop, d, a, off);
      push_temp(t, WASM_V128);
      produced(t, p + 2);
      return true;
    }
    op_begin(t, iops[form]);
    put64(t, (uint64_t)(uintptr_t)e->fn.any);
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    put(t, a);
    if (form) put(t, b);
    put(t, off);
    put(t, e->bytes);
    result(t, WASM_V128, field);
    return true;
  }
  case EXEC_SIMD_LOAD_LANE: {
    if (!need(t, 2)) return true;
    uint32_t a = opnd(t, t->n - 2), v = opnd(t, t->n - 1), d = t->st[t->n - 2].home;
    pop_n(t, 2);
    if (use_inline) op_begin(t, EXEC_IOP_V128_LOAD_LANE);
    else head(t, op, e, false);
    uint32_t field = (uint32_t)t->len;
    put(t, d);
    put(t, a);
    put(t, v);
    put(t, off);
    put(t, in->lane | (uint32_t)e->bytes << 8);
    result(t, WASM_V128, field);
    return true;
  }
  case EXEC_SIMD_STORE_LANE: {
    if (!need(t, 2)) return true;
    uint32_t a = opnd(t, t->n - 2), v = opnd(t, t->n - 1);
    pop_n(t, 2);
    if (use_inline) op_begin(t, EXEC_IOP_V128_STORE_LANE);
    else head(t, op, e, false);
    put(t, a);
    put(t, v);
    put(t, off);
    put(t, in->lane | (uint32_t)e->bytes << 8);
    op_end(t);
    return true;
  }
  default:
    return util_fail(err, UTIL_ERR_LIMIT, in->offset, "instruction %s is not supported",
                     wasm_op_name(op));
  }
}
