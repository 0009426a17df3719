/* The translator: rides along the validator (one pass per function) and turns each
 * function body into internal code for interp.c. The validator's hooks tell us every
 * instruction with its immediates; we keep a compile-time operand stack of *locations*
 * (a frame slot holding the value, a local not yet copied, or a constant) so most
 * instructions name their operands directly and local.get / i32.const emit nothing.
 * README.md describes the code format and the peepholes. */
#include <stdlib.h>
#include <string.h>

#include "code.h"

/* WebAssembly float ops round each step: never fuse a*b+c (also -ffp-contract=off). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* ---------- opcode tables generated from interp_ops.def ------------------------------ */

#define WASM_OP_NONE (-1)
#define CMP32(id, ta, inv, sw, e) CMP(id, ta, inv, sw, e)
#define FCMP(id, ta, e) NUM2(id, ta, i32, e)

#define HAND(n)
#define LOAD(n, sz, e)
#define STORE(n, sz, st)
#define NUMH(id) [WASM_OP_##id] = EXEC_IOP_##id + 1,
#define NUMHI(id) [WASM_OP_##id] = EXEC_IOP_##id + 1,
#define NUM1(id, ta, tr, e) [WASM_OP_##id] = EXEC_IOP_##id + 1,
#define NUM2(id, ta, tr, e) [WASM_OP_##id] = EXEC_IOP_##id + 1,
#define NUM2I(id, ta, tr, sw, e) [WASM_OP_##id] = EXEC_IOP_##id + 1,
#define CMP(id, ta, inv, sw, e) [WASM_OP_##id] = EXEC_IOP_##id + 1,
/* internal op + 1 for each plain numeric WebAssembly op (0: not one) */
static const uint16_t num_iop[WASM_OP_COUNT] = {
#include "interp_ops.def"
};
#undef NUMH
#undef NUMHI
#undef NUM1
#undef NUM2
#undef NUM2I
#undef CMP

#define NUMH(id)
#define NUMHI(id) [WASM_OP_##id] = EXEC_IOP_##id##_I + 1,
#define NUM1(id, ta, tr, e)
#define NUM2(id, ta, tr, e)
#define NUM2I(id, ta, tr, sw, e) [WASM_OP_##id] = EXEC_IOP_##id##_I + 1,
#define CMP(id, ta, inv, sw, e) [WASM_OP_##id] = EXEC_IOP_##id##_I + 1,
/* the immediate form, + 1 */
static const uint16_t imm_iop[WASM_OP_COUNT] = {
#include "interp_ops.def"
};
#undef NUMHI
#define NUMHI(id)
#undef NUM2I
#undef CMP

#define NUM2I(id, ta, tr, sw, e) [WASM_OP_##id] = (int16_t)(WASM_OP_##sw + 1),
#define CMP(id, ta, inv, sw, e) [WASM_OP_##id] = (int16_t)(WASM_OP_##sw + 1),
/* the op computing the same value with operands exchanged, + 1 */
static const int16_t swap_op[WASM_OP_COUNT] = {
#include "interp_ops.def"
};
#undef NUM2I
#undef CMP

#define NUM2I(id, ta, tr, sw, e)
#define CMP(id, ta, inv, sw, e) [WASM_OP_##id] = (int16_t)(WASM_OP_##inv + 1),
/* the negated comparison, + 1 */
static const int16_t inv_op[WASM_OP_COUNT] = {
#include "interp_ops.def"
};
#undef CMP

#define CMP(id, ta, inv, sw, e)                                                          \
  [WASM_OP_##id] = {EXEC_IOP_BR_##id, EXEC_IOP_BR_##id##_I, EXEC_IOP_BR_##id##_B,         \
                    EXEC_IOP_BR_##id##_IB},
/* fused compare-and-branch: [register, immediate, backward, backward immediate] */
static const uint16_t brc_iop[WASM_OP_COUNT][4] = {
#include "interp_ops.def"
};
#undef CMP32
#undef CMP
#define CMP(id, ta, inv, sw, e)
#define CMP32(id, ta, inv, sw, e)                                                        \
  [WASM_OP_##id] = {EXEC_IOP_BRINC_##id, EXEC_IOP_BRINC_##id##_I, EXEC_IOP_BRINC_##id##_B, \
                    EXEC_IOP_BRINC_##id##_IB},
/* the same after an increment of the first operand (i32 only) */
static const uint16_t brinc_iop[WASM_OP_COUNT][4] = {
#include "interp_ops.def"
};
#undef CMP32
#define CMP32(id, ta, inv, sw, e)                                                        \
  [WASM_OP_##id] = {EXEC_IOP_BRINCR_##id, EXEC_IOP_BRINCR_##id##_I,                      \
                    EXEC_IOP_BRINCR_##id##_B, EXEC_IOP_BRINCR_##id##_IB},
/* ... after adding a register */
static const uint16_t brincr_iop[WASM_OP_COUNT][4] = {
#include "interp_ops.def"
};
#undef CMP32
#undef FCMP
#define CMP32(id, ta, inv, sw, e)
#define FCMP(id, ta, e)                                                                  \
  [WASM_OP_##id] = {EXEC_IOP_BR_##id, EXEC_IOP_BRN_##id, EXEC_IOP_BR_##id##_B,            \
                    EXEC_IOP_BRN_##id##_B},
/* fused float compare-and-branch: [if true, if false, backward if true, backward false] */
static const uint16_t brf_iop[WASM_OP_COUNT][4] = {
#include "interp_ops.def"
};
#undef CMP32
#undef FCMP
#undef HAND
#undef LOAD
#undef STORE
#undef NUMH
#undef NUMHI
#undef NUM1
#undef NUM2
#undef NUM2I
#undef CMP

/* ---------- translator state ---------------------------------------------------------- */

#define NONE32 UINT32_MAX
/* Keeps every slot and code index comfortably inside int32 offsets. */
#define MAX_SLOTS (1u << 26)
#define MAX_UNITS (1u << 30)

enum { E_TEMP, E_LOCAL, E_CONST };

/* A compile-time operand-stack entry. Every position has a fixed home slot (locals, then
 * positions upward); a TEMP lives in its home, a LOCAL is a pending local.get, a CONST a
 * pending constant. */
typedef struct tentry {
  uint8_t kind, type;
  uint32_t home;
  uint32_t slot;   /* LOCAL: the local's slot */
  uint32_t local;  /* LOCAL: the local's index */
  uint64_t c;      /* CONST */
} tentry;

/* A forward branch waiting for its target: the offset unit and its instruction. */
typedef struct tpatch {
  uint32_t field, instr, next;
} tpatch;

typedef struct tctl {
  uint8_t kind;            /* wasm_ctrl_kind */
  uint8_t single;          /* storage for a one-valtype block result */
  bool entered_dead;       /* the whole block is unreachable code */
  bool referenced;         /* some branch goes to its end */
  uint32_t height;         /* operand-stack height below the params */
  uint32_t nparams, nresults;
  const uint8_t *params, *results; /* results NULL with nresults 1: `single` */
  uint32_t patches;        /* forward branches to the end (patch index + 1) */
  uint32_t else_patch;     /* IF: the branch to the else arm */
  uint32_t header;         /* LOOP: the back-edge target */
  uint32_t stub_serial, stub_pos; /* br_table stub sharing */
} tctl;

enum { C_NZ, C_Z, C_NZ64, C_Z64, C_CMP, C_FCMP };

/* A branch condition: a slot tested against zero, or a fused integer comparison. */
typedef struct tcond {
  uint8_t kind;
  bool inc;        /* first add inc_v to a (an i32 loop counter) */
  bool inc_reg;    /* inc_v is a slot, not an immediate */
  bool imm;        /* C_CMP: b is an immediate */
  uint32_t inc_v;
  uint16_t op;     /* C_CMP: the WebAssembly comparison */
  uint32_t a, b;
} tcond;

typedef struct translator {
  const wasm_module *m;
  exec_module *em;
  const uint64_t *handlers;
  const wasm_functype *type;
  uint32_t nlocals, nlocal_slots, nparam_slots, nresult_slots;
  uint8_t *ltype;
  uint32_t *lslot, *lrefs;
  size_t lcap;
  uint32_t total_refs;

  tentry *st;
  size_t n, cap;
  uint32_t max_slots;
  tctl *ctl;
  size_t nctl, capctl;
  tpatch *pt;
  size_t npt, cappt;

  exec_unit *code;
  size_t len, capcode;
  uint32_t *map_code, *map_wasm;
  size_t nmap, capmap, capmap2;
  uint32_t cur_off;

  bool dead;
  bool simd;
  uint32_t simd_off;
  bool overflow;

  /* peephole state about the last emitted instruction */
  uint32_t last_start;   /* its position; NONE32 after a label */
  uint32_t last_dst;     /* position of its destination operand, when it produced a TEMP */
  size_t last_dst_n;     /* stack height right after it */
  bool last_cond_ok;     /* it was a comparison usable as a branch condition */
  tcond last_cond;
  /* the last "x = x + imm" (i32), while nothing follows it */
  uint32_t inc_start, inc_end, inc_x, inc_v, inc_local;
  bool inc_reg;
  uint16_t last_wop;     /* a numeric producer: its WebAssembly op and operands */
  bool last_imm;
  uint32_t last_a, last_b;
  uint32_t serial;
} translator;

/* ---------- emission ------------------------------------------------------------------ */

static void reserve(translator *t, size_t extra) {
  UTIL_VEC_RESERVE(t->code, t->len, t->capcode, extra);
}

#ifdef EXEC_COMPILE_TRACE
#include <stdio.h>
static const char *const iop_names[] = {
#define HAND(n) #n,
#define NUMH(id) #id,
#define NUMHI(id) #id, #id "_I",
#define LOAD(n, sz, e) #n, #n "_AI", #n "_AR",
#define STORE(n, sz, st) #n, #n "_AI", #n "_AR", #n "_I", #n "_AI_I", #n "_AR_I",
#define NUM1(id, ta, tr, e) #id,
#define NUM2(id, ta, tr, e) #id,
#define NUM2I(id, ta, tr, sw, e) #id, #id "_I",
#define CMP(id, ta, inv, sw, e) #id, #id "_I", "BR_" #id, "BR_" #id "_I", "BR_" #id "_B", "BR_" #id "_IB",
#define CMP32(id, ta, inv, sw, e) CMP(id, ta, inv, sw, e) "BRINC_" #id, "BRINC_" #id "_I", "BRINC_" #id "_B", "BRINC_" #id "_IB", "BRINCR_" #id, "BRINCR_" #id "_I", "BRINCR_" #id "_B", "BRINCR_" #id "_IB",
#define FCMP(id, ta, e) #id, "BR_" #id, "BR_" #id "_B", "BRN_" #id, "BRN_" #id "_B",
#include "interp_ops.def"
#undef CMP32
#undef FCMP
#undef HAND
#undef NUMH
#undef NUMHI
#undef LOAD
#undef STORE
#undef NUM1
#undef NUM2
#undef NUM2I
#undef CMP
};
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif

static uint32_t op_begin(translator *t, unsigned iop) {
  TRACE("\n%6zu %-16s", t->len, iop_names[iop]);
  reserve(t, 16);
  uint32_t pos = (uint32_t)t->len;
  memcpy(&t->code[pos], &t->handlers[iop], 8);
  t->len += 2;
  if (t->nmap == 0 || t->map_wasm[t->nmap - 1] != t->cur_off) {
    UTIL_VEC_PUSH(t->map_code, t->nmap, t->capmap, pos);
    t->nmap--;
    UTIL_VEC_PUSH(t->map_wasm, t->nmap, t->capmap2, t->cur_off);
  }
  t->last_start = pos;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
  t->last_wop = 0;
  if (t->len > MAX_UNITS) t->overflow = true;
  return pos;
}

static void put(translator *t, uint32_t v) {
  TRACE(" %d", (int32_t)v);
  reserve(t, 1);
  t->code[t->len++] = v;
}

static void put64(translator *t, uint64_t v) {
  put(t, (uint32_t)v);
  put(t, (uint32_t)(v >> 32));
}

static void op_end(translator *t) {
  if (t->len & 1) put(t, 0);
}

static uint32_t emit0(translator *t, unsigned iop) {
  uint32_t p = op_begin(t, iop);
  op_end(t);
  return p;
}
static uint32_t emit1(translator *t, unsigned iop, uint32_t a) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  op_end(t);
  return p;
}
static uint32_t emit2(translator *t, unsigned iop, uint32_t a, uint32_t b) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  op_end(t);
  return p;
}
static uint32_t emit3(translator *t, unsigned iop, uint32_t a, uint32_t b, uint32_t c) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  put(t, c);
  op_end(t);
  return p;
}
static uint32_t emit4(translator *t, unsigned iop, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  put(t, c);
  put(t, d);
  op_end(t);
  return p;
}
static uint32_t emit5(translator *t, unsigned iop, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                      uint32_t e) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  put(t, c);
  put(t, d);
  put(t, e);
  op_end(t);
  return p;
}

/* Drops the last instruction (it starts at pos) so a fused form can replace it. */
static void rewind_to(translator *t, uint32_t pos) {
  if (t->inc_end != NONE32 && pos < t->inc_end) t->inc_end = NONE32;
  TRACE("   <rewind to %u>", pos);
  t->len = pos;
  while (t->nmap && t->map_code[t->nmap - 1] >= pos) t->nmap--;
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
}

/* A branch target at the current position: the peepholes must not look across it. */
static uint32_t here(translator *t) {
  t->inc_end = NONE32;
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
  return (uint32_t)t->len;
}

static void add_patch(translator *t, uint32_t *head, uint32_t field, uint32_t instr) {
  tpatch p = {field, instr, *head};
  UTIL_VEC_PUSH(t->pt, t->npt, t->cappt, p);
  *head = (uint32_t)t->npt;
}

static void bind(translator *t, uint32_t head, uint32_t target) {
  while (head) {
    tpatch *p = &t->pt[head - 1];
    t->code[p->field] = (uint32_t)(int32_t)((int64_t)target - (int64_t)p->instr);
    head = p->next;
  }
}

static void set_back(translator *t, uint32_t field, uint32_t instr, uint32_t target) {
  t->code[field] = (uint32_t)(int32_t)((int64_t)target - (int64_t)instr);
}

/* ---------- operand stack --------------------------------------------------------------- */

static uint32_t next_home(const translator *t) {
  if (!t->n) return t->nlocal_slots;
  const tentry *e = &t->st[t->n - 1];
  return e->home + exec_slots_of(e->type);
}

static tentry *push(translator *t, uint8_t kind, uint8_t type) {
  uint32_t home = next_home(t);
  UTIL_VEC_RESERVE(t->st, t->n, t->cap, 1);
  tentry *e = &t->st[t->n++];
  memset(e, 0, sizeof *e);
  e->kind = kind;
  e->type = type;
  e->home = home;
  e->slot = home;
  uint32_t end = home + exec_slots_of(type);
  if (end > t->max_slots) t->max_slots = end;
  if (end > MAX_SLOTS) t->overflow = true;
  return e;
}

static uint32_t push_temp(translator *t, uint8_t type) { return push(t, E_TEMP, type)->home; }

static void push_local(translator *t, uint32_t idx) {
  tentry *e = push(t, E_LOCAL, t->ltype[idx]);
  e->slot = t->lslot[idx];
  e->local = idx;
  t->lrefs[idx]++;
  t->total_refs++;
}

static void push_const(translator *t, uint8_t type, uint64_t c) { push(t, E_CONST, type)->c = c; }

static void pop(translator *t) {
  tentry *e = &t->st[--t->n];
  if (e->kind == E_LOCAL) {
    t->lrefs[e->local]--;
    t->total_refs--;
  }
}

static void pop_n(translator *t, size_t k) {
  while (k--) pop(t);
}

static bool is_one_slot32(uint8_t type) { return type == WASM_I32 || type == WASM_F32; }

static void emit_mov(translator *t, uint8_t type, uint32_t d, uint32_t s) {
  if (d == s) return;
  emit2(t, type == WASM_V128 ? EXEC_IOP_MOV2 : EXEC_IOP_MOV, d, s);
}

static void emit_const(translator *t, uint8_t type, uint32_t d, uint64_t c) {
  if (is_one_slot32(type)) {
    emit2(t, EXEC_IOP_CONST32, d, (uint32_t)c);
  } else {
    op_begin(t, EXEC_IOP_CONST64);
    put64(t, c);
    put(t, d);
    op_end(t);
  }
}

/* Puts entry i into its home slot. */
static void materialize(translator *t, size_t i) {
  tentry *e = &t->st[i];
  if (e->kind == E_LOCAL) {
    emit_mov(t, e->type, e->home, e->slot);
    t->lrefs[e->local]--;
    t->total_refs--;
  } else if (e->kind == E_CONST) {
    emit_const(t, e->type, e->home, e->c);
  } else {
    return;
  }
  e->kind = E_TEMP;
  e->slot = e->home;
}

/* The slot an instruction reads entry i from (constants are materialized). */
static uint32_t opnd(translator *t, size_t i) {
  tentry *e = &t->st[i];
  if (e->kind == E_CONST) materialize(t, i);
  return e->kind == E_LOCAL ? e->slot : e->home;
}

/* Before local `x` changes, pending reads of it must take their copy. */
/* Both scan from the top and stop once nothing is pending: every pending read was pushed
 * after the previous flush, so the work is linear in the pushes overall. */
static void flush_local(translator *t, uint32_t x) {
  for (size_t i = t->n; t->lrefs[x] && i-- > 0;) {
    if (t->st[i].kind == E_LOCAL && t->st[i].local == x) materialize(t, i);
  }
}

static void flush_all_locals(translator *t) {
  for (size_t i = t->n; t->total_refs && i-- > 0;) {
    if (t->st[i].kind == E_LOCAL) materialize(t, i);
  }
}

static tctl *cur_ctl(translator *t) { return &t->ctl[t->nctl - 1]; }

/* At least k operands above the current block's base; otherwise the validator is about to
 * reject the function and nothing more needs emitting. */
static bool need(translator *t, size_t k) {
  if (t->n >= k && t->n - k >= cur_ctl(t)->height) return true;
  t->dead = true;
  return false;
}

/* Marks the last instruction as producing the TEMP now on top, writing it through the
 * operand at `field`. */
static void produced(translator *t, uint32_t field) {
  t->last_dst = field;
  t->last_dst_n = t->n;
}

/* ---------- control ---------------------------------------------------------------- */

static uint32_t label_arity(const tctl *c) { return c->kind == WASM_CTRL_LOOP ? c->nparams : c->nresults; }

static uint8_t ctl_result(const tctl *c, uint32_t i) { return c->results ? c->results[i] : c->single; }

/* Moves the top `ar` values into the target block's slots (on the branching path only:
 * the compile-time stack is left as it is). Targets lie at or below the sources, so
 * ascending order never overwrites a source still to be read. */
static void branch_moves(translator *t, const tctl *c, uint32_t ar) {
  for (uint32_t i = 0; i < ar; i++) {
    const tentry *e = &t->st[t->n - ar + i];
    uint32_t dst = t->st[c->height + i].home;
    if (e->kind == E_CONST) emit_const(t, e->type, dst, e->c);
    else emit_mov(t, e->type, dst, e->kind == E_LOCAL ? e->slot : e->home);
  }
}

/* Returns from the function with the top results (leaves the compile-time stack alone). */
static void emit_return(translator *t) {
  uint32_t nr = t->type->nresults;
  if (t->n < nr) return;
  if (nr == 0) {
    emit0(t, EXEC_IOP_RET);
    return;
  }
  const tentry *top = &t->st[t->n - 1];
  if (nr == 1 && top->type != WASM_V128) {
    if (top->kind == E_CONST) {
      emit_const(t, top->type, 0, top->c);
      emit0(t, EXEC_IOP_RET);
      return;
    }
    uint32_t s = top->kind == E_LOCAL ? top->slot : top->home;
    if (s == 0) emit0(t, EXEC_IOP_RET);
    else emit1(t, EXEC_IOP_RET1, s);
    return;
  }
  /* Locals living in the result area are copied aside first. */
  for (uint32_t i = 0; i < nr; i++) {
    const tentry *e = &t->st[t->n - nr + i];
    if (e->kind == E_LOCAL && e->slot < t->nresult_slots) emit_mov(t, e->type, e->home, e->slot);
  }
  uint32_t dst = 0;
  for (uint32_t i = 0; i < nr; i++) {
    const tentry *e = &t->st[t->n - nr + i];
    if (e->kind == E_CONST) emit_const(t, e->type, dst, e->c);
    else if (e->kind == E_LOCAL && e->slot >= t->nresult_slots) emit_mov(t, e->type, dst, e->slot);
    else emit_mov(t, e->type, dst, e->home);
    dst += exec_slots_of(e->type);
  }
  emit0(t, EXEC_IOP_RET);
}

/* An unconditional branch to control frame ti with its values. */
static void emit_br_to(translator *t, size_t ti) {
  if (ti == 0) {
    emit_return(t);
    return;
  }
  tctl *c = &t->ctl[ti];
  uint32_t ar = label_arity(c);
  if (t->n < ar) return;
  branch_moves(t, c, ar);
  if (c->kind == WASM_CTRL_LOOP && t->inc_end != NONE32 && t->inc_end == t->len &&
      t->lrefs[t->inc_local] == 0) {
    /* x += inc; br loop: one dispatch */
    uint32_t x = t->inc_x, v = t->inc_v;
    bool reg = t->inc_reg;
    rewind_to(t, t->inc_start);
    uint32_t p = emit3(t, reg ? EXEC_IOP_BRINCR_JMP_B : EXEC_IOP_BRINC_JMP_B, x, v, 0);
    set_back(t, p + 4, p, c->header);
  } else if (c->kind == WASM_CTRL_LOOP) {
    uint32_t p = emit1(t, EXEC_IOP_BR_B, 0);
    set_back(t, p + 2, p, c->header);
  } else {
    uint32_t p = emit1(t, EXEC_IOP_BR, 0);
    add_patch(t, &c->patches, p + 2, p);
    c->referenced = true;
  }
}

/* Pops an i32 condition. A comparison emitted just before is taken back so the branch
 * can test its operands directly. */
static tcond take_cond(translator *t) {
  tcond c;
  memset(&c, 0, sizeof c);
  tentry *e = &t->st[t->n - 1];
  if (e->kind == E_TEMP && t->last_cond_ok && t->last_start != NONE32 && t->last_dst != NONE32 &&
      t->code[t->last_dst] == e->home && t->last_dst_n == t->n) {
    c = t->last_cond;
    rewind_to(t, t->last_start);
  } else {
    c.kind = C_NZ;
    c.a = opnd(t, t->n - 1);
  }
  pop(t);
  /* An increment of the tested counter right before folds in, unless a pending read of
   * the counter would then see the old value. */
  if (t->inc_end != NONE32 && t->inc_end == t->len && c.a == t->inc_x &&
      (c.kind == C_NZ || c.kind == C_Z || (c.kind == C_CMP && brinc_iop[c.op][0])) &&
      t->lrefs[t->inc_local] == 0) {
    rewind_to(t, t->inc_start);
    c.inc = true;
    c.inc_reg = t->inc_reg;
    c.inc_v = t->inc_v;
  }
  return c;
}

/* Emits a branch taken when the condition holds (or fails, when `neg`); returns the
 * instruction position; its offset unit is at *field. */
static uint32_t emit_cbr(translator *t, const tcond *c, bool neg, bool back, uint32_t *field) {
  uint32_t p;
  if (c->inc) {
    if (c->kind == C_CMP) {
      uint16_t op = neg ? (uint16_t)(inv_op[c->op] - 1) : c->op;
      const uint16_t *tab = c->inc_reg ? brincr_iop[op] : brinc_iop[op];
      p = emit4(t, tab[(c->imm ? 1 : 0) + (back ? 2 : 0)], c->a, c->inc_v, c->b, 0);
      *field = p + 5;
      return p;
    }
    bool nz = (c->kind == C_NZ) != neg;
    unsigned iop;
    if (c->inc_reg) {
      iop = nz ? (back ? EXEC_IOP_BRINCR_NZ_B : EXEC_IOP_BRINCR_NZ)
               : (back ? EXEC_IOP_BRINCR_Z_B : EXEC_IOP_BRINCR_Z);
    } else {
      iop = nz ? (back ? EXEC_IOP_BRINC_NZ_B : EXEC_IOP_BRINC_NZ)
               : (back ? EXEC_IOP_BRINC_Z_B : EXEC_IOP_BRINC_Z);
    }
    p = emit3(t, iop, c->a, c->inc_v, 0);
    *field = p + 4;
    return p;
  }
  switch (c->kind) {
  case C_NZ:
  case C_Z: {
    bool nz = (c->kind == C_NZ) != neg;
    unsigned iop = nz ? (back ? EXEC_IOP_BR_NZ_B : EXEC_IOP_BR_NZ) : (back ? EXEC_IOP_BR_Z_B : EXEC_IOP_BR_Z);
    p = emit2(t, iop, c->a, 0);
    *field = p + 3;
    return p;
  }
  case C_NZ64:
  case C_Z64: {
    bool nz = (c->kind == C_NZ64) != neg;
    unsigned iop = nz ? (back ? EXEC_IOP_BR_NZ64_B : EXEC_IOP_BR_NZ64)
                      : (back ? EXEC_IOP_BR_Z64_B : EXEC_IOP_BR_Z64);
    p = emit2(t, iop, c->a, 0);
    *field = p + 3;
    return p;
  }
  case C_FCMP:
    p = emit3(t, brf_iop[c->op][(neg ? 1 : 0) + (back ? 2 : 0)], c->a, c->b, 0);
    *field = p + 4;
    return p;
  default: {
    uint16_t op = neg ? (uint16_t)(inv_op[c->op] - 1) : c->op;
    p = emit3(t, brc_iop[op][(c->imm ? 1 : 0) + (back ? 2 : 0)], c->a, c->b, 0);
    *field = p + 4;
    return p;
  }
  }
}

static void tr_block(translator *t, const wasm_instr *in) {
  tctl c;
  memset(&c, 0, sizeof c);
  c.kind = in->op == WASM_OP_BLOCK ? WASM_CTRL_BLOCK : in->op == WASM_OP_LOOP ? WASM_CTRL_LOOP : WASM_CTRL_IF;
  uint8_t scratch = 0;
  uint32_t np = 0, nr = 0;
  const uint8_t *p = NULL, *r = NULL;
  if (!wasm_blocktype_sig(t->m, in->blocktype, &scratch, &np, &p, &nr, &r)) {
    t->dead = true; /* the validator rejects it */
  }
  c.nparams = np;
  c.params = p;
  c.nresults = nr;
  c.results = (r == &scratch) ? NULL : r;
  c.single = scratch;
  bool is_if = c.kind == WASM_CTRL_IF;
  if (!t->dead && !need(t, np + (is_if ? 1 : 0))) { /* marks dead */ }
  c.entered_dead = t->dead;
  tcond cond;
  memset(&cond, 0, sizeof cond);
  if (!t->dead) {
    if (is_if) cond = take_cond(t);
    flush_all_locals(t);
    if (c.kind != WASM_CTRL_BLOCK) {
      for (size_t i = t->n - np; i < t->n; i++) materialize(t, i);
    }
  } else if (is_if && t->n > cur_ctl(t)->height) {
    pop(t);
  }
  c.height = (uint32_t)(t->n >= np ? t->n - np : 0);
  if (c.height < cur_ctl(t)->height) c.height = cur_ctl(t)->height;
  if (!t->dead && is_if) {
    uint32_t field;
    uint32_t ip = emit_cbr(t, &cond, true, false, &field);
    add_patch(t, &c.else_patch, field, ip);
  }
  if (c.kind == WASM_CTRL_LOOP) c.header = here(t);
  UTIL_VEC_PUSH(t->ctl, t->nctl, t->capctl, c);
}

static void reset_stack(translator *t, uint32_t height) {
  while (t->n > height) pop(t);
}

static void tr_else(translator *t) {
  if (t->nctl < 2) return;
  tctl *c = cur_ctl(t);
  if (!t->dead && t->n == c->height + c->nresults) {
    for (size_t i = c->height; i < t->n; i++) materialize(t, i);
    uint32_t p = emit1(t, EXEC_IOP_BR, 0);
    add_patch(t, &c->patches, p + 2, p);
    c->referenced = true;
  }
  uint32_t pos = here(t);
  bind(t, c->else_patch, pos);
  c->else_patch = 0;
  c->kind = WASM_CTRL_ELSE;
  reset_stack(t, c->height);
  for (uint32_t i = 0; i < c->nparams; i++) push_temp(t, c->params[i]);
  t->dead = c->entered_dead;
}

static void tr_end(translator *t) {
  if (t->nctl == 0) return;
  if (t->nctl == 1) {
    if (!t->dead) emit_return(t);
    t->dead = true;
    t->nctl--;
    return;
  }
  tctl *c = cur_ctl(t);
  bool live = !t->dead;
  if (live && t->n == c->height + c->nresults) {
    for (size_t i = c->height; i < t->n; i++) materialize(t, i);
  }
  uint32_t pos = here(t);
  if (c->else_patch) { /* an if without else: the false path arrives here */
    bind(t, c->else_patch, pos);
    c->referenced = true;
  }
  bind(t, c->patches, pos);
  reset_stack(t, c->height);
  for (uint32_t i = 0; i < c->nresults; i++) push_temp(t, ctl_result(c, i));
  t->dead = c->entered_dead || !(live || c->referenced);
  t->nctl--;
}

static void tr_br_if(translator *t, uint32_t depth) {
  if (!need(t, 1)) return;
  tcond cd = take_cond(t);
  size_t ti = t->nctl - 1 - depth;
  uint32_t field;
  if (ti == 0) {
    uint32_t ip = emit_cbr(t, &cd, true, false, &field);
    emit_return(t);
    set_back(t, field, ip, here(t));
    return;
  }
  tctl *c = &t->ctl[ti];
  uint32_t ar = label_arity(c);
  if (t->n < ar) return;
  if (ar == 0 || c->height + ar == t->n) {
    for (size_t i = t->n - ar; i < t->n; i++) materialize(t, i);
    if (c->kind == WASM_CTRL_LOOP) {
      uint32_t ip = emit_cbr(t, &cd, false, true, &field);
      set_back(t, field, ip, c->header);
    } else {
      uint32_t ip = emit_cbr(t, &cd, false, false, &field);
      add_patch(t, &c->patches, field, ip);
      c->referenced = true;
    }
  } else {
    uint32_t ip = emit_cbr(t, &cd, true, false, &field);
    emit_br_to(t, ti);
    set_back(t, field, ip, here(t));
  }
}

static void tr_br_table(translator *t, const wasm_instr *in) {
  if (!need(t, 1)) return;
  uint32_t idx = opnd(t, t->n - 1);
  pop(t);
  size_t tdef = t->nctl - 1 - in->idx;
  uint32_t ar = label_arity(&t->ctl[tdef]);
  if (t->n < ar) return;
  for (size_t i = t->n - ar; i < t->n; i++) materialize(t, i);
  uint32_t n = in->ntargets;
  uint32_t p = op_begin(t, EXEC_IOP_BR_TABLE);
  put(t, idx);
  put(t, n);
  uint32_t base = (uint32_t)t->len;
  for (uint32_t i = 0; i <= n; i++) put(t, 0);
  op_end(t);
  uint32_t serial = ++t->serial;
  const uint8_t *pos = in->targets;
  for (uint32_t i = 0; i <= n; i++) {
    uint32_t depth = i < n ? wasm_br_table_next(&pos) : in->idx;
    size_t ti = t->nctl - 1 - depth;
    tctl *c = &t->ctl[ti];
    if (ti != 0 && c->kind != WASM_CTRL_LOOP && (ar == 0 || c->height + ar == t->n)) {
      add_patch(t, &c->patches, base + i, p);
      c->referenced = true;
      continue;
    }
    if (c->stub_serial != serial) {
      c->stub_serial = serial;
      c->stub_pos = here(t);
      emit_br_to(t, ti);
      c = &t->ctl[ti];
    }
    set_back(t, base + i, p, c->stub_pos);
  }
}

/* ---------- instructions ---------------------------------------------------------------- */

static bool fits_i32(uint8_t type, uint64_t c) {
  return type == WASM_I32 || (int64_t)(int32_t)c == (int64_t)c;
}

/* ---------- unsigned division by constants -------------------------------------------
 * q = a / d for every N-bit a, with l = floor(log2 d) and d not a power of two:
 *   m = ceil(2^(N+l) / d); if m*d - 2^(N+l) <= 2^l then q = mulhi(a, m) >> l;
 *   else with m' = ceil(2^(N+l+1) / d) (N+1 bits), magic = m' - 2^N and
 *   q = (((a - t) >> 1) + t) >> l where t = mulhi(a, magic)   (the "add" form).
 * The bound is the Granlund-Montgomery condition for exactness over all N-bit inputs. */
static bool divu_magic32(uint32_t d, uint32_t *magic, uint32_t *sh) {
  if (d < 3 || (d & (d - 1)) == 0) return false;
  uint32_t l = 31u - (uint32_t)__builtin_clz(d);
  uint64_t p = (uint64_t)1 << (32 + l);
  uint64_t m = (p + d - 1) / d;
  if (m * d - p <= ((uint64_t)1 << l)) {
    *magic = (uint32_t)m;
    *sh = l;
    return true;
  }
  if (l >= 31) return false;
  uint64_t m2 = ((p << 1) + d - 1) / d;
  *magic = (uint32_t)(m2 - ((uint64_t)1 << 32));
  *sh = l | 0x100u;
  return true;
}

#if EXEC_HAVE_DIVU64_MAGIC
static bool divu_magic64(uint64_t d, uint64_t *magic, uint32_t *sh) {
  if (d < 3 || (d & (d - 1)) == 0) return false;
  uint32_t l = 63u - (uint32_t)__builtin_clzll(d);
  if (l >= 63) return false;
  unsigned __int128 p = (unsigned __int128)1 << (64 + l);
  unsigned __int128 m = (p + d - 1) / d;
  if (m * d - p <= ((unsigned __int128)1 << l)) {
    *magic = (uint64_t)m;
    *sh = l;
    return true;
  }
  unsigned __int128 m2 = ((p << 1) + d - 1) / d;
  *magic = (uint64_t)(m2 - ((unsigned __int128)1 << 64));
  *sh = l | 0x100u;
  return true;
}
#endif

/* Unsigned division or remainder by a nonzero constant: a shift or mask for powers of
 * two, a multiply-high otherwise. Returns false to fall back to the immediate form. */
static bool tr_divu_const(translator *t, uint16_t op, uint64_t c) {
  bool is64 = op == WASM_OP_I64_DIV_U || op == WASM_OP_I64_REM_U;
  bool rem = op == WASM_OP_I32_REM_U || op == WASM_OP_I64_REM_U;
  if (!is64) c = (uint32_t)c;
  if (c == 0) return false;
  uint32_t d = t->st[t->n - 2].home;
  if ((c & (c - 1)) == 0) {
    unsigned k = (unsigned)__builtin_ctzll(c);
    if (rem && is64 && c - 1 > 0x7fffffffu) return false;
    uint32_t a = opnd(t, t->n - 2);
    pop_n(t, 2);
    unsigned iop = rem ? (is64 ? EXEC_IOP_I64_AND_I : EXEC_IOP_I32_AND_I)
                       : (is64 ? EXEC_IOP_I64_SHR_U_I : EXEC_IOP_I32_SHR_U_I);
    uint32_t p = emit3(t, iop, d, a, rem ? (uint32_t)(c - 1) : k);
    push_temp(t, is64 ? WASM_I64 : WASM_I32);
    produced(t, p + 2);
    return true;
  }
  if (!is64) {
    uint32_t magic, sh;
    if (!divu_magic32((uint32_t)c, &magic, &sh)) return false;
    uint32_t a = opnd(t, t->n - 2);
    pop_n(t, 2);
    uint32_t p = rem ? emit5(t, EXEC_IOP_I32_REMU_M, d, a, magic, sh, (uint32_t)c)
                     : emit4(t, EXEC_IOP_I32_DIVU_M, d, a, magic, sh);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
#if EXEC_HAVE_DIVU64_MAGIC
  uint64_t magic;
  uint32_t sh;
  if (!divu_magic64(c, &magic, &sh)) return false;
  uint32_t a = opnd(t, t->n - 2);
  pop_n(t, 2);
  uint32_t p = op_begin(t, rem ? EXEC_IOP_I64_REMU_M : EXEC_IOP_I64_DIVU_M);
  put64(t, magic);
  if (rem) put64(t, c);
  uint32_t field = (uint32_t)t->len;
  put(t, d);
  put(t, a);
  put(t, sh);
  op_end(t);
  (void)p;
  push_temp(t, WASM_I64);
  produced(t, field);
  return true;
#else
  return false;
#endif
}

/* x op c == x for every x. */
static bool is_identity(uint16_t op, uint64_t c) {
  switch (op) {
  case WASM_OP_I32_ADD:
  case WASM_OP_I32_SUB:
  case WASM_OP_I32_OR:
  case WASM_OP_I32_XOR: return (uint32_t)c == 0;
  case WASM_OP_I32_SHL:
  case WASM_OP_I32_SHR_S:
  case WASM_OP_I32_SHR_U:
  case WASM_OP_I32_ROTL:
  case WASM_OP_I32_ROTR: return (c & 31) == 0;
  case WASM_OP_I32_MUL:
  case WASM_OP_I32_DIV_S:
  case WASM_OP_I32_DIV_U: return (uint32_t)c == 1;
  case WASM_OP_I32_AND: return (uint32_t)c == 0xffffffffu;
  case WASM_OP_I64_ADD:
  case WASM_OP_I64_SUB:
  case WASM_OP_I64_OR:
  case WASM_OP_I64_XOR: return c == 0;
  case WASM_OP_I64_SHL:
  case WASM_OP_I64_SHR_S:
  case WASM_OP_I64_SHR_U:
  case WASM_OP_I64_ROTL:
  case WASM_OP_I64_ROTR: return (c & 63) == 0;
  case WASM_OP_I64_MUL:
  case WASM_OP_I64_DIV_S:
  case WASM_OP_I64_DIV_U: return c == 1;
  case WASM_OP_I64_AND: return c == ~(uint64_t)0;
  default: return false;
  }
}

/* Division by a constant takes the immediate form only when it cannot trap (and a signed
 * divisor is not -1, the one overflowing case). */
static bool imm_safe(uint16_t op, const tentry *e) {
  switch (op) {
  case WASM_OP_I32_DIV_S:
  case WASM_OP_I32_DIV_U:
  case WASM_OP_I32_REM_S:
  case WASM_OP_I32_REM_U: return (uint32_t)e->c != 0 && (uint32_t)e->c != 0xffffffffu;
  case WASM_OP_I64_DIV_S:
  case WASM_OP_I64_DIV_U:
  case WASM_OP_I64_REM_S:
  case WASM_OP_I64_REM_U: return e->c != 0 && e->c != ~(uint64_t)0;
  default: return true;
  }
}

static void tr_numeric(translator *t, const wasm_instr *in, unsigned iop) {
  const wasm_opinfo *info = &wasm_opinfo_table[in->op];
  uint16_t op = in->op;
  if (info->nparams == 1) {
    if (!need(t, 1)) return;
    uint32_t a = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, iop, d, a);
    push_temp(t, info->result);
    produced(t, p + 2);
    if (op == WASM_OP_I32_EQZ || op == WASM_OP_I64_EQZ) {
      t->last_cond_ok = true;
      t->last_cond.kind = op == WASM_OP_I32_EQZ ? C_Z : C_Z64;
      t->last_cond.a = a;
    }
    return;
  }
  if (!need(t, 2)) return;
  if ((op == WASM_OP_I32_DIV_U || op == WASM_OP_I32_REM_U || op == WASM_OP_I64_DIV_U ||
       op == WASM_OP_I64_REM_U) &&
      t->st[t->n - 1].kind == E_CONST && tr_divu_const(t, op, t->st[t->n - 1].c)) {
    return;
  }
  tentry *ea = &t->st[t->n - 2], *eb = &t->st[t->n - 1];
  if (eb->kind == E_CONST && ea->kind != E_CONST && is_identity(op, eb->c)) {
    pop(t); /* the result is the left operand, wherever it lives */
    return;
  }
  uint32_t d = ea->home;
  bool is_cmp = brc_iop[op][0] != 0;
  uint32_t a, b;
  bool imm = false;
  if (imm_iop[op] && eb->kind == E_CONST && fits_i32(eb->type, eb->c) && imm_safe(op, eb)) {
    a = opnd(t, t->n - 2);
    b = (uint32_t)eb->c;
    imm = true;
  } else if (swap_op[op] && imm_iop[swap_op[op] - 1] && ea->kind == E_CONST && eb->kind != E_CONST &&
             fits_i32(ea->type, ea->c)) {
    op = (uint16_t)(swap_op[op] - 1);
    a = opnd(t, t->n - 1);
    b = (uint32_t)ea->c;
    imm = true;
  } else {
    a = opnd(t, t->n - 2);
    b = opnd(t, t->n - 1);
  }
  pop_n(t, 2);
  uint32_t p = emit3(t, imm ? imm_iop[op] - 1 : num_iop[op] - 1, d, a, b);
  push_temp(t, info->result);
  produced(t, p + 2);
  t->last_wop = op;
  t->last_imm = imm;
  t->last_a = a;
  t->last_b = b;
  if (brf_iop[op][0]) {
    t->last_cond_ok = true;
    t->last_cond.kind = C_FCMP;
    t->last_cond.op = op;
    t->last_cond.imm = false;
    t->last_cond.a = a;
    t->last_cond.b = b;
  }
  if (is_cmp) {
    t->last_cond_ok = true;
    t->last_cond.kind = C_CMP;
    t->last_cond.op = op;
    t->last_cond.imm = imm;
    t->last_cond.a = a;
    t->last_cond.b = b;
  }
}

/* An address computed by the instruction just emitted (x + imm or x + y, i32) is taken
 * back and folded into the memory access: returns 1 (imm, *b is the immediate) or 2
 * (register), matching the _AI/_AR handler order; 0 leaves *a as the plain address slot
 * only for loads (callers of the 0 case materialize themselves). */
static int take_addr(translator *t, size_t i, uint32_t *a, uint32_t *b) {
  tentry *e = &t->st[i];
  if (e->kind == E_TEMP && t->last_dst != NONE32 && t->last_start != NONE32 &&
      t->code[t->last_dst] == e->home && t->last_dst_n == i + 1 &&
      (t->last_wop == WASM_OP_I32_ADD)) {
    *a = t->last_a;
    *b = t->last_b;
    int form = t->last_imm ? 1 : 2;
    rewind_to(t, t->last_start);
    return form;
  }
  *a = opnd(t, i);
  *b = 0;
  return 0;
}

static unsigned load_iop(uint16_t op) {
  switch (op) {
  case WASM_OP_I32_LOAD:
  case WASM_OP_F32_LOAD:
  case WASM_OP_I64_LOAD32_U: return EXEC_IOP_LD32;
  case WASM_OP_I64_LOAD:
  case WASM_OP_F64_LOAD: return EXEC_IOP_LD64;
  case WASM_OP_I32_LOAD8_S: return EXEC_IOP_LD8S32;
  case WASM_OP_I32_LOAD8_U:
  case WASM_OP_I64_LOAD8_U: return EXEC_IOP_LD8U;
  case WASM_OP_I32_LOAD16_S: return EXEC_IOP_LD16S32;
  case WASM_OP_I32_LOAD16_U:
  case WASM_OP_I64_LOAD16_U: return EXEC_IOP_LD16U;
  case WASM_OP_I64_LOAD8_S: return EXEC_IOP_LD8S64;
  case WASM_OP_I64_LOAD16_S: return EXEC_IOP_LD16S64;
  case WASM_OP_I64_LOAD32_S: return EXEC_IOP_LD32S64;
  default: return 0;
  }
}

static unsigned store_iop(uint16_t op) {
  switch (op) {
  case WASM_OP_I32_STORE:
  case WASM_OP_F32_STORE:
  case WASM_OP_I64_STORE32: return EXEC_IOP_ST32;
  case WASM_OP_I64_STORE:
  case WASM_OP_F64_STORE: return EXEC_IOP_ST64;
  case WASM_OP_I32_STORE8:
  case WASM_OP_I64_STORE8: return EXEC_IOP_ST8;
  case WASM_OP_I32_STORE16:
  case WASM_OP_I64_STORE16: return EXEC_IOP_ST16;
  default: return 0;
  }
}

static void tr_call(translator *t, const wasm_functype *ft, uint32_t fidx, bool indirect,
                    uint32_t typeidx, uint32_t table) {
  size_t np = ft->nparams;
  if (!need(t, np + (indirect ? 1 : 0))) return;
  uint32_t idx = 0;
  if (indirect) {
    idx = opnd(t, t->n - 1);
  }
  size_t argtop = t->n - (indirect ? 1 : 0);
  for (size_t i = argtop - np; i < argtop; i++) materialize(t, i);
  uint32_t base = np ? t->st[argtop - np].home : (indirect ? t->st[t->n - 1].home : next_home(t));
  pop_n(t, np + (indirect ? 1 : 0));
  if (indirect) {
    emit4(t, EXEC_IOP_CALL_INDIRECT, t->em->typeids[typeidx], table, base, idx);
  } else if (fidx >= t->m->nfunc_imports) {
    uint32_t k = fidx - t->m->nfunc_imports;
    op_begin(t, EXEC_IOP_CALL);
    put64(t, (uint64_t)(uintptr_t)&t->em->codes[k]);
    put(t, base);
    put(t, k);
    op_end(t);
  } else {
    emit2(t, EXEC_IOP_CALL_IMPORT, fidx, base);
  }
  for (uint32_t i = 0; i < ft->nresults; i++) push_temp(t, ft->results[i]);
}

static void tr_local_set(translator *t, uint32_t x, bool tee) {
  if (!need(t, 1)) return;
  tentry e = t->st[t->n - 1];
  if (e.kind == E_LOCAL && e.local == x) {
    if (!tee) pop(t);
    return;
  }
  bool retarget = e.kind == E_TEMP && t->last_dst != NONE32 && t->last_dst_n == t->n &&
                  t->code[t->last_dst] == e.home;
  uint32_t last_dst = t->last_dst;
  pop(t);
  if (t->lrefs[x]) {
    flush_local(t, x);
    retarget = false; /* the copies now sit between the producer and here */
  }
  uint32_t dst = t->lslot[x];
  if (retarget) {
    t->code[last_dst] = dst;
    if (t->last_wop == WASM_OP_I32_ADD && (t->last_a == dst || (!t->last_imm && t->last_b == dst))) {
      t->inc_start = t->last_start;
      t->inc_end = (uint32_t)t->len;
      t->inc_x = dst;
      t->inc_local = x;
      t->inc_reg = !t->last_imm;
      t->inc_v = t->last_a == dst ? t->last_b : t->last_a;
    }
    t->last_dst = NONE32;
    t->last_cond_ok = false;
  } else if (e.kind == E_CONST) {
    emit_const(t, e.type, dst, e.c);
  } else {
    emit_mov(t, e.type, dst, e.kind == E_LOCAL ? e.slot : e.home);
  }
  if (tee) push_local(t, x);
}

static bool tr_instr(translator *t, const wasm_instr *in, util_error *err) {
  uint16_t op = in->op;
  if (num_iop[op]) {
    tr_numeric(t, in, num_iop[op] - 1);
    return true;
  }
  unsigned iop;
  uint32_t off = (uint32_t)in->mem.offset;
  if ((iop = load_iop(op)) != 0) {
    if (!need(t, 1)) return true;
    uint32_t d = t->st[t->n - 1].home;
    uint32_t a, b;
    int form = take_addr(t, t->n - 1, &a, &b);
    pop(t);
    uint32_t p = form ? emit4(t, iop + form, d, a, b, off) : emit3(t, iop, d, a, off);
    push_temp(t, wasm_opinfo_table[op].result);
    produced(t, p + 2);
    return true;
  }
  if ((iop = store_iop(op)) != 0) {
    if (!need(t, 2)) return true;
    tentry *ev = &t->st[t->n - 1];
    bool vimm = ev->kind == E_CONST && fits_i32(ev->type, ev->c);
    uint32_t v = vimm ? (uint32_t)ev->c : 0;
    uint32_t a, b;
    int form = ev->kind != E_TEMP ? take_addr(t, t->n - 2, &a, &b) : 0;
    if (!form) a = opnd(t, t->n - 2);
    if (!vimm) v = opnd(t, t->n - 1);
    pop_n(t, 2);
    /* the _I forms follow the three address forms */
    unsigned sop = iop + (unsigned)form + (vimm ? 3u : 0u);
    if (form) emit4(t, sop, a, b, v, off);
    else emit3(t, sop, a, v, off);
    return true;
  }
  switch (op) {
  case WASM_OP_UNREACHABLE:
    emit0(t, EXEC_IOP_UNREACHABLE);
    t->dead = true;
    return true;
  case WASM_OP_NOP: return true;
  case WASM_OP_BR:
    emit_br_to(t, t->nctl - 1 - in->idx);
    t->dead = true;
    return true;
  case WASM_OP_BR_IF: tr_br_if(t, in->idx); return true;
  case WASM_OP_BR_TABLE:
    tr_br_table(t, in);
    t->dead = true;
    return true;
  case WASM_OP_RETURN:
    emit_return(t);
    t->dead = true;
    return true;
  case WASM_OP_CALL: tr_call(t, wasm_func_type(t->m, in->idx), in->idx, false, 0, 0); return true;
  case WASM_OP_CALL_INDIRECT:
    tr_call(t, &t->m->types[in->idx], 0, true, in->idx, in->idx2);
    return true;
  case WASM_OP_DROP:
    if (need(t, 1)) pop(t);
    return true;
  case WASM_OP_SELECT:
  case WASM_OP_SELECT_T: {
    if (!need(t, 3)) return true;
    uint8_t type = t->st[t->n - 3].type;
    uint32_t a = opnd(t, t->n - 3), b = opnd(t, t->n - 2), c = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 3].home;
    pop_n(t, 3);
    uint32_t p = emit4(t, type == WASM_V128 ? EXEC_IOP_SELECT2 : EXEC_IOP_SELECT, d, a, b, c);
    push_temp(t, type);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_LOCAL_GET: push_local(t, in->idx); return true;
  case WASM_OP_LOCAL_SET: tr_local_set(t, in->idx, false); return true;
  case WASM_OP_LOCAL_TEE: tr_local_set(t, in->idx, true); return true;
  case WASM_OP_GLOBAL_GET: {
    uint8_t type = t->m->globals[in->idx].type.type;
    uint32_t d = next_home(t);
    uint32_t p = emit2(t, type == WASM_V128 ? EXEC_IOP_GLOBAL_GET2 : EXEC_IOP_GLOBAL_GET, d, in->idx);
    push_temp(t, type);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_GLOBAL_SET: {
    if (!need(t, 1)) return true;
    uint8_t type = t->m->globals[in->idx].type.type;
    uint32_t s = opnd(t, t->n - 1);
    pop(t);
    emit2(t, type == WASM_V128 ? EXEC_IOP_GLOBAL_SET2 : EXEC_IOP_GLOBAL_SET, in->idx, s);
    return true;
  }
  case WASM_OP_TABLE_GET: {
    if (!need(t, 1)) return true;
    uint32_t i = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit3(t, EXEC_IOP_TABLE_GET, d, in->idx, i);
    push_temp(t, t->m->tables[in->idx].type.elem);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_TABLE_SET: {
    if (!need(t, 2)) return true;
    uint32_t i = opnd(t, t->n - 2), v = opnd(t, t->n - 1);
    pop_n(t, 2);
    emit3(t, EXEC_IOP_TABLE_SET, in->idx, i, v);
    return true;
  }
  case WASM_OP_TABLE_SIZE: {
    uint32_t d = next_home(t);
    uint32_t p = emit2(t, EXEC_IOP_TABLE_SIZE, d, in->idx);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_TABLE_GROW: {
    if (!need(t, 2)) return true;
    uint32_t v = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 2].home;
    pop_n(t, 2);
    uint32_t p = emit4(t, EXEC_IOP_TABLE_GROW, d, in->idx, v, k);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_TABLE_FILL: {
    if (!need(t, 3)) return true;
    uint32_t i = opnd(t, t->n - 3), v = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit4(t, EXEC_IOP_TABLE_FILL, in->idx, i, v, k);
    return true;
  }
  case WASM_OP_TABLE_COPY: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit5(t, EXEC_IOP_TABLE_COPY, in->idx, in->idx2, d, s, k);
    return true;
  }
  case WASM_OP_TABLE_INIT: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit5(t, EXEC_IOP_TABLE_INIT, in->idx2, in->idx, d, s, k);
    return true;
  }
  case WASM_OP_ELEM_DROP: emit1(t, EXEC_IOP_ELEM_DROP, in->idx); return true;
  case WASM_OP_MEMORY_SIZE: {
    uint32_t d = next_home(t);
    uint32_t p = emit1(t, EXEC_IOP_MEM_SIZE, d);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_MEMORY_GROW: {
    if (!need(t, 1)) return true;
    uint32_t s = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, EXEC_IOP_MEM_GROW, d, s);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    return true;
  }
  case WASM_OP_MEMORY_FILL:
  case WASM_OP_MEMORY_COPY: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), v = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit3(t, op == WASM_OP_MEMORY_FILL ? EXEC_IOP_MEM_FILL : EXEC_IOP_MEM_COPY, d, v, k);
    return true;
  }
  case WASM_OP_MEMORY_INIT: {
    if (!need(t, 3)) return true;
    uint32_t d = opnd(t, t->n - 3), s = opnd(t, t->n - 2), k = opnd(t, t->n - 1);
    pop_n(t, 3);
    emit4(t, EXEC_IOP_MEM_INIT, in->idx, d, s, k);
    return true;
  }
  case WASM_OP_DATA_DROP: emit1(t, EXEC_IOP_DATA_DROP, in->idx); return true;
  case WASM_OP_I32_CONST: push_const(t, WASM_I32, (uint32_t)in->c.i32); return true;
  case WASM_OP_I64_CONST: push_const(t, WASM_I64, (uint64_t)in->c.i64); return true;
  case WASM_OP_F32_CONST: push_const(t, WASM_F32, in->c.f32); return true;
  case WASM_OP_F64_CONST: push_const(t, WASM_F64, in->c.f64); return true;
  case WASM_OP_REF_NULL: push_const(t, in->reftype, 0); return true;
  case WASM_OP_REF_IS_NULL: {
    if (!need(t, 1)) return true;
    uint32_t a = opnd(t, t->n - 1);
    uint32_t d = t->st[t->n - 1].home;
    pop(t);
    uint32_t p = emit2(t, EXEC_IOP_I64_EQZ, d, a);
    push_temp(t, WASM_I32);
    produced(t, p + 2);
    t->last_cond_ok = true;
    t->last_cond.kind = C_Z64;
    t->last_cond.a = a;
    return true;
  }
  case WASM_OP_REF_FUNC: {
    uint32_t d = next_home(t);
    uint32_t p = emit2(t, EXEC_IOP_REF_FUNC, d, in->idx);
    push_temp(t, WASM_FUNCREF);
    produced(t, p + 2);
    return true;
  }
  /* An i32 is the low half of its slot and a float is its bits, so these only retype. */
  case WASM_OP_I32_WRAP_I64:
  case WASM_OP_I32_REINTERPRET_F32:
  case WASM_OP_I64_REINTERPRET_F64:
  case WASM_OP_F32_REINTERPRET_I32:
  case WASM_OP_F64_REINTERPRET_I64: {
    if (!need(t, 1)) return true;
    tentry *e = &t->st[t->n - 1];
    uint8_t r = wasm_opinfo_table[op].result;
    if (e->kind == E_CONST && op == WASM_OP_I32_WRAP_I64) e->c = (uint32_t)e->c;
    e->type = r;
    return true;
  }
  default: break;
  }
  return util_fail(err, UTIL_ERR_LIMIT, in->offset, "instruction %s is not supported",
                   wasm_opinfo_table[op].name);
}

/* ---------- hooks ---------------------------------------------------------------------- */

static bool hook_before(void *ctx, const wasm_vstate *st, const wasm_instr *in, util_error *err) {
  (void)st;
  translator *t = ctx;
  if (t->simd) return true;
  if (wasm_opinfo_table[in->op].prefix == 0xfd) {
    t->simd = true;
    t->simd_off = in->offset;
    return true;
  }
  t->cur_off = in->offset;
  switch (in->op) {
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
  case WASM_OP_IF: tr_block(t, in); return true;
  case WASM_OP_ELSE: tr_else(t); return true;
  case WASM_OP_END: tr_end(t); return true;
  default: break;
  }
  if (t->dead) return true;
  return tr_instr(t, in, err);
}

/* Keeps the location stack as tall as the validator's type stack (they differ only in
 * unreachable code, where nothing is emitted). */
static bool hook_after(void *ctx, const wasm_vstate *st, const wasm_instr *in, const wasm_ctrl *ended,
                       util_error *err) {
  (void)in;
  (void)ended;
  (void)err;
  translator *t = ctx;
  if (t->simd) return true;
  while (t->n > st->nvals) pop(t);
  while (t->n < st->nvals) {
    uint8_t ty = st->vals[t->n];
    push_temp(t, ty == WASM_TYPE_UNKNOWN ? WASM_I32 : ty);
  }
  return true;
}

/* ---------- per function --------------------------------------------------------------- */

static void translator_free(translator *t) {
  free(t->ltype);
  free(t->lslot);
  free(t->lrefs);
  free(t->st);
  free(t->ctl);
  free(t->pt);
  free(t->code);
  free(t->map_code);
  free(t->map_wasm);
}

static bool setup_func(translator *t, uint32_t fidx, util_error *err) {
  const wasm_func *f = &t->m->funcs[fidx];
  const wasm_functype *ft = &t->m->types[f->type];
  t->type = ft;
  uint64_t nl = (uint64_t)ft->nparams + f->nlocals;
  if (nl > MAX_SLOTS) return util_fail(err, UTIL_ERR_LIMIT, f->body_offset, "too many locals");
  t->nlocals = (uint32_t)nl;
  if (nl + 1 > t->lcap) {
    t->lcap = nl + 1;
    t->ltype = util_xrealloc(t->ltype, t->lcap);
    t->lslot = util_xrealloc(t->lslot, t->lcap * sizeof(uint32_t));
    t->lrefs = util_xrealloc(t->lrefs, t->lcap * sizeof(uint32_t));
  }
  uint32_t slot = 0;
  for (uint32_t i = 0; i < nl; i++) {
    uint8_t ty = i < ft->nparams ? ft->params[i] : f->local_types[i - ft->nparams];
    t->ltype[i] = ty;
    t->lslot[i] = slot;
    t->lrefs[i] = 0;
    slot += exec_slots_of(ty);
    if (i + 1 == ft->nparams) t->nparam_slots = slot;
    if (slot > MAX_SLOTS) return util_fail(err, UTIL_ERR_LIMIT, f->body_offset, "too many locals");
  }
  if (ft->nparams == 0) t->nparam_slots = 0;
  t->nlocal_slots = slot;
  t->nresult_slots = 0;
  for (uint32_t i = 0; i < ft->nresults; i++) t->nresult_slots += exec_slots_of(ft->results[i]);
  t->total_refs = 0;
  t->n = 0;
  t->max_slots = slot;
  t->nctl = 0;
  t->npt = 0;
  t->len = 0;
  t->nmap = 0;
  t->cur_off = f->code_offset;
  t->dead = false;
  t->simd = false;
  t->overflow = false;
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
  t->inc_end = NONE32;
  tctl c;
  memset(&c, 0, sizeof c);
  c.kind = WASM_CTRL_FUNC;
  c.nparams = 0;
  c.nresults = ft->nresults;
  c.results = ft->results;
  if (ft->nresults == 1) {
    c.single = ft->results[0];
  }
  UTIL_VEC_PUSH(t->ctl, t->nctl, t->capctl, c);
  return true;
}

static void finish_func(translator *t, exec_module *em, exec_code *code) {
  code->code = util_arena_dup(&em->arena, t->code, t->len * sizeof(exec_unit));
  code->code_len = (uint32_t)(t->len * sizeof(exec_unit));
  code->nparam_slots = t->nparam_slots;
  code->nlocal_slots = t->nlocal_slots;
  code->nresult_slots = t->nresult_slots;
  uint32_t fs = t->max_slots;
  if (fs < t->nresult_slots) fs = t->nresult_slots;
  code->frame_slots = fs;
  code->nsrcmap = (uint32_t)t->nmap;
  code->srcmap_code = util_arena_dup(&em->arena, t->map_code, t->nmap * sizeof(uint32_t));
  code->srcmap_wasm = util_arena_dup(&em->arena, t->map_wasm, t->nmap * sizeof(uint32_t));
}

uint32_t exec_code_wasm_offset(const exec_code *code, uint32_t pos) {
  uint32_t lo = 0, hi = code->nsrcmap;
  if (!hi) return 0;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (code->srcmap_code[mid] <= pos) lo = mid;
    else hi = mid;
  }
  return code->srcmap_wasm[lo];
}

/* ---------- modules --------------------------------------------------------------------- */

void exec_module_free(exec_module *em) {
  if (!em) return;
  if (em->wasm) wasm_module_free(em->wasm);
  util_arena_free(&em->arena);
  free(em);
}

exec_module *exec_module_compile(wasm_module *m, util_error *err) {
  wasm_vmodule vm;
  memset(&vm, 0, sizeof vm);
  if (!wasm_validate_module(m, &vm, err)) {
    wasm_vmodule_free(&vm);
    return NULL;
  }
  exec_module *em = util_xcalloc(1, sizeof *em);
  util_arena_init(&em->arena);
  em->typeids = util_arena_alloc(&em->arena, (m->ntypes + 1) * sizeof(exec_typeid));
  for (uint32_t i = 0; i < m->ntypes; i++) {
    const wasm_functype *ft = &m->types[i];
    em->typeids[i] = exec_typeid_of(ft->nparams, ft->params, ft->nresults, ft->results);
  }
  uint32_t ndef = m->nfuncs - m->nfunc_imports;
  em->codes = util_arena_alloc(&em->arena, (ndef + 1) * sizeof(exec_code));

  translator t;
  memset(&t, 0, sizeof t);
  t.m = m;
  t.em = em;
  t.handlers = exec_interp_handlers();
  wasm_code_hooks hooks = {&t, hook_before, hook_after};
  bool ok = true, simd = false;
  uint32_t simd_off = 0;
  for (uint32_t k = 0; k < ndef && ok; k++) {
    uint32_t fidx = m->nfunc_imports + k;
    if (!setup_func(&t, fidx, err) || !wasm_validate_func(&vm, fidx, &hooks, err)) {
      ok = false;
      break;
    }
    if (t.simd) {
      if (!simd) simd_off = t.simd_off;
      simd = true;
      continue;
    }
    if (t.overflow) {
      ok = util_fail(err, UTIL_ERR_LIMIT, m->funcs[fidx].body_offset, "function too large");
      break;
    }
    finish_func(&t, em, &em->codes[k]);
  }
  translator_free(&t);
  wasm_vmodule_free(&vm);
  if (ok && simd) ok = util_fail(err, UTIL_ERR_LIMIT, simd_off, "SIMD instructions are not supported yet");
  if (!ok) {
    em->wasm = NULL; /* the caller keeps the module on failure */
    exec_module_free(em);
    return NULL;
  }
  em->wasm = m;
  return em;
}
