/* Interface local:greeter/greet, through local:formatter/fmt's join. */
#include <stdlib.h>
#include <string.h>

#include "greeter.h"

greeter_string_t exports_greeter_greet_greet(greeter_list_string_t names) {
  static const char and[] = " and ", hi[] = "hello, ";
  greeter_string_t sep = {(uint8_t *)and, sizeof and - 1};
  greeter_string_t joined = greeter_fmt_join(names, sep);
  greeter_string_t out = {malloc(sizeof hi + joined.len), sizeof hi + joined.len};
  if (!out.ptr) abort();
  memcpy(out.ptr, hi, sizeof hi - 1);
  memcpy(out.ptr + sizeof hi - 1, joined.ptr, joined.len);
  out.ptr[out.len - 1] = '!';
  if (joined.len) free(joined.ptr);
  for (size_t i = 0; i < names.len; i++)
    if (names.ptr[i].len) free(names.ptr[i].ptr);
  if (names.len) free(names.ptr);
  return out;
}
