/* The baseline compiler's exception handling: try_table, throw and throw_ref (the legacy
 * try/catch/delegate/rethrow stay interpreted).
 *
 * As in the interpreter (src/exec/exn.c), a try_table's clauses are static: each has a
 * landing pad, a branch to its label with the payload taken from the try_table's slots
 * (its height on the operand stack), emitted at the try_table's end while its frame is
 * still known. Code that may end in an exception (a call, throw, throw_ref) inside a
 * try_table gets its out-of-line path (S_UNWIND, S_CALL) routed: an exception
 * (EXEC_TRAP_EXCEPTION, th->exn) goes to the try_table's handler, anything else (a trap)
 * unwinds as before. The handler, emitted after the body, asks jit_rt_catch which clause
 * catches the exception (in order; the payload and exnref are delivered to the slots),
 * then goes to that clause's pad, or to the enclosing try_table's handler, or unwinds to
 * the caller with this frame at the throwing instruction's offset (pushed by the routing
 * code, popped here) — the interpreter's search, frame by frame.
 *
 * A throw is jit_rt_throw (the exception made from the payload in its slots), throw_ref
 * jit_rt_throw_ref (null traps, "null exception reference"); both then take the same
 * path as an exception returned by a callee. */
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

static const wasm_functype *tag_type(const jc *j, uint32_t tag) { return &j->m->types[j->m->tags[tag].type]; }

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

const char *jc_try_open(jc *j, const wasm_instr *in) {
  uint32_t np, nr;
  if (!jc_block_sig(j, in, &np, &nr)) return "not supported: v128 block values";
  const uint8_t *pos = in->targets;
  wasm_catch *cs = in->ntargets ? calloc(in->ntargets, sizeof *cs) : NULL;
  size_t *pads = in->ntargets ? calloc(in->ntargets, sizeof *pads) : NULL;
  if (in->ntargets && (!cs || !pads)) {
    free(cs);
    free(pads);
    return "out of memory";
  }
  for (uint32_t i = 0; i < in->ntargets; i++) {
    wasm_catch_next(&pos, &cs[i]);
    if (wasm_catch_has_tag(cs[i].kind)) {
      const wasm_functype *tt = tag_type(j, cs[i].tag);
      for (uint32_t q = 0; q < tt->nparams; q++)
        if (tt->params[q] == WASM_V128) {
          free(cs);
          free(pads);
          return "not supported: v128 exception payload";
        }
    }
  }
  if (!jc_grow_arr((void **)&j->tries, &j->captries, j->ntries + 1, sizeof *j->tries)) {
    free(cs);
    free(pads);
    return "out of memory";
  }
  jc_enter_block(j, np);
  ctl *c = jc_open_block(j, C_BLOCK, np, nr);
  if (!c) {
    free(cs);
    free(pads);
    return "out of memory";
  }
  uint32_t t = (uint32_t)j->ntries++;
  j->tries[t] = (jc_try){j->nlocals + c->height, j->cur_try, in->ntargets, cs, pads, X64_UNBOUND};
  c->is_try = true;
  c->try_idx = t;
  j->cur_try = (int32_t)t;
  return NULL;
}

void jc_try_end(jc *j, ctl *c, uint32_t off) {
  jc_try *t = &j->tries[c->try_idx];
  j->cur_try = t->outer; /* the pads are outside the try_table */
  size_t over = j->dead ? X64_UNBOUND : x64_jmp(j->b, X64_UNBOUND);
  uint32_t n = j->n;
  for (uint32_t i = 0; i < t->ncatch; i++) {
    const wasm_catch *k = &t->catches[i];
    uint32_t npay = 0;
    if (wasm_catch_has_tag(k->kind)) npay = tag_type(j, k->tag)->nparams;
    if (wasm_catch_is_ref(k->kind)) npay++;
    t = &j->tries[c->try_idx];
    t->pads[i] = j->b->len;
    j->n = c->height;
    for (uint32_t q = 0; q < npay; q++) jc_push_slot(j);
    /* the clause's label counts from outside the try_table, one frame further out */
    jc_branch_taken(j, k->label + 1, off);
  }
  j->n = n;
  if (over != X64_UNBOUND) x64_bind(j->b, over, j->b->len);
}

const char *jc_throw(jc *j, const wasm_instr *in, uint32_t off) {
  const wasm_functype *tt = tag_type(j, in->idx);
  for (uint32_t q = 0; q < tt->nparams; q++)
    if (tt->params[q] == WASM_V128) return "not supported: v128 exception payload";
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
  if (!j->nhjumps) return; /* no code inside a try_table can throw */
  /* innermost last: an inner try_table's handler goes on to its outer one's, emitted
   * before it, so every jump is backwards */
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
    if (t->outer >= 0) {
      x64_jmp(j->b, j->tries[t->outer].handler);
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
      x64_jmp(j->b, t->pads[k]);
    }
    free(pre);
    /* the clause table jit_rt_catch reads: count, payload slot, then (tag, ref) each */
    while (j->b->len % 4) x64_u8(j->b, 0xcc);
    x64_bind(j->b, lea, j->b->len);
    x64_u32(j->b, t->ncatch);
    x64_u32(j->b, t->dst);
    for (uint32_t k = 0; k < t->ncatch; k++) {
      const wasm_catch *c = &t->catches[k];
      x64_u32(j->b, wasm_catch_has_tag(c->kind) ? c->tag : EXEC_CATCH_ALL);
      x64_u32(j->b, wasm_catch_is_ref(c->kind));
    }
  }
  for (size_t i = 0; i < j->nhjumps; i++) x64_bind(j->b, j->hjumps[i].at, j->tries[j->hjumps[i].t].handler);
}

void jc_free_tries(jc *j) {
  for (size_t i = 0; i < j->ntries; i++) {
    free(j->tries[i].catches);
    free(j->tries[i].pads);
  }
  free(j->tries);
  free(j->hjumps);
}
