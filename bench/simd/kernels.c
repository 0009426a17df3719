/* SIMD benchmark kernels, plain C: the compiler vectorizes them for wasm32 with
 * -msimd128 (and not without), and for the host natively. Each kernel runs `reps`
 * times over data made by init() and returns a checksum so nothing is optimized away.
 * Built for WebAssembly (exports) and natively (with main) by run.sh. */
#include <stdint.h>

#define MAT 96
#define HAY (1u << 18)
#define IMG 256
#define VEC 4096

static float ma[MAT * MAT], mb[MAT * MAT], mc[MAT * MAT];
static int16_t va[VEC], vb[VEC];
static uint8_t hay[HAY];
static uint8_t img[IMG * IMG], blurred[IMG * IMG];

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

static uint32_t seed = 12345;
static uint32_t next(void) {
  seed = seed * 1103515245u + 12345u;
  return seed >> 8;
}

static int ready;

EXPORT("init") void init(void) {
  ready = 1;
  for (int i = 0; i < MAT * MAT; i++) {
    ma[i] = (float)(next() % 100) / 16.0f;
    mb[i] = (float)(next() % 100) / 32.0f;
  }
  for (int i = 0; i < VEC; i++) {
    va[i] = (int16_t)(next() % 2001 - 1000);
    vb[i] = (int16_t)(next() % 2001 - 1000);
  }
  for (uint32_t i = 0; i < HAY; i++) hay[i] = (uint8_t)(next() % 64 + 32);
  for (int i = 0; i < IMG * IMG; i++) img[i] = (uint8_t)next();
}

/* integer dot product: i16 x i16 summed in i32 */
EXPORT("dot") int32_t dot(int32_t reps) {
  if (!ready) init();
  int32_t total = 0;
  for (int32_t r = 0; r < reps; r++) {
    int32_t s = 0;
    for (int i = 0; i < VEC; i++) s += (int32_t)va[i] * vb[i];
    total += s ^ r;
  }
  return total;
}

/* float matrix multiply, i-k-j order so the inner loop is a vector axpy */
EXPORT("matmul") int32_t matmul(int32_t reps) {
  if (!ready) init();
  float check = 0;
  for (int32_t r = 0; r < reps; r++) {
    for (int i = 0; i < MAT; i++) {
      float a0 = ma[i * MAT] + (float)r; /* k = 0 initializes the row (no memset call) */
      for (int j = 0; j < MAT; j++) mc[i * MAT + j] = a0 * mb[j];
      for (int k = 1; k < MAT; k++) {
        float a = ma[i * MAT + k] + (float)r;
        for (int j = 0; j < MAT; j++) mc[i * MAT + j] += a * mb[k * MAT + j];
      }
    }
    check += mc[(r * 7) % (MAT * MAT)];
  }
  return (int32_t)check;
}

/* byte search: how many bytes of the haystack equal the needle */
EXPORT("bytecount") int32_t bytecount(int32_t reps) {
  if (!ready) init();
  int32_t total = 0;
  for (int32_t r = 0; r < reps; r++) {
    uint8_t needle = (uint8_t)(32 + r % 64);
    int32_t n = 0;
    for (uint32_t i = 0; i < HAY; i++) n += hay[i] == needle;
    total += n;
  }
  return total;
}

/* 3x3 Gaussian blur (1 2 1 / 2 4 2 / 1 2 1, divided by 16) of an 8-bit image, separable:
 * a horizontal pass into 16-bit rows, then the vertical pass */
static uint16_t hrow[IMG * IMG];

EXPORT("blur") int32_t blur(int32_t reps) {
  if (!ready) init();
  int32_t check = 0;
  for (int32_t r = 0; r < reps; r++) {
    for (int y = 0; y < IMG; y++) {
      const uint8_t *p = img + y * IMG;
      uint16_t *h = hrow + y * IMG;
      for (int x = 0; x < IMG - 2; x++) h[x] = (uint16_t)(p[x] + 2 * p[x + 1] + p[x + 2]);
    }
    for (int y = 1; y < IMG - 1; y++) {
      const uint16_t *a = hrow + (y - 1) * IMG, *b = hrow + y * IMG, *c = hrow + (y + 1) * IMG;
      uint8_t *o = blurred + y * IMG + 1;
      for (int x = 0; x < IMG - 2; x++) o[x] = (uint8_t)((uint16_t)(a[x] + 2 * b[x] + c[x]) >> 4);
    }
    check += blurred[(r * 131) % (IMG * IMG)];
  }
  return check;
}

/* Hand-vectorized versions (wasm_simd128.h intrinsics), labelled `_i`: clang 14's
 * auto-vectorized code leaves blur's horizontal pass scalar and counts bytes four at a
 * time through shuffles. In every build without -msimd128 (the scalar wasm, native) the
 * `_i` exports are the plain kernels, so each pair measures the same computation with the
 * same checksum. */
#ifdef __wasm_simd128__
#include <wasm_simd128.h>

EXPORT("bytecount_i") int32_t bytecount_i(int32_t reps) {
  if (!ready) init();
  int32_t total = 0;
  for (int32_t r = 0; r < reps; r++) {
    v128_t needle = wasm_i8x16_splat((int8_t)(32 + r % 64));
    v128_t sum = wasm_i32x4_splat(0);
    for (uint32_t i = 0; i < HAY;) {
      v128_t c8 = wasm_i8x16_splat(0); /* per-byte counts, at most 255 blocks */
      uint32_t end = i + 255 * 16 < HAY ? i + 255 * 16 : HAY;
      for (; i < end; i += 16) c8 = wasm_i8x16_sub(c8, wasm_i8x16_eq(wasm_v128_load(hay + i), needle));
      sum = wasm_i32x4_add(sum, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(c8)));
    }
    total += wasm_i32x4_extract_lane(sum, 0) + wasm_i32x4_extract_lane(sum, 1) +
             wasm_i32x4_extract_lane(sum, 2) + wasm_i32x4_extract_lane(sum, 3);
  }
  return total;
}

/* 8 pixels per step; the last step overlaps the one before (IMG - 2 is not a multiple of
 * 8) and recomputes the same values */
EXPORT("blur_i") int32_t blur_i(int32_t reps) {
  if (!ready) init();
  int32_t check = 0;
  for (int32_t r = 0; r < reps; r++) {
    for (int y = 0; y < IMG; y++) {
      const uint8_t *p = img + y * IMG;
      uint16_t *h = hrow + y * IMG;
      for (int x = 0;; x += 8) {
        if (x > IMG - 10) x = IMG - 10;
        v128_t a = wasm_u16x8_load8x8(p + x), b = wasm_u16x8_load8x8(p + x + 1);
        v128_t c = wasm_u16x8_load8x8(p + x + 2);
        wasm_v128_store(h + x, wasm_i16x8_add(wasm_i16x8_add(a, wasm_i16x8_shl(b, 1)), c));
        if (x == IMG - 10) break;
      }
    }
    for (int y = 1; y < IMG - 1; y++) {
      const uint16_t *a = hrow + (y - 1) * IMG, *b = hrow + y * IMG, *c = hrow + (y + 1) * IMG;
      uint8_t *o = blurred + y * IMG + 1;
      for (int x = 0;; x += 8) {
        if (x > IMG - 10) x = IMG - 10;
        v128_t s = wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(a + x), wasm_i16x8_shl(wasm_v128_load(b + x), 1)),
                                  wasm_v128_load(c + x));
        s = wasm_u16x8_shr(s, 4);
        wasm_v128_store64_lane(o + x, wasm_u8x16_narrow_i16x8(s, s), 0);
        if (x == IMG - 10) break;
      }
    }
    check += blurred[(r * 131) % (IMG * IMG)];
  }
  return check;
}
#else
EXPORT("bytecount_i") int32_t bytecount_i(int32_t reps) { return bytecount(reps); }
EXPORT("blur_i") int32_t blur_i(int32_t reps) { return blur(reps); }
#endif

#ifndef __wasm__
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s dot|matmul|bytecount|blur|bytecount_i|blur_i REPS\n", argv[0]);
    return 2;
  }
  int32_t reps = atoi(argv[2]);
  init();
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int32_t r;
  if (!strcmp(argv[1], "dot")) r = dot(reps);
  else if (!strcmp(argv[1], "matmul")) r = matmul(reps);
  else if (!strcmp(argv[1], "bytecount")) r = bytecount(reps);
  else if (!strcmp(argv[1], "blur")) r = blur(reps);
  else if (!strcmp(argv[1], "bytecount_i")) r = bytecount_i(reps);
  else if (!strcmp(argv[1], "blur_i")) r = blur_i(reps);
  else return 2;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%d %.6f\n", r, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
#endif
