/* Relaxed SIMD: the one result weld chooses where the spec allows several
 * (docs/relaxed-simd.md), in every SIMD implementation this machine runs. The inputs are
 * the cases that tell the allowed results apart; the expected values follow from the
 * spec's definitions of the operations, worked out by hand in the comments. */
#include <math.h>
#include <string.h>

#include "exec/simd.h"
#include "unit.h"
#include "wasm/opcodes.h"

static void run(const exec_simd_entry *e, exec_v128 *d, const exec_v128 *a, const exec_v128 *b,
                const exec_v128 *c) {
  switch (e->shape) {
  case EXEC_SIMD_UNOP: e->fn.unop(d, a); break;
  case EXEC_SIMD_BINOP: e->fn.binop(d, a, b); break;
  case EXEC_SIMD_TERNOP: e->fn.ternop(d, a, b, c); break;
  default: memset(d, 0xee, sizeof *d); break;
  }
}

static void check_impl(exec_simd_impl im) {
  const char *label = exec_simd_impl_label(im);
  exec_v128 a, b, c, d, want;
#define OP(id) exec_simd_op_in(im, WASM_OP_##id)
#define SAME(what) unit_check(memcmp(&d, &want, 16) == 0, __FILE__, __LINE__, "%s: %s", label, what)

  /* madd is fused: (1 + 2^-23)^2 - (1 + 2^-22) is 2^-46 with one rounding, 0 with two. */
  for (int i = 0; i < 4; i++) {
    a.f32[i] = b.f32[i] = 1.0f + 0x1p-23f;
    c.f32[i] = -(1.0f + 0x1p-22f);
    want.f32[i] = 0x1p-46f;
  }
  run(OP(F32X4_RELAXED_MADD), &d, &a, &b, &c);
  SAME("f32x4.relaxed_madd rounds once");
  for (int i = 0; i < 4; i++) c.f32[i] = 1.0f + 0x1p-22f;
  for (int i = 0; i < 4; i++) want.f32[i] = -0x1p-46f;
  run(OP(F32X4_RELAXED_NMADD), &d, &a, &b, &c);
  SAME("f32x4.relaxed_nmadd rounds once");
  for (int i = 0; i < 2; i++) {
    a.f64[i] = b.f64[i] = 1.0 + 0x1p-52;
    c.f64[i] = -(1.0 + 0x1p-51);
    want.f64[i] = 0x1p-104;
  }
  run(OP(F64X2_RELAXED_MADD), &d, &a, &b, &c);
  SAME("f64x2.relaxed_madd rounds once");
  for (int i = 0; i < 2; i++) c.f64[i] = 1.0 + 0x1p-51;
  for (int i = 0; i < 2; i++) want.f64[i] = -0x1p-104;
  run(OP(F64X2_RELAXED_NMADD), &d, &a, &b, &c);
  SAME("f64x2.relaxed_nmadd rounds once");

  /* swizzle: every index from 16 up selects 0 (not the low four bits' lane). */
  for (int i = 0; i < 16; i++) a.u8[i] = (uint8_t)(0xa0 + i), b.u8[i] = (uint8_t)(i * 17 + 3); /* 3, 20, ... */
  b.u8[1] = 15, b.u8[2] = 0x10, b.u8[3] = 0x7f, b.u8[4] = 0x80;
  for (int i = 0; i < 16; i++) want.u8[i] = b.u8[i] < 16 ? a.u8[b.u8[i]] : 0;
  run(OP(I8X16_RELAXED_SWIZZLE), &d, &a, &b, NULL);
  SAME("i8x16.relaxed_swizzle");

  /* trunc: NaN is 0, out of range saturates. */
  a.f32[0] = NAN, a.f32[1] = -1e10f, a.f32[2] = 3e9f, a.f32[3] = -1.5f;
  want.i32[0] = 0, want.i32[1] = INT32_MIN, want.i32[2] = INT32_MAX, want.i32[3] = -1;
  run(OP(I32X4_RELAXED_TRUNC_F32X4_S), &d, &a, NULL, NULL);
  SAME("i32x4.relaxed_trunc_f32x4_s");
  want.u32[0] = 0, want.u32[1] = 0, want.u32[2] = 3000000000u, want.u32[3] = 0;
  run(OP(I32X4_RELAXED_TRUNC_F32X4_U), &d, &a, NULL, NULL);
  SAME("i32x4.relaxed_trunc_f32x4_u");
  a.f64[0] = NAN, a.f64[1] = 5e9;
  want.i32[0] = 0, want.i32[1] = INT32_MAX, want.i32[2] = want.i32[3] = 0;
  run(OP(I32X4_RELAXED_TRUNC_F64X2_S_ZERO), &d, &a, NULL, NULL);
  SAME("i32x4.relaxed_trunc_f64x2_s_zero");
  want.u32[1] = UINT32_MAX;
  run(OP(I32X4_RELAXED_TRUNC_F64X2_U_ZERO), &d, &a, NULL, NULL);
  SAME("i32x4.relaxed_trunc_f64x2_u_zero");

  /* laneselect with a mask that is not all ones or zeros per lane: bit by bit. */
  static const wasm_opcode sel[] = {WASM_OP_I8X16_RELAXED_LANESELECT, WASM_OP_I16X8_RELAXED_LANESELECT,
                                    WASM_OP_I32X4_RELAXED_LANESELECT, WASM_OP_I64X2_RELAXED_LANESELECT};
  for (int i = 0; i < 2; i++) {
    a.u64[i] = 0x0123456789abcdefull, b.u64[i] = 0xfedcba9876543210ull, c.u64[i] = 0x00ff0f0f80017ffeull;
    want.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i]);
  }
  for (size_t k = 0; k < sizeof sel / sizeof sel[0]; k++) {
    run(exec_simd_op_in(im, sel[k]), &d, &a, &b, &c);
    SAME(wasm_op_name(sel[k]));
  }

  /* min/max: NaN wins, -0 < +0. */
  a.f32[0] = NAN, a.f32[1] = -0.0f, a.f32[2] = 0.0f, a.f32[3] = 1.0f;
  b.f32[0] = 1.0f, b.f32[1] = 0.0f, b.f32[2] = -0.0f, b.f32[3] = NAN;
  run(OP(F32X4_RELAXED_MIN), &d, &a, &b, NULL);
  unit_check(isnan(d.f32[0]) && d.u32[1] == 0x80000000u && d.u32[2] == 0x80000000u && isnan(d.f32[3]),
             __FILE__, __LINE__, "%s: f32x4.relaxed_min", label);
  run(OP(F32X4_RELAXED_MAX), &d, &a, &b, NULL);
  unit_check(isnan(d.f32[0]) && d.u32[1] == 0 && d.u32[2] == 0 && isnan(d.f32[3]), __FILE__, __LINE__,
             "%s: f32x4.relaxed_max", label);
  a.f64[0] = -0.0, a.f64[1] = NAN, b.f64[0] = 0.0, b.f64[1] = -1.0;
  run(OP(F64X2_RELAXED_MIN), &d, &a, &b, NULL);
  unit_check(d.u64[0] == 0x8000000000000000ull && isnan(d.f64[1]), __FILE__, __LINE__, "%s: f64x2.relaxed_min",
             label);
  run(OP(F64X2_RELAXED_MAX), &d, &a, &b, NULL);
  unit_check(d.u64[0] == 0 && isnan(d.f64[1]), __FILE__, __LINE__, "%s: f64x2.relaxed_max", label);

  /* q15mulr: -32768 * -32768 saturates to 32767. */
  for (int i = 0; i < 8; i++) a.i16[i] = b.i16[i] = INT16_MIN, want.i16[i] = INT16_MAX;
  a.i16[1] = 16384, b.i16[1] = -3, want.i16[1] = -1; /* (-49152 + 16384) >> 15 */
  run(OP(I16X8_RELAXED_Q15MULR_S), &d, &a, &b, NULL);
  SAME("i16x8.relaxed_q15mulr_s");

  /* dot: both operands signed, pair sums wrap to 16 bits. */
  for (int i = 0; i < 16; i++) a.i8[i] = (int8_t)(i * 37 - 100), b.i8[i] = (int8_t)(90 - i * 29);
  a.i8[0] = a.i8[1] = b.i8[0] = b.i8[1] = -128; /* 16384 + 16384 = 32768 -> -32768 */
  a.i8[2] = a.i8[3] = -128, b.i8[2] = b.i8[3] = -127; /* 32512 */
  for (int i = 0; i < 8; i++)
    want.i16[i] = (int16_t)(uint16_t)(a.i8[2 * i] * b.i8[2 * i] + a.i8[2 * i + 1] * b.i8[2 * i + 1]);
  unit_check(want.i16[0] == INT16_MIN && want.i16[1] == 32512, __FILE__, __LINE__, "case");
  run(OP(I16X8_RELAXED_DOT_I8X16_I7X16_S), &d, &a, &b, NULL);
  SAME("i16x8.relaxed_dot_i8x16_i7x16_s");
  exec_v128 dot = want;
  for (int i = 0; i < 4; i++) c.i32[i] = i == 3 ? INT32_MAX : 1000 * i - 7;
  for (int i = 0; i < 4; i++)
    want.u32[i] = (uint32_t)(dot.i16[2 * i] + dot.i16[2 * i + 1]) + c.u32[i];
  run(OP(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S), &d, &a, &b, &c);
  SAME("i32x4.relaxed_dot_i8x16_i7x16_add_s");
#undef OP
#undef SAME
}

UNIT_GROUP(simd_relaxed) {
  for (int impl = 0; impl < EXEC_SIMD_IMPL_COUNT; impl++)
    if (exec_simd_impl_available((exec_simd_impl)impl)) check_impl((exec_simd_impl)impl);
}
