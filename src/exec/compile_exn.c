/* Translation of exception handling: try_table, throw, throw_ref.
 *
 * A try_table is a block whose body is a region of the code, recorded in the function's
 * try table (exec_code.tries) with one landing pad per catch clause. The pads are emitted
 * at the block's entry, jumped over by normal flow:
 *
 *     BR body          ; normal entry skips the pads
 *   pad 0: <br to clause 0's label, from a stack holding the payload>
 *   pad 1: ...
 *   body: ...          ; the region [body, end of block)
 *
 * When an exception reaches a frame whose position lies in a region with a matching
 * clause, the interpreter writes the payload (and the exnref) to the slots of the
 * positions just above the try_table's entry height, where the validator's stack has
 * them after the unwinding, and continues at the pad: from there it is an ordinary
 * branch, value moves included. */
#include "compile.h"

void exec_tr_try_table(exec_tr *t, const wasm_instr *in) {
  wasm_instr b = *in;
  b.op = WASM_OP_BLOCK;
  size_t before = t->nctl;
  exec_tr_block(t, &b);
  if (t->nctl != before + 1) return; /* out of memory: reported by the hook */
  exec_tr_ctl *c = cur_ctl(t);
  c->kind = WASM_CTRL_TRY_TABLE;
  c->try_index = NONE32;
  if (t->dead || in->ntargets == 0) return;

  size_t h = c->height, n0 = t->n;
  exec_tr_entry *saved = NULL;
  if (n0 > h && !(saved = util_try_malloc((n0 - h) * sizeof *saved))) {
    t->oom = true;
    return;
  }
  if (n0 > h) memcpy(saved, &t->st[h], (n0 - h) * sizeof *saved);
  t->n = h;
  uint32_t dst = next_home(t);
  uint32_t skip = emit1(t, EXEC_IOP_BR, 0);
  size_t first = t->ncatches;
  const uint8_t *p = in->targets;
  for (uint32_t i = 0; i < in->ntargets && !t->oom; i++) {
    wasm_catch wc;
    wasm_catch_next(&p, &wc);
    /* the clause's label is counted from outside the try_table */
    size_t ti = t->nctl - 2 - wc.label;
    exec_catch ec = {wasm_catch_has_tag(wc.kind) ? wc.tag : EXEC_CATCH_ALL, wasm_catch_is_ref(wc.kind), here(t)};
    if (ec.tag != EXEC_CATCH_ALL) {
      const wasm_functype *tt = &t->m->types[t->m->tags[ec.tag].type];
      for (uint32_t k = 0; k < tt->nparams; k++) push_temp(t, tt->params[k]);
    }
    if (ec.ref) push_temp(t, WASM_EXNREF);
    exec_tr_br(t, ti);
    t->n = h;
    if (!UTIL_VEC_TRY_PUSH(t->catches, t->ncatches, t->capcatches, ec)) t->oom = true;
  }
  if (n0 > h) memcpy(&t->st[h], saved, (n0 - h) * sizeof *saved);
  t->n = n0;
  free(saved);
  c = cur_ctl(t);
  uint32_t body = here(t);
  set_back(t, skip + 2, skip, body);
  exec_try tr = {body, body, dst, (uint32_t)(t->ncatches - first), (exec_catch *)(uintptr_t)first};
  if (!UTIL_VEC_TRY_PUSH(t->tries, t->ntries, t->captries, tr)) {
    t->oom = true;
    return;
  }
  c->try_index = (uint32_t)(t->ntries - 1);
}

void exec_tr_try_end(exec_tr *t, const exec_tr_ctl *c, uint32_t pos) {
  if (c->try_index != NONE32 && c->try_index < t->ntries) t->tries[c->try_index].end = pos;
}

void exec_tr_throw(exec_tr *t, const wasm_instr *in) {
  if (in->op == WASM_OP_THROW_REF) {
    if (!need(t, 1)) return;
    uint32_t s = opnd(t, t->n - 1);
    pop(t);
    emit1(t, EXEC_IOP_THROW_REF, s);
    t->dead = true;
    return;
  }
  if (in->idx >= t->m->ntags) { /* the validator rejects it */
    t->dead = true;
    return;
  }
  const wasm_functype *tt = &t->m->types[t->m->tags[in->idx].type];
  size_t np = tt->nparams;
  if (!need(t, np)) return;
  for (size_t i = t->n - np; i < t->n; i++) materialize(t, i);
  uint32_t base = np ? t->st[t->n - np].home : next_home(t);
  pop_n(t, np);
  emit2(t, EXEC_IOP_THROW, in->idx, base);
  t->dead = true;
}

bool exec_tr_tries_finish(exec_tr *t, exec_module *em, exec_code *code) {
  code->ntries = 0;
  code->tries = NULL;
  if (!t->ntries) return true;
  exec_catch *cs = util_arena_try_dup(&em->arena, t->catches, t->ncatches * sizeof *cs);
  exec_try *ts = util_arena_try_dup(&em->arena, t->tries, t->ntries * sizeof *ts);
  if (!cs || !ts) return false;
  for (size_t i = 0; i < t->ntries; i++) ts[i].catches = cs + (uintptr_t)ts[i].catches;
  code->ntries = (uint32_t)t->ntries;
  code->tries = ts;
  return true;
}
