/* Out of memory is an error, not an abort (weld.h's promise), on every path an embedder's
 * call or a running guest reaches: stores, host functions, tables, memories, globals,
 * instantiation, calls, traps. The scenario runs once per allocation it makes, with that
 * one allocation failing (util_alloc_fail_at); each run must end in a reported failure
 * (NULL, false, an error or a trap) and never in abort(). Loading a binary module
 * (decoding, validation, translation) is covered the same way by oom_module_new, and the
 * text format (reader, script parser, printer) by test_oom_text.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "text/text.h"
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

/* A module that reaches every part of loading: types, imports, functions with locals,
 * nested blocks, loop, if/else, br_table, calls, call_indirect, a memory and a table,
 * active and passive data and element segments, exports, a start function and a name
 * section (the $names). */
static const char load_wat[] =
    "(module $m\n"
    "  (type $t (func (param i32) (result i32)))\n"
    "  (import \"env\" \"h\" (func $h (type $t)))\n"
    "  (memory $mem 1 2)\n"
    "  (table $tab 4 funcref)\n"
    "  (global $g (mut i32) (i32.const 7))\n"
    "  (data (i32.const 16) \"hello\")\n"
    "  (data $pass \"passive\")\n"
    "  (elem (i32.const 0) $f $sw)\n"
    "  (elem $pe func $f)\n"
    "  (func $f (export \"f\") (type $t) (local $x i64) (local $y f64)\n"
    "    (block $out (result i32)\n"
    "      (loop $again\n"
    "        (br_if $out (i32.const 1) (i32.eqz (local.get 0)))\n"
    "        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "        (br $again))\n"
    "      (i32.const 0)))\n"
    "  (func $sw (export \"sw\") (param $k i32) (result i32)\n"
    "    (block $a (block $b (block $c\n"
    "      (br_table $a $b $c (local.get $k)))\n"
    "      (return (i32.const 10)))\n"
    "      (return (call $h (i32.const 20))))\n"
    "    (if (result i32) (local.get $k)\n"
    "      (then (call_indirect (type $t) (local.get $k) (i32.const 0)))\n"
    "      (else (i32.load8_u (i32.const 16)))))\n"
    "  (func $init (memory.init $pass (i32.const 0) (i32.const 0) (i32.const 3))\n"
    "    (table.init $pe (i32.const 2) (i32.const 0) (i32.const 1))\n"
    "    (global.set $g (i32.const 1)) (data.drop $pass))\n"
    "  (start $init)\n"
    /* deep and wide: the validator's and the translator's stacks and buffers must grow */
    "  (func $deep (export \"deep\") (result i32)\n"
    "    %s %s\n"
    "    i32.const 0 %s %s))\n";

/* Fails each allocation of weld_module_new on binary input in turn: every attempt must
 * succeed or report "out of memory", and free what it allocated (LeakSanitizer checks the
 * latter in the ASan build). The loop ends at the first attempt whose injected failure
 * never came, which proves every allocation on the path was tried. */
static void module_new_each_allocation(void) {
  uint8_t *bin = NULL;
  size_t len = 0;
  util_error ue;
  util_error_clear(&ue);
  /* 40 nested blocks; 100 values on the stack, added up */
  static char opens[40 * 6 + 1], ends[40 * 4 + 1], consts[100 * 12 + 1], adds[100 * 8 + 1];
  static char wat[sizeof load_wat + sizeof opens + sizeof ends + sizeof consts + sizeof adds];
  for (int i = 0; i < 40; i++) memcpy(opens + i * 6, "block ", 6), memcpy(ends + i * 4, "end ", 4);
  for (int i = 0; i < 100; i++) memcpy(consts + i * 12, "i32.const 1 ", 12), memcpy(adds + i * 8, "i32.add ", 8);
  snprintf(wat, sizeof wat, load_wat, opens, ends, consts, adds);
  util_alloc_fail_at(0);
  if (!CHECK(text_wat_to_binary(wat, strlen(wat), "load.wat", &bin, &len, &ue))) {
    fprintf(stderr, "%s\n", ue.msg);
    return;
  }
  /* the name section is there to be read */
  bool has_names = false;
  for (size_t i = 0; i + 5 <= len; i++) has_names |= memcmp(bin + i, "\4name", 5) == 0;
  CHECK(has_names);
  weld_engine *e = weld_engine_new(NULL);
  if (!CHECK(e)) {
    free(bin);
    return;
  }
  unsigned long n = 1, failed = 0, limit = 100000;
  bool finished = false;
  for (; n < limit; n++) {
    weld_error *err = NULL;
    util_alloc_fail_at(n);
    weld_module *m = weld_module_new(e, bin, len, &err);
    unsigned long made = util_alloc_fail_at(0);
    if (made < n) { /* nothing was failed: the load must have worked */
      finished = true;
      if (CHECK(m)) CHECK_EQ_U64(weld_module_export_count(m), 3);
      else fprintf(stderr, "oom_module_new: %s\n", weld_error_message(err));
      weld_module_free(m);
      weld_error_free(err);
      break;
    }
    if (m) {
      weld_module_free(m);
    } else {
      failed++;
      if (!CHECK(err && strstr(weld_error_message(err), "out of memory"))) {
        fprintf(stderr, "oom_module_new: allocation %lu: %s\n", n, err ? weld_error_message(err) : "(no error)");
      }
    }
    weld_error_free(err);
  }
  CHECK(finished);
  CHECK(n > 20);
  CHECK(failed > 0);
  fprintf(stderr, "oom_module_new: %lu allocations, each failed once (%lu load failures reported)\n", n - 1,
          failed);
  /* and afterwards loading works again */
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, bin, len, &err);
  CHECK(m != NULL);
  weld_module_free(m);
  weld_error_free(err);
  weld_engine_free(e);
  free(bin);
}

void oom_text_tests(void); /* test_oom_text.c */
void oom_services(void);   /* test_oom_services.c */
void oom_hosts(void);      /* test_oom_capi.c */

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
  module_new_each_allocation();
  oom_text_tests();
  oom_services();
  oom_hosts();
}
