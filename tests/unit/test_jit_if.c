/* The baseline compiler's `if` with block parameters (src/jit/compile.c):
 *   jit_if   both arms read the parameters (local values and constants) (the else arm finds them as they were at the
 *            `if`, whatever the then arm did with their slots), an `if` without `else`
 *            passes its parameters through as its results, several and mixed-type
 *            parameters, a v128 parameter, a branch out of an arm carrying values, an
 *            `if` nested in another's arm and in a loop, a trap inside an arm (backtrace
 *            compared). Each call runs in the interpreter (the reference), in the baseline
 *            tier with the guard region and with explicit checks, and in the auto tier;
 *            results and traps must be the interpreter's, every function compiled, and the
 *            results are also checked against values worked out by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"
#include "jit_test.h"
#include "text/text.h"

static const char if_wat[] =
    "(module\n"
    /* then: p + 1; else: p * 2 */
    "  (func (export \"both\") (param i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 1)\n"
    "    (if (param i32) (result i32) (then (i32.const 1) (i32.add)) (else (i32.const 2) (i32.mul))))\n"
    /* a constant parameter (the compiler keeps constants pending until they must be stored) */
    "  (func (export \"konst\") (param i32) (result i32)\n"
    "    (i32.const 40) (local.get 0)\n"
    "    (if (param i32) (result i32) (then (i32.const 2) (i32.add)) (else (i32.const 3) (i32.sub))))\n"
    /* no else: the parameters are the results */
    "  (func (export \"noelse\") (param i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 1)\n"
    "    (if (param i32) (result i32) (then (drop) (i32.const 99))))\n"
    /* two parameters of two types; then writes its own values over their slots first */
    "  (func (export \"mixed\") (param i64 f64 i32) (result i64)\n"
    "    (local.get 0) (local.get 1) (local.get 2)\n"
    "    (if (param i64 f64) (result i64)\n"
    "      (then (drop) (drop) (i64.const 7) (f64.const 0.5) (drop))\n"
    "      (else (i64.trunc_f64_s) (i64.add)))\n"
    "  )\n"
    /* a v128 parameter: lane sums */
    "  (func (export \"vec\") (param i32 i32) (result i32)\n"
    "    (i32x4.splat (local.get 0)) (local.get 1)\n"
    "    (if (param v128) (result i32)\n"
    "      (then (i32x4.extract_lane 3))\n"
    "      (else (i32x4.add (i32x4.splat (i32.const 5))) (i32x4.extract_lane 0))))\n"
    /* a branch out of the then arm with the parameter as the block's value */
    "  (func (export \"brout\") (param i32 i32) (result i32)\n"
    "    (block $out (result i32)\n"
    "      (local.get 0) (local.get 1)\n"
    "      (if (param i32) (result i32) (then (br $out)) (else (i32.const 3) (i32.sub)))\n"
    "      (i32.const 1000) (i32.add)))\n"
    /* nested: the inner if takes the outer arm's value */
    "  (func (export \"nested\") (param i32 i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 1)\n"
    "    (if (param i32) (result i32)\n"
    "      (then (local.get 2) (if (param i32) (result i32) (then (i32.const 10) (i32.mul)) (else (i32.const 20) (i32.mul))))\n"
    "      (else (i32.const -1) (i32.mul))))\n"
    /* in a loop: the sum of i for odd i plus 2*i for even i, i = n..1 */
    "  (func (export \"loop\") (param i32) (result i32) (local i32)\n"
    "    (block (loop\n"
    "      (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.get 1) (local.get 0)\n"
    "      (if (param i32 i32) (result i32) (i32.and (local.get 0) (i32.const 1))\n"
    "        (then (i32.add))\n"
    "        (else (i32.const 2) (i32.mul) (i32.add)))\n"
    "      (local.set 1)\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "      (br 0)))\n"
    "    (local.get 1))\n"
    /* a trap in an arm: divide the parameter by the second argument */
    "  (func (export \"div\") (param i32 i32 i32) (result i32)\n"
    "    (local.get 0) (local.get 2)\n"
    "    (if (param i32) (result i32) (then (local.get 1) (i32.div_s)) (else)))\n"
    ")\n";

enum { NRUNS = 4 };

#define I32(x) WELD_I32_VAL(x)
#define I64(x) WELD_I64_VAL(x)
#define F64(x) WELD_F64_VAL(x)
#define CALL(name, want_trap, nres, ...)                                                                          \
  jit_same_calls(r, NRUNS, name, (weld_val[]){__VA_ARGS__}, sizeof((weld_val[]){__VA_ARGS__}) / sizeof(weld_val), \
                 nres, want_trap)

UNIT_GROUP(jit_if) {
  if (!jit_available()) {
    printf("jit_if: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(if_wat, sizeof if_wat - 1, "if", &bin, &len, &uerr))) return;
  jit_run r[NRUNS];
  memset(r, 0, sizeof r);
  if (jit_run_open_four(r, bin, len)) {
    CHECK_EQ_U64(CALL("both", NULL, 1, I32(41), I32(1)), 42);
    CHECK_EQ_U64(CALL("both", NULL, 1, I32(41), I32(0)), 82);
    CHECK_EQ_U64(CALL("konst", NULL, 1, I32(1)), 42);
    CHECK_EQ_U64(CALL("konst", NULL, 1, I32(0)), 37);
    CHECK_EQ_U64(CALL("noelse", NULL, 1, I32(5), I32(1)), 99);
    CHECK_EQ_U64(CALL("noelse", NULL, 1, I32(5), I32(0)), 5);
    CHECK_EQ_U64(CALL("mixed", NULL, 1, I64(100), F64(-2.75), I32(1)), 7);
    CHECK_EQ_U64(CALL("mixed", NULL, 1, I64(100), F64(-2.75), I32(0)), 98);
    CHECK_EQ_U64(CALL("vec", NULL, 1, I32(9), I32(1)), 9);
    CHECK_EQ_U64(CALL("vec", NULL, 1, I32(9), I32(0)), 14);
    CHECK_EQ_U64(CALL("brout", NULL, 1, I32(8), I32(1)), 8);
    CHECK_EQ_U64(CALL("brout", NULL, 1, I32(8), I32(0)), 1005);
    CHECK_EQ_U64(CALL("nested", NULL, 1, I32(3), I32(1), I32(1)), 30);
    CHECK_EQ_U64(CALL("nested", NULL, 1, I32(3), I32(1), I32(0)), 60);
    CHECK_EQ_U64(CALL("nested", NULL, 1, I32(3), I32(0), I32(1)), (uint32_t)-3);
    /* n = 10: odd 1+3+5+7+9 = 25, even 2*(2+4+6+8+10) = 60 */
    CHECK_EQ_U64(CALL("loop", NULL, 1, I32(10)), 85);
    CHECK_EQ_U64(CALL("div", NULL, 1, I32(12), I32(4), I32(1)), 3);
    CHECK_EQ_U64(CALL("div", NULL, 1, I32(12), I32(0), I32(0)), 12);
    CALL("div", "integer divide by zero", 1, I32(12), I32(0), I32(1));
    JIT_CHECK_ALL_COMPILED(r, NRUNS, 8);
  }
  for (int k = 0; k < NRUNS; k++) jit_run_close(&r[k]);
  free(bin);
}
