/* Linear memories. Two layouts:
 *  - guard mode reserves the whole 32-bit index space plus a guard region up front
 *    (PROT_NONE) and opens pages with mprotect as the memory grows, so the base never
 *    moves and every out-of-range address within 8 GiB of the base would fault;
 *  - explicit mode maps exactly the current size and moves with mremap on growth, for
 *    hosts where reserving 8 GiB per memory is too much (dense or small address spaces).
 * A memory of an instance pool (pool.c) lives in a pre-reserved slot and grows in place
 * like a guard-mode one; freeing it returns the slot to the pool.
 * The interpreter checks every access against `size` in both modes (exec/README.md), so
 * neither layout relies on faults for safety. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exec.h"

#define GUARD_RESERVATION (8ull << 30)
#define MAX_PAGES_32 65536ull
#define EXEC_GROW_POPULATE_MAX ((uint64_t)1 << 20)

/* A zero-length memory still needs a non-NULL base: memcpy/memset of zero bytes through
 * it must be well defined. */
static uint8_t empty_memory[16] __attribute__((aligned(16)));

exec_memory *exec_memory_new(uint64_t min_pages, uint64_t max_pages, bool has_max, bool guard,
                             util_error *err) {
  uint64_t cap = has_max && max_pages < MAX_PAGES_32 ? max_pages : MAX_PAGES_32;
  if (min_pages > cap) {
    util_fail(err, UTIL_ERR_LIMIT, -1, "memory size exceeds its limit (%llu pages > %llu)",
              (unsigned long long)min_pages, (unsigned long long)cap);
    return NULL;
  }
  exec_memory *m = util_try_calloc(1, sizeof *m);
  if (!m) {
    util_fail(err, UTIL_ERR_LIMIT, -1, "out of memory");
    return NULL;
  }
  m->max_pages = cap;
  m->has_max = has_max;
  m->guarded = guard;
  uint64_t bytes = min_pages * EXEC_PAGE_SIZE;
  if (guard) {
    void *p = mmap(NULL, GUARD_RESERVATION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
      /* Address space is short (ulimit -v, 32-bit host): fall back to exact mapping. */
      m->guarded = false;
    } else {
      m->base = p;
      m->reserved = GUARD_RESERVATION;
      if (bytes && mprotect(p, bytes, PROT_READ | PROT_WRITE) != 0) {
        munmap(p, GUARD_RESERVATION);
        free(m);
        util_fail(err, UTIL_ERR_OOM, -1, "cannot commit %llu bytes of linear memory",
                  (unsigned long long)bytes);
        return NULL;
      }
      m->size = bytes;
      return m;
    }
  }
  if (bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      free(m);
      util_fail(err, UTIL_ERR_OOM, -1, "cannot map %llu bytes of linear memory",
                (unsigned long long)bytes);
      return NULL;
    }
    m->base = p;
    m->reserved = bytes;
  } else {
    m->base = empty_memory;
  }
  m->size = bytes;
  return m;
}

void exec_memory_free(exec_memory *m) {
  if (!m) return;
  if (m->pool_slot) {
    exec_pool_memory_release(m); /* the slot's pages are discarded, not unmapped */
    return;
  }
  if (m->reserved) util_unmap(m->base, m->reserved);
  free(m);
}

int64_t exec_memory_grow(exec_memory *m, uint64_t delta_pages) {
  uint64_t old_pages = m->size / EXEC_PAGE_SIZE;
  if (delta_pages == 0) return (int64_t)old_pages;
  if (delta_pages > m->max_pages || old_pages + delta_pages > m->max_pages) return -1;
  uint64_t new_size = (old_pages + delta_pages) * EXEC_PAGE_SIZE;
  exec_store *s = m->store;
  if (s) {
    uint64_t lim = s->limits.memory_bytes;
    uint64_t inst_after = m->inst_bytes ? *m->inst_bytes - m->size + new_size : new_size;
    if (new_size > lim || inst_after > lim) {
      s->usage.grow_denials++;
      if (!s->limits.trap_on_grow_failure) return -1;
      s->usage.stopped_by = EXEC_LIMIT_MEMORY;
      return EXEC_GROW_TRAP;
    }
  }
  if (m->pool_slot) {
    if (!exec_pool_memory_grow(m, new_size)) return -1;
  } else if (m->guarded) {
    if (mprotect(m->base + m->size, new_size - m->size, PROT_READ | PROT_WRITE) != 0) return -1;
  } else if (m->reserved) {
    void *p = mremap(m->base, m->reserved, new_size, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) return -1;
    m->base = p;
    m->reserved = new_size;
  } else {
    void *p = mmap(NULL, new_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    m->base = p;
    m->reserved = new_size;
  }
  /* A small growth is an allocator asking for the memory it is about to use (sbrk-style,
   * 64 KiB at a time): its pages are made present in one call, which costs about half
   * what a page fault per 4 KiB does. A large one may be a reservation the guest touches
   * sparsely, so its pages still come on first touch. */
#ifdef MADV_POPULATE_WRITE
  if (new_size - m->size <= EXEC_GROW_POPULATE_MAX) (void)madvise(m->base + m->size, new_size - m->size, MADV_POPULATE_WRITE);
#endif
  if (s) {
    s->usage.memory_bytes += new_size - m->size;
    if (s->usage.memory_bytes > s->usage.peak_memory_bytes)
      s->usage.peak_memory_bytes = s->usage.memory_bytes;
  }
  if (m->inst_bytes) *m->inst_bytes += new_size - m->size;
  m->size = new_size;
  return (int64_t)old_pages;
}

bool exec_store_adopt_memory(exec_store *s, exec_memory *m, uint64_t *inst_bytes, util_error *err) {
  uint64_t lim = s->limits.memory_bytes;
  uint64_t inst_after = inst_bytes ? *inst_bytes + m->size : m->size;
  if (m->size > lim || inst_after > lim) {
    s->usage.limit_denials++;
    s->usage.stopped_by = EXEC_LIMIT_MEMORY;
    return util_fail(err, UTIL_ERR_LIMIT, -1,
                     "memory of %llu bytes exceeds the memory limit (%llu bytes%s)",
                     (unsigned long long)(m->size > lim ? m->size : inst_after),
                     (unsigned long long)lim, m->size > lim ? "" : " per instance");
  }
  m->store = s;
  m->inst_bytes = inst_bytes;
  if (inst_bytes) *inst_bytes += m->size;
  s->usage.memory_bytes += m->size;
  if (s->usage.memory_bytes > s->usage.peak_memory_bytes)
    s->usage.peak_memory_bytes = s->usage.memory_bytes;
  return true;
}
