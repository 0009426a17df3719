/* World `provider` of counters.wit: exports resource `counter` (a malloc'd int32_t; the
 * destructor counts the counters destroyed and frees it), its constructor, methods, static
 * functions, and functions passing counters in a list, a record and an option. Built with
 * the bindings of `weld wit bindgen --lang c`. */
#include <stdlib.h>
#include <string.h>
#include "provider.h"
struct exports_provider_counter { int32_t value; };
/* appends the decimal form of v at m; returns the new end */
static char *decimal(char *m, int32_t v) {
  char d[12];
  int n = 0;
  uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
  do d[n++] = (char)('0' + u % 10); while ((u /= 10) != 0);
  if (v < 0) *m++ = '-';
  while (n) *m++ = d[--n];
  return m;
}
static uint32_t destroyed;
static exports_provider_own_counter_t make(int32_t v) {
  exports_provider_counter_t *c = malloc(sizeof *c);
  c->value = v;
  return exports_provider_counter_new(c);
}
void exports_provider_counter_destructor(exports_provider_counter_t *rep) { destroyed++; free(rep); }
exports_provider_own_counter_t exports_provider_counters_constructor_counter(int32_t start) { return make(start); }
int32_t exports_provider_counters_method_counter_add(exports_provider_counter_t *self, int32_t n) { return self->value += n; }
int32_t exports_provider_counters_method_counter_get(exports_provider_counter_t *self) { return self->value; }
exports_provider_own_counter_t exports_provider_counters_method_counter_merge(exports_provider_counter_t *self, exports_provider_counter_t *other) {
  return make(self->value + other->value);
}
provider_result_xown_counter_string_t exports_provider_counters_static_counter_parse(provider_string_t s) {
  provider_result_xown_counter_string_t r;
  int32_t v = 0, neg = 0;
  size_t i = 0;
  if (s.len && s.ptr[0] == '-') neg = 1, i = 1;
  bool ok = i < s.len;
  for (; i < s.len; i++) {
    if (s.ptr[i] < '0' || s.ptr[i] > '9') { ok = false; break; }
    v = v * 10 + (s.ptr[i] - '0');
  }
  if (ok) {
    r.is_err = false;
    r.val.ok = make(neg ? -v : v);
    free(s.ptr);
  } else {
    r.is_err = true;
    char *m = malloc(s.len + 16);
    memcpy(m, "not a number: ", 14);
    if (s.len) memcpy(m + 14, s.ptr, s.len);
    r.val.err = (provider_string_t){(uint8_t *)m, s.len + 14};
    if (s.len) free(s.ptr);
  }
  return r;
}
uint32_t exports_provider_counters_static_counter_destroyed(void) { return destroyed; }
int32_t exports_provider_counters_total(provider_list_xborrow_counter_t cs) {
  int32_t t = 0;
  for (size_t i = 0; i < cs.len; i++) t += cs.ptr[i]->value;
  if (cs.len) free(cs.ptr);
  return t;
}
provider_named_t exports_provider_counters_label(provider_string_t name, int32_t v) {
  return (provider_named_t){name, make(v)};
}
provider_string_t exports_provider_counters_show(provider_named_t n) {
  exports_provider_counter_t *c = exports_provider_counter_rep(n.c);
  char *m = malloc(n.name.len + 16);
  if (n.name.len) memcpy(m, n.name.ptr, n.name.len);
  m[n.name.len] = '=';
  size_t k = (size_t)(decimal(m + n.name.len + 1, c->value) - m);
  exports_provider_counter_drop_own(n.c);
  if (n.name.len) free(n.name.ptr);
  return (provider_string_t){(uint8_t *)m, (size_t)k};
}
provider_option_xown_counter_t exports_provider_counters_maybe(int32_t n) {
  provider_option_xown_counter_t o = {0};
  if (n >= 0) o.is_some = true, o.val = make(n);
  return o;
}
