/* The baseline compiler's SIMD (src/jit/compile_simd.c):
 *   jit_simd  v128 locals, parameters, results, block values, branches, calls (direct,
 *             indirect, tail), globals and select, every kind of SIMD instruction (the
 *             inline forms and the ones calling the SIMD library, relaxed SIMD included)
 *             and the SIMD memory forms at the bounds of memory 0, a second memory and a
 *             64-bit memory. The same calls run in the interpreter, in the baseline tier
 *             with the guard region, with explicit bounds checks, and in the auto tier
 *             compiling at the first call; results and traps must be the interpreter's,
 *             a few are also checked against values worked out by hand, and every
 *             function must have been compiled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"
#include "jit_test.h"
#include "text/text.h"

/* Instructions of shape v128 x v128 -> v128, v128 -> v128, v128 x v128 x v128 -> v128,
 * v128 x i32 -> v128 and v128 -> i32: each gets a function of its own. */
static const char *const bins[] = {
    "i8x16.add", "i16x8.add", "i32x4.add", "i64x2.add", "i8x16.sub", "i16x8.sub", "i32x4.sub", "i64x2.sub",
    "i8x16.add_sat_s", "i8x16.add_sat_u", "i16x8.add_sat_s", "i16x8.add_sat_u", "i8x16.sub_sat_s",
    "i8x16.sub_sat_u", "i16x8.sub_sat_s", "i16x8.sub_sat_u", "i16x8.mul", "i32x4.mul", "i64x2.mul",
    "i8x16.min_s", "i8x16.min_u", "i8x16.max_s", "i8x16.max_u", "i16x8.min_s", "i16x8.min_u", "i16x8.max_s",
    "i16x8.max_u", "i32x4.min_s", "i32x4.min_u", "i32x4.max_s", "i32x4.max_u", "i8x16.avgr_u", "i16x8.avgr_u",
    "v128.and", "v128.or", "v128.xor", "v128.andnot", "i8x16.eq", "i8x16.ne", "i8x16.lt_s", "i8x16.lt_u",
    "i8x16.gt_s", "i8x16.gt_u", "i8x16.le_s", "i8x16.ge_u", "i16x8.eq", "i16x8.ne", "i16x8.lt_s", "i16x8.gt_s",
    "i16x8.le_u", "i32x4.eq", "i32x4.ne", "i32x4.lt_s", "i32x4.gt_s", "i32x4.ge_u", "i64x2.eq", "i64x2.ne",
    "i64x2.lt_s", "i64x2.ge_s", "f32x4.add", "f32x4.sub", "f32x4.mul", "f32x4.div", "f32x4.min", "f32x4.max",
    "f32x4.pmin", "f32x4.pmax", "f32x4.eq", "f32x4.lt", "f32x4.ge", "f64x2.add", "f64x2.sub", "f64x2.mul",
    "f64x2.div", "f64x2.min", "f64x2.max", "f64x2.ne", "f64x2.le", "i8x16.swizzle", "i8x16.narrow_i16x8_s",
    "i8x16.narrow_i16x8_u", "i16x8.narrow_i32x4_u", "i16x8.q15mulr_sat_s", "i16x8.extmul_high_i8x16_s",
    "i32x4.extmul_low_i16x8_u", "i64x2.extmul_high_i32x4_s", "i32x4.dot_i16x8_s", "i8x16.relaxed_swizzle",
    "f32x4.relaxed_min", "f64x2.relaxed_max", "i16x8.relaxed_q15mulr_s", "i16x8.relaxed_dot_i8x16_i7x16_s",
};
static const char *const uns[] = {
    "v128.not", "i8x16.abs", "i8x16.neg", "i8x16.popcnt", "i16x8.abs", "i32x4.neg", "i64x2.abs",
    "f32x4.abs", "f32x4.neg", "f32x4.sqrt", "f32x4.ceil", "f32x4.nearest", "f64x2.floor", "f64x2.trunc",
    "f64x2.sqrt", "i16x8.extend_high_i8x16_s", "i32x4.extend_low_i16x8_u", "i64x2.extend_high_i32x4_u",
    "i16x8.extadd_pairwise_i8x16_u", "i32x4.extadd_pairwise_i16x8_s", "i32x4.trunc_sat_f32x4_s",
    "i32x4.trunc_sat_f64x2_u_zero", "f32x4.convert_i32x4_u", "f64x2.convert_low_i32x4_s",
    "f32x4.demote_f64x2_zero", "f64x2.promote_low_f32x4", "i32x4.relaxed_trunc_f32x4_s",
    "i32x4.relaxed_trunc_f64x2_u_zero",
};
static const char *const ters[] = {"v128.bitselect", "f32x4.relaxed_madd", "f64x2.relaxed_nmadd",
                                   "i8x16.relaxed_laneselect", "i32x4.relaxed_dot_i8x16_i7x16_add_s"};
static const char *const shifts[] = {"i8x16.shl", "i8x16.shr_s", "i8x16.shr_u", "i16x8.shl", "i16x8.shr_s",
                                     "i16x8.shr_u", "i32x4.shl", "i32x4.shr_s", "i32x4.shr_u", "i64x2.shl",
                                     "i64x2.shr_s", "i64x2.shr_u"};
static const char *const tests[] = {"v128.any_true", "i8x16.all_true", "i16x8.all_true", "i32x4.all_true",
                                    "i64x2.all_true", "i8x16.bitmask", "i16x8.bitmask", "i32x4.bitmask",
                                    "i64x2.bitmask"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The fixed part: a v128 from two i64 ($mk), folded back into one i64 ($h), and functions
 * over the other places v128 values live. */
static const char fixed_wat[] =
    "  (memory $m0 1)\n"
    "  (memory $m1 1)\n"
    "  (memory $m2 i64 1)\n"
    "  (global $g (mut v128) (v128.const i32x4 1 2 3 4))\n"
    "  (type $vv (func (param v128 i32) (result v128)))\n"
    "  (table 2 funcref)\n"
    "  (elem (i32.const 0) $rot $mk2)\n"
    "  (func $mk (param i64 i64) (result v128)\n"
    "    (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1)))\n"
    "  (func $h (param v128) (result i64)\n"
    "    (i64.xor (i64x2.extract_lane 0 (local.get 0))\n"
    "             (i64.rotl (i64x2.extract_lane 1 (local.get 0)) (i64.const 17))))\n"
    "  (func $rot (type $vv) (i8x16.shuffle 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 0 (local.get 0) (local.get 0)))\n"
    "  (func $mk2 (type $vv) (i32x4.replace_lane 2 (local.get 0) (local.get 1)))\n"
    /* shuffles, splats, lanes, constants */
    "  (func (export \"shuf\") (param i64 i64 i64 i64) (result i64)\n"
    "    (call $h (i8x16.shuffle 0 17 2 19 31 30 7 6 16 1 8 24 4 5 13 3\n"
    "      (call $mk (local.get 0) (local.get 1)) (call $mk (local.get 2) (local.get 3)))))\n"
    "  (func (export \"splats\") (param i32 i64) (result i64)\n"
    "    (i64.add (i64.add (call $h (i8x16.splat (local.get 0))) (call $h (i16x8.splat (local.get 0))))\n"
    "      (i64.add (call $h (i32x4.splat (local.get 0)))\n"
    "        (i64.add (call $h (i64x2.splat (local.get 1)))\n"
    "          (i64.add (call $h (f32x4.splat (f32.reinterpret_i32 (local.get 0))))\n"
    "                   (call $h (f64x2.splat (f64.reinterpret_i64 (local.get 1)))))))))\n"
    "  (func (export \"lanes\") (param i64 i64) (result i64) (local $v v128)\n"
    "    (local.set $v (call $mk (local.get 0) (local.get 1)))\n"
    "    (i64.add (i64.extend_i32_s (i8x16.extract_lane_s 13 (local.get $v)))\n"
    "    (i64.add (i64.extend_i32_u (i8x16.extract_lane_u 3 (local.get $v)))\n"
    "    (i64.add (i64.extend_i32_s (i16x8.extract_lane_s 5 (local.get $v)))\n"
    "    (i64.add (i64.extend_i32_u (i16x8.extract_lane_u 2 (local.get $v)))\n"
    "    (i64.add (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $v)))\n"
    "    (i64.add (i64.reinterpret_f64 (f64x2.extract_lane 1 (local.get $v)))\n"
    "             (i64.extend_i32_u (i32.reinterpret_f32 (f32x4.extract_lane 1 (local.get $v)))))))))))\n"
    "  (func (export \"replace\") (param i64 i64 i32 i64) (result i64)\n"
    "    (call $h (f64x2.replace_lane 0 (f32x4.replace_lane 3 (i16x8.replace_lane 1\n"
    "      (i8x16.replace_lane 15 (i32x4.replace_lane 1 (call $mk (local.get 0) (local.get 1)) (local.get 2))\n"
    "        (local.get 2)) (local.get 2)) (f32.reinterpret_i32 (local.get 2))) (f64.reinterpret_i64 (local.get 3)))))\n"
    "  (func (export \"consts\") (result i64)\n"
    "    (call $h (i32x4.add (v128.const i32x4 0x80000000 -1 7 0) (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))))\n"
    "  (func (export \"cconst\") (result i32) (i8x16.extract_lane_s 1 (v128.const i8x16 0 -7 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))\n"
    /* locals, select, blocks, loops, branches, globals, calls */
    "  (func (export \"ctl\") (param i64 i64 i32) (result i64) (local $a v128) (local $b v128) (local $i i32)\n"
    "    (local.set $a (call $mk (local.get 0) (local.get 1)))\n"
    "    (local.set $b (v128.const i64x2 5 6))\n"
    "    (local.set $b (select (local.get $a) (local.get $b) (local.get 2)))\n"
    "    (local.set $a (select (result v128) (local.get $b) (global.get $g) (i32.eqz (local.get 2))))\n"
    "    (global.set $g (i32x4.add (global.get $g) (local.get $a)))\n"
    "    (local.set $a (block (result v128) (local.tee $b (i16x8.add (local.get $a) (local.get $b)))\n"
    "      (br_if 0 (local.get 2)) (drop) (v128.const i64x2 9 9)))\n"
    "    (local.get $a)\n"
    "    (loop $l (param v128) (result v128)\n"
    "      (call_indirect (type $vv) (local.get $i) (i32.and (local.get $i) (i32.const 1)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br_if $l (i32.lt_u (local.get $i) (i32.const 5))))\n"
    "    (local.set $a)\n"
    "    (local.set $a (block $x (result v128) (block $y (result v128)\n"
    "      (br_table $x $y $x (local.get $a) (local.get 2))) (drop) (local.get $b)))\n"
    "    (i64.add (call $h (local.get $a)) (call $h (global.get $g))))\n"
    "  (func $tail (param v128 i32) (result v128) (return_call $mk2 (local.get 0) (local.get 1)))\n"
    "  (func (export \"tail\") (param i64 i64 i32) (result i64)\n"
    "    (call $h (call $tail (call $mk (local.get 0) (local.get 1)) (local.get 2))))\n"
    "  (func (export \"ifv\") (param i64 i32) (result i64)\n"
    "    (call $h (if (result v128 i32) (local.get 1) (then (i64x2.splat (local.get 0)) (i32.const 1))\n"
    "      (else (v128.const i64x2 3 4) (i32.const 2))) (drop)))\n"
    /* memory: every form, at the bounds (memory 0), on a second memory and a 64-bit one */
    "  (func (export \"ld\") (param i32) (result i64) (call $h (v128.load offset=3 (local.get 0))))\n"
    "  (func (export \"st\") (param i32 i64 i64) (v128.store offset=5 (local.get 0) (call $mk (local.get 1) (local.get 2))))\n"
    "  (func (export \"ldx\") (param i32) (result i64)\n"
    "    (i64.add (call $h (v128.load8x8_s (local.get 0))) (i64.add (call $h (v128.load16x4_u offset=1 (local.get 0)))\n"
    "    (i64.add (call $h (v128.load32x2_s offset=2 (local.get 0))) (i64.add (call $h (v128.load8_splat (local.get 0)))\n"
    "    (i64.add (call $h (v128.load16_splat (local.get 0))) (i64.add (call $h (v128.load32_splat (local.get 0)))\n"
    "    (i64.add (call $h (v128.load64_splat (local.get 0))) (i64.add (call $h (v128.load32_zero (local.get 0)))\n"
    "             (call $h (v128.load64_zero (local.get 0))))))))))))\n"
    "  (func (export \"lane\") (param i32 i64 i64) (result i64) (local $v v128)\n"
    "    (local.set $v (call $mk (local.get 1) (local.get 2)))\n"
    "    (v128.store8_lane 3 (local.get 0) (local.get $v))\n"
    "    (v128.store16_lane offset=4 2 (local.get 0) (local.get $v))\n"
    "    (v128.store32_lane offset=8 3 (local.get 0) (local.get $v))\n"
    "    (v128.store64_lane offset=16 1 (local.get 0) (local.get $v))\n"
    "    (i64.add (call $h (v128.load8_lane 9 (local.get 0) (local.get $v)))\n"
    "    (i64.add (call $h (v128.load16_lane 7 (local.get 0) (local.get $v)))\n"
    "    (i64.add (call $h (v128.load32_lane offset=8 0 (local.get 0) (local.get $v)))\n"
    "             (call $h (v128.load64_lane offset=16 0 (local.get 0) (local.get $v)))))))\n"
    "  (func (export \"m1\") (param i32 i64 i64) (result i64)\n"
    "    (v128.store $m1 (local.get 0) (call $mk (local.get 1) (local.get 2)))\n"
    "    (v128.store32_lane $m1 offset=16 1 (local.get 0) (call $mk (local.get 1) (local.get 2)))\n"
    "    (i64.add (call $h (v128.load $m1 offset=1 (local.get 0)))\n"
    "             (call $h (v128.load16_splat $m1 offset=16 (local.get 0)))))\n"
    "  (func (export \"m2\") (param i64 i64 i64) (result i64)\n"
    "    (v128.store $m2 (local.get 0) (call $mk (local.get 1) (local.get 2)))\n"
    "    (v128.store8_lane $m2 offset=16 4 (local.get 0) (call $mk (local.get 1) (local.get 2)))\n"
    "    (i64.add (call $h (v128.load $m2 offset=1 (local.get 0)))\n"
    "             (call $h (v128.load8x8_u $m2 offset=10 (local.get 0)))))\n";

/* The module's text: the fixed part and one function per instruction of the lists. */
static char *module_text(void) {
  size_t cap = sizeof fixed_wat + 64 * 1024, len = 0;
  char *s = malloc(cap);
  if (!s) return NULL;
  len += (size_t)snprintf(s + len, cap - len, "(module\n%s", fixed_wat);
  for (size_t i = 0; i < N(bins); i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "  (func (export \"b%zu\") (param i64 i64 i64 i64) (result i64)\n"
                            "    (call $h (%s (call $mk (local.get 0) (local.get 1)) (call $mk (local.get 2) (local.get 3)))))\n",
                            i, bins[i]);
  for (size_t i = 0; i < N(uns); i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "  (func (export \"u%zu\") (param i64 i64) (result i64)\n"
                            "    (call $h (%s (call $mk (local.get 0) (local.get 1)))))\n",
                            i, uns[i]);
  for (size_t i = 0; i < N(ters); i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "  (func (export \"t%zu\") (param i64 i64 i64 i64) (result i64)\n"
                            "    (call $h (%s (call $mk (local.get 0) (local.get 1)) (call $mk (local.get 2) (local.get 3))\n"
                            "      (call $mk (i64.xor (local.get 0) (local.get 3)) (i64.sub (local.get 2) (local.get 1))))))\n",
                            i, ters[i]);
  for (size_t i = 0; i < N(shifts); i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "  (func (export \"s%zu\") (param i64 i64 i32) (result i64)\n"
                            "    (i64.add (call $h (%s (call $mk (local.get 0) (local.get 1)) (local.get 2)))\n"
                            "             (call $h (%s (call $mk (local.get 0) (local.get 1)) (i32.const 3)))))\n",
                            i, shifts[i], shifts[i]);
  for (size_t i = 0; i < N(tests); i++)
    len += (size_t)snprintf(s + len, cap - len,
                            "  (func (export \"q%zu\") (param i64 i64) (result i32)\n"
                            "    (%s (call $mk (local.get 0) (local.get 1))))\n",
                            i, tests[i]);
  snprintf(s + len, cap - len, ")\n");
  return s;
}

enum { NRUNS = 4 };

#define I32(x) WELD_I32_VAL(x)
#define I64(x) WELD_I64_VAL(x)
#define CALL(name, want_trap, nres, ...)                                                 \
  jit_same_calls(r, NRUNS, name, (weld_val[]){__VA_ARGS__}, sizeof((weld_val[]){__VA_ARGS__}) / sizeof(weld_val), \
                 nres, want_trap)
#define CALL0(name, want_trap, nres) jit_same_calls(r, NRUNS, name, NULL, 0, nres, want_trap)

static const char oob[] = "out of bounds memory access";

/* Operand patterns: lanes at the edges of every width, and float specials. */
static const int64_t pats[][2] = {
    {0, 0},
    {-1, 0x0123456789abcdefLL},
    {(int64_t)0x8000000080000000ULL, 0x7fffffff7fffffffLL},
    {(int64_t)0x807f017f80ff0001ULL, (int64_t)0xff7f8000fffe0102ULL},
    {0x3ff0000040490fdbLL, (int64_t)0xbff8000000000000ULL},             /* 1.0 / pi as f32, -1.5 */
    {0x7fc000007f800000LL, (int64_t)0xfff8000000000001ULL},             /* NaN, inf; a NaN */
    {(int64_t)0x4f0000004effffffULL, (int64_t)0xc1e0000000200000ULL},   /* f32 2^31 and below; -2^31 - 1 */
    {0x0000000100000002LL, 0x0003000400050006LL},
};
#define NPATS (sizeof pats / sizeof pats[0])

static uint64_t h(uint64_t lo, uint64_t hi) { return lo ^ ((hi << 17) | (hi >> 47)); }

UNIT_GROUP(jit_simd) {
  if (!jit_available()) {
    printf("jit_simd: skipped: no baseline tier on this machine\n");
    return;
  }
  char *wat = module_text();
  if (!CHECK(wat != NULL)) return;
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!unit_check(text_wat_to_binary(wat, strlen(wat), "simd", &bin, &len, &uerr), __FILE__, __LINE__, "wat: %s",
                  uerr.msg)) {
    free(wat);
    return;
  }
  free(wat);
  jit_run r[NRUNS];
  memset(r, 0, sizeof r);
  if (jit_run_open_four(r, bin, len)) {
    char name[16];
    for (size_t a = 0; a < NPATS; a++) {
      for (size_t b = 0; b < NPATS; b++) {
        for (size_t i = 0; i < N(bins); i++) {
          snprintf(name, sizeof name, "b%zu", i);
          CALL(name, NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I64(pats[b][0]), I64(pats[b][1]));
        }
        for (size_t i = 0; i < N(ters); i++) {
          snprintf(name, sizeof name, "t%zu", i);
          CALL(name, NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I64(pats[b][0]), I64(pats[b][1]));
        }
        CALL("shuf", NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I64(pats[b][0]), I64(pats[b][1]));
      }
      for (size_t i = 0; i < N(uns); i++) {
        snprintf(name, sizeof name, "u%zu", i);
        CALL(name, NULL, 1, I64(pats[a][0]), I64(pats[a][1]));
      }
      for (size_t i = 0; i < N(shifts); i++) {
        snprintf(name, sizeof name, "s%zu", i);
        for (int32_t c = -1; c < 70; c += 7) CALL(name, NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I32(c));
      }
      for (size_t i = 0; i < N(tests); i++) {
        snprintf(name, sizeof name, "q%zu", i);
        CALL(name, NULL, 1, I64(pats[a][0]), I64(pats[a][1]));
      }
      CALL("splats", NULL, 1, I32((int32_t)pats[a][0]), I64(pats[a][1]));
      CALL("lanes", NULL, 1, I64(pats[a][0]), I64(pats[a][1]));
      CALL("replace", NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I32((int32_t)pats[a][1]), I64(pats[a][0]));
      for (int32_t c = 0; c < 3; c++) {
        CALL("ctl", NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I32(c));
        CALL("tail", NULL, 1, I64(pats[a][0]), I64(pats[a][1]), I32(c));
        CALL("ifv", NULL, 1, I64(pats[a][1]), I32(c));
      }
    }
    /* values worked out by hand */
    CHECK_EQ_U64(CALL("b2", NULL, 1, I64(0x0000000100000002LL), I64(3), I64(0x0000000500000007LL), I64(-1)),
                 h(0x0000000600000009ULL, 0xffffffff00000002ULL)); /* i32x4.add */
    CHECK_EQ_U64(CALL("b18", NULL, 1, I64(3), I64(-2), I64(5), I64(7)), h(15, (uint64_t)-14)); /* i64x2.mul */
    CHECK_EQ_U64(CALL0("consts", NULL, 1), h(0x0807060484030201ULL, 0x100f0e0d0c0b0a10ULL));
    CHECK_EQ_U64(CALL0("cconst", NULL, 1), 0xfffffff9);
    CHECK_EQ_U64(CALL("q0", NULL, 1, I64(0), I64(1LL << 40)), 1);  /* any_true */
    CHECK_EQ_U64(CALL("q5", NULL, 1, I64(0x80), I64(-1)), 0xff01); /* i8x16.bitmask */
    CHECK_EQ_U64(CALL("shuf", NULL, 1, I64(0x0706050403020100LL), I64(0x0f0e0d0c0b0a0908LL),
                      I64(0x1716151413121110LL), I64(0x1f1e1d1c1b1a1918LL)),
                 h(0x06071e1f13021100ULL, 0x030d050418080110ULL));
    /* memory: in bounds, at the last byte, one past, far past */
    for (int32_t x = 0; x < 3; x++) CALL("st", NULL, 0, I32(100 + 16 * x), I64(pats[x + 2][0]), I64(pats[x + 3][1]));
    CALL("st", NULL, 0, I32(65536 - 21), I64(-5), I64(77));
    CALL("st", oob, 0, I32(65536 - 20), I64(1), I64(2));
    CALL("st", oob, 0, I32(-1), I64(1), I64(2));
    CHECK_EQ_U64(CALL("ld", NULL, 1, I32(65536 - 19)), h((uint64_t)-5, 77));
    CALL("ld", NULL, 1, I32(97));
    CALL("ld", oob, 1, I32(65536 - 18));
    CALL("ld", oob, 1, I32(0x7fffffff));
    CALL("ldx", NULL, 1, I32(101));
    CALL("ldx", NULL, 1, I32(65536 - 10));
    CALL("ldx", oob, 1, I32(65536 - 9));
    CALL("lane", NULL, 1, I32(200), I64(pats[3][0]), I64(pats[3][1]));
    CALL("lane", NULL, 1, I32(65536 - 24), I64(pats[1][0]), I64(pats[1][1]));
    CALL("lane", oob, 1, I32(65536 - 23), I64(1), I64(2));
    CALL("m1", NULL, 1, I32(300), I64(pats[3][0]), I64(pats[3][1]));
    CALL("m1", NULL, 1, I32(65536 - 20), I64(3), I64(4));
    CALL("m1", oob, 1, I32(65536 - 19), I64(3), I64(4));
    CALL("m2", NULL, 1, I64(400), I64(pats[3][0]), I64(pats[3][1]));
    CALL("m2", NULL, 1, I64(65536 - 18), I64(3), I64(4));
    CALL("m2", oob, 1, I64(65536 - 17), I64(3), I64(4));
    CALL("m2", oob, 1, I64(0x100000000LL), I64(3), I64(4));
    CALL("m2", oob, 1, I64(-16), I64(3), I64(4));
    CALL("ld", NULL, 1, I32(300)); /* memory 0 saw nothing of memory 1's stores */
    /* compiled, every function: none left to the interpreter (auto: every function called,
     * each compiled at its first call) */
    JIT_CHECK_ALL_COMPILED(r, NRUNS, 150);
  }
  for (int k = 0; k < NRUNS; k++) jit_run_close(&r[k]);
  free(bin);
}
