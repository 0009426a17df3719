/* World `consumer` of counters.wit: imports interface `counters` and drives its resource
 * through the bindings of `weld wit bindgen --lang c`: own handles made, borrowed, moved
 * into records and lists, dropped (twice, and used after the drop, for the traps). */
#include <stdlib.h>
#include <string.h>
#include "consumer.h"
typedef consumer_own_counter_t own;
#define B(h) consumer_borrow_counter(h)
int32_t exports_consumer_basic(int32_t start, int32_t n) {
  own c = consumer_counters_constructor_counter(start);
  consumer_counters_method_counter_add(B(c), n);
  consumer_counters_method_counter_add(B(c), n);
  int32_t v = consumer_counters_method_counter_get(B(c));
  consumer_counter_drop_own(c);
  return v;
}
int32_t exports_consumer_merged(int32_t a, int32_t b) {
  own x = consumer_counters_constructor_counter(a), y = consumer_counters_constructor_counter(b);
  own z = consumer_counters_method_counter_merge(B(x), B(y));
  int32_t v = consumer_counters_method_counter_get(B(z));
  consumer_counter_drop_own(x), consumer_counter_drop_own(y), consumer_counter_drop_own(z);
  return v;
}
consumer_result_s32_string_t exports_consumer_parsed(consumer_string_t s) {
  consumer_result_own_counter_string_t r = consumer_counters_static_counter_parse(s);
  consumer_result_s32_string_t out;
  out.is_err = r.is_err;
  if (r.is_err) {
    out.val.err = r.val.err; /* malloc'd by the glue: freed after the caller read it */
  } else {
    out.val.ok = consumer_counters_method_counter_get(B(r.val.ok));
    consumer_counter_drop_own(r.val.ok);
  }
  if (s.len) free(s.ptr);
  return out;
}
uint32_t exports_consumer_churn(uint32_t k) {
  uint32_t before = consumer_counters_static_counter_destroyed();
  own *cs = malloc((k ? k : 1) * sizeof *cs);
  for (uint32_t i = 0; i < k; i++) cs[i] = consumer_counters_constructor_counter((int32_t)i);
  for (uint32_t i = 0; i < k; i++) consumer_counter_drop_own(cs[i]);
  free(cs);
  return consumer_counters_static_counter_destroyed() - before;
}
int32_t exports_consumer_summed(consumer_list_s32_t xs) {
  own *cs = malloc((xs.len ? xs.len : 1) * sizeof *cs);
  consumer_borrow_counter_t *bs = malloc((xs.len ? xs.len : 1) * sizeof *bs);
  for (size_t i = 0; i < xs.len; i++) cs[i] = consumer_counters_constructor_counter(xs.ptr[i]), bs[i] = B(cs[i]);
  int32_t t = consumer_counters_total((consumer_list_borrow_counter_t){bs, xs.len});
  for (size_t i = 0; i < xs.len; i++) consumer_counter_drop_own(cs[i]);
  free(cs), free(bs);
  if (xs.len) free(xs.ptr);
  return t;
}
consumer_string_t exports_consumer_labelled(consumer_string_t name, int32_t v) {
  consumer_named_t n = consumer_counters_label(name, v);
  consumer_counters_method_counter_add(B(n.c), 1);
  consumer_string_t s = consumer_counters_show(n); /* the counter moves to the callee, which drops it */
  if (n.name.len) free(n.name.ptr);
  if (name.len) free(name.ptr);
  return s;
}
consumer_option_s32_t exports_consumer_maybe_get(int32_t n) {
  consumer_option_own_counter_t o = consumer_counters_maybe(n);
  consumer_option_s32_t r = {0};
  if (o.is_some) {
    r.is_some = true;
    r.val = consumer_counters_method_counter_get(B(o.val));
    consumer_counter_drop_own(o.val);
  }
  return r;
}
uint32_t exports_consumer_destroyed(void) { return consumer_counters_static_counter_destroyed(); }
int32_t exports_consumer_use_after_drop(void) {
  own c = consumer_counters_constructor_counter(1);
  consumer_counter_drop_own(c);
  return consumer_counters_method_counter_get(B(c));
}
void exports_consumer_drop_twice(void) {
  own c = consumer_counters_constructor_counter(1);
  consumer_counter_drop_own(c);
  consumer_counter_drop_own(c);
}
