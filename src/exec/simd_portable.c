/* The SIMD instructions in plain C: the implementation for hosts without a vector
 * implementation and the reference the vector code is tested against. Written lane by
 * lane, straight from the spec's definitions; unsigned lanes wherever the arithmetic
 * wraps, so nothing here relies on signed overflow. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "util/libm.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "exec_v128 keeps WebAssembly lane order in host memory");
_Static_assert(sizeof(exec_v128) == 16, "exec_v128 is 16 bytes");
_Static_assert(EXEC_SIMD_NOPS == 256, "the 0xFD rows of opcodes.def (SIMD, then relaxed SIMD) must stay contiguous");

/* Values are copied in and out with memcpy: the result may alias an operand, and the
 * frame's slots are written elsewhere as 64-bit integers. */
static inline exec_v128 ld(const exec_v128 *p) {
  exec_v128 v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void st(exec_v128 *p, exec_v128 v) { memcpy(p, &v, sizeof v); }

#define ONES(T) ((T) - 1)

/* ---------- lane-wise templates ------------------------------------------------------ */

/* d.F[i] = expr(x) with x = a.F[i] */
#define UN(name, F, N, expr)                                                             \
  static void name(exec_v128 *d, const exec_v128 *pa) {                                  \
    exec_v128 a = ld(pa), r;                                                             \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[i];                                                     \
      r.F[i] = (expr);                                                                   \
    }                                                                                    \
    st(d, r);                                                                            \
  }

/* d.F[i] = expr(x, y) with x = a.F[i], y = b.F[i] */
#define BIN(name, F, N, expr)                                                            \
  static void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {             \
    exec_v128 a = ld(pa), b = ld(pb), r;                                                 \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[i], y = b.F[i];                                         \
      r.F[i] = (expr);                                                                   \
    }                                                                                    \
    st(d, r);                                                                            \
  }

/* d.U[i] = all ones if cond(x, y) else 0, with x = a.F[i], y = b.F[i] */
#define CMP(name, F, U, N, cond)                                                         \
  static void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {             \
    exec_v128 a = ld(pa), b = ld(pb), r;                                                 \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[i], y = b.F[i];                                         \
      r.U[i] = (cond) ? ONES(__typeof__(r.U[0])) : 0;                                    \
    }                                                                                    \
    st(d, r);                                                                            \
  }

/* d.F[i] = expr(x, n) with x = a.F[i], n = count mod lane width */
#define SHIFT(name, F, N, BITS, expr)                                                    \
  static void name(exec_v128 *d, const exec_v128 *pa, uint32_t count) {                  \
    exec_v128 a = ld(pa), r;                                                             \
    uint32_t n = count & ((BITS) - 1);                                                   \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[i];                                                     \
      r.F[i] = (expr);                                                                   \
    }                                                                                    \
    st(d, r);                                                                            \
  }

/* d.W[i] = expr(x) with x = a.F[i + off]: extension from half the lanes */
#define WIDEN(name, W, F, N, off, expr)                                                  \
  static void name(exec_v128 *d, const exec_v128 *pa) {                                  \
    exec_v128 a = ld(pa), r;                                                             \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[i + (off)];                                             \
      r.W[i] = (expr);                                                                   \
    }                                                                                    \
    st(d, r);                                                                            \
  }

/* d.W[i] = expr(x, y) with x = a.F[i + off], y = b.F[i + off]: extended multiplies */
#define WIDEN2(name, W, F, N, off, expr)                                                 \
  static void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {             \
    exec_v128 a = ld(pa), b = ld(pb), r;                                                 \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[i + (off)], y = b.F[i + (off)];                         \
      r.W[i] = (expr);                                                                   \
    }                                                                                    \
    st(d, r);                                                                            \
  }

/* d.W[i] = expr(x, y) with x = a.F[2i], y = a.F[2i+1]: pairwise additions */
#define PAIR(name, W, F, N, expr)                                                        \
  static void name(exec_v128 *d, const exec_v128 *pa) {                                  \
    exec_v128 a = ld(pa), r;                                                             \
    for (int i = 0; i < (N); i++) {                                                      \
      __typeof__(a.F[0]) x = a.F[2 * i], y = a.F[2 * i + 1];                             \
      r.W[i] = (expr);                                                                   \
    }                                                                                    \
    st(d, r);                                                                            \
  }

static inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* ---------- float helpers ------------------------------------------------------------- */

static inline uint32_t f32_bits(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}
static inline float f32_from(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}
static inline uint64_t f64_bits(double f) {
  uint64_t b;
  memcpy(&b, &f, 8);
  return b;
}
static inline double f64_from(uint64_t b) {
  double f;
  memcpy(&f, &b, 8);
  return f;
}

#define F32_CANON 0x7fc00000u
#define F64_CANON 0x7ff8000000000000ull

/* Rounding functions of a NaN return it quieted (an arithmetic NaN, and canonical stays
 * canonical), which libm does not promise for signalling NaNs. */
static inline float f32_round(float x, float (*f)(float)) {
  return isnan(x) ? f32_from(f32_bits(x) | 0x00400000u) : f(x);
}
static inline double f64_round(double x, double (*f)(double)) {
  return isnan(x) ? f64_from(f64_bits(x) | 0x0008000000000000ull) : f(x);
}

/* min/max: NaN if either operand is NaN (canonical here, which is always allowed), and
 * -0 orders below +0. */
static inline float f32_min(float x, float y) {
  if (isnan(x) || isnan(y)) return f32_from(F32_CANON);
  if (x == y) return signbit(x) ? x : y;
  return x < y ? x : y;
}
static inline float f32_max(float x, float y) {
  if (isnan(x) || isnan(y)) return f32_from(F32_CANON);
  if (x == y) return signbit(x) ? y : x;
  return x > y ? x : y;
}
static inline double f64_min(double x, double y) {
  if (isnan(x) || isnan(y)) return f64_from(F64_CANON);
  if (x == y) return signbit(x) ? x : y;
  return x < y ? x : y;
}
static inline double f64_max(double x, double y) {
  if (isnan(x) || isnan(y)) return f64_from(F64_CANON);
  if (x == y) return signbit(x) ? y : x;
  return x > y ? x : y;
}

/* Saturating truncations: NaN -> 0, out of range -> the nearest bound. */
static inline int32_t sat_s32_f64(double x) {
  if (isnan(x)) return 0;
  if (x >= 2147483648.0) return INT32_MAX;
  if (x <= -2147483649.0) return INT32_MIN;
  return (int32_t)x;
}
static inline uint32_t sat_u32_f64(double x) {
  if (!(x > -1.0)) return 0; /* also NaN */
  if (x >= 4294967296.0) return UINT32_MAX;
  return (uint32_t)x;
}

/* ---------- memory -------------------------------------------------------------------- */

#define LOAD_EXT(name, W, T, N)                                                          \
  static void name(exec_v128 *d, const uint8_t *src) {                                   \
    T v[N];                                                                              \
    exec_v128 r;                                                                         \
    memcpy(v, src, sizeof v);                                                            \
    for (int i = 0; i < (N); i++) r.W[i] = v[i];                                         \
    st(d, r);                                                                            \
  }
LOAD_EXT(load8x8_s, i16, int8_t, 8)
LOAD_EXT(load8x8_u, u16, uint8_t, 8)
LOAD_EXT(load16x4_s, i32, int16_t, 4)
LOAD_EXT(load16x4_u, u32, uint16_t, 4)
LOAD_EXT(load32x2_s, i64, int32_t, 2)
LOAD_EXT(load32x2_u, u64, uint32_t, 2)

#define LOAD_SPLAT(name, F, N)                                                           \
  static void name(exec_v128 *d, const uint8_t *src) {                                   \
    exec_v128 r;                                                                         \
    __typeof__(r.F[0]) v;                                                                \
    memcpy(&v, src, sizeof v);                                                           \
    for (int i = 0; i < (N); i++) r.F[i] = v;                                            \
    st(d, r);                                                                            \
  }
LOAD_SPLAT(load8_splat, u8, 16)
LOAD_SPLAT(load16_splat, u16, 8)
LOAD_SPLAT(load32_splat, u32, 4)
LOAD_SPLAT(load64_splat, u64, 2)

static void load32_zero(exec_v128 *d, const uint8_t *src) {
  exec_v128 r = {0};
  memcpy(&r, src, 4);
  st(d, r);
}
static void load64_zero(exec_v128 *d, const uint8_t *src) {
  exec_v128 r = {0};
  memcpy(&r, src, 8);
  st(d, r);
}

#define LANE_MEM(load_name, store_name, size)                                            \
  static void load_name(exec_v128 *d, const exec_v128 *pa, const uint8_t *src, uint32_t lane) { \
    exec_v128 r = ld(pa);                                                                \
    memcpy(&r.u8[lane * (size)], src, (size));                                           \
    st(d, r);                                                                            \
  }                                                                                      \
  static void store_name(uint8_t *dst, const exec_v128 *pa, uint32_t lane) {             \
    exec_v128 a = ld(pa);                                                                \
    memcpy(dst, &a.u8[lane * (size)], (size));                                           \
  }
LANE_MEM(load8_lane, store8_lane, 1)
LANE_MEM(load16_lane, store16_lane, 2)
LANE_MEM(load32_lane, store32_lane, 4)
LANE_MEM(load64_lane, store64_lane, 8)

/* ---------- splat, lanes, shuffles --------------------------------------------------- */

#define SPLAT(name, F, N, T)                                                             \
  static void name(exec_v128 *d, uint64_t x) {                                           \
    exec_v128 r;                                                                         \
    for (int i = 0; i < (N); i++) r.F[i] = (T)x;                                         \
    st(d, r);                                                                            \
  }
SPLAT(i8x16_splat, u8, 16, uint8_t)
SPLAT(i16x8_splat, u16, 8, uint16_t)
SPLAT(i32x4_splat, u32, 4, uint32_t)   /* also f32x4.splat: the same bits */
SPLAT(i64x2_splat, u64, 2, uint64_t)   /* also f64x2.splat */

static uint64_t i8x16_extract_s(const exec_v128 *a, uint32_t lane) {
  return (uint32_t)(int32_t)ld(a).i8[lane];
}
static uint64_t i8x16_extract_u(const exec_v128 *a, uint32_t lane) { return ld(a).u8[lane]; }
static uint64_t i16x8_extract_s(const exec_v128 *a, uint32_t lane) {
  return (uint32_t)(int32_t)ld(a).i16[lane];
}
static uint64_t i16x8_extract_u(const exec_v128 *a, uint32_t lane) { return ld(a).u16[lane]; }
static uint64_t i32x4_extract(const exec_v128 *a, uint32_t lane) { return ld(a).u32[lane]; }
static uint64_t i64x2_extract(const exec_v128 *a, uint32_t lane) { return ld(a).u64[lane]; }

#define REPLACE(name, F, T)                                                              \
  static void name(exec_v128 *d, const exec_v128 *pa, uint64_t x, uint32_t lane) {       \
    exec_v128 r = ld(pa);                                                                \
    r.F[lane] = (T)x;                                                                    \
    st(d, r);                                                                            \
  }
REPLACE(i8x16_replace, u8, uint8_t)
REPLACE(i16x8_replace, u16, uint16_t)
REPLACE(i32x4_replace, u32, uint32_t)
REPLACE(i64x2_replace, u64, uint64_t)

static void i8x16_shuffle(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb,
                          const uint8_t lanes[16]) {
  uint8_t both[32];
  exec_v128 r;
  memcpy(both, pa, 16);
  memcpy(both + 16, pb, 16);
  for (int i = 0; i < 16; i++) r.u8[i] = lanes[i] < 32 ? both[lanes[i]] : 0;
  st(d, r);
}

static void i8x16_swizzle(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  for (int i = 0; i < 16; i++) r.u8[i] = b.u8[i] < 16 ? a.u8[b.u8[i]] : 0;
  st(d, r);
}

/* ---------- comparisons --------------------------------------------------------------- */

#define INT_CMPS(P, S, U, N)                                                             \
  CMP(P##_eq, U, U, N, x == y)                                                           \
  CMP(P##_ne, U, U, N, x != y)                                                           \
  CMP(P##_lt_s, S, U, N, x < y)                                                          \
  CMP(P##_lt_u, U, U, N, x < y)                                                          \
  CMP(P##_gt_s, S, U, N, x > y)                                                          \
  CMP(P##_gt_u, U, U, N, x > y)                                                          \
  CMP(P##_le_s, S, U, N, x <= y)                                                         \
  CMP(P##_le_u, U, U, N, x <= y)                                                         \
  CMP(P##_ge_s, S, U, N, x >= y)                                                         \
  CMP(P##_ge_u, U, U, N, x >= y)
INT_CMPS(i8x16, i8, u8, 16)
INT_CMPS(i16x8, i16, u16, 8)
INT_CMPS(i32x4, i32, u32, 4)
CMP(i64x2_eq, u64, u64, 2, x == y)
CMP(i64x2_ne, u64, u64, 2, x != y)
CMP(i64x2_lt_s, i64, u64, 2, x < y)
CMP(i64x2_gt_s, i64, u64, 2, x > y)
CMP(i64x2_le_s, i64, u64, 2, x <= y)
CMP(i64x2_ge_s, i64, u64, 2, x >= y)

#define FLOAT_CMPS(P, F, U, N)                                                           \
  CMP(P##_eq, F, U, N, x == y)                                                           \
  CMP(P##_ne, F, U, N, x != y)                                                           \
  CMP(P##_lt, F, U, N, x < y)                                                            \
  CMP(P##_gt, F, U, N, x > y)                                                            \
  CMP(P##_le, F, U, N, x <= y)                                                           \
  CMP(P##_ge, F, U, N, x >= y)
FLOAT_CMPS(f32x4, f32, u32, 4)
FLOAT_CMPS(f64x2, f64, u64, 2)

/* ---------- bitwise ------------------------------------------------------------------- */

UN(v128_not, u64, 2, ~x)
BIN(v128_and, u64, 2, x & y)
BIN(v128_andnot, u64, 2, x & ~y)
BIN(v128_or, u64, 2, x | y)
BIN(v128_xor, u64, 2, x ^ y)

static void v128_bitselect(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb,
                           const exec_v128 *pc) {
  exec_v128 a = ld(pa), b = ld(pb), c = ld(pc), r;
  for (int i = 0; i < 2; i++) r.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i]);
  st(d, r);
}

static uint32_t v128_any_true(const exec_v128 *pa) {
  exec_v128 a = ld(pa);
  return (a.u64[0] | a.u64[1]) != 0;
}

#define ALL_TRUE(name, F, N)                                                             \
  static uint32_t name(const exec_v128 *pa) {                                            \
    exec_v128 a = ld(pa);                                                                \
    for (int i = 0; i < (N); i++)                                                        \
      if (a.F[i] == 0) return 0;                                                         \
    return 1;                                                                            \
  }
ALL_TRUE(i8x16_all_true, u8, 16)
ALL_TRUE(i16x8_all_true, u16, 8)
ALL_TRUE(i32x4_all_true, u32, 4)
ALL_TRUE(i64x2_all_true, u64, 2)

#define BITMASK(name, F, N)                                                              \
  static uint32_t name(const exec_v128 *pa) {                                            \
    exec_v128 a = ld(pa);                                                                \
    uint32_t m = 0;                                                                      \
    for (int i = 0; i < (N); i++) m |= (uint32_t)(a.F[i] < 0) << i;                      \
    return m;                                                                            \
  }
BITMASK(i8x16_bitmask, i8, 16)
BITMASK(i16x8_bitmask, i16, 8)
BITMASK(i32x4_bitmask, i32, 4)
BITMASK(i64x2_bitmask, i64, 2)

/* ---------- integer arithmetic -------------------------------------------------------- */

/* abs of the most negative value wraps to itself: computed on the unsigned lane. */
UN(i8x16_abs, u8, 16, (uint8_t)((x & 0x80u) ? 0u - x : x))
UN(i16x8_abs, u16, 8, (uint16_t)((x & 0x8000u) ? 0u - x : x))
UN(i32x4_abs, u32, 4, (x & 0x80000000u) ? 0u - x : x)
UN(i64x2_abs, u64, 2, (x >> 63) ? 0u - x : x)
UN(i8x16_neg, u8, 16, (uint8_t)(0u - x))
UN(i16x8_neg, u16, 8, (uint16_t)(0u - x))
UN(i32x4_neg, u32, 4, 0u - x)
UN(i64x2_neg, u64, 2, 0u - x)
UN(i8x16_popcnt, u8, 16, (uint8_t)__builtin_popcount(x))

BIN(i8x16_add, u8, 16, (uint8_t)(x + y))
BIN(i16x8_add, u16, 8, (uint16_t)(x + y))
BIN(i32x4_add, u32, 4, x + y)
BIN(i64x2_add, u64, 2, x + y)
BIN(i8x16_sub, u8, 16, (uint8_t)(x - y))
BIN(i16x8_sub, u16, 8, (uint16_t)(x - y))
BIN(i32x4_sub, u32, 4, x - y)
BIN(i64x2_sub, u64, 2, x - y)
BIN(i16x8_mul, u16, 8, (uint16_t)((uint32_t)x * y))
BIN(i32x4_mul, u32, 4, x * y)
BIN(i64x2_mul, u64, 2, x * y)

BIN(i8x16_add_sat_s, i8, 16, (int8_t)clamp(x + y, INT8_MIN, INT8_MAX))
BIN(i8x16_add_sat_u, u8, 16, (uint8_t)clamp(x + y, 0, UINT8_MAX))
BIN(i8x16_sub_sat_s, i8, 16, (int8_t)clamp(x - y, INT8_MIN, INT8_MAX))
BIN(i8x16_sub_sat_u, u8, 16, (uint8_t)clamp(x - y, 0, UINT8_MAX))
BIN(i16x8_add_sat_s, i16, 8, (int16_t)clamp(x + y, INT16_MIN, INT16_MAX))
BIN(i16x8_add_sat_u, u16, 8, (uint16_t)clamp(x + y, 0, UINT16_MAX))
BIN(i16x8_sub_sat_s, i16, 8, (int16_t)clamp(x - y, INT16_MIN, INT16_MAX))
BIN(i16x8_sub_sat_u, u16, 8, (uint16_t)clamp(x - y, 0, UINT16_MAX))

#define MINMAX(P, S, U, N)                                                               \
  BIN(P##_min_s, S, N, x < y ? x : y)                                                    \
  BIN(P##_min_u, U, N, x < y ? x : y)                                                    \
  BIN(P##_max_s, S, N, x > y ? x : y)                                                    \
  BIN(P##_max_u, U, N, x > y ? x : y)
MINMAX(i8x16, i8, u8, 16)
MINMAX(i16x8, i16, u16, 8)
MINMAX(i32x4, i32, u32, 4)

BIN(i8x16_avgr_u, u8, 16, (uint8_t)((x + y + 1) >> 1))
BIN(i16x8_avgr_u, u16, 8, (uint16_t)((x + y + 1) >> 1))

/* (x * y + 2^14) >> 15, saturated: only -32768 * -32768 overflows. */
BIN(i16x8_q15mulr_sat_s, i16, 8, (int16_t)clamp((x * y + 0x4000) >> 15, INT16_MIN, INT16_MAX))

static void i32x4_dot_i16x8_s(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  /* Both products -32768 * -32768 sum to 2^31, which wraps. */
  for (int i = 0; i < 4; i++)
    r.u32[i] = (uint32_t)(a.i16[2 * i] * b.i16[2 * i]) +
               (uint32_t)(a.i16[2 * i + 1] * b.i16[2 * i + 1]);
  st(d, r);
}

/* Shifts: signed right shifts of negative values are arithmetic on GCC and Clang. */
SHIFT(i8x16_shl, u8, 16, 8, (uint8_t)(x << n))
SHIFT(i8x16_shr_s, i8, 16, 8, (int8_t)(x >> n))
SHIFT(i8x16_shr_u, u8, 16, 8, (uint8_t)(x >> n))
SHIFT(i16x8_shl, u16, 8, 16, (uint16_t)(x << n))
SHIFT(i16x8_shr_s, i16, 8, 16, (int16_t)(x >> n))
SHIFT(i16x8_shr_u, u16, 8, 16, (uint16_t)(x >> n))
SHIFT(i32x4_shl, u32, 4, 32, x << n)
SHIFT(i32x4_shr_s, i32, 4, 32, x >> n)
SHIFT(i32x4_shr_u, u32, 4, 32, x >> n)
SHIFT(i64x2_shl, u64, 2, 64, x << n)
SHIFT(i64x2_shr_s, i64, 2, 64, x >> n)
SHIFT(i64x2_shr_u, u64, 2, 64, x >> n)

/* ---------- narrowing, widening ------------------------------------------------------- */

static void i8x16_narrow_s(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  for (int i = 0; i < 8; i++) {
    r.i8[i] = (int8_t)clamp(a.i16[i], INT8_MIN, INT8_MAX);
    r.i8[i + 8] = (int8_t)clamp(b.i16[i], INT8_MIN, INT8_MAX);
  }
  st(d, r);
}
static void i8x16_narrow_u(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  for (int i = 0; i < 8; i++) {
    r.u8[i] = (uint8_t)clamp(a.i16[i], 0, UINT8_MAX);
    r.u8[i + 8] = (uint8_t)clamp(b.i16[i], 0, UINT8_MAX);
  }
  st(d, r);
}
static void i16x8_narrow_s(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  for (int i = 0; i < 4; i++) {
    r.i16[i] = (int16_t)clamp(a.i32[i], INT16_MIN, INT16_MAX);
    r.i16[i + 4] = (int16_t)clamp(b.i32[i], INT16_MIN, INT16_MAX);
  }
  st(d, r);
}
static void i16x8_narrow_u(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  for (int i = 0; i < 4; i++) {
    r.u16[i] = (uint16_t)clamp(a.i32[i], 0, UINT16_MAX);
    r.u16[i + 4] = (uint16_t)clamp(b.i32[i], 0, UINT16_MAX);
  }
  st(d, r);
}

WIDEN(i16x8_extend_low_s, i16, i8, 8, 0, x)
WIDEN(i16x8_extend_high_s, i16, i8, 8, 8, x)
WIDEN(i16x8_extend_low_u, u16, u8, 8, 0, x)
WIDEN(i16x8_extend_high_u, u16, u8, 8, 8, x)
WIDEN(i32x4_extend_low_s, i32, i16, 4, 0, x)
WIDEN(i32x4_extend_high_s, i32, i16, 4, 4, x)
WIDEN(i32x4_extend_low_u, u32, u16, 4, 0, x)
WIDEN(i32x4_extend_high_u, u32, u16, 4, 4, x)
WIDEN(i64x2_extend_low_s, i64, i32, 2, 0, x)
WIDEN(i64x2_extend_high_s, i64, i32, 2, 2, x)
WIDEN(i64x2_extend_low_u, u64, u32, 2, 0, x)
WIDEN(i64x2_extend_high_u, u64, u32, 2, 2, x)

WIDEN2(i16x8_extmul_low_s, i16, i8, 8, 0, (int16_t)(x * y))
WIDEN2(i16x8_extmul_high_s, i16, i8, 8, 8, (int16_t)(x * y))
WIDEN2(i16x8_extmul_low_u, u16, u8, 8, 0, (uint16_t)(x * y))
WIDEN2(i16x8_extmul_high_u, u16, u8, 8, 8, (uint16_t)(x * y))
WIDEN2(i32x4_extmul_low_s, i32, i16, 4, 0, x * y)
WIDEN2(i32x4_extmul_high_s, i32, i16, 4, 4, x * y)
WIDEN2(i32x4_extmul_low_u, u32, u16, 4, 0, (uint32_t)x * y)
WIDEN2(i32x4_extmul_high_u, u32, u16, 4, 4, (uint32_t)x * y)
WIDEN2(i64x2_extmul_low_s, i64, i32, 2, 0, (int64_t)x * y)
WIDEN2(i64x2_extmul_high_s, i64, i32, 2, 2, (int64_t)x * y)
WIDEN2(i64x2_extmul_low_u, u64, u32, 2, 0, (uint64_t)x * y)
WIDEN2(i64x2_extmul_high_u, u64, u32, 2, 2, (uint64_t)x * y)

PAIR(i16x8_extadd_pairwise_s, i16, i8, 8, (int16_t)(x + y))
PAIR(i16x8_extadd_pairwise_u, u16, u8, 8, (uint16_t)(x + y))
PAIR(i32x4_extadd_pairwise_s, i32, i16, 4, x + y)
PAIR(i32x4_extadd_pairwise_u, u32, u16, 4, (uint32_t)x + y)

/* ---------- floating point ------------------------------------------------------------ */

/* abs and neg touch only the sign bit, NaN payloads included. */
UN(f32x4_abs, u32, 4, x & 0x7fffffffu)
UN(f32x4_neg, u32, 4, x ^ 0x80000000u)
UN(f64x2_abs, u64, 2, x & 0x7fffffffffffffffull)
UN(f64x2_neg, u64, 2, x ^ 0x8000000000000000ull)

UN(f32x4_sqrt, f32, 4, sqrtf(x))
UN(f64x2_sqrt, f64, 2, sqrt(x))
UN(f32x4_ceil, f32, 4, f32_round(x, ceilf))
UN(f32x4_floor, f32, 4, f32_round(x, floorf))
UN(f32x4_trunc, f32, 4, f32_round(x, truncf))
UN(f32x4_nearest, f32, 4, f32_round(x, rintf)) /* ties to even in the default rounding mode */
UN(f64x2_ceil, f64, 2, f64_round(x, ceil))
UN(f64x2_floor, f64, 2, f64_round(x, floor))
UN(f64x2_trunc, f64, 2, f64_round(x, trunc))
UN(f64x2_nearest, f64, 2, f64_round(x, rint))

BIN(f32x4_add, f32, 4, x + y)
BIN(f32x4_sub, f32, 4, x - y)
BIN(f32x4_mul, f32, 4, x * y)
BIN(f32x4_div, f32, 4, x / y)
BIN(f32x4_min, f32, 4, f32_min(x, y))
BIN(f32x4_max, f32, 4, f32_max(x, y))
BIN(f32x4_pmin, f32, 4, y < x ? y : x)
BIN(f32x4_pmax, f32, 4, x < y ? y : x)
BIN(f64x2_add, f64, 2, x + y)
BIN(f64x2_sub, f64, 2, x - y)
BIN(f64x2_mul, f64, 2, x * y)
BIN(f64x2_div, f64, 2, x / y)
BIN(f64x2_min, f64, 2, f64_min(x, y))
BIN(f64x2_max, f64, 2, f64_max(x, y))
BIN(f64x2_pmin, f64, 2, y < x ? y : x)
BIN(f64x2_pmax, f64, 2, x < y ? y : x)

/* Every f32 is exactly a double, so the f64 bounds decide the f32 truncations too. */
static void i32x4_trunc_sat_f32x4_s(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r;
  for (int i = 0; i < 4; i++) r.i32[i] = sat_s32_f64(a.f32[i]);
  st(d, r);
}
static void i32x4_trunc_sat_f32x4_u(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r;
  for (int i = 0; i < 4; i++) r.u32[i] = sat_u32_f64(a.f32[i]);
  st(d, r);
}
static void i32x4_trunc_sat_f64x2_s_zero(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r = {0};
  for (int i = 0; i < 2; i++) r.i32[i] = sat_s32_f64(a.f64[i]);
  st(d, r);
}
static void i32x4_trunc_sat_f64x2_u_zero(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r = {0};
  for (int i = 0; i < 2; i++) r.u32[i] = sat_u32_f64(a.f64[i]);
  st(d, r);
}

static void f32x4_convert_i32x4_s(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r;
  for (int i = 0; i < 4; i++) r.f32[i] = (float)a.i32[i]; /* rounds to nearest */
  st(d, r);
}
static void f32x4_convert_i32x4_u(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r;
  for (int i = 0; i < 4; i++) r.f32[i] = (float)a.u32[i];
  st(d, r);
}
WIDEN(f64x2_convert_low_i32x4_s, f64, i32, 2, 0, (double)x)
WIDEN(f64x2_convert_low_i32x4_u, f64, u32, 2, 0, (double)x)
WIDEN(f64x2_promote_low_f32x4, f64, f32, 2, 0, (double)x)

static void f32x4_demote_f64x2_zero(exec_v128 *d, const exec_v128 *pa) {
  exec_v128 a = ld(pa), r = {0};
  for (int i = 0; i < 2; i++) r.f32[i] = (float)a.f64[i];
  st(d, r);
}

/* ---------- relaxed SIMD ------------------------------------------------------------- */

/* Where relaxed SIMD lets the result depend on the machine, weld returns one answer on
 * every machine (docs/relaxed-simd.md). Swizzle, truncation, min/max, lane select and
 * q15mulr are their 2.0 counterparts (see the table); these are the rest. */

/* madd: fused, one rounding (C's fma is correctly rounded on every host). nmadd is
 * -(a * b) + c; negating a is exact, so it is fma(-a, b, c). */
/* fma and fmaf are libm's, opened on first use (util/libm.h): libm.so.6 is part of the C
 * library's package, so failing to open it is a broken system, reported as such. */
static const util_libm *libm(void) {
  const char *why = "libm.so.6";
  const util_libm *m = util_libm_get(&why);
  if (!m) {
    fprintf(stderr, "weld: relaxed madd needs %s\n", why);
    abort();
  }
  return m;
}
#define MADD(name, F, N, fn, sign)                                                       \
  static void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb,               \
                   const exec_v128 *pc) {                                                \
    exec_v128 a = ld(pa), b = ld(pb), c = ld(pc), r;                                     \
    const util_libm *m = libm();                                                         \
    for (int i = 0; i < (N); i++) r.F[i] = m->fn(sign a.F[i], b.F[i], c.F[i]);           \
    st(d, r);                                                                            \
  }
MADD(f32x4_relaxed_madd, f32, 4, fmaf, +)
MADD(f32x4_relaxed_nmadd, f32, 4, fmaf, -)
MADD(f64x2_relaxed_madd, f64, 2, fma, +)
MADD(f64x2_relaxed_nmadd, f64, 2, fma, -)

/* dot: both operands signed; each pair's sum wraps to 16 bits (only -128 * -128 twice,
 * 32768, does not fit). */
static void i16x8_relaxed_dot_i8x16_i7x16_s(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {
  exec_v128 a = ld(pa), b = ld(pb), r;
  for (int i = 0; i < 8; i++)
    r.u16[i] = (uint16_t)(a.i8[2 * i] * b.i8[2 * i] + a.i8[2 * i + 1] * b.i8[2 * i + 1]);
  st(d, r);
}

/* dot_add: the 16-bit dot products above, added pairwise as signed 32-bit numbers, plus
 * c (wrapping). */
static void i32x4_relaxed_dot_i8x16_i7x16_add_s(exec_v128 *d, const exec_v128 *pa,
                                                const exec_v128 *pb, const exec_v128 *pc) {
  exec_v128 c = ld(pc), dot, r;
  i16x8_relaxed_dot_i8x16_i7x16_s(&dot, pa, pb);
  for (int i = 0; i < 4; i++)
    r.u32[i] = (uint32_t)((int32_t)dot.i16[2 * i] + dot.i16[2 * i + 1]) + c.u32[i];
  st(d, r);
}

/* ---------- the table ----------------------------------------------------------------- */

#define E_UN EXEC_SIMD_E_UNOP
#define E_BIN EXEC_SIMD_E_BINOP
#define E_SHIFT EXEC_SIMD_E_SHIFT
#define E_TEST EXEC_SIMD_E_TEST
#define E_SPLAT EXEC_SIMD_E_SPLAT
#define E_EXTRACT EXEC_SIMD_E_EXTRACT
#define E_REPLACE EXEC_SIMD_E_REPLACE
#define E_LOAD EXEC_SIMD_E_LOAD
#define E_LOAD_LANE EXEC_SIMD_E_LOAD_LANE
#define E_STORE_LANE EXEC_SIMD_E_STORE_LANE

UTIL_COLD_BSS exec_simd_entry exec_simd_portable_ops[EXEC_SIMD_NOPS];

void exec_simd_portable_fill(void) {
  exec_simd_entry *t = exec_simd_portable_ops;
#include "simd_ops.def"
  /* the portable file alone: lane loads and stores, lane extract/replace, madd/nmadd */
  E_LOAD_LANE(V128_LOAD8_LANE, load8_lane, 1),
  E_LOAD_LANE(V128_LOAD16_LANE, load16_lane, 2),
  E_LOAD_LANE(V128_LOAD32_LANE, load32_lane, 4),
  E_LOAD_LANE(V128_LOAD64_LANE, load64_lane, 8),
  E_STORE_LANE(V128_STORE8_LANE, store8_lane, 1),
  E_STORE_LANE(V128_STORE16_LANE, store16_lane, 2),
  E_STORE_LANE(V128_STORE32_LANE, store32_lane, 4),
  E_STORE_LANE(V128_STORE64_LANE, store64_lane, 8),
  E_EXTRACT(I8X16_EXTRACT_LANE_S, i8x16_extract_s, 16),
  E_EXTRACT(I8X16_EXTRACT_LANE_U, i8x16_extract_u, 16),
  E_REPLACE(I8X16_REPLACE_LANE, i8x16_replace, 16),
  E_EXTRACT(I16X8_EXTRACT_LANE_S, i16x8_extract_s, 8),
  E_EXTRACT(I16X8_EXTRACT_LANE_U, i16x8_extract_u, 8),
  E_REPLACE(I16X8_REPLACE_LANE, i16x8_replace, 8),
  E_EXTRACT(I32X4_EXTRACT_LANE, i32x4_extract, 4),
  E_REPLACE(I32X4_REPLACE_LANE, i32x4_replace, 4),
  E_EXTRACT(I64X2_EXTRACT_LANE, i64x2_extract, 2),
  E_REPLACE(I64X2_REPLACE_LANE, i64x2_replace, 2),
  E_EXTRACT(F32X4_EXTRACT_LANE, i32x4_extract, 4),
  E_REPLACE(F32X4_REPLACE_LANE, i32x4_replace, 4),
  E_EXTRACT(F64X2_EXTRACT_LANE, i64x2_extract, 2),
  E_REPLACE(F64X2_REPLACE_LANE, i64x2_replace, 2),
  EXEC_SIMD_E_TERNOP(F32X4_RELAXED_MADD, f32x4_relaxed_madd),
  EXEC_SIMD_E_TERNOP(F32X4_RELAXED_NMADD, f32x4_relaxed_nmadd),
  EXEC_SIMD_E_TERNOP(F64X2_RELAXED_MADD, f64x2_relaxed_madd),
  EXEC_SIMD_E_TERNOP(F64X2_RELAXED_NMADD, f64x2_relaxed_nmadd),
  (void)0; /* after the last entry's comma */
}
