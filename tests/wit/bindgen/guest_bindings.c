/* The exports of world `pure` (echo.wit) written against the bindings
 * `weld wit bindgen --lang c --world pure` generates (pure.h, pure.c). */
#include <stdlib.h>
#include <string.h>

#include "pure.h"

int32_t exports_pure_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
double exports_pure_neg(double x) { return -x; }
bool exports_pure_is_upper(uint32_t c) { return c >= 'A' && c <= 'Z'; }

uint64_t exports_pure_count(pure_string_t s) {
  uint64_t k = 0;
  for (size_t i = 0; i < s.len; i++) k += (s.ptr[i] & 0xc0) != 0x80;
  if (s.len) free(s.ptr);
  return k;
}

pure_string_t exports_pure_types_upper(pure_string_t s) {
  for (size_t i = 0; i < s.len; i++)
    if (s.ptr[i] >= 'a' && s.ptr[i] <= 'z') s.ptr[i] -= 32;
  return s; /* the argument's buffer, owned here, goes back as the result */
}

pure_list_u32_t exports_pure_types_reverse(pure_list_u32_t l) {
  pure_list_u32_t r = {NULL, l.len};
  if (l.len) {
    r.ptr = malloc(l.len * sizeof *r.ptr);
    if (!r.ptr) abort();
    for (size_t i = 0; i < l.len; i++) r.ptr[i] = l.ptr[l.len - 1 - i];
    free(l.ptr);
  }
  return r;
}

pure_tuple2_s64_u8_t exports_pure_types_swap(uint8_t a, int64_t b) { return (pure_tuple2_s64_u8_t){b, a}; }

pure_option_f64_t exports_pure_types_half(pure_option_f64_t x) {
  if (x.is_some) x.val /= 2;
  return x;
}

pure_result_u32_string_t exports_pure_types_checked(int32_t x) {
  pure_result_u32_string_t r = {0};
  if (x >= 0) {
    r.val.ok = (uint32_t)x * 2;
  } else {
    r.is_err = true;
    r.val.err.len = strlen("negative");
    r.val.err.ptr = malloc(r.val.err.len);
    if (!r.val.err.ptr) abort();
    memcpy(r.val.err.ptr, "negative", r.val.err.len);
  }
  return r;
}
