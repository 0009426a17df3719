/* Translation of control flow: blocks, loops, ifs, branches (with their values), br_table
 * and returns; fused conditional branches. */
#include "compile.h"

/* ---------- control ---------------------------------------------------------------- */

static uint32_t label_arity(const exec_tr_ctl *c) { return c->kind == WASM_CTRL_LOOP ? c->nparams : c->nresults; }

static wasm_vtype ctl_result(const exec_tr_ctl *c, uint32_t i) { return c->results ? c->results[i] : c->single; }

/* Moves the top `ar` values into the target block's slots (on the branching path only:
 * the compile-time stack is left as it is). Targets lie at or below the sources, so
 * ascending order never overwrites a source still to be read. */
static void branch_moves(exec_tr *t, const exec_tr_ctl *c, uint32_t ar) {
  for (uint32_t i = 0; i < ar; i++) {
    const exec_tr_entry *e = &t->st[t->n - ar + i];
    uint32_t dst = t->st[c->height + i].home;
    if (e->kind == E_CONST) emit_const(t, e->type, dst, e->c);
    else emit_mov(t, e->type, dst, e->kind == E_LOCAL ? e->slot : e->home);
  }
}

/* Returns from the function with the top results (leaves the compile-time stack alone). */
void exec_tr_return(exec_tr *t) {
  uint32_t nr = t->type->nresults;
  if (t->n < nr) return;
  if (nr == 0) {
    emit0(t, EXEC_IOP_RET);
    return;
  }
  const exec_tr_entry *top = &t->st[t->n - 1];
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
    const exec_tr_entry *e = &t->st[t->n - nr + i];
    if (e->kind == E_LOCAL && e->slot < t->nresult_slots) emit_mov(t, e->type, e->home, e->slot);
  }
  uint32_t dst = 0;
  for (uint32_t i = 0; i < nr; i++) {
    const exec_tr_entry *e = &t->st[t->n - nr + i];
    if (e->kind == E_CONST) emit_const(t, e->type, dst, e->c);
    else if (e->kind == E_LOCAL && e->slot >= t->nresult_slots) emit_mov(t, e->type, dst, e->slot);
    else emit_mov(t, e->type, dst, e->home);
    dst += exec_slots_of(e->type);
  }
  emit0(t, EXEC_IOP_RET);
}

/* An unconditional branch to control frame ti with its values. */
void exec_tr_br(exec_tr *t, size_t ti) {
  if (ti == 0) {
    exec_tr_return(t);
    return;
  }
  exec_tr_ctl *c = &t->ctl[ti];
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
static exec_tr_cond take_cond(exec_tr *t) {
  exec_tr_cond c;
  memset(&c, 0, sizeof c);
  exec_tr_entry *e = &t->st[t->n - 1];
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
static uint32_t emit_cbr(exec_tr *t, const exec_tr_cond *c, bool neg, bool back, uint32_t *field) {
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

void exec_tr_block(exec_tr *t, const wasm_instr *in) {
  exec_tr_ctl c;
  memset(&c, 0, sizeof c);
  c.kind = in->op == WASM_OP_BLOCK ? WASM_CTRL_BLOCK : in->op == WASM_OP_LOOP ? WASM_CTRL_LOOP : WASM_CTRL_IF;
  wasm_vtype scratch = 0;
  uint32_t np = 0, nr = 0;
  const wasm_vtype *p = NULL, *r = NULL;
  if (!wasm_blocktype_sig(t->m, in, &scratch, &np, &p, &nr, &r)) {
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
  exec_tr_cond cond;
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
  if (c.kind == WASM_CTRL_LOOP) {
    c.header = here(t);
    /* where on-stack replacement finds the loop (exec_code.loop_pos) */
    if (!c.entered_dead) {
      size_t n = t->nlp;
      if (!UTIL_VEC_TRY_PUSH(t->lp_pos, t->nlp, t->caplp, c.header) ||
          !UTIL_VEC_TRY_PUSH(t->lp_wasm, n, t->caplp2, in->offset)) {
        t->oom = true;
        t->nlp = 0;
      }
    }
  }
  if (!UTIL_VEC_TRY_PUSH(t->ctl, t->nctl, t->capctl, c)) t->oom = true;
}

static void reset_stack(exec_tr *t, uint32_t height) {
  while (t->n > height) pop(t);
}

void exec_tr_else(exec_tr *t) {
  if (t->nctl < 2) return;
  exec_tr_ctl *c = cur_ctl(t);
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

void exec_tr_end(exec_tr *t) {
  if (t->nctl == 0) return;
  if (t->nctl == 1) {
    if (!t->dead) exec_tr_return(t);
    t->dead = true;
    t->nctl--;
    return;
  }
  exec_tr_ctl *c = cur_ctl(t);
  bool live = !t->dead;
  if (live && t->n == c->height + c->nresults) {
    for (size_t i = c->height; i < t->n; i++) materialize(t, i);
  }
  uint32_t pos = here(t);
  if (c->kind == WASM_CTRL_TRY_TABLE || c->kind == WASM_CTRL_TRY || c->kind == WASM_CTRL_CATCH)
    exec_tr_try_end(t, c, pos);
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

static void br_cond(exec_tr *t, uint32_t depth, exec_tr_cond cd);

void exec_tr_br_if(exec_tr *t, uint32_t depth) {
  if (!need(t, 1)) return;
  br_cond(t, depth, take_cond(t));
}

/* br_on_null branches without the reference when it is null and leaves it otherwise;
 * br_on_non_null branches with it when it is not null and drops it otherwise. The
 * reference stays in its home slot, which the branch's value moves do not touch (they
 * write below it). */
void exec_tr_br_on_null(exec_tr *t, uint32_t depth, bool non_null) {
  if (!need(t, 1)) return;
  materialize(t, t->n - 1);
  exec_tr_entry ref = t->st[t->n - 1];
  exec_tr_cond cd;
  memset(&cd, 0, sizeof cd);
  cd.kind = non_null ? C_NZ64 : C_Z64;
  cd.a = ref.home;
  if (non_null) {
    br_cond(t, depth, cd);
    if (t->n) pop(t);
    return;
  }
  pop(t);
  br_cond(t, depth, cd);
  push(t, E_TEMP, ref.type); /* the same home: the value is still there */
}

static void br_cond(exec_tr *t, uint32_t depth, exec_tr_cond cd) {
  size_t ti = t->nctl - 1 - depth;
  uint32_t field;
  if (ti == 0) {
    uint32_t ip = emit_cbr(t, &cd, true, false, &field);
    exec_tr_return(t);
    set_back(t, field, ip, here(t));
    return;
  }
  exec_tr_ctl *c = &t->ctl[ti];
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
    exec_tr_br(t, ti);
    set_back(t, field, ip, here(t));
  }
}

void exec_tr_br_table(exec_tr *t, const wasm_instr *in) {
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
    exec_tr_ctl *c = &t->ctl[ti];
    if (ti != 0 && c->kind != WASM_CTRL_LOOP && (ar == 0 || c->height + ar == t->n)) {
      add_patch(t, &c->patches, base + i, p);
      c->referenced = true;
      continue;
    }
    if (c->stub_serial != serial) {
      c->stub_serial = serial;
      c->stub_pos = here(t);
      exec_tr_br(t, ti);
      c = &t->ctl[ti];
    }
    set_back(t, base + i, p, c->stub_pos);
  }
}
