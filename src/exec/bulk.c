/* Bulk memory and table work over 1 MiB, in chunks with a look at the store's interrupt
 * flag between them, so a deadline or a cancel stops even one huge copy or fill (the
 * interpreter charges the fuel first: README.md, "Memory"). */
#include <stdatomic.h>
#include <string.h>

#include "code.h"

static exec_trap_kind stop(exec_thread *th) {
  exec_store *s = th->store;
  if (s && atomic_load_explicit(&s->interrupt, memory_order_relaxed)) return exec_check_interrupt(th);
  return EXEC_OK;
}

/* memmove in chunks, in the direction that keeps an overlapping copy right. */
exec_trap_kind exec_bulk_move(exec_thread *th, uint8_t *d, const uint8_t *src, size_t n) {
  exec_trap_kind k;
  if (d <= src) {
    for (size_t at = 0; at < n; at += EXEC_BULK_CHUNK) {
      if (at && (k = stop(th))) return k;
      memmove(d + at, src + at, n - at < EXEC_BULK_CHUNK ? n - at : EXEC_BULK_CHUNK);
    }
  } else {
    for (size_t end = n; end > 0;) {
      size_t len = end < EXEC_BULK_CHUNK ? end : EXEC_BULK_CHUNK;
      if (end != n && (k = stop(th))) return k;
      end -= len;
      memmove(d + end, src + end, len);
    }
  }
  return EXEC_OK;
}

exec_trap_kind exec_bulk_fill(exec_thread *th, uint8_t *d, int v, size_t n) {
  exec_trap_kind k;
  for (size_t at = 0; at < n; at += EXEC_BULK_CHUNK) {
    if (at && (k = stop(th))) return k;
    memset(d + at, v, n - at < EXEC_BULK_CHUNK ? n - at : EXEC_BULK_CHUNK);
  }
  return EXEC_OK;
}

exec_trap_kind exec_bulk_fill_refs(exec_thread *th, void **d, void *v, size_t n) {
  exec_trap_kind k;
  const size_t chunk = EXEC_BULK_CHUNK / sizeof(void *);
  for (size_t at = 0; at < n; at++) {
    if (at && at % chunk == 0 && (k = stop(th))) return k;
    d[at] = v;
  }
  return EXEC_OK;
}
