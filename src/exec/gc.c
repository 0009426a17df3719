/* The GC heap: layouts, allocation, host boxes and rooted handles, and the precise
 * mark-and-sweep collector (README.md, "Garbage collection"). Objects never move, so a
 * reference the host holds (a rooted handle) stays valid as long as it is rooted. */
#include "gc.h"

#include <stdlib.h>
#include <string.h>

#include "code.h"

uint32_t exec_gc_storage_size(uint8_t storage) {
  switch (storage) {
  case EXEC_GC_I8: return 1;
  case EXEC_GC_I16: return 2;
  case EXEC_GC_I32:
  case EXEC_GC_F32: return 4;
  case EXEC_GC_V128: return 16;
  default: return 8;
  }
}

/* Fields lie at their natural alignment, but never more than 8: object data is 8-byte
 * aligned, and v128 fields are copied with memcpy. */
static uint32_t storage_align(uint8_t storage) {
  uint32_t n = exec_gc_storage_size(storage);
  return n > 8 ? 8 : n;
}

uint32_t exec_gc_field_offset(const wasm_module *m, uint32_t typeidx, uint32_t field) {
  const wasm_deftype *d = &m->deftypes[typeidx];
  uint64_t off = 0;
  for (uint32_t i = 0; i <= field && i < d->nfields; i++) {
    uint8_t st = exec_gc_storage_of(m, d->fields[i].type);
    uint32_t a = storage_align(st);
    off = (off + a - 1) & ~(uint64_t)(a - 1); /* as exec_gc_layout_get places it */
    if (i == field) break;
    off += exec_gc_storage_size(st);
  }
  return (uint32_t)off;
}

void exec_gc_load(uint8_t storage, const uint8_t *p, bool sign, exec_slot *out) {
  switch (storage) {
  case EXEC_GC_I8: out[0] = sign ? (uint32_t)(int32_t)(int8_t)p[0] : p[0]; return;
  case EXEC_GC_I16: {
    uint16_t v;
    memcpy(&v, p, 2);
    out[0] = sign ? (uint32_t)(int32_t)(int16_t)v : v;
    return;
  }
  case EXEC_GC_I32:
  case EXEC_GC_F32: {
    uint32_t v;
    memcpy(&v, p, 4);
    out[0] = v;
    return;
  }
  case EXEC_GC_V128: memcpy(out, p, 16); return;
  default: memcpy(out, p, 8); return;
  }
}

void exec_gc_store(uint8_t storage, uint8_t *p, const exec_slot *in) {
  switch (storage) {
  case EXEC_GC_I8: p[0] = (uint8_t)in[0]; return;
  case EXEC_GC_I16: {
    uint16_t v = (uint16_t)in[0];
    memcpy(p, &v, 2);
    return;
  }
  case EXEC_GC_I32:
  case EXEC_GC_F32: {
    uint32_t v = (uint32_t)in[0];
    memcpy(p, &v, 4);
    return;
  }
  case EXEC_GC_V128: memcpy(p, in, 16); return;
  default: memcpy(p, in, 8); return;
  }
}

/* ---------- layouts ------------------------------------------------------------------------ */

static void layout_free(exec_gc_layout *l) {
  free(l->storage);
  free(l->offsets);
  free(l->ref_offsets);
  free(l->supers);
  free(l);
}

exec_gc_layout *exec_gc_layout_get(exec_store *s, exec_typeid typeid, uint8_t kind, uint32_t nfields,
                                   const uint8_t *storage) {
  exec_gc_heap *h = s->gc;
  for (exec_gc_layout *l = h->layouts; l; l = l->next) {
    if (l->typeid == typeid && l->kind == kind) return l;
  }
  if (kind == EXEC_GC_ARRAY && nfields != 1) return NULL;
  exec_gc_layout *l = util_try_calloc(1, sizeof *l);
  if (!l) return NULL;
  size_t n = nfields ? nfields : 1;
  l->storage = util_try_malloc(n);
  l->offsets = util_try_malloc(n * sizeof *l->offsets);
  l->ref_offsets = util_try_malloc(n * sizeof *l->ref_offsets);
  if (!l->storage || !l->offsets || !l->ref_offsets) {
    layout_free(l);
    return NULL;
  }
  l->typeid = typeid;
  l->kind = kind;
  l->nfields = nfields;
  uint64_t off = 0;
  for (uint32_t i = 0; i < nfields; i++) {
    uint8_t st = storage[i];
    uint32_t a = storage_align(st);
    off = (off + a - 1) & ~(uint64_t)(a - 1);
    l->storage[i] = st;
    l->offsets[i] = (uint32_t)off;
    if (st == EXEC_GC_REF) l->ref_offsets[l->nrefs++] = (uint32_t)off;
    off += exec_gc_storage_size(st);
    if (off > UINT32_MAX / 2) {
      layout_free(l);
      return NULL;
    }
  }
  if (kind == EXEC_GC_ARRAY) {
    l->size = exec_gc_storage_size(storage[0]);
    l->offsets[0] = 0;
    l->elem_ref = storage[0] == EXEC_GC_REF;
    l->nrefs = 0;
  } else {
    l->size = (uint32_t)off;
  }
  l->next = h->layouts;
  h->layouts = l;
  return l;
}

/* ---------- the heap ------------------------------------------------------------------------ */

exec_gc_heap *exec_gc_heap_new(bool stress) {
  exec_gc_heap *h = util_try_calloc(1, sizeof *h);
  if (!h) return NULL;
  h->threshold = EXEC_GC_MIN_THRESHOLD;
  h->epoch = 1;
  const char *env = getenv("WELD_GC_STRESS");
  h->stress = stress || (env && env[0] && strcmp(env, "0") != 0);
  h->host_layout.kind = EXEC_GC_HOST;
  h->host_layout.nfields = 1;
  h->host_layout.size = sizeof(void *);
  return h;
}

void exec_gc_heap_free(exec_gc_heap *h) {
  if (!h) return;
  for (exec_gc_obj *o = h->objs, *next; o; o = next) {
    next = o->next;
    free(o);
  }
  for (exec_gc_layout *l = h->layouts, *next; l; l = next) {
    next = l->next;
    layout_free(l);
  }
  free(h->roots);
  free(h->root_used);
  free(h->stack);
  free(h);
}

size_t exec_gc_count(const exec_store *s) {
  size_t n = 0;
  for (const exec_gc_obj *o = s->gc->objs; o; o = o->next) n++;
  return n;
}

static exec_gc_obj *alloc(exec_store *s, const exec_gc_layout *l, uint32_t len, uint64_t data, bool may_collect) {
  exec_gc_heap *h = s->gc;
  uint64_t need = sizeof(exec_gc_obj) + ((data + 7) & ~(uint64_t)7);
  h->failed_limit = false;
  if (may_collect && !h->collecting &&
      (h->stress || h->bytes + need > h->threshold || h->bytes + need > s->limits.gc_heap_bytes)) {
    exec_gc_collect(s);
  }
  if (h->bytes + need > s->limits.gc_heap_bytes || need > SIZE_MAX / 2) {
    h->failed_limit = h->bytes + need > s->limits.gc_heap_bytes;
    if (h->failed_limit) s->usage.stopped_by = EXEC_LIMIT_GC_HEAP;
    return NULL;
  }
  exec_gc_obj *o = util_try_calloc(1, (size_t)need);
  if (!o) return NULL;
  o->layout = l;
  o->len = len;
  o->mark = 0;
  o->next = h->objs;
  h->objs = o;
  h->bytes += need;
  s->usage.gc_bytes = h->bytes;
  if (h->bytes > s->usage.peak_gc_bytes) s->usage.peak_gc_bytes = h->bytes;
  return o;
}

static uint64_t obj_bytes(const exec_gc_obj *o) {
  const exec_gc_layout *l = o->layout;
  uint64_t data = l->kind == EXEC_GC_ARRAY ? (uint64_t)o->len * l->size : l->size;
  return sizeof(exec_gc_obj) + ((data + 7) & ~(uint64_t)7);
}

exec_gc_obj *exec_gc_new_struct(exec_store *s, const exec_gc_layout *l, bool may_collect) {
  return alloc(s, l, 0, l->size, may_collect);
}

exec_gc_obj *exec_gc_new_array(exec_store *s, const exec_gc_layout *l, uint32_t len, bool may_collect) {
  return alloc(s, l, len, (uint64_t)len * l->size, may_collect);
}

bool exec_gc_box(exec_store *s, void *host, exec_slot *out) {
  if (!host) {
    *out = 0;
    return true;
  }
  exec_gc_obj *o = alloc(s, &s->gc->host_layout, 0, sizeof host, false);
  if (!o) return false;
  memcpy(exec_gc_data(o), &host, sizeof host);
  *out = exec_gc_ref(o);
  return true;
}

bool exec_gc_unbox(exec_slot r, void **host) {
  exec_gc_obj *o = exec_gc_obj_of(r);
  if (!r) {
    *host = NULL;
    return true;
  }
  if (!o || o->layout->kind != EXEC_GC_HOST) return false;
  memcpy(host, exec_gc_data(o), sizeof *host);
  return true;
}

/* ---------- rooted handles ------------------------------------------------------------------ */

uint32_t exec_gc_root_new(exec_store *s, exec_slot r) {
  exec_gc_heap *h = s->gc;
  uint32_t i;
  if (h->free_root) {
    i = h->free_root - 1;
    h->free_root = (uint32_t)h->roots[i];
  } else {
    if (h->nroots == UINT32_MAX - 1) return UINT32_MAX;
    if (h->nroots == h->caproots) {
      uint32_t nc = h->caproots ? h->caproots * 2 : 16;
      exec_slot *nr = util_try_realloc(h->roots, nc * sizeof *nr);
      if (!nr) return UINT32_MAX;
      h->roots = nr;
      uint8_t *nu = util_try_realloc(h->root_used, nc);
      if (!nu) return UINT32_MAX;
      h->root_used = nu;
      h->caproots = nc;
    }
    i = h->nroots++;
  }
  h->roots[i] = r;
  h->root_used[i] = 1;
  return i;
}

exec_slot exec_gc_root_get(const exec_store *s, uint32_t i) { return s->gc->roots[i]; }

void exec_gc_root_set(exec_store *s, uint32_t i, exec_slot r) { s->gc->roots[i] = r; }

void exec_gc_root_free(exec_store *s, uint32_t i) {
  exec_gc_heap *h = s->gc;
  if (i >= h->nroots || !h->root_used[i]) return;
  h->root_used[i] = 0;
  h->roots[i] = h->free_root;
  h->free_root = i + 1;
}

/* ---------- marking --------------------------------------------------------------------------- */

typedef struct marker {
  exec_gc_heap *h;
  bool overflow; /* the mark stack could not grow: rescan the heap when it drains */
} marker;

static void mark(marker *mk, exec_slot r) {
  exec_gc_obj *o = exec_gc_obj_of(r);
  exec_gc_heap *h = mk->h;
  if (!o || o->mark == h->epoch) return;
  o->mark = h->epoch;
  const exec_gc_layout *l = o->layout;
  if (l->kind == EXEC_GC_HOST || (l->kind == EXEC_GC_STRUCT && !l->nrefs) ||
      (l->kind == EXEC_GC_ARRAY && (!l->elem_ref || !o->len))) {
    return; /* no references inside */
  }
  if (!UTIL_VEC_TRY_PUSH(h->stack, h->nstack, h->capstack, o)) mk->overflow = true;
}

static void trace(marker *mk, exec_gc_obj *o) {
  const exec_gc_layout *l = o->layout;
  const uint8_t *d = exec_gc_data(o);
  exec_slot r;
  if (l->kind == EXEC_GC_STRUCT) {
    for (uint32_t i = 0; i < l->nrefs; i++) {
      memcpy(&r, d + l->ref_offsets[i], 8);
      mark(mk, r);
    }
  } else if (l->kind == EXEC_GC_ARRAY && l->elem_ref) {
    for (uint32_t i = 0; i < o->len; i++) {
      memcpy(&r, d + (size_t)i * 8, 8);
      mark(mk, r);
    }
  }
}

static void drain(marker *mk) {
  exec_gc_heap *h = mk->h;
  for (;;) {
    while (h->nstack) trace(mk, h->stack[--h->nstack]);
    if (!mk->overflow) return;
    /* Objects were marked but not traced: trace every marked object again (marking is
     * idempotent), until a pass completes without losing any. */
    mk->overflow = false;
    for (exec_gc_obj *o = h->objs; o; o = o->next) {
      if (o->mark == h->epoch) trace(mk, o);
      while (h->nstack) trace(mk, h->stack[--h->nstack]);
    }
  }
}


/* A frame stopped at `ip` (just after a safepoint instruction) in `code`. Positions are
 * relative to the internal code (exec_code_base): under the auto tier c->code is a
 * counting entry, and a declined entry runs the internal code behind it. A position
 * outside the internal code's range is the NATIVE entry of a compiled function: that
 * frame is scanned through its exec_jit_frame (mark_roots) instead; a position with no
 * map has no references. */
static void mark_frame(marker *mk, const exec_code *c, const exec_slot *fp, const exec_unit *ip) {
  if (!c || !ip || !c->nsafe) return;
  size_t len = 0;
  const exec_unit *base = exec_code_internal(c, &len);
  if (!base || ip < base || ip > base + len / sizeof(exec_unit)) return;
  uint32_t pos = (uint32_t)(ip - base);
  uint32_t lo = 0, hi = c->nsafe;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->safe_pos[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  if (lo == c->nsafe || c->safe_pos[lo] != pos) return;
  for (uint32_t i = 0; i < c->nref_locals; i++) mark(mk, fp[c->ref_locals[i]]);
  const uint32_t *m = c->safe_slots + c->safe_off[lo];
  for (uint32_t i = 0; i < m[0]; i++) mark(mk, fp[m[1 + i]]);
}

static void mark_roots(marker *mk, exec_store *s) {
  exec_gc_heap *h = mk->h;
  /* host handles */
  for (uint32_t i = 0; i < h->nroots; i++) {
    if (h->root_used[i]) mark(mk, h->roots[i]);
  }
  /* globals and tables (the store owns every one, imported or not) */
  for (size_t i = 0; i < s->nglobals; i++) {
    if (exec_kind_is_gc(s->globals[i]->kind)) mark(mk, s->globals[i]->val[0]);
  }
  for (size_t i = 0; i < s->ntables; i++) {
    exec_table *t = s->tables[i];
    if (!exec_kind_is_gc(t->kind)) continue;
    for (uint32_t k = 0; k < t->size; k++) mark(mk, (exec_slot)(uintptr_t)t->elems[k]);
  }
  /* element segments not yet dropped */
  for (size_t i = 0; i < s->ninstances; i++) {
    exec_instance *inst = s->instances[i];
    if (!inst->elems || !inst->module) continue;
    const wasm_module *m = inst->module->wasm;
    for (uint32_t k = 0; k < m->nelems; k++) {
      if (!exec_kind_is_gc(exec_kind_of_m(m, m->elems[k].type))) continue;
      for (uint32_t j = 0; j < inst->elems[k].count; j++) mark(mk, (exec_slot)(uintptr_t)inst->elems[k].refs[j]);
    }
  }
  /* exception payloads: every exception the store still keeps */
  for (exec_exn *e = s->exns; e; e = e->next) {
    const wasm_functype *ft = e->tag->type;
    uint32_t slot = 0;
    for (uint32_t k = 0; k < ft->nparams && slot < e->nslots; k++) {
      uint8_t kind = e->tag->module ? exec_kind_of_m(e->tag->module, ft->params[k]) : exec_kind_of(ft->params[k]);
      if (exec_kind_is_gc(kind)) mark(mk, e->slots[slot]);
      slot += exec_slots_of(ft->params[k]);
    }
  }
  /* the interpreter's frames, innermost activation first */
  for (const exec_act *a = s->thread.act; a; a = a->prev) {
    mark_frame(mk, a->code, a->fp, a->ip);
    for (const exec_frame_rec *r = a->rp; r && r < a->rp_entry; r++) mark_frame(mk, r->code, r->fp, r->ip);
  }
  /* compiled frames with stack maps, each at the call it is in (the same maps: compiled
   * code keeps the interpreter's frame layout and has every operand home at a call) */
  for (const exec_jit_frame *jf = s->thread.jit_frames; jf; jf = jf->prev) {
    if (!jf->pos) continue;
    const exec_code *c = &jf->inst->module->codes[jf->k];
    mark_frame(mk, c, jf->fp, exec_code_base(c) + jf->pos);
  }
}

/* Roots: the host's handles, every global and table of the store, the element segments
 * of its instances, the payloads of the exceptions it keeps, and the frames of both tiers
 * through their stack maps. */
void exec_gc_collect(exec_store *s) {
  exec_gc_heap *h = s->gc;
  if (!h || h->collecting) return;
  h->collecting = true;
  if (++h->epoch == 0) {
    for (exec_gc_obj *o = h->objs; o; o = o->next) o->mark = 0;
    h->epoch = 1;
  }
  marker mk = {h, false};
  mark_roots(&mk, s);
  drain(&mk);
  uint64_t freed = 0;
  for (exec_gc_obj **pp = &h->objs; *pp;) {
    exec_gc_obj *o = *pp;
    if (o->mark == h->epoch) {
      pp = &o->next;
      continue;
    }
    *pp = o->next;
    freed += obj_bytes(o);
    free(o);
  }
  h->bytes -= freed;
  h->freed_bytes += freed;
  h->collections++;
  uint64_t next = h->bytes * EXEC_GC_GROWTH;
  h->threshold = next > EXEC_GC_MIN_THRESHOLD ? next : EXEC_GC_MIN_THRESHOLD;
  s->usage.gc_bytes = h->bytes;
  s->usage.gc_collections = h->collections;
  h->collecting = false;
}
