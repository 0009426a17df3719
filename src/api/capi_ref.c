/* wasm.h: config, engines, stores, references (identity, host info, conversions), values,
 * frames, traps and foreign objects. See capi.h for how handles and entities relate. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/capi.h"
#include "util/util.h"

/* ---------- config, engine ----------------------------------------------------------------- */

wasm_config_t *wasm_config_new(void) {
  wasm_config_t *c = util_try_calloc(1, sizeof *c);
  if (!c) return NULL;
  weld_config_default(&c->cfg);
  return c;
}
void wasm_config_delete(wasm_config_t *c) { free(c); }

wasm_engine_t *weld_wasm_engine_new(const weld_config *cfg) {
  wasm_engine_t *e = util_try_calloc(1, sizeof *e);
  if (!e) return NULL;
  if (cfg) e->cfg = *cfg;
  else weld_config_default(&e->cfg);
  e->engine = weld_engine_new(&e->cfg);
  if (!e->engine) {
    free(e);
    return NULL;
  }
  return e;
}

wasm_engine_t *wasm_engine_new(void) { return weld_wasm_engine_new(NULL); }

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c) {
  wasm_engine_t *e = weld_wasm_engine_new(c ? &c->cfg : NULL);
  wasm_config_delete(c);
  return e;
}

void wasm_engine_delete(wasm_engine_t *e) {
  if (!e) return;
  weld_engine_free(e->engine);
  free(e);
}

weld_engine *weld_wasm_engine(wasm_engine_t *e) { return e ? e->engine : NULL; }

/* ---------- stores and their entities ---------------------------------------------------------- */

wasm_store_t *wasm_store_new(wasm_engine_t *e) {
  weld_store *ws = weld_store_new(e ? e->engine : NULL);
  if (!ws) return NULL;
  wasm_store_t *s = util_try_calloc(1, sizeof *s);
  if (!s) {
    weld_store_free(ws);
    return NULL;
  }
  s->engine = e;
  s->store = ws;
  return s;
}

weld_store *weld_wasm_store(wasm_store_t *s) { return s ? s->store : NULL; }

static size_t slot_of(const void *obj, size_t nslots) {
  uintptr_t h = (uintptr_t)obj;
  h ^= h >> 17;
  h *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 7) & (nslots - 1);
}

static bool map_put(wasm_store_t *s, capi_entity *e) {
  if ((s->nused + 1) * 2 > s->nslots) {
    size_t n = s->nslots ? s->nslots * 2 : 64;
    capi_entity **slots = util_try_calloc(n, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < s->nslots; i++) {
      capi_entity *x = s->slots[i];
      if (!x) continue;
      size_t k = slot_of(x->obj, n);
      while (slots[k]) k = (k + 1) & (n - 1);
      slots[k] = x;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
  }
  size_t k = slot_of(e->obj, s->nslots);
  while (s->slots[k]) k = (k + 1) & (s->nslots - 1);
  s->slots[k] = e;
  s->nused++;
  return true;
}

capi_entity *capi_entity_of(wasm_store_t *s, capi_kind kind, void *obj) {
  if (s->nslots) {
    for (size_t k = slot_of(obj, s->nslots); s->slots[k]; k = (k + 1) & (s->nslots - 1))
      if (s->slots[k]->obj == obj) return s->slots[k];
  }
  capi_entity *e = util_try_calloc(1, sizeof *e);
  if (!e) return NULL;
  e->kind = kind;
  e->store = s;
  e->obj = obj;
  if (!map_put(s, e)) {
    free(e);
    return NULL;
  }
  return e;
}

bool capi_store_retain_module(wasm_store_t *s, capi_entity *m) {
  for (size_t i = 0; i < s->nmodules; i++)
    if (s->modules[i] == m) return true;
  if (!UTIL_VEC_TRY_PUSH(s->modules, s->nmodules, s->capmodules, m)) return false;
  atomic_fetch_add(&m->refs, 1);
  return true;
}

/* Host info finalizers run first, while every runtime object still exists; then the
 * runtime store (which runs the host functions' finalizers); then the modules, whose code
 * the instances used. */
void wasm_store_delete(wasm_store_t *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nslots; i++) {
    capi_entity *e = s->slots[i];
    if (e && e->finalizer) e->finalizer(e->host_info);
  }
  weld_store_free(s->store);
  for (size_t i = 0; i < s->nslots; i++) free(s->slots[i]);
  free(s->slots);
  for (size_t i = 0; i < s->nmodules; i++) capi_entity_release(s->modules[i]);
  free(s->modules);
  free(s);
}

/* ---------- handles ------------------------------------------------------------------------------ */

struct wasm_ref_t *capi_handle_new(capi_entity *e) {
  if (!e) return NULL;
  struct wasm_ref_t *h = util_try_malloc(sizeof *h);
  if (!h) return NULL;
  h->ent = e;
  if (!e->store) atomic_fetch_add(&e->refs, 1);
  return h;
}

static void trap_free(capi_trap *t);

/* Its references start so high that releasing never reaches zero. */
static capi_trap oom_trap = {.ent = {.kind = CAPI_TRAP, .obj = &oom_trap, .refs = SIZE_MAX / 2},
                             .msg = (char *)"out of memory",
                             .msglen = sizeof "out of memory"};
static struct wasm_ref_t oom_handle = {&oom_trap.ent};

wasm_trap_t *capi_trap_oom(void) { return (wasm_trap_t *)&oom_handle; }

void capi_entity_release(capi_entity *e) {
  if (e->store || atomic_fetch_sub(&e->refs, 1) != 1) return;
  if (e->finalizer) e->finalizer(e->host_info);
  if (e->kind == CAPI_TRAP) {
    trap_free((capi_trap *)e);
  } else if (e->kind == CAPI_MODULE) {
    weld_module_free(e->obj);
    free(e);
  }
}

static void handle_delete(struct wasm_ref_t *h) {
  if (!h || h == &oom_handle) return;
  capi_entity_release(h->ent);
  free(h);
}

static void set_host_info(struct wasm_ref_t *h, void *info, void (*fin)(void *)) {
  if (h->ent == &oom_trap.ent) return; /* shared: it keeps nobody's data */
  h->ent->host_info = info;
  h->ent->finalizer = fin;
}

/* The functions every reference kind has. The kind check of wasm_ref_as_X keeps a
 * reference of one kind from being used as another. */
#define CAPI_REF_BASE(name)                                                                 \
  void wasm_##name##_delete(wasm_##name##_t *x) { handle_delete(CAPI_H(x)); }              \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *x) {                          \
    return x ? (wasm_##name##_t *)capi_handle_new(CAPI_CH(x)->ent) : NULL;                 \
  }                                                                                        \
  bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) {            \
    if (!a || !b) return a == b;                                                           \
    return CAPI_CH(a)->ent == CAPI_CH(b)->ent;                                             \
  }                                                                                        \
  void *wasm_##name##_get_host_info(const wasm_##name##_t *x) {                            \
    return x ? CAPI_CH(x)->ent->host_info : NULL;                                          \
  }                                                                                        \
  void wasm_##name##_set_host_info(wasm_##name##_t *x, void *info) {                       \
    if (x) set_host_info(CAPI_H(x), info, NULL);                                           \
  }                                                                                        \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *x, void *info,          \
                                                  void (*fin)(void *)) {                   \
    if (x) set_host_info(CAPI_H(x), info, fin);                                            \
  }

#define CAPI_REF(name, KIND)                                                                \
  CAPI_REF_BASE(name)                                                                      \
  wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *x) { return (wasm_ref_t *)x; }         \
  const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *x) {                 \
    return (const wasm_ref_t *)x;                                                          \
  }                                                                                        \
  wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                                     \
    return r && r->ent->kind == KIND ? (wasm_##name##_t *)r : NULL;                        \
  }                                                                                        \
  const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {                 \
    return r && r->ent->kind == KIND ? (const wasm_##name##_t *)r : NULL;                  \
  }

CAPI_REF_BASE(ref)
CAPI_REF(trap, CAPI_TRAP)
CAPI_REF(foreign, CAPI_FOREIGN)
CAPI_REF(module, CAPI_MODULE)
CAPI_REF(func, CAPI_FUNC)
CAPI_REF(global, CAPI_GLOBAL)
CAPI_REF(table, CAPI_TABLE)
CAPI_REF(memory, CAPI_MEMORY)
CAPI_REF(instance, CAPI_INSTANCE)

/* An extern is a func, global, table or memory handle seen as an extern. */
static bool is_extern_kind(capi_kind k) {
  return k == CAPI_FUNC || k == CAPI_GLOBAL || k == CAPI_TABLE || k == CAPI_MEMORY;
}
CAPI_REF_BASE(extern)
wasm_ref_t *wasm_extern_as_ref(wasm_extern_t *x) { return (wasm_ref_t *)x; }
const wasm_ref_t *wasm_extern_as_ref_const(const wasm_extern_t *x) { return (const wasm_ref_t *)x; }
wasm_extern_t *wasm_ref_as_extern(wasm_ref_t *r) {
  return r && is_extern_kind(r->ent->kind) ? (wasm_extern_t *)r : NULL;
}
const wasm_extern_t *wasm_ref_as_extern_const(const wasm_ref_t *r) {
  return r && is_extern_kind(r->ent->kind) ? (const wasm_extern_t *)r : NULL;
}

/* ---------- foreign objects ------------------------------------------------------------------- */

/* A foreign object is an identity in the store: its entity is the object. */
wasm_foreign_t *wasm_foreign_new(wasm_store_t *s) {
  if (!s) return NULL;
  capi_entity *e = util_try_calloc(1, sizeof *e);
  if (!e) return NULL;
  e->kind = CAPI_FOREIGN;
  e->store = s;
  e->obj = e;
  if (!map_put(s, e)) {
    free(e);
    return NULL;
  }
  return (wasm_foreign_t *)capi_handle_new(e); /* the entity is the store's either way */
}

/* ---------- values ---------------------------------------------------------------------------- */

void wasm_val_delete(wasm_val_t *v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = NULL;
  }
}

/* A reference that cannot be copied for lack of memory comes out as a null reference. */
void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) out->of.ref = wasm_ref_copy(v->of.ref);
}

/* A weld funcref is the runtime function; a weld externref is the entity of the wasm.h
 * reference, which lives as long as the store, so it comes back as the same reference. */
bool capi_val_to_weld(wasm_store_t *s, const wasm_val_t *v, weld_val *out, char *msg, size_t cap) {
  memset(out, 0, sizeof *out);
  switch (v->kind) {
  case WASM_I32: out->kind = WELD_I32; out->of.i32 = v->of.i32; return true;
  case WASM_I64: out->kind = WELD_I64; out->of.i64 = v->of.i64; return true;
  case WASM_F32: out->kind = WELD_F32; out->of.f32 = v->of.f32; return true;
  case WASM_F64: out->kind = WELD_F64; out->of.f64 = v->of.f64; return true;
  case WASM_FUNCREF:
  case WASM_EXTERNREF: {
    out->kind = v->kind == WASM_FUNCREF ? WELD_FUNCREF : WELD_EXTERNREF;
    const wasm_ref_t *r = v->of.ref;
    if (!r) return true;
    if (r->ent->store != s) {
      snprintf(msg, cap, "a reference %s cannot be passed here",
               r->ent->store ? "from another store" : "to a trap or module");
      return false;
    }
    if (v->kind == WASM_FUNCREF) {
      if (r->ent->kind != CAPI_FUNC) {
        snprintf(msg, cap, "a funcref value holds a reference that is not a function");
        return false;
      }
      out->of.funcref = r->ent->obj;
    } else {
      out->of.externref = r->ent;
    }
    return true;
  }
  default:
    snprintf(msg, cap, "value kind %u is not a WebAssembly value type", (unsigned)v->kind);
    return false;
  }
}

/* False for a v128, and when a reference cannot be made for lack of memory. */
bool capi_val_from_weld(wasm_store_t *s, const weld_val *v, wasm_val_t *out) {
  memset(out, 0, sizeof *out);
  switch (v->kind) {
  case WELD_I32: out->kind = WASM_I32; out->of.i32 = v->of.i32; return true;
  case WELD_I64: out->kind = WASM_I64; out->of.i64 = v->of.i64; return true;
  case WELD_F32: out->kind = WASM_F32; out->of.f32 = v->of.f32; return true;
  case WELD_F64: out->kind = WASM_F64; out->of.f64 = v->of.f64; return true;
  case WELD_FUNCREF:
    out->kind = WASM_FUNCREF;
    if (v->of.funcref)
      out->of.ref = capi_handle_new(capi_entity_of(s, CAPI_FUNC, v->of.funcref));
    return !v->of.funcref || out->of.ref;
  case WELD_EXTERNREF:
    out->kind = WASM_EXTERNREF;
    if (v->of.externref) out->of.ref = capi_handle_new(v->of.externref);
    return !v->of.externref || out->of.ref;
  case WELD_V128:
    out->kind = WELD_WASM_V128;
    return false;
  case WELD_EXNREF: /* the standard C API has no exception references */
  case WELD_ANYREF: /* nor GC references */
    return false;
  }
  return false;
}

/* ---------- traps and frames ------------------------------------------------------------------ */

/* NULL when out of memory. */
static capi_trap *trap_alloc(const char *msg, size_t len) {
  capi_trap *t = util_try_calloc(1, sizeof *t);
  if (!t) return NULL;
  t->ent.kind = CAPI_TRAP;
  t->ent.obj = t;
  /* the message always ends in exactly one counted NUL */
  while (len && msg[len - 1] == '\0') len--;
  t->msg = util_try_malloc(len + 1);
  if (!t->msg) {
    free(t);
    return NULL;
  }
  if (len) memcpy(t->msg, msg, len);
  t->msg[len] = '\0';
  t->msglen = len + 1;
  return t;
}

static void trap_free(capi_trap *t) {
  free(t->msg);
  free(t->frames);
  free(t);
}

/* A handle on a new trap; the out-of-memory trap when either cannot be made. */
static wasm_trap_t *trap_handle(capi_trap *t) {
  if (!t) return capi_trap_oom();
  wasm_trap_t *h = (wasm_trap_t *)capi_handle_new(&t->ent);
  if (!h) {
    trap_free(t);
    return capi_trap_oom();
  }
  return h;
}

wasm_trap_t *capi_trap_msg(const char *msg) { return trap_handle(trap_alloc(msg, strlen(msg))); }

/* Out of memory gives the "out of memory" trap: a trap still, never NULL (which a host
 * function would return for success). */
wasm_trap_t *wasm_trap_new(wasm_store_t *s, const wasm_message_t *m) {
  (void)s;
  return trap_handle(trap_alloc(m && m->data ? m->data : "", m && m->data ? m->size : 0));
}

wasm_trap_t *capi_trap_from_store(wasm_store_t *s, const char *msg) {
  capi_trap *t = trap_alloc(msg, strlen(msg));
  if (!t) return capi_trap_oom();
  capi_last_trap(s->store, &t->kind, &t->exit_code);
  capi_frame fr[64];
  size_t n = capi_last_frames(s->store, fr, 64);
  if (n > 64) n = 64;
  t->frames = n ? util_try_calloc(n, sizeof *t->frames) : NULL;
  if (n && !t->frames) {
    trap_free(t);
    return capi_trap_oom();
  }
  for (size_t i = 0; i < n; i++) {
    t->frames[i].inst = capi_entity_of(s, CAPI_INSTANCE, fr[i].inst);
    if (!t->frames[i].inst) {
      trap_free(t);
      return capi_trap_oom();
    }
    t->frames[i].func_index = fr[i].func_index;
    t->frames[i].func_offset = fr[i].func_offset;
    t->frames[i].module_offset = fr[i].module_offset;
  }
  t->nframes = n;
  return trap_handle(t);
}

static const capi_trap *trap_of(const wasm_trap_t *t) { return (const capi_trap *)CAPI_CH(t)->ent; }

void wasm_trap_message(const wasm_trap_t *t, wasm_message_t *out) {
  const capi_trap *tr = trap_of(t);
  wasm_byte_vec_new(out, tr->msglen, tr->msg);
}

/* NULL when out of memory. */
static wasm_frame_t *frame_new(const capi_frame_rec *r) {
  wasm_frame_t *f = util_try_calloc(1, sizeof *f);
  if (!f) return NULL;
  f->f = *r;
  f->inst = r->inst ? (wasm_instance_t *)capi_handle_new(r->inst) : NULL;
  if (r->inst && !f->inst) {
    free(f);
    return NULL;
  }
  return f;
}

/* The innermost frame: where the trap happened. */
wasm_frame_t *wasm_trap_origin(const wasm_trap_t *t) {
  const capi_trap *tr = trap_of(t);
  return tr->nframes ? frame_new(&tr->frames[0]) : NULL;
}

void wasm_trap_trace(const wasm_trap_t *t, wasm_frame_vec_t *out) {
  const capi_trap *tr = trap_of(t);
  wasm_frame_vec_new_uninitialized(out, tr->nframes);
  for (size_t i = 0; i < out->size; i++) {
    if ((out->data[i] = frame_new(&tr->frames[i]))) continue;
    wasm_frame_vec_delete(out); /* out of memory: an empty trace rather than a partial one */
    return;
  }
}

void wasm_frame_delete(wasm_frame_t *f) {
  if (!f) return;
  wasm_instance_delete(f->inst);
  free(f);
}
wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) { return frame_new(&f->f); }
wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) { return f->inst; }
uint32_t wasm_frame_func_index(const wasm_frame_t *f) { return f->f.func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t *f) { return f->f.func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *f) { return f->f.module_offset; }

bool weld_wasm_trap_kind(const wasm_trap_t *t, weld_trap_kind *kind, int32_t *exit_code) {
  const capi_trap *tr = trap_of(t);
  if (!tr->kind) return false;
  if (kind) *kind = tr->kind;
  if (exit_code) *exit_code = tr->exit_code;
  return true;
}
