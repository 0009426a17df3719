/* The baseline tier's GC support:
 *   jit_gc  references held by compiled frames across calls and allocations, and the GC
 *           instructions. The same calls in the interpreter, the baseline tier (guard and
 *           explicit bounds) and the auto tier (compiled at the first call), every store
 *           collecting at every allocation (gc_stress): a compiled frame whose references
 *           the collector did not find would read objects freed and reused by the
 *           allocations after them (other values than the interpreter's; a use after
 *           free under ASan). Every function must have been compiled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"
#include "jit_test.h"
#include "text/text.h"

#define NRUNS 4

static const char gc_wat[] =
    "(module\n"
    "  (type $p (struct (field (mut i64))))\n"
    "  (type $node (struct (field (ref null $node)) (field (ref null $node)) (field i32)))\n"
    "  (type $arr (array (mut (ref null $p))))\n"
    "  (type $bytes (array (mut i8)))\n"
    "  (type $f (func (param i32) (result i64)))\n"
    "  (data $d \"\\01\\02\\03\\04\")\n"
    "  (elem declare func $churn)\n"
    /* allocates n structs (a collection each under stress), reusing freed memory */
    "  (func $churn (type $f) (local $s i64)\n"
    "    (loop $l\n"
    "      (local.set $s (i64.add (local.get $s) (struct.get $p 0 (struct.new $p (i64.const 99)))))\n"
    "      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))\n"
    "    (local.get $s))\n"
    /* a reference in a local and one on the operand stack across a direct call */
    "  (func (export \"held_call\") (param $n i32) (result i64) (local $a (ref null $p)) (local $t i64)\n"
    "    (local.set $a (struct.new $p (i64.const 1000)))\n"
    "    (struct.new $p (i64.const 7))\n"
    "    (call $churn (local.get $n))\n"
    "    (local.set $t)\n"
    "    (struct.get $p 0)\n"
    "    (i64.add (struct.get $p 0 (local.get $a)))\n"
    "    (i64.add (local.get $t)))\n"
    /* the same across call_ref */
    "  (func (export \"held_ref\") (param $n i32) (result i64) (local $a (ref null $p)) (local $t i64)\n"
    "    (local.set $a (struct.new $p (i64.const 2000)))\n"
    "    (struct.new $p (i64.const 5))\n"
    "    (call_ref $f (local.get $n) (ref.func $churn))\n"
    "    (local.set $t)\n"
    "    (struct.get $p 0)\n"
    "    (i64.add (struct.get $p 0 (local.get $a)))\n"
    "    (i64.add (local.get $t)))\n"
    /* operands held across allocations in the same frame: an array of fresh structs */
    "  (func (export \"held_alloc\") (param $n i32) (result i64) (local $a (ref null $arr)) (local $i i32)\n"
    "    (local $s i64)\n"
    "    (local.set $a (array.new $arr (ref.null $p) (local.get $n)))\n"
    "    (block $b (loop $l\n"
    "      (br_if $b (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (array.set $arr (local.get $a) (local.get $i)\n"
    "        (struct.new $p (i64.extend_i32_u (i32.mul (local.get $i) (i32.const 3)))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.set $i (i32.const 0))\n"
    "    (block $b (loop $l\n"
    "      (br_if $b (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (local.set $s (i64.add (local.get $s) (struct.get $p 0 (array.get $arr (local.get $a) (local.get $i)))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    /* binary trees: recursion holding the left subtree while the right one is built */
    "  (func $make (param $d i32) (result (ref $node))\n"
    "    (if (result (ref $node)) (i32.eqz (local.get $d))\n"
    "      (then (struct.new $node (ref.null $node) (ref.null $node) (i32.const 1)))\n"
    "      (else (struct.new $node (call $make (i32.sub (local.get $d) (i32.const 1)))\n"
    "                              (call $make (i32.sub (local.get $d) (i32.const 1)))\n"
    "                              (local.get $d)))))\n"
    "  (func $check (param $t (ref null $node)) (result i32)\n"
    "    (if (result i32) (ref.is_null (struct.get $node 0 (local.get $t)))\n"
    "      (then (struct.get $node 2 (local.get $t)))\n"
    "      (else (i32.add (struct.get $node 2 (local.get $t))\n"
    "        (i32.add (call $check (struct.get $node 0 (local.get $t)))\n"
    "                 (call $check (struct.get $node 1 (local.get $t))))))))\n"
    "  (func (export \"trees\") (param $d i32) (result i32) (call $check (call $make (local.get $d))))\n"
    /* the other instructions, with their traps */
    "  (func (export \"null_get\") (result i64) (struct.get $p 0 (ref.null $p)))\n"
    "  (func (export \"set\") (param $k i32) (result i64) (local $a (ref null $p))\n"
    "    (if (local.get $k) (then (local.set $a (struct.new_default $p))))\n"
    "    (struct.set $p 0 (local.get $a) (i64.const 0x123456789))\n"
    "    (struct.get $p 0 (local.get $a)))\n"
    "  (func (export \"arr_oob\") (param $i i32) (result i32)\n"
    "    (array.get_s $bytes (array.new_data $bytes $d (i32.const 0) (i32.const 4)) (local.get $i)))\n"
    "  (func (export \"data_oob\") (param $n i32) (result i32)\n"
    "    (array.len (array.new_data $bytes $d (i32.const 1) (local.get $n))))\n"
    "  (func (export \"bytes\") (param $v i32) (result i32) (local $b (ref null $bytes))\n"
    "    (local.set $b (array.new_fixed $bytes 3 (i32.const 1) (i32.const 2) (local.get $v)))\n"
    "    (array.fill $bytes (local.get $b) (i32.const 0) (i32.const 200) (i32.const 1))\n"
    "    (array.copy $bytes $bytes (local.get $b) (i32.const 1) (local.get $b) (i32.const 0) (i32.const 2))\n"
    "    (i32.add (i32.mul (array.get_u $bytes (local.get $b) (i32.const 2)) (i32.const 1000))\n"
    "             (array.get_s $bytes (local.get $b) (i32.const 0))))\n"
    "  (func (export \"i31\") (param $v i32) (result i32)\n"
    "    (i32.add (i31.get_s (ref.i31 (local.get $v))) (i31.get_u (ref.i31 (local.get $v)))))\n"
    "  (func (export \"i31_null\") (result i32) (i31.get_u (ref.null i31)))\n"
    "  (func (export \"cast\") (param $k i32) (result i32) (local $x anyref)\n"
    "    (local.set $x (if (result anyref) (local.get $k) (then (ref.i31 (i32.const 9)))\n"
    "                   (else (struct.new $p (i64.const 1)))))\n"
    "    (i32.add (ref.test (ref $p) (local.get $x))\n"
    "    (i32.add (i32.mul (ref.test (ref i31) (local.get $x)) (i32.const 2))\n"
    "    (i32.add (i32.mul (ref.eq (ref.cast eqref (local.get $x)) (ref.cast eqref (local.get $x))) (i32.const 4))\n"
    "    (i32.add (block $no (result i32)\n"
    "               (drop (block $yes (result (ref $p))\n"
    "                 (br_on_cast $yes anyref (ref $p) (local.get $x))\n"
    "                 (drop) (br $no (i32.const 8))))\n"
    "               (i32.const 16))\n"
    "    (i32.add (i32.mul (ref.is_null (block $f (result anyref)\n"
    "               (br_on_cast_fail $f anyref (ref $p) (local.get $x)) (drop) (ref.null any))) (i32.const 32))\n"
    "    (i32.add (ref.is_null (any.convert_extern (extern.convert_any (local.get $x))))\n"
    "      (i32.mul (i32.wrap_i64 (struct.get $p 0 (ref.cast (ref $p) (local.get $x)))) (i32.const 1000)))))))))\n"
    ")\n";

static bool open_stress(jit_run *t, weld_tier tier, weld_bounds_mode bounds, const uint8_t *bin, size_t len) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = 0;
  cfg.tier_eager_bytes = 0; /* functions compiled one by one */
  cfg.bounds = bounds;
  cfg.gc_stress = true;
  return jit_run_open(t, &cfg, bin, len) && jit_run_instantiate(t, NULL, 0);
}

#define I32(x) WELD_I32_VAL(x)
#define CALL(name, want_trap, nres, ...)                                                 \
  jit_same_calls(r, NRUNS, name, (weld_val[]){__VA_ARGS__}, sizeof((weld_val[]){__VA_ARGS__}) / sizeof(weld_val), \
                 nres, want_trap)
#define CALL0(name, want_trap, nres) jit_same_calls(r, NRUNS, name, NULL, 0, nres, want_trap)

UNIT_GROUP(jit_gc) {
  if (!jit_available()) {
    printf("jit_gc: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!unit_check(text_wat_to_binary(gc_wat, sizeof gc_wat - 1, "gc", &bin, &len, &uerr), __FILE__, __LINE__,
                  "module: %s", uerr.msg))
    return;
  jit_run r[NRUNS];
  memset(r, 0, sizeof r);
  if (open_stress(&r[0], WELD_TIER_INTERP, WELD_BOUNDS_GUARD, bin, len) &&
      open_stress(&r[1], WELD_TIER_BASELINE, WELD_BOUNDS_GUARD, bin, len) &&
      open_stress(&r[2], WELD_TIER_BASELINE, WELD_BOUNDS_EXPLICIT, bin, len) &&
      open_stress(&r[3], WELD_TIER_AUTO, WELD_BOUNDS_GUARD, bin, len)) {
    /* independent values: 7 + 1000 + 20 * 99, 5 + 2000 + 30 * 99, sum of 3i for i < 40 */
    CHECK_EQ_U64(CALL("held_call", NULL, 1, I32(20)), 2987);
    CHECK_EQ_U64(CALL("held_ref", NULL, 1, I32(30)), 4975);
    CHECK_EQ_U64(CALL("held_alloc", NULL, 1, I32(40)), 2340);
    /* a tree of depth d: sum over levels of 2^(d-l) nodes of value l (leaves 1) */
    CHECK_EQ_U64(CALL("trees", NULL, 1, I32(6)), 64 + 32 * 1 + 16 * 2 + 8 * 3 + 4 * 4 + 2 * 5 + 6);
    CALL0("null_get", "null structure reference", 1);
    CHECK_EQ_U64(CALL("set", NULL, 1, I32(1)), 0x123456789ULL);
    CALL("set", "null structure reference", 1, I32(0));
    CHECK_EQ_U64(CALL("arr_oob", NULL, 1, I32(3)), 4);
    CALL("arr_oob", "out of bounds array access", 1, I32(4));
    CHECK_EQ_U64(CALL("data_oob", NULL, 1, I32(3)), 3);
    CALL("data_oob", "out of bounds memory access", 1, I32(4));
    /* [1,2,v] -> fill [200,2,v] -> copy [200,200,2]: 2 * 1000 + (int8)200 */
    CHECK_EQ_U64(CALL("bytes", NULL, 1, I32(7)), 2000 - 56);
    CHECK_EQ_U64(CALL("i31", NULL, 1, I32(-1)), (uint32_t)(-1 + 0x7fffffff));
    CHECK_EQ_U64(CALL("i31", NULL, 1, I32(0x40000000)), (uint32_t)(-0x40000000 + 0x40000000));
    CALL0("i31_null", "null i31 reference", 1);
    CHECK_EQ_U64(CALL("cast", NULL, 1, I32(0)), 1 + 4 + 16 + 32 + 1000);
    CALL("cast", "cast failure", 1, I32(1));
    JIT_CHECK_ALL_COMPILED(r, NRUNS, 1);
  }
  for (int k = 0; k < NRUNS; k++) jit_run_close(&r[k]);
  free(bin);
}
