#include <stdio.h>
#include <string.h>

#include "util.h"

static _Thread_local int spec_edition = 2;

int util_spec_edition(void) { return spec_edition; }
void util_set_spec_edition(int edition) { spec_edition = edition >= 3 ? 3 : 2; }

void util_error_clear(util_error *e) {
  if (!e) return;
  memset(e, 0, sizeof *e);
  e->offset = -1;
  e->func = -1;
}

bool util_vfail(util_error *e, util_err_kind kind, int64_t offset, const char *fmt, va_list ap) {
  if (!e || e->kind != UTIL_ERR_NONE) return false;
  e->kind = kind;
  e->offset = offset;
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  return false;
}

bool util_fail(util_error *e, util_err_kind kind, int64_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  util_vfail(e, kind, offset, fmt, ap);
  va_end(ap);
  return false;
}

const char *util_error_format(const util_error *e, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "%s", e->msg);
  if (k >= n) return buf;
  if (e->line > 0) {
    snprintf(buf + k, n - k, " (at %d:%d)", e->line, e->col);
  } else if (e->offset >= 0 && e->func >= 0) {
    snprintf(buf + k, n - k, " (at offset 0x%llx, function %lld)", (unsigned long long)e->offset,
             (long long)e->func);
  } else if (e->offset >= 0) {
    snprintf(buf + k, n - k, " (at offset 0x%llx)", (unsigned long long)e->offset);
  } else if (e->func >= 0) {
    snprintf(buf + k, n - k, " (in function %lld)", (long long)e->func);
  }
  return buf;
}
