/* JIT_TIER_AUTO: functions start in the interpreter and are compiled one by one once hot;
 * a module of at most jit_options.eager_bytes of bodies is instead compiled whole when it
 * is prepared (compile_ahead, below: one mapping, direct calls), its functions installed
 * as a promotion installs one.
 *
 * Every defined function's internal code is replaced by a counting entry: a NATIVE
 * instruction whose `enter` (counting_enter) takes one from the function's count and
 * declines (the interpreter runs the internal code) until the count is used up; the call
 * that uses it up compiles the function (jit_tier_next decides to which tier; there is
 * one so far) and runs it compiled. A long loop counts too: the interpreter's
 * interruption check calls tick() with the running function once per budget grant
 * (65,536 function entries and loop back-edges), which empties that function's count,
 * so its next call is compiled. An activation already running stays interpreted to its
 * end (no on-stack replacement; README.md measures what that costs).
 *
 * A promoted function gets its own code mapping (written, then sealed read+execute), and
 * its own region for the fault handler. Installing it is two pointer stores, made after
 * everything they lead to is written: the callee table entry that compiled callers call
 * through, then the function's internal code pointer (the counting entry becomes the
 * NATIVE instruction of the compiled code). A thread that read the old pointer runs the
 * old code; one that reads the new one finds it complete. A function the compiler does
 * not handle gets its internal code back, so it stops paying for the count. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit_int.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The tier a hot function goes to next: the baseline compiler for every function still
 * counting. The optimising step after it (tierup.c) has its own count in the baseline
 * code's NATIVE entry, so promote only decides the first. */
static jit_tier jit_tier_next(const jit_func *f) {
  return atomic_load_explicit(&f->state, memory_order_relaxed) == JIT_COUNTING ? JIT_TIER_BASELINE : JIT_TIER_INTERP;
}

static void install(exec_code *c, const exec_unit *code) {
  __atomic_store_n(&c->code, (void *)code, __ATOMIC_RELEASE);
}

/* Compiles f by itself into its own mapping; NULL on success, else why not. */
static const char *compile_one(jit_module *jm, jit_func *f, bool guard) {
  exec_module *em = jm->em;
  x64_buf b = {0};
  jit_patches calls = {0};
  jit_sites sites = {0};
  jit_func_out o = {.want_osr = true};
  const char *why = jit_compile_func(em, f->k, &b, &calls, guard, &sites, &o, (const void *)jm->callee);
  free(calls.v);
  if (!why && b.oom) why = "out of memory";
  if (why) {
    x64_free(&b);
    free(sites.v);
    free(o.osr);
    return why;
  }
  size_t mapped = 0;
  uint8_t *p = jit_code_map(b.len, &mapped);
  if (!p) {
    x64_free(&b);
    free(sites.v);
    free(o.osr);
    return "out of memory (code memory)";
  }
  memcpy(p, b.p, b.len);
  size_t len = b.len;
  x64_free(&b);
  if (!jit_code_seal(p, mapped)) {
    jit_code_unmap(p, mapped);
    free(sites.v);
    free(o.osr);
    return "out of memory (code memory)";
  }
  f->map = p;
  f->base = p;
  f->map_len = mapped;
  f->sites = sites.v;
  f->region = (jit_region){p, len, sites.v, sites.n, jm, NULL, 0};
  f->entry = p + o.entry;
  f->checked = p + o.checked;
  f->epilogue = p + o.epilogue;
  f->frame_slots = o.frame_slots;
  f->osr = o.osr;
  f->nosr = o.nosr;
  if (guard && sites.n && !jit_fault_register(&f->region)) {
    /* the fault handler's table is full: this function with explicit checks */
    jit_code_unmap(p, mapped);
    free(sites.v);
    free(f->osr);
    f->osr = NULL;
    f->nosr = 0;
    f->map = NULL;
    f->sites = NULL;
    f->region.nsites = 0;
    return compile_one(jm, f, false);
  }
  jm->stats.code_bytes += len;
  size_t from_checked = len - o.checked;
  jit_perf_map(jm, f->k, f->k + 1, &from_checked);
  return NULL;
}

/* Moves f to the tier jit_tier_next names. True when f now runs compiled. */
static bool promote(jit_func *f) {
  jit_module *jm = (jit_module *)f->jm;
  exec_module *em = jm->em;
  pthread_mutex_lock(jm->lock);
  if (jit_tier_next(f) != JIT_TIER_BASELINE) {
    bool done = atomic_load_explicit(&f->state, memory_order_relaxed) == JIT_COMPILED;
    pthread_mutex_unlock(jm->lock);
    return done;
  }
  double t0 = now();
  exec_code *c = &em->codes[f->k];
  const char *why = compile_one(jm, f, jm->guard);
  jm->stats.compile_seconds += now() - t0;
  if (why) {
    f->fallback = strdup(why);
    jm->stats.fell_back++;
    atomic_store_explicit(&f->state, JIT_FAILED, memory_order_relaxed);
    install(c, f->counting.code); /* the internal code, without the count */
    pthread_mutex_unlock(jm->lock);
    return false;
  }
  const wasm_module *m = em->wasm;
  jm->stats.compiled++;
  if (atomic_load_explicit(&f->by_loop, memory_order_relaxed)) jm->stats.promoted_by_loop++;
  jm->stats.wasm_bytes += m->funcs[m->nfunc_imports + f->k].code_len;
  /* the frame only grows, before the code that needs it is visible (jit_enter checks
   * it again for a caller that read the old size) */
  if (f->frame_slots > c->frame_slots) __atomic_store_n(&c->frame_slots, f->frame_slots, __ATOMIC_RELEASE);
  /* with an optimising tier the entry counts calls towards it (tierup.c) */
  jit_func_set_stub(f, jm->up ? jit_tierup_enter : jit_enter, f->counting.code, f->counting.code_len);
  atomic_store_explicit(&jm->callee[f->k], f->checked, memory_order_release);
  install(c, f->stub);
  atomic_store_explicit(&f->state, JIT_COMPILED, memory_order_release);
  pthread_mutex_unlock(jm->lock);
  /* a long loop made it hot: its time goes to loops, which calls do not count */
  if (jm->up && atomic_load_explicit(&f->by_loop, memory_order_relaxed)) jit_tierup_hot(jm, f->k);
  return true;
}

static exec_trap_kind counting_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp) {
  jit_func *f = (jit_func *)(void *)((char *)(uintptr_t)n - offsetof(jit_func, counting));
  /* a store being sampled stays interpreted: the profiler cannot see compiled frames */
  if (th->store && th->store->sampler) return JIT_DECLINE;
  if (atomic_fetch_sub_explicit(&f->count, 1, memory_order_relaxed) > 0) return JIT_DECLINE;
  if (!promote(f)) return JIT_DECLINE;
  return jit_enter(&f->native, th, inst, fp);
}

/* A loop back-edge's slow path in defined function k (exec_module.jit_osr): the first
 * time the look finds the function running it counts as heat (as tick); the next time,
 * the function is compiled if it is not yet and the frame goes on compiled from the
 * loop's header (osr.c). */
static exec_trap_kind osr(exec_module *em, uint32_t k, uint32_t pos, exec_thread *th, exec_instance *inst,
                          exec_slot *fp) {
  jit_module *jm = em->jit;
  if (!jm || k >= jm->nfuncs || (th->store && th->store->sampler)) return JIT_DECLINE;
  jit_func *f = &jm->funcs[k];
  int st = atomic_load_explicit(&f->state, memory_order_acquire);
  if (st == JIT_COUNTING) {
    if (atomic_load_explicit(&f->count, memory_order_relaxed) > 0) {
      atomic_store_explicit(&f->by_loop, true, memory_order_relaxed);
      atomic_store_explicit(&f->count, 0, memory_order_relaxed);
      return JIT_DECLINE;
    }
    if (!promote(f)) return JIT_DECLINE;
  } else if (st != JIT_COMPILED) {
    return JIT_DECLINE;
  }
  if (jm->up) jit_tierup_hot(jm, k); /* a loop still hot in a compiled function */
  return jit_osr_enter(f, pos, th, inst, fp);
}

static void tick(exec_module *em, uint32_t k) {
  jit_module *jm = em->jit;
  if (!jm || k >= jm->nfuncs) return;
  jit_func *f = &jm->funcs[k];
  if (atomic_load_explicit(&f->state, memory_order_relaxed) != JIT_COUNTING) return;
  if (atomic_load_explicit(&f->count, memory_order_relaxed) > 0) {
    atomic_store_explicit(&f->by_loop, true, memory_order_relaxed);
    atomic_store_explicit(&f->count, 0, memory_order_relaxed);
  }
}

/* Compiles every defined function of a module just prepared (nothing runs it yet) into
 * one mapping, as the baseline tier does, with the loops' entries for on-stack
 * replacement: calls between them are direct (call rel32), a call to a function the
 * compiler does not handle goes through a thunk into the runtime. Each compiled function
 * is installed at once (no counting); one not handled is marked failed with its reason
 * and runs its internal code. False (and nothing changed) when out of memory (*oom set:
 * the module is refused as out of memory, as any other allocation of it would be) or when
 * the code cannot be mapped or the fault handler's table is full (the module then stays
 * on the counting path). */
static bool compile_ahead(jit_module *jm, uint64_t body, bool *oom) {
  exec_module *em = jm->em;
  const wasm_module *m = em->wasm;
  uint32_t n = jm->nfuncs;
  double t0 = now();
  x64_buf b = {0};
  b.mapped = true; /* written where it will run (x64_take_mapping) */
  b.hint = (size_t)body * JIT_CODE_PER_BODY_BYTE; /* `body`: the bytes of its function bodies */
  jit_patches calls = {0};
  jit_sites sites = {0};
  jit_func_out *out = calloc(n, sizeof *out);
  size_t *end = calloc(n, sizeof *end);
  const char **why = calloc(n, sizeof *why);
  char **fallback = calloc(n, sizeof *fallback);
  size_t *from_checked = calloc(n, sizeof *from_checked);
  bool ok = out && end && why && fallback && from_checked;
  for (uint32_t k = 0; ok && k < n; k++) {
    out[k].want_osr = true;
    why[k] = jit_compile_func(em, k, &b, &calls, jm->guard, &sites, &out[k], NULL);
    end[k] = b.len;
    if (b.oom || calls.oom || (why[k] && strcmp(why[k], "out of memory") == 0)) ok = false;
    else if (why[k] && !(fallback[k] = strdup(why[k]))) ok = false;
  }
  /* thunks: a direct call to a function left interpreted goes through the runtime */
  for (uint32_t k = 0; ok && k < n; k++) {
    if (!fallback[k]) continue;
    out[k].checked = b.len;
    x64_mov_ri(&b, false, X64_RDX, k);
    x64_mov_ri(&b, true, X64_RAX, (uint64_t)(uintptr_t)jit_rt_call_defined);
    x64_u8(&b, 0xff), x64_u8(&b, 0xe0); /* jmp rax */
  }
  for (size_t i = 0; ok && i < calls.n; i++) x64_bind(&b, calls.v[i].at, out[calls.v[i].callee].checked);
  if (b.oom) ok = false;
  *oom = !ok;
  size_t len = b.len, mapped = 0;
  uint8_t *p = ok ? x64_take_mapping(&b, &mapped) : NULL;
  if (ok && !p && (p = jit_code_map(len, &mapped))) memcpy(p, b.p, len);
  if (p && !jit_code_seal(p, mapped)) {
    jit_code_unmap(p, mapped);
    p = NULL;
  }
  jm->ahead_region = (jit_region){p, len, sites.v, sites.n, jm, NULL, 0};
  if (p && jm->guard && sites.n && !jit_fault_register(&jm->ahead_region)) {
    jit_code_unmap(p, mapped);
    p = NULL;
  }
  x64_free(&b);
  free(calls.v);
  if (!p) {
    for (uint32_t k = 0; out && k < n; k++) free(out[k].osr);
    for (uint32_t k = 0; fallback && k < n; k++) free(fallback[k]);
    free(out), free(end), free((void *)why), free(fallback), free(sites.v), free(from_checked);
    jm->ahead_region = (jit_region){0};
    return false;
  }
  jm->ahead = p;
  jm->ahead_map = mapped;
  for (uint32_t k = 0; k < n; k++) {
    jit_func *f = &jm->funcs[k];
    exec_code *c = &em->codes[k];
    if (fallback[k]) {
      free(out[k].osr);
      f->fallback = fallback[k];
      jm->stats.fell_back++;
      atomic_store_explicit(&f->state, JIT_FAILED, memory_order_relaxed);
      install(c, f->counting.code); /* the internal code, without the count */
      continue;
    }
    size_t start = k ? end[k - 1] : 0;
    f->base = p;
    f->region = (jit_region){p + start, end[k] - start, NULL, 0, jm, NULL, 0}; /* its code's range */
    f->entry = p + out[k].entry;
    f->checked = p + out[k].checked;
    f->epilogue = p + out[k].epilogue;
    f->frame_slots = out[k].frame_slots;
    f->osr = out[k].osr;
    f->nosr = out[k].nosr;
    from_checked[k] = end[k] - out[k].checked;
    if (f->frame_slots > c->frame_slots) c->frame_slots = f->frame_slots;
    jit_func_set_stub(f, jm->up ? jit_tierup_enter : jit_enter, f->counting.code, f->counting.code_len);
    atomic_store_explicit(&jm->callee[k], f->checked, memory_order_relaxed);
    install(c, f->stub);
    atomic_store_explicit(&f->state, JIT_COMPILED, memory_order_relaxed);
    jm->stats.compiled++;
    jm->stats.ahead++;
    jm->stats.wasm_bytes += m->funcs[m->nfunc_imports + k].code_len;
  }
  jit_perf_map(jm, 0, n, from_checked);
  free(from_checked);
  jm->stats.code_bytes += len;
  jm->stats.compile_seconds += now() - t0;
  free(out), free(end), free((void *)why), free(fallback);
  return true;
}

void jit_lazy_free(jit_module *jm) {
  jit_tierup_free(jm); /* first: no compilation for this module is in flight after it */
  for (uint32_t k = 0; jm->funcs && k < jm->nfuncs; k++) {
    jit_func *f = &jm->funcs[k];
    if (f->region.nsites) jit_fault_unregister(&f->region);
    jit_code_unmap(f->map, f->map_len);
    free(f->sites);
    free(f->osr);
  }
  if (jm->ahead_region.nsites && jm->ahead) jit_fault_unregister(&jm->ahead_region);
  jit_code_unmap(jm->ahead, jm->ahead_map);
  free((void *)jm->ahead_region.sites);
  free((void *)jm->callee);
  if (jm->lock) pthread_mutex_destroy(jm->lock);
  free(jm->lock);
}

bool jit_prepare_lazy(exec_module *em, const jit_options *o, util_error *err) {
  if (em->jit) return true;
  const wasm_module *m = em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  jit_module *jm = calloc(1, sizeof *jm);
  if (!jm) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  jm->em = em;
  jm->nfuncs = n;
  jm->lazy = true;
  jm->threshold = o->threshold;
  jm->guard = o->guard && jit_fault_install();
  jm->funcs = n ? calloc(n, sizeof *jm->funcs) : NULL;
  jm->callee = n ? calloc(n, sizeof *jm->callee) : NULL;
  jm->lock = malloc(sizeof(pthread_mutex_t));
  x64_buf b = {0};
  bool ok = (!n || (jm->funcs && jm->callee)) && jm->lock && pthread_mutex_init(jm->lock, NULL) == 0;
  if (!ok) {
    free(jm->lock);
    jm->lock = NULL;
  }
  /* the trampoline, then one thunk per function: a compiled caller's call to a function
   * still interpreted goes through the runtime (jit_rt_call_defined) */
  size_t *thunk = n ? calloc(n, sizeof *thunk) : NULL;
  if (n && !thunk) ok = false;
  if (ok) jm->tramp = jit_emit_trampoline(&b);
  for (uint32_t k = 0; ok && k < n; k++) {
    thunk[k] = b.len;
    x64_mov_ri(&b, false, X64_RDX, k);
    x64_mov_ri(&b, true, X64_RAX, (uint64_t)(uintptr_t)jit_rt_call_defined);
    x64_u8(&b, 0xff), x64_u8(&b, 0xe0); /* jmp rax */
  }
  if (b.oom) ok = false;
  if (ok) {
    jm->code = jit_code_map(b.len, &jm->code_map);
    if (!jm->code) ok = false;
    else {
      memcpy(jm->code, b.p, b.len);
      jm->code_len = b.len;
      ok = jit_code_seal(jm->code, jm->code_map);
    }
  }
  x64_free(&b);
  if (ok && !jit_tierup_new(jm, o)) ok = false;
  if (!ok) {
    free(thunk);
    jit_module_free(jm);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  const uint64_t native = exec_interp_handlers()[EXEC_IOP_NATIVE];
  for (uint32_t k = 0; k < n; k++) {
    jit_func *f = &jm->funcs[k];
    exec_code *c = &em->codes[k];
    f->jm = jm;
    f->k = k;
    f->counting.enter = counting_enter;
    f->counting.code = c->code;
    f->counting.code_len = c->code_len;
    atomic_init(&f->count, (int64_t)o->threshold);
    atomic_init(&f->state, JIT_COUNTING);
    uint64_t imm = (uint64_t)(uintptr_t)&f->counting;
    memcpy(&f->cstub[0], &native, 8);
    memcpy(&f->cstub[2], &imm, 8);
    atomic_init(&jm->callee[k], jm->code + thunk[k]);
    c->code = f->cstub; /* code_len stays the internal code's */
  }
  free(thunk);
  jm->stats.functions = n;
  jm->stats.tier = JIT_TIER_AUTO;
  em->jit = jm;
  em->jit_free = jit_module_free;
  em->jit_tick = tick;
  em->jit_osr = osr;
  em->osr_grant = o->osr_grant;
  /* a module small enough is compiled whole now: what its functions would run as once
   * hot, without the interpreted warm-up or the per-function mappings and calls through
   * the callee table (README.md measures both) */
  uint64_t body = 0;
  for (uint32_t k = 0; k < n; k++) body += m->funcs[m->nfunc_imports + k].code_len;
  bool oom = false;
  if (n && body <= o->eager_bytes && !compile_ahead(jm, body, &oom) && oom)
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"); /* the caller frees em, and jm with it */
  return true;
}
