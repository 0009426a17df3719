/* The baseline compiler's exception handling: try_table, throw and throw_ref, and the
 * legacy form (try, catch, catch_all, delegate, rethrow).
 *
 * As in the interpreter (src/exec/exn.c), a try's clauses are static. A try_table's
 * clause has a landing pad, a branch to its label with the payload taken from the
 * try_table's slots (its height on the operand stack), emitted at the try_table's end
 * while its frame is still known. A legacy catch's landing pad is its own code, entered
 * with the payload in the same slots; the try's body ends at its first catch, so code in
 * the catches is outside it. Code that may end in an exception (a call, throw, throw_ref,
 * rethrow) inside a try gets its out-of-line path (S_UNWIND, S_CALL) routed: an exception
 * (EXEC_TRAP_EXCEPTION, th->exn) goes to the innermost try's handler, anything else (a
 * trap) unwinds as before. The handler, emitted after the body, asks jit_rt_catch which
 * clause catches the exception (in order; the payload and exnref are delivered to the
 * slots), then goes to that clause's pad, or to the next handler, or unwinds to the caller
 * with this frame at the throwing instruction's offset (pushed by the routing code, popped
 * here) — the interpreter's search, frame by frame.
 *
 * The next handler is the try's outer one, except after `delegate N`: the handler of the
 * nearest try (in its body) or try_table at or around label N, or the caller when there
 * is none (the interpreter's exec_tr_delegate). `rethrow N` throws again the exception of
 * the catch at label N, kept in that catch's hidden local: like the interpreter, a catch
 * some rethrow names receives the exnref there (its exception stays alive), any other
 * lets it go.
 *
 * A throw is jit_rt_throw (the exception made from the payload in its slots), throw_ref
 * and rethrow jit_rt_throw_ref (null traps, "null exception reference"); all then take the
 * same path as an exception returned by a callee. */
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

static const wasm_functype *tag_type(const jc *j, uint32_t tag) { return &j->m->types[j->m->tags[tag].type]; }

static bool v128_payload(const jc *j, uint32_t tag) {
  const wasm_functype *tt = tag_type(j, tag);
  for (uint32_t q = 0; q < tt->nparams; q++)
    if (tt->params[q] == WASM_V128) return true;
  return false;
}

static size_t rel32_lea(jc *j, int reg) {
  /* lea reg, [rip + disp32]: the displacement bound with x64_bind (relative to its end) */
  x64_u8(j->b, (uint8_t)(0x48 | (reg >= 8 ? 4 : 0)));
  x64_u8(j->b, 0x8d);
  x64_u8(j->b, (uint8_t)(0x05 | ((reg & 7) << 3)));
  size_t at = j->b->len;
  x64_u32(j->b, 0);
  return at;
}

static void push_imm32(jc *j, uint32_t v) {
  x64_u8(j->b, 0x68);
  x64_u32(j->b, v);
}

void jc_hidden_locals(jc *j, const exec_code *code) {
  j->hidden = j->nlocals;
  if (!j->m->legacy_exceptions || code->nlocal_slots <= j->nlocals) return;
  j->nhidden = code->nlocal_slots - j->nlocals;
  j->nlocals = code->nlocal_slots;
}

static bool add_clause(jc *j, jc_try *t, jc_clause k) {
  size_t cap = t->capcatch;
  if (!jc_grow_arr((void **)&t->clauses, &cap, (size_t)t->ncatch + 1, sizeof *t->clauses)) return false;
  t->capcatch = (uint32_t)cap;
  t->clauses[t->ncatch++] = k;
  return true;
}

/* Opens a try's block and makes it the innermost try; NULL on running out of memory. */
static ctl *open_try(jc *j, uint32_t np, uint32_t nr, bool legacy) {
  if (!jc_grow_arr((void **)&j->tries, &j->captries, j->ntries + 1, sizeof *j->tries)) {
    j->oom = true;
    return NULL;
  }
  jc_enter_block(j, np);
  ctl *c = jc_open_block(j, C_BLOCK, np, nr);
  if (!c) return NULL;
  uint32_t t = (uint32_t)j->ntries++;
  j->tries[t] = (jc_try){j->nlocals + c->height, j->cur_try, j->cur_try, legacy, 0, 0, NULL, X64_UNBOUND};
  c->is_try = true;
  c->try_idx = t;
  j->cur_try = (int32_t)t;
  return c;
}

const char *jc_try_open(jc *j, const wasm_instr *in) {
  uint32_t np, nr;
  if (!jc_block_sig(j, in, &np, &nr)) return "not supported: v128 block values";
  const uint8_t *pos = in->targets;
  for (uint32_t i = 0; i < in->ntargets; i++) {
    wasm_catch wc;
    wasm_catch_next(&pos, &wc);
    if (wasm_catch_has_tag(wc.kind) && v128_payload(j, wc.tag)) return "not supported: v128 exception payload";
  }
  ctl *c = open_try(j, np, nr, false);
  if (!c) return "out of memory";
  jc_try *t = &j->tries[c->try_idx];
  pos = in->targets;
  for (uint32_t i = 0; i < in->ntargets; i++) {
    wasm_catch wc;
    wasm_catch_next(&pos, &wc);
    jc_clause k = {wasm_catch_has_tag(wc.kind) ? wc.tag : EXEC_CATCH_ALL, wc.label, wasm_catch_is_ref(wc.kind),
                   EXEC_NO_SLOT, X64_UNBOUND};
    if (!add_clause(j, t, k)) return "out of memory";
  }
  return NULL;
}

void jc_try_end(jc *j, ctl *c, uint32_t off) {
  jc_try *t = &j->tries[c->try_idx];
  j->cur_try = t->outer; /* a try_table's pads are outside it */
  if (t->legacy) return; /* its pads are its catches */
  size_t over = j->dead ? X64_UNBOUND : x64_jmp(j->b, X64_UNBOUND);
  uint32_t n = j->n;
  for (uint32_t i = 0; i < t->ncatch; i++) {
    t = &j->tries[c->try_idx];
    const jc_clause *k = &t->clauses[i];
    uint32_t npay = k->tag != EXEC_CATCH_ALL ? tag_type(j, k->tag)->nparams : 0;
    if (k->ref) npay++;
    uint32_t label = k->label;
    t->clauses[i].pad = j->b->len;
    j->n = c->height;
    for (uint32_t q = 0; q < npay; q++) jc_push_slot(j);
    /* the clause's label counts from outside the try_table, one frame further out */
    jc_branch_taken(j, label + 1, off);
  }
  j->n = n;
  if (over != X64_UNBOUND) x64_bind(j->b, over, j->b->len);
}

/* ---------- the legacy form ---------- */

const char *jc_legacy_try(jc *j, const wasm_instr *in) {
  uint32_t np, nr;
  if (!jc_block_sig(j, in, &np, &nr)) return "not supported: v128 block values";
  return open_try(j, np, nr, true) ? NULL : "out of memory";
}

const char *jc_legacy_catch(jc *j, const wasm_instr *in, uint32_t off) {
  ctl *c = &j->ctl[j->nctl - 1];
  if (!c->is_try || !j->tries[c->try_idx].legacy) return "not supported: catch outside a try"; /* not valid */
  uint32_t tag = in->op == WASM_OP_CATCH ? in->idx : EXEC_CATCH_ALL;
  if (tag != EXEC_CATCH_ALL && v128_payload(j, tag)) return "not supported: v128 exception payload";
  /* the hidden local the interpreter gives this catch: one per catch, in order */
  if (j->hidden_used >= j->nhidden) return "not supported: frame layout (legacy catch)";
  /* the body (or the previous catch) ends: its results to the try's end */
  if (!j->dead) jc_branch_taken(j, 0, off);
  jc_try *t = &j->tries[c->try_idx];
  j->cur_try = t->outer;
  jc_clause k = {tag, 0, false, j->hidden + j->hidden_used++, j->b->len};
  if (!add_clause(j, t, k)) return "out of memory";
  j->n = c->height;
  if (tag != EXEC_CATCH_ALL)
    for (uint32_t q = 0; q < tag_type(j, tag)->nparams; q++) jc_push_slot(j);
  j->dead = false;
  return NULL;
}

void jc_delegate(jc *j, uint32_t depth) {
  ctl *c = &j->ctl[j->nctl - 1];
  if (!c->is_try || depth + 2 > j->nctl) return; /* not valid */
  /* the nearest try still in its body, or try_table, at label `depth` or around it;
   * ctl[0] is the function's (none: the caller) */
  int32_t to = -1;
  for (uint32_t i = j->nctl - 1 - depth; i-- > 1;) {
    const ctl *o = &j->ctl[i];
    if (o->is_try && (!j->tries[o->try_idx].legacy || j->tries[o->try_idx].ncatch == 0)) {
      to = (int32_t)o->try_idx;
      break;
    }
  }
  j->tries[c->try_idx].next = to;
}

const char *jc_rethrow(jc *j, uint32_t depth, uint32_t off) {
  if (depth >= j->nctl) return "not supported: rethrow label"; /* not valid */
  const ctl *c = &j->ctl[j->nctl - 1 - depth];
  jc_try *t = c->is_try ? &j->tries[c->try_idx] : NULL;
  if (!t || !t->legacy || !t->ncatch) return "not supported: rethrow outside a catch"; /* not valid */
  jc_clause *k = &t->clauses[t->ncatch - 1];
  k->ref = true;
  jc_spill_regs(j);
  x64_mov_rm(j->b, true, X64_RSI, RBX, NOREG, 1, slot_disp(k->ref_slot));
  x64_mov_rr(j->b, true, X64_RDI, R12);
  jc_call_abs(j, (const void *)jit_rt_throw_ref);
  jc_add_stub(j, S_UNWIND, 0, off, x64_jmp(j->b, X64_UNBOUND), 0); /* never returns 0 */
  j->dead = true;
  return NULL;
}

/* ---------- throw, throw_ref ---------- */

const char *jc_throw(jc *j, const wasm_instr *in, uint32_t off) {
  const wasm_functype *tt = tag_type(j, in->idx);
  if (v128_payload(j, in->idx)) return "not supported: v128 exception payload";
  jc_spill_regs(j);
  for (uint32_t q = 0; q < tt->nparams; q++) jc_materialize(j, j->n - tt->nparams + q);
  uint32_t base = j->n - tt->nparams;
  if (!tt->nparams && !jc_push(j, (ent){.kind = E_SLOT})) return NULL; /* a slot to point at */
  if (!tt->nparams) j->n--;
  x64_mov_rr(j->b, true, X64_RDI, R12);
  x64_lea(j->b, true, X64_RSI, RBX, NOREG, 1, home(j, base));
  x64_mov_ri(j->b, false, RDX, in->idx);
  jc_call_abs(j, (const void *)jit_rt_throw);
  jc_add_stub(j, S_UNWIND, 0, off, x64_jmp(j->b, X64_UNBOUND), 0); /* never returns 0 */
  j->n = base;
  j->dead = true;
  return NULL;
}

void jc_throw_ref(jc *j, uint32_t off) {
  ent r = jc_pop(j);
  jc_unreg(j, &r, j->n);
  jc_spill_regs(j);
  jc_load(j, X64_RSI, r, j->n, true);
  x64_mov_rr(j->b, true, X64_RDI, R12);
  jc_call_abs(j, (const void *)jit_rt_throw_ref);
  jc_add_stub(j, S_UNWIND, 0, off, x64_jmp(j->b, X64_UNBOUND), 0);
  j->dead = true;
}

/* ---------- routing and handlers ---------- */

void jc_route_exn(jc *j, const stub *s) {
  if (s->try_idx < 0) return;
  x64_alu_ri(j->b, X64_CMP, false, RAX, EXEC_TRAP_EXCEPTION);
  size_t other = x64_jcc(j->b, X64_CC_NE, X64_UNBOUND);
  /* the offset this frame reports if nothing here catches it; twice: rsp stays aligned */
  push_imm32(j, s->off);
  push_imm32(j, s->off);
  size_t at = x64_jmp(j->b, X64_UNBOUND);
  if (!jc_grow_arr((void **)&j->hjumps, &j->caphjumps, j->nhjumps + 1, sizeof *j->hjumps)) j->oom = true;
  else j->hjumps[j->nhjumps++] = (struct jc_hjump){at, (uint32_t)s->try_idx};
  x64_bind(j->b, other, j->b->len);
}

void jc_emit_handlers(jc *j, size_t epi) {
  if (!j->nhjumps) return; /* no code inside a try can throw */
  /* innermost last: a try's handler goes on to its next one (an outer try's, or a
   * delegate's target, also around it), emitted before it, so every jump is backwards */
  for (size_t i = 0; i < j->ntries; i++) {
    jc_try *t = &j->tries[i];
    t->handler = j->b->len;
    x64_mov_rr(j->b, true, X64_RDI, R12);
    x64_mov_rr(j->b, true, X64_RSI, RBX);
    size_t lea = rel32_lea(j, RDX);
    jc_call_abs(j, (const void *)jit_rt_catch);
    size_t *pre = t->ncatch ? calloc(t->ncatch, sizeof *pre) : NULL;
    if (t->ncatch && !pre) {
      j->oom = true;
      return;
    }
    for (uint32_t k = 0; k < t->ncatch; k++) {
      x64_alu_ri(j->b, X64_CMP, false, RAX, (int32_t)(k + 1));
      pre[k] = x64_jcc(j->b, X64_CC_E, X64_UNBOUND);
    }
    if (t->next >= 0) {
      x64_jmp(j->b, j->tries[t->next].handler);
    } else {
      /* caught nowhere in this frame: on to the caller, as from a call */
      x64_pop(j->b, RDX);
      x64_pop(j->b, RDX);
      x64_mov_rr(j->b, true, X64_RDI, R12);
      x64_mov_ri(j->b, false, X64_RSI, EXEC_TRAP_EXCEPTION);
      x64_mov_ri(j->b, false, RCX, j->k);
      jc_call_abs(j, (const void *)jit_rt_unwind);
      x64_jmp(j->b, epi);
    }
    for (uint32_t k = 0; k < t->ncatch; k++) {
      x64_bind(j->b, pre[k], j->b->len);
      x64_alu_ri(j->b, X64_ADD, true, X64_RSP, 16);
      x64_jmp(j->b, t->clauses[k].pad);
    }
    free(pre);
    /* the clause table jit_rt_catch reads: count, payload slot, then (tag, ref) each;
     * ref is 0 (no exnref), 1 (after the payload) or 2 + the slot it goes to (a legacy
     * catch's hidden local), the form of images written before the legacy catches */
    while (j->b->len % 4) x64_u8(j->b, 0xcc);
    x64_bind(j->b, lea, j->b->len);
    x64_u32(j->b, t->ncatch);
    x64_u32(j->b, t->dst);
    for (uint32_t k = 0; k < t->ncatch; k++) {
      const jc_clause *c = &t->clauses[k];
      x64_u32(j->b, c->tag);
      x64_u32(j->b, !c->ref ? 0 : c->ref_slot == EXEC_NO_SLOT ? 1 : 2 + c->ref_slot);
    }
  }
  for (size_t i = 0; i < j->nhjumps; i++) x64_bind(j->b, j->hjumps[i].at, j->tries[j->hjumps[i].t].handler);
}

void jc_free_tries(jc *j) {
  for (size_t i = 0; i < j->ntries; i++) free(j->tries[i].clauses);
  free(j->tries);
  free(j->hjumps);
}
