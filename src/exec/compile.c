/* The exec_tr: rides along the validator (one pass per function) and turns each
 * function body into internal code for interp.c. The validator's hooks tell us every
 * instruction with its immediates; we keep a compile-time operand stack of *locations*
 * (a frame slot holding the value, a local not yet copied, or a constant) so most
 * instructions name their operands directly and local.get / i32.const emit nothing.
 * This file: the module driver and the hooks. README.md describes the code format and
 * the peepholes. */
#include <pthread.h>
#include <stdatomic.h>

#include "compile.h"

/* ---------- hooks ---------------------------------------------------------------------- */

static bool out_of_memory(exec_tr *t, util_error *err) {
  return util_fail(err, UTIL_ERR_OOM, t->cur_off, "out of memory");
}

/* Makes room on the location stack for everything one instruction can push (its
 * results, a block's values, a few temporaries), so that the pushes inside the
 * emitters never fail: they index the stack right after pushing. */
static bool reserve_stack(exec_tr *t, size_t want) {
  if (want <= t->cap) return true;
  /* geometric growth: this runs before every instruction, and deep nesting raises `want`
   * one slot at a time */
  size_t cap = t->cap < 64 ? 64 : t->cap;
  while (cap < want) cap *= 2;
  exec_tr_entry *p = util_try_realloc(t->st, cap * sizeof *t->st);
  if (!p) return false;
  t->st = p;
  t->cap = cap;
  return true;
}

static bool hook_before(void *ctx, const wasm_vstate *st, const wasm_instr *in, util_error *err) {
  exec_tr *t = ctx;
  t->cur_off = in->offset;
  size_t h = t->n > st->nvals ? t->n : st->nvals;
  if (!reserve_stack(t, h + t->max_arity + 16)) return out_of_memory(t, err);
  bool ok = true;
  switch (in->op) {
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
  case WASM_OP_IF: exec_tr_block(t, in); break;
  case WASM_OP_TRY_TABLE: exec_tr_try_table(t, in); break;
  case WASM_OP_TRY: exec_tr_legacy_try(t, in); break;
  case WASM_OP_CATCH:
  case WASM_OP_CATCH_ALL: exec_tr_legacy_catch(t, in); break;
  case WASM_OP_DELEGATE: exec_tr_delegate(t, in->idx); break;
  case WASM_OP_ELSE: exec_tr_else(t); break;
  case WASM_OP_END: exec_tr_end(t); break;
  default:
    if (t->dead) break;
    if (exec_tr_needs_ext(t, in)) ok = exec_tr_ext(t, in, err);
    else if (wasm_opinfo_table[in->op].prefix == 0xfd) ok = exec_tr_simd(t, in, err);
    else if (wasm_opinfo_table[in->op].prefix == 0xfe) ok = exec_tr_atomic(t, in, err);
    else if (wasm_opinfo_table[in->op].prefix == 0xfb || in->op == WASM_OP_REF_EQ) ok = exec_tr_gc(t, in, err);
    else ok = exec_tr_instr(t, in, err);
    break;
  }
  if (t->oom) return out_of_memory(t, err);
  return ok;
}

/* Keeps the location stack as tall as the validator's type stack (they differ only in
 * unreachable code, where nothing is emitted). */
static bool hook_after(void *ctx, const wasm_vstate *st, const wasm_instr *in, const wasm_ctrl *ended,
                       util_error *err) {
  (void)in;
  (void)ended;
  exec_tr *t = ctx;
  if (!reserve_stack(t, st->nvals)) return out_of_memory(t, err);
  while (t->n > st->nvals) pop(t);
  while (t->n < st->nvals) {
    wasm_vtype ty = st->vals[t->n];
    push_temp(t, ty == WASM_TYPE_UNKNOWN ? WASM_I32 : ty);
  }
  return t->oom ? out_of_memory(t, err) : true;
}

/* ---------- per function --------------------------------------------------------------- */

static void translator_free(exec_tr *t) {
  free(t->ltype);
  free(t->lslot);
  free(t->lrefs);
  free(t->st);
  free(t->ctl);
  free(t->pt);
  free(t->code);
  free(t->map_code);
  free(t->map_wasm);
  free(t->tries);
  free(t->catches);
  free(t->lpend);
  free(t->rlocals);
  free(t->sp_pos);
  free(t->sp_off);
  free(t->sp_slots);
  free(t->lp_pos);
  free(t->lp_wasm);
}

static bool setup_func(exec_tr *t, uint32_t fidx, util_error *err) {
  const wasm_func *f = &t->m->funcs[fidx];
  const wasm_functype *ft = &t->m->types[f->type];
  t->type = ft;
  uint64_t nl = (uint64_t)ft->nparams + f->nlocals;
  if (nl > MAX_SLOTS) return util_fail(err, UTIL_ERR_LIMIT, f->body_offset, "too many locals");
  t->nlocals = (uint32_t)nl;
  if (nl + 1 > t->lcap) {
    /* each array is replaced only once its new size is had: lcap stays true for all three */
    size_t nc = (size_t)nl + 1;
    uint8_t *ty = util_try_realloc(t->ltype, nc);
    if (ty) t->ltype = ty;
    uint32_t *sl = ty ? util_try_realloc(t->lslot, nc * sizeof(uint32_t)) : NULL;
    if (sl) t->lslot = sl;
    uint32_t *rf = sl ? util_try_realloc(t->lrefs, nc * sizeof(uint32_t)) : NULL;
    if (!rf) return util_fail(err, UTIL_ERR_OOM, f->body_offset, "out of memory");
    t->lrefs = rf;
    t->lcap = nc;
  }
  if (t->capcode < MIN_CODE) {
    exec_unit *code = util_try_realloc(t->code, MIN_CODE * sizeof *t->code);
    if (!code) return util_fail(err, UTIL_ERR_OOM, f->body_offset, "out of memory");
    t->code = code;
    t->capcode = MIN_CODE;
  }
  uint32_t slot = 0;
  t->nrlocals = 0;
  t->nsp = 0;
  t->nsps = 0;
  for (uint32_t i = 0; i < nl; i++) {
    wasm_vtype ty = i < ft->nparams ? ft->params[i] : f->local_types[i - ft->nparams];
    t->ltype[i] = exec_kind_of_m(t->m, ty);
    t->lslot[i] = slot;
    if (exec_kind_is_gc(t->ltype[i]) && !UTIL_VEC_TRY_PUSH(t->rlocals, t->nrlocals, t->caprlocals, slot))
      return util_fail(err, UTIL_ERR_OOM, f->body_offset, "out of memory");
    t->lrefs[i] = 0;
    slot += exec_slots_of(ty);
    if (i + 1 == ft->nparams) t->nparam_slots = slot;
    if (slot > MAX_SLOTS) return util_fail(err, UTIL_ERR_LIMIT, f->body_offset, "too many locals");
  }
  if (ft->nparams == 0) t->nparam_slots = 0;
  /* legacy catch clauses keep their exception (for rethrow) in hidden locals after the
   * declared ones: zeroed at entry like them, below every operand slot */
  t->hidden_base = slot;
  t->nhidden = t->m->legacy_exceptions ? exec_tr_count_catches(f) : 0;
  t->hidden_used = 0;
  slot += t->nhidden;
  if (slot > MAX_SLOTS) return util_fail(err, UTIL_ERR_LIMIT, f->body_offset, "too many locals");
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
  t->ntries = 0;
  t->ncatches = 0;
  t->nlpend = 0;
  t->nlp = 0;
  t->cur_off = f->code_offset;
  t->dead = false;
  t->overflow = false;
  t->oom = false;
  t->last_start = NONE32;
  t->prev_start = NONE32;
  t->last_dst = NONE32;
  t->last_cond_ok = false;
  t->inc_end = NONE32;
  t->zero_locals = 0;
  for (uint32_t i = ft->nparams; i < nl && i < 64; i++) {
    if (t->ltype[i] != WASM_V128) t->zero_locals |= (uint64_t)1 << i;
  }
  exec_tr_ctl c;
  memset(&c, 0, sizeof c);
  c.kind = WASM_CTRL_FUNC;
  c.nparams = 0;
  c.nresults = ft->nresults;
  c.results = ft->results;
  if (ft->nresults == 1) {
    c.single = ft->results[0];
  }
  if (!UTIL_VEC_TRY_PUSH(t->ctl, t->nctl, t->capctl, c))
    return util_fail(err, UTIL_ERR_OOM, f->body_offset, "out of memory");
  return true;
}

exec_typeid exec_module_typeid_acquire(const exec_module *em, uint32_t typeidx) {
  exec_typeid_retain(em->types, em->typeids[typeidx]);
  return em->typeids[typeidx];
}

static bool finish_func(exec_tr *t, exec_module *em, exec_code *code) {
  code->code = util_arena_try_dup(&em->arena, t->code, t->len * sizeof(exec_unit));
  code->code_len = (uint32_t)(t->len * sizeof(exec_unit));
  code->nparam_slots = t->nparam_slots;
  code->nlocal_slots = t->nlocal_slots;
  code->nresult_slots = t->nresult_slots;
  uint32_t fs = t->max_slots;
  if (fs < t->nresult_slots) fs = t->nresult_slots;
  code->frame_slots = fs;
  code->nsrcmap = (uint32_t)t->nmap;
  code->srcmap_code = util_arena_try_dup(&em->arena, t->map_code, t->nmap * sizeof(uint32_t));
  code->srcmap_wasm = util_arena_try_dup(&em->arena, t->map_wasm, t->nmap * sizeof(uint32_t));
  if (t->nsp) {
    code->nref_locals = (uint32_t)t->nrlocals;
    code->nsafe = (uint32_t)t->nsp;
    code->ref_locals = t->nrlocals ? util_arena_try_dup(&em->arena, t->rlocals, t->nrlocals * sizeof(uint32_t)) : NULL;
    code->safe_pos = util_arena_try_dup(&em->arena, t->sp_pos, t->nsp * sizeof(uint32_t));
    code->safe_off = util_arena_try_dup(&em->arena, t->sp_off, t->nsp * sizeof(uint32_t));
    code->safe_slots = util_arena_try_dup(&em->arena, t->sp_slots, t->nsps * sizeof(uint32_t));
    if ((t->nrlocals && !code->ref_locals) || !code->safe_pos || !code->safe_off || !code->safe_slots) return false;
  }
  if (t->nlp) {
    code->nloops = (uint32_t)t->nlp;
    code->loop_pos = util_arena_try_dup(&em->arena, t->lp_pos, t->nlp * sizeof(uint32_t));
    code->loop_wasm = util_arena_try_dup(&em->arena, t->lp_wasm, t->nlp * sizeof(uint32_t));
    if (!code->loop_pos || !code->loop_wasm) return false;
  }
  return code->code && code->srcmap_code && code->srcmap_wasm && exec_tr_tries_finish(t, em, code);
}

uint32_t exec_code_wasm_offset(const exec_code *code, uint32_t pos) {
  uint32_t n = code->nsrcmap;
  if (!n) return 0;
  /* the last entry at or before pos, bracketed by steps that double from the start, then
   * halved: an early position (the baseline compiler asks for 0 of every function) reads
   * a cache line or two of a map it has not touched since the translation */
  uint32_t lo = 0, step = 1;
  while (step < n - lo && code->srcmap_code[lo + step] <= pos) {
    lo += step;
    step *= 2;
  }
  uint32_t hi = step < n - lo ? lo + step : n;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (code->srcmap_code[mid] <= pos) lo = mid;
    else hi = mid;
  }
  return code->srcmap_wasm[lo];
}

/* ---------- modules --------------------------------------------------------------------- */

/* ---------- lazy translation ------------------------------------------------------------ */

/* What a module keeps to translate its functions on their first call: the validator's
 * module state (the translator rides on wasm_validate_func again), one translator whose
 * buffers every translation reuses, and the lock that makes a translation one at a time
 * (the arena and the translator are the module's). */
struct exec_lazy {
  pthread_mutex_t lock;
  wasm_vmodule vm;
  exec_tr t;
  _Atomic uint32_t translated; /* functions translated so far */
};

/* The entry every function not yet translated starts at: one LAZY instruction. Filled
 * with the handler word when the handler table is built (interp.c). */
exec_unit exec_lazy_stub[4];

static void lazy_free(exec_lazy *lz) {
  if (!lz) return;
  translator_free(&lz->t);
  wasm_vmodule_free(&lz->vm);
  pthread_mutex_destroy(&lz->lock);
  free(lz);
}

/* The entry of a function not yet translated: what a call needs before the first
 * instruction runs (parameters, declared locals, results; the frame is the locals until
 * the translation says how deep the operands go). */
static void lazy_entry(exec_tr *t, exec_code *code) {
  memset(code, 0, sizeof *code);
  code->code = exec_lazy_stub;
  code->code_len = sizeof exec_lazy_stub;
  code->nparam_slots = t->nparam_slots;
  code->nlocal_slots = t->nlocal_slots;
  code->nresult_slots = t->nresult_slots;
  code->frame_slots = t->nlocal_slots > t->nresult_slots ? t->nlocal_slots : t->nresult_slots;
}

/* Translates defined function k (lz->lock held). On failure the function stays as it was
 * (its lazy entry), so a later call tries again. fresh: its exec_code is not filled yet
 * (the eager pass of exec_module_compile_lazy): it gets its lazy entry first. */
static bool translate_locked(exec_module *em, uint32_t k, bool fresh, util_error *err) {
  exec_lazy *lz = em->lazy;
  exec_tr *t = &lz->t;
  const wasm_module *m = em->wasm;
  uint32_t fidx = m->nfunc_imports + k;
  exec_code *code = &em->codes[k];
  wasm_code_hooks hooks = {t, hook_before, hook_after};
  if (!setup_func(t, fidx, err)) return false;
  if (fresh) lazy_entry(t, code);
  if (!wasm_validate_func(&lz->vm, fidx, &hooks, err)) return false;
  if (t->overflow) return util_fail(err, UTIL_ERR_LIMIT, m->funcs[fidx].body_offset, "function too large");
  if (t->oom) /* a hook missed it: the translator's state is not to be used */
    return util_fail(err, UTIL_ERR_OOM, m->funcs[fidx].body_offset, "out of memory");
  /* filled in a copy, so a failure leaves the lazy entry's fields whole */
  exec_code c = *code;
  if (!finish_func(t, em, &c)) return util_fail(err, UTIL_ERR_OOM, m->funcs[fidx].body_offset, "out of memory");
  if (c.nlocal_slots != code->nlocal_slots || c.nparam_slots != code->nparam_slots ||
      c.nresult_slots != code->nresult_slots)
    return util_fail(err, UTIL_ERR_LIMIT, m->funcs[fidx].body_offset, "internal: frame layout changed in translation");
  /* Everything but the entry is written before the translated code is published (release):
   * a caller that reads the new icode or code (acquire) sees the final frame size; one that
   * read the lazy entry runs LAZY, which checks the frame again. The frame only grows (a
   * compiling tier may have raised it already). */
  code->srcmap_code = c.srcmap_code;
  code->srcmap_wasm = c.srcmap_wasm;
  code->nsrcmap = c.nsrcmap;
  code->ntries = c.ntries;
  code->tries = c.tries;
  code->nref_locals = c.nref_locals;
  code->ref_locals = c.ref_locals;
  code->nsafe = c.nsafe;
  code->safe_pos = c.safe_pos;
  code->safe_off = c.safe_off;
  code->safe_slots = c.safe_slots;
  code->nloops = c.nloops;
  code->loop_pos = c.loop_pos;
  code->loop_wasm = c.loop_wasm;
  if (c.frame_slots > code->frame_slots) __atomic_store_n(&code->frame_slots, c.frame_slots, __ATOMIC_RELEASE);
  code->icode_len = c.code_len;
  __atomic_store_n(&code->icode, c.code, __ATOMIC_RELEASE);
  /* a function nobody replaced (a compiling tier puts its own entry there) runs its
   * internal code directly from now on */
  void *expect = exec_lazy_stub;
  __atomic_store_n(&code->code_len, c.code_len, __ATOMIC_RELAXED);
  __atomic_compare_exchange_n(&code->code, &expect, c.code, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
  atomic_fetch_add_explicit(&lz->translated, 1, memory_order_relaxed);
  return true;
}

bool exec_code_translate(exec_module *em, uint32_t k, util_error *err) {
  exec_code *code = &em->codes[k];
  if (__atomic_load_n(&code->icode, __ATOMIC_ACQUIRE)) return true;
  pthread_mutex_lock(&em->lazy->lock);
  bool ok = __atomic_load_n(&code->icode, __ATOMIC_ACQUIRE) || translate_locked(em, k, false, err);
  pthread_mutex_unlock(&em->lazy->lock);
  return ok;
}

bool exec_module_translate_all(exec_module *em, util_error *err) {
  uint32_t n = em->wasm->nfuncs - em->wasm->nfunc_imports;
  if (exec_module_translated(em) == n) return true;
  bool ok = true;
  pthread_mutex_lock(&em->lazy->lock);
  for (uint32_t k = 0; k < n && ok; k++)
    if (!__atomic_load_n(&em->codes[k].icode, __ATOMIC_ACQUIRE)) ok = translate_locked(em, k, false, err);
  pthread_mutex_unlock(&em->lazy->lock);
  return ok;
}

uint32_t exec_module_translated(const exec_module *em) {
  return em->lazy ? atomic_load_explicit(&em->lazy->translated, memory_order_relaxed) : 0;
}

/* ---------- modules --------------------------------------------------------------------- */

void exec_module_free(exec_module *em) {
  if (!em) return;
  if (em->jit && em->jit_free) em->jit_free(em->jit);
  exec_image_set_free(atomic_load(&em->images));
  for (uint32_t i = 0; i < em->ntypeids; i++) exec_typeid_release(em->types, em->typeids[i]);
  lazy_free(em->lazy);
  if (em->wasm) wasm_module_free(em->wasm);
  util_arena_free(&em->arena);
  free(em);
}

/* WELD_TRANSLATE=eager or =lazy in the environment overrides the caller's choice (a
 * measuring and testing knob): 0 unset, 1 eager, 2 lazy. */
static int translate_env(void) {
  const char *e = getenv("WELD_TRANSLATE");
  return !e ? 0 : strcmp(e, "eager") == 0 ? 1 : strcmp(e, "lazy") == 0 ? 2 : 0;
}

bool exec_module_lazy_pays(const wasm_module *m) {
  uint64_t body = 0;
  for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) body += m->funcs[i].code_len;
  return body >= EXEC_LAZY_MIN_BYTES;
}

static exec_module *compile(wasm_module *m, exec_typetab *types, bool lazy, bool known_valid, util_error *err);

exec_module *exec_module_compile(wasm_module *m, exec_typetab *types, util_error *err) {
  return compile(m, types, false, false, err);
}

exec_module *exec_module_compile_lazy(wasm_module *m, exec_typetab *types, bool lazy, util_error *err) {
  return compile(m, types, lazy, false, err);
}

exec_module *exec_module_compile_known_valid(wasm_module *m, exec_typetab *types, util_error *err) {
  return compile(m, types, true, true, err);
}

static exec_module *compile(wasm_module *m, exec_typetab *types, bool lazy, bool known_valid, util_error *err) {
  if (!types) types = exec_typetab_default();
  if (!types) return util_fail(err, UTIL_ERR_LIMIT, -1, "out of memory"), NULL;
  exec_lazy *lz = util_try_calloc(1, sizeof *lz);
  if (!lz) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"), NULL;
  if (pthread_mutex_init(&lz->lock, NULL) != 0) {
    free(lz);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"), NULL;
  }
  if (!wasm_validate_module(m, &lz->vm, err)) {
    lazy_free(lz);
    return NULL;
  }
  exec_module *em = util_try_calloc(1, sizeof *em);
  if (!em) {
    lazy_free(lz);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"), NULL;
  }
  util_arena_init(&em->arena);
  em->lazy = lz;
  em->types = types;
  em->typeids = util_arena_try_alloc(&em->arena, (m->ntypes + 1) * sizeof(exec_typeid));
  if (!em->typeids) {
    exec_module_free(em);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"), NULL;
  }
  memset(em->typeids, 0, (m->ntypes + 1) * sizeof(exec_typeid));
  if (!exec_typeids_intern(types, m, em->typeids, &em->ntypeids)) {
    exec_module_free(em);
    return util_fail(err, UTIL_ERR_LIMIT, -1, "out of memory"), NULL;
  }
  uint32_t ndef = m->nfuncs - m->nfunc_imports;
  em->codes = util_arena_try_alloc(&em->arena, (ndef + 1) * sizeof(exec_code));
  if (!em->codes) {
    exec_module_free(em);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"), NULL;
  }

  exec_tr *t = &lz->t;
  t->m = m;
  t->em = em;
  t->handlers = exec_interp_handlers(); /* also fills exec_lazy_stub */
  for (uint32_t i = 0; i < m->ntypes; i++) {
    size_t a = (size_t)m->types[i].nparams + m->types[i].nresults;
    if (a > t->max_arity) t->max_arity = a;
  }
  /* Validation is always eager: every body now. Lazily, with no translator on the hooks:
   * each function gets its lazy entry (setup_func has worked out its frame's locals,
   * hidden ones of legacy catches included) and is translated on its first call (the
   * validator runs over it again then). Eagerly, validated and translated in one pass. */
  int env = translate_env();
  bool eager = env ? env == 1 : !lazy;
  /* known valid: each body is validated when it is translated (first call), if ever */
  bool validate_now = !known_valid || eager;
  em->wasm = m;
  bool ok = true;
  for (uint32_t k = 0; k < ndef && ok; k++) {
    uint32_t fidx = m->nfunc_imports + k;
    if (eager) {
      ok = translate_locked(em, k, true, err);
      continue;
    }
    if (!setup_func(t, fidx, err)) {
      ok = false;
      break;
    }
    lazy_entry(t, &em->codes[k]);
    if (validate_now) ok = wasm_validate_func(&lz->vm, fidx, NULL, err);
  }
  if (!ok) {
    em->wasm = NULL; /* the caller keeps the module on failure */
    exec_module_free(em);
    return NULL;
  }
  em->wasm = m;
  return em;
}
