/* Floating-point operations and conversions for compiled code, on slot bits: compiled
 * code passes the operands' bits in rdi/rsi and takes the result's bits from rax. The
 * semantics are the specification's (NaN propagation, signed zeros in min/max, rounding
 * to nearest-even, quieted NaNs from rounding, traps of the checked truncations). */
#include <math.h>
#include <string.h>

#include "jit_int.h"

static inline float F(uint64_t b) {
  uint32_t u = (uint32_t)b;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline double D(uint64_t b) {
  double d;
  memcpy(&d, &b, 8);
  return d;
}
static inline uint64_t BF(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static inline uint64_t BD(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

/* ---- arithmetic ---- */
static uint64_t f32_add(uint64_t a, uint64_t b) { return BF(F(a) + F(b)); }
static uint64_t f32_sub(uint64_t a, uint64_t b) { return BF(F(a) - F(b)); }
static uint64_t f32_mul(uint64_t a, uint64_t b) { return BF(F(a) * F(b)); }
static uint64_t f32_div(uint64_t a, uint64_t b) { return BF(F(a) / F(b)); }
static uint64_t f64_add(uint64_t a, uint64_t b) { return BD(D(a) + D(b)); }
static uint64_t f64_sub(uint64_t a, uint64_t b) { return BD(D(a) - D(b)); }
static uint64_t f64_mul(uint64_t a, uint64_t b) { return BD(D(a) * D(b)); }
static uint64_t f64_div(uint64_t a, uint64_t b) { return BD(D(a) / D(b)); }

static uint64_t f32_min(uint64_t a, uint64_t b) {
  float x = F(a), y = F(b);
  if (x != x || y != y) return BF(x + y);
  if (x == y) return (uint32_t)(a | b);
  return BF(x < y ? x : y);
}
static uint64_t f32_max(uint64_t a, uint64_t b) {
  float x = F(a), y = F(b);
  if (x != x || y != y) return BF(x + y);
  if (x == y) return (uint32_t)(a & b);
  return BF(x > y ? x : y);
}
static uint64_t f64_min(uint64_t a, uint64_t b) {
  double x = D(a), y = D(b);
  if (x != x || y != y) return BD(x + y);
  if (x == y) return a | b;
  return BD(x < y ? x : y);
}
static uint64_t f64_max(uint64_t a, uint64_t b) {
  double x = D(a), y = D(b);
  if (x != x || y != y) return BD(x + y);
  if (x == y) return a & b;
  return BD(x > y ? x : y);
}
static uint64_t f32_copysign(uint64_t a, uint64_t b) {
  return ((uint32_t)a & 0x7fffffffu) | ((uint32_t)b & 0x80000000u);
}
static uint64_t f64_copysign(uint64_t a, uint64_t b) {
  return (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull);
}

/* ---- unary ---- */
static uint64_t f32_abs(uint64_t a) { return (uint32_t)a & 0x7fffffffu; }
static uint64_t f32_neg(uint64_t a) { return (uint32_t)a ^ 0x80000000u; }
static uint64_t f64_abs(uint64_t a) { return a & 0x7fffffffffffffffull; }
static uint64_t f64_neg(uint64_t a) { return a ^ 0x8000000000000000ull; }
#define ROUND32(name, fn)                                                                \
  static uint64_t name(uint64_t a) {                                                     \
    float x = F(a);                                                                      \
    return BF(x != x ? x + x : fn(x));                                                   \
  }
#define ROUND64(name, fn)                                                                \
  static uint64_t name(uint64_t a) {                                                     \
    double x = D(a);                                                                     \
    return BD(x != x ? x + x : fn(x));                                                   \
  }
ROUND32(f32_ceil, ceilf)
ROUND32(f32_floor, floorf)
ROUND32(f32_trunc, truncf)
ROUND32(f32_nearest, rintf) /* = nearbyintf but for the inexact flag; inlined */
ROUND64(f64_ceil, ceil)
ROUND64(f64_floor, floor)
ROUND64(f64_trunc, trunc)
ROUND64(f64_nearest, rint)
static uint64_t f32_sqrt(uint64_t a) { return BF(sqrtf(F(a))); }
static uint64_t f64_sqrt(uint64_t a) { return BD(sqrt(D(a))); }

/* ---- comparisons (i32 results) ---- */
static uint64_t f32_eq(uint64_t a, uint64_t b) { return F(a) == F(b); }
static uint64_t f32_ne(uint64_t a, uint64_t b) { return F(a) != F(b); }
static uint64_t f32_lt(uint64_t a, uint64_t b) { return F(a) < F(b); }
static uint64_t f32_gt(uint64_t a, uint64_t b) { return F(a) > F(b); }
static uint64_t f32_le(uint64_t a, uint64_t b) { return F(a) <= F(b); }
static uint64_t f32_ge(uint64_t a, uint64_t b) { return F(a) >= F(b); }
static uint64_t f64_eq(uint64_t a, uint64_t b) { return D(a) == D(b); }
static uint64_t f64_ne(uint64_t a, uint64_t b) { return D(a) != D(b); }
static uint64_t f64_lt(uint64_t a, uint64_t b) { return D(a) < D(b); }
static uint64_t f64_gt(uint64_t a, uint64_t b) { return D(a) > D(b); }
static uint64_t f64_le(uint64_t a, uint64_t b) { return D(a) <= D(b); }
static uint64_t f64_ge(uint64_t a, uint64_t b) { return D(a) >= D(b); }

/* ---- conversions ---- */
static uint64_t f32_convert_i32_s(uint64_t a) { return BF((float)(int32_t)a); }
static uint64_t f32_convert_i32_u(uint64_t a) { return BF((float)(uint32_t)a); }
static uint64_t f32_convert_i64_s(uint64_t a) { return BF((float)(int64_t)a); }
static uint64_t f32_convert_i64_u(uint64_t a) { return BF((float)a); }
static uint64_t f64_convert_i32_s(uint64_t a) { return BD((double)(int32_t)a); }
static uint64_t f64_convert_i32_u(uint64_t a) { return BD((double)(uint32_t)a); }
static uint64_t f64_convert_i64_s(uint64_t a) { return BD((double)(int64_t)a); }
static uint64_t f64_convert_i64_u(uint64_t a) { return BD((double)a); }
static uint64_t f32_demote_f64(uint64_t a) { return BF((float)D(a)); }
static uint64_t f64_promote_f32(uint64_t a) { return BD((double)F(a)); }

/* Checked truncations: NaN is "invalid conversion to integer", out of range "integer
 * overflow". The bounds are exact powers of two, so the comparisons are exact. */
#define TRUNC(name, T, rd, lo_ok, hi_ok, R)                                              \
  static uint32_t name(uint64_t a, exec_slot *out) {                                     \
    T x = rd(a);                                                                         \
    if (x != x) return EXEC_TRAP_INVALID_CONVERSION;                                     \
    if (!(lo_ok) || !(hi_ok)) return EXEC_TRAP_INT_OVERFLOW;                             \
    *out = (exec_slot)(uint64_t)(R)x; /* signed kinds convert through the signed type */                                                              \
    return 0;                                                                            \
  }
TRUNC(i32_trunc_f32_s, float, F, x >= -2147483648.0f, x < 2147483648.0f, int32_t)
TRUNC(i32_trunc_f32_u, float, F, x > -1.0f, x < 4294967296.0f, uint32_t)
TRUNC(i32_trunc_f64_s, double, D, x > -2147483649.0, x < 2147483648.0, int32_t)
TRUNC(i32_trunc_f64_u, double, D, x > -1.0, x < 4294967296.0, uint32_t)
TRUNC(i64_trunc_f32_s, float, F, x >= -9223372036854775808.0f, x < 9223372036854775808.0f, int64_t)
TRUNC(i64_trunc_f32_u, float, F, x > -1.0f, x < 18446744073709551616.0f, uint64_t)
TRUNC(i64_trunc_f64_s, double, D, x >= -9223372036854775808.0, x < 9223372036854775808.0, int64_t)
TRUNC(i64_trunc_f64_u, double, D, x > -1.0, x < 18446744073709551616.0, uint64_t)
#undef TRUNC

/* Saturating truncations: NaN is 0, out-of-range values clamp. */
#define SAT(name, T, rd, lo, hi, ST, MINV, MAXV)                                         \
  static uint64_t name(uint64_t a) {                                                     \
    T x = rd(a);                                                                         \
    if (x != x) return 0;                                                                \
    if (!(x lo)) return (uint64_t)(MINV);                                                \
    if (!(x hi)) return (uint64_t)(MAXV);                                                \
    return (uint64_t)(ST)x;                                                              \
  }
SAT(i32_sat_f32_s, float, F, >= -2147483648.0f, < 2147483648.0f, int32_t, (uint32_t)INT32_MIN, (uint32_t)INT32_MAX)
SAT(i32_sat_f32_u, float, F, > -1.0f, < 4294967296.0f, uint32_t, 0, UINT32_MAX)
SAT(i32_sat_f64_s, double, D, > -2147483649.0, < 2147483648.0, int32_t, (uint32_t)INT32_MIN, (uint32_t)INT32_MAX)
SAT(i32_sat_f64_u, double, D, > -1.0, < 4294967296.0, uint32_t, 0, UINT32_MAX)
SAT(i64_sat_f32_s, float, F, >= -9223372036854775808.0f, < 9223372036854775808.0f, int64_t, (uint64_t)INT64_MIN,
    (uint64_t)INT64_MAX)
SAT(i64_sat_f32_u, float, F, > -1.0f, < 18446744073709551616.0f, uint64_t, 0, UINT64_MAX)
SAT(i64_sat_f64_s, double, D, >= -9223372036854775808.0, < 9223372036854775808.0, int64_t, (uint64_t)INT64_MIN,
    (uint64_t)INT64_MAX)
SAT(i64_sat_f64_u, double, D, > -1.0, < 18446744073709551616.0, uint64_t, 0, UINT64_MAX)
#undef SAT

void *jit_float_helper(uint16_t op, int *shape) {
  switch (op) {
#define H(id, fn, sh)                                                                    \
  case WASM_OP_##id:                                                                     \
    *shape = sh;                                                                         \
    return (void *)fn;
    H(F32_ADD, f32_add, 2) H(F32_SUB, f32_sub, 2) H(F32_MUL, f32_mul, 2) H(F32_DIV, f32_div, 2)
    H(F32_MIN, f32_min, 2) H(F32_MAX, f32_max, 2) H(F32_COPYSIGN, f32_copysign, 2)
    H(F64_ADD, f64_add, 2) H(F64_SUB, f64_sub, 2) H(F64_MUL, f64_mul, 2) H(F64_DIV, f64_div, 2)
    H(F64_MIN, f64_min, 2) H(F64_MAX, f64_max, 2) H(F64_COPYSIGN, f64_copysign, 2)
    H(F32_ABS, f32_abs, 1) H(F32_NEG, f32_neg, 1) H(F32_CEIL, f32_ceil, 1) H(F32_FLOOR, f32_floor, 1)
    H(F32_TRUNC, f32_trunc, 1) H(F32_NEAREST, f32_nearest, 1) H(F32_SQRT, f32_sqrt, 1)
    H(F64_ABS, f64_abs, 1) H(F64_NEG, f64_neg, 1) H(F64_CEIL, f64_ceil, 1) H(F64_FLOOR, f64_floor, 1)
    H(F64_TRUNC, f64_trunc, 1) H(F64_NEAREST, f64_nearest, 1) H(F64_SQRT, f64_sqrt, 1)
    H(F32_EQ, f32_eq, 2) H(F32_NE, f32_ne, 2) H(F32_LT, f32_lt, 2) H(F32_GT, f32_gt, 2)
    H(F32_LE, f32_le, 2) H(F32_GE, f32_ge, 2)
    H(F64_EQ, f64_eq, 2) H(F64_NE, f64_ne, 2) H(F64_LT, f64_lt, 2) H(F64_GT, f64_gt, 2)
    H(F64_LE, f64_le, 2) H(F64_GE, f64_ge, 2)
    H(F32_CONVERT_I32_S, f32_convert_i32_s, 1) H(F32_CONVERT_I32_U, f32_convert_i32_u, 1)
    H(F32_CONVERT_I64_S, f32_convert_i64_s, 1) H(F32_CONVERT_I64_U, f32_convert_i64_u, 1)
    H(F64_CONVERT_I32_S, f64_convert_i32_s, 1) H(F64_CONVERT_I32_U, f64_convert_i32_u, 1)
    H(F64_CONVERT_I64_S, f64_convert_i64_s, 1) H(F64_CONVERT_I64_U, f64_convert_i64_u, 1)
    H(F32_DEMOTE_F64, f32_demote_f64, 1) H(F64_PROMOTE_F32, f64_promote_f32, 1)
    H(I32_TRUNC_F32_S, i32_trunc_f32_s, 3) H(I32_TRUNC_F32_U, i32_trunc_f32_u, 3)
    H(I32_TRUNC_F64_S, i32_trunc_f64_s, 3) H(I32_TRUNC_F64_U, i32_trunc_f64_u, 3)
    H(I64_TRUNC_F32_S, i64_trunc_f32_s, 3) H(I64_TRUNC_F32_U, i64_trunc_f32_u, 3)
    H(I64_TRUNC_F64_S, i64_trunc_f64_s, 3) H(I64_TRUNC_F64_U, i64_trunc_f64_u, 3)
    H(I32_TRUNC_SAT_F32_S, i32_sat_f32_s, 1) H(I32_TRUNC_SAT_F32_U, i32_sat_f32_u, 1)
    H(I32_TRUNC_SAT_F64_S, i32_sat_f64_s, 1) H(I32_TRUNC_SAT_F64_U, i32_sat_f64_u, 1)
    H(I64_TRUNC_SAT_F32_S, i64_sat_f32_s, 1) H(I64_TRUNC_SAT_F32_U, i64_sat_f32_u, 1)
    H(I64_TRUNC_SAT_F64_S, i64_sat_f64_s, 1) H(I64_TRUNC_SAT_F64_U, i64_sat_f64_u, 1)
#undef H
  default: return NULL;
  }
}
