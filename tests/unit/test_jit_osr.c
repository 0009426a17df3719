/* On-stack replacement (src/jit/osr.c), group jit_osr: each exported function below is
 * called once, so under the auto tier its loop can only run compiled by leaving the
 * interpreter at a loop header. Every call runs in the interpreter and in the auto tier
 * with on-stack replacement looked for every 2 units of work (osr_threshold 2), and must
 * give the same results, the same traps with the same backtraces, and spend the same
 * fuel; the auto tier's statistics must show that the frame did go on compiled (a second
 * call of a function runs compiled from its start). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit.h"
#include "text/text.h"
#include "jit_test.h"

static const char osr_wat[] =
    "(module\n"
    "  (memory 1)\n"
    "  (tag $boom (param i32))\n"
    /* one loop, the function's whole work */
    "  (func (export \"sum\") (param $n i32) (result i64) (local $i i32) (local $acc i64)\n"
    "    (loop $l\n"
    "      (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.mul (local.get $i) (local.get $i)))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (local.get $acc))\n"
    /* nested loops, with a constant below them on the operand stack */
    "  (func (export \"nested\") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)\n"
    "    (i32.const 7)\n"
    "    (loop $o\n"
    "      (local.set $j (i32.const 0))\n"
    "      (loop $in\n"
    "        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 31)) (i32.xor (local.get $i) (local.get $j))))\n"
    "        (local.set $j (i32.add (local.get $j) (i32.const 1)))\n"
    "        (br_if $in (i32.lt_u (local.get $j) (local.get $n))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $o (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (i32.add (local.get $s)))\n"
    /* loop parameters: the running values live on the operand stack at the header */
    "  (func (export \"params\") (param $n i32) (result i64)\n"
    "    (i64.const 1) (i32.const 0)\n"
    "    (loop $l (param i64 i32) (result i64 i32)\n"
    "      (i32.add (local.get $n))\n"
    "      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "      (br_if $l (local.get $n)))\n"
    "    (i64.extend_i32_u) (i64.add))\n"
    /* a value computed before the loop stays below it, in its slot in both tiers */
    "  (func (export \"below\") (param $n i32) (result i32) (local $i i32)\n"
    "    (i32.mul (local.get $n) (i32.const 3))\n"
    "    (loop $l\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (i32.add (local.get $i)))\n"
    /* below the loop a constant the interpreter may keep pending (tee of a local known to
     * hold zero; a wrapped i64 constant) while compiled code reads its slot: the entry's
     * stub writes the constant there first */
    "  (func (export \"below0\") (param $n i32) (result i32) (local $i i32) (local $z i32)\n"
    "    (local.tee $z (i32.const 0))\n"
    "    (loop $l\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (i32.add (local.get $i)))\n"
    "  (func (export \"below1\") (param $n i32) (result i32) (local $i i32)\n"
    "    (i32.wrap_i64 (i64.const 0x100000005))\n"
    "    (local.tee $i (i32.const 3))\n"
    "    (loop $l\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (i32.add (local.get $i)) (i32.mul))\n"
    /* traps after the frame went on compiled: in the loop (memory), after it (division),
     * one call below the exported function (the backtrace has both) */
    "  (func $walk (param $n i32) (result i32) (local $p i32)\n"
    "    (loop $l\n"
    "      (local.set $p (i32.add (local.get $p) (i32.const 4)))\n"
    "      (drop (i32.load (local.get $p)))\n"
    "      (br_if $l (i32.ne (local.get $p) (local.get $n))))\n"
    "    (i32.div_u (i32.const 1) (i32.sub (local.get $p) (local.get $n))))\n"
    "  (func (export \"walk\") (param i32) (result i32) (i32.add (i32.const 1) (call $walk (local.get 0))))\n"
    /* an endless loop, for fuel */
    "  (func (export \"spin\") (param i32) (result i32) (loop (br 0)) (i32.const 0))\n"
    /* an exception thrown below the compiled frame reaches the interpreted caller's
     * try_table ($thrower is interpreted: the compiler does not handle throw) */
    "  (func $thrower (param i32) (if (i32.eq (local.get 0) (i32.const 5000)) (then (throw $boom (local.get 0)))))\n"
    "  (func $calls (param $n i32) (result i32) (local $i i32)\n"
    "    (loop $l\n"
    "      (call $thrower (local.get $i))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))\n"
    "    (local.get $i))\n"
    "  (func (export \"catch\") (param i32) (result i32)\n"
    "    (block $h (result i32) (try_table (catch $boom $h) (return (call $calls (local.get 0)))) (unreachable))\n"
    "    (i32.const 100000) (i32.add))\n"
    ")\n";

typedef jit_run osr_run;

static bool osr_open(osr_run *t, weld_tier tier, const uint8_t *bin, size_t len) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = 1000000; /* no promotion by calls: each function is called once */
  cfg.tier_eager_bytes = 0; /* functions compiled one by one */
  cfg.osr_threshold = 2;
  return jit_run_open(t, &cfg, bin, len) && jit_run_instantiate(t, NULL, 0);
}

static void osr_close(osr_run *t) { jit_run_close(t); }

static uint64_t osr_count(osr_run *t) {
  weld_tier_stats ts;
  weld_module_tier_stats(t->m, &ts);
  return ts.osr_entered;
}

/* Calls `name` in both; the same result or the same trap (message, kind, frames). The
 * auto tier's call must have continued compiled from a loop when `want_osr`. */
static void same(osr_run *a, osr_run *b, const char *name, int32_t arg, bool want_osr, const char *want_trap) {
  uint64_t before = osr_count(b);
  weld_val args[1] = {WELD_I32_VAL(arg)}, ra[2] = {0}, rb[2] = {0};
  weld_func *fa = weld_instance_func(a->i, name), *fb = weld_instance_func(b->i, name);
  if (!CHECK(fa && fb)) return;
  weld_trap *ta = weld_func_call(fa, args, 1, ra, 1);
  weld_trap *tb = weld_func_call(fb, args, 1, rb, 1);
  if (want_osr)
    unit_check(osr_count(b) > before, __FILE__, __LINE__, "%s(%d): the auto tier's call never went on compiled", name,
               arg);
  if (!want_trap) {
    unit_check(!ta && !tb, __FILE__, __LINE__, "%s(%d): traps: %s / %s", name, arg, ta ? weld_trap_message(ta) : "-",
               tb ? weld_trap_message(tb) : "-");
    if (!ta && !tb) {
      CHECK_EQ_U64(ra[0].kind, rb[0].kind);
      unit_check(memcmp(&ra[0].of, &rb[0].of, sizeof ra[0].of) == 0, __FILE__, __LINE__,
                 "%s(%d): results differ (%lld vs %lld)", name, arg, (long long)ra[0].of.i64, (long long)rb[0].of.i64);
    }
  } else if (unit_check(ta && tb, __FILE__, __LINE__, "%s(%d) traps in both", name, arg)) {
    CHECK_STR(weld_trap_message(ta), want_trap);
    CHECK_STR(weld_trap_message(tb), want_trap);
    CHECK_EQ_U64(weld_trap_get_kind(ta), weld_trap_get_kind(tb));
    jit_same_frames(ta, tb, name, "auto");
  }
  if (ta) weld_trap_free(ta);
  if (tb) weld_trap_free(tb);
}

UNIT_GROUP(jit_osr) {
  if (!jit_available()) {
    printf("jit_osr: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(osr_wat, sizeof osr_wat - 1, "osr", &bin, &len, &uerr))) return;
  osr_run a = {0}, b = {0};
  if (osr_open(&a, WELD_TIER_INTERP, bin, len) && osr_open(&b, WELD_TIER_AUTO, bin, len)) {
    same(&a, &b, "sum", 100000, true, NULL);
    same(&a, &b, "nested", 300, true, NULL);
    same(&a, &b, "params", 100000, true, NULL);
    same(&a, &b, "below", 100000, true, NULL);
    same(&a, &b, "below0", 100000, true, NULL);
    same(&a, &b, "below1", 100000, true, NULL); /* 5 * (3 + 100000) */
    same(&a, &b, "walk", 65536, true, "out of bounds memory access"); /* the load at 65536 */
    /* promoted by the first call's loop: from now on called compiled from the start */
    same(&a, &b, "walk", 40000, false, "integer divide by zero"); /* 40000 = 4 * 10000: after the loop */
    same(&a, &b, "catch", 100000, true, NULL);                         /* 5000 + 100000 */
    same(&a, &b, "catch", 4000, false, NULL);                          /* no throw: 4000 */
    /* fuel: one unit per loop iteration in both tiers, and the same trap where it ends */
    weld_store_set_fuel(a.s, 50000);
    weld_store_set_fuel(b.s, 50000);
    same(&a, &b, "sum", 20000, false, NULL);
    CHECK_EQ_U64(weld_store_get_fuel(a.s), weld_store_get_fuel(b.s));
    same(&a, &b, "spin", 0, true, "out of fuel");
    CHECK_EQ_U64(weld_store_get_fuel(a.s), weld_store_get_fuel(b.s));
    weld_tier_stats ts;
    weld_module_tier_stats(b.m, &ts);
    CHECK(ts.compiled >= 7);
    CHECK_EQ_U64(ts.compiled, ts.promoted_by_loop);
    weld_module_tier_stats(a.m, &ts);
    CHECK_EQ_U64(ts.osr_entered, 0);
  }
  osr_close(&a);
  osr_close(&b);
  free(bin);
}
