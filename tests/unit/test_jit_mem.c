/* The baseline compiler beyond one 32-bit memory (src/jit/compile_mem.c):
 *   jit_mem  several memories, a 64-bit memory and a 64-bit table. The same calls, in
 *            the same order, run in the interpreter, in the baseline tier with the guard
 *            region, with explicit bounds checks, and in the auto tier compiling at the
 *            first call; each tier's results, traps (kind, message, backtrace) and memory
 *            contents must be the interpreter's, and every function must have been
 *            compiled (none left to the interpreter). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"
#include "jit_test.h"
#include "text/text.h"

static const char mem_wat[] =
    "(module\n"
    "  (memory $m0 1)\n"
    "  (memory $m1 i64 1 2)\n"
    "  (memory $m2 1 3)\n"
    "  (table $t i64 2 funcref)\n"
    "  (elem (table $t) (i64.const 0) func $f0 $f1)\n"
    "  (data $d \"abcdefgh\")\n"
    "  (type $r (func (result i32)))\n"
    "  (func $f0 (result i32) (i32.const 10))\n"
    "  (func $f1 (result i32) (i32.const 11))\n"
    "  (func (export \"st1\") (param i64 i64) (i64.store $m1 offset=8 (local.get 0) (local.get 1)))\n"
    "  (func (export \"ld1\") (param i64) (result i64) (i64.load $m1 offset=8 (local.get 0)))\n"
    "  (func (export \"ld1c\") (result i64) (i64.load $m1 offset=8 (i64.const 0)))\n"
    "  (func (export \"ld1big\") (param i64) (result i32) (i32.load8_u $m1 offset=0xffffffffffffff00 (local.get 0)))\n"
    "  (func (export \"st2\") (param i32 i32) (i32.store16 $m2 (local.get 0) (local.get 1)))\n"
    "  (func (export \"ld2\") (param i32) (result i32) (i32.load16_s $m2 offset=2 (local.get 0)))\n"
    "  (func (export \"mix\") (param i32) (result i32)\n"
    "    (i32.store $m2 (local.get 0) (i32.const 7))\n"
    "    (i32.store $m0 (local.get 0) (i32.const 5))\n"
    "    (i32.add (i32.load $m0 (local.get 0)) (i32.mul (i32.const 100) (i32.load $m2 (local.get 0)))))\n"
    "  (func (export \"ld0\") (param i32) (result i32) (i32.load $m0 (local.get 0)))\n"
    "  (func (export \"size1\") (result i64) (memory.size $m1))\n"
    "  (func (export \"grow1\") (param i64) (result i64) (memory.grow $m1 (local.get 0)))\n"
    "  (func (export \"size2\") (result i32) (memory.size $m2))\n"
    "  (func (export \"grow2\") (param i32) (result i32) (memory.grow $m2 (local.get 0)))\n"
    "  (func (export \"fill1\") (param i64 i32 i64) (memory.fill $m1 (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"copy21\") (param i32 i64 i32) (memory.copy $m2 $m1 (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"copy11\") (param i64 i64 i64) (memory.copy $m1 $m1 (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"init1\") (param i64 i32 i32) (memory.init $m1 $d (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"tget\") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))\n"
    "  (func (export \"tgrow\") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))\n"
    "  (func (export \"tsize\") (result i64) (table.size $t))\n"
    "  (func (export \"tcall\") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0)))\n"
    "  (func (export \"ttail\") (param i64) (result i32) (return_call_indirect $t (type $r) (local.get 0)))\n"
    ")\n";

enum { NRUNS = 4 };
typedef jit_run mem_run;

#define I32(x) WELD_I32_VAL(x)
#define I64(x) WELD_I64_VAL(x)
#define CALL(name, want_trap, nres, ...)                                                 \
  jit_same_calls(r, NRUNS, name, (weld_val[]){__VA_ARGS__}, sizeof((weld_val[]){__VA_ARGS__}) / sizeof(weld_val), \
                 nres, want_trap)
#define CALL0(name, want_trap, nres) jit_same_calls(r, NRUNS, name, NULL, 0, nres, want_trap)

static const char oob[] = "out of bounds memory access";

UNIT_GROUP(jit_mem) {
  if (!jit_available()) {
    printf("jit_mem: skipped: no baseline tier on this machine\n");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(mem_wat, sizeof mem_wat - 1, "mem", &bin, &len, &uerr))) return;
  mem_run r[NRUNS];
  memset(r, 0, sizeof r);
  if (jit_run_open_four(r, bin, len)) {
    /* the 64-bit memory: addresses and offsets past 32 bits */
    CALL("st1", NULL, 0, I64(16), I64(0x1122334455667788LL));
    CHECK_EQ_U64(CALL("ld1", NULL, 1, I64(16)), 0x1122334455667788ULL);
    CALL("st1", NULL, 0, I64(0), I64(42));
    CHECK_EQ_U64(CALL0("ld1c", NULL, 1), 42);
    CALL("ld1", NULL, 1, I64(65536 - 16)); /* the last 8 bytes */
    CALL("ld1", oob, 1, I64(65536 - 15));
    CALL("ld1", oob, 1, I64(0x100000000LL));
    CALL("ld1", oob, 1, I64(-1));
    CALL("ld1", oob, 1, I64(-8)); /* address + offset wraps past 2^64 */
    CALL("st1", oob, 0, I64(0x7fffffffffffffffLL), I64(1));
    CALL("ld1big", oob, 1, I64(0));
    CALL("ld1big", oob, 1, I64(0x100));   /* wraps to 0: still out of bounds (the sum overflows) */
    CALL("ld1big", oob, 1, I64(0x10000)); /* wraps to 0xff00: in bounds if it did not trap on the carry */
    /* memory 2 (32-bit, explicit checks around memory 0's registers) */
    CALL("st2", NULL, 0, I32(100), I32(-2));
    CHECK_EQ_U64(CALL("ld2", NULL, 1, I32(98)), 0xfffffffe);
    CALL("ld2", oob, 1, I32(65533));
    CALL("st2", oob, 0, I32(-1), I32(3));
    CHECK_EQ_U64(CALL("mix", NULL, 1, I32(200)), 705);
    CHECK_EQ_U64(CALL("ld0", NULL, 1, I32(200)), 5);
    CALL("mix", oob, 1, I32(65533));
    /* size and grow */
    CHECK_EQ_U64(CALL0("size1", NULL, 1), 1);
    CHECK_EQ_U64(CALL("grow1", NULL, 1, I64(5)), UINT64_MAX); /* past the maximum: -1 as i64 */
    CHECK_EQ_U64(CALL("grow1", NULL, 1, I64(0x100000001LL)), UINT64_MAX);
    CHECK_EQ_U64(CALL("grow1", NULL, 1, I64(1)), 1);
    CHECK_EQ_U64(CALL0("size1", NULL, 1), 2);
    CALL("ld1", NULL, 1, I64(65536)); /* now in bounds */
    CHECK_EQ_U64(CALL("grow2", NULL, 1, I32(2)), 1);
    CHECK_EQ_U64(CALL0("size2", NULL, 1), 3);
    CHECK_EQ_U64(CALL("grow2", NULL, 1, I32(1)), 0xffffffff);
    CALL("ld2", NULL, 1, I32(3 * 65536 - 4));
    /* bulk */
    CALL("fill1", NULL, 0, I64(1000), I32(0x41), I64(300));
    CALL("fill1", oob, 0, I64(2 * 65536 - 10), I32(1), I64(11));
    CALL("fill1", oob, 0, I64(10), I32(1), I64(0x100000000LL));
    CALL("copy21", NULL, 0, I32(5000), I64(990), I32(320));
    CHECK_EQ_U64(CALL("ld2", NULL, 1, I32(5000 + 10 - 2)), 0x4141);
    CALL("copy21", oob, 0, I32(3 * 65536 - 4), I64(0), I32(5));
    CALL("copy21", oob, 0, I32(0), I64(0x1ffff), I32(2));
    CALL("copy11", NULL, 0, I64(2000), I64(1000), I64(64));
    CALL("copy11", oob, 0, I64(0), I64(-1), I64(1));
    CALL("init1", NULL, 0, I64(3000), I32(2), I32(6));
    CHECK_EQ_U64(CALL("ld1", NULL, 1, I64(3000 - 8)), 0x0000686766656463ULL);
    CALL("init1", oob, 0, I64(0x200000000LL), I32(0), I32(1));
    CALL("init1", oob, 0, I64(0), I32(3), I32(6));
    /* the 64-bit table */
    CHECK_EQ_U64(CALL0("tsize", NULL, 1), 2);
    CHECK_EQ_U64(CALL("tget", NULL, 1, I64(1)), 0);
    CALL("tget", "out of bounds table access", 1, I64(2));
    CALL("tget", "out of bounds table access", 1, I64(0x100000000LL));
    CHECK_EQ_U64(CALL("tcall", NULL, 1, I64(1)), 11);
    CALL("tcall", "undefined element", 1, I64(0x100000000LL));
    CHECK_EQ_U64(CALL("ttail", NULL, 1, I64(0)), 10);
    CALL("ttail", "undefined element", 1, I64(-1));
    CHECK_EQ_U64(CALL("tgrow", NULL, 1, I64(3)), 2);
    CHECK_EQ_U64(CALL("tgrow", NULL, 1, I64(0x100000000LL)), UINT64_MAX);
    CHECK_EQ_U64(CALL0("tsize", NULL, 1), 5);
    CHECK_EQ_U64(CALL("tget", NULL, 1, I64(4)), 1);
    /* compiled, every function: none left to the interpreter (auto: every function called,
     * each compiled at its first call) */
    JIT_CHECK_ALL_COMPILED(r, NRUNS, 20);
  }
  for (int k = 0; k < NRUNS; k++) jit_run_close(&r[k]);
  free(bin);
}
