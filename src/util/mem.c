#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

static void oom(size_t n) {
  fprintf(stderr, "weld: out of memory (allocating %zu bytes)\n", n);
  abort();
}

/* The injection hook: a countdown per thread, so parallel tests do not disturb it. */
static _Thread_local unsigned long fail_countdown, alloc_count;

unsigned long util_alloc_fail_at(unsigned long n) {
  unsigned long made = alloc_count;
  alloc_count = 0;
  fail_countdown = n;
  return made;
}

static bool injected_failure(void) {
  alloc_count++;
  return fail_countdown && --fail_countdown == 0;
}

void *util_try_malloc(size_t n) { return injected_failure() ? NULL : malloc(n ? n : 1); }

void *util_try_calloc(size_t n, size_t sz) {
  return injected_failure() ? NULL : calloc(n ? n : 1, sz ? sz : 1);
}

void *util_try_realloc(void *p, size_t n) { return injected_failure() ? NULL : realloc(p, n ? n : 1); }

void *util_try_malloc_huge(size_t n) {
  const size_t huge = (size_t)2 << 20;
  if (injected_failure()) return NULL;
  if (n > SIZE_MAX - huge) return NULL;
  size_t whole = (n + huge - 1) & ~(huge - 1);
  void *p = aligned_alloc(huge, whole ? whole : huge);
#if defined(MADV_HUGEPAGE) && defined(MADV_POPULATE_WRITE)
  if (p) {
    (void)madvise(p, whole, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages as they are touched */
    util_populate(p, whole);
  }
#endif
  return p;
}

void util_populate(void *p, size_t n) {
#ifdef MADV_POPULATE_WRITE
  uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, hi = ((uintptr_t)p + n) & ~(uintptr_t)4095;
  if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
  (void)p, (void)n;
#endif
}

void *util_try_calloc_big(size_t n, size_t sz) {
  if (sz && n > SIZE_MAX / sz) return NULL;
  if (n * sz < UTIL_HUGE_MIN) {
    void *p = util_try_calloc(n, sz);
    if (p && n * sz >= UTIL_POPULATE_MIN) util_populate(p, n * sz);
    return p;
  }
  void *p = util_try_malloc_huge(n * sz);
  if (p) memset(p, 0, n * sz); /* present already: no fault */
  return p;
}

void *util_xmalloc(size_t n) {
  void *p = util_try_malloc(n);
  if (!p) oom(n);
  return p;
}

void *util_xcalloc(size_t n, size_t sz) {
  void *p = util_try_calloc(n, sz);
  if (!p) oom(n * sz);
  return p;
}

void *util_xrealloc(void *p, size_t n) {
  void *q = util_try_realloc(p, n);
  if (!q) oom(n);
  return q;
}

bool util_vec_try_grow(void **items, size_t *cap, size_t len, size_t elem) {
  if (len < *cap) return true;
  size_t nc = *cap ? *cap * 2 : 8;
  if (nc > SIZE_MAX / elem) return false;
  void *p = util_try_realloc(*items, nc * elem);
  if (!p) return false;
  *items = p;
  *cap = nc;
  return true;
}

char *util_xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(util_xmalloc(n), s, n);
}

char *util_try_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = util_try_malloc(n);
  return p ? memcpy(p, s, n) : NULL;
}

/* ---- arena ---- */

struct util_arena_chunk {
  util_arena_chunk *next;
  size_t size, used;
  size_t mapped; /* a mapping of this length of its own (huge pages), else 0: malloc'd */
  _Alignas(16) unsigned char data[];
};

/* An arena that has grown past ARENA_HUGE takes its next chunks in whole huge pages of a
 * mapping advised MADV_HUGEPAGE: a large module's translated code and tables are written
 * once into fresh memory, and a fresh 4 KiB page costs a page fault each (dear in a
 * virtual machine); a huge page costs one. */
#define ARENA_HUGE ((size_t)2 << 20)

void *util_map_huge(size_t bytes) {
  unsigned char *p = mmap(NULL, bytes + ARENA_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  size_t lead = (ARENA_HUGE - (uintptr_t)p % ARENA_HUGE) % ARENA_HUGE;
  if (lead) munmap(p, lead);
  munmap(p + lead + bytes, ARENA_HUGE - lead);
#ifdef MADV_HUGEPAGE
  (void)madvise(p + lead, bytes, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
  return p + lead;
}

static util_arena_chunk *chunk_map(size_t need) {
  size_t map = (need + ARENA_HUGE - 1) / ARENA_HUGE * ARENA_HUGE;
  util_arena_chunk *c = util_map_huge(map);
  if (!c) return NULL;
  c->mapped = map;
  c->size = map - sizeof *c;
  return c;
}

void util_arena_init(util_arena *a) { memset(a, 0, sizeof *a); }

static atomic_bool exiting;

void util_unmap_at_exit(void) { atomic_store_explicit(&exiting, true, memory_order_relaxed); }

void util_unmap(void *p, size_t bytes) {
  if (p && bytes && !atomic_load_explicit(&exiting, memory_order_relaxed)) munmap(p, bytes);
}

void util_arena_free(util_arena *a) {
  util_arena_chunk *c = a->head;
  while (c) {
    util_arena_chunk *n = c->next;
    if (c->mapped) util_unmap(c, c->mapped);
    else free(c);
    c = n;
  }
  a->head = NULL;
  a->used_total = 0;
}

void *util_arena_alloc(util_arena *a, size_t n) {
  void *p = util_arena_try_alloc(a, n);
  if (!p) oom(n);
  return p;
}

/* Room for n bytes, not zeroed (util_arena_try_dup fills it at once). */
static void *arena_raw(util_arena *a, size_t n) {
  if (n > SIZE_MAX - 64 * 1024) return NULL;
  n = (n + 15) & ~(size_t)15;
  util_arena_chunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t sz = 64 * 1024;
    util_arena_chunk *nc = NULL;
    if (a->used_total >= ARENA_HUGE) {
      nc = chunk_map(sizeof *nc + n);
      if (nc) sz = nc->size;
    }
    if (!nc) {
      if (n > sz / 4) sz = n; /* big requests get a chunk of their own */
      nc = util_try_malloc(sizeof *nc + sz);
      if (!nc) return NULL;
      nc->size = sz;
      nc->mapped = 0;
    }
    nc->used = 0;
    if (c && n == sz) { /* keep the current chunk on top: it still has room */
      nc->next = c->next;
      c->next = nc;
    } else {
      nc->next = c;
      a->head = nc;
    }
    c = nc;
  }
  void *p = c->data + c->used;
  c->used += n;
  a->used_total += n;
  return p;
}

void *util_arena_try_alloc(util_arena *a, size_t n) {
  void *p = arena_raw(a, n);
  /* a large array (a module's per-function tables) is written whole by the memset: its
   * fresh pages made present first */
  if (p && n >= UTIL_POPULATE_MIN) util_populate(p, n);
  if (p) memset(p, 0, (n + 15) & ~(size_t)15);
  return p;
}

void *util_arena_dup(util_arena *a, const void *p, size_t n) {
  void *q = util_arena_alloc(a, n);
  if (n) memcpy(q, p, n);
  return q;
}

char *util_arena_strndup(util_arena *a, const char *s, size_t n) {
  char *q = util_arena_alloc(a, n + 1);
  if (n) memcpy(q, s, n);
  q[n] = 0;
  return q;
}

void *util_arena_try_dup(util_arena *a, const void *p, size_t n) {
  void *q = arena_raw(a, n);
  if (!q) return NULL;
  if (n) memcpy(q, p, n);
  memset((unsigned char *)q + n, 0, ((n + 15) & ~(size_t)15) - n); /* the padding, as alloc leaves it */
  return q;
}

char *util_arena_try_strndup(util_arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX) return NULL;
  char *q = util_arena_try_alloc(a, n + 1);
  if (!q) return NULL;
  if (n) memcpy(q, s, n);
  q[n] = 0;
  return q;
}

/* ---------- byte buffers ---------- */

bool util_buf_reserve(util_buf *b, size_t n) {
  if (b->oom) return false;
  if (b->cap > b->len && n < b->cap - b->len) return true;
  if (n > SIZE_MAX / 4 - b->len) {
    b->oom = true;
    return false;
  }
  size_t nc = b->cap ? b->cap : 16;
  while (nc - b->len <= n) nc *= 2;
  uint8_t *p = util_try_realloc(b->p, nc);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->p = p;
  b->cap = nc;
  return true;
}

void util_buf_put(util_buf *b, const void *p, size_t n) {
  if (!util_buf_reserve(b, n)) return;
  if (n) memcpy(b->p + b->len, p, n);
  b->len += n;
  b->p[b->len] = 0;
}

void util_buf_puts(util_buf *b, const char *s) { util_buf_put(b, s, strlen(s)); }

void util_buf_printf(util_buf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n > 0 && util_buf_reserve(b, (size_t)n + 1)) {
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
}

void util_buf_free(util_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}
