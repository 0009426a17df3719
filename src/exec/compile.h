/* The translator's private state and helpers, shared by compile.c (the driver and the
 * validator hooks), compile_ctl.c (blocks and branches) and compile_ops.c (everything
 * else). README.md describes the design. */
#ifndef WELD_EXEC_COMPILE_H
#define WELD_EXEC_COMPILE_H

#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "gc.h"

/* ---------- opcode tables generated from interp_ops.def ------------------------------ */

/* SWAP = NONE in interp_ops.def: no swapped form */
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

/* ---------- exec_tr state ---------------------------------------------------------- */

#undef WASM_OP_NONE

/* ---------- translator state ---------------------------------------------------------- */

#define NONE32 UINT32_MAX
/* Keeps every slot and code index comfortably inside int32 offsets. */
#define MAX_SLOTS (1u << 26)
#define MAX_UNITS (1u << 30)

enum { E_TEMP, E_LOCAL, E_CONST };

/* A compile-time operand-stack entry. Every position has a fixed home slot (locals, then
 * positions upward); a TEMP lives in its home, a LOCAL is a pending local.get, a CONST a
 * pending constant. */
typedef struct exec_tr_entry {
  uint8_t kind, type;
  uint32_t home;
  uint32_t slot;   /* LOCAL: the local's slot */
  uint32_t local;  /* LOCAL: the local's index */
  uint64_t c;      /* CONST */
} exec_tr_entry;

/* A forward branch waiting for its target: the offset unit and its instruction. */
typedef struct exec_tr_patch {
  uint32_t field, instr, next;
} exec_tr_patch;

typedef struct exec_tr_ctl {
  uint8_t kind;            /* wasm_ctrl_kind */
  wasm_vtype single;       /* storage for a one-valtype block result */
  bool entered_dead;       /* the whole block is unreachable code */
  bool referenced;         /* some branch goes to its end */
  uint32_t height;         /* operand-stack height below the params */
  uint32_t nparams, nresults;
  const wasm_vtype *params, *results; /* results NULL with nresults 1: `single` */
  uint32_t patches;        /* forward branches to the end (patch index + 1) */
  uint32_t else_patch;     /* IF: the branch to the else arm */
  uint32_t header;         /* LOOP: the back-edge target */
  uint32_t stub_serial, stub_pos; /* br_table stub sharing */
  uint32_t try_index;      /* TRY_TABLE, TRY: its entry in exec_tr.tries, NONE32 when dead */
  uint32_t catch_slot;     /* CATCH: the hidden local keeping the exception, or NONE32 */
  uint32_t catch_pend;     /* CATCH: its clause in exec_tr.lpend */
} exec_tr_ctl;

/* A legacy catch clause waiting for the end of its try (compile_exn.c). */
typedef struct exec_tr_lpend {
  uint32_t try_index;
  exec_catch c;
} exec_tr_lpend;

enum { C_NZ, C_Z, C_NZ64, C_Z64, C_CMP, C_FCMP };

/* A branch condition: a slot tested against zero, or a fused integer comparison. */
typedef struct exec_tr_cond {
  uint8_t kind;
  bool inc;        /* first add inc_v to a (an i32 loop counter) */
  bool inc_reg;    /* inc_v is a slot, not an immediate */
  bool imm;        /* C_CMP: b is an immediate */
  uint32_t inc_v;
  uint16_t op;     /* C_CMP: the WebAssembly comparison */
  uint32_t a, b;
} exec_tr_cond;

typedef struct exec_tr {
  const wasm_module *m;
  exec_module *em;
  const uint64_t *handlers;
  const wasm_functype *type;
  uint32_t nlocals, nlocal_slots, nparam_slots, nresult_slots;
  uint8_t *ltype;
  uint32_t *lslot, *lrefs;
  size_t lcap;
  uint32_t total_refs;

  exec_tr_entry *st;
  size_t n, cap;
  uint32_t max_slots;
  exec_tr_ctl *ctl;
  size_t nctl, capctl;
  exec_tr_patch *pt;
  size_t npt, cappt;

  exec_unit *code;
  size_t len, capcode;
  uint32_t *map_code, *map_wasm;
  size_t nmap, capmap, capmap2;
  uint32_t cur_off;

  bool dead;
  bool overflow;
  /* A buffer could not grow. Emission carries on into memory that is still valid (the
   * code restarts at 0 in a buffer of at least MIN_CODE units; a stack entry that cannot
   * be pushed is written to `sink`), and the hooks report "out of memory" after the
   * instruction. */
  bool oom;
  exec_tr_entry sink;
  size_t max_arity; /* the most params + results of any type in the module */

  /* peephole state about the last emitted instruction */
  uint32_t last_start;   /* its position; NONE32 after a label */
  uint32_t last_dst;     /* position of its destination operand, when it produced a TEMP */
  size_t last_dst_n;     /* stack height right after it */
  bool last_cond_ok;     /* it was a comparison usable as a branch condition */
  exec_tr_cond last_cond;
  /* the last "x = x + imm" (i32), while nothing follows it */
  uint32_t inc_start, inc_end, inc_x, inc_v, inc_local;
  bool inc_reg;
  uint16_t last_wop;     /* a numeric producer: its WebAssembly op and operands */
  bool last_imm;
  uint32_t last_a, last_b;
  /* when last_wop is a load: its address form (0 plain, 1 _AI, 2 _AR), operands, offset
   * and byte offset in the module, for folding it into the binary op that consumes it */
  int last_ld_form;
  uint32_t last_ld_a, last_ld_b, last_ld_off, last_ld_wasm;
  /* declared locals 0..63 known to still hold their initial zero: set at function entry,
   * cleared by any write and at every label (only straight-line code from the entry keeps
   * the fact), so `local.set x` of a zero constant can emit nothing */
  uint64_t zero_locals;
  /* the same facts about the instruction before the last one, for two-instruction folds
   * (valid when prev_start != NONE32) */
  uint32_t prev_start, prev_dst;
  size_t prev_dst_n;
  uint16_t prev_wop;
  bool prev_imm;
  uint32_t prev_a, prev_b;
  uint32_t serial;
  /* the current function's try_tables (compile_exn.c); a try's `catches` holds the
   * index of its first clause in `catches` until finish_func makes it a pointer */
  exec_try *tries;
  size_t ntries, captries;
  exec_catch *catches;
  size_t ncatches, capcatches;
  exec_tr_lpend *lpend;
  size_t nlpend, caplpend;
  uint32_t hidden_base, nhidden, hidden_used; /* legacy catches' hidden locals */
  /* stack maps (exec_code.safe_*): the slots of locals the collector traces, and per
   * safepoint its position and the offset of its operand slots in sp_slots */
  uint32_t *rlocals;
  size_t nrlocals, caprlocals;
  uint32_t *sp_pos, *sp_off, *sp_slots;
  /* reachable loops: header positions and the `loop` instructions' module offsets */
  uint32_t *lp_pos, *lp_wasm;
  size_t nlp, caplp, caplp2;
  size_t nsp, capsp, capsp2, nsps, capsps;
} exec_tr;

/* ---------- emission ------------------------------------------------------------------ */

/* setup_func makes the code buffer at least this large, so that a reserve that fails
 * can restart the (discarded) code at 0; no caller asks for more than 16 units at once. */
#define MIN_CODE 64

static inline void reserve(exec_tr *t, size_t extra) {
  if (t->len + extra <= t->capcode) return;
  size_t nc = t->capcode ? t->capcode * 2 : MIN_CODE;
  while (nc < t->len + extra) nc *= 2;
  exec_unit *p = util_try_realloc(t->code, nc * sizeof *t->code);
  if (!p) {
    t->oom = true;
    t->len = 0;
    return;
  }
  t->code = p;
  t->capcode = nc;
}

#ifdef EXEC_COMPILE_TRACE
#include <stdio.h>
static const char *const iop_names[] = {
#define HAND(n) #n,
#define NUMH(id) #id,
#define NUMHI(id) #id, #id "_I",
#define LOAD(n, sz, e) #n, #n "_AI", #n "_AR", #n "_K", #n "_SI", #n "_SR",
#define STORE(n, sz, st) #n, #n "_AI", #n "_AR", #n "_I", #n "_AI_I", #n "_AR_I", #n "_K", #n "_K_I",
#define NUM1(id, ta, tr, e) #id,
#define NUM2(id, ta, tr, e) #id,
#define NUM2I(id, ta, tr, sw, e) #id, #id "_I",
#define CMP(id, ta, inv, sw, e) #id, #id "_I", "BR_" #id, "BR_" #id "_I", "BR_" #id "_B", "BR_" #id "_IB",
#define CMP32(id, ta, inv, sw, e) CMP(id, ta, inv, sw, e) "BRINC_" #id, "BRINC_" #id "_I", "BRINC_" #id "_B", "BRINC_" #id "_IB", "BRINCR_" #id, "BRINCR_" #id "_I", "BRINCR_" #id "_B", "BRINCR_" #id "_IB",
#define FCMP(id, ta, e) #id, "BR_" #id, "BR_" #id "_B", "BRN_" #id, "BRN_" #id "_B",
#include "interp_ops.def"
#define SHAND(n) #n,
#define VUN(id, vt, e) "V_" #id,
#define VBIN(id, vt, e) "V_" #id,
#define VSHIFT(id, vt, bits, o) "V_" #id,
#define VSPLAT(id, vt, et) "V_" #id,
#define VEXTRACT(id, et, wt) "V_" #id,
#define VREPLACE(id, et) "V_" #id,
#define VLOAD(id, fn, n) "V_" #id, "V_" #id "_AI", "V_" #id "_AR",
#include "interp_simd.def"
#define GHAND(n) #n,
#include "interp_gc.def"
#include "interp_undef.h"
};
#define TRACE(...) fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif

static inline uint32_t op_begin(exec_tr *t, unsigned iop) {
  TRACE("\n%6zu %-16s", t->len, iop_names[iop]);
  reserve(t, 16);
  uint32_t pos = (uint32_t)t->len;
  memcpy(&t->code[pos], &t->handlers[iop], 8);
  t->len += 2;
  t->prev_start = t->last_start;
  t->prev_dst = t->last_dst;
  t->prev_dst_n = t->last_dst_n;
  t->prev_wop = t->last_wop;
  t->prev_imm = t->last_imm;
  t->prev_a = t->last_a;
  t->prev_b = t->last_b;
  if (t->nmap == 0 || t->map_wasm[t->nmap - 1] != t->cur_off) {
    if (util_vec_try_grow((void **)&t->map_code, &t->capmap, t->nmap, sizeof *t->map_code) &&
        util_vec_try_grow((void **)&t->map_wasm, &t->capmap2, t->nmap, sizeof *t->map_wasm)) {
      t->map_code[t->nmap] = pos;
      t->map_wasm[t->nmap++] = t->cur_off;
    } else {
      t->oom = true;
    }
  }
  t->last_start = pos;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
  t->last_wop = 0;
  if (t->len > MAX_UNITS) t->overflow = true;
  return pos;
}

static inline void put(exec_tr *t, uint32_t v) {
  TRACE(" %d", (int32_t)v);
  reserve(t, 1);
  t->code[t->len++] = v;
}

static inline void put64(exec_tr *t, uint64_t v) {
  put(t, (uint32_t)v);
  put(t, (uint32_t)(v >> 32));
}

static inline void op_end(exec_tr *t) {
  if (t->len & 1) put(t, 0);
}

static inline uint32_t emit0(exec_tr *t, unsigned iop) {
  uint32_t p = op_begin(t, iop);
  op_end(t);
  return p;
}
static inline uint32_t emit1(exec_tr *t, unsigned iop, uint32_t a) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  op_end(t);
  return p;
}
static inline uint32_t emit2(exec_tr *t, unsigned iop, uint32_t a, uint32_t b) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  op_end(t);
  return p;
}
static inline uint32_t emit3(exec_tr *t, unsigned iop, uint32_t a, uint32_t b, uint32_t c) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  put(t, c);
  op_end(t);
  return p;
}
static inline uint32_t emit4(exec_tr *t, unsigned iop, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  uint32_t p = op_begin(t, iop);
  put(t, a);
  put(t, b);
  put(t, c);
  put(t, d);
  op_end(t);
  return p;
}
static inline uint32_t emit5(exec_tr *t, unsigned iop, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
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
static inline void rewind_to(exec_tr *t, uint32_t pos) {
  if (t->inc_end != NONE32 && pos < t->inc_end) t->inc_end = NONE32;
  TRACE("   <rewind to %u>", pos);
  t->len = pos;
  while (t->nmap && t->map_code[t->nmap - 1] >= pos) t->nmap--;
  while (t->nsp && t->sp_pos[t->nsp - 1] > pos) t->nsp--;
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
}

/* A branch target at the current position: the peepholes must not look across it. */
static inline uint32_t here(exec_tr *t) {
  t->inc_end = NONE32;
  t->zero_locals = 0;
  t->last_start = NONE32;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
  return (uint32_t)t->len;
}

static inline void add_patch(exec_tr *t, uint32_t *head, uint32_t field, uint32_t instr) {
  exec_tr_patch p = {field, instr, *head};
  if (!UTIL_VEC_TRY_PUSH(t->pt, t->npt, t->cappt, p)) {
    t->oom = true;
    return;
  }
  *head = (uint32_t)t->npt;
}

static inline void bind(exec_tr *t, uint32_t head, uint32_t target) {
  while (head) {
    exec_tr_patch *p = &t->pt[head - 1];
    t->code[p->field] = (uint32_t)(int32_t)((int64_t)target - (int64_t)p->instr);
    head = p->next;
  }
}

static inline void set_back(exec_tr *t, uint32_t field, uint32_t instr, uint32_t target) {
  t->code[field] = (uint32_t)(int32_t)((int64_t)target - (int64_t)instr);
}

/* ---------- operand stack --------------------------------------------------------------- */

static inline uint32_t next_home(const exec_tr *t) {
  if (!t->n) return t->nlocal_slots;
  const exec_tr_entry *e = &t->st[t->n - 1];
  return e->home + exec_slots_of(e->type);
}

static inline exec_tr_entry *push(exec_tr *t, uint8_t kind, wasm_vtype vtype) {
  uint8_t type = exec_kind_of_m(t->m, vtype);
  uint32_t home = next_home(t);
  exec_tr_entry *e;
  if (util_vec_try_grow((void **)&t->st, &t->cap, t->n, sizeof *t->st)) {
    e = &t->st[t->n++];
  } else {
    t->oom = true;
    e = &t->sink;
  }
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

static inline uint32_t push_temp(exec_tr *t, wasm_vtype type) { return push(t, E_TEMP, type)->home; }

static inline void push_local(exec_tr *t, uint32_t idx) {
  exec_tr_entry *e = push(t, E_LOCAL, t->ltype[idx]);
  e->slot = t->lslot[idx];
  e->local = idx;
  t->lrefs[idx]++;
  t->total_refs++;
}

static inline void push_const(exec_tr *t, wasm_vtype type, uint64_t c) { push(t, E_CONST, type)->c = c; }

static inline void pop(exec_tr *t) {
  exec_tr_entry *e = &t->st[--t->n];
  if (e->kind == E_LOCAL) {
    t->lrefs[e->local]--;
    t->total_refs--;
  }
}

static inline void pop_n(exec_tr *t, size_t k) {
  while (k--) pop(t);
}

static inline bool is_one_slot32(uint8_t type) { return type == WASM_I32 || type == WASM_F32; }

static inline void emit_mov(exec_tr *t, uint8_t type, uint32_t d, uint32_t s) {
  if (d == s) return;
  emit2(t, type == WASM_V128 ? EXEC_IOP_MOV2 : EXEC_IOP_MOV, d, s);
}

static inline void emit_const(exec_tr *t, uint8_t type, uint32_t d, uint64_t c) {
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
static inline void materialize(exec_tr *t, size_t i) {
  exec_tr_entry *e = &t->st[i];
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
static inline uint32_t opnd(exec_tr *t, size_t i) {
  exec_tr_entry *e = &t->st[i];
  if (e->kind == E_CONST) materialize(t, i);
  return e->kind == E_LOCAL ? e->slot : e->home;
}

/* Before local `x` changes, pending reads of it must take their copy. */
/* Both scan from the top and stop once nothing is pending: every pending read was pushed
 * after the previous flush, so the work is linear in the pushes overall. */
static inline void flush_local(exec_tr *t, uint32_t x) {
  for (size_t i = t->n; t->lrefs[x] && i-- > 0;) {
    if (t->st[i].kind == E_LOCAL && t->st[i].local == x) materialize(t, i);
  }
}

static inline void flush_all_locals(exec_tr *t) {
  for (size_t i = t->n; t->total_refs && i-- > 0;) {
    if (t->st[i].kind == E_LOCAL) materialize(t, i);
  }
}

static inline exec_tr_ctl *cur_ctl(exec_tr *t) { return &t->ctl[t->nctl - 1]; }

/* At least k operands above the current block's base; otherwise the validator is about to
 * reject the function and nothing more needs emitting. */
static inline bool need(exec_tr *t, size_t k) {
  if (t->n >= k && t->n - k >= cur_ctl(t)->height) return true;
  t->dead = true;
  return false;
}

/* Marks the last instruction as producing the TEMP now on top, writing it through the
 * operand at `field`. */
static inline void produced(exec_tr *t, uint32_t field) {
  t->last_dst = field;
  t->last_dst_n = t->n;
}

/* The instruction just emitted may collect (a call, an allocation): records which slots
 * hold traced references at its end — the traced locals and every operand in its home
 * slot below it (pending local.gets read a local, already counted; pending constants are
 * in no slot). The stack must hold exactly what survives the instruction (a call's
 * arguments popped, an allocation's operands still there). Nothing is recorded when no
 * slot holds one. */
static inline void safepoint(exec_tr *t) {
  size_t nops = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->st[i].kind == E_TEMP && exec_kind_is_gc(t->st[i].type)) nops++;
  }
  if (!nops && !t->nrlocals) return;
  size_t need = t->nsps + 1 + nops;
  if (!util_vec_try_grow((void **)&t->sp_pos, &t->capsp, t->nsp, sizeof *t->sp_pos) ||
      !util_vec_try_grow((void **)&t->sp_off, &t->capsp2, t->nsp, sizeof *t->sp_off)) {
    t->oom = true;
    return;
  }
  while (t->capsps < need) {
    if (!util_vec_try_grow((void **)&t->sp_slots, &t->capsps, t->capsps, sizeof *t->sp_slots)) {
      t->oom = true;
      return;
    }
  }
  t->sp_pos[t->nsp] = (uint32_t)t->len;
  t->sp_off[t->nsp++] = (uint32_t)t->nsps;
  t->sp_slots[t->nsps++] = (uint32_t)nops;
  for (size_t i = 0; i < t->n; i++) {
    if (t->st[i].kind == E_TEMP && exec_kind_is_gc(t->st[i].type)) t->sp_slots[t->nsps++] = t->st[i].home;
  }
}

/* compile_ctl.c */
void exec_tr_block(exec_tr *t, const wasm_instr *in);
void exec_tr_else(exec_tr *t);
void exec_tr_end(exec_tr *t);
void exec_tr_return(exec_tr *t);
void exec_tr_br(exec_tr *t, size_t ti);
void exec_tr_br_if(exec_tr *t, uint32_t depth);
void exec_tr_br_on_null(exec_tr *t, uint32_t depth, bool non_null);
void exec_tr_br_table(exec_tr *t, const wasm_instr *in);

/* compile_exn.c: exception handling */
void exec_tr_try_table(exec_tr *t, const wasm_instr *in);
void exec_tr_try_end(exec_tr *t, const exec_tr_ctl *c, uint32_t pos);
void exec_tr_throw(exec_tr *t, const wasm_instr *in);
void exec_tr_legacy_try(exec_tr *t, const wasm_instr *in);
void exec_tr_legacy_catch(exec_tr *t, const wasm_instr *in);
void exec_tr_delegate(exec_tr *t, uint32_t depth);
void exec_tr_rethrow(exec_tr *t, uint32_t depth);
uint32_t exec_tr_count_catches(const wasm_func *f);
/* Copies the function's try tables into the module's arena; false when out of memory. */
bool exec_tr_tries_finish(exec_tr *t, exec_module *em, exec_code *code);

/* compile_simd.c: a 0xFD instruction */
bool exec_tr_simd(exec_tr *t, const wasm_instr *in, util_error *err);

/* compile_mem.c: memories other than 0, 64-bit memories and tables */
bool exec_tr_needs_ext(const exec_tr *t, const wasm_instr *in);
bool exec_tr_ext(exec_tr *t, const wasm_instr *in, util_error *err);

/* compile_gc.c: a 0xFB instruction or ref.eq */
bool exec_tr_gc(exec_tr *t, const wasm_instr *in, util_error *err);
/* compile_atomic.c: the threads proposal's 0xFE instructions */
bool exec_tr_atomic(exec_tr *t, const wasm_instr *in, util_error *err);

/* compile_ops.c */
bool exec_tr_instr(exec_tr *t, const wasm_instr *in, util_error *err);
int exec_tr_take_addr(exec_tr *t, size_t i, uint32_t *a, uint32_t *b);

#endif
