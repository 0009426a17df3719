/* Interface local:formatter/fmt: the words joined by a separator. */
#include <stdlib.h>
#include <string.h>

#include "formatter.h"

formatter_string_t exports_formatter_fmt_join(formatter_list_string_t words, formatter_string_t sep) {
  size_t n = 0;
  for (size_t i = 0; i < words.len; i++) n += words.ptr[i].len + (i ? sep.len : 0);
  formatter_string_t out = {malloc(n ? n : 1), n};
  if (!out.ptr) abort();
  uint8_t *p = out.ptr;
  for (size_t i = 0; i < words.len; i++) {
    if (i) memcpy(p, sep.ptr, sep.len), p += sep.len;
    memcpy(p, words.ptr[i].ptr, words.ptr[i].len), p += words.ptr[i].len;
    if (words.ptr[i].len) free(words.ptr[i].ptr);
  }
  if (words.len) free(words.ptr);
  if (sep.len) free(sep.ptr);
  return out;
}
