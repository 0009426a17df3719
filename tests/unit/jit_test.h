/* What the compiling tiers' unit tests (test_jit*.c) share: a module made and instantiated
 * in one tier, and the check that two traps of the same call have the same backtrace. */
#ifndef WELD_TESTS_JIT_TEST_H
#define WELD_TESTS_JIT_TEST_H

#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "weld.h"

typedef struct jit_run {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
} jit_run;

/* The engine of cfg, the module `bin` and a store; false (checked) when the module fails. */
static inline bool jit_run_open(jit_run *t, const weld_config *cfg, const uint8_t *bin, size_t len) {
  weld_error *err = NULL;
  t->e = weld_engine_new(cfg);
  t->m = weld_module_new(t->e, bin, len, &err);
  if (!unit_check(t->m != NULL, __FILE__, __LINE__, "module: %s", err ? weld_error_message(err) : "?")) {
    weld_error_free(err);
    return false;
  }
  t->s = weld_store_new(t->e);
  return true;
}

/* The instance, with imports; false (checked) when instantiation fails. */
static inline bool jit_run_instantiate(jit_run *t, const weld_import *imports, size_t nimports) {
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  t->i = weld_instance_new(t->s, t->m, imports, nimports, &trap, &err);
  if (err) weld_error_free(err);
  if (trap) weld_trap_free(trap);
  return CHECK(t->i != NULL);
}

/* The four configurations the tier tests compare, in order: the interpreter (the reference),
 * baseline with the guard region, baseline with explicit checks, and auto compiling at the
 * first call; each instantiated without imports. */
static inline bool jit_run_open_tier(jit_run *t, weld_tier tier, weld_bounds_mode bounds, const uint8_t *bin, size_t len) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = 0; /* auto: compiled at the first call */
  cfg.tier_eager_bytes = 0;  /* one by one (not compiled whole when made) */
  cfg.bounds = bounds;
  return jit_run_open(t, &cfg, bin, len) && jit_run_instantiate(t, NULL, 0);
}

static inline bool jit_run_open_four(jit_run r[4], const uint8_t *bin, size_t len) {
  return jit_run_open_tier(&r[0], WELD_TIER_INTERP, WELD_BOUNDS_GUARD, bin, len) &&
         jit_run_open_tier(&r[1], WELD_TIER_BASELINE, WELD_BOUNDS_GUARD, bin, len) &&
         jit_run_open_tier(&r[2], WELD_TIER_BASELINE, WELD_BOUNDS_EXPLICIT, bin, len) &&
         jit_run_open_tier(&r[3], WELD_TIER_AUTO, WELD_BOUNDS_GUARD, bin, len);
}

static inline void jit_run_close(jit_run *t) {
  if (t->s) weld_store_free(t->s);
  if (t->m) weld_module_free(t->m);
  if (t->e) weld_engine_free(t->e);
}

/* The recorded frames of ta (the reference) and tb agree: function, module offset, depth. */
static inline void jit_same_frames(const weld_trap *ta, const weld_trap *tb, const char *name, const char *tier) {
  size_t n = weld_trap_frame_count(ta);
  CHECK(n > 0);
  unit_check(n == weld_trap_frame_count(tb), __FILE__, __LINE__, "%s: recorded frames %zu vs %s %zu", name, n, tier,
             weld_trap_frame_count(tb));
  unit_check(weld_trap_frame_total(ta) == weld_trap_frame_total(tb), __FILE__, __LINE__, "%s: %zu frames vs %s %zu",
             name, weld_trap_frame_total(ta), tier, weld_trap_frame_total(tb));
  for (size_t k = 0; k < n && k < weld_trap_frame_count(tb); k++) {
    const weld_frame *x = weld_trap_frame(ta, k), *y = weld_trap_frame(tb, k);
    unit_check(x->func_index == y->func_index && x->code_offset == y->code_offset && x->depth == y->depth, __FILE__,
               __LINE__, "%s frame %zu: func %u at 0x%x depth %u vs %s func %u at 0x%x depth %u", name, k,
               x->func_index, x->code_offset, x->depth, tier, y->func_index, y->code_offset, y->depth);
  }
}

/* Runs 1..nruns-1 (the compiling ones of jit_run_open_four) compiled every function: none
 * fell back; the two forced-baseline runs compiled all, the auto run (run 3, functions
 * compiled at their first call) at least auto_min; run 0, the interpreter, none. */
#define JIT_CHECK_ALL_COMPILED(r, nruns, auto_min) jit_check_all_compiled(r, nruns, auto_min, __FILE__, __LINE__)
static inline void jit_check_all_compiled(jit_run *r, int nruns, uint32_t auto_min, const char *file, int line) {
  for (int k = 1; k < nruns; k++) {
    weld_tier_stats ts;
    weld_module_tier_stats(r[k].m, &ts);
    const char *first = weld_module_func_fallback(r[k].m, 0);
    unit_check(ts.fell_back == 0, file, line, "run %d: %u functions fell back (first: %s)", k, ts.fell_back,
               first ? first : "?");
    if (k < 3) unit_check(ts.compiled == ts.functions, file, line, "run %d: %u of %u compiled", k, ts.compiled,
                          ts.functions);
    else unit_check(ts.compiled >= auto_min, file, line, "run %d: %u compiled, want at least %u", k, ts.compiled,
                    auto_min);
    for (uint32_t q = 0; q < ts.functions; q++) {
      const char *why = weld_module_func_fallback(r[k].m, q);
      unit_check(why == NULL, file, line, "run %d function %u: %s", k, q, why ? why : "");
    }
  }
  weld_tier_stats ts;
  weld_module_tier_stats(r[0].m, &ts);
  unit_check(ts.compiled == 0, file, line, "run 0 (interpreter): %u compiled", ts.compiled);
}

#define JIT_MAX_RUNS 4

/* Calls `name` in every run (at most JIT_MAX_RUNS, at most 2 results); each must do what
 * run 0 (the interpreter) did: the same results, or the same trap (message, kind,
 * backtrace), want_trap being run 0's message (NULL: no trap). Returns run 0's first
 * result (UINT64_MAX - 1 after a trap) for absolute checks. */
static inline uint64_t jit_same_calls(jit_run *r, int nruns, const char *name, const weld_val *args, size_t nargs, size_t nres,
                     const char *want_trap) {
  weld_val res[JIT_MAX_RUNS][2];
  weld_trap *tr[JIT_MAX_RUNS];
  for (int k = 0; k < nruns; k++) {
    memset(res[k], 0, sizeof res[k]);
    weld_func *f = weld_instance_func(r[k].i, name);
    if (!unit_check(f != NULL, __FILE__, __LINE__, "export %s", name)) return 0;
    tr[k] = weld_func_call(f, args, nargs, res[k], nres);
  }
  if (want_trap) {
    unit_check(tr[0] && strcmp(weld_trap_message(tr[0]), want_trap) == 0, __FILE__, __LINE__,
               "%s: interpreter says \"%s\", want \"%s\"", name, tr[0] ? weld_trap_message(tr[0]) : "(no trap)",
               want_trap);
  } else {
    unit_check(!tr[0], __FILE__, __LINE__, "%s: interpreter traps: %s", name, tr[0] ? weld_trap_message(tr[0]) : "");
  }
  for (int k = 1; k < nruns; k++) {
    if (!unit_check(!tr[0] == !tr[k], __FILE__, __LINE__, "%s: run %d %s, the interpreter %s", name, k,
                    tr[k] ? "traps" : "returns", tr[0] ? "traps" : "returns"))
      continue;
    if (tr[0]) {
      unit_check(strcmp(weld_trap_message(tr[0]), weld_trap_message(tr[k])) == 0, __FILE__, __LINE__,
                 "%s: \"%s\" vs run %d \"%s\"", name, weld_trap_message(tr[0]), k, weld_trap_message(tr[k]));
      unit_check(weld_trap_get_kind(tr[0]) == weld_trap_get_kind(tr[k]), __FILE__, __LINE__, "%s: kinds", name);
      jit_same_frames(tr[0], tr[k], name, "compiled");
    } else {
      for (size_t q = 0; q < nres; q++)
        unit_check(res[0][q].kind == res[k][q].kind && res[0][q].of.i64 == res[k][q].of.i64, __FILE__, __LINE__,
                   "%s result %zu: %lld vs run %d %lld", name, q, (long long)res[0][q].of.i64, k,
                   (long long)res[k][q].of.i64);
    }
  }
  uint64_t first = tr[0] ? UINT64_MAX - 1 : nres ? (res[0][0].kind == WELD_I32 ? (uint32_t)res[0][0].of.i32
                                                                                 : (uint64_t)res[0][0].of.i64)
                                                 : 0;
  for (int k = 0; k < nruns; k++)
    if (tr[k]) weld_trap_free(tr[k]);
  return first;
}

#endif
