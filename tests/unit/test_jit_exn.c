/* The baseline compiler's exception handling (src/jit/compile_exn.c):
 *   jit_exn  try_table (catch, catch_ref, catch_all, catch_all_ref; nested; a clause
 *            branching to a loop or out of the function), throw, throw_ref (rethrowing,
 *            null), exceptions from compiled and from interpreted callees, uncaught ones.
 *            The same calls run in the interpreter, in the baseline tier (guard region and
 *            explicit bounds) and in the auto tier compiling at the first call: results
 *            and traps (message, kind, backtrace) must be the interpreter's, and every
 *            function but the one kept interpreted on purpose must have been compiled.
 *   jit_exn_legacy  the legacy form, the same way: try with catch, catch_all and block
 *            parameters; a catch branching out; delegate to an outer try, to a block
 *            inside a try_table, to a try in its catch, to an if, out of the function;
 *            rethrow from nested catches, from catch_all into a try_table and on with
 *            throw_ref, into a try_table inside the catch; a catch that rethrows in a loop;
 *            tries in unreachable code; exceptions through an interpreted frame with a
 *            legacy try between compiled ones; uncaught exceptions and traps.
 *   jit_exn_legacy_osr  an interpreted frame going on compiled at a loop inside a catch
 *            (on-stack replacement), whose rethrow then finds the exception the
 *            interpreter kept for it. */
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
    "  (tag $ev (param v128))\n"
    "  (func $thrower (param $p i32)\n"
    "    (if (i32.eq (local.get $p) (i32.const 1)) (then (throw $e (i32.mul (local.get $p) (i32.const 10)))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 2)) (then (throw $e2 (i64.const -5) (i32.const 7))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 3)) (then (throw $e0)))\n"
    "    (if (i32.eq (local.get $p) (i32.const 4)) (then (throw_ref (ref.null exn))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 5)) (then (unreachable))))\n"
    /* kept interpreted (a throw with a v128 payload, never taken): exceptions from an
     * interpreted callee */
    "  (func $ithrower (param $p i32)\n"
    "    (if (i32.const 0) (then (throw $ev (v128.const i64x2 0 0))))\n"
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
    /* every function compiled but $ithrower (a GC instruction keeps it interpreted) */
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

/* ---------- the legacy form: try, catch, catch_all, delegate, rethrow ---------- */

static const char legacy_wat[] =
    "(module\n"
    "  (tag $e (param i32))\n"
    "  (tag $e2 (param i64 i32))\n"
    "  (tag $e0)\n"
    "  (tag $ev (param v128))\n"
    "  (func $thrower (param $p i32)\n"
    "    (if (i32.eq (local.get $p) (i32.const 1)) (then (throw $e (i32.mul (local.get $p) (i32.const 10)))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 2)) (then (throw $e2 (i64.const -5) (i32.const 7))))\n"
    "    (if (i32.eq (local.get $p) (i32.const 3)) (then (throw $e0)))\n"
    "    (if (i32.eq (local.get $p) (i32.const 5)) (then (unreachable))))\n"
  /* kept interpreted (a throw with a v128 payload, never taken): a legacy try around a
   * compiled callee that delegates to its caller, whose catch rethrows to a compiled caller */
    "  (func $ipass (param $p i32) (result i32)\n"
    "    (if (i32.const 0) (then (throw $ev (v128.const i64x2 0 0))))\n"
    "    (try (result i32)\n"
    "      (do (call $dout (local.get $p)))\n"
    "      (catch $e (drop) (rethrow 0))\n"
    "      (catch_all (i32.const 2))))\n"
  /* delegate 1 from the inner try: past the catch_all around it, to the caller */
    "  (func $dout (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do (try (result i32) (do (call $thrower (local.get $p)) (i32.const 0)) (delegate 1)))\n"
    "      (catch_all (i32.const -5))))\n"
    "  (func (export \"catch\") (param $p i32) (result i32) (local $t i32)\n"
    "    (try (result i32)\n"
    "      (do (call $thrower (local.get $p)) (i32.const -1))\n"
    "      (catch $e (i32.const 1000) (i32.add))\n"
    "      (catch $e2 (local.set $t) (i32.wrap_i64) (local.get $t) (i32.add) (i32.const 2000) (i32.add))\n"
    "      (catch $e0 (i32.const 3000))\n"
    "      (catch_all (i32.const 4000))))\n"
    "  (func (export \"params\") (param $p i32) (result i32) (local $q i32)\n"
    "    (local.set $q (i32.const 20000))\n"
    "    (i32.add (local.get $q)\n"
    "      (i32.add (i32.const 40000)\n"
    "        (i32.const 5)\n"
    "        (try (param i32) (result i32)\n"
    "          (do (local.set $q (i32.const 1)) (call $thrower (local.get $p)) (i32.const 100) (i32.add))\n"
    "          (catch $e (i32.add (local.get $q)))\n"
    "          (catch_all (i32.const 9))))))\n"
  /* delegate to the outer try (label 1), past the middle one that would catch $e */
    "  (func (export \"delegate1\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (try (result i32)\n"
    "          (do (try (result i32) (do (call $thrower (local.get $p)) (i32.const 0)) (delegate 1)))\n"
    "          (catch $e (drop) (i32.const -100))))\n"
    "      (catch $e (i32.const 1000) (i32.add))\n"
    "      (catch_all (i32.const 77))))\n"
    "  (func (export \"delegate0\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (try (result i32)\n"
    "          (do (try (result i32) (do (call $thrower (local.get $p)) (i32.const 0)) (delegate 0)))\n"
    "          (catch $e (i32.const -100) (i32.add))))\n"
    "      (catch_all (i32.const 77))))\n"
  /* delegate to a block: the try_table around it catches */
    "  (func (export \"delegate_table\") (param $p i32) (result i32)\n"
    "    (block $h (result i32)\n"
    "      (try_table (catch $e $h)\n"
    "        (block (try (do (call $thrower (local.get $p))) (delegate 0))))\n"
    "      (i32.const -1))\n"
    "    (i32.const 300) (i32.add))\n"
  /* delegate to a try in its catch: the try around that one catches */
    "  (func (export \"delegate_incatch\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (try (result i32)\n"
    "          (do (throw $e0))\n"
    "          (catch $e0 (try (result i32) (do (call $thrower (local.get $p)) (i32.const 0)) (delegate 0)))\n"
    "          (catch_all (i32.const -7))))\n"
    "      (catch $e (i32.const 600) (i32.add))))\n"
    "  (func (export \"delegate_caller\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do (call $dout (local.get $p)))\n"
    "      (catch $e (i32.const 2000) (i32.add))\n"
    "      (catch_all (i32.const 5))))\n"
  /* rethrow 1 from a nested catch: the outer catch's exception */
    "  (func (export \"rethrow_nested\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (try (result i32)\n"
    "          (do (call $thrower (local.get $p)) (i32.const 0))\n"
    "          (catch $e\n"
    "            (drop)\n"
    "            (try (result i32)\n"
    "              (do (call $thrower (i32.const 3)) (i32.const 0))\n"
    "              (catch $e0 (rethrow 1))))))\n"
    "      (catch $e (i32.const 500) (i32.add))\n"
    "      (catch_all (i32.const 9))))\n"
  /* catch_all rethrows into a try_table (catch_ref), which throws it with throw_ref */
    "  (func (export \"catchall_rethrow\") (param $p i32) (result i32)\n"
    "    (block $h (result i32 exnref)\n"
    "      (try_table (catch_ref $e $h)\n"
    "        (try (do (call $thrower (local.get $p))) (catch_all (rethrow 0))))\n"
    "      (return (i32.const 0)))\n"
    "    (drop) (i32.const 3) (i32.add))\n"
    "  (func (export \"rethrow_ref\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (block $h (result exnref)\n"
    "          (try_table (catch_all_ref $h)\n"
    "            (try (do (call $thrower (local.get $p))) (catch_all (rethrow 0))))\n"
    "          (return (i32.const 0)))\n"
    "        (throw_ref))\n"
    "      (catch $e (i32.const 40) (i32.add))))\n"
    "  (func (export \"icross\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do (call $ipass (local.get $p)))\n"
    "      (catch $e (i32.const 700) (i32.add))))\n"
  /* in a loop: caught, added, rethrown, caught again, every third time */
    "  (func (export \"loop\") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $t i32)\n"
    "    (loop $l\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (try\n"
    "        (do\n"
    "          (try\n"
    "            (do (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))) (then (throw $e (local.get $i)))))\n"
    "            (catch $e (local.set $t) (local.set $s (i32.add (local.get $s) (local.get $t))) (rethrow 0))))\n"
    "        (catch $e (drop) (local.set $s (i32.add (local.get $s) (i32.const 1)))))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (local.get $s))\n"
    "  (func (export \"uncaught\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do (call $thrower (local.get $p)) (i32.const 1))\n"
    "      (catch $e0 (i32.const 2))))\n"
    "  (func (export \"throw_in\") (param $p i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do (throw $e (local.get $p)))\n"
    "      (catch $e0 (i32.const 2))))\n"
    "  (func (export \"rethrow_out\") (param $p i32) (result i32)\n"
    "    (try (do (call $thrower (local.get $p))) (catch_all (rethrow 0)))\n"
    "    (i32.const 4))\n"
  /* the loop in a catch (the third of the function: its hidden local is the third) and
   * then rethrow: entered compiled from the interpreter at the loop (jit_exn_legacy_osr) */
    "  (func (export \"osr_rethrow\") (param $n i32) (result i32) (local $i i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (try (do (throw $e0)) (catch_all))\n"
    "        (try (result i32)\n"
    "          (do (throw $e (local.get $n)))\n"
    "          (catch $e0 (i32.const -1))\n"
    "          (catch $e\n"
    "            (drop)\n"
    "            (loop $l\n"
    "              (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "            (rethrow 0))))\n"
    "      (catch $e (local.get $i) (i32.add))))\n"
  /* unreachable code with whole tries (their catch and delegate skipped with them) */
    "  (func (export \"deadnest\") (param i32) (result i32)\n"
    "    (block $b (result i32)\n"
    "      (try (result i32)\n"
    "        (do (br $b (i32.const 1))\n"
    "            (try (do (call $thrower (local.get 0))) (catch $e (drop)) (catch_all))\n"
    "            (try (do (nop)) (delegate 0))\n"
    "            (i32.const 2))\n"
    "        (catch $e (i32.const 100) (i32.add)))))\n"
  /* unreachable code in a catch, up to the next catch_all */
    "  (func (export \"deadcatch\") (param i32) (result i32) (local $s i32)\n"
    "    (try (do (call $thrower (local.get 0)))\n"
    "      (catch $e (local.set $s) (br 0) (try (do) (catch_all)) (local.set $s (i32.const -1)))\n"
    "      (catch_all (local.set $s (i32.const 77))))\n"
    "    (local.get $s))\n"
  /* rethrow 2 from a catch in a catch_all in a catch */
    "  (func (export \"deep\") (param i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (try (result i32)\n"
    "          (do (call $thrower (local.get 0)) (i32.const 0))\n"
    "          (catch $e\n"
    "            (drop)\n"
    "            (try (result i32)\n"
    "              (do (throw $e0))\n"
    "              (catch_all\n"
    "                (try (result i32)\n"
    "                  (do (throw $e0))\n"
    "                  (catch $e0 (rethrow 2))))))))\n"
    "      (catch $e (i32.const 1000) (i32.add))))\n"
  /* a catch branching out of the try with its payload */
    "  (func (export \"brout\") (param i32) (result i32)\n"
    "    (block $out (result i32)\n"
    "      (try (result i32)\n"
    "        (do (call $thrower (local.get 0)) (i32.const 3))\n"
    "        (catch $e (br $out (i32.const 50) (i32.add)))\n"
    "      )\n"
    "      (i32.const 1) (i32.add)))\n"
  /* rethrow inside a try_table inside the catch: the try_table catches it */
    "  (func (export \"tablein\") (param i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do (call $thrower (local.get 0)) (i32.const 3))\n"
    "      (catch $e\n"
    "        (drop)\n"
    "        (block $h (result i32)\n"
    "          (try_table (catch $e $h) (rethrow 2))\n"
    "          (unreachable))\n"
    "        (i32.const 2000) (i32.add))))\n"
  /* delegate 0 to an if: the try around it */
    "  (func (export \"ifdel\") (param i32) (result i32)\n"
    "    (try (result i32)\n"
    "      (do\n"
    "        (if (result i32) (local.get 0)\n"
    "          (then (try (result i32) (do (call $thrower (local.get 0)) (i32.const 9)) (delegate 0)))\n"
    "          (else (i32.const 8))))\n"
    "      (catch $e (i32.const 300) (i32.add))))\n"
  /* several catches before the ones that rethrow (the sixth and seventh hidden locals) */
    "  (func (export \"many\") (param i32) (result i32) (local $s i32)\n"
    "    (try (do (call $thrower (local.get 0))) (catch_all))\n"
    "    (try (do (call $thrower (local.get 0))) (catch $e (drop)) (catch_all))\n"
    "    (try (do (call $thrower (local.get 0))) (catch $e (local.set $s)) (catch_all))\n"
    "    (try (result i32)\n"
    "      (do (try (do (call $thrower (local.get 0))) (catch $e (drop) (rethrow 0)) (catch_all (rethrow 0))) (i32.const 0))\n"
    "      (catch $e (local.get $s) (i32.add))))\n"
    ")\n";

/* each function with each argument: the result, or the trap's message (the values are
 * worked out from the functions above; the tiers must also agree with each other) */
static const struct legacy_case {
  const char *name;
  int32_t arg;
  uint32_t want;
  const char *trap;
} legacy_cases[] = {
    {"catch", 0, 0xffffffffu, NULL},       {"catch", 1, 1010, NULL},
    {"catch", 2, 2002, NULL},              {"catch", 3, 3000, NULL},
    {"catch", 5, 0, "unreachable"},        {"params", 0, 60105, NULL},
    {"params", 1, 60011, NULL},            {"params", 2, 60009, NULL},
    {"params", 5, 0, "unreachable"},       {"delegate1", 0, 0, NULL},
    {"delegate1", 1, 1010, NULL},          {"delegate1", 3, 77, NULL},
    {"delegate1", 5, 0, "unreachable"},    {"delegate0", 1, (uint32_t)-90, NULL},
    {"delegate0", 2, 77, NULL},            {"delegate_table", 0, 299, NULL},
    {"delegate_table", 1, 310, NULL},      {"delegate_table", 3, 0, "uncaught exception"},
    {"delegate_incatch", 0, 0, NULL},      {"delegate_incatch", 1, 610, NULL},
    {"delegate_incatch", 2, 0, "uncaught exception"},
    {"delegate_caller", 0, 0, NULL},       {"delegate_caller", 1, 2010, NULL},
    {"delegate_caller", 3, 5, NULL},       {"delegate_caller", 5, 0, "unreachable"},
    {"rethrow_nested", 0, 0, NULL},        {"rethrow_nested", 1, 510, NULL},
    {"rethrow_nested", 3, 9, NULL},        {"catchall_rethrow", 1, 13, NULL},
    {"catchall_rethrow", 0, 0, NULL},      {"catchall_rethrow", 3, 0, "uncaught exception"},
    {"rethrow_ref", 1, 50, NULL},          {"rethrow_ref", 2, 0, "uncaught exception"},
    {"icross", 0, 0, NULL},                {"icross", 1, 710, NULL},
    {"icross", 3, 2, NULL},                {"icross", 5, 0, "unreachable"},
    {"uncaught", 0, 1, NULL},              {"uncaught", 3, 2, NULL},
    {"uncaught", 1, 0, "uncaught exception"},
    {"uncaught", 5, 0, "unreachable"},     {"throw_in", 4, 0, "uncaught exception"},
    {"rethrow_out", 0, 4, NULL},           {"rethrow_out", 2, 0, "uncaught exception"},
    {"rethrow_out", 5, 0, "unreachable"},  {"loop", 100000, 1666716666u, NULL}, /* 3 + 6 + ... + 99999 + 33333 */
    {"osr_rethrow", 1000, 2000, NULL},     {"deadnest", 1, 1, NULL},
    {"deadcatch", 0, 0, NULL},             {"deadcatch", 1, 10, NULL},
    {"deadcatch", 2, 77, NULL},            {"deep", 0, 0, NULL},
    {"deep", 1, 1010, NULL},               {"deep", 3, 0, "uncaught exception"},
    {"brout", 0, 4, NULL},                 {"brout", 1, 60, NULL},
    {"tablein", 0, 3, NULL},               {"tablein", 1, 2010, NULL},
    {"ifdel", 0, 8, NULL},                 {"ifdel", 1, 310, NULL},
    {"ifdel", 2, 0, "uncaught exception"}, {"many", 0, 0, NULL},
    {"many", 1, 20, NULL},                 {"many", 2, 0, "uncaught exception"},
};

static bool legacy_module(uint8_t **bin, size_t *len) {
  util_error uerr;
  util_error_clear(&uerr);
  return CHECK(text_wat_to_binary(legacy_wat, sizeof legacy_wat - 1, "legacy", bin, len, &uerr));
}

UNIT_GROUP(jit_exn_legacy) {
  if (!jit_available()) {
    printf("jit_exn_legacy: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  if (!legacy_module(&bin, &len)) return;
  jit_run r[NRUNS];
  memset(r, 0, sizeof r);
  if (jit_run_open_four(r, bin, len)) {
    for (size_t i = 0; i < sizeof legacy_cases / sizeof *legacy_cases; i++) {
      const struct legacy_case *c = &legacy_cases[i];
      uint64_t got = CALL(c->name, c->arg, c->trap);
      if (!c->trap)
        unit_check(got == c->want, __FILE__, __LINE__, "%s(%d) = %llu, want %u", c->name, c->arg,
                   (unsigned long long)got, c->want);
    }
    /* every function compiled but $ipass (func 1): in the baseline tier with the module, in
     * the auto tier at its first call (each was called) */
    for (int k = 1; k < NRUNS; k++) {
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

UNIT_GROUP(jit_exn_legacy_osr) {
  if (!jit_available()) {
    printf("jit_exn_legacy_osr: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  if (!legacy_module(&bin, &len)) return;
  /* the interpreter, and the auto tier promoting nothing by calls but looking for loops to
   * go on compiled every 2 units of work */
  jit_run r[2];
  memset(r, 0, sizeof r);
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = WELD_TIER_INTERP;
  bool ok = jit_run_open(&r[0], &cfg, bin, len) && jit_run_instantiate(&r[0], NULL, 0);
  cfg.tier = WELD_TIER_AUTO;
  cfg.tier_up_threshold = 1000000;
  cfg.tier_eager_bytes = 0; /* functions compiled one by one */
  cfg.osr_threshold = 2;
  ok = ok && jit_run_open(&r[1], &cfg, bin, len) && jit_run_instantiate(&r[1], NULL, 0);
  if (ok) {
    static const struct {
      const char *name;
      int32_t arg;
      uint32_t want;
    } cases[] = {{"osr_rethrow", 100000, 200000}, {"loop", 100000, 1666716666u}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
      weld_tier_stats before, after;
      weld_module_tier_stats(r[1].m, &before);
      uint64_t got = jit_same_calls(r, 2, cases[i].name, (weld_val[]){WELD_I32_VAL(cases[i].arg)}, 1, 1, NULL);
      weld_module_tier_stats(r[1].m, &after);
      unit_check(got == cases[i].want, __FILE__, __LINE__, "%s = %llu, want %u", cases[i].name,
                 (unsigned long long)got, cases[i].want);
      unit_check(after.osr_entered > before.osr_entered, __FILE__, __LINE__,
                 "%s: the auto tier's call never went on compiled", cases[i].name);
    }
  }
  jit_run_close(&r[0]);
  jit_run_close(&r[1]);
  free(bin);
}
