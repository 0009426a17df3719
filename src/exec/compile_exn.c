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
    exec_catch ec = {wasm_catch_has_tag(wc.kind) ? wc.tag : EXEC_CATCH_ALL, wasm_catch_is_ref(wc.kind), here(t),
                     EXEC_NO_SLOT};
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
  exec_try tr = {body, body, dst, (uint32_t)(t->ncatches - first), (exec_catch *)(uintptr_t)first,
                 EXEC_NO_DELEGATE};
  if (!UTIL_VEC_TRY_PUSH(t->tries, t->ntries, t->captries, tr)) {
    t->oom = true;
    return;
  }
  c->try_index = (uint32_t)(t->ntries - 1);
}

void exec_tr_try_end(exec_tr *t, const exec_tr_ctl *c, uint32_t pos) {
  if (c->try_index == NONE32 || c->try_index >= t->ntries) return;
  exec_try *tr = &t->tries[c->try_index];
  if (c->kind != WASM_CTRL_CATCH) tr->end = pos; /* a legacy try's body ended at its first catch */
  if (c->kind == WASM_CTRL_TRY_TABLE) return;
  /* a legacy try: its clauses, collected as they came, now go to the function's list in
   * one run (clauses of tries nested in its handlers were flushed in between) */
  size_t first = t->ncatches, k = t->nlpend;
  while (k > 0 && t->lpend[k - 1].try_index == c->try_index) k--;
  for (size_t i = k; i < t->nlpend; i++) {
    if (!UTIL_VEC_TRY_PUSH(t->catches, t->ncatches, t->capcatches, t->lpend[i].c)) t->oom = true;
  }
  tr = &t->tries[c->try_index];
  tr->ncatch = (uint32_t)(t->ncatches - first);
  tr->catches = (exec_catch *)(uintptr_t)first;
  t->nlpend = k;
}

/* ---------- the legacy form: try, catch, catch_all, delegate, rethrow ---------------------
 *
 * A legacy try is a region like a try_table's, but its handlers are code inside the
 * block: a catch's code is the landing pad, entered with the payload in the slots of the
 * positions above the try's entry height. Each catch may keep its exception for
 * `rethrow` in a hidden local (setup_func adds one per catch clause of the function). */

void exec_tr_legacy_try(exec_tr *t, const wasm_instr *in) {
  wasm_instr b = *in;
  b.op = WASM_OP_BLOCK;
  size_t before = t->nctl;
  exec_tr_block(t, &b);
  if (t->nctl != before + 1) return;
  exec_tr_ctl *c = cur_ctl(t);
  c->kind = WASM_CTRL_TRY;
  c->try_index = NONE32;
  if (t->dead) return;
  size_t n0 = t->n;
  t->n = c->height;
  uint32_t dst = next_home(t);
  t->n = n0;
  uint32_t body = here(t);
  exec_try tr = {body, body, dst, 0, NULL, EXEC_NO_DELEGATE};
  if (!UTIL_VEC_TRY_PUSH(t->tries, t->ntries, t->captries, tr)) {
    t->oom = true;
    return;
  }
  c->try_index = (uint32_t)(t->ntries - 1);
}

void exec_tr_legacy_catch(exec_tr *t, const wasm_instr *in) {
  if (t->nctl < 2) return;
  exec_tr_ctl *c = cur_ctl(t);
  if (c->kind != WASM_CTRL_TRY && c->kind != WASM_CTRL_CATCH) return; /* the validator says so */
  if (!t->dead && t->n == c->height + c->nresults) {
    for (size_t i = c->height; i < t->n; i++) materialize(t, i);
    uint32_t p = emit1(t, EXEC_IOP_BR, 0);
    add_patch(t, &c->patches, p + 2, p);
    c->referenced = true;
  }
  uint32_t pos = here(t);
  if (c->kind == WASM_CTRL_TRY && c->try_index != NONE32) t->tries[c->try_index].end = pos;
  c->kind = WASM_CTRL_CATCH;
  while (t->n > c->height) pop(t);
  uint32_t tag = in->op == WASM_OP_CATCH ? in->idx : EXEC_CATCH_ALL;
  if (tag != EXEC_CATCH_ALL && tag < t->m->ntags) {
    const wasm_functype *tt = &t->m->types[t->m->tags[tag].type];
    for (uint32_t k = 0; k < tt->nparams; k++) push_temp(t, tt->params[k]);
  }
  t->dead = c->entered_dead;
  c->catch_slot = NONE32;
  c->catch_pend = NONE32;
  if (c->try_index == NONE32 || t->hidden_used >= t->nhidden) return;
  c->catch_slot = t->hidden_base + t->hidden_used++;
  exec_tr_lpend lp = {c->try_index, {tag, false, pos, c->catch_slot}};
  if (!UTIL_VEC_TRY_PUSH(t->lpend, t->nlpend, t->caplpend, lp)) {
    t->oom = true;
    return;
  }
  c->catch_pend = (uint32_t)(t->nlpend - 1);
}

void exec_tr_delegate(exec_tr *t, uint32_t depth) {
  if (t->nctl < 2) return;
  exec_tr_ctl *c = cur_ctl(t);
  if (c->try_index != NONE32 && depth + 2 <= t->nctl) {
    /* the handlers around the target label: the nearest try (in its body) or try_table */
    uint32_t to = EXEC_DELEGATE_CALLER;
    for (size_t i = t->nctl - 2 - depth; i >= 1; i--) {
      const exec_tr_ctl *o = &t->ctl[i];
      if ((o->kind == WASM_CTRL_TRY || o->kind == WASM_CTRL_TRY_TABLE) && o->try_index != NONE32) {
        to = o->try_index;
        break;
      }
    }
    t->tries[c->try_index].delegate = to;
  }
  exec_tr_end(t);
}

void exec_tr_rethrow(exec_tr *t, uint32_t depth) {
  if (depth >= t->nctl) return;
  exec_tr_ctl *c = &t->ctl[t->nctl - 1 - depth];
  if (c->kind != WASM_CTRL_CATCH || c->catch_slot == NONE32) { /* the validator rejects it */
    t->dead = true;
    return;
  }
  if (c->catch_pend < t->nlpend) t->lpend[c->catch_pend].c.ref = true;
  emit1(t, EXEC_IOP_THROW_REF, c->catch_slot);
  t->dead = true;
}

/* Hidden locals for legacy catch clauses: one per clause in the function's code. */
uint32_t exec_tr_count_catches(const wasm_func *f) {
  util_reader r = {f->code, f->code, f->code + f->code_len, f->code_offset};
  util_error e;
  util_error_clear(&e);
  uint32_t n = 0;
  while (f->code && !util_reader_eof(&r)) {
    wasm_instr in;
    if (!wasm_read_instr(&r, &in, &e)) break;
    if (in.op == WASM_OP_CATCH || in.op == WASM_OP_CATCH_ALL) n++;
  }
  return n;
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
