/* What the compiling tiers' unit tests (test_jit*.c) share: a module made and instantiated
 * in one tier, and the check that two traps of the same call have the same backtrace. */
#ifndef WELD_TESTS_JIT_TEST_H
#define WELD_TESTS_JIT_TEST_H

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

#endif
