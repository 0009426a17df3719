/* World `consumer` (text.wit) through the generated bindings: each export calls the
 * imported interface `text` (strings, lists, a tuple and an option through memory, and
 * more than 16 flat parameters) and returns what it got. */
#include <stdlib.h>
#include <string.h>

#include "consumer.h"

typedef consumer_string_t str_t;
typedef consumer_list_u8_t bytes_t;

static void drop(str_t s) {
  if (s.len) free(s.ptr);
}

/* shout(shout(s)): the first result passed back as the second argument */
str_t exports_consumer_shout_twice(str_t s) {
  str_t once = consumer_text_shout(s);
  str_t twice = consumer_text_shout(once);
  drop(once);
  drop(s);
  return twice;
}

uint32_t exports_consumer_sum_of(bytes_t b) {
  uint32_t n = consumer_text_sum(b);
  if (b.len) free(b.ptr);
  return n;
}

bytes_t exports_consumer_reversed(bytes_t b) {
  bytes_t r = consumer_text_reverse(b);
  if (b.len) free(b.ptr);
  return r;
}

/* split at the middle, joined as "LEFT|RIGHT" */
str_t exports_consumer_halves(str_t s) {
  consumer_tuple2_string_string_t t = consumer_text_split(s, (uint32_t)(s.len / 2));
  str_t r = {malloc(t.f0.len + t.f1.len + 1), t.f0.len + t.f1.len + 1};
  if (!r.ptr) abort();
  memcpy(r.ptr, t.f0.ptr, t.f0.len);
  r.ptr[t.f0.len] = '|';
  memcpy(r.ptr + t.f0.len + 1, t.f1.ptr, t.f1.len);
  drop(t.f0), drop(t.f1), drop(s);
  return r;
}

int64_t exports_consumer_where_is(str_t s, uint32_t c) {
  consumer_option_u32_t r = consumer_text_find(s, c);
  drop(s);
  return r.is_some ? (int64_t)r.val : -1;
}

/* wide(x, x+1, .., x+15, tail, x+17) */
uint64_t exports_consumer_wide_sum(uint32_t x, str_t tail) {
  uint64_t n = consumer_text_wide(x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, x + 9, x + 10, x + 11,
                                  x + 12, x + 13, x + 14, x + 15, tail, x + 17);
  drop(tail);
  return n;
}

/* describe(birthday({name, age})): a record with a string both ways */
str_t exports_consumer_celebrate(str_t name, uint32_t age) {
  consumer_person_t p = {name, age};
  consumer_person_t older = consumer_text_birthday(p);
  str_t r = consumer_text_describe(older);
  drop(older.name), drop(name);
  return r;
}

/* the number, or minus the length of the error's text */
int64_t exports_consumer_parse_or(str_t s) {
  consumer_result_u32_string_t r = consumer_text_parse(s);
  drop(s);
  if (!r.is_err) return r.val.ok;
  int64_t n = -(int64_t)r.val.err.len;
  drop(r.val.err);
  return n;
}

str_t exports_consumer_pick_or(bool some, str_t s, str_t fallback) {
  consumer_option_string_t o = {some, s};
  str_t r = consumer_text_pick(o, fallback);
  drop(s), drop(fallback);
  return r;
}

uint8_t exports_consumer_next_of(uint8_t c) { return consumer_text_next((consumer_color_t)(c % 3)); }

/* the world's variant passed on as the interface's (the same layout) */
_Static_assert(sizeof(consumer_wnum_t) == sizeof(consumer_num_t), "one layout");
double exports_consumer_measure_via(consumer_wnum_t n) {
  consumer_num_t m;
  memcpy(&m, &n, sizeof m);
  double r = consumer_text_measure(m);
  if (n.tag == CONSUMER_WNUM_TEXT) drop(n.val.text);
  return r;
}

double exports_consumer_weigh_via(consumer_result_f32_string_t r) {
  double n = consumer_text_weigh(r);
  if (r.is_err) drop(r.val.err);
  return n;
}
