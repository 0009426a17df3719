/* Code memory: mapped read+write while the compiler copies code in, then switched to
 * read+execute before anything runs it. No page is ever writable and executable at once
 * (W^X). The mapping belongs to one compiled module and is shared by all its instances. */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jit_int.h"

/* Code is written whole right after it is mapped, so its pages are made present at once
 * (one madvise instead of a fault per 4 KiB page, which costs about twice as much); from
 * 1 MiB on, whole 2 MiB huge pages (a code cache entry of several MiB loads without
 * thousands of faults). */
void *jit_code_map(size_t len, size_t *mapped) {
  long pg = sysconf(_SC_PAGESIZE);
  size_t page = pg > 0 ? (size_t)pg : 4096, huge = (size_t)2 << 20;
  size_t n = (len + page - 1) / page * page;
  if (!n) n = page;
  if (n >= huge / 2) {
    n = (n + huge - 1) / huge * huge;
    void *p = x64_map_fresh(n);
    if (!p) return NULL;
    *mapped = n;
    return p;
  }
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
#ifdef MADV_POPULATE_WRITE
  (void)madvise(p, n, MADV_POPULATE_WRITE); /* a hint: without it, the pages fault in */
#endif
  *mapped = n;
  return p;
}

bool jit_code_seal(void *p, size_t mapped) { return mprotect(p, mapped, PROT_READ | PROT_EXEC) == 0; }

void jit_code_unmap(void *p, size_t mapped) { util_unmap(p, mapped); }

/* From half a huge page on, whole huge pages (as the code buffer: x64.c) */
#define SITES_MAPPED ((size_t)256 << 10)

bool jit_sites_reserve(jit_sites *s, size_t need) {
  if (need <= s->cap) return true;
  size_t bytes = need * sizeof *s->v;
  if (s->map || (!s->v && bytes >= SITES_MAPPED)) {
    size_t huge = (size_t)2 << 20, map = (bytes + huge - 1) / huge * huge; /* whole huge pages */
    void *p = s->v ? mremap(s->v, s->map, map, MREMAP_MAYMOVE) : x64_map_fresh(map);
    if (!p || p == MAP_FAILED) return false;
    s->v = p;
    s->map = map;
    s->cap = map / sizeof *s->v;
    return true;
  }
  size_t cap = s->cap ? s->cap : 16;
  while (cap < need) cap *= 2;
  jit_site *v = realloc(s->v, cap * sizeof *v);
  if (!v) return false;
  s->v = v;
  s->cap = cap;
  return true;
}

void jit_sites_release(jit_site *v, size_t map) {
  if (map) munmap(v, map);
  else free(v);
}

void jit_sites_free(jit_sites *s) {
  if (s->v) jit_sites_release(s->v, s->map);
  s->v = NULL;
  s->n = s->cap = s->map = 0;
}
