/* Out of memory is an error, not an abort (weld.h's promise), on every path an embedder's
 * call or a running guest reaches: stores, host functions, tables, memories, globals,
 * instantiation, calls, traps. The scenario runs once per allocation it makes, with that
 * one allocation failing (util_alloc_fail_at); each run must end in a reported failure
 * (NULL, false, an error or a trap) and never in abort(). Module compilation is not
 * covered yet (src/util/util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util/util.h"
#include "weld.h"

static const char oom_wat[] =
    "(module\n"
    "  (import \"env\" \"h\" (func $h (param i32) (result i32)))\n"
    "  (import \"env\" \"t\" (table 1 funcref))\n"
    "  (import \"env\" \"m\" (memory 1))\n"
    "  (import \"env\" \"g\" (global (mut i32)))\n"
    "  (table $own 1000 funcref)\n"
    "  (global $x (mut i64) (i64.const 5))\n"
    "  (elem (table $own) (i32.const 0) func $f $f $f)\n"
    "  (func $f (export \"f\") (param i32) (result i32)\n"
    "    (global.set 0 (local.get 0))\n"
    "    (i32.add (call $h (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"trap\") unreachable))\n";

static weld_trap *host_h(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)env;
  res[0] = WELD_I32_VAL(args[0].of.i32 * 2);
  return NULL;
}

/* Returns how many steps reported a failure; *done when every step succeeded. */
static int scenario(weld_engine *e, weld_module *m, bool *done) {
  int failures = 0;
  *done = false;
  weld_store *s = weld_store_new(e);
  if (!s) return 1;
  weld_valkind i32 = WELD_I32;
  weld_func *h = weld_func_new(s, &i32, 1, &i32, 1, host_h, NULL, NULL);
  weld_val nul = {.kind = WELD_FUNCREF};
  weld_table *t = weld_table_new(s, WELD_FUNCREF, 1, 10, nul);
  weld_memory *mem = weld_memory_new(s, 1, 2);
  weld_global *g = weld_global_new(s, WELD_I32, true, WELD_I32_VAL(0));
  failures += !h + !t + !mem + !g;
  if (h && t && mem && g) {
    weld_import imps[4] = {{"env", "h", {.kind = WELD_EXTERN_FUNC, .of.func = h}},
                           {"env", "t", {.kind = WELD_EXTERN_TABLE, .of.table = t}},
                           {"env", "m", {.kind = WELD_EXTERN_MEMORY, .of.memory = mem}},
                           {"env", "g", {.kind = WELD_EXTERN_GLOBAL, .of.global = g}}};
    weld_trap *trap = NULL;
    weld_error *err = NULL;
    weld_instance *inst = weld_instance_new(s, m, imps, 4, &trap, &err);
    if (!inst) {
      failures++;
      CHECK(err != NULL);
    } else {
      weld_val arg = WELD_I32_VAL(20), res[1];
      weld_trap *r = weld_func_call(weld_instance_func(inst, "f"), &arg, 1, res, 1);
      if (r) failures++;
      else CHECK(res[0].of.i32 == 41 && weld_global_get(g).of.i32 == 20);
      weld_trap_free(r);
      r = weld_func_call(weld_instance_func(inst, "trap"), NULL, 0, NULL, 0);
      if (CHECK(r != NULL)) {
        /* the trap itself, or the out-of-memory stand-in for it */
        const char *msg = weld_trap_message(r);
        if (strcmp(msg, "unreachable") != 0) failures++;
        CHECK(strcmp(msg, "unreachable") == 0 || strstr(msg, "out of memory") != NULL);
      }
      weld_trap_free(r);
      if (weld_table_grow(t, 5, nul) < 0) failures++;
      weld_global *g2 = weld_global_new(s, WELD_I64, false, WELD_I64_VAL(1));
      failures += !g2;
    }
    weld_trap_free(trap);
    weld_error_free(err);
  }
  weld_store_free(s);
  *done = failures == 0;
  return failures;
}

UNIT_GROUP(oom) {
  weld_engine *e = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)oom_wat, strlen(oom_wat), &err);
  if (!CHECK(m)) {
    if (err) fprintf(stderr, "%s\n", weld_error_message(err));
    return;
  }
  bool done;
  util_alloc_fail_at(0);
  CHECK(scenario(e, m, &done) == 0);
  unsigned long total = util_alloc_fail_at(0);
  CHECK(total > 10);
  fprintf(stderr, "oom: %lu allocations in the scenario, each failed once\n", total);
  unsigned long silent = 0;
  for (unsigned long k = 1; k <= total; k++) {
    util_alloc_fail_at(k);
    int failures = scenario(e, m, &done);
    util_alloc_fail_at(0);
    if (failures == 0) silent++; /* the failed allocation went unreported */
  }
  CHECK_EQ_U64(silent, 0);
  /* and afterwards everything works again */
  CHECK(scenario(e, m, &done) == 0);
  weld_module_free(m);
  weld_engine_free(e);
}
