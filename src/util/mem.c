#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void oom(size_t n) {
  fprintf(stderr, "weld: out of memory (allocating %zu bytes)\n", n);
  abort();
}

void *util_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *util_xcalloc(size_t n, size_t sz) {
  void *p = calloc(n ? n : 1, sz ? sz : 1);
  if (!p) oom(n * sz);
  return p;
}

void *util_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

char *util_xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(util_xmalloc(n), s, n);
}

/* ---- arena ---- */

struct util_arena_chunk {
  util_arena_chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

void util_arena_init(util_arena *a) { memset(a, 0, sizeof *a); }

void util_arena_free(util_arena *a) {
  util_arena_chunk *c = a->head;
  while (c) {
    util_arena_chunk *n = c->next;
    free(c);
    c = n;
  }
  a->head = NULL;
  a->used_total = 0;
}

void *util_arena_alloc(util_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  util_arena_chunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t sz = 64 * 1024;
    if (n > sz / 4) sz = n; /* big requests get a chunk of their own */
    util_arena_chunk *nc = util_xmalloc(sizeof *nc + sz);
    nc->size = sz;
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
  memset(p, 0, n);
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
