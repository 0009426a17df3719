/* The baseline compiler: one pass over a validated function body, emitting x86-64.
 *
 * The operand stack is tracked at compile time as it is in the translator of src/exec:
 * every position p has a home slot (fp[nlocal_slots + p]) and an entry is either in its
 * home slot (SLOT), in a register (REG), a pending local.get (LOCAL) or a pending
 * constant (CONST), so local.get and constants emit nothing, constants become immediates
 * and a result feeds the next instruction in a register. Values live in their home slots
 * at every merge (block entries and ends, branch targets) and at calls, which is the
 * interpreter's frame layout, so a frame means the same thing to both tiers.
 *
 * Registers: rbx = fp, r12 = jit_ctx, r13 = memory base, r14 = thread, r15 = memory
 * size; rax, rcx, rdx are scratch and rsi, rdi, r8-r11 hold operand-stack values.
 * README.md has the details. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/instr.h"
#include "compile_int.h"
#include "image.h"


bool jc_grow_arr(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return true;
  size_t c = *cap < 16 ? 16 : *cap;
  while (c < need) c *= 2;
  void *q = util_try_realloc(*p, c * elem);
  if (!q) return false;
  *p = q;
  *cap = c;
  return true;
}

/* ---------- small emitters ---------- */


void jc_call_abs(jc *j, const void *fn) {
  x64_mov_reloc(j->b, RAX, X64_RELOC_ADDR, (uint64_t)(uintptr_t)fn, (uint64_t)(uintptr_t)fn);
  x64_call_r(j->b, RAX);
}

void jc_add_stub(jc *j, uint8_t kind, uint32_t trap, uint32_t off, size_t jump, size_t resume) {
  size_t cap = j->capstubs;
  if (!jc_grow_arr((void **)&j->stubs, &cap, j->nstubs + 1, sizeof *j->stubs)) {
    j->oom = true;
    return;
  }
  j->capstubs = cap;
  int32_t t = kind == S_UNWIND || kind == S_CALL ? j->cur_try : -1;
  j->stubs[j->nstubs++] = (stub){kind, trap, off, jump, resume, 0, 0, t};
}

/* A conditional trap: jcc to a stub reporting `kind` at `off`. */
void jc_trap_if(jc *j, int cc, uint32_t kind, uint32_t off) {
  jc_add_stub(j, S_TRAP, kind, off, x64_jcc(j->b, cc, X64_UNBOUND), 0);
}

/* After a helper or callee that returns a trap kind in eax. */
void jc_check_eax(jc *j, uint32_t off) {
  x64_test_rr(j->b, false, RAX, RAX);
  jc_add_stub(j, S_UNWIND, 0, off, x64_jcc(j->b, X64_CC_NE, X64_UNBOUND), 0);
}

void jc_reload_mem(jc *j) {
  x64_mov_rm(j->b, true, RCX, R12, NOREG, 1, CTX(mem));
  x64_mov_rm(j->b, true, R13, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, base));
  x64_mov_rm(j->b, true, R15, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, size));
}

/* The interruption check: one decrement, out-of-line slow path. */
static void budget(jc *j, uint32_t off) {
  x64_alu_mi(j->b, X64_SUB, true, R14, (int32_t)offsetof(exec_thread, budget), 1);
  size_t jump = x64_jcc(j->b, X64_CC_S, X64_UNBOUND);
  jc_add_stub(j, S_INTERRUPT, 0, off, jump, j->b->len);
}

/* ---------- the operand stack ---------- */

bool jc_push_grow(jc *j, ent e) {
  size_t cap = j->cap;
  if (!jc_grow_arr((void **)&j->st, &cap, (size_t)j->n + 1, sizeof *j->st)) {
    j->oom = true;
    return false;
  }
  j->cap = (uint32_t)cap;
  j->st[j->n++] = e;
  if (j->n > j->maxn) j->maxn = j->n;
  return true;
}
void jc_push_slot(jc *j) { jc_push(j, (ent){.kind = E_SLOT}); }

uint32_t jc_slots(const wasm_vtype *t, uint32_t n) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += t[i] == WASM_V128 ? 2 : 1;
  return s;
}

void jc_push_v128(jc *j) {
  jc_push(j, (ent){.kind = E_SLOT, .vh = 1});
  jc_push(j, (ent){.kind = E_SLOT, .vh = 2});
}

void jc_push_typed(jc *j, const wasm_vtype *t, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (t[i] == WASM_V128) jc_push_v128(j);
    else jc_push_slot(j);
  }
}

/* Loads an entry into reg (w: all 64 bits; else the low 32, zero-extended). */
void jc_load(jc *j, int reg, ent e, uint32_t pos, bool w) {
  switch (e.kind) {
  case E_SLOT: x64_mov_rm(j->b, w, reg, RBX, NOREG, 1, home(j, pos)); break;
  case E_LOCAL: x64_mov_rm(j->b, w, reg, RBX, NOREG, 1, slot_disp(e.local)); break;
  case E_REG:
    if (e.reg != reg) x64_mov_rr(j->b, w, reg, e.reg);
    break;
  case E_XREG: jc_xreg_load(j, reg, e); break;
  default: x64_mov_ri(j->b, w, reg, w ? e.imm : (uint32_t)e.imm); break;
  }
}

/* Writes position pos's value to slot `slot` (not changing the entry); returns the slots
 * written: 2 when pos starts a v128 moved whole (one 16-byte store, so the next 16-byte
 * read of it is forwarded from the store), else 1. */
static uint32_t copy_to1(jc *j, uint32_t pos, uint32_t slot);
static uint32_t copy_to(jc *j, uint32_t pos, uint32_t slot) {
  if (j->st[pos].vh == 1 && pos + 1 < j->n && jc_v128_copy(j, pos, slot)) return 2;
  return copy_to1(j, pos, slot);
}
static uint32_t copy_to1(jc *j, uint32_t pos, uint32_t slot) {
  ent e = j->st[pos];
  if (e.kind == E_SLOT && j->nlocals + pos == slot) return 1;
  if (e.kind == E_XREG) {
    jc_xreg_half(j, e, slot);
    return 1;
  }
  if (e.kind == E_REG) {
    x64_mov_mr(j->b, true, RBX, NOREG, 1, slot_disp(slot), e.reg);
    return 1;
  }
  if (e.kind == E_CONST && (int64_t)e.imm >= INT32_MIN && (int64_t)e.imm <= INT32_MAX) {
    x64_mov_mi(j->b, true, RBX, slot_disp(slot), (int32_t)e.imm);
    return 1;
  }
  if (e.kind == E_CONST && e.imm <= 0xffffffffu) {
    /* an i32 constant with the top bit set: the slot's high half is unspecified */
    x64_mov_mi(j->b, true, RBX, slot_disp(slot), (int32_t)(uint32_t)e.imm);
    if ((int64_t)(int32_t)(uint32_t)e.imm == (int64_t)e.imm) return 1;
    /* an i64 constant: the exact 64 bits */
    x64_mov_ri(j->b, true, RAX, e.imm);
    x64_mov_mr(j->b, true, RBX, NOREG, 1, slot_disp(slot), RAX);
    return 1;
  }
  jc_load(j, RAX, e, pos, true);
  x64_mov_mr(j->b, true, RBX, NOREG, 1, slot_disp(slot), RAX);
  return 1;
}

void jc_materialize(jc *j, uint32_t pos) {
  if (j->st[pos].kind == E_SLOT) return;
  if (copy_to(j, pos, j->nlocals + pos) == 2) j->st[pos + 1].kind = E_SLOT;
  j->st[pos].kind = E_SLOT;
}

/* Pending local.gets of local x are copied home before x is written. */
static void spill_local(jc *j, uint32_t x) {
  for (uint32_t p = j->noloc; p < j->n; p++)
    if (j->st[p].kind == E_LOCAL && j->st[p].local == x) jc_materialize(j, p);
}
static void spill_locals(jc *j, uint32_t below) {
  for (uint32_t p = j->noloc; p < below; p++)
    if (j->st[p].kind == E_LOCAL) jc_materialize(j, p);
  if (below > j->noloc) j->noloc = below;
}

/* The registers that hold operand-stack values (caller-saved: spilled before calls). */
static const uint8_t pool[] = {X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10, X64_R11};

/* A free pool register (not `avoid`); when all hold values, the deepest goes home. */
static int alloc_reg(jc *j, int avoid) {
  uint32_t used = 0;
  for (uint32_t p = j->noreg; p < j->n; p++)
    if (j->st[p].kind == E_REG) used |= 1u << j->st[p].reg;
  if (avoid >= 0) used |= 1u << avoid;
  for (size_t i = 0; i < sizeof pool; i++)
    if (!(used & (1u << pool[i]))) return pool[i];
  for (uint32_t p = j->noreg; p < j->n; p++)
    if (j->st[p].kind == E_REG && j->st[p].reg != avoid) {
      int r = j->st[p].reg;
      jc_materialize(j, p);
      return r;
    }
  return X64_RSI; /* not reached: the pool outnumbers `avoid` */
}

static void push_reg(jc *j, int r) { jc_push(j, (ent){.kind = E_REG, .reg = (uint8_t)r}); }

/* Makes rax (all 64 bits) the value of a new top entry. */
void jc_push_rax(jc *j) {
  int r = alloc_reg(j, -1);
  x64_mov_rr(j->b, true, r, RAX);
  push_reg(j, r);
}

/* Every value held in a register goes home (before calls and at merges). */
void jc_spill_regs(jc *j) {
  for (uint32_t p = j->noreg; p < j->n; p++)
    if (j->st[p].kind == E_REG || j->st[p].kind == E_XREG) jc_materialize(j, p);
  if (j->n > j->noreg) j->noreg = j->n;
}

/* A popped operand at position pos goes to its (free) home slot, out of its register. */
void jc_unreg(jc *j, ent *e, uint32_t pos) {
  if (e->kind != E_REG) return;
  x64_mov_mr(j->b, true, RBX, NOREG, 1, home(j, pos), e->reg);
  e->kind = E_SLOT;
}

/* ---------- branches ---------- */

static ctl *label(jc *j, uint32_t depth) { return &j->ctl[j->nctl - 1 - depth]; }
static uint32_t arity(const ctl *c) { return c->kind == C_LOOP ? c->nparams : c->nresults; }
static uint32_t dest_slot(jc *j, const ctl *c) { return c->kind == C_FUNC ? 0 : j->nlocals + c->height; }

/* Before a branch whose condition is still to be computed: a return moves values into the
 * parameter/local area, so pending local.gets among them go home first (unconditional
 * code, so the compile-time state stays true on both paths). `skip` top entries are the
 * condition's operands. */
static void prep_branch(jc *j, uint32_t depth, uint32_t skip) {
  ctl *c = label(j, depth);
  if (c->kind != C_FUNC) return;
  uint32_t a = arity(c), top = j->n - skip;
  for (uint32_t i = 0; i < a; i++)
    if (j->st[top - a + i].kind == E_LOCAL) jc_materialize(j, top - a + i);
}

static bool needs_moves(jc *j, const ctl *c) {
  uint32_t a = arity(c), d = dest_slot(j, c);
  for (uint32_t i = 0; i < a; i++) {
    uint32_t pos = j->n - a + i;
    if (!(j->st[pos].kind == E_SLOT && j->nlocals + pos == d + i)) return true;
  }
  return false;
}

static void add_fwd(jc *j, ctl *c, size_t at) {
  if (!jc_grow_arr((void **)&c->fwd, &c->capfwd, c->nfwd + 1, sizeof *c->fwd)) {
    j->oom = true;
    return;
  }
  c->fwd[c->nfwd++] = at;
}

/* The taken path of a branch: moves, the back-edge check, the jump. */
void jc_branch_taken(jc *j, uint32_t depth, uint32_t off) {
  ctl *c = label(j, depth);
  uint32_t a = arity(c), d = dest_slot(j, c);
  for (uint32_t i = 0; i < a;) i += copy_to(j, j->n - a + i, d + i);
  if (c->kind == C_LOOP) {
    budget(j, off);
    x64_jmp(j->b, c->loop_pos);
  } else if (c->kind == C_FUNC) {
    if (!jc_grow_arr((void **)&j->to_epi, &j->capto_epi, j->nto_epi + 1, sizeof *j->to_epi)) {
      j->oom = true;
      return;
    }
    x64_mov_ri(j->b, false, RAX, 0);
    j->to_epi[j->nto_epi++] = x64_jmp(j->b, X64_UNBOUND);
  } else {
    add_fwd(j, c, x64_jmp(j->b, X64_UNBOUND));
  }
}

/* A branch taken when `cc` holds (-1: always). */
static void branch(jc *j, uint32_t depth, int cc, uint32_t off) {
  ctl *c = label(j, depth);
  if (cc < 0) {
    jc_branch_taken(j, depth, off);
    return;
  }
  if (c->kind == C_BLOCK || c->kind == C_IF) {
    if (!needs_moves(j, c)) {
      add_fwd(j, c, x64_jcc(j->b, cc, X64_UNBOUND));
      return;
    }
  }
  size_t skip = x64_jcc(j->b, cc ^ 1, X64_UNBOUND);
  jc_branch_taken(j, depth, off);
  x64_bind(j->b, skip, j->b->len);
}

/* ---------- blocks ---------- */

bool jc_block_sig(jc *j, const wasm_instr *in, uint32_t *np, uint32_t *nr) {
  wasm_vtype scratch;
  const wasm_vtype *p, *r;
  if (!wasm_blocktype_sig(j->m, in, &scratch, np, &p, nr, &r)) return false;
  for (uint32_t i = 0; i < *np; i++)
    if (p[i] == WASM_V128) return false;
  for (uint32_t i = 0; i < *nr; i++)
    if (r[i] == WASM_V128) return false;
  return true;
}

/* A block type's parameter and result slots (v128 included); false for a bad type. */
static bool block_slots(jc *j, const wasm_instr *in, uint32_t *np, uint32_t *nr) {
  wasm_vtype scratch;
  const wasm_vtype *p, *r;
  uint32_t n, m;
  if (!wasm_blocktype_sig(j->m, in, &scratch, &n, &p, &m, &r)) return false;
  *np = jc_slots(p, n);
  *nr = jc_slots(r, m);
  return true;
}

/* A block's results at its end, or an if's parameters at its else, typed (so a v128
 * keeps its two halves). */
static void push_block_vals(jc *j, const ctl *c, bool params) {
  uint32_t count = params ? c->nparams : c->nresults;
  if (!c->typed) {
    for (uint32_t i = 0; i < count; i++) jc_push_slot(j);
    return;
  }
  wasm_instr in;
  memset(&in, 0, sizeof in);
  in.blocktype = c->bt;
  in.bt_type = c->bt_type;
  wasm_vtype scratch;
  const wasm_vtype *p, *r;
  uint32_t n, m;
  if (!wasm_blocktype_sig(j->m, &in, &scratch, &n, &p, &m, &r)) return;
  if (params) jc_push_typed(j, p, n);
  else jc_push_typed(j, r, m);
}

static void set_typed(ctl *c, const wasm_instr *in) {
  c->typed = true;
  c->bt = in->blocktype;
  c->bt_type = in->bt_type;
}

ctl *jc_open_block(jc *j, uint8_t kind, uint32_t np, uint32_t nr) {
  size_t cap = j->capctl;
  if (!jc_grow_arr((void **)&j->ctl, &cap, (size_t)j->nctl + 1, sizeof *j->ctl)) {
    j->oom = true;
    return NULL;
  }
  j->capctl = (uint32_t)cap;
  ctl *c = &j->ctl[j->nctl++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->nparams = np;
  c->nresults = nr;
  c->height = j->n - np;
  c->else_jump = X64_UNBOUND;
  return c;
}

/* Entering a block: every path into its labels must find values in the same places. */
void jc_enter_block(jc *j, uint32_t np) {
  jc_spill_regs(j);
  spill_locals(j, j->n);
  for (uint32_t i = 0; i < np; i++) jc_materialize(j, j->n - np + i);
}

/* Values of a block's end go to its result slots. */
static void results_home(jc *j, ctl *c) {
  for (uint32_t i = 0; i < c->nresults; i++) jc_materialize(j, c->height + i);
}

/* A loop header an interpreted frame may jump into (on-stack replacement). At the header
 * no value is in a register and the locals and the loop's parameters are in their slots,
 * as in the interpreter's frame at its back-edge. A value below the parameters is either
 * in its slot here (E_SLOT) or a pending constant (E_CONST, whose slot is never read).
 * The interpreter's translator has each such value in its slot too (a pending local.get
 * is flushed at every block entry), except a constant it keeps pending: it makes that
 * choice independently, so a slot the compiled code reads might never have been written
 * by the interpreter. Such a value (`konst`: a constant, or the same value passed on) is
 * known here (`kval`), so the entry's stub writes it to its slot before it jumps to the
 * header: whether the interpreter wrote it or not, the slot then holds it. */
static void osr_header(jc *j, const ctl *c, uint32_t off) {
  if (!jc_grow_arr((void **)&j->osr, &j->caposr, j->nosr + 1, sizeof *j->osr) ||
      !jc_grow_arr((void **)&j->osr_fix0, &j->capfix0, j->nosr + 1, sizeof *j->osr_fix0)) {
    j->oom = true;
    return;
  }
  j->osr_fix0[j->nosr] = (uint32_t)j->nfix;
  for (uint32_t p = 0; p < c->height; p++) {
    if (j->st[p].kind != E_SLOT || !j->st[p].konst) continue;
    if (!jc_grow_arr((void **)&j->fix, &j->capfix, j->nfix + 1, sizeof *j->fix)) {
      j->oom = true;
      return;
    }
    j->fix[j->nfix++] = (struct jc_fix){home(j, p), j->st[p].kval};
  }
  j->osr[j->nosr++] = (jit_osr_entry){off, c->loop_pos};
}

/* ---------- the function ---------- */

static const char *unsupported(jc *j, uint16_t op) {
  (void)j;
  static _Thread_local char buf[96];
  snprintf(buf, sizeof buf, "not supported: %s", wasm_op_name(op));
  return buf;
}

static int cmp_cc(uint16_t op) {
  switch (op) {
  case WASM_OP_I32_EQ: case WASM_OP_I64_EQ: return X64_CC_E;
  case WASM_OP_I32_NE: case WASM_OP_I64_NE: return X64_CC_NE;
  case WASM_OP_I32_LT_S: case WASM_OP_I64_LT_S: return X64_CC_L;
  case WASM_OP_I32_LT_U: case WASM_OP_I64_LT_U: return X64_CC_B;
  case WASM_OP_I32_GT_S: case WASM_OP_I64_GT_S: return X64_CC_G;
  case WASM_OP_I32_GT_U: case WASM_OP_I64_GT_U: return X64_CC_A;
  case WASM_OP_I32_LE_S: case WASM_OP_I64_LE_S: return X64_CC_LE;
  case WASM_OP_I32_LE_U: case WASM_OP_I64_LE_U: return X64_CC_BE;
  case WASM_OP_I32_GE_S: case WASM_OP_I64_GE_S: return X64_CC_GE;
  case WASM_OP_I32_GE_U: case WASM_OP_I64_GE_U: return X64_CC_AE;
  default: return -1;
  }
}

static bool fits32(ent e, bool w) {
  return !w || ((int64_t)e.imm >= INT32_MIN && (int64_t)e.imm <= INT32_MAX);
}

/* rax = a; compares with b; returns the condition for "a OP b" given `cc`. */
static void emit_cmp(jc *j, ent a, uint32_t apos, ent b, uint32_t bpos, bool w) {
  jc_load(j, RAX, a, apos, w);
  if (b.kind == E_CONST && fits32(b, w)) x64_alu_ri(j->b, X64_CMP, w, RAX, (int32_t)b.imm);
  else if (b.kind == E_SLOT) x64_alu_rm(j->b, X64_CMP, w, RAX, RBX, home(j, bpos));
  else if (b.kind == E_LOCAL) x64_alu_rm(j->b, X64_CMP, w, RAX, RBX, slot_disp(b.local));
  else if (b.kind == E_REG) x64_alu_rr(j->b, X64_CMP, w, RAX, b.reg);
  else {
    jc_load(j, RCX, b, bpos, w);
    x64_alu_rr(j->b, X64_CMP, w, RAX, RCX);
  }
}

/* A binary integer op: rax = a OP b. */
static void emit_alu(jc *j, int op, bool w) {
  ent b = jc_pop(j), a = jc_pop(j);
  uint32_t pos = j->n;
  int r = a.kind == E_REG ? a.reg : alloc_reg(j, b.kind == E_REG ? b.reg : -1);
  jc_load(j, r, a, pos, w);
  if (b.kind == E_CONST && fits32(b, w)) x64_alu_ri(j->b, op, w, r, (int32_t)b.imm);
  else if (b.kind == E_SLOT) x64_alu_rm(j->b, op, w, r, RBX, home(j, pos + 1));
  else if (b.kind == E_LOCAL) x64_alu_rm(j->b, op, w, r, RBX, slot_disp(b.local));
  else if (b.kind == E_REG) x64_alu_rr(j->b, op, w, r, b.reg);
  else {
    jc_load(j, RCX, b, pos + 1, w);
    x64_alu_rr(j->b, op, w, r, RCX);
  }
  push_reg(j, r);
}

static void emit_mul(jc *j, bool w) {
  ent b = jc_pop(j), a = jc_pop(j);
  uint32_t pos = j->n;
  int r = a.kind == E_REG ? a.reg : alloc_reg(j, b.kind == E_REG ? b.reg : -1);
  jc_load(j, r, a, pos, w);
  if (b.kind == E_CONST && fits32(b, w)) {
    x64_imul_rri(j->b, w, r, r, (int32_t)b.imm);
  } else if (b.kind == E_REG) {
    x64_imul_rr(j->b, w, r, b.reg);
  } else {
    jc_load(j, RCX, b, pos + 1, w);
    x64_imul_rr(j->b, w, r, RCX);
  }
  push_reg(j, r);
}

static void emit_shift(jc *j, int ext, bool w) {
  ent b = jc_pop(j), a = jc_pop(j);
  uint32_t pos = j->n;
  int r = a.kind == E_REG ? a.reg : alloc_reg(j, b.kind == E_REG ? b.reg : -1);
  jc_load(j, r, a, pos, w);
  if (b.kind == E_CONST) {
    x64_shift_ri(j->b, ext, w, r, (uint8_t)(b.imm & (w ? 63 : 31)));
  } else {
    jc_load(j, RCX, b, pos + 1, false);
    x64_shift_cl(j->b, ext, w, r);
  }
  push_reg(j, r);
}

/* Division and remainder with the interpreter's traps. */
static void emit_div(jc *j, bool w, bool sign, bool rem, uint32_t off) {
  ent b = jc_pop(j), a = jc_pop(j);
  uint32_t pos = j->n;
  jc_load(j, RAX, a, pos, w);
  jc_load(j, RCX, b, pos + 1, w);
  x64_test_rr(j->b, w, RCX, RCX);
  jc_trap_if(j, X64_CC_E, EXEC_TRAP_INT_DIV_ZERO, off);
  if (sign) {
    x64_alu_ri(j->b, X64_CMP, w, RCX, -1);
    size_t not_m1 = x64_jcc(j->b, X64_CC_NE, X64_UNBOUND);
    if (rem) {
      /* x rem -1 = 0 (idiv would fault on the minimum) */
      x64_mov_ri(j->b, false, RAX, 0);
      size_t done = x64_jmp(j->b, X64_UNBOUND);
      x64_bind(j->b, not_m1, j->b->len);
      x64_cdq(j->b, w);
      x64_unary(j->b, X64_IDIV, w, RCX);
      x64_mov_rr(j->b, w, RAX, RDX);
      x64_bind(j->b, done, j->b->len);
    } else {
      x64_mov_ri(j->b, w, RDX, w ? 0x8000000000000000ull : 0x80000000u);
      x64_alu_rr(j->b, X64_CMP, w, RAX, RDX);
      jc_trap_if(j, X64_CC_E, EXEC_TRAP_INT_OVERFLOW, off);
      x64_bind(j->b, not_m1, j->b->len);
      x64_cdq(j->b, w);
      x64_unary(j->b, X64_IDIV, w, RCX);
    }
  } else {
    x64_mov_ri(j->b, false, RDX, 0);
    x64_unary(j->b, X64_DIV, w, RCX);
    if (rem) x64_mov_rr(j->b, w, RAX, RDX);
  }
  jc_push_rax(j);
}

/* ---------- calls ---------- */

/* Slots of a signature's parameters and results (a v128 takes two), and the span a
 * call's frame needs for both. */
static uint32_t pslots(const wasm_functype *ft) { return jc_slots(ft->params, ft->nparams); }
static uint32_t rslots(const wasm_functype *ft) { return jc_slots(ft->results, ft->nresults); }
static uint32_t span_of(const wasm_functype *ft) {
  uint32_t p = pslots(ft), r = rslots(ft);
  return p > r ? p : r;
}

/* Arguments go home; returns the callee frame's first slot. */
static uint32_t call_args(jc *j, const wasm_functype *ft) {
  uint32_t np = pslots(ft);
  for (uint32_t i = 0; i < np; i++) jc_materialize(j, j->n - np + i);
  return j->nlocals + j->n - np;
}

static void call_results(jc *j, const wasm_functype *ft) {
  j->n -= pslots(ft);
  jc_push_typed(j, ft->results, ft->nresults);
}

static void emit_call(jc *j, uint32_t funcidx, uint32_t off) {
  const wasm_functype *ft = wasm_ir_func_type(j->m, funcidx);
  jc_spill_regs(j);
  uint32_t nfp = call_args(j, ft);
  uint32_t span = span_of(ft);
  jc_gc_site(j, off);
  if (funcidx >= j->m->nfunc_imports) {
    x64_lea(j->b, true, RDI, RBX, NOREG, 1, slot_disp(nfp));
    x64_mov_rr(j->b, true, RSI, R12);
    x64_alu_mi(j->b, X64_ADD, false, R12, CTX(depth), 1);
    if (j->calltab) {
      /* mov rax, &calltab[callee]; call [rax]: the callee's entry of the moment */
      x64_mov_ri(j->b, true, RAX, (uint64_t)(uintptr_t)(j->calltab + 8 * (size_t)(funcidx - j->m->nfunc_imports)));
      x64_u8(j->b, 0xff), x64_u8(j->b, 0x10);
    } else {
      size_t at = x64_call_rel(j->b, X64_UNBOUND);
      if (!jc_grow_arr((void **)&j->calls->v, &j->calls->cap, j->calls->n + 1, sizeof *j->calls->v)) j->oom = true;
      else j->calls->v[j->calls->n++] = (jit_call_patch){at, funcidx - j->m->nfunc_imports};
    }
    x64_alu_mi(j->b, X64_SUB, false, R12, CTX(depth), 1);
    /* a compiled callee may end in a tail call: S_CALL makes it and resumes here */
    jc_reload_mem(j);
    x64_test_rr(j->b, false, RAX, RAX);
    size_t jump = x64_jcc(j->b, X64_CC_NE, X64_UNBOUND);
    jc_add_stub(j, S_CALL, 0, off, jump, j->b->len);
    if (!j->oom) {
      j->stubs[j->nstubs - 1].nfp = nfp;
      j->stubs[j->nstubs - 1].top = nfp + span;
    }
    call_results(j, ft);
    return;
  } else {
    x64_mov_rr(j->b, true, RDI, R12);
    x64_lea(j->b, true, RSI, RBX, NOREG, 1, slot_disp(nfp));
    x64_mov_ri(j->b, false, RDX, funcidx);
    x64_lea(j->b, true, RCX, RBX, NOREG, 1, slot_disp(nfp + span));
    jc_call_abs(j, (const void *)jit_rt_call_import);
  }
  jc_reload_mem(j);
  jc_check_eax(j, off);
  call_results(j, ft);
}

static void emit_call_indirect(jc *j, uint32_t typeidx, uint32_t table, uint32_t off) {
  const wasm_functype *ft = &j->m->types[typeidx];
  ent idx = jc_pop(j);
  uint32_t ipos = j->n;
  jc_unreg(j, &idx, ipos);
  jc_spill_regs(j);
  uint32_t nfp = call_args(j, ft);
  uint32_t span = span_of(ft);
  jc_gc_site(j, off);
  jc_load(j, RDX, idx, ipos, false);
  x64_mov_rr(j->b, true, RDI, R12);
  x64_lea(j->b, true, RSI, RBX, NOREG, 1, slot_disp(nfp));
  x64_mov_ri(j->b, false, RCX, table);
  x64_mov_reloc(j->b, R8, X64_RELOC_TYPEID, j->em->typeids[typeidx], typeidx);
  x64_lea(j->b, true, R9, RBX, NOREG, 1, slot_disp(nfp + span));
  jc_call_abs(j, (const void *)jit_rt_call_indirect);
  jc_reload_mem(j);
  jc_check_eax(j, off);
  call_results(j, ft);
}

/* return_call, return_call_indirect, return_call_ref: the callee is resolved here (its
 * traps are this frame's), the arguments move down to fp[0..], and the function returns
 * JIT_TAILCALL: its caller makes the call in its place, so a chain of tail calls of any
 * length, through either tier, runs in constant stack. */
static void emit_tail(jc *j, uint16_t op, uint32_t idx, uint32_t table, const wasm_functype *ft, uint32_t off) {
  ent x = {0};
  uint32_t xpos = 0;
  if (op != WASM_OP_RETURN_CALL) {
    x = jc_pop(j);
    xpos = j->n;
    jc_unreg(j, &x, xpos);
  }
  jc_spill_regs(j);
  uint32_t nfp = call_args(j, ft);
  x64_mov_rr(j->b, true, RDI, R12);
  if (op == WASM_OP_RETURN_CALL) {
    x64_mov_ri(j->b, false, RSI, idx);
    jc_call_abs(j, (const void *)jit_rt_tail_func);
  } else {
    if (op == WASM_OP_RETURN_CALL_INDIRECT) {
      jc_load(j, RSI, x, xpos, false);
      x64_mov_ri(j->b, false, RDX, table);
      x64_mov_reloc(j->b, RCX, X64_RELOC_TYPEID, j->em->typeids[idx], idx);
      jc_call_abs(j, (const void *)jit_rt_tail_indirect);
    } else {
      jc_load(j, RSI, x, xpos, true);
      jc_call_abs(j, (const void *)jit_rt_tail_ref);
    }
    x64_alu_ri(j->b, X64_CMP, false, RAX, JIT_TAILCALL);
    jc_add_stub(j, S_UNWIND, 0, off, x64_jcc(j->b, X64_CC_NE, X64_UNBOUND), 0);
  }
  uint32_t np = pslots(ft);
  for (uint32_t i = 0; i < np && nfp; i++) {
    x64_mov_rm(j->b, true, RCX, RBX, NOREG, 1, slot_disp(nfp + i));
    x64_mov_mr(j->b, true, RBX, NOREG, 1, slot_disp(i), RCX);
  }
  x64_mov_ri(j->b, false, RAX, JIT_TAILCALL);
  if (!jc_grow_arr((void **)&j->to_epi, &j->capto_epi, j->nto_epi + 1, sizeof *j->to_epi)) {
    j->oom = true;
    return;
  }
  j->to_epi[j->nto_epi++] = x64_jmp(j->b, X64_UNBOUND);
  j->n -= np;
}

/* call_ref: the callee is a reference on top of the arguments (null traps). */
static void emit_call_ref(jc *j, uint32_t typeidx, uint32_t off) {
  const wasm_functype *ft = &j->m->types[typeidx];
  ent ref = jc_pop(j);
  uint32_t rpos = j->n;
  jc_unreg(j, &ref, rpos);
  jc_spill_regs(j);
  uint32_t nfp = call_args(j, ft);
  uint32_t span = span_of(ft);
  jc_gc_site(j, off);
  jc_load(j, RDX, ref, rpos, true);
  x64_mov_rr(j->b, true, RDI, R12);
  x64_lea(j->b, true, RSI, RBX, NOREG, 1, slot_disp(nfp));
  x64_lea(j->b, true, RCX, RBX, NOREG, 1, slot_disp(nfp + span));
  jc_call_abs(j, (const void *)jit_rt_call_ref);
  jc_reload_mem(j);
  jc_check_eax(j, off);
  call_results(j, ft);
}

/* An instruction done by a runtime helper: nargs operands go home, the helper gets their
 * slots (and where a result goes), then nres results are in those slots. */
void jc_emit_helper(jc *j, jit_helper fn, uint32_t nargs, uint32_t nres, uint32_t x, uint32_t y, uint32_t off) {
  jc_spill_regs(j);
  for (uint32_t i = 0; i < nargs; i++) jc_materialize(j, j->n - nargs + i);
  uint32_t base = j->n - nargs;
  if (nres && !nargs && !jc_push(j, (ent){.kind = E_SLOT})) return; /* room for the result */
  if (nres && !nargs) j->n--;
  x64_mov_rr(j->b, true, RDI, R12);
  x64_lea(j->b, true, RSI, RBX, NOREG, 1, home(j, base));
  x64_mov_ri(j->b, false, RDX, x);
  x64_mov_ri(j->b, false, RCX, y);
  jc_call_abs(j, (const void *)fn);
  jc_reload_mem(j);
  jc_check_eax(j, off);
  j->n = base;
  for (uint32_t i = 0; i < nres; i++) jc_push_slot(j);
}

/* ---------- fused conditions ---------- */

typedef struct cond {
  ent a, b;
  uint32_t pos; /* of a */
  bool w, eqz;
} cond;

static int emit_cond_flags(jc *j, const cond *c, int cc) {
  if (c->eqz) {
    jc_load(j, RAX, c->a, c->pos, c->w);
    x64_test_rr(j->b, c->w, RAX, RAX);
    return X64_CC_E;
  }
  emit_cmp(j, c->a, c->pos, c->b, c->pos + 1, c->w);
  return cc;
}

/* The instruction after a compare, when it is br_if or if, takes the flags directly. */
static bool try_fuse(jc *j, util_reader *r, const cond *c, int cc) {
  if (r->p >= r->end || (*r->p != 0x0d && *r->p != 0x04)) return false; /* br_if, if */
  util_reader peek = *r;
  wasm_instr nx;
  if (!wasm_read_instr(&peek, &nx, NULL)) return false; /* validated code: no error to keep */
  if (nx.op == WASM_OP_BR_IF) {
    *r = peek;
    prep_branch(j, nx.idx, 0);
    int f = emit_cond_flags(j, c, cc);
    branch(j, nx.idx, f, nx.offset);
    return true;
  }
  if (nx.op == WASM_OP_IF) {
    uint32_t np, nr;
    if (!block_slots(j, &nx, &np, &nr) || np) return false;
    *r = peek;
    jc_enter_block(j, 0);
    ctl *b = jc_open_block(j, C_IF, 0, nr);
    if (!b) return true;
    set_typed(b, &nx);
    int f = emit_cond_flags(j, c, cc);
    b->else_jump = x64_jcc(j->b, f ^ 1, X64_UNBOUND);
    return true;
  }
  return false;
}

/* ---------- the body ---------- */

/* The IEEE operations SSE does exactly as the helpers would (the helpers' C compiles to
 * the same instructions): add, sub, mul, div, sqrt, inline on xmm0/xmm1. */
static bool emit_sse(jc *j, uint16_t op) {
  uint8_t code;
  bool dbl;
  switch (op) {
  case WASM_OP_F32_ADD: code = 0x58, dbl = false; break;
  case WASM_OP_F32_SUB: code = 0x5c, dbl = false; break;
  case WASM_OP_F32_MUL: code = 0x59, dbl = false; break;
  case WASM_OP_F32_DIV: code = 0x5e, dbl = false; break;
  case WASM_OP_F32_SQRT: code = 0x51, dbl = false; break;
  case WASM_OP_F64_ADD: code = 0x58, dbl = true; break;
  case WASM_OP_F64_SUB: code = 0x5c, dbl = true; break;
  case WASM_OP_F64_MUL: code = 0x59, dbl = true; break;
  case WASM_OP_F64_DIV: code = 0x5e, dbl = true; break;
  case WASM_OP_F64_SQRT: code = 0x51, dbl = true; break;
  default: return false;
  }
  if (code == 0x51) {
    ent a = jc_pop(j);
    jc_load(j, RAX, a, j->n, true);
    x64_movq_xr(j->b, 0, RAX);
    x64_sse(j->b, dbl, code, 0, 0);
  } else {
    ent b = jc_pop(j), a = jc_pop(j);
    uint32_t pos = j->n;
    jc_load(j, RAX, a, pos, true);
    jc_load(j, RCX, b, pos + 1, true);
    x64_movq_xr(j->b, 0, RAX);
    x64_movq_xr(j->b, 1, RCX);
    x64_sse(j->b, dbl, code, 0, 1);
  }
  x64_movq_rx(j->b, RAX, 0);
  jc_push_rax(j);
  return true;
}

static bool emit_float(jc *j, uint16_t op, uint32_t off) {
  if (emit_sse(j, op)) return true;
  int shape = 0;
  void *fn = jit_float_helper(op, &shape);
  if (!fn) return false;
  if (shape == 2) {
    ent b = jc_pop(j), a = jc_pop(j);
    uint32_t pos = j->n;
    jc_unreg(j, &a, pos);
    jc_unreg(j, &b, pos + 1);
    jc_spill_regs(j);
    jc_load(j, RDI, a, pos, true);
    jc_load(j, RSI, b, pos + 1, true);
    jc_call_abs(j, fn);
    jc_push_rax(j);
  } else if (shape == 1) {
    ent a = jc_pop(j);
    jc_unreg(j, &a, j->n);
    jc_spill_regs(j);
    jc_load(j, RDI, a, j->n, true);
    jc_call_abs(j, fn);
    jc_push_rax(j);
  } else {
    ent a = jc_pop(j);
    uint32_t pos = j->n;
    jc_unreg(j, &a, pos);
    jc_spill_regs(j);
    jc_load(j, RDI, a, pos, true);
    x64_lea(j->b, true, RSI, RBX, NOREG, 1, home(j, pos));
    jc_call_abs(j, fn);
    x64_test_rr(j->b, false, RAX, RAX);
    jc_add_stub(j, S_TRAPK, 0, off, x64_jcc(j->b, X64_CC_NE, X64_UNBOUND), 0); /* trap kind in eax */
    jc_push_slot(j);
  }
  return true;
}

/* (cpu.c: the features an image records, so that code using popcnt is never loaded where
 * it is missing) */
static bool have_popcnt(void) { return (jit_cpu_features() & JIT_CPU_POPCNT) != 0; }

void jc_br_if(jc *j, uint32_t depth, uint32_t off) {
  ent c = jc_pop(j);
  uint32_t cpos = j->n;
  prep_branch(j, depth, 0);
  jc_load(j, RAX, c, cpos, false);
  x64_test_rr(j->b, false, RAX, RAX);
  branch(j, depth, X64_CC_NE, off);
}

static const char *body(jc *j, util_reader *r) {
  wasm_instr in;
  while (j->nctl) {
    if (j->oom || j->b->oom) return "out of memory";
    if (j->fail) return j->fail;
    if (!wasm_read_instr(r, &in, NULL)) return "unreadable body"; /* validated: never */
    uint16_t op = in.op;
    uint32_t off = in.offset;
    if (j->dead) {
      /* every instruction that opens a frame counts, or the end of a skipped try_table
       * would close the live block around it (try's frame ends at end or delegate) */
      if (op == WASM_OP_BLOCK || op == WASM_OP_LOOP || op == WASM_OP_IF || op == WASM_OP_TRY_TABLE ||
          op == WASM_OP_TRY) {
        j->dead_nest++;
        continue;
      }
      if ((op == WASM_OP_END || op == WASM_OP_DELEGATE) && j->dead_nest) {
        j->dead_nest--;
        continue;
      }
      /* else, catch, catch_all, delegate and end of the live frame end its dead code */
      if (op != WASM_OP_END && op != WASM_OP_ELSE && op != WASM_OP_CATCH && op != WASM_OP_CATCH_ALL &&
          op != WASM_OP_DELEGATE)
        continue;
      if (op != WASM_OP_END && j->dead_nest) continue;
    }
    const wasm_opinfo *oi = &wasm_opinfo_table[op];
    if (oi->prefix == 0xfb || op == WASM_OP_REF_EQ) {
      const char *why = jc_gc(j, &in, off);
      if (why) return why;
      continue;
    }
    if (oi->prefix == 0xfd) {
      const char *why = jc_simd(j, &in);
      if (why) return why;
      continue;
    }
    if (oi->prefix == 0xfe) {
      const char *why = jc_atomic(j, &in, off);
      if (why) return why;
      continue;
    }
    switch (op) {
    case WASM_OP_NOP: break;
    case WASM_OP_UNREACHABLE:
      jc_add_stub(j, S_TRAP, EXEC_TRAP_UNREACHABLE, off, x64_jmp(j->b, X64_UNBOUND), 0);
      j->dead = true;
      break;
    case WASM_OP_BLOCK:
    case WASM_OP_LOOP:
    case WASM_OP_IF: {
      uint32_t np, nr;
      if (!block_slots(j, &in, &np, &nr)) return "unreadable block type";
      if (op == WASM_OP_IF) {
        /* the parameters go to their slots, where the else arm finds them untouched */
        ent c = jc_pop(j);
        uint32_t cpos = j->n;
        jc_enter_block(j, np);
        ctl *b = jc_open_block(j, C_IF, np, nr);
        if (!b) break;
        set_typed(b, &in);
        jc_load(j, RAX, c, cpos, false);
        x64_test_rr(j->b, false, RAX, RAX);
        b->else_jump = x64_jcc(j->b, X64_CC_E, X64_UNBOUND);
        break;
      }
      jc_enter_block(j, np);
      ctl *b = jc_open_block(j, op == WASM_OP_LOOP ? C_LOOP : C_BLOCK, np, nr);
      if (b) set_typed(b, &in);
      if (b) b->loop_pos = j->b->len;
      if (b && op == WASM_OP_LOOP && j->want_osr) osr_header(j, b, off);
      break;
    }
    case WASM_OP_TRY_TABLE: {
      const char *why = jc_try_open(j, &in);
      if (why) return why;
      break;
    }
    case WASM_OP_THROW: {
      const char *why = jc_throw(j, &in, off);
      if (why) return why;
      break;
    }
    case WASM_OP_THROW_REF: jc_throw_ref(j, off); break;
    case WASM_OP_TRY:
    case WASM_OP_CATCH:
    case WASM_OP_CATCH_ALL:
    case WASM_OP_RETHROW: {
      /* the legacy form (compile_exn.c) */
      const char *why = op == WASM_OP_TRY       ? jc_legacy_try(j, &in)
                        : op == WASM_OP_RETHROW ? jc_rethrow(j, in.idx, off)
                                                : jc_legacy_catch(j, &in, off);
      if (why) return why;
      break;
    }
    case WASM_OP_ELSE: {
      ctl *c = label(j, 0);
      if (!j->dead) {
        results_home(j, c);
        add_fwd(j, c, x64_jmp(j->b, X64_UNBOUND));
      }
      x64_bind(j->b, c->else_jump, j->b->len);
      c->else_jump = X64_UNBOUND;
      c->has_else = true;
      j->n = c->height;
      push_block_vals(j, c, true);
      j->dead = false;
      break;
    }
    case WASM_OP_DELEGATE: /* a legacy try's end: where its exceptions go, then as `end` */
      jc_delegate(j, in.idx);
      /* fall through */
    case WASM_OP_END: {
      ctl *c = label(j, 0);
      if (c->kind == C_FUNC) {
        if (!j->dead) {
          prep_branch(j, 0, 0);
          jc_branch_taken(j, 0, off);
        }
        j->nctl--;
        break;
      }
      if (!j->dead) results_home(j, c);
      if (c->is_try) jc_try_end(j, c, off);
      if (c->else_jump != X64_UNBOUND) x64_bind(j->b, c->else_jump, j->b->len);
      for (size_t i = 0; i < c->nfwd; i++) x64_bind(j->b, c->fwd[i], j->b->len);
      free(c->fwd);
      j->n = c->height;
      ctl cc = *c;
      j->nctl--;
      push_block_vals(j, &cc, false);
      j->dead = false;
      break;
    }
    case WASM_OP_BR:
      prep_branch(j, in.idx, 0);
      branch(j, in.idx, -1, off);
      j->dead = true;
      break;
    case WASM_OP_RETURN:
      prep_branch(j, j->nctl - 1, 0);
      branch(j, j->nctl - 1, -1, off);
      j->dead = true;
      break;
    case WASM_OP_BR_IF: jc_br_if(j, in.idx, off); break;
    case WASM_OP_BR_TABLE: {
      ent c = jc_pop(j);
      uint32_t cpos = j->n;
      uint32_t n = in.ntargets;
      uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
      if (!depths) return "out of memory";
      const uint8_t *tp = in.targets;
      for (uint32_t i = 0; i < n; i++) depths[i] = wasm_br_table_next(&tp);
      depths[n] = in.idx;
      for (uint32_t i = 0; i <= n; i++) prep_branch(j, depths[i], 0);
      jc_load(j, RAX, c, cpos, false);
      x64_mov_ri(j->b, false, RCX, n);
      x64_alu_rr(j->b, X64_CMP, false, RAX, RCX);
      x64_cmov(j->b, X64_CC_A, false, RAX, RCX);
      /* lea rcx, [rip + table]; movsxd rdx, [rcx + rax*4]; add rcx, rdx; jmp rcx */
      x64_u8(j->b, 0x48), x64_u8(j->b, 0x8d), x64_u8(j->b, 0x0d);
      size_t lea_at = j->b->len;
      x64_u32(j->b, 0);
      x64_u8(j->b, 0x48), x64_u8(j->b, 0x63), x64_u8(j->b, 0x14), x64_u8(j->b, 0x81);
      x64_alu_rr(j->b, X64_ADD, true, RCX, RDX);
      x64_u8(j->b, 0xff), x64_u8(j->b, 0xe1);
      size_t table = j->b->len;
      x64_bind(j->b, lea_at, table);
      for (uint32_t i = 0; i <= n; i++) x64_u32(j->b, 0);
      /* one stub per distinct target */
      for (uint32_t i = 0; i <= n; i++) {
        uint32_t first = i;
        for (uint32_t q = 0; q < i; q++)
          if (depths[q] == depths[i]) {
            first = q;
            break;
          }
        if (first != i) {
          if (!j->b->oom) {
            uint32_t v;
            memcpy(&v, j->b->p + table + 4 * first, 4);
            x64_patch32(j->b, table + 4 * i, v);
          }
          continue;
        }
        x64_patch32(j->b, table + 4 * i, (uint32_t)(j->b->len - table));
        jc_branch_taken(j, depths[i], off);
      }
      free(depths);
      j->dead = true;
      break;
    }
    case WASM_OP_CALL:
      emit_call(j, in.idx, off);
      break;
    case WASM_OP_CALL_INDIRECT:
      jc_table_narrow(j, &in);
      emit_call_indirect(j, in.idx, in.idx2, off);
      break;
    case WASM_OP_RETURN_CALL:
    case WASM_OP_RETURN_CALL_INDIRECT:
    case WASM_OP_RETURN_CALL_REF: {
      const wasm_functype *ft = op == WASM_OP_RETURN_CALL ? wasm_ir_func_type(j->m, in.idx) : &j->m->types[in.idx];
      jc_table_narrow(j, &in);
      emit_tail(j, op, in.idx, in.idx2, ft, off);
      j->dead = true;
      break;
    }
    case WASM_OP_CALL_REF:
      emit_call_ref(j, in.idx, off);
      break;
    case WASM_OP_REF_AS_NON_NULL:
      jc_load(j, RAX, j->st[j->n - 1], j->n - 1, true);
      x64_test_rr(j->b, true, RAX, RAX);
      jc_trap_if(j, X64_CC_E, EXEC_TRAP_NULL_REF, off);
      break;
    case WASM_OP_BR_ON_NULL: {
      /* the reference stays on the fall-through path: it goes home first, so the
       * branch's moves cannot disturb it */
      jc_materialize(j, j->n - 1);
      uint32_t rpos = j->n - 1;
      ent was = jc_pop(j);
      prep_branch(j, in.idx, 0);
      x64_mov_rm(j->b, true, RAX, RBX, NOREG, 1, home(j, rpos));
      x64_test_rr(j->b, true, RAX, RAX);
      branch(j, in.idx, X64_CC_E, off);
      jc_push_slot(j);
      j->st[j->n - 1].konst = was.konst;
      j->st[j->n - 1].kval = was.kval;
      break;
    }
    case WASM_OP_BR_ON_NON_NULL: {
      /* the label's last value is the reference itself */
      jc_materialize(j, j->n - 1);
      prep_branch(j, in.idx, 0);
      x64_mov_rm(j->b, true, RAX, RBX, NOREG, 1, home(j, j->n - 1));
      x64_test_rr(j->b, true, RAX, RAX);
      branch(j, in.idx, X64_CC_NE, off);
      jc_pop(j);
      break;
    }
    case WASM_OP_DROP:
      if (jc_pop(j).vh == 2) jc_pop(j);
      break;
    case WASM_OP_SELECT:
    case WASM_OP_SELECT_T: {
      if (j->st[j->n - 2].vh == 2) { /* v128 (typed or not) */
        jc_v128_select(j);
        break;
      }
      ent c = jc_pop(j), bb = jc_pop(j), a = jc_pop(j);
      uint32_t pos = j->n;
      jc_load(j, RAX, a, pos, true);
      jc_load(j, RCX, bb, pos + 1, true);
      jc_load(j, RDX, c, pos + 2, false);
      x64_test_rr(j->b, false, RDX, RDX);
      x64_cmov(j->b, X64_CC_E, true, RAX, RCX);
      jc_push_rax(j);
      break;
    }
    case WASM_OP_LOCAL_GET:
      if (j->lv128[in.idx]) {
        jc_push(j, (ent){.kind = E_LOCAL, .local = j->lslot[in.idx], .vh = 1});
        jc_push(j, (ent){.kind = E_LOCAL, .local = j->lslot[in.idx] + 1, .vh = 2});
      } else {
        jc_push(j, (ent){.kind = E_LOCAL, .local = j->lslot[in.idx]});
      }
      break;
    case WASM_OP_LOCAL_SET:
    case WASM_OP_LOCAL_TEE: {
      uint32_t x = j->lslot[in.idx];
      if (j->lv128[in.idx]) {
        ent lo = j->st[j->n - 2], hi = j->st[j->n - 1];
        if (!(lo.kind == E_LOCAL && lo.local == x && hi.kind == E_LOCAL && hi.local == x + 1)) {
          j->n -= 2;
          spill_local(j, x);
          spill_local(j, x + 1);
          j->n += 2;
          if (copy_to(j, j->n - 2, x) == 1) copy_to(j, j->n - 1, x + 1);
        }
        j->n -= 2;
        if (op == WASM_OP_LOCAL_TEE) {
          jc_push(j, (ent){.kind = E_LOCAL, .local = x, .vh = 1, .konst = lo.konst, .kval = lo.kval});
          jc_push(j, (ent){.kind = E_LOCAL, .local = x + 1, .vh = 2, .konst = hi.konst, .kval = hi.kval});
        }
        break;
      }
      ent v = j->st[j->n - 1];
      if (v.kind == E_LOCAL && v.local == x) { /* writes the value it holds */
        if (op == WASM_OP_LOCAL_SET) j->n--;
        break;
      }
      j->n--;
      spill_local(j, x);
      j->n++;
      copy_to(j, j->n - 1, x);
      if (op == WASM_OP_LOCAL_SET) j->n--;
      else {
        j->st[j->n - 1] = (ent){.kind = E_LOCAL, .local = x, .konst = v.konst, .kval = v.kval};
        if (j->noloc > j->n - 1) j->noloc = j->n - 1;
      }
      break;
    }
    case WASM_OP_GLOBAL_GET:
    case WASM_OP_GLOBAL_SET: {
      uint32_t gi = in.idx;
      if (j->m->globals[gi].type.type == WASM_V128) {
        jc_v128_global(j, op == WASM_OP_GLOBAL_SET, gi);
        break;
      }
      x64_mov_rm(j->b, true, RCX, R12, NOREG, 1, CTX(globals));
      x64_mov_rm(j->b, true, RCX, RCX, NOREG, 1, slot_disp(gi));
      if (op == WASM_OP_GLOBAL_GET) {
        x64_mov_rm(j->b, true, RAX, RCX, NOREG, 1, (int32_t)offsetof(exec_global, val));
        jc_push_rax(j);
      } else {
        ent v = jc_pop(j);
        jc_load(j, RAX, v, j->n, true);
        x64_mov_mr(j->b, true, RCX, NOREG, 1, (int32_t)offsetof(exec_global, val), RAX);
      }
      break;
    }
    case WASM_OP_DATA_DROP: jc_emit_helper(j, jit_rt_data_drop, 0, 0, in.idx, 0, off); break;
    case WASM_OP_ELEM_DROP: jc_emit_helper(j, jit_rt_elem_drop, 0, 0, in.idx, 0, off); break;
    case WASM_OP_REF_FUNC: jc_emit_helper(j, jit_rt_ref_func, 0, 1, in.idx, 0, off); break;
    case WASM_OP_TABLE_GET:
      jc_table_narrow(j, &in);
      jc_emit_helper(j, jit_rt_table_get, 1, 1, in.idx, 0, off); break;
    case WASM_OP_TABLE_SET:
      jc_table_narrow(j, &in);
      jc_emit_helper(j, jit_rt_table_set, 2, 0, in.idx, 0, off); break;
    case WASM_OP_TABLE_SIZE: jc_emit_helper(j, jit_rt_table_size, 0, 1, in.idx, 0, off); break;
    case WASM_OP_TABLE_GROW:
      jc_table_narrow(j, &in);
      /* y: a 64-bit table (a failure is -1 in 64 bits) */
      jc_emit_helper(j, jit_rt_table_grow, 2, 1, in.idx, j->m->tables[in.idx].type.limits.is64, off);
      break;
    case WASM_OP_TABLE_FILL:
      jc_table_narrow(j, &in);
      jc_emit_helper(j, jit_rt_table_fill, 3, 0, in.idx, 0, off); break;
    case WASM_OP_TABLE_COPY:
      jc_table_narrow(j, &in);
      jc_emit_helper(j, jit_rt_table_copy, 3, 0, in.idx, in.idx2, off); break;
    case WASM_OP_TABLE_INIT:
      jc_table_narrow(j, &in);
      jc_emit_helper(j, jit_rt_table_init, 3, 0, in.idx2, in.idx, off); break;
    case WASM_OP_REF_NULL: jc_push(j, (ent){.kind = E_CONST, .konst = true, .imm = 0, .kval = 0}); break;
    case WASM_OP_REF_IS_NULL: {
      cond c = {.a = jc_pop(j), .pos = j->n, .w = true, .eqz = true};
      if (try_fuse(j, r, &c, X64_CC_E)) break;
      emit_cond_flags(j, &c, X64_CC_E);
      x64_setcc(j->b, X64_CC_E, RAX);
      x64_movzx8(j->b, RAX, RAX);
      jc_push_rax(j);
      break;
    }
    case WASM_OP_I32_CONST: jc_push(j, (ent){.kind = E_CONST, .konst = true, .imm = (uint32_t)in.c.i32, .kval = (uint32_t)in.c.i32}); break;
    case WASM_OP_I64_CONST: jc_push(j, (ent){.kind = E_CONST, .konst = true, .imm = (uint64_t)in.c.i64, .kval = (uint64_t)in.c.i64}); break;
    case WASM_OP_F32_CONST: jc_push(j, (ent){.kind = E_CONST, .konst = true, .imm = in.c.f32, .kval = in.c.f32}); break;
    case WASM_OP_F64_CONST: jc_push(j, (ent){.kind = E_CONST, .konst = true, .imm = in.c.f64, .kval = in.c.f64}); break;
    case WASM_OP_I32_EQZ:
    case WASM_OP_I64_EQZ: {
      bool w = op == WASM_OP_I64_EQZ;
      cond c = {.a = jc_pop(j), .pos = j->n, .w = w, .eqz = true};
      if (try_fuse(j, r, &c, X64_CC_E)) break;
      emit_cond_flags(j, &c, X64_CC_E);
      x64_setcc(j->b, X64_CC_E, RAX);
      x64_movzx8(j->b, RAX, RAX);
      jc_push_rax(j);
      break;
    }
    case WASM_OP_I32_ADD: emit_alu(j, X64_ADD, false); break;
    case WASM_OP_I32_SUB: emit_alu(j, X64_SUB, false); break;
    case WASM_OP_I32_AND: emit_alu(j, X64_AND, false); break;
    case WASM_OP_I32_OR: emit_alu(j, X64_OR, false); break;
    case WASM_OP_I32_XOR: emit_alu(j, X64_XOR, false); break;
    case WASM_OP_I64_ADD: emit_alu(j, X64_ADD, true); break;
    case WASM_OP_I64_SUB: emit_alu(j, X64_SUB, true); break;
    case WASM_OP_I64_AND: emit_alu(j, X64_AND, true); break;
    case WASM_OP_I64_OR: emit_alu(j, X64_OR, true); break;
    case WASM_OP_I64_XOR: emit_alu(j, X64_XOR, true); break;
    case WASM_OP_I32_MUL: emit_mul(j, false); break;
    case WASM_OP_I64_MUL: emit_mul(j, true); break;
    case WASM_OP_I32_SHL: emit_shift(j, X64_SHL, false); break;
    case WASM_OP_I32_SHR_S: emit_shift(j, X64_SAR, false); break;
    case WASM_OP_I32_SHR_U: emit_shift(j, X64_SHR, false); break;
    case WASM_OP_I32_ROTL: emit_shift(j, X64_ROL, false); break;
    case WASM_OP_I32_ROTR: emit_shift(j, X64_ROR, false); break;
    case WASM_OP_I64_SHL: emit_shift(j, X64_SHL, true); break;
    case WASM_OP_I64_SHR_S: emit_shift(j, X64_SAR, true); break;
    case WASM_OP_I64_SHR_U: emit_shift(j, X64_SHR, true); break;
    case WASM_OP_I64_ROTL: emit_shift(j, X64_ROL, true); break;
    case WASM_OP_I64_ROTR: emit_shift(j, X64_ROR, true); break;
    case WASM_OP_I32_DIV_S: emit_div(j, false, true, false, off); break;
    case WASM_OP_I32_DIV_U: emit_div(j, false, false, false, off); break;
    case WASM_OP_I32_REM_S: emit_div(j, false, true, true, off); break;
    case WASM_OP_I32_REM_U: emit_div(j, false, false, true, off); break;
    case WASM_OP_I64_DIV_S: emit_div(j, true, true, false, off); break;
    case WASM_OP_I64_DIV_U: emit_div(j, true, false, false, off); break;
    case WASM_OP_I64_REM_S: emit_div(j, true, true, true, off); break;
    case WASM_OP_I64_REM_U: emit_div(j, true, false, true, off); break;
    case WASM_OP_I32_CLZ:
    case WASM_OP_I64_CLZ:
    case WASM_OP_I32_CTZ:
    case WASM_OP_I64_CTZ: {
      bool w = op == WASM_OP_I64_CLZ || op == WASM_OP_I64_CTZ;
      bool clz = op == WASM_OP_I32_CLZ || op == WASM_OP_I64_CLZ;
      ent a = jc_pop(j);
      jc_load(j, RAX, a, j->n, w);
      /* bsr/bsf leave ZF set for a zero input; the cmov supplies that case */
      x64_mov_ri(j->b, w, RCX, clz ? (w ? UINT64_MAX : 0xffffffffu) : (w ? 64 : 32));
      x64_bsx(j->b, clz ? 0xbd : 0xbc, w, RAX, RAX);
      x64_cmov(j->b, X64_CC_E, w, RAX, RCX);
      if (clz) {
        x64_unary(j->b, X64_NEG, w, RAX);
        x64_alu_ri(j->b, X64_ADD, w, RAX, w ? 63 : 31);
      }
      jc_push_rax(j);
      break;
    }
    case WASM_OP_I32_POPCNT:
    case WASM_OP_I64_POPCNT: {
      if (!have_popcnt()) return "not supported: popcnt (the CPU lacks it)";
      bool w = op == WASM_OP_I64_POPCNT;
      ent a = jc_pop(j);
      jc_load(j, RAX, a, j->n, w);
      x64_bitscan(j->b, 0xb8, w, RAX, RAX);
      jc_push_rax(j);
      break;
    }
    case WASM_OP_I32_WRAP_I64:
    case WASM_OP_I64_EXTEND_I32_U: {
      ent a = jc_pop(j);
      jc_load(j, RAX, a, j->n, false);
      jc_push_rax(j);
      j->st[j->n - 1].konst = a.konst; /* the interpreter retypes a pending constant */
      j->st[j->n - 1].kval = (uint32_t)a.kval;
      break;
    }
    case WASM_OP_I64_EXTEND_I32_S:
    case WASM_OP_I64_EXTEND32_S: {
      ent a = jc_pop(j);
      jc_load(j, RAX, a, j->n, false);
      x64_movsxd(j->b, RAX, RAX);
      jc_push_rax(j);
      break;
    }
    case WASM_OP_I32_EXTEND8_S:
    case WASM_OP_I32_EXTEND16_S:
    case WASM_OP_I64_EXTEND8_S:
    case WASM_OP_I64_EXTEND16_S: {
      bool w = op == WASM_OP_I64_EXTEND8_S || op == WASM_OP_I64_EXTEND16_S;
      int bits = op == WASM_OP_I32_EXTEND8_S || op == WASM_OP_I64_EXTEND8_S ? 8 : 16;
      ent a = jc_pop(j);
      jc_load(j, RAX, a, j->n, false);
      x64_movx(j->b, w, true, bits, RAX, RAX);
      jc_push_rax(j);
      break;
    }
    case WASM_OP_I32_REINTERPRET_F32:
    case WASM_OP_I64_REINTERPRET_F64:
    case WASM_OP_F32_REINTERPRET_I32:
    case WASM_OP_F64_REINTERPRET_I64: break; /* the bits stay */
    default: {
      int cc = cmp_cc(op);
      if (cc >= 0) {
        bool w = op >= WASM_OP_I64_EQ && op <= WASM_OP_I64_GE_U;
        ent b = jc_pop(j), a = jc_pop(j);
        cond c = {.a = a, .b = b, .pos = j->n, .w = w, .eqz = false};
        if (try_fuse(j, r, &c, cc)) break;
        emit_cmp(j, a, c.pos, b, c.pos + 1, w);
        x64_setcc(j->b, cc, RAX);
        x64_movzx8(j->b, RAX, RAX);
        jc_push_rax(j);
        break;
      }
      if (jc_memory(j, &in)) break;
      if (emit_float(j, op, off)) break;
      return unsupported(j, op);
    }
    }
  }
  return NULL;
}

/* ---------- prologue, epilogue, stubs ---------- */

/* A function saves only rbx (its fp); r12-r15 are the same for every function a context
 * runs, set once by the module's entry trampoline (jit_emit_trampoline). One push keeps
 * rsp 16-byte aligned in the body. */
static void prologue(jc *j) {
  x64_push(j->b, RBX);
  x64_mov_rr(j->b, true, RBX, RDI);
  if (!j->gcmap) return;
  /* a function with stack maps links an exec_jit_frame (32 bytes: rsp stays aligned)
   * into th->jit_frames for the collector: prev, fp, instance, k, pos (none yet) */
  x64_alu_ri(j->b, X64_SUB, true, X64_RSP, (int32_t)sizeof(exec_jit_frame));
  x64_mov_rm(j->b, true, RAX, R14, NOREG, 1, TH(jit_frames));
  x64_mov_mr(j->b, true, X64_RSP, NOREG, 1, JF(prev), RAX);
  x64_mov_mr(j->b, true, X64_RSP, NOREG, 1, JF(fp), RBX);
  x64_mov_rm(j->b, true, RAX, R12, NOREG, 1, CTX(inst));
  x64_mov_mr(j->b, true, X64_RSP, NOREG, 1, JF(inst), RAX);
  x64_mov_mi(j->b, false, X64_RSP, JF(k), (int32_t)j->k);
  x64_mov_mi(j->b, false, X64_RSP, JF(pos), 0);
  x64_mov_mr(j->b, true, R14, NOREG, 1, TH(jit_frames), X64_RSP);
}

/* The epilogue's: the exec_jit_frame unlinked (eax, the trap kind, kept). */
static void unlink_frame(jc *j) {
  if (!j->gcmap) return;
  x64_mov_rm(j->b, true, RCX, X64_RSP, NOREG, 1, JF(prev));
  x64_mov_mr(j->b, true, R14, NOREG, 1, TH(jit_frames), RCX);
  x64_alu_ri(j->b, X64_ADD, true, X64_RSP, (int32_t)sizeof(exec_jit_frame));
}

void jc_gc_site(jc *j, uint32_t off) {
  if (!j->gcmap) return;
  /* the interpreter's map lists operand slots by position: every operand goes home (a
   * pending local.get or constant included: the map may name its slot) */
  for (uint32_t p = 0; p < j->n; p++) jc_materialize(j, p);
  uint32_t pos = 0, n = j->code->nsafe;
  if (j->woff_sorted) { /* the first safepoint at off, without a pass over all per call */
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (j->map_woff[mid] < off) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && j->map_woff[lo] == off) pos = j->code->safe_pos[lo];
  } else {
    for (uint32_t i = 0; i < n; i++) {
      if (j->map_woff[i] == off) {
        pos = j->code->safe_pos[i];
        break;
      }
    }
  }
  /* with traced locals every safepoint has a map: none found means the two translators
   * disagree on where calls are, and the frame cannot be described */
  if (!pos && j->code->nref_locals && !j->fail) j->fail = "not supported: a call without the interpreter's stack map";
  x64_mov_mi(j->b, false, X64_RSP, JF(pos), (int32_t)pos);
}

static const int saved[] = {X64_RBP, RBX, R12, R13, R14, R15};

size_t jit_emit_trampoline(x64_buf *b) {
  size_t at = b->len;
  for (size_t i = 0; i < 6; i++) x64_push(b, saved[i]);
  x64_alu_ri(b, X64_SUB, true, X64_RSP, 8); /* 16-byte alignment at the call */
  x64_mov_rr(b, true, R12, RSI);
  x64_mov_rm(b, true, R14, R12, NOREG, 1, CTX(th));
  x64_mov_rm(b, true, RCX, R12, NOREG, 1, CTX(mem));
  x64_mov_rm(b, true, R13, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, base));
  x64_mov_rm(b, true, R15, RCX, NOREG, 1, (int32_t)offsetof(exec_memory, size));
  x64_call_r(b, RDX);
  x64_alu_ri(b, X64_ADD, true, X64_RSP, 8);
  for (size_t i = 6; i-- > 0;) x64_pop(b, saved[i]);
  x64_ret(b);
  return at;
}

const char *jit_compile_func(const exec_module *em, uint32_t k, x64_buf *b, jit_patches *calls, bool guard,
                             jit_sites *sites, jit_func_out *out, const void *calltab) {
  size_t *entry = &out->entry, *checked = &out->checked;
  uint32_t *frame_slots = &out->frame_slots;
  const wasm_module *m = em->wasm;
  const wasm_func *f = &m->funcs[m->nfunc_imports + k];
  const wasm_functype *ft = &m->types[f->type];
  const exec_code *code = &em->codes[k];
  /* the compiler reads the internal code's side tables (offsets, stack maps, loops, the
   * frame's hidden locals): a function not yet translated is translated now */
  util_error te = {0};
  if (!exec_code_translate((exec_module *)em, k, &te)) return te.kind == UTIL_ERR_OOM ? "out of memory" : "function too large";
  jc jj, *j = &jj;
  memset(j, 0, sizeof *j);
  /* A function that holds an any or extern reference across a call has stack maps: its
   * frame is scanned with them (prologue, jc_gc_site; src/exec/gc.c) */
  j->code = code;
  j->gcmap = code->nsafe > 0;
  if (j->gcmap) {
    j->map_woff = malloc(code->nsafe * sizeof *j->map_woff);
    if (!j->map_woff) return "out of memory";
    for (uint32_t i = 0; i < code->nsafe; i++)
      j->map_woff[i] = exec_code_wasm_offset(code, code->safe_pos[i] - 1);
    j->woff_sorted = true;
    for (uint32_t i = 1; i < code->nsafe; i++)
      if (j->map_woff[i] < j->map_woff[i - 1]) j->woff_sorted = false;
  }
  j->em = em;
  j->m = m;
  j->k = k;
  j->b = b;
  j->calls = calls;
  j->calltab = calltab;
  j->guard = guard;
  j->sites = sites;
  j->want_osr = out->want_osr;
  j->cur_try = -1;
  uint32_t nloc = ft->nparams + f->nlocals;
  j->lslot = malloc(((size_t)nloc + 1) * sizeof *j->lslot);
  j->lv128 = malloc((size_t)nloc + 1);
  if (!j->lslot || !j->lv128) {
    free(j->lslot);
    free(j->lv128);
    free(j->map_woff);
    return "out of memory";
  }
  for (uint32_t i = 0; i < nloc; i++) {
    wasm_vtype t = i < ft->nparams ? ft->params[i] : f->local_types[i - ft->nparams];
    j->lslot[i] = j->nlocals;
    j->lv128[i] = t == WASM_V128;
    j->nlocals += t == WASM_V128 ? 2 : 1;
  }
  jc_hidden_locals(j, code); /* legacy catches' hidden locals follow the declared ones */
  if (j->nlocals != code->nlocal_slots || j->nlocals > (1u << 24)) {
    free(j->lslot);
    free(j->lv128);
    free(j->map_woff);
    return "not supported: frame layout";
  }
  size_t start = b->len, ncalls = calls->n, nsites = sites->n, nrel = b->nrel;
  uint32_t entry_off = exec_code_wasm_offset(code, 0);
  if (!entry_off) entry_off = f->code_offset;

  /* the compiled callers' entry: stack checks, locals, interruption check */
  *checked = b->len;
  prologue(j);
  x64_mov_rm(b, false, RAX, R12, NOREG, 1, CTX(depth));
  x64_alu_rm(b, X64_CMP, false, RAX, R12, CTX(max_depth));
  size_t st1 = x64_jcc(b, X64_CC_A, X64_UNBOUND);
  x64_alu_rm(b, X64_CMP, true, X64_RSP, R12, CTX(cstack_limit));
  size_t st2 = x64_jcc(b, X64_CC_B, X64_UNBOUND);
  /* lea rax, [rbx + frame*8]: the frame size is known at the end, the disp32 patched then */
  x64_lea(b, true, RAX, RBX, NOREG, 1, 0x7fffffff);
  size_t frame_disp = b->len - 4;
  x64_alu_rm(b, X64_CMP, true, RAX, R12, CTX(stack_limit));
  size_t st3 = x64_jcc(b, X64_CC_A, X64_UNBOUND);
  uint32_t nzero = code->nlocal_slots - code->nparam_slots;
  if (nzero) {
    x64_mov_ri(b, false, RAX, 0);
    for (uint32_t i = 0; i < nzero; i++)
      x64_mov_mr(b, true, RBX, NOREG, 1, slot_disp(code->nparam_slots + i), RAX);
  }
  budget(j, entry_off);
  size_t to_body = x64_jmp(b, X64_UNBOUND);

  /* the interpreter's entry (jit_enter, through the trampoline) */
  *entry = b->len;
  prologue(j);
  x64_bind(b, to_body, b->len);

  jc_open_block(j, C_FUNC, 0, rslots(ft));
  util_reader r = {f->code, f->code, f->code + f->code_len, f->code_offset};
  const char *why = j->oom ? "out of memory" : body(j, &r);
  if (!why && (j->oom || b->oom)) why = "out of memory";

  if (!why) {
    /* epilogue: eax holds the trap kind (0 on return) */
    size_t epi = b->len;
    out->epilogue = epi;
    unlink_frame(j);
    x64_pop(b, RBX);
    x64_ret(b);
    for (size_t i = 0; i < j->nto_epi; i++) x64_bind(b, j->to_epi[i], epi);
    /* stack limits: no frame of this function (the caller reports its call) */
    x64_bind(b, st1, b->len);
    x64_bind(b, st2, b->len);
    x64_bind(b, st3, b->len);
    x64_mov_rr(b, true, RDI, R12);
    jc_call_abs(j, (const void *)jit_rt_stack_trap);
    x64_jmp(b, epi);
    /* the stubs' shared parts, once per function: two tails reporting a trap (esi the
     * kind, edx the offset) through jit_rt_trap or jit_rt_unwind, and the subroutine that
     * makes a callee's pending tail calls (rsi, rdx: its frame and the arguments' end) */
    bool any_trap = false, any_call = false;
    for (size_t i = 0; i < j->nstubs; i++) {
      any_trap |= j->stubs[i].kind == S_TRAP || j->stubs[i].kind == S_TRAPK;
      any_call |= j->stubs[i].kind == S_CALL;
    }
    size_t trap_tail = b->len;
    if (any_trap) {
      x64_mov_rr(b, true, RDI, R12);
      x64_mov_ri(b, false, RCX, k);
      jc_call_abs(j, (const void *)jit_rt_trap);
      x64_jmp(b, epi);
    }
    size_t unwind_tail = b->len;
    if (j->nstubs) {
      x64_mov_rr(b, true, RDI, R12);
      x64_mov_ri(b, false, RCX, k);
      jc_call_abs(j, (const void *)jit_rt_unwind);
      x64_jmp(b, epi);
    }
    size_t tail_sub = b->len;
    if (any_call) {
      x64_alu_ri(b, X64_SUB, true, X64_RSP, 8); /* called: rsp aligned again for C */
      x64_mov_rr(b, true, RDI, R12);
      jc_call_abs(j, (const void *)jit_rt_tail_run);
      x64_alu_ri(b, X64_ADD, true, X64_RSP, 8);
      jc_reload_mem(j);
      x64_ret(b);
    }
    for (size_t i = 0; i < j->nstubs; i++) {
      stub *s = &j->stubs[i];
      x64_bind(b, s->jump, b->len);
      if (s->kind == S_CALL) {
        x64_alu_ri(b, X64_CMP, false, RAX, JIT_TAILCALL);
        size_t notail = x64_jcc(b, X64_CC_NE, X64_UNBOUND);
        x64_lea(b, true, RSI, RBX, NOREG, 1, slot_disp(s->nfp));
        x64_lea(b, true, RDX, RBX, NOREG, 1, slot_disp(s->top));
        x64_call_rel(b, tail_sub);
        x64_test_rr(b, false, RAX, RAX);
        x64_jcc(b, X64_CC_E, s->resume);
        x64_bind(b, notail, b->len);
      }
      if (s->kind == S_INTERRUPT) {
        x64_mov_rr(b, true, RDI, R12);
        jc_call_abs(j, (const void *)jit_rt_interrupt);
        x64_test_rr(b, false, RAX, RAX);
        x64_jcc(b, X64_CC_E, s->resume);
      }
      jc_route_exn(j, s); /* inside a try_table: an exception to its handler */
      if (s->kind == S_TRAP) x64_mov_ri(b, false, RSI, s->trap);
      else x64_mov_rr(b, false, RSI, RAX); /* the kind a helper, callee or conversion returned */
      x64_mov_ri(b, false, RDX, s->off);
      x64_jmp(b, s->kind == S_TRAP || s->kind == S_TRAPK ? trap_tail : unwind_tail);
    }
    jc_emit_handlers(j, epi);
    /* on-stack replacement entries: called like the interpreter's entry (fp in rdi,
     * through the trampoline), they go straight to a loop header */
    for (size_t i = 0; i < j->nosr; i++) {
      size_t at = b->len;
      prologue(j);
      size_t fend = i + 1 < j->nosr ? j->osr_fix0[i + 1] : j->nfix;
      for (size_t q = j->osr_fix0[i]; q < fend; q++) {
        x64_mov_ri(b, true, RAX, j->fix[q].val);
        x64_mov_mr(b, true, RBX, NOREG, 1, j->fix[q].disp, RAX);
      }
      x64_jmp(b, j->osr[i].code);
      j->osr[i].code = at;
    }
    uint32_t fs = j->nlocals + j->maxn;
    if (fs < rslots(ft)) fs = rslots(ft);
    if (fs < code->frame_slots) fs = code->frame_slots;
    *frame_slots = fs;
    x64_patch32(b, frame_disp, (uint32_t)slot_disp(fs));
    if (b->oom || j->oom) why = "out of memory";
  }
  for (uint32_t i = 0; i < j->nctl; i++) free(j->ctl[i].fwd);
  free(j->ctl);
  free(j->st);
  free(j->lslot);
  free(j->lv128);
  free(j->map_woff);
  free(j->stubs);
  free(j->to_epi);
  jc_free_tries(j);
  free(j->osr_fix0);
  free(j->fix);
  if (!why && j->nosr) {
    out->osr = j->osr;
    out->nosr = j->nosr;
  } else {
    free(j->osr);
  }
  if (why) {
    /* nothing of this function stays */
    if (!b->oom) b->len = start;
    b->nrel = nrel; /* its relocations too: they would patch the next function's code */
    calls->n = ncalls;
    sites->n = nsites;
  }
  return why;
}
