/* The SIMD instructions with x86 vector instructions: an SSE4.1 tier and an AVX2 tier
 * that overrides the few operations AVX2 (and the SSE4.2 it implies) does better. Each
 * function carries its own target attribute, so the rest of the build keeps the
 * baseline ISA and simd_select.c only hands these out after checking the CPU.
 * Operations on one lane chosen at run time (extract, replace, lane loads and stores)
 * are scalar by nature and come from simd_portable.c. */
#include "simd.h"
#include "../util/util.h"

#if EXEC_SIMD_HAVE_X86

#include <immintrin.h>
#include <string.h>

#define SSE41 __attribute__((target("sse4.1")))
#define AVX2 __attribute__((target("avx2")))

/* Unaligned loads and stores: frame slots are only 8-byte aligned. */
static inline SSE41 __m128i ldi(const exec_v128 *p) { return _mm_loadu_si128((const __m128i *)p); }
static inline SSE41 void sti(exec_v128 *p, __m128i v) { _mm_storeu_si128((__m128i *)p, v); }
static inline SSE41 __m128 ldf(const exec_v128 *p) { return _mm_loadu_ps((const float *)p); }
static inline SSE41 void stf(exec_v128 *p, __m128 v) { _mm_storeu_ps((float *)p, v); }
static inline SSE41 __m128d ldd(const exec_v128 *p) { return _mm_loadu_pd((const double *)p); }
static inline SSE41 void stdbl(exec_v128 *p, __m128d v) { _mm_storeu_pd((double *)p, v); }
static inline SSE41 __m128i ones(void) { return _mm_set1_epi32(-1); }
static inline SSE41 __m128i vnot(__m128i x) { return _mm_xor_si128(x, ones()); }

/* Templates: the body is an expression of the loaded operands a, b. */
#define UN_I(T, name, expr)                                                              \
  static T void name(exec_v128 *d, const exec_v128 *pa) {                                \
    __m128i a = ldi(pa);                                                                 \
    sti(d, (expr));                                                                      \
  }
#define BIN_I(T, name, expr)                                                             \
  static T void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {           \
    __m128i a = ldi(pa), b = ldi(pb);                                                    \
    sti(d, (expr));                                                                      \
  }
#define UN_F(name, expr)                                                                 \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa) {                            \
    __m128 a = ldf(pa);                                                                  \
    stf(d, (expr));                                                                      \
  }
#define BIN_F(name, expr)                                                                \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {       \
    __m128 a = ldf(pa), b = ldf(pb);                                                     \
    stf(d, (expr));                                                                      \
  }
#define UN_D(name, expr)                                                                 \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa) {                            \
    __m128d a = ldd(pa);                                                                 \
    stdbl(d, (expr));                                                                     \
  }
#define BIN_D(name, expr)                                                                \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {       \
    __m128d a = ldd(pa), b = ldd(pb);                                                    \
    stdbl(d, (expr));                                                                     \
  }
/* Float comparisons produce masks: same bits, integer store. */
#define CMP_F(name, expr)                                                                \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {       \
    __m128 a = ldf(pa), b = ldf(pb);                                                     \
    sti(d, _mm_castps_si128(expr));                                                      \
  }
#define CMP_D(name, expr)                                                                \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb) {       \
    __m128d a = ldd(pa), b = ldd(pb);                                                    \
    sti(d, _mm_castpd_si128(expr));                                                      \
  }
/* Shifts: n is the count already taken mod the lane width, c the same in a register. */
#define SHIFT_I(name, BITS, expr)                                                        \
  static SSE41 void name(exec_v128 *d, const exec_v128 *pa, uint32_t count) {            \
    __m128i a = ldi(pa);                                                                 \
    uint32_t n = count & ((BITS) - 1);                                                   \
    __m128i c = _mm_cvtsi32_si128((int)n);                                               \
    (void)n;                                                                             \
    (void)c;                                                                             \
    sti(d, (expr));                                                                      \
  }
#define TEST_I(name, expr)                                                               \
  static SSE41 uint32_t name(const exec_v128 *pa) {                                      \
    __m128i a = ldi(pa);                                                                 \
    return (uint32_t)(expr);                                                             \
  }

/* ---------- memory -------------------------------------------------------------------- */

static inline SSE41 __m128i ld64(const uint8_t *src) {
  return _mm_loadl_epi64((const __m128i *)src);
}
static inline SSE41 uint16_t rd16(const uint8_t *src) {
  uint16_t v;
  memcpy(&v, src, 2);
  return v;
}
static inline SSE41 uint32_t rd32(const uint8_t *src) {
  uint32_t v;
  memcpy(&v, src, 4);
  return v;
}
static inline SSE41 uint64_t rd64(const uint8_t *src) {
  uint64_t v;
  memcpy(&v, src, 8);
  return v;
}

#define LOAD(T, name, expr)                                                              \
  static T void name(exec_v128 *d, const uint8_t *src) { sti(d, (expr)); }
LOAD(SSE41, load8x8_s, _mm_cvtepi8_epi16(ld64(src)))
LOAD(SSE41, load8x8_u, _mm_cvtepu8_epi16(ld64(src)))
LOAD(SSE41, load16x4_s, _mm_cvtepi16_epi32(ld64(src)))
LOAD(SSE41, load16x4_u, _mm_cvtepu16_epi32(ld64(src)))
LOAD(SSE41, load32x2_s, _mm_cvtepi32_epi64(ld64(src)))
LOAD(SSE41, load32x2_u, _mm_cvtepu32_epi64(ld64(src)))
LOAD(SSE41, load8_splat, _mm_set1_epi8((char)*src))
LOAD(SSE41, load16_splat, _mm_set1_epi16((short)rd16(src)))
LOAD(SSE41, load32_splat, _mm_set1_epi32((int)rd32(src)))
LOAD(SSE41, load64_splat, _mm_set1_epi64x((long long)rd64(src)))
LOAD(SSE41, load32_zero, _mm_cvtsi32_si128((int)rd32(src)))
LOAD(SSE41, load64_zero, ld64(src))

/* AVX2 broadcasts straight from memory. */
LOAD(AVX2, avx2_load8_splat, _mm_set1_epi8((char)*src))
LOAD(AVX2, avx2_load16_splat, _mm_set1_epi16((short)rd16(src)))
LOAD(AVX2, avx2_load32_splat, _mm_set1_epi32((int)rd32(src)))
LOAD(AVX2, avx2_load64_splat, _mm_set1_epi64x((long long)rd64(src)))

/* ---------- splat, shuffles ----------------------------------------------------------- */

#define SPLAT(T, name, expr)                                                             \
  static T void name(exec_v128 *d, uint64_t x) { sti(d, (expr)); }
SPLAT(SSE41, i8x16_splat, _mm_set1_epi8((char)x))
SPLAT(SSE41, i16x8_splat, _mm_set1_epi16((short)x))
SPLAT(SSE41, i32x4_splat, _mm_set1_epi32((int)x))
SPLAT(SSE41, i64x2_splat, _mm_set1_epi64x((long long)x))
SPLAT(AVX2, avx2_i8x16_splat, _mm_set1_epi8((char)x))
SPLAT(AVX2, avx2_i16x8_splat, _mm_set1_epi16((short)x))
SPLAT(AVX2, avx2_i32x4_splat, _mm_set1_epi32((int)x))
SPLAT(AVX2, avx2_i64x2_splat, _mm_set1_epi64x((long long)x))

/* pshufb zeroes a byte whose index has bit 7 set and otherwise uses the low 4 bits.
 * Adding 0x70 with unsigned saturation keeps indices 0..15 below 0x80 and pushes every
 * larger one to 0x80 or above; flipping bit 4 first does the same for b's half. */
static SSE41 void i8x16_shuffle(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb,
                                const uint8_t lanes[16]) {
  __m128i a = ldi(pa), b = ldi(pb);
  __m128i idx = _mm_loadu_si128((const __m128i *)lanes);
  __m128i bias = _mm_set1_epi8(0x70);
  __m128i ia = _mm_adds_epu8(idx, bias);
  __m128i ib = _mm_adds_epu8(_mm_xor_si128(idx, _mm_set1_epi8(0x10)), bias);
  sti(d, _mm_or_si128(_mm_shuffle_epi8(a, ia), _mm_shuffle_epi8(b, ib)));
}
/* the masks of exec_simd_shuffle_masks: a's first, then b's */
SSE41 void exec_simd_sse41_shuffle_masked(exec_v128 *d, const exec_v128 *pa,
                                          const exec_v128 *pb, const uint8_t masks[32]) {
  __m128i ia = _mm_loadu_si128((const __m128i *)masks);
  __m128i ib = _mm_loadu_si128((const __m128i *)(masks + 16));
  sti(d, _mm_or_si128(_mm_shuffle_epi8(ldi(pa), ia), _mm_shuffle_epi8(ldi(pb), ib)));
}
BIN_I(SSE41, i8x16_swizzle, _mm_shuffle_epi8(a, _mm_adds_epu8(b, _mm_set1_epi8(0x70))))

/* ---------- comparisons --------------------------------------------------------------- */

/* Unsigned orderings from unsigned min/max: a <= b exactly when min(a, b) == a. */
#define INT_CMPS(P, W, MINU, MAXU)                                                       \
  BIN_I(SSE41, P##_eq, _mm_cmpeq_epi##W(a, b))                                           \
  BIN_I(SSE41, P##_ne, vnot(_mm_cmpeq_epi##W(a, b)))                                     \
  BIN_I(SSE41, P##_lt_s, _mm_cmpgt_epi##W(b, a))                                         \
  BIN_I(SSE41, P##_gt_s, _mm_cmpgt_epi##W(a, b))                                         \
  BIN_I(SSE41, P##_le_s, vnot(_mm_cmpgt_epi##W(a, b)))                                   \
  BIN_I(SSE41, P##_ge_s, vnot(_mm_cmpgt_epi##W(b, a)))                                   \
  BIN_I(SSE41, P##_le_u, _mm_cmpeq_epi##W(MINU(a, b), a))                                \
  BIN_I(SSE41, P##_ge_u, _mm_cmpeq_epi##W(MAXU(a, b), a))                                \
  BIN_I(SSE41, P##_lt_u, vnot(_mm_cmpeq_epi##W(MAXU(a, b), a)))                          \
  BIN_I(SSE41, P##_gt_u, vnot(_mm_cmpeq_epi##W(MINU(a, b), a)))
INT_CMPS(i8x16, 8, _mm_min_epu8, _mm_max_epu8)
INT_CMPS(i16x8, 16, _mm_min_epu16, _mm_max_epu16)
INT_CMPS(i32x4, 32, _mm_min_epu32, _mm_max_epu32)

/* Signed 64-bit a > b without pcmpgtq: decided by the high halves, or, when they are
 * equal, by the borrow that b - a takes from them (set when low(a) > low(b) unsigned). */
static inline SSE41 __m128i gt64(__m128i a, __m128i b) {
  __m128i diff = _mm_sub_epi64(b, a);
  __m128i hi = _mm_or_si128(_mm_cmpgt_epi32(a, b), _mm_and_si128(_mm_cmpeq_epi32(a, b), diff));
  return _mm_shuffle_epi32(hi, _MM_SHUFFLE(3, 3, 1, 1));
}
BIN_I(SSE41, i64x2_eq, _mm_cmpeq_epi64(a, b))
BIN_I(SSE41, i64x2_ne, vnot(_mm_cmpeq_epi64(a, b)))
BIN_I(SSE41, i64x2_lt_s, gt64(b, a))
BIN_I(SSE41, i64x2_gt_s, gt64(a, b))
BIN_I(SSE41, i64x2_le_s, vnot(gt64(a, b)))
BIN_I(SSE41, i64x2_ge_s, vnot(gt64(b, a)))
BIN_I(AVX2, avx2_i64x2_lt_s, _mm_cmpgt_epi64(b, a))
BIN_I(AVX2, avx2_i64x2_gt_s, _mm_cmpgt_epi64(a, b))
BIN_I(AVX2, avx2_i64x2_le_s, _mm_xor_si128(_mm_cmpgt_epi64(a, b), _mm_set1_epi32(-1)))
BIN_I(AVX2, avx2_i64x2_ge_s, _mm_xor_si128(_mm_cmpgt_epi64(b, a), _mm_set1_epi32(-1)))

/* cmpneq is the unordered predicate (true for NaN); the others are ordered. */
CMP_F(f32x4_eq, _mm_cmpeq_ps(a, b))
CMP_F(f32x4_ne, _mm_cmpneq_ps(a, b))
CMP_F(f32x4_lt, _mm_cmplt_ps(a, b))
CMP_F(f32x4_gt, _mm_cmpgt_ps(a, b))
CMP_F(f32x4_le, _mm_cmple_ps(a, b))
CMP_F(f32x4_ge, _mm_cmpge_ps(a, b))
CMP_D(f64x2_eq, _mm_cmpeq_pd(a, b))
CMP_D(f64x2_ne, _mm_cmpneq_pd(a, b))
CMP_D(f64x2_lt, _mm_cmplt_pd(a, b))
CMP_D(f64x2_gt, _mm_cmpgt_pd(a, b))
CMP_D(f64x2_le, _mm_cmple_pd(a, b))
CMP_D(f64x2_ge, _mm_cmpge_pd(a, b))

/* ---------- bitwise ------------------------------------------------------------------- */

UN_I(SSE41, v128_not, vnot(a))
BIN_I(SSE41, v128_and, _mm_and_si128(a, b))
BIN_I(SSE41, v128_andnot, _mm_andnot_si128(b, a))
BIN_I(SSE41, v128_or, _mm_or_si128(a, b))
BIN_I(SSE41, v128_xor, _mm_xor_si128(a, b))

static SSE41 void v128_bitselect(exec_v128 *d, const exec_v128 *pa, const exec_v128 *pb,
                                 const exec_v128 *pc) {
  __m128i a = ldi(pa), b = ldi(pb), c = ldi(pc);
  sti(d, _mm_or_si128(_mm_and_si128(a, c), _mm_andnot_si128(c, b)));
}

TEST_I(v128_any_true, !_mm_testz_si128(a, a))
TEST_I(i8x16_all_true, _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0)
TEST_I(i16x8_all_true, _mm_movemask_epi8(_mm_cmpeq_epi16(a, _mm_setzero_si128())) == 0)
TEST_I(i32x4_all_true, _mm_movemask_epi8(_mm_cmpeq_epi32(a, _mm_setzero_si128())) == 0)
TEST_I(i64x2_all_true, _mm_movemask_epi8(_mm_cmpeq_epi64(a, _mm_setzero_si128())) == 0)
TEST_I(i8x16_bitmask, _mm_movemask_epi8(a))
/* Signed saturation keeps each 16-bit lane's sign in one byte. */
TEST_I(i16x8_bitmask, _mm_movemask_epi8(_mm_packs_epi16(a, _mm_setzero_si128())))
TEST_I(i32x4_bitmask, _mm_movemask_ps(_mm_castsi128_ps(a)))
TEST_I(i64x2_bitmask, _mm_movemask_pd(_mm_castsi128_pd(a)))

/* ---------- integer arithmetic -------------------------------------------------------- */

UN_I(SSE41, i8x16_abs, _mm_abs_epi8(a))
UN_I(SSE41, i16x8_abs, _mm_abs_epi16(a))
UN_I(SSE41, i32x4_abs, _mm_abs_epi32(a))
/* blendv picks by each 64-bit lane's sign bit: the negation where a is negative. */
UN_I(SSE41, i64x2_abs,
     _mm_castpd_si128(_mm_blendv_pd(_mm_castsi128_pd(a),
                                    _mm_castsi128_pd(_mm_sub_epi64(_mm_setzero_si128(), a)),
                                    _mm_castsi128_pd(a))))
UN_I(SSE41, i8x16_neg, _mm_sub_epi8(_mm_setzero_si128(), a))
UN_I(SSE41, i16x8_neg, _mm_sub_epi16(_mm_setzero_si128(), a))
UN_I(SSE41, i32x4_neg, _mm_sub_epi32(_mm_setzero_si128(), a))
UN_I(SSE41, i64x2_neg, _mm_sub_epi64(_mm_setzero_si128(), a))

/* Per-nibble table lookup. */
static SSE41 void i8x16_popcnt(exec_v128 *d, const exec_v128 *pa) {
  __m128i a = ldi(pa);
  __m128i lut = _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  __m128i nib = _mm_set1_epi8(0x0f);
  __m128i lo = _mm_and_si128(a, nib), hi = _mm_and_si128(_mm_srli_epi16(a, 4), nib);
  sti(d, _mm_add_epi8(_mm_shuffle_epi8(lut, lo), _mm_shuffle_epi8(lut, hi)));
}

BIN_I(SSE41, i8x16_add, _mm_add_epi8(a, b))
BIN_I(SSE41, i16x8_add, _mm_add_epi16(a, b))
BIN_I(SSE41, i32x4_add, _mm_add_epi32(a, b))
BIN_I(SSE41, i64x2_add, _mm_add_epi64(a, b))
BIN_I(SSE41, i8x16_sub, _mm_sub_epi8(a, b))
BIN_I(SSE41, i16x8_sub, _mm_sub_epi16(a, b))
BIN_I(SSE41, i32x4_sub, _mm_sub_epi32(a, b))
BIN_I(SSE41, i64x2_sub, _mm_sub_epi64(a, b))
BIN_I(SSE41, i8x16_add_sat_s, _mm_adds_epi8(a, b))
BIN_I(SSE41, i8x16_add_sat_u, _mm_adds_epu8(a, b))
BIN_I(SSE41, i8x16_sub_sat_s, _mm_subs_epi8(a, b))
BIN_I(SSE41, i8x16_sub_sat_u, _mm_subs_epu8(a, b))
BIN_I(SSE41, i16x8_add_sat_s, _mm_adds_epi16(a, b))
BIN_I(SSE41, i16x8_add_sat_u, _mm_adds_epu16(a, b))
BIN_I(SSE41, i16x8_sub_sat_s, _mm_subs_epi16(a, b))
BIN_I(SSE41, i16x8_sub_sat_u, _mm_subs_epu16(a, b))
BIN_I(SSE41, i16x8_mul, _mm_mullo_epi16(a, b))
BIN_I(SSE41, i32x4_mul, _mm_mullo_epi32(a, b))

/* 64-bit product from 32x32->64 pieces: lo*lo + ((lo*hi + hi*lo) << 32). */
static inline SSE41 __m128i mul64(__m128i a, __m128i b) {
  __m128i cross = _mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64(a, 32), b),
                                _mm_mul_epu32(a, _mm_srli_epi64(b, 32)));
  return _mm_add_epi64(_mm_mul_epu32(a, b), _mm_slli_epi64(cross, 32));
}
BIN_I(SSE41, i64x2_mul, mul64(a, b))

BIN_I(SSE41, i8x16_min_s, _mm_min_epi8(a, b))
BIN_I(SSE41, i8x16_min_u, _mm_min_epu8(a, b))
BIN_I(SSE41, i8x16_max_s, _mm_max_epi8(a, b))
BIN_I(SSE41, i8x16_max_u, _mm_max_epu8(a, b))
BIN_I(SSE41, i16x8_min_s, _mm_min_epi16(a, b))
BIN_I(SSE41, i16x8_min_u, _mm_min_epu16(a, b))
BIN_I(SSE41, i16x8_max_s, _mm_max_epi16(a, b))
BIN_I(SSE41, i16x8_max_u, _mm_max_epu16(a, b))
BIN_I(SSE41, i32x4_min_s, _mm_min_epi32(a, b))
BIN_I(SSE41, i32x4_min_u, _mm_min_epu32(a, b))
BIN_I(SSE41, i32x4_max_s, _mm_max_epi32(a, b))
BIN_I(SSE41, i32x4_max_u, _mm_max_epu32(a, b))
BIN_I(SSE41, i8x16_avgr_u, _mm_avg_epu8(a, b))
BIN_I(SSE41, i16x8_avgr_u, _mm_avg_epu16(a, b))

/* pmulhrsw is the same rounding multiply but wraps the one overflowing case
 * (-32768 * -32768) to -32768, the only way it can produce -32768: flip it to 32767. */
static inline SSE41 __m128i q15mulr(__m128i a, __m128i b) {
  __m128i r = _mm_mulhrs_epi16(a, b);
  return _mm_xor_si128(r, _mm_cmpeq_epi16(r, _mm_set1_epi16(INT16_MIN)));
}
BIN_I(SSE41, i16x8_q15mulr_sat_s, q15mulr(a, b))
BIN_I(SSE41, i32x4_dot_i16x8_s, _mm_madd_epi16(a, b))

/* Shifts. x86 has no 8-bit shifts: shift 16-bit lanes and mask off the bits that crossed
 * into the neighbouring byte, or, for the arithmetic shift, widen each byte into the top
 * of a 16-bit lane, shift by 8 more and pack back. */
SHIFT_I(i8x16_shl, 8, _mm_and_si128(_mm_sll_epi16(a, c), _mm_set1_epi8((char)(0xffu << n))))
SHIFT_I(i8x16_shr_u, 8, _mm_and_si128(_mm_srl_epi16(a, c), _mm_set1_epi8((char)(0xffu >> n))))
static SSE41 void i8x16_shr_s(exec_v128 *d, const exec_v128 *pa, uint32_t count) {
  __m128i a = ldi(pa);
  __m128i c = _mm_cvtsi32_si128((int)((count & 7) + 8));
  __m128i lo = _mm_sra_epi16(_mm_unpacklo_epi8(a, a), c);
  __m128i hi = _mm_sra_epi16(_mm_unpackhi_epi8(a, a), c);
  sti(d, _mm_packs_epi16(lo, hi));
}
SHIFT_I(i16x8_shl, 16, _mm_sll_epi16(a, c))
SHIFT_I(i16x8_shr_s, 16, _mm_sra_epi16(a, c))
SHIFT_I(i16x8_shr_u, 16, _mm_srl_epi16(a, c))
SHIFT_I(i32x4_shl, 32, _mm_sll_epi32(a, c))
SHIFT_I(i32x4_shr_s, 32, _mm_sra_epi32(a, c))
SHIFT_I(i32x4_shr_u, 32, _mm_srl_epi32(a, c))
SHIFT_I(i64x2_shl, 64, _mm_sll_epi64(a, c))
SHIFT_I(i64x2_shr_u, 64, _mm_srl_epi64(a, c))
/* No 64-bit arithmetic shift before AVX-512: shift logically, then sign-extend from the
 * bit where the sign landed, m: (x ^ m) - m. */
static SSE41 void i64x2_shr_s(exec_v128 *d, const exec_v128 *pa, uint32_t count) {
  __m128i a = ldi(pa);
  __m128i c = _mm_cvtsi32_si128((int)(count & 63));
  __m128i m = _mm_srl_epi64(_mm_set1_epi64x(INT64_MIN), c);
  __m128i r = _mm_srl_epi64(a, c);
  sti(d, _mm_sub_epi64(_mm_xor_si128(r, m), m));
}

/* ---------- narrowing, widening ------------------------------------------------------- */

BIN_I(SSE41, i8x16_narrow_s, _mm_packs_epi16(a, b))
BIN_I(SSE41, i8x16_narrow_u, _mm_packus_epi16(a, b))
BIN_I(SSE41, i16x8_narrow_s, _mm_packs_epi32(a, b))
BIN_I(SSE41, i16x8_narrow_u, _mm_packus_epi32(a, b))

static inline SSE41 __m128i high(__m128i a) { return _mm_srli_si128(a, 8); }
UN_I(SSE41, i16x8_extend_low_s, _mm_cvtepi8_epi16(a))
UN_I(SSE41, i16x8_extend_high_s, _mm_cvtepi8_epi16(high(a)))
UN_I(SSE41, i16x8_extend_low_u, _mm_cvtepu8_epi16(a))
UN_I(SSE41, i16x8_extend_high_u, _mm_unpackhi_epi8(a, _mm_setzero_si128()))
UN_I(SSE41, i32x4_extend_low_s, _mm_cvtepi16_epi32(a))
UN_I(SSE41, i32x4_extend_high_s, _mm_cvtepi16_epi32(high(a)))
UN_I(SSE41, i32x4_extend_low_u, _mm_cvtepu16_epi32(a))
UN_I(SSE41, i32x4_extend_high_u, _mm_unpackhi_epi16(a, _mm_setzero_si128()))
UN_I(SSE41, i64x2_extend_low_s, _mm_cvtepi32_epi64(a))
UN_I(SSE41, i64x2_extend_high_s, _mm_cvtepi32_epi64(high(a)))
UN_I(SSE41, i64x2_extend_low_u, _mm_cvtepu32_epi64(a))
UN_I(SSE41, i64x2_extend_high_u, _mm_unpackhi_epi32(a, _mm_setzero_si128()))

BIN_I(SSE41, i16x8_extmul_low_s, _mm_mullo_epi16(_mm_cvtepi8_epi16(a), _mm_cvtepi8_epi16(b)))
BIN_I(SSE41, i16x8_extmul_high_s,
      _mm_mullo_epi16(_mm_cvtepi8_epi16(high(a)), _mm_cvtepi8_epi16(high(b))))
BIN_I(SSE41, i16x8_extmul_low_u, _mm_mullo_epi16(_mm_cvtepu8_epi16(a), _mm_cvtepu8_epi16(b)))
BIN_I(SSE41, i16x8_extmul_high_u,
      _mm_mullo_epi16(_mm_cvtepu8_epi16(high(a)), _mm_cvtepu8_epi16(high(b))))
/* 16x16->32: interleave the low and high halves of the products. */
BIN_I(SSE41, i32x4_extmul_low_s, _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b)))
BIN_I(SSE41, i32x4_extmul_high_s, _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b)))
BIN_I(SSE41, i32x4_extmul_low_u, _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b)))
BIN_I(SSE41, i32x4_extmul_high_u, _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b)))
/* pmuldq/pmuludq multiply lanes 0 and 2: spread the two source lanes there. */
BIN_I(SSE41, i64x2_extmul_low_s, _mm_mul_epi32(_mm_unpacklo_epi32(a, a), _mm_unpacklo_epi32(b, b)))
BIN_I(SSE41, i64x2_extmul_high_s, _mm_mul_epi32(_mm_unpackhi_epi32(a, a), _mm_unpackhi_epi32(b, b)))
BIN_I(SSE41, i64x2_extmul_low_u, _mm_mul_epu32(_mm_unpacklo_epi32(a, a), _mm_unpacklo_epi32(b, b)))
BIN_I(SSE41, i64x2_extmul_high_u, _mm_mul_epu32(_mm_unpackhi_epi32(a, a), _mm_unpackhi_epi32(b, b)))

/* Pairwise sums as multiply-adds by one. pmaddubsw multiplies unsigned bytes of its
 * first operand by signed bytes of its second; pmaddwd is signed only, so the unsigned
 * 16-bit form biases each lane by -32768 and adds 65536 back. */
UN_I(SSE41, i16x8_extadd_pairwise_s, _mm_maddubs_epi16(_mm_set1_epi8(1), a))
UN_I(SSE41, i16x8_extadd_pairwise_u, _mm_maddubs_epi16(a, _mm_set1_epi8(1)))
UN_I(SSE41, i32x4_extadd_pairwise_s, _mm_madd_epi16(a, _mm_set1_epi16(1)))
UN_I(SSE41, i32x4_extadd_pairwise_u,
     _mm_add_epi32(_mm_madd_epi16(_mm_xor_si128(a, _mm_set1_epi16(INT16_MIN)), _mm_set1_epi16(1)),
                   _mm_set1_epi32(0x10000)))

/* ---------- floating point ------------------------------------------------------------ */

UN_I(SSE41, f32x4_abs, _mm_and_si128(a, _mm_set1_epi32(INT32_MAX)))
UN_I(SSE41, f32x4_neg, _mm_xor_si128(a, _mm_set1_epi32(INT32_MIN)))
UN_I(SSE41, f64x2_abs, _mm_and_si128(a, _mm_set1_epi64x(INT64_MAX)))
UN_I(SSE41, f64x2_neg, _mm_xor_si128(a, _mm_set1_epi64x(INT64_MIN)))

UN_F(f32x4_sqrt, _mm_sqrt_ps(a))
UN_F(f32x4_ceil, _mm_round_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))
UN_F(f32x4_floor, _mm_round_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))
UN_F(f32x4_trunc, _mm_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC))
UN_F(f32x4_nearest, _mm_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))
UN_D(f64x2_sqrt, _mm_sqrt_pd(a))
UN_D(f64x2_ceil, _mm_round_pd(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))
UN_D(f64x2_floor, _mm_round_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))
UN_D(f64x2_trunc, _mm_round_pd(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC))
UN_D(f64x2_nearest, _mm_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))

BIN_F(f32x4_add, _mm_add_ps(a, b))
BIN_F(f32x4_sub, _mm_sub_ps(a, b))
BIN_F(f32x4_mul, _mm_mul_ps(a, b))
BIN_F(f32x4_div, _mm_div_ps(a, b))
BIN_D(f64x2_add, _mm_add_pd(a, b))
BIN_D(f64x2_sub, _mm_sub_pd(a, b))
BIN_D(f64x2_mul, _mm_mul_pd(a, b))
BIN_D(f64x2_div, _mm_div_pd(a, b))

/* minps/maxps return their second operand when either is NaN or both are zeros, so
 * neither order is right alone. With both orders: for zeros, OR of the two results is
 * -0 if either is -0 (min) and AND is +0 if either is +0 (max); NaN lanes become the
 * canonical NaN. */
#define CANON4 _mm_castsi128_ps(_mm_set1_epi32(0x7fc00000))
#define CANON2 _mm_castsi128_pd(_mm_set1_epi64x(0x7ff8000000000000ll))
static inline SSE41 __m128 fmin4(__m128 a, __m128 b) {
  __m128 r = _mm_or_ps(_mm_min_ps(a, b), _mm_min_ps(b, a));
  return _mm_blendv_ps(r, CANON4, _mm_cmpunord_ps(a, b));
}
static inline SSE41 __m128 fmax4(__m128 a, __m128 b) {
  __m128 r = _mm_and_ps(_mm_max_ps(a, b), _mm_max_ps(b, a));
  return _mm_blendv_ps(r, CANON4, _mm_cmpunord_ps(a, b));
}
static inline SSE41 __m128d fmin2(__m128d a, __m128d b) {
  __m128d r = _mm_or_pd(_mm_min_pd(a, b), _mm_min_pd(b, a));
  return _mm_blendv_pd(r, CANON2, _mm_cmpunord_pd(a, b));
}
static inline SSE41 __m128d fmax2(__m128d a, __m128d b) {
  __m128d r = _mm_and_pd(_mm_max_pd(a, b), _mm_max_pd(b, a));
  return _mm_blendv_pd(r, CANON2, _mm_cmpunord_pd(a, b));
}
BIN_F(f32x4_min, fmin4(a, b))
BIN_F(f32x4_max, fmax4(a, b))
BIN_D(f64x2_min, fmin2(a, b))
BIN_D(f64x2_max, fmax2(a, b))
/* pmin is b < a ? b : a and minps(x, y) is x < y ? x : y: exactly minps(b, a). */
BIN_F(f32x4_pmin, _mm_min_ps(b, a))
BIN_F(f32x4_pmax, _mm_max_ps(b, a))
BIN_D(f64x2_pmin, _mm_min_pd(b, a))
BIN_D(f64x2_pmax, _mm_max_pd(b, a))

/* cvttps2dq gives 0x80000000 for NaN and out-of-range lanes. Zero the NaNs first; the
 * lanes >= 2^31 then flip to 0x7fffffff, and those below -2^31 are already right. */
static SSE41 void i32x4_trunc_sat_f32x4_s(exec_v128 *d, const exec_v128 *pa) {
  __m128 a = ldf(pa);
  __m128 x = _mm_and_ps(a, _mm_cmpord_ps(a, a));
  __m128i over = _mm_castps_si128(_mm_cmple_ps(_mm_set1_ps(2147483648.0f), x));
  sti(d, _mm_xor_si128(_mm_cvttps_epi32(x), over));
}
/* Clamp below at 0 (maxps(a, 0) also sends NaN to 0); lanes >= 2^31 convert after
 * subtracting 2^31 (exact there) and get the top bit back; lanes >= 2^32 saturate. */
static SSE41 void i32x4_trunc_sat_f32x4_u(exec_v128 *d, const exec_v128 *pa) {
  __m128 x = _mm_max_ps(ldf(pa), _mm_setzero_ps());
  __m128 two31 = _mm_set1_ps(2147483648.0f);
  __m128 big = _mm_cmple_ps(two31, x);
  __m128i r = _mm_cvttps_epi32(_mm_sub_ps(x, _mm_and_ps(big, two31)));
  r = _mm_xor_si128(r, _mm_slli_epi32(_mm_castps_si128(big), 31));
  r = _mm_or_si128(r, _mm_castps_si128(_mm_cmple_ps(_mm_set1_ps(4294967296.0f), x)));
  sti(d, r);
}
static SSE41 void i32x4_trunc_sat_f64x2_s_zero(exec_v128 *d, const exec_v128 *pa) {
  __m128d a = ldd(pa);
  __m128d x = _mm_and_pd(a, _mm_cmpord_pd(a, a));
  x = _mm_min_pd(x, _mm_set1_pd(2147483647.0)); /* below -2^31 cvttpd2dq already saturates */
  sti(d, _mm_cvttpd_epi32(x));
}
/* Clamp to [0, 2^32-1], truncate, and read the integer out of the low mantissa bits of
 * x + 2^52. */
static SSE41 void i32x4_trunc_sat_f64x2_u_zero(exec_v128 *d, const exec_v128 *pa) {
  __m128d x = _mm_max_pd(ldd(pa), _mm_setzero_pd());
  x = _mm_min_pd(x, _mm_set1_pd(4294967295.0));
  x = _mm_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  x = _mm_add_pd(x, _mm_set1_pd(4503599627370496.0));
  stf(d, _mm_shuffle_ps(_mm_castpd_ps(x), _mm_setzero_ps(), _MM_SHUFFLE(0, 0, 2, 0)));
}

UN_I(SSE41, f32x4_convert_i32x4_s, _mm_castps_si128(_mm_cvtepi32_ps(a)))
/* u32 -> f32 rounded once: both halves convert exactly, hi * 65536 is exact, and the
 * final add does the only rounding. */
static SSE41 void f32x4_convert_i32x4_u(exec_v128 *d, const exec_v128 *pa) {
  __m128i a = ldi(pa);
  __m128 hi = _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(a, 16)), _mm_set1_ps(65536.0f));
  __m128 lo = _mm_cvtepi32_ps(_mm_blend_epi16(a, _mm_setzero_si128(), 0xaa));
  stf(d, _mm_add_ps(hi, lo));
}
static SSE41 void f64x2_convert_low_i32x4_s(exec_v128 *d, const exec_v128 *pa) {
  stdbl(d, _mm_cvtepi32_pd(ldi(pa)));
}
/* 2^52 + u as a bit pattern, minus 2^52: exact. */
static SSE41 void f64x2_convert_low_i32x4_u(exec_v128 *d, const exec_v128 *pa) {
  __m128i t = _mm_unpacklo_epi32(ldi(pa), _mm_set1_epi32(0x43300000));
  stdbl(d, _mm_sub_pd(_mm_castsi128_pd(t), _mm_set1_pd(4503599627370496.0)));
}
static SSE41 void f32x4_demote_f64x2_zero(exec_v128 *d, const exec_v128 *pa) {
  stf(d, _mm_cvtpd_ps(ldd(pa)));
}
static SSE41 void f64x2_promote_low_f32x4(exec_v128 *d, const exec_v128 *pa) {
  stdbl(d, _mm_cvtps_pd(ldf(pa)));
}

/* ---------- relaxed SIMD ------------------------------------------------------------- */

/* The same results as simd_portable.c (docs/relaxed-simd.md): the 2.0 counterparts for
 * most (see the table), both operands signed in the dot products. madd/nmadd are left
 * to the portable fma, which the C library runs on the FMA unit where there is one. */

/* Each byte times its partner, sign-extended to 16 bits (|product| <= 2^14 fits), the
 * two products of a lane added with wrap-around. */
static inline SSE41 __m128i dot_i8_pairs(__m128i a, __m128i b) {
  __m128i ae = _mm_srai_epi16(_mm_slli_epi16(a, 8), 8), ao = _mm_srai_epi16(a, 8);
  __m128i be = _mm_srai_epi16(_mm_slli_epi16(b, 8), 8), bo = _mm_srai_epi16(b, 8);
  return _mm_add_epi16(_mm_mullo_epi16(ae, be), _mm_mullo_epi16(ao, bo));
}
BIN_I(SSE41, i16x8_relaxed_dot_i8x16_i7x16_s, dot_i8_pairs(a, b))
static SSE41 void i32x4_relaxed_dot_i8x16_i7x16_add_s(exec_v128 *d, const exec_v128 *pa,
                                                      const exec_v128 *pb, const exec_v128 *pc) {
  __m128i sum = _mm_madd_epi16(dot_i8_pairs(ldi(pa), ldi(pb)), _mm_set1_epi16(1));
  sti(d, _mm_add_epi32(sum, ldi(pc)));
}

/* ---------- the tables ---------------------------------------------------------------- */

#define E_UN EXEC_SIMD_E_UNOP
#define E_BIN EXEC_SIMD_E_BINOP
#define E_SHIFT EXEC_SIMD_E_SHIFT
#define E_TEST EXEC_SIMD_E_TEST
#define E_SPLAT EXEC_SIMD_E_SPLAT
#define E_LOAD EXEC_SIMD_E_LOAD

UTIL_COLD_BSS exec_simd_entry exec_simd_sse41_ops[EXEC_SIMD_NOPS];
UTIL_COLD_BSS exec_simd_entry exec_simd_avx2_ops[EXEC_SIMD_NOPS];

void exec_simd_x86_fill(void) {
  exec_simd_entry *t = exec_simd_sse41_ops;
#include "simd_ops.def"
  (void)0; /* after the last entry's comma */
  t = exec_simd_avx2_ops;
  E_LOAD(V128_LOAD8_SPLAT, avx2_load8_splat, 1),
  E_LOAD(V128_LOAD16_SPLAT, avx2_load16_splat, 2),
  E_LOAD(V128_LOAD32_SPLAT, avx2_load32_splat, 4),
  E_LOAD(V128_LOAD64_SPLAT, avx2_load64_splat, 8),
  E_SPLAT(I8X16_SPLAT, avx2_i8x16_splat),
  E_SPLAT(I16X8_SPLAT, avx2_i16x8_splat),
  E_SPLAT(I32X4_SPLAT, avx2_i32x4_splat),
  E_SPLAT(I64X2_SPLAT, avx2_i64x2_splat),
  E_SPLAT(F32X4_SPLAT, avx2_i32x4_splat),
  E_SPLAT(F64X2_SPLAT, avx2_i64x2_splat),
  E_BIN(I64X2_LT_S, avx2_i64x2_lt_s),
  E_BIN(I64X2_GT_S, avx2_i64x2_gt_s),
  E_BIN(I64X2_LE_S, avx2_i64x2_le_s),
  E_BIN(I64X2_GE_S, avx2_i64x2_ge_s),
  (void)0;
}

#endif
