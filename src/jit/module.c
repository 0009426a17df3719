/* The module driver: compiles every defined function it can into one buffer, adds a
 * thunk for each function that stays interpreted (so compiled callers reach it through
 * the runtime), binds the direct calls, copies the result into sealed code memory and
 * points each compiled function's internal code at a NATIVE instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jit_int.h"

bool jit_available(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  return true;
#else
  return false;
#endif
}

bool jit_tier_parse(const char *s, jit_tier *out) {
  if (!s) return false;
  if (strcmp(s, "interp") == 0) *out = JIT_TIER_INTERP;
  else if (strcmp(s, "baseline") == 0) *out = JIT_TIER_BASELINE;
  else if (strcmp(s, "optimized") == 0) *out = JIT_TIER_OPTIMIZED;
  else if (strcmp(s, "auto") == 0) *out = JIT_TIER_AUTO;
  else return false;
  return true;
}

void jit_func_set_stub(jit_func *f,
                       exec_trap_kind (*enter)(const exec_native *, exec_thread *, exec_instance *, exec_slot *),
                       const exec_unit *code, uint32_t code_len) {
  f->native.enter = enter;
  f->native.code = code;
  f->native.code_len = code_len;
  const uint64_t native = exec_interp_handlers()[EXEC_IOP_NATIVE];
  uint64_t imm = (uint64_t)(uintptr_t)&f->native;
  memcpy(&f->stub[0], &native, 8);
  memcpy(&f->stub[2], &imm, 8);
}

void jit_func_install(jit_func *f, exec_code *c,
                      exec_trap_kind (*enter)(const exec_native *, exec_thread *, exec_instance *, exec_slot *),
                      uint32_t frame_slots) {
  jit_func_set_stub(f, enter, c->code, c->code_len);
  c->code = f->stub;
  c->code_len = sizeof f->stub;
  if (frame_slots > c->frame_slots) c->frame_slots = frame_slots;
}

bool jit_prepare_module(exec_module *em, const jit_options *o, util_error *err) {
  switch (o->tier) {
  case JIT_TIER_INTERP: return true;
  case JIT_TIER_BASELINE: return jit_compile_module(em, o->guard, err);
  case JIT_TIER_AUTO: return jit_available() ? jit_prepare_lazy(em, o, err) : true;
  case JIT_TIER_OPTIMIZED: /* src/opt prepares these modules (opt_compile_module), above src/jit */
    return util_fail(err, UTIL_ERR_USAGE, -1, "internal: the optimised tier is prepared by src/opt");
  }
  return true;
}

void jit_module_free(void *p) {
  jit_module *jm = p;
  if (!jm) return;
  if (jm->lazy) jit_lazy_free(jm);
  if (jm->guard && jm->nsites) jit_fault_unregister(&jm->region);
  free(jm->sites);
  jit_code_unmap(jm->code, jm->code_map);
  if (jm->funcs)
    for (uint32_t k = 0; k < jm->nfuncs; k++) free((char *)jm->funcs[k].fallback);
  free(jm->funcs);
  free(jm);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* WELD_PERF_MAP set: each compiled function's code range and name go to
 * /tmp/perf-PID.map, where `perf report` looks for names of generated code. len[k - k0]:
 * the size of function k's code from its checked entry. */
void jit_perf_map(const jit_module *jm, uint32_t k0, uint32_t k1, const size_t *len) {
  if (!getenv("WELD_PERF_MAP")) return;
  char path[64];
  snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
  FILE *f = fopen(path, "a");
  if (!f) return;
  const wasm_module *m = jm->em->wasm;
  for (uint32_t k = k0; k < k1; k++) {
    if (jm->funcs[k].fallback) continue;
    uint32_t idx = m->nfunc_imports + k;
    const wasm_name *nm = m->func_names && m->func_names[idx].str ? &m->func_names[idx] : NULL;
    fprintf(f, "%llx %llx ", (unsigned long long)(uintptr_t)jm->funcs[k].checked,
            (unsigned long long)len[k - k0]);
    if (nm) fprintf(f, "wasm:%.*s\n", (int)nm->len, nm->str);
    else fprintf(f, "wasm-function[%u]\n", idx);
  }
  fclose(f);
}

void jit_build_free(jit_build *bd) {
  x64_free(&bd->b);
  if (bd->funcs)
    for (uint32_t k = 0; k < bd->n; k++) free(bd->funcs[k].fallback);
  free(bd->funcs);
  free(bd->sites.v);
  memset(bd, 0, sizeof *bd);
}

bool jit_build_module(const exec_module *em, bool guard, bool keep_relocs, jit_build *bd, util_error *err) {
  memset(bd, 0, sizeof *bd);
  if (!jit_available()) return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: the baseline tier needs x86-64");
  const wasm_module *m = em->wasm;
  uint32_t n = m->nfuncs - m->nfunc_imports;
  bd->n = n;
  bd->funcs = n ? calloc(n, sizeof *bd->funcs) : NULL;
  bd->b.keep_relocs = keep_relocs;
  bd->b.mapped = true;
  jit_patches calls = {0};
  /* guard mode needs the fault handler; without it every access is checked */
  if (guard && !jit_fault_install()) guard = false;
  bd->guard = guard;
  bool ok = !n || bd->funcs;
  bd->tramp = jit_emit_trampoline(&bd->b);
  for (uint32_t k = 0; ok && k < n; k++) {
    jit_func_out o = {0};
    const char *why = jit_compile_func(em, k, &bd->b, &calls, guard, &bd->sites, &o, NULL);
    jit_build_func *f = &bd->funcs[k];
    f->entry = o.entry;
    f->checked = o.checked;
    f->epilogue = o.epilogue;
    f->frame_slots = o.frame_slots;
    f->end = bd->b.len;
    if (bd->b.oom || calls.oom) ok = false;
    else if (why) {
      if (!(f->fallback = strdup(why))) ok = false;
    } else {
      bd->compiled++;
      bd->wasm_bytes += m->funcs[m->nfunc_imports + k].code_len;
    }
  }
  /* thunks: a compiled caller's direct call to an interpreted function */
  for (uint32_t k = 0; ok && k < n; k++) {
    if (!bd->funcs[k].fallback) continue;
    bd->funcs[k].checked = bd->b.len;
    x64_mov_ri(&bd->b, false, X64_RDX, k);
    x64_mov_reloc(&bd->b, X64_RAX, X64_RELOC_ADDR, (uint64_t)(uintptr_t)jit_rt_call_defined,
                  (uint64_t)(uintptr_t)jit_rt_call_defined);
    x64_u8(&bd->b, 0xff), x64_u8(&bd->b, 0xe0); /* jmp rax */
  }
  for (size_t i = 0; ok && i < calls.n; i++) x64_bind(&bd->b, calls.v[i].at, bd->funcs[calls.v[i].callee].checked);
  free(calls.v);
  if (bd->b.oom) ok = false;
  if (!ok) {
    jit_build_free(bd);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (compiling to machine code)");
  }
  return true;
}

bool jit_install_module(exec_module *em, jit_build *bd, double seconds, util_error *err) {
  const wasm_module *m = em->wasm;
  uint32_t n = bd->n;
  jit_module *jm = calloc(1, sizeof *jm);
  if (!jm) {
    jit_build_free(bd);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  jm->em = em;
  jm->nfuncs = n;
  jm->funcs = n ? calloc(n, sizeof *jm->funcs) : NULL;
  jm->tramp = bd->tramp;
  bool ok = !n || jm->funcs;
  for (uint32_t k = 0; ok && k < n; k++) {
    jm->funcs[k].fallback = bd->funcs[k].fallback;
    bd->funcs[k].fallback = NULL;
  }
  jm->stats.compiled = bd->compiled;
  jm->stats.wasm_bytes = bd->wasm_bytes;
  if (ok && bd->compiled) {
    /* a mapped buffer is sealed where the code was written; another is copied */
    size_t len = bd->b.len;
    jm->code = x64_take_mapping(&bd->b, &jm->code_map);
    if (!jm->code && (jm->code = jit_code_map(len, &jm->code_map))) memcpy(jm->code, bd->b.p, len);
    if (!jm->code) {
      ok = false;
    } else {
      jm->code_len = len;
      if (!jit_code_seal(jm->code, jm->code_map)) ok = false;
    }
  }
  jm->guard = bd->guard;
  jm->sites = bd->sites.v;
  jm->nsites = bd->sites.n;
  bd->sites.v = NULL;
  bd->sites.n = 0;
  jm->region = (jit_region){jm->code, jm->code_len, jm->sites, jm->nsites, jm};
  bool unregistered = ok && jm->guard && jm->nsites && !jit_fault_register(&jm->region);
  if (!ok || unregistered) {
    jm->guard = false;
    jm->nsites = 0;
    jit_module_free(jm);
    jit_build_free(bd);
    if (unregistered)
      return util_fail(err, UTIL_ERR_LIMIT, -1, "the fault handler's table of code regions is full");
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory (compiling to machine code)");
  }
  size_t *len = n ? calloc(n, sizeof *len) : NULL;
  for (uint32_t k = 0; k < n; k++) {
    jit_func *f = &jm->funcs[k];
    jit_build_func *g = &bd->funcs[k];
    f->jm = jm;
    f->k = k;
    f->frame_slots = g->frame_slots;
    if (len) len[k] = g->end - g->checked;
    if (!jm->code) continue; /* nothing was compiled: no code mapped */
    f->entry = jm->code + g->entry;
    f->checked = jm->code + g->checked;
    f->epilogue = jm->code + g->epilogue;
    if (f->fallback) continue;
    jit_func_install(f, &em->codes[k], jit_enter, g->frame_slots);
  }
  if (len) jit_perf_map(jm, 0, n, len);
  free(len);
  jit_build_free(bd);
  jm->stats.functions = n;
  jm->stats.tier = JIT_TIER_BASELINE;
  jm->stats.fell_back = n - jm->stats.compiled;
  jm->stats.code_bytes = jm->code_len;
  jm->stats.compile_seconds = seconds;
  (void)m;
  em->jit = jm;
  em->jit_free = jit_module_free;
  return true;
}

bool jit_compile_module(exec_module *em, bool guard, util_error *err) {
  if (em->jit) return true;
  double t0 = now();
  jit_build bd;
  if (!jit_build_module(em, guard, false, &bd, err)) return false;
  bool was_guard = bd.guard;
  if (jit_install_module(em, &bd, now() - t0, err)) return true;
  /* the fault handler's table is full: the same code with explicit checks */
  if (was_guard && err->kind == UTIL_ERR_LIMIT) {
    util_error_clear(err);
    if (!jit_build_module(em, false, false, &bd, err)) return false;
    return jit_install_module(em, &bd, now() - t0, err);
  }
  return false;
}

void jit_module_stats(const exec_module *em, jit_stats *out) {
  memset(out, 0, sizeof *out);
  const jit_module *jm = em->jit;
  if (jm) {
    *out = jm->stats;
    out->osr_entered = atomic_load_explicit(&((jit_module *)jm)->osr_entered, memory_order_relaxed);
  }
}

const char *jit_func_fallback(const exec_module *em, uint32_t k) {
  const jit_module *jm = em->jit;
  if (!jm || k >= jm->nfuncs) return NULL;
  return jm->funcs[k].fallback;
}
