#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool util_read_file(const char *path, uint8_t **data, size_t *len, util_error *e) {
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) return util_fail(e, UTIL_ERR_IO, -1, "cannot open %s: %s", path, strerror(errno));
  size_t cap = 64 * 1024, n = 0;
  uint8_t *buf = util_try_malloc(cap);
  for (;;) {
    if (buf && n == cap) {
      uint8_t *bigger = cap <= SIZE_MAX / 2 ? util_try_realloc(buf, cap * 2) : NULL;
      if (!bigger) free(buf);
      buf = bigger;
      cap *= 2;
    }
    if (!buf) {
      if (!is_stdin) fclose(f);
      return util_fail(e, UTIL_ERR_OOM, -1, "cannot read %s: out of memory", path);
    }
    size_t k = fread(buf + n, 1, cap - n, f);
    n += k;
    if (k == 0) break;
  }
  bool bad = ferror(f);
  int err = errno;
  if (!is_stdin) fclose(f);
  if (bad) {
    free(buf);
    return util_fail(e, UTIL_ERR_IO, -1, "cannot read %s: %s", path, strerror(err));
  }
  *data = buf;
  *len = n;
  return true;
}
