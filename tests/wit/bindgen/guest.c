/* A guest written against the canonical ABI by hand: the exports of world `pure`/`echo`
 * in tests/wit/bindgen/echo.wit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(n) __attribute__((export_name(n)))

EXPORT("cabi_realloc") void *cabi_realloc(void *old, size_t old_size, size_t align, size_t size) {
  (void)old_size;
  (void)align;
  if (!size) return (void *)align;
  void *p = realloc(old, size);
  if (!p) abort();
  return p;
}

static uint64_t ret[4];

#ifdef WITH_IMPORT
__attribute__((import_module("$root"), import_name("scale"))) uint32_t scale(uint32_t);
EXPORT("add") int32_t add(int32_t a, int32_t b) { return (int32_t)scale((uint32_t)(a + b)); }
#else
EXPORT("add") int32_t add(int32_t a, int32_t b) { return a + b; }
#endif
EXPORT("neg") double neg(double x) { return -x; }
EXPORT("is-upper") int32_t is_upper(uint32_t c) { return c >= 'A' && c <= 'Z'; }
EXPORT("count") int64_t count(char *s, size_t n) {
  int64_t k = 0;
  for (size_t i = 0; i < n; i++) k += (s[i] & 0xc0) != 0x80;
  if (n) free(s); /* an empty string is not allocated (cabi_realloc of 0 bytes) */
  return k;
}

EXPORT("test:echo/types@0.1.0#upper") void *upper(char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] >= 'a' && s[i] <= 'z') s[i] -= 32;
  uint32_t *r = (uint32_t *)ret;
  r[0] = (uint32_t)(uintptr_t)s;
  r[1] = (uint32_t)n;
  return r;
}
EXPORT("cabi_post_test:echo/types@0.1.0#upper") void upper_post(uint32_t *r) {
  if (r[1]) free((void *)(uintptr_t)r[0]);
}

EXPORT("test:echo/types@0.1.0#reverse") void *reverse(uint32_t *l, size_t n) {
  for (size_t i = 0; i < n / 2; i++) {
    uint32_t t = l[i];
    l[i] = l[n - 1 - i];
    l[n - 1 - i] = t;
  }
  uint32_t *r = (uint32_t *)ret;
  r[0] = (uint32_t)(uintptr_t)l;
  r[1] = (uint32_t)n;
  return r;
}
EXPORT("cabi_post_test:echo/types@0.1.0#reverse") void reverse_post(uint32_t *r) {
  if (r[1]) free((void *)(uintptr_t)r[0]);
}

/* tuple<s64, u8>: s64 at 0, u8 at 8 */
EXPORT("test:echo/types@0.1.0#swap") void *swap(int32_t a, int64_t b) {
  memcpy((char *)ret, &b, 8);
  ((uint8_t *)ret)[8] = (uint8_t)a;
  return ret;
}

/* option<f64>: flat (i32, f64); result in memory: tag at 0, f64 at 8 */
EXPORT("test:echo/types@0.1.0#half") void *half(int32_t some, double x) {
  ((uint8_t *)ret)[0] = (uint8_t)some;
  double h = x / 2;
  if (some) memcpy((char *)ret + 8, &h, 8);
  return ret;
}

/* result<u32, string>: tag at 0, payload at 4 (u32, or ptr,len) */
static char msg[] = "negative";
EXPORT("test:echo/types@0.1.0#checked") void *checked(int32_t x) {
  uint32_t *r = (uint32_t *)ret;
  if (x >= 0) {
    ((uint8_t *)r)[0] = 0;
    r[1] = (uint32_t)x * 2;
  } else {
    ((uint8_t *)r)[0] = 1;
    r[1] = (uint32_t)(uintptr_t)msg;
    r[2] = sizeof msg - 1;
  }
  return r;
}
