/* World `provider` (text.wit) through the generated bindings: the functions of interface
 * `text`, called by the consumer component once both are composed. */
#include <stdlib.h>
#include <string.h>

#include "provider.h"

typedef provider_string_t str_t;
typedef provider_list_u8_t bytes_t;

static str_t copy(const uint8_t *p, size_t n) {
  str_t s = {n ? malloc(n) : NULL, n};
  if (n && !s.ptr) abort();
  if (n) memcpy(s.ptr, p, n);
  return s;
}

str_t exports_provider_text_shout(str_t s) {
  str_t r = {malloc(s.len + 1), s.len + 1};
  if (!r.ptr) abort();
  for (size_t i = 0; i < s.len; i++) r.ptr[i] = s.ptr[i] >= 'a' && s.ptr[i] <= 'z' ? s.ptr[i] - 32 : s.ptr[i];
  r.ptr[s.len] = '!';
  if (s.len) free(s.ptr);
  return r;
}

uint32_t exports_provider_text_sum(bytes_t b) {
  uint32_t n = 0;
  for (size_t i = 0; i < b.len; i++) n += b.ptr[i];
  if (b.len) free(b.ptr);
  return n;
}

bytes_t exports_provider_text_reverse(bytes_t b) {
  for (size_t i = 0; i < b.len / 2; i++) {
    uint8_t t = b.ptr[i];
    b.ptr[i] = b.ptr[b.len - 1 - i];
    b.ptr[b.len - 1 - i] = t;
  }
  return b; /* the argument's memory, handed back: freed after the caller has read it */
}

provider_tuple2_string_string_t exports_provider_text_split(str_t s, uint32_t at) {
  size_t k = at < s.len ? at : s.len;
  provider_tuple2_string_string_t r = {copy(s.ptr, k), copy(s.ptr + k, s.len - k)};
  if (s.len) free(s.ptr);
  return r;
}

provider_option_u32_t exports_provider_text_find(str_t s, uint32_t c) {
  provider_option_u32_t r = {false, 0};
  for (size_t i = 0; c < 128 && i < s.len && !r.is_some; i++)
    if (s.ptr[i] == c) r.is_some = true, r.val = (uint32_t)i;
  if (s.len) free(s.ptr);
  return r;
}

uint64_t exports_provider_text_wide(uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5, uint32_t a6,
                                    uint32_t a7, uint32_t a8, uint32_t a9, uint32_t a10, uint32_t a11, uint32_t a12,
                                    uint32_t a13, uint32_t a14, uint32_t a15, uint32_t a16, str_t a17, uint32_t a18) {
  uint32_t a[] = {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, (uint32_t)a17.len, a18};
  uint64_t n = 0;
  for (unsigned i = 0; i < 18; i++) n += (uint64_t)(i + 1) * a[i];
  if (a17.len) free(a17.ptr);
  return n;
}

provider_person_t exports_provider_text_birthday(provider_person_t p) {
  provider_person_t r = {{malloc(p.name.len + 1), p.name.len + 1}, p.age + 1};
  if (!r.name.ptr) abort();
  if (p.name.len) memcpy(r.name.ptr, p.name.ptr, p.name.len);
  r.name.ptr[p.name.len] = '*';
  if (p.name.len) free(p.name.ptr);
  return r;
}

str_t exports_provider_text_describe(provider_person_t p) {
  char age[16];
  size_t n = 0;
  uint32_t a = p.age;
  do age[n++] = (char)('0' + a % 10), a /= 10;
  while (a);
  str_t r = {malloc(p.name.len + n + 3), p.name.len + n + 3};
  if (!r.ptr) abort();
  memcpy(r.ptr, p.name.ptr, p.name.len);
  r.ptr[p.name.len] = ' ';
  r.ptr[p.name.len + 1] = '(';
  for (size_t i = 0; i < n; i++) r.ptr[p.name.len + 2 + i] = (uint8_t)age[n - 1 - i];
  r.ptr[r.len - 1] = ')';
  if (p.name.len) free(p.name.ptr);
  return r;
}

provider_result_u32_string_t exports_provider_text_parse(str_t s) {
  provider_result_u32_string_t r = {false, {.ok = 0}};
  static const char empty[] = "empty", digit[] = "not a digit";
  const char *why = s.len ? NULL : empty;
  for (size_t i = 0; !why && i < s.len; i++) {
    if (s.ptr[i] < '0' || s.ptr[i] > '9') why = digit;
    else r.val.ok = r.val.ok * 10 + (uint32_t)(s.ptr[i] - '0');
  }
  if (why) r.is_err = true, r.val.err = copy((const uint8_t *)why, strlen(why));
  if (s.len) free(s.ptr);
  return r;
}

str_t exports_provider_text_pick(provider_option_string_t o, str_t fallback) {
  if (o.is_some) {
    if (fallback.len) free(fallback.ptr);
    return o.val;
  }
  return fallback;
}

provider_color_t exports_provider_text_next(provider_color_t c) { return (provider_color_t)((c + 1) % 3); }

double exports_provider_text_measure(provider_num_t n) {
  switch (n.tag) {
  case PROVIDER_NUM_SMALL: return n.val.small;
  case PROVIDER_NUM_BIG: return (double)n.val.big;
  case PROVIDER_NUM_RATIO: return n.val.ratio;
  case PROVIDER_NUM_PRECISE: return n.val.precise;
  case PROVIDER_NUM_TEXT: {
    double r = (double)n.val.text.len;
    if (n.val.text.len) free(n.val.text.ptr);
    return r;
  }
  default: return -1;
  }
}

double exports_provider_text_weigh(provider_result_f32_string_t r) {
  if (!r.is_err) return r.val.ok;
  double n = -(double)r.val.err.len;
  if (r.val.err.len) free(r.val.err.ptr);
  return n;
}
