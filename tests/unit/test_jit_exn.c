/* The baseline compiler's exception handling (src/jit/compile_exn.c):
 *   jit_exn  try_table (catch, catch_ref, catch_all, catch_all_ref; nested; a clause
 *            branching to a loop or out of the function), throw, throw_ref (rethrowing,
 *            null), exceptions from compiled and from interpreted callees, uncaught ones.
 *            The same calls run in the interpreter, in the baseline tier (guard region and
 *            explicit bounds) and in the auto tier compiling at the first call: results
 *            and traps (message, kind, backtrace) must be the interpreter's, and every
 *            function but the one kept interpreted on purpose must have been compiled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"
#include "jit_test.h"
#include "text/text.h"

static const char exn_wat[] =
    "(module\n"
    "  (tag $e (param i32))\n"
    "  (tag $e2 (param i64 i32))\n"
    "  (tag $e0)\n"
    "  (func $thrower (param $p i32)\n"
    "    (if (i32.eq (local.get $p) (i32.const 1)) (then (throw $e (i32.mul (local.get $p) (i32.const 10)))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 2)) (then (throw $e2 (i64.const -5) (i32.const 7))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 3)) (then (throw $e0)))\n"
    "    (if (i32.eq (local.get $p) (i32.const 4)) (then (throw_ref (ref.null exn))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 5)) (then (unreachable))))\n"
    /* kept interpreted (an if with parameters): exceptions from an interpreted callee */
    "  (func $ithrower (param $p i32)\n"
    "    (drop (if (param i32) (result i32) (local.get $p) (local.get $p) (then) (else)))\n"
    "    (call $thrower (local.get $p)))\n"
    "  (func (export \"catch\") (param $p i32) (result i32) (local $t i32)\n"
    "    (block $all\n"
    "      (block $h0\n"
    "        (block $h2 (result i64 i32)\n"
    "          (block $h1 (result i32)\n"
    "            (try_table (catch $e $h1) (catch $e2 $h2) (catch $e0 $h0) (catch_all $all)\n"
    "              (call $thrower (local.get $p)))\n"
    "            (return (i32.const -1)))\n"
    "          (return (i32.add (i32.const 1000))))\n"
    "        (local.set $t) (i32.wrap_i64) (local.get $t) (i32.add) (i32.const 2000) (i32.add) (return))\n"
    "      (return (i32.const 3000)))\n"
    "    (i32.const 4000))\n"
    "  (func (export \"icatch\") (param $p i32) (result i32)\n"
    "    (block $h1 (result i32)\n"
    "      (try_table (catch $e $h1) (call $ithrower (local.get $p)))\n"
    "      (return (i32.const -1)))\n"
    "    (i32.const 100) (i32.add))\n"
    /* nested: the inner try_table catches $e0 only, the outer one $e */
    "  (func (export \"nested\") (param $p i32) (result i32) (local $s i32)\n"
    "    (block $out (result i32)\n"
    "      (try_table (catch $e $out)\n"
    "        (block $in\n"
    "          (try_table (catch $e0 $in)\n"
    "            (local.set $s (i32.const 1))\n"
    "            (call $thrower (local.get $p))\n"
    "            (local.set $s (i32.const 2)))\n"
    "          (return (local.get $s)))\n"
    "        (return (i32.add (local.get $s) (i32.const 50))))\n"
    "      (i32.const -1))\n"
    "    (i32.add (i32.const 500)))\n"
    /* catch_ref, then the exception thrown again with throw_ref */
    "  (func (export \"rethrow\") (param $p i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $e $h)\n"
    "        (block $r (result exnref)\n"
    "          (try_table (catch_all_ref $r) (call $thrower (local.get $p)))\n"
    "          (return (i32.const 0)))\n"
    "        (throw_ref))\n"
    "      (i32.const -1))\n"
    "    (i32.const 7) (i32.add))\n"
    "  (func (export \"catchref\") (param $p i32) (result i32)\n"
    "    (block $h (result i32 exnref)\n"
    "      (try_table (catch_ref $e $h) (call $thrower (local.get $p)))\n"
    "      (return (i32.const 0)))\n"
    "    (drop) (i32.const 1) (i32.add))\n"
    /* a throw in the loop itself, caught each time; the clause branches to the loop */
    "  (func (export \"loop\") (param $n i32) (result i32) (local $i i32) (local $s i32)\n"
    "    (loop $l\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (block $h (result i32)\n"
    "        (try_table (catch $e $h)\n"
    "          (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))) (then (throw $e (local.get $i)))))\n"
    "        (i32.const 0))\n"
    "      (local.set $s (i32.add (local.get $s)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (local.get $s))\n"
    /* a clause whose label is the function's: the payload is the result */
    "  (func (export \"fnlabel\") (param $p i32) (result i32)\n"
    "    (try_table (catch $e 0) (call $thrower (local.get $p)))\n"
    "    (i32.const 9))\n"
    /* uncaught, or a trap inside a try_table (never caught) */
    "  (func (export \"uncaught\") (param $p i32) (result i32)\n"
    "    (block $h\n"
    "      (try_table (catch $e0 $h) (call $thrower (local.get $p)))\n"
    "      (return (i32.const 1)))\n"
    "    (i32.const 2))\n"
    "  (func (export \"direct\") (param $p i32) (result i32)\n"
    "    (i32.add (i32.const 1) (call $deep (local.get $p))))\n"
    "  (func $deep (param $p i32) (result i32)\n"
    "    (throw $e (local.get $p)))\n"
    ")\n";

enum { NRUNS = 4 };

#define CALL(name, arg, want_trap) jit_same_calls(r, NRUNS, name, (weld_val[]){WELD_I32_VAL(arg)}, 1, 1, want_trap)

UNIT_GROUP(jit_exn) {
  if (!jit_available()) {
    printf("jit_exn: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(exn_wat, sizeof exn_wat - 1, "exn", &bin, &len, &uerr))) return;
  jit_run r[NRUNS];
  memset(r, 0, sizeof r);
  if (jit_run_open_four(r, bin, len)) {
    static const char uncaught[] = "uncaught exception";
    CHECK_EQ_U64(CALL("catch", 0, NULL), 0xffffffff);
    CHECK_EQ_U64(CALL("catch", 1, NULL), 1010);
    CHECK_EQ_U64(CALL("catch", 2, NULL), 2002); /* -5 + 7 + 2000 */
    CHECK_EQ_U64(CALL("catch", 3, NULL), 3000);
    CALL("catch", 4, "null exception reference");
    CALL("catch", 5, "unreachable");
    CHECK_EQ_U64(CALL("icatch", 1, NULL), 110);
    CALL("icatch", 2, uncaught);
    CALL("icatch", 5, "unreachable");
    CHECK_EQ_U64(CALL("nested", 0, NULL), 2);
    CHECK_EQ_U64(CALL("nested", 1, NULL), 510);
    CHECK_EQ_U64(CALL("nested", 3, NULL), 51);
    CALL("nested", 2, uncaught);
    CHECK_EQ_U64(CALL("rethrow", 1, NULL), 17);
    CHECK_EQ_U64(CALL("rethrow", 0, NULL), 0);
    CALL("rethrow", 3, uncaught);
    CHECK_EQ_U64(CALL("catchref", 1, NULL), 11);
    CALL("catchref", 2, uncaught);
    CHECK_EQ_U64(CALL("loop", 100000, NULL), 1666683333u); /* 3 + 6 + ... + 99999 */
    CHECK_EQ_U64(CALL("fnlabel", 1, NULL), 10);
    CHECK_EQ_U64(CALL("fnlabel", 0, NULL), 9);
    CHECK_EQ_U64(CALL("uncaught", 3, NULL), 2);
    CALL("uncaught", 1, uncaught);
    CALL("uncaught", 5, "unreachable");
    CALL("direct", 4, uncaught);
    /* every function compiled but $ithrower (an if with parameters keeps it interpreted) */
    for (int k = 1; k < 3; k++) {
      weld_tier_stats ts;
      weld_module_tier_stats(r[k].m, &ts);
      CHECK_EQ_U64(ts.compiled, ts.functions - 1);
      for (uint32_t q = 0; q < ts.functions; q++) {
        const char *why = weld_module_func_fallback(r[k].m, q);
        unit_check(q == 1 ? why != NULL : why == NULL, __FILE__, __LINE__, "run %d function %u: %s", k, q,
                   why ? why : "(compiled)");
      }
    }
  }
  for (int k = 0; k < NRUNS; k++) jit_run_close(&r[k]);
  free(bin);
}
