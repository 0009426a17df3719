/* The instance pool: linear memories and tables from slots of address space reserved
 * once, reused from one instance to the next, and copy-on-write memory images.
 *
 * Memory slots lie in one reservation, each `slot_bytes` (the largest memory a slot
 * holds) followed by `guard_bytes` never made accessible. A slot in use has its memory's
 * pages readable and writable and the rest PROT_NONE, exactly like a guard-mode memory;
 * growing opens more pages with mprotect, so the base never moves. A released slot is not
 * unmapped: its pages are discarded with MADV_DONTNEED (an anonymous private page then
 * reads zero, a page of a private file mapping reads the file again), and it goes back
 * on the free list with its pages still open, so the next instance of similar size pays
 * one mprotect at most.
 *
 * A module's image (one per memory it defines) is its active data segments laid out
 * once in a memfd, when every active segment of the module has a constant offset into a
 * memory the module defines and fits in that memory's declared minimum (so none can
 * trap and their order does not matter). A slot maps the image MAP_PRIVATE at its base:
 * instantiation copies nothing, and the pages an instance never writes stay shared with
 * every other instance of the module (and with the page cache of the memfd). A slot
 * keeps its image when released, on a per-image free list as well as the pool's, so the
 * next instance of the same module finds its data already mapped (the discard restores
 * it); a slot taken for another module has the old image replaced by anonymous memory.
 *
 * With keep_resident, a released slot without an image whose open part is at most that
 * many bytes is cleared with memset instead: its pages stay resident (memory the pool
 * holds between instances) and the next instance takes no page fault. That trades
 * density for start-up time, and is meant with copy_on_write off (an image's pages would
 * be discarded anyway).
 *
 * Table slots are arrays of `table_elements` pointers (read-write, MAP_NORESERVE, so
 * only touched pages cost memory), cleared on release the same way.
 *
 * Everything here is under the pool's mutex, since stores of one engine may run on
 * several threads; the discard happens outside it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec.h"

#define DEFAULT_SLOTS 1000u
#define DEFAULT_SLOT_BYTES (4ull << 30)
#define DEFAULT_GUARD_BYTES (4ull << 30)
#define DEFAULT_TABLE_ELEMENTS (10u * 1000u * 1000u)
/* what a guard-mode memory reserves (memory.c): a slot at least this long counts as guarded */
#define GUARDED_STRIDE (8ull << 30)
/* tables up to this many bytes are cleared with memset, larger ones by discarding pages */
#define TABLE_MEMSET_BYTES (16u << 10)

struct exec_image {
  atomic_uint refs;      /* the module's set, and every slot that maps it */
  int fd;
  uint64_t len;          /* bytes mapped: the data's extent rounded up to the host page */
  struct mem_slot *free; /* free slots that map it (the pool's lock) */
};

typedef struct mem_slot {
  exec_memory mem;             /* handed out while in use */
  uint8_t *base;
  uint64_t open;               /* bytes readable and writable from base */
  exec_image *image;           /* mapped at base (one reference), or NULL */
  struct mem_slot *next, *prev;   /* the pool's free list */
  struct mem_slot *inext, *iprev; /* the image's free list */
  bool ilisted;                   /* on it */
  bool used;
} mem_slot;

typedef struct tab_slot {
  exec_table tab;
  void **elems;
  struct tab_slot *next;
  bool used;
} tab_slot;

struct exec_pool {
  exec_pool_config cfg;
  pthread_mutex_t lock;
  size_t page;
  uint8_t *mem_area;
  size_t mem_area_bytes, mem_stride;
  mem_slot *mslots;
  mem_slot *mfree;       /* most recently released first */
  uint32_t mfresh;       /* slots from here on were never used */
  uint8_t *tab_area;
  size_t tab_area_bytes, tab_stride;
  tab_slot *tslots;
  tab_slot *tfree;
  uint32_t tfresh;
  void **stacks;         /* value stacks of freed stores, for the next stores */
  size_t nstacks, stack_bytes;
  exec_pool_stats stats;
};

void exec_pool_config_fill(exec_pool_config *c) {
  if (!c->memory_slots) c->memory_slots = DEFAULT_SLOTS;
  if (!c->memory_slot_bytes) c->memory_slot_bytes = DEFAULT_SLOT_BYTES;
  if (!c->guard_bytes) c->guard_bytes = DEFAULT_GUARD_BYTES;
  if (!c->table_slots) c->table_slots = DEFAULT_SLOTS;
  if (!c->table_elements) c->table_elements = DEFAULT_TABLE_ELEMENTS;
}

exec_pool *exec_pool_new(const exec_pool_config *cfg, util_error *err) {
  exec_pool_config c = cfg ? *cfg : (exec_pool_config){0};
  exec_pool_config_fill(&c);
  if (c.memory_slot_bytes > DEFAULT_SLOT_BYTES) c.memory_slot_bytes = DEFAULT_SLOT_BYTES;
  c.memory_slot_bytes = (c.memory_slot_bytes + EXEC_PAGE_SIZE - 1) / EXEC_PAGE_SIZE * EXEC_PAGE_SIZE;
  if (c.table_elements > DEFAULT_TABLE_ELEMENTS) c.table_elements = DEFAULT_TABLE_ELEMENTS;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  c.guard_bytes = (c.guard_bytes + page - 1) / page * page;
  uint64_t stride = c.memory_slot_bytes + c.guard_bytes;
  if (stride > (UINT64_MAX >> 1) / c.memory_slots) {
    util_fail(err, UTIL_ERR_LIMIT, -1, "instance pool: %u memory slots of %llu bytes do not fit in the address space",
              c.memory_slots, (unsigned long long)stride);
    return NULL;
  }
  exec_pool *p = util_try_calloc(1, sizeof *p);
  if (!p) return util_fail(err, UTIL_ERR_LIMIT, -1, "out of memory"), NULL;
  p->cfg = c;
  p->page = page;
  p->mem_stride = (size_t)stride;
  p->mem_area_bytes = (size_t)(stride * c.memory_slots);
  p->tab_stride = ((size_t)c.table_elements * sizeof(void *) + page - 1) / page * page;
  p->tab_area_bytes = p->tab_stride * c.table_slots;
  p->mslots = util_try_calloc(c.memory_slots, sizeof *p->mslots);
  p->tslots = util_try_calloc(c.table_slots, sizeof *p->tslots);
  if (!p->mslots || !p->tslots) {
    free(p->mslots);
    free(p->tslots);
    free(p);
    return util_fail(err, UTIL_ERR_LIMIT, -1, "out of memory"), NULL;
  }
  void *m = mmap(NULL, p->mem_area_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  void *t = m == MAP_FAILED ? MAP_FAILED
                            : mmap(NULL, p->tab_area_bytes, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED || t == MAP_FAILED) {
    int e = errno;
    if (m != MAP_FAILED) munmap(m, p->mem_area_bytes);
    util_fail(err, UTIL_ERR_LIMIT, -1, "instance pool: cannot reserve %llu bytes of address space for %u memory slots and %u table slots: %s",
              (unsigned long long)(p->mem_area_bytes + p->tab_area_bytes), c.memory_slots, c.table_slots, strerror(e));
    free(p->mslots);
    free(p->tslots);
    free(p);
    return NULL;
  }
  p->mem_area = m;
  p->tab_area = t;
  pthread_mutex_init(&p->lock, NULL);
  /* slots never used are taken in order (mfresh, tfresh) before the free lists are
   * consulted, so making a large pool touches none of its slot records */
  p->stats.memory_slots = c.memory_slots;
  p->stats.table_slots = c.table_slots;
  p->stats.reserved_bytes = p->mem_area_bytes + p->tab_area_bytes;
  return p;
}

const exec_pool_config *exec_pool_get_config(const exec_pool *p) { return &p->cfg; }

/* ---------- images ------------------------------------------------------------------------ */

static void image_release(exec_image *im) {
  if (im && atomic_fetch_sub(&im->refs, 1) == 1) {
    close(im->fd);
    free(im);
  }
}

struct exec_image_set {
  exec_pool *pool;  /* the pool whose slots may map these images */
  uint32_t n;       /* the module's memories */
  exec_image *img[]; /* per memory index: NULL for imported memories and memories without data */
};

void exec_image_set_free(exec_image_set *set) {
  if (!set) return;
  for (uint32_t i = 0; i < set->n; i++) image_release(set->img[i]);
  free(set);
}

/* The constant of an offset expression that is exactly `i32.const c` or `i64.const c`. */
static bool const_offset(const wasm_expr *e, bool is64, uint64_t *out) {
  util_reader r = {e->bytes, e->bytes, e->bytes + e->len, e->offset};
  util_error ignore;
  uint8_t op, end;
  if (!util_read_u8(&r, &op, &ignore)) return false;
  if (op == 0x41 && !is64) {
    int32_t v;
    if (!util_read_s32(&r, &v, &ignore)) return false;
    *out = (uint32_t)v;
  } else if (op == 0x42 && is64) {
    int64_t v;
    if (!util_read_s64(&r, &v, &ignore)) return false;
    *out = (uint64_t)v;
  } else {
    return false;
  }
  return util_read_u8(&r, &end, &ignore) && end == 0x0b && r.p == r.end;
}

/* Whether the module's data can come from images: every active segment has a constant
 * offset into a defined memory and fits in its declared minimum; extent[k] receives the
 * end of memory k's data. */
static bool imageable(const wasm_module *m, uint64_t *extent) {
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wasm_data *d = &m->datas[i];
    if (d->mode != WASM_SEG_ACTIVE) continue;
    if (d->memory < m->nmemory_imports || d->memory >= m->nmemories) return false;
    const wasm_limits *l = &m->memories[d->memory].type.limits;
    uint64_t off;
    if (!const_offset(&d->offset, l->is64, &off)) return false;
    if (l->min > DEFAULT_SLOT_BYTES / EXEC_PAGE_SIZE) return false;
    uint64_t size = l->min * EXEC_PAGE_SIZE;
    if (off > size || d->len > size - off) return false;
    if (d->len && off + d->len > extent[d->memory]) extent[d->memory] = off + d->len;
  }
  return true;
}

static exec_image *image_new(const wasm_module *m, uint32_t k, uint64_t extent, size_t page) {
  exec_image *im = util_try_calloc(1, sizeof *im);
  if (!im) return NULL;
  im->len = (extent + page - 1) / page * page;
  im->fd = memfd_create("weld-memory-image", MFD_CLOEXEC);
  if (im->fd < 0 || ftruncate(im->fd, (off_t)im->len) != 0) goto fail;
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wasm_data *d = &m->datas[i];
    if (d->mode != WASM_SEG_ACTIVE || d->memory != k || !d->len) continue;
    uint64_t off;
    const_offset(&d->offset, m->memories[k].type.limits.is64, &off);
    for (uint32_t done = 0; done < d->len;) {
      ssize_t w = pwrite(im->fd, d->bytes + done, d->len - done, (off_t)(off + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) goto fail;
      done += (uint32_t)w;
    }
  }
  atomic_init(&im->refs, 1);
  return im;
fail:
  if (im->fd >= 0) close(im->fd);
  free(im);
  return NULL;
}

/* The module's images for this pool, made on first use. NULL when its data cannot come
 * from images (or the images cannot be made, or were made for another pool): the caller
 * then copies the segments as usual. */
static exec_image_set *module_images(exec_pool *p, const exec_module *cem) {
  exec_module *em = (exec_module *)cem; /* the set is a cache beside the immutable module */
  exec_image_set *set = atomic_load_explicit(&em->images, memory_order_acquire);
  if (set) return set->pool == p && set->n ? set : NULL;
  const wasm_module *m = em->wasm;
  pthread_mutex_lock(&p->lock);
  set = atomic_load_explicit(&em->images, memory_order_acquire);
  if (!set) {
    uint64_t *extent = util_try_calloc(m->nmemories + 1, sizeof *extent);
    bool ok = extent && m->ndatas && imageable(m, extent);
    set = util_try_calloc(1, sizeof *set + (ok ? m->nmemories : 0) * sizeof(exec_image *));
    if (set) {
      set->pool = p;
      set->n = ok ? m->nmemories : 0;
      for (uint32_t k = 0; k < set->n; k++) {
        if (!extent[k]) continue;
        if (!(set->img[k] = image_new(m, k, extent[k], p->page))) {
          for (uint32_t j = 0; j < k; j++) image_release(set->img[j]);
          set->n = 0; /* copy instead, from now on */
          break;
        }
        p->stats.images++;
        p->stats.image_bytes += set->img[k]->len;
      }
      atomic_store_explicit(&em->images, set, memory_order_release);
    }
    free(extent);
  }
  pthread_mutex_unlock(&p->lock);
  return set && set->pool == p && set->n ? set : NULL;
}

bool exec_pool_module_imaged(exec_pool *p, const exec_module *em) { return module_images(p, em) != NULL; }

/* ---------- memory slots --------------------------------------------------------------- */

static void unlink_free(exec_pool *p, mem_slot *s) {
  if (s->prev) s->prev->next = s->next;
  else p->mfree = s->next;
  if (s->next) s->next->prev = s->prev;
  s->next = s->prev = NULL;
  if (s->ilisted) {
    s->ilisted = false;
    if (s->iprev) s->iprev->inext = s->inext;
    else s->image->free = s->inext;
    if (s->inext) s->inext->iprev = s->iprev;
    s->inext = s->iprev = NULL;
  }
}

/* Makes [0, want) of the slot open and the rest of it closed, with `image` mapped at the
 * base. False when the kernel refuses (the slot is then left closed and imageless). */
static bool slot_shape(exec_pool *p, mem_slot *s, exec_image *image, uint64_t want) {
  if (s->image != image) {
    if (s->image) {
      /* anonymous PROT_NONE memory over the old image and everything that was open */
      uint64_t span = s->open > s->image->len ? s->open : s->image->len;
      if (mmap(s->base, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
        return false;
      image_release(s->image);
      s->image = NULL;
      s->open = 0;
    }
    if (image) {
      if (mmap(s->base, image->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, image->fd, 0) == MAP_FAILED)
        return false;
      atomic_fetch_add(&image->refs, 1);
      s->image = image;
      if (s->open < image->len) s->open = image->len;
    }
  }
  (void)p;
  if (s->open < want) {
    if (mprotect(s->base + s->open, want - s->open, PROT_READ | PROT_WRITE) != 0) return false;
  } else if (s->open > want) {
    if (mprotect(s->base + want, s->open - want, PROT_NONE) != 0) return false;
  }
  s->open = want;
  return true;
}

exec_memory *exec_pool_memory_new(exec_pool *p, const exec_module *em, uint32_t index, uint64_t min_pages,
                                  uint64_t max_pages, bool has_max, bool guard, util_error *err) {
  uint64_t slot_pages = p->cfg.memory_slot_bytes / EXEC_PAGE_SIZE;
  if (min_pages > slot_pages) {
    util_fail(err, UTIL_ERR_LIMIT, -1, "memory of %llu pages exceeds the instance pool's memory slot (%llu pages)",
              (unsigned long long)min_pages, (unsigned long long)slot_pages);
    return NULL;
  }
  exec_image_set *set = em && p->cfg.copy_on_write ? module_images(p, em) : NULL;
  exec_image *image = set && index < set->n ? set->img[index] : NULL;
  pthread_mutex_lock(&p->lock);
  mem_slot *s = image && image->free ? image->free : p->mfree;
  if (!s && p->mfresh < p->cfg.memory_slots) {
    s = &p->mslots[p->mfresh];
    s->base = p->mem_area + (size_t)p->mfresh++ * p->mem_stride;
  } else if (s) {
    unlink_free(p, s);
  }
  if (!s) {
    p->stats.exhausted++;
    pthread_mutex_unlock(&p->lock);
    util_fail(err, UTIL_ERR_LIMIT, -1, "instance pool exhausted: all %u memory slots are in use", p->cfg.memory_slots);
    return NULL;
  }
  bool reused = s->open || s->image, hit = image && s->image == image;
  bool ok = slot_shape(p, s, image, min_pages * EXEC_PAGE_SIZE);
  if (ok) {
    s->used = true;
    p->stats.memories_in_use++;
    if (reused) p->stats.reused++;
    if (hit) p->stats.image_hits++;
  } else {
    /* back on the pool's free list (not its image's); the next taker reshapes it */
    s->next = p->mfree;
    s->prev = NULL;
    if (p->mfree) p->mfree->prev = s;
    p->mfree = s;
  }
  pthread_mutex_unlock(&p->lock);
  if (!ok) {
    util_fail(err, UTIL_ERR_OOM, -1, "cannot commit %llu bytes of linear memory", (unsigned long long)(min_pages * EXEC_PAGE_SIZE));
    return NULL;
  }
  exec_memory *m = &s->mem;
  memset(m, 0, sizeof *m);
  m->base = s->base;
  m->size = min_pages * EXEC_PAGE_SIZE;
  uint64_t cap = has_max && max_pages < slot_pages ? max_pages : slot_pages;
  m->max_pages = cap;
  m->has_max = has_max;
  m->reserved = p->mem_stride;
  m->guarded = guard && p->mem_stride >= GUARDED_STRIDE;
  m->pool_slot = s;
  m->pool = p;
  m->image_bytes = image && s->image == image ? image->len : 0;
  return m;
}

bool exec_pool_memory_grow(exec_memory *m, uint64_t new_size) {
  mem_slot *s = m->pool_slot;
  if (new_size <= s->open) return true;
  if (mprotect(s->base + s->open, new_size - s->open, PROT_READ | PROT_WRITE) != 0) return false;
  s->open = new_size;
  return true;
}

void exec_pool_memory_drop_image(exec_memory *m) {
  mem_slot *s = m->pool_slot;
  if (!s || !s->image) return;
  exec_pool *p = m->pool;
  pthread_mutex_lock(&p->lock);
  uint64_t open = s->open;
  bool ok = slot_shape(p, s, NULL, open);
  pthread_mutex_unlock(&p->lock);
  if (ok) m->image_bytes = 0;
  else memset(m->base, 0, m->size); /* the kernel refused to remap: zero it by hand */
}

void exec_pool_memory_release(exec_memory *m) {
  mem_slot *s = m->pool_slot;
  exec_pool *p = m->pool;
  /* every page reads zero again, or the image's bytes where the image is mapped; a
   * small slot without an image may stay resident and be cleared by hand instead, which
   * spares the next instance the page faults (and the TLB flushes of the discard) */
  bool clean = true;
  if (s->open && !s->image && s->open <= p->cfg.keep_resident) {
    memset(s->base, 0, s->open);
  } else if (s->open && madvise(s->base, s->open, MADV_DONTNEED) != 0) {
    /* the kernel refused: close it all instead; if that fails too, the slot is retired */
    pthread_mutex_lock(&p->lock);
    clean = slot_shape(p, s, NULL, 0);
    pthread_mutex_unlock(&p->lock);
  }
  pthread_mutex_lock(&p->lock);
  s->used = false;
  p->stats.memories_in_use--;
  if (!clean) {
    p->stats.retired++;
    pthread_mutex_unlock(&p->lock);
    return;
  }
  s->prev = NULL;
  s->next = p->mfree;
  if (p->mfree) p->mfree->prev = s;
  p->mfree = s;
  if (s->image) {
    s->ilisted = true;
    s->iprev = NULL;
    s->inext = s->image->free;
    if (s->image->free) s->image->free->iprev = s;
    s->image->free = s;
  }
  pthread_mutex_unlock(&p->lock);
}

/* ---------- table slots ---------------------------------------------------------------- */

exec_table *exec_pool_table_new(exec_pool *p, wasm_vtype elemtype, uint32_t min, uint32_t max, bool has_max,
                                util_error *err) {
  if (min > p->cfg.table_elements) {
    util_fail(err, UTIL_ERR_LIMIT, -1, "table of %u elements exceeds the instance pool's table slot (%u elements)", min,
              p->cfg.table_elements);
    return NULL;
  }
  pthread_mutex_lock(&p->lock);
  tab_slot *s = p->tfree;
  if (!s && p->tfresh < p->cfg.table_slots) {
    s = &p->tslots[p->tfresh];
    s->elems = (void **)(p->tab_area + (size_t)p->tfresh++ * p->tab_stride);
  } else if (s) {
    p->tfree = s->next;
  }
  if (s) {
    s->next = NULL;
    s->used = true;
    p->stats.tables_in_use++;
  } else {
    p->stats.exhausted++;
  }
  pthread_mutex_unlock(&p->lock);
  if (!s) {
    util_fail(err, UTIL_ERR_LIMIT, -1, "instance pool exhausted: all %u table slots are in use", p->cfg.table_slots);
    return NULL;
  }
  exec_table *t = &s->tab;
  memset(t, 0, sizeof *t);
  t->elemtype = elemtype;
  t->kind = exec_kind_of(elemtype);
  t->elems = s->elems; /* all null: released slots are cleared */
  t->size = min;
  t->max = has_max && max < p->cfg.table_elements ? max : p->cfg.table_elements;
  t->has_max = has_max;
  t->pool_slot = s;
  t->pool = p;
  return t;
}

/* Clears the resident pages of a large table slot when they are few (a lazily
 * initialised table whose instance touched a handful of elements): cheaper than
 * discarding them, which flushes the TLB. False when there are more, or mincore fails. */
static bool clear_resident_pages(exec_pool *p, void **elems, size_t whole) {
  size_t npages = whole / p->page, resident = 0;
  unsigned char vec[512];
  for (int pass = 0; pass < 2; pass++) {
    for (size_t at = 0; at < npages; at += sizeof vec) {
      size_t n = npages - at < sizeof vec ? npages - at : sizeof vec;
      char *base = (char *)elems + at * p->page;
      if (mincore(base, n * p->page, vec) != 0) return false;
      for (size_t k = 0; k < n; k++) {
        if (!(vec[k] & 1)) continue;
        if (pass == 0) {
          if (++resident * p->page > TABLE_MEMSET_BYTES) return false;
          continue;
        }
        void **pg = (void **)(base + k * p->page);
        size_t words = p->page / sizeof(void *), i = 0;
        while (i < words && !pg[i]) i++; /* a page only read (the zero page) stays as it is */
        if (i < words) memset(pg, 0, p->page);
      }
    }
  }
  return true;
}

void exec_pool_table_release(exec_table *t) {
  tab_slot *s = t->pool_slot;
  exec_pool *p = t->pool;
  size_t bytes = (size_t)t->size * sizeof(void *);
  if (bytes <= TABLE_MEMSET_BYTES) {
    memset(s->elems, 0, bytes);
  } else {
    size_t whole = (bytes + p->page - 1) / p->page * p->page;
    if (!clear_resident_pages(p, s->elems, whole) && madvise(s->elems, whole, MADV_DONTNEED) != 0)
      memset(s->elems, 0, bytes);
  }
  pthread_mutex_lock(&p->lock);
  s->used = false;
  p->stats.tables_in_use--;
  s->next = p->tfree;
  p->tfree = s;
  pthread_mutex_unlock(&p->lock);
}

/* ---------- value stacks ---------------------------------------------------------------- */

/* Stores of a pooled engine keep their value stacks here when freed, up to one per memory
 * slot, so a new store maps nothing. A reused stack is not cleared: validated code never
 * reads a slot it did not write (locals are zeroed at entry), and the collector reads
 * only live frames. */
void *exec_pool_stack_get(exec_pool *p, size_t bytes) {
  void *st = NULL;
  pthread_mutex_lock(&p->lock);
  if (p->nstacks && p->stack_bytes == bytes) st = p->stacks[--p->nstacks];
  pthread_mutex_unlock(&p->lock);
  return st;
}

bool exec_pool_stack_put(exec_pool *p, void *stack, size_t bytes) {
  bool kept = false;
  pthread_mutex_lock(&p->lock);
  if (!p->stacks) {
    p->stacks = util_try_calloc(p->cfg.memory_slots, sizeof *p->stacks);
    p->stack_bytes = bytes;
  }
  if (p->stacks && p->stack_bytes == bytes && p->nstacks < p->cfg.memory_slots) {
    p->stacks[p->nstacks++] = stack;
    kept = true;
  }
  pthread_mutex_unlock(&p->lock);
  return kept;
}

/* ---------- the pool ------------------------------------------------------------------- */

void exec_pool_get_stats(exec_pool *p, exec_pool_stats *out) {
  pthread_mutex_lock(&p->lock);
  *out = p->stats;
  pthread_mutex_unlock(&p->lock);
}

void exec_pool_free(exec_pool *p) {
  if (!p) return;
  for (uint32_t i = 0; i < p->mfresh; i++) image_release(p->mslots[i].image);
  for (size_t i = 0; i < p->nstacks; i++) munmap(p->stacks[i], p->stack_bytes);
  free(p->stacks);
  munmap(p->mem_area, p->mem_area_bytes);
  munmap(p->tab_area, p->tab_area_bytes);
  pthread_mutex_destroy(&p->lock);
  free(p->mslots);
  free(p->tslots);
  free(p);
}
