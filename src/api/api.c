/* include/weld.h on top of the runtime. The public handles are the runtime objects
 * themselves (weld_func is an exec_func, weld_memory an exec_memory, ...), so a funcref
 * crosses the API with no translation and lookups allocate nothing. Only errors and traps
 * are separate objects the caller owns. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weld.h"
#include "exec/exec.h"
#include "exec/gc.h"
#include "jit/jit.h"
#include "opt/opt.h"
#include "wasm/module.h"
#include "text/text.h"
#include "api_int.h"
#include "aot.h"
#include "cache/mem.h"

struct weld_engine {
  weld_config cfg;
  exec_typetab *types; /* signatures of its modules and host functions */
  exec_pool *pool;     /* with cfg.pooling: its stores' memories and tables */
  char *cache_dir;     /* cfg.cache_dir's copy */
  cache_mem *modules;  /* the in-memory module cache (NULL with cfg.module_cache_off) */
  _Atomic uint64_t compiles; /* modules made without the cache's help */
};


struct weld_trap {
  weld_trap_kind kind;
  int32_t exit_code;
  char msg[256];
  size_t nframes, total;
  weld_frame frames[64];
  bool has_skipped; /* skipped frames all ran skipped_func */
  weld_frame skipped_func;
  exec_exn *exn;    /* WELD_TRAP_EXCEPTION: the exception (the store's) */
};

struct weld_caller {
  exec_thread *th;
  exec_instance *inst;
};

#define AS_EXEC_MODULE(m) ((exec_module *)(m))
#define AS_STORE(s) ((exec_store *)(s))
#define AS_FUNC(f) ((exec_func *)(f))

/* ---------- values ---------------------------------------------------------------------- */

const char *weld_valkind_name(weld_valkind k) {
  switch (k) {
  case WELD_I32: return "i32";
  case WELD_I64: return "i64";
  case WELD_F32: return "f32";
  case WELD_F64: return "f64";
  case WELD_V128: return "v128";
  case WELD_FUNCREF: return "funcref";
  case WELD_EXTERNREF: return "externref";
  case WELD_EXNREF: return "exnref";
  case WELD_ANYREF: return "anyref";
  }
  return "?";
}

weld_valkind api_kind_of(uint32_t t) { return api_valkind(exec_kind_of(t)); }

weld_valkind api_valkind(uint8_t kind) {
  switch (kind) {
  case WASM_I32: return WELD_I32;
  case WASM_I64: return WELD_I64;
  case WASM_F32: return WELD_F32;
  case WASM_F64: return WELD_F64;
  case WASM_V128: return WELD_V128;
  case WASM_FUNCREF: return WELD_FUNCREF;
  case WASM_EXNREF: return WELD_EXNREF;
  case WASM_ANYREF: return WELD_ANYREF;
  default: return WELD_EXTERNREF;
  }
}

/* The kind of a type of function f's signature (a wasm function's types name its
 * module's types). */
static weld_valkind func_kind(const exec_func *f, wasm_vtype t) {
  return api_valkind(f->inst ? exec_kind_of_m(f->inst->module->wasm, t) : exec_kind_of(t));
}

/* ---------- GC references: a weld_ref is a rooted handle of the store, its number + 1 */

static uint32_t ref_index(const weld_ref *r) { return (uint32_t)((uintptr_t)r - 1); }

static bool ref_valid(const exec_store *s, const weld_ref *r) {
  if (!r) return true;
  uint32_t i = ref_index(r);
  return i < s->gc->nroots && s->gc->root_used[i];
}

/* A handle for slot value v (NULL for null; NULL too when out of memory). */
static weld_ref *ref_new(exec_store *s, exec_slot v) {
  if (!v) return NULL;
  uint32_t i = exec_gc_root_new(s, v);
  return i == UINT32_MAX ? NULL : (weld_ref *)(uintptr_t)((uintptr_t)i + 1);
}

static exec_slot ref_value(const exec_store *s, const weld_ref *r) {
  return r && ref_valid(s, r) ? exec_gc_root_get(s, ref_index(r)) : 0;
}

weld_ref_kind weld_ref_get_kind(const weld_store *ws, const weld_ref *r) {
  exec_slot v = ref_value((const exec_store *)ws, r);
  if (exec_ref_is_i31(v)) return WELD_REF_I31;
  exec_gc_obj *o = exec_gc_obj_of(v);
  if (!o) return (weld_ref_kind)0;
  return o->layout->kind == EXEC_GC_STRUCT ? WELD_REF_STRUCT : o->layout->kind == EXEC_GC_ARRAY ? WELD_REF_ARRAY : WELD_REF_HOST;
}

uint32_t weld_ref_i31_value(const weld_store *ws, const weld_ref *r) {
  exec_slot v = ref_value((const exec_store *)ws, r);
  return exec_ref_is_i31(v) ? exec_i31_get_u(v) : 0;
}

void *weld_ref_host(const weld_store *ws, const weld_ref *r) {
  void *h = NULL;
  if (!exec_gc_unbox(ref_value((const exec_store *)ws, r), &h)) return NULL;
  return h;
}

weld_ref *weld_ref_new_i31(weld_store *ws, uint32_t v) { return ref_new((exec_store *)ws, exec_i31_new(v)); }

weld_ref *weld_ref_new_host(weld_store *ws, void *host) {
  exec_slot v;
  if (!host || !exec_gc_box((exec_store *)ws, host, &v)) return NULL;
  return ref_new((exec_store *)ws, v);
}

bool weld_ref_same(const weld_store *ws, const weld_ref *a, const weld_ref *b) {
  const exec_store *s = (const exec_store *)ws;
  exec_slot x = ref_value(s, a), y = ref_value(s, b);
  if (x == y) return true;
  void *hx, *hy;
  return x && y && exec_gc_unbox(x, &hx) && exec_gc_unbox(y, &hy) && hx == hy;
}

void weld_ref_release(weld_store *ws, weld_ref *r) {
  if (r && ref_valid((exec_store *)ws, r)) exec_gc_root_free((exec_store *)ws, ref_index(r));
}

void weld_store_gc(weld_store *ws) { exec_gc_collect((exec_store *)ws); }

static uint8_t valtype_of(weld_valkind k) {
  static const uint8_t map[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_V128, WASM_FUNCREF, WASM_EXTERNREF, WASM_EXNREF, WASM_ANYREF};
  return (unsigned)k < sizeof map ? map[k] : 0;
}

static void *ref_of(weld_val v);

/* A value may enter store s: a funcref must be null or one of s's functions. */
static bool val_in_store(const exec_store *s, const weld_val *v) {
  if (v->kind == WELD_EXNREF) return !v->of.exnref || ((const exec_exn *)v->of.exnref)->tag->store == s;
  if (v->kind == WELD_ANYREF) return ref_valid(s, v->of.anyref);
  return v->kind != WELD_FUNCREF || exec_store_owns_ref(s, WASM_FUNCREF, v->of.funcref);
}

/* Writes v into slots (two for v128); returns the slots used, 0 when a host externref
 * cannot be boxed (out of memory or the GC heap limit). A host externref enters the store
 * boxed (src/exec/gc.h), so every non-null extern value in a slot is a heap object. */
static uint32_t val_to_slots(exec_store *st, const weld_val *v, exec_slot *s) {
  switch (v->kind) {
  case WELD_I32: s[0] = (uint32_t)v->of.i32; return 1;
  case WELD_I64: s[0] = (uint64_t)v->of.i64; return 1;
  case WELD_F32: {
    uint32_t b;
    memcpy(&b, &v->of.f32, 4);
    s[0] = b;
    return 1;
  }
  case WELD_F64: memcpy(&s[0], &v->of.f64, 8); return 1;
  case WELD_V128: memcpy(s, v->of.v128, 16); return 2;
  case WELD_FUNCREF: s[0] = (exec_slot)(uintptr_t)v->of.funcref; return 1;
  case WELD_EXTERNREF: return exec_gc_box(st, v->of.externref, &s[0]) ? 1 : 0;
  case WELD_EXNREF: s[0] = (exec_slot)(uintptr_t)v->of.exnref; return 1;
  case WELD_ANYREF: s[0] = ref_value(st, v->of.anyref); return 1;
  }
  return 1;
}

/* The slot value of a reference for a table element (boxing a host externref): false
 * when the box cannot be made. */
static bool ref_in(exec_store *st, weld_val v, void **out) {
  exec_slot s[2] = {0, 0};
  if (v.kind == WELD_EXTERNREF) {
    if (!val_to_slots(st, &v, s)) return false;
    *out = (void *)(uintptr_t)s[0];
    return true;
  }
  *out = ref_of(v);
  return true;
}

/* `kind` is the value's weld kind; an anyref gets a new handle (the caller's). */
static uint32_t slots_to_val(exec_store *st, weld_valkind kind, const exec_slot *s, weld_val *v) {
  memset(v, 0, sizeof *v);
  v->kind = kind;
  switch (v->kind) {
  case WELD_I32: v->of.i32 = (int32_t)(uint32_t)s[0]; return 1;
  case WELD_I64: v->of.i64 = (int64_t)s[0]; return 1;
  case WELD_F32: {
    uint32_t b = (uint32_t)s[0];
    memcpy(&v->of.f32, &b, 4);
    return 1;
  }
  case WELD_F64: memcpy(&v->of.f64, &s[0], 8); return 1;
  case WELD_V128: memcpy(v->of.v128, s, 16); return 2;
  case WELD_FUNCREF: v->of.funcref = (weld_func *)(uintptr_t)s[0]; return 1;
  case WELD_EXTERNREF:
    /* a host box gives back the host's pointer; an i31, struct or array made extern by
     * extern.convert_any has no host form yet and is passed as its opaque reference */
    if (!exec_gc_unbox(s[0], &v->of.externref)) v->of.externref = (void *)(uintptr_t)s[0];
    return 1;
  case WELD_EXNREF:
    v->of.exnref = (weld_exn *)(uintptr_t)s[0];
    if (v->of.exnref) ((exec_exn *)v->of.exnref)->exposed = true; /* the host holds it now */
    return 1;
  case WELD_ANYREF: v->of.anyref = ref_new(st, s[0]); return 1;
  }
  return 1;
}

uint32_t api_val_to_slots(void *store, const weld_val *v, uint64_t *s) { return val_to_slots(store, v, s); }
uint32_t api_slots_to_val(void *store, uint8_t kind, const uint64_t *s, weld_val *v) {
  return slots_to_val(store, api_valkind(kind), s, v);
}
uint8_t api_valtype_of(weld_valkind k) { return valtype_of(k); }
bool api_val_in_store(const void *store, const weld_val *v) { return val_in_store(store, v); }

/* ---------- errors and traps -------------------------------------------------------------- */

/* What a caller gets when even the error or trap object cannot be allocated: shared,
 * never freed (the free functions pass them by). */
static weld_error oom_error = {.e = {.kind = UTIL_ERR_LIMIT, .offset = -1, .msg = "out of memory"}};
static weld_trap oom_trap = {.kind = WELD_TRAP_HOST, .msg = "out of memory"};

weld_error *api_error_from(const util_error *e) {
  weld_error *w = util_try_calloc(1, sizeof *w);
  if (!w) return &oom_error;
  w->e = *e;
  return w;
}

static weld_error *error_new(util_err_kind k, const char *msg) {
  util_error e;
  util_error_clear(&e);
  util_fail(&e, k, -1, "%s", msg);
  return api_error_from(&e);
}

weld_error_kind weld_error_get_kind(const weld_error *e) {
  switch (e->e.kind) {
  case UTIL_ERR_MALFORMED: return WELD_ERROR_MALFORMED;
  case UTIL_ERR_INVALID: return WELD_ERROR_INVALID;
  case UTIL_ERR_LINK: case UTIL_ERR_TRAP: return WELD_ERROR_LINK;
  case UTIL_ERR_IO: return WELD_ERROR_IO;
  case UTIL_ERR_USAGE: return WELD_ERROR_USAGE;
  default: return WELD_ERROR_LIMIT;
  }
}
const char *weld_error_message(const weld_error *e) { return e->e.msg; }
int64_t weld_error_offset(const weld_error *e) { return e->e.offset; }
void weld_error_free(weld_error *e) {
  if (e != &oom_error) free(e);
}

weld_trap_kind weld_trap_get_kind(const weld_trap *t) { return t->kind; }
const char *weld_trap_message(const weld_trap *t) { return t->msg; }
int32_t weld_trap_exit_code(const weld_trap *t) { return t->exit_code; }
size_t weld_trap_frame_count(const weld_trap *t) { return t->nframes; }
size_t weld_trap_frame_total(const weld_trap *t) { return t->total > t->nframes ? t->total : t->nframes; }
const weld_frame *weld_trap_skipped_func(const weld_trap *t) { return t->has_skipped ? &t->skipped_func : NULL; }
const weld_frame *weld_trap_frame(const weld_trap *t, size_t i) {
  return i < t->nframes ? &t->frames[i] : NULL;
}
void weld_trap_free(weld_trap *t) {
  if (t != &oom_trap) free(t);
}

weld_trap *weld_trap_new(const char *message) {
  weld_trap *t = util_try_calloc(1, sizeof *t);
  if (!t) return &oom_trap;
  t->kind = WELD_TRAP_HOST;
  snprintf(t->msg, sizeof t->msg, "%s", message ? message : "host trap");
  return t;
}

weld_trap *weld_trap_new_rethrow(weld_exn *e) {
  if (!e) return weld_trap_new("weld_trap_new_rethrow: no exception");
  weld_trap *t = util_try_calloc(1, sizeof *t);
  if (!t) return &oom_trap;
  t->kind = WELD_TRAP_EXCEPTION;
  t->exn = (exec_exn *)e;
  t->exn->exposed = true;
  snprintf(t->msg, sizeof t->msg, "%s", exec_trap_message(EXEC_TRAP_EXCEPTION));
  return t;
}

weld_exn *weld_trap_exception(const weld_trap *t) {
  return t && t->kind == WELD_TRAP_EXCEPTION ? (weld_exn *)t->exn : NULL;
}

weld_trap *weld_trap_new_exit(int32_t code) {
  weld_trap *t = util_try_calloc(1, sizeof *t);
  if (!t) return &oom_trap;
  t->kind = WELD_TRAP_EXIT;
  t->exit_code = code;
  snprintf(t->msg, sizeof t->msg, "exit with code %d", code);
  return t;
}

static const char *name_str(const wasm_name *n) { return n && n->str ? n->str : NULL; }

static void frame_of(weld_frame *fr, const exec_func *f, uint32_t offset, uint32_t depth) {
  fr->func_index = f ? f->index : 0;
  fr->code_offset = offset;
  fr->depth = depth;
  if (f && f->inst) {
    const wasm_module *m = f->inst->module->wasm;
    fr->func_name = m->func_names ? name_str(&m->func_names[f->index]) : NULL;
    fr->module_name = name_str(&m->module_name);
    if (offset && !wasm_line_lookup(m, offset, &fr->file, &fr->line, &fr->column)) fr->file = NULL;
  }
}

/* The trap the thread recorded, as a weld_trap with its backtrace. */
static weld_trap *trap_from_thread(const exec_thread *th) {
  weld_trap *t = util_try_calloc(1, sizeof *t);
  if (!t) return &oom_trap;
  t->kind = (weld_trap_kind)th->trap;
  t->exit_code = th->exit_code;
  snprintf(t->msg, sizeof t->msg, "%s", th->trap_msg[0] ? th->trap_msg : exec_trap_message(th->trap));
  if (th->trap == EXEC_TRAP_EXCEPTION && th->exn) {
    t->exn = th->exn;
    t->exn->exposed = true; /* the host may keep it: it lives as long as the store */
  }
  for (uint32_t i = 0; i < th->nbt && i < 64; i++)
    frame_of(&t->frames[t->nframes++], th->bt_func[i], th->bt_offset[i], th->bt_depth[i]);
  t->total = th->bt_total;
  if (th->bt_gap_func && t->total > t->nframes) {
    uint32_t first = 0; /* the first depth not recorded */
    while (first < t->nframes && t->frames[first].depth == first) first++;
    frame_of(&t->skipped_func, th->bt_gap_func, 0, first);
    t->has_skipped = true;
  }
  return t;
}

/* ---------- engine and modules -------------------------------------------------------------- */

void weld_config_default(weld_config *c) {
  memset(c, 0, sizeof *c);
  c->bounds = WELD_BOUNDS_GUARD;
  c->tier_up_threshold = JIT_TIER_UP_DEFAULT;
  c->tier_eager_bytes = JIT_TIER_EAGER_DEFAULT;
  /* the auto tier where there is a compiler: hot functions and long loops (on-stack
   * replacement) run compiled, the rest interpreted */
  c->tier = jit_available() ? WELD_TIER_AUTO : WELD_TIER_INTERP;
  c->compile_threads = WELD_COMPILE_THREADS_AUTO;
  jit_tier t;
  if (jit_tier_parse(getenv("WELD_TIER"), &t) && (t == JIT_TIER_INTERP || jit_available())) c->tier = (weld_tier)t;
  /* asked for by name: a build without it refuses to make modules, saying why */
  if (jit_tier_parse(getenv("WELD_TIER"), &t) && t == JIT_TIER_OPTIMIZED) c->tier = WELD_TIER_OPTIMIZED;
  const char *pool = getenv("WELD_POOL");
  if (pool && *pool && strcmp(pool, "0") != 0) {
    c->pooling = true;
    c->pool.copy_on_write = true;
  }
  const char *th = getenv("WELD_TIER_UP_THRESHOLD");
  if (th && *th) {
    char *end;
    unsigned long v = strtoul(th, &end, 10);
    if (!*end && v <= UINT32_MAX) c->tier_up_threshold = (uint32_t)v;
  }
  const char *eb = getenv("WELD_TIER_EAGER_BYTES");
  if (eb && *eb) {
    char *end;
    unsigned long long v = strtoull(eb, &end, 10);
    if (!*end) c->tier_eager_bytes = v;
  }
  const char *ct = getenv("WELD_COMPILE_THREADS");
  if (ct && *ct) {
    char *end;
    unsigned long v = strtoul(ct, &end, 10);
    if (!*end && v <= JIT_MAX_COMPILE_THREADS) c->compile_threads = (uint32_t)v;
  }
  const char *mc = getenv("WELD_MODULE_CACHE_BYTES");
  if (mc && *mc) {
    char *end;
    unsigned long long v = strtoull(mc, &end, 10);
    if (!*end) c->module_cache_bytes = v;
  }
  const char *oth = getenv("WELD_OSR_THRESHOLD");
  if (oth && *oth) {
    char *end;
    unsigned long v = strtoul(oth, &end, 10);
    if (!*end && v <= UINT32_MAX) c->osr_threshold = (uint32_t)v;
  }
}

const char *weld_tier_unsupported(weld_tier t) {
  switch (t) {
  case WELD_TIER_INTERP: return NULL;
  case WELD_TIER_BASELINE: return jit_available() ? NULL : "not supported: the baseline tier needs x86-64";
  case WELD_TIER_OPTIMIZED: return opt_unavailable_reason();
  case WELD_TIER_AUTO: return NULL; /* the interpreter alone where there is no compiler */
  }
  return "not supported: an unknown tier";
}

static void free_cached_module(void *em) { exec_module_free(em); }

weld_engine *weld_engine_new_err(const weld_config *cfg, weld_error **err) {
  weld_engine *e = calloc(1, sizeof *e);
  if (!e) {
    if (err) *err = error_new(UTIL_ERR_LIMIT, "out of memory");
    return NULL;
  }
  if (cfg) e->cfg = *cfg;
  else weld_config_default(&e->cfg);
  e->types = exec_typetab_new();
  bool copied = !e->cfg.cache_dir || (e->cache_dir = strdup(e->cfg.cache_dir)) != NULL;
  e->cfg.cache_dir = e->cache_dir;
  if (!e->cfg.module_cache_off) {
    uint64_t budget = e->cfg.module_cache_bytes ? e->cfg.module_cache_bytes : API_MODULE_CACHE_DEFAULT;
    e->modules = cache_mem_new(budget, free_cached_module);
  }
  if (!e->types || !copied || (!e->cfg.module_cache_off && !e->modules)) {
    weld_engine_free(e);
    if (err) *err = error_new(UTIL_ERR_LIMIT, "out of memory");
    return NULL;
  }
  if (e->cfg.pooling) {
    const weld_pool_config *pc = &e->cfg.pool;
    exec_pool_config c = {pc->memory_slots, pc->memory_slot_bytes, pc->guard_bytes, pc->table_slots,
                          pc->table_elements, pc->copy_on_write, pc->keep_resident};
    util_error ue;
    util_error_clear(&ue);
    if (!(e->pool = exec_pool_new(&c, &ue))) {
      weld_engine_free(e); /* and the cache directory's copy, which this path leaked */
      if (err) *err = api_error_from(&ue);
      return NULL;
    }
  }
  return e;
}

weld_engine *weld_engine_new(const weld_config *cfg) { return weld_engine_new_err(cfg, NULL); }

bool weld_engine_pool_stats(const weld_engine *e, weld_pool_stats *out) {
  memset(out, 0, sizeof *out);
  if (!e || !e->pool) return false;
  exec_pool_stats st;
  exec_pool_get_stats(e->pool, &st);
  out->memory_slots = st.memory_slots;
  out->memories_in_use = st.memories_in_use;
  out->table_slots = st.table_slots;
  out->tables_in_use = st.tables_in_use;
  out->reserved_bytes = st.reserved_bytes;
  out->images = st.images;
  out->image_bytes = st.image_bytes;
  out->reused = st.reused;
  out->image_hits = st.image_hits;
  out->exhausted = st.exhausted;
  return true;
}

bool weld_engine_module_cache_stats(const weld_engine *e, weld_module_cache_stats *out) {
  memset(out, 0, sizeof *out);
  if (!e) return false;
  out->compiles = atomic_load(&e->compiles);
  if (!e->modules) return false;
  cache_mem_stats st;
  cache_mem_get_stats(e->modules, &st);
  out->entries = st.entries;
  out->bytes = st.bytes;
  out->max_bytes = st.max_bytes;
  out->hits = st.hits;
  out->misses = st.misses;
  out->evictions = st.evictions;
  return true;
}

void weld_engine_free(weld_engine *e) {
  if (!e) return;
  cache_mem_free(e->modules); /* modules must be freed first (their type ids are the engine's) */
  exec_pool_free(e->pool);
  exec_typetab_free(e->types);
  free(e->cache_dir);
  free(e);
}

/* take: bytes come from malloc and are the module's (weld_module_new_take): a binary
 * module keeps them instead of a copy; any other input frees them when done. */
static weld_module *module_make(weld_engine *e, const uint8_t *bytes, uint8_t **take, size_t len, weld_error **err);

static weld_module *module_new_take(weld_engine *e, const uint8_t *bytes, uint8_t *take, size_t len, weld_error **err) {
  weld_module *m = module_make(e, bytes, &take, len, err);
  free(take); /* not taken by the module */
  return m;
}

static weld_module *module_new(weld_engine *e, const uint8_t *bytes, size_t len, weld_error **err) {
  return module_make(e, bytes, NULL, len, err);
}

static weld_module *module_make(weld_engine *e, const uint8_t *bytes, uint8_t **take, size_t len, weld_error **err) {
  util_error ue;
  util_error_clear(&ue);
  if (!bytes && len) {
    if (err) *err = error_new(UTIL_ERR_USAGE, "no module bytes");
    return NULL;
  }
  /* A precompiled image (aot.c): its module is read as usual, its code is mapped. */
  jit_image img;
  bool from_image = jit_image_is(bytes, len);
  if (from_image) {
    if (!api_image_open(e ? &e->cfg : NULL, bytes, len, &img, &ue)) {
      if (err) *err = api_error_from(&ue);
      return NULL;
    }
    bytes = img.module;
    len = img.module_len;
  }
  /* The text format is read into the binary format first (src/text). */
  uint32_t features = e && e->cfg.standard == WELD_STANDARD_2_0 ? WASM_FEATURES_2_0 : WASM_FEATURES_ALL;
  /* The code cache (aot.c) is looked up first: a hit's module is decoded where it lies in
   * the mapped entry (equal to `bytes`, checked), not copied, and the mapping is the
   * module's from then on. It is byte for byte the module this weld build decoded and
   * validated when it wrote the entry, so its function bodies are not walked again
   * (wasm_decode_known): a body is read if something ever needs it. */
  bool cache = !from_image && e && api_cache_applies(&e->cfg, bytes, len);
  char key[65];
  jit_image hit;
  const uint8_t *entry = NULL;
  size_t entry_len = 0;
  wasm_module *m = NULL;
  if (cache) {
    api_cache_key(&e->cfg, bytes, len, key);
    if (api_cache_lookup(&e->cfg, bytes, len, key, &entry, &entry_len, &hit)) {
      m = wasm_decode_known(hit.module, hit.module_len, entry, entry_len, features, hit.legacy_exceptions, &ue);
      if (!m) util_unmap_file(entry, entry_len), entry = NULL; /* decoded below again, for its error */
    }
  }
  if (!m && take && *take && !from_image && text_is_binary(bytes, len)) {
    m = wasm_decode_take(*take, len, features, &ue); /* the module's now, or freed */
    *take = NULL;
  } else if (!m)
    m = text_load_module_features(bytes, len, NULL, features, &ue);
  if (!m) {
    if (err) *err = api_error_from(&ue);
    return NULL;
  }
  /* an image's record of the module (what a cache hit trusts instead of the bodies) is
   * the module's */
  if (from_image && img.legacy_exceptions != m->legacy_exceptions) {
    wasm_module_free(m);
    if (err) *err = error_new(UTIL_ERR_MALFORMED, "precompiled module is corrupt (its record of the legacy exception instructions)");
    return NULL;
  }
  /* Lazy translation when functions may never need internal code: machine code from an
   * image or the cache, or a large module in the interpreter or in the auto tier above
   * its compile-ahead size. A tier that compiles the whole module now needs every
   * translation at once (one pass of the validator instead of two). */
  bool lazy;
  if (from_image || cache) lazy = true;
  else if (e && (e->cfg.tier == WELD_TIER_OPTIMIZED || e->cfg.tier == WELD_TIER_BASELINE)) lazy = false;
  else if (e && e->cfg.tier == WELD_TIER_AUTO && jit_available()) {
    uint64_t body = 0;
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) body += m->funcs[i].code_len;
    lazy = body > e->cfg.tier_eager_bytes && exec_module_lazy_pays(m);
  } else lazy = exec_module_lazy_pays(m);
  /* The module of an image, or of a cache hit (byte for byte the module the entry was
   * made from, by this weld build, for this edition): weld validated it when it made the
   * code it is about to run as is, so its bodies are validated only if they are ever
   * translated for the interpreter (exec_module_compile_known_valid). */
  exec_module *em = from_image || entry ? exec_module_compile_known_valid(m, e ? e->types : NULL, &ue)
                                        : exec_module_compile_lazy(m, e ? e->types : NULL, lazy, &ue);
  if (!em) {
    wasm_module_free(m);
    if (err) *err = api_error_from(&ue);
    return NULL;
  }
  bool ok;
  if (from_image) {
    ok = jit_image_load(em, &img, &ue);
    if (ok) jit_module_set_source(em, WELD_CODE_PRECOMPILED, 0);
  } else if (cache) {
    ok = api_cache_prepare(&e->cfg, em, bytes, len, key, entry ? &hit : NULL, &ue);
  } else if (e && e->cfg.tier == WELD_TIER_OPTIMIZED) {
    ok = opt_compile_module(em, e->cfg.bounds == WELD_BOUNDS_GUARD, &ue);
  } else {
    jit_options jo = {.tier = e ? (jit_tier)e->cfg.tier : JIT_TIER_INTERP,
                      .guard = e && e->cfg.bounds == WELD_BOUNDS_GUARD,
                      .threshold = e ? e->cfg.tier_up_threshold : JIT_TIER_UP_DEFAULT,
                      .osr_grant = e ? e->cfg.osr_threshold : 0,
                      .eager_bytes = e ? e->cfg.tier_eager_bytes : JIT_TIER_EAGER_DEFAULT,
                      .opt = e && e->cfg.tier == WELD_TIER_AUTO ? opt_tierup_hooks() : NULL,
                      .compile_threads = !e                                              ? 0
                                         : e->cfg.compile_threads == WELD_COMPILE_THREADS_AUTO ? JIT_COMPILE_THREADS_DEFAULT
                                                                                               : e->cfg.compile_threads,
                      .build_threads = e ? e->cfg.compile_threads : 1};
    ok = jit_prepare_module(em, &jo, &ue);
  }
  if (!ok) {
    exec_module_free(em);
    if (err) *err = api_error_from(&ue);
    return NULL;
  }
  if (e) atomic_fetch_add(&e->compiles, 1);
  return (weld_module *)em;
}

/* Through the engine's in-memory cache: a hit is the cached module with one more holder;
 * a miss reserves the key (other threads asking for it wait), compiles, and caches. */
static weld_module *module_cached(weld_engine *e, const uint8_t *bytes, size_t len, weld_error **err) {
  if (!e || !e->modules || (!bytes && len)) return module_new(e, bytes, len, err);
  uint8_t key[32];
  api_module_key(&e->cfg, bytes, len, key);
  cache_mem_entry *entry;
  exec_module *em = cache_mem_acquire(e->modules, key, bytes, len, &entry);
  if (em) return (weld_module *)em;
  if (!entry) {
    if (err) *err = error_new(UTIL_ERR_LIMIT, "out of memory");
    return NULL;
  }
  em = (exec_module *)module_new(e, bytes, len, err);
  if (!em) {
    cache_mem_abandon(entry);
    return NULL;
  }
  em->shared = entry;
  cache_mem_fill(entry, em, api_module_bytes(em));
  return (weld_module *)em;
}

/* Errors are worded as the engine's edition of the standard words them (where 3.0
 * reworded 2.0: limits flags, "immutable global", lane indices). */
weld_module *weld_module_new(weld_engine *e, const uint8_t *bytes, size_t len, weld_error **err) {
  int edition = util_spec_edition();
  util_set_spec_edition(e && e->cfg.standard == WELD_STANDARD_2_0 ? 2 : 3);
  weld_module *m = module_cached(e, bytes, len, err);
  util_set_spec_edition(edition);
  return m;
}

weld_module *weld_module_new_take(weld_engine *e, uint8_t *bytes, size_t len, weld_error **err) {
  if (e && e->modules) { /* the cache keeps a copy of what it keys anyway */
    weld_module *m = weld_module_new(e, bytes, len, err);
    free(bytes);
    return m;
  }
  int edition = util_spec_edition();
  util_set_spec_edition(e && e->cfg.standard == WELD_STANDARD_2_0 ? 2 : 3);
  weld_module *m = module_new_take(e, bytes, bytes, len, err);
  util_set_spec_edition(edition);
  return m;
}

static bool precompile(weld_engine *e, const uint8_t *bytes, size_t len, uint8_t **out, size_t *out_len,
                       util_error *ue) {
  uint8_t *bin = NULL;
  size_t blen = 0;
  if (!text_is_binary(bytes, len)) {
    if (!text_wat_to_binary((const char *)bytes, len, NULL, &bin, &blen, ue)) return false;
    bytes = bin;
    len = blen;
  }
  uint32_t features = e->cfg.standard == WELD_STANDARD_2_0 ? WASM_FEATURES_2_0 : WASM_FEATURES_ALL;
  wasm_module *m = text_load_module_features(bytes, len, NULL, features, ue);
  exec_module *em = m ? exec_module_compile(m, e->types, ue) : NULL;
  if (m && !em) wasm_module_free(m);
  jit_bytes img = {0};
  bool ok = em && api_image_make(&e->cfg, em, bytes, len, &img, ue);
  if (em) exec_module_free(em);
  free(bin);
  if (!ok) {
    jit_bytes_free(&img);
    return false;
  }
  *out = img.p;
  *out_len = img.len;
  return true;
}

bool weld_module_precompile(weld_engine *e, const uint8_t *bytes, size_t len, uint8_t **out, size_t *out_len,
                            weld_error **err) {
  util_error ue;
  util_error_clear(&ue);
  *out = NULL;
  *out_len = 0;
  if (!e || (!bytes && len)) {
    if (err) *err = error_new(UTIL_ERR_USAGE, "no engine or no module bytes");
    return false;
  }
  int edition = util_spec_edition();
  util_set_spec_edition(e->cfg.standard == WELD_STANDARD_2_0 ? 2 : 3);
  bool ok = precompile(e, bytes, len, out, out_len, &ue);
  util_set_spec_edition(edition);
  if (!ok && err) *err = api_error_from(&ue);
  return ok;
}

void weld_module_free(weld_module *m) {
  if (m && AS_EXEC_MODULE(m)->shared) cache_mem_release(AS_EXEC_MODULE(m)->shared);
  else exec_module_free(AS_EXEC_MODULE(m));
}

size_t weld_module_import_count(const weld_module *m) { return AS_EXEC_MODULE(m)->wasm->nimports; }

void weld_module_import(const weld_module *m, size_t i, const char **module, const char **name,
                        weld_externkind *kind) {
  const wasm_module *w = AS_EXEC_MODULE(m)->wasm;
  if (i >= w->nimports) {
    if (module) *module = NULL;
    if (name) *name = NULL;
    if (kind) *kind = WELD_EXTERN_NONE;
    return;
  }
  if (module) *module = w->imports[i].module.str;
  if (name) *name = w->imports[i].field.str;
  if (kind) *kind = (weld_externkind)w->imports[i].kind;
}

size_t weld_module_export_count(const weld_module *m) { return AS_EXEC_MODULE(m)->wasm->nexports; }

void weld_module_export(const weld_module *m, size_t i, const char **name, weld_externkind *kind) {
  const wasm_module *w = AS_EXEC_MODULE(m)->wasm;
  if (i >= w->nexports) {
    if (name) *name = NULL;
    if (kind) *kind = WELD_EXTERN_NONE;
    return;
  }
  if (name) *name = w->exports[i].name.str;
  if (kind) *kind = (weld_externkind)w->exports[i].kind;
}

void weld_module_tier_stats(const weld_module *m, weld_tier_stats *out) {
  jit_stats st;
  jit_module_stats(AS_EXEC_MODULE(m), &st);
  out->functions = st.functions;
  out->compiled = st.compiled;
  out->tier = (weld_tier)st.tier;
  out->promoted_by_loop = st.promoted_by_loop;
  out->osr_entered = st.osr_entered;
  out->compiled_ahead = st.ahead;
  out->fell_back = st.fell_back;
  out->code_bytes = st.code_bytes;
  out->wasm_bytes = st.wasm_bytes;
  out->compile_seconds = st.compile_seconds;
  out->compile_threads = st.compile_threads;
  out->compile_cpu_seconds = st.compile_cpu_seconds;
  out->source = (weld_code_source)st.source;
  out->optimized = st.optimized;
  out->opt_failed = st.opt_failed;
  out->opt_seconds = st.opt_seconds;
  out->translated = exec_module_translated(AS_EXEC_MODULE(m));
}

const char *weld_module_func_fallback(const weld_module *m, uint32_t k) {
  return jit_func_fallback(AS_EXEC_MODULE(m), k);
}

/* ---------- stores and instances ----------------------------------------------------------------- */

weld_store *weld_store_new(weld_engine *e) {
  exec_store_config c = {0};
  if (e) {
    c.stack_bytes = e->cfg.stack_bytes;
    c.max_call_depth = e->cfg.max_call_depth;
    c.guard_mode = e->cfg.bounds == WELD_BOUNDS_GUARD;
    c.types = e->types;
    c.gc_stress = e->cfg.gc_stress;
    c.pool = e->pool;
  } else {
    c.guard_mode = true;
  }
  exec_store *s = exec_store_new(&c);
  if (s) s->engine = e;
  return (weld_store *)s;
}

void weld_store_free(weld_store *s) { exec_store_free(AS_STORE(s)); }

void weld_store_set_fuel(weld_store *ws, uint64_t fuel) {
  exec_store *s = AS_STORE(ws);
  if (s->fuel_enabled && s->usage.fuel_base > s->fuel) s->usage.fuel_consumed += s->usage.fuel_base - s->fuel;
  s->fuel_enabled = true;
  s->fuel = fuel;
  s->usage.fuel_base = fuel;
}

uint64_t weld_store_get_fuel(const weld_store *s) { return ((const exec_store *)s)->fuel; }

void weld_store_interrupt(weld_store *s) {
  /* a passed deadline stays the reason; a blocked host call wakes */
  exec_store_raise(AS_STORE(s), EXEC_INTERRUPT_CANCEL);
}

void weld_store_add_fuel(weld_store *ws, uint64_t fuel) {
  exec_store *s = AS_STORE(ws);
  if (!s->fuel_enabled) {
    weld_store_set_fuel(ws, fuel);
    return;
  }
  uint64_t room = UINT64_MAX - s->fuel;
  if (fuel > room) fuel = room;
  s->fuel += fuel;
  s->usage.fuel_base += fuel;
}

void weld_limits_default(weld_limits *l) {
  memset(l, 0, sizeof *l);
  l->memory_bytes = WELD_UNLIMITED;
  l->table_elements = WELD_UNLIMITED;
  l->gc_heap_bytes = WELD_UNLIMITED;
}

void weld_store_set_limits(weld_store *ws, const weld_limits *l) {
  exec_store *s = AS_STORE(ws);
  s->limits.memory_bytes = l->memory_bytes;
  s->limits.table_elements = l->table_elements;
  s->limits.max_instances = l->max_instances;
  s->limits.trap_on_grow_failure = l->trap_on_grow_failure;
  s->limits.gc_heap_bytes = l->gc_heap_bytes;
  const weld_engine *e = s->engine;
  s->thread.max_depth = l->max_call_depth ? l->max_call_depth : e ? e->cfg.max_call_depth : 0;
}

void weld_store_get_limits(const weld_store *ws, weld_limits *out) {
  const exec_store *s = (const exec_store *)ws;
  weld_limits_default(out);
  out->memory_bytes = s->limits.memory_bytes;
  out->table_elements = s->limits.table_elements;
  out->max_instances = s->limits.max_instances;
  out->trap_on_grow_failure = s->limits.trap_on_grow_failure;
  out->gc_heap_bytes = s->limits.gc_heap_bytes;
  out->max_call_depth = s->thread.max_depth;
}

void weld_store_usage(const weld_store *ws, weld_usage *out) {
  const exec_store *s = (const exec_store *)ws;
  memset(out, 0, sizeof *out);
  out->memory_bytes = s->usage.memory_bytes;
  out->peak_memory_bytes = s->usage.peak_memory_bytes;
  out->table_elements = s->usage.table_elements;
  out->peak_table_elements = s->usage.peak_table_elements;
  out->gc_bytes = s->usage.gc_bytes;
  out->peak_gc_bytes = s->usage.peak_gc_bytes;
  out->gc_collections = s->usage.gc_collections;
  out->fuel_enabled = s->fuel_enabled;
  if (s->fuel_enabled) {
    uint64_t spent = s->usage.fuel_base > s->fuel ? s->usage.fuel_base - s->fuel : 0;
    out->fuel_consumed = s->usage.fuel_consumed + spent;
  }
  out->instances = s->ninstances;
  out->grow_denials = s->usage.grow_denials;
  out->limit_denials = s->usage.limit_denials;
  out->stopped_by = exec_limit_name(s->usage.stopped_by);
}

/* Remembers which limit a trap came from, for the usage report. */
static void note_trap(exec_store *s, exec_trap_kind k) {
  switch (k) {
  case EXEC_TRAP_OUT_OF_FUEL: s->usage.stopped_by = EXEC_LIMIT_FUEL; break;
  case EXEC_TRAP_DEADLINE: s->usage.stopped_by = EXEC_LIMIT_DEADLINE; break;
  case EXEC_TRAP_STACK_EXHAUSTED: s->usage.stopped_by = EXEC_LIMIT_STACK; break;
  default: break; /* EXEC_TRAP_LIMIT: set where the limit refused */
  }
}

static bool name_eq(const wasm_name *n, const char *s) {
  return s && strlen(s) == n->len && memcmp(n->str, s, n->len) == 0;
}

weld_instance *weld_instance_new(weld_store *s, const weld_module *m, const weld_import *imports,
                                 size_t nimports, weld_trap **trap, weld_error **err) {
  const exec_module *em = (const exec_module *)m;
  const wasm_module *w = em->wasm;
  if (trap) *trap = NULL;
  exec_extern *xs = util_try_calloc(w->nimports + 1, sizeof *xs);
  if (!xs) {
    if (err) *err = error_new(UTIL_ERR_LIMIT, "out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < w->nimports; i++) {
    const wasm_import *im = &w->imports[i];
    /* The last matching entry wins, so a caller can override earlier definitions. */
    for (size_t k = nimports; k-- > 0;) {
      if (name_eq(&im->module, imports[k].module) && name_eq(&im->field, imports[k].name)) {
        const weld_extern *x = &imports[k].item;
        xs[i].kind = x->kind == WELD_EXTERN_NONE ? 0xff : (uint8_t)x->kind;
        xs[i].ptr = x->kind == WELD_EXTERN_FUNC     ? (void *)x->of.func
                    : x->kind == WELD_EXTERN_TABLE  ? (void *)x->of.table
                    : x->kind == WELD_EXTERN_MEMORY ? (void *)x->of.memory
                    : x->kind == WELD_EXTERN_GLOBAL ? (void *)x->of.global
                    : x->kind == WELD_EXTERN_TAG    ? (void *)x->of.tag
                                                    : NULL;
        break;
      }
    }
  }
  util_error ue;
  util_error_clear(&ue);
  exec_instance *inst = exec_instantiate(AS_STORE(s), em, xs, &ue);
  free(xs);
  if (!inst) {
    if (ue.kind == UTIL_ERR_TRAP) note_trap(AS_STORE(s), AS_STORE(s)->thread.trap);
    if (ue.kind == UTIL_ERR_TRAP && trap) *trap = trap_from_thread(&AS_STORE(s)->thread);
    if (err) *err = api_error_from(&ue);
    return NULL;
  }
  return (weld_instance *)inst;
}

weld_extern weld_instance_export(weld_instance *i, const char *name) {
  return weld_instance_export_n(i, name, name ? strlen(name) : 0);
}

weld_extern weld_instance_export_n(weld_instance *i, const char *name, size_t len) {
  weld_extern out = {.kind = WELD_EXTERN_NONE};
  if (!i || !name) return out;
  exec_extern x = exec_instance_export((exec_instance *)i, name, len);
  if (!x.ptr) return out;
  out.kind = (weld_externkind)x.kind;
  switch (x.kind) {
  case WASM_EXTERN_FUNC: out.of.func = x.ptr; break;
  case WASM_EXTERN_TABLE: out.of.table = x.ptr; break;
  case WASM_EXTERN_MEMORY: out.of.memory = x.ptr; break;
  case WASM_EXTERN_GLOBAL: out.of.global = x.ptr; break;
  case WASM_EXTERN_TAG: out.of.tag = x.ptr; break;
  }
  return out;
}

weld_func *weld_instance_func(weld_instance *i, const char *name) {
  weld_extern x = weld_instance_export(i, name);
  return x.kind == WELD_EXTERN_FUNC ? x.of.func : NULL;
}
weld_memory *weld_instance_memory(weld_instance *i, const char *name) {
  weld_extern x = weld_instance_export(i, name);
  return x.kind == WELD_EXTERN_MEMORY ? x.of.memory : NULL;
}
weld_global *weld_instance_global(weld_instance *i, const char *name) {
  weld_extern x = weld_instance_export(i, name);
  return x.kind == WELD_EXTERN_GLOBAL ? x.of.global : NULL;
}
weld_table *weld_instance_table(weld_instance *i, const char *name) {
  weld_extern x = weld_instance_export(i, name);
  return x.kind == WELD_EXTERN_TABLE ? x.of.table : NULL;
}

/* ---------- functions -------------------------------------------------------------------------- */

typedef struct host_env {
  weld_host_fn fn;
  void *env;
  void (*env_free)(void *);
} host_env;

static void host_env_free(void *p) {
  host_env *h = p;
  if (h->env_free) h->env_free(h->env);
  free(h);
}

/* Adapts the runtime's slot calling convention to weld_val arrays. */
static exec_trap_kind host_tramp(exec_thread *th, exec_func *self, exec_slot *argres) {
  const host_env *h = self->host_env;
  const wasm_functype *t = self->type;
  weld_val small[16], *args = small;
  size_t need = (size_t)t->nparams + t->nresults;
  if (need > 16 && !(args = util_try_calloc(need, sizeof *args))) {
    snprintf(th->trap_msg, sizeof th->trap_msg, "out of memory");
    return EXEC_TRAP_HOST;
  }
  weld_val *results = args + t->nparams;
  uint32_t s = 0;
  for (uint32_t i = 0; i < t->nparams; i++) s += slots_to_val(self->store, func_kind(self, t->params[i]), argres + s, &args[i]);
  for (uint32_t i = 0; i < t->nresults; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].kind = func_kind(self, t->results[i]);
  }
  weld_caller caller = {th, th->host_caller};
  weld_trap *trap = h->fn(&caller, h->env, args, results);
  /* the arguments' handles lived for the call */
  for (uint32_t i = 0; i < t->nparams; i++)
    if (args[i].kind == WELD_ANYREF) weld_ref_release((weld_store *)self->store, args[i].of.anyref);
  exec_trap_kind k = EXEC_OK;
  if (trap) {
    k = trap->kind == WELD_TRAP_EXIT ? EXEC_TRAP_EXIT : EXEC_TRAP_HOST;
    if (trap->kind != WELD_TRAP_EXIT && trap->kind != WELD_TRAP_HOST) k = (exec_trap_kind)trap->kind;
    th->exit_code = trap->exit_code;
    snprintf(th->trap_msg, sizeof th->trap_msg, "%s", trap->msg);
    if (trap->kind == WELD_TRAP_EXCEPTION) {
      /* thrown by the host or passed on: the interpreter unwinds with it */
      if (trap->exn && trap->exn->tag->store == self->store) th->exn = trap->exn;
      else {
        snprintf(th->trap_msg, sizeof th->trap_msg, "host function threw an exception of another store");
        k = EXEC_TRAP_HOST;
      }
    }
    weld_trap_free(trap);
  } else {
    s = 0;
    for (uint32_t i = 0; i < t->nresults; i++) {
      if (results[i].kind != func_kind(self, t->results[i])) {
        snprintf(th->trap_msg, sizeof th->trap_msg, "host function returned a %s for a %s result",
                 weld_valkind_name(results[i].kind), weld_valkind_name(func_kind(self, t->results[i])));
        k = EXEC_TRAP_HOST;
        break;
      }
      if (!val_in_store(self->store, &results[i])) {
        snprintf(th->trap_msg, sizeof th->trap_msg,
                 "host function returned a funcref from another store (result %u)", i);
        k = EXEC_TRAP_HOST;
        break;
      }
      uint32_t used = val_to_slots(self->store, &results[i], argres + s);
      if (!used) {
        snprintf(th->trap_msg, sizeof th->trap_msg, "out of memory (host function result %u)", i);
        k = EXEC_TRAP_HOST;
        break;
      }
      s += used;
    }
  }
  if (args != small) free(args);
  return k;
}

weld_func *weld_func_new(weld_store *s, const weld_valkind *params, size_t nparams,
                         const weld_valkind *results, size_t nresults, weld_host_fn fn, void *env,
                         void (*env_free)(void *)) {
  if (!s || !fn || nparams > 1000 || nresults > 1000) return NULL;
  uint8_t *types = util_try_malloc(nparams + nresults + 1);
  host_env *h = util_try_calloc(1, sizeof *h);
  if (!types || !h) {
    free(types);
    free(h);
    return NULL;
  }
  for (size_t i = 0; i < nparams; i++) types[i] = valtype_of(params[i]);
  for (size_t i = 0; i < nresults; i++) types[nparams + i] = valtype_of(results[i]);
  *h = (host_env){fn, env, env_free};
  exec_func *f = exec_host_func_new(AS_STORE(s), types, (uint32_t)nparams, types + nparams,
                                    (uint32_t)nresults, host_tramp, h, host_env_free);
  free(types);
  if (!f) free(h); /* env stays the caller's */
  return (weld_func *)f;
}

size_t weld_func_param_count(const weld_func *f) { return ((const exec_func *)f)->type->nparams; }
size_t weld_func_result_count(const weld_func *f) { return ((const exec_func *)f)->type->nresults; }
weld_valkind weld_func_param(const weld_func *f, size_t i) {
  return func_kind((const exec_func *)f, ((const exec_func *)f)->type->params[i]);
}
weld_valkind weld_func_result(const weld_func *f, size_t i) {
  return func_kind((const exec_func *)f, ((const exec_func *)f)->type->results[i]);
}

weld_trap *weld_func_call(weld_func *wf, const weld_val *args, size_t nargs, weld_val *results,
                          size_t nresults) {
  exec_func *f = AS_FUNC(wf);
  if (!f) return weld_trap_new("weld_func_call: no function");
  const wasm_functype *t = f->type;
  if (nargs != t->nparams) return weld_trap_new("weld_func_call: wrong number of arguments");
  if (nresults < t->nresults) return weld_trap_new("weld_func_call: results array too small");
  for (size_t i = 0; i < nargs; i++) {
    char msg[128];
    if (args[i].kind != func_kind(f, t->params[i])) {
      snprintf(msg, sizeof msg, "weld_func_call: argument %zu is %s, expected %s", i,
               weld_valkind_name(args[i].kind), weld_valkind_name(func_kind(f, t->params[i])));
      return weld_trap_new(msg);
    }
    if (!val_in_store(f->store, &args[i])) {
      snprintf(msg, sizeof msg, "weld_func_call: argument %zu is a funcref from another store", i);
      return weld_trap_new(msg);
    }
    if (!exec_func_ref_fits(f, t->params[i], ref_of(args[i]))) {
      snprintf(msg, sizeof msg, "weld_func_call: argument %zu does not fit the parameter's type %s", i,
               wasm_valtype_name(t->params[i]));
      return weld_trap_new(msg);
    }
  }
  size_t n = (t->nparams > t->nresults ? t->nparams : t->nresults) * 2 + 2;
  exec_slot small[64], *argres = n <= 64 ? small : util_try_calloc(n, sizeof(exec_slot));
  if (!argres) return weld_trap_new("weld_func_call: out of memory");
  uint32_t s = 0;
  for (size_t i = 0; i < nargs; i++) {
    uint32_t used = val_to_slots(f->store, &args[i], argres + s);
    if (!used) {
      if (argres != small) free(argres);
      return weld_trap_new("weld_func_call: out of memory");
    }
    s += used;
  }
  exec_thread *th = &f->store->thread;
  exec_trap_kind k = exec_invoke(th, f, argres);
  weld_trap *trap = NULL;
  if (k != EXEC_OK) {
    note_trap(f->store, k);
    trap = trap_from_thread(th);
  } else {
    s = 0;
    for (uint32_t i = 0; i < t->nresults; i++)
      s += slots_to_val(f->store, func_kind(f, t->results[i]), argres + s, &results[i]);
  }
  if (argres != small) free(argres);
  return trap;
}

weld_memory *weld_caller_memory(weld_caller *c, const char *export_name) {
  if (!c || !c->inst) return NULL;
  return weld_instance_memory((weld_instance *)c->inst, export_name ? export_name : "memory");
}

weld_store *weld_caller_store(weld_caller *c) { return c ? (weld_store *)c->th->store : NULL; }

/* ---------- memories, tables, globals ----------------------------------------------------------- */

weld_memory *weld_memory_new(weld_store *s, uint64_t min_pages, uint64_t max_pages) {
  util_error e;
  util_error_clear(&e);
  exec_store *st = AS_STORE(s);
  /* room in the store's list first, so nothing is undone after the store accounted it */
  if (!util_vec_try_grow((void **)&st->memories, &st->capmemories, st->nmemories, sizeof *st->memories))
    return NULL;
  bool has_max = max_pages != UINT64_MAX;
  exec_memory *m = exec_memory_new(min_pages, max_pages, has_max, AS_STORE(s)->guard_mode, &e);
  if (!m) return NULL;
  if (!exec_store_adopt_memory(AS_STORE(s), m, NULL, &e)) {
    exec_memory_free(m);
    return NULL;
  }
  AS_STORE(s)->memories[AS_STORE(s)->nmemories++] = m; /* room made above */
  return (weld_memory *)m;
}

weld_memory *weld_memory_new_i64(weld_store *s, uint64_t min_pages, uint64_t max_pages) {
  if (min_pages > EXEC_MAX_PAGES_64) return NULL;
  exec_memory *m = (exec_memory *)weld_memory_new(s, min_pages, max_pages);
  if (!m) return NULL;
  m->is64 = true;
  if (m->max_pages > EXEC_MAX_PAGES_64) m->max_pages = EXEC_MAX_PAGES_64;
  return (weld_memory *)m;
}

weld_memory *weld_memory_new_shared(weld_store *s, uint64_t min_pages, uint64_t max_pages) {
  if (max_pages == UINT64_MAX) return NULL; /* a shared memory has a maximum */
  exec_memory *m = (exec_memory *)weld_memory_new(s, min_pages, max_pages);
  if (m) m->shared = true;
  return (weld_memory *)m;
}

bool weld_memory_is_i64(const weld_memory *m) { return ((const exec_memory *)m)->is64; }
bool weld_memory_is_shared(const weld_memory *m) { return ((const exec_memory *)m)->shared; }

uint8_t *weld_memory_data(weld_memory *m) { return ((exec_memory *)m)->base; }
size_t weld_memory_size(const weld_memory *m) { return (size_t)((const exec_memory *)m)->size; }
uint64_t weld_memory_pages(const weld_memory *m) { return ((const exec_memory *)m)->size / EXEC_PAGE_SIZE; }
int64_t weld_memory_grow(weld_memory *m, uint64_t delta) {
  int64_t r = exec_memory_grow((exec_memory *)m, delta);
  return r < 0 ? -1 : r;
}

bool weld_memory_read(const weld_memory *wm, uint64_t off, void *dst, size_t n) {
  const exec_memory *m = (const exec_memory *)wm;
  if (off > m->size || n > m->size - off) return false;
  if (n) memcpy(dst, m->base + off, n);
  return true;
}

bool weld_memory_write(weld_memory *wm, uint64_t off, const void *src, size_t n) {
  exec_memory *m = (exec_memory *)wm;
  if (off > m->size || n > m->size - off) return false;
  if (n) memcpy(m->base + off, src, n);
  return true;
}

static void *ref_of(weld_val v) {
  return v.kind == WELD_FUNCREF ? (void *)v.of.funcref : v.kind == WELD_EXTERNREF ? v.of.externref : NULL;
}

weld_table *weld_table_new(weld_store *s, weld_valkind elem, uint32_t min, uint32_t max, weld_val init) {
  if (elem != WELD_FUNCREF && elem != WELD_EXTERNREF) return NULL;
  if (init.kind != elem || !val_in_store(AS_STORE(s), &init)) return NULL;
  exec_store *st = AS_STORE(s);
  if (!util_vec_try_grow((void **)&st->tables, &st->captables, st->ntables, sizeof *st->tables)) return NULL;
  void *init_ref;
  if (!ref_in(st, init, &init_ref)) return NULL;
  exec_table *t = exec_table_new(valtype_of(elem), min, max, max != UINT32_MAX, init_ref);
  if (!t) return NULL;
  util_error e;
  util_error_clear(&e);
  if (!exec_store_adopt_table(AS_STORE(s), t, NULL, &e)) {
    exec_table_free(t);
    return NULL;
  }
  AS_STORE(s)->tables[AS_STORE(s)->ntables++] = t; /* room made above */
  return (weld_table *)t;
}

weld_table *weld_table_new_i64(weld_store *s, weld_valkind elem, uint32_t min, uint32_t max, weld_val init) {
  exec_table *t = (exec_table *)weld_table_new(s, elem, min, max, init);
  if (t) t->is64 = true;
  return (weld_table *)t;
}

bool weld_table_is_i64(const weld_table *t) { return ((const exec_table *)t)->is64; }

uint32_t weld_table_size(const weld_table *t) { return ((const exec_table *)t)->size; }

bool weld_table_get(const weld_table *wt, uint32_t i, weld_val *out) {
  /* a read materialises a lazily initialised element, as the program's would */
  exec_table *t = (exec_table *)(uintptr_t)wt;
  if (i >= t->size) return false;
  exec_slot s[2] = {(exec_slot)(uintptr_t)exec_table_get(t, i), 0};
  slots_to_val(t->store, api_valkind(t->kind), s, out);
  return true;
}

bool weld_table_set(weld_table *wt, uint32_t i, weld_val v) {
  exec_table *t = (exec_table *)wt;
  if (i >= t->size || v.kind != api_valkind(t->kind) || !val_in_store(t->store, &v)) return false;
  if (!exec_ref_fits(t->elemtype, ref_of(v))) return false;
  void *r;
  if (!ref_in(t->store, v, &r)) return false;
  exec_table_forget(t, i, 1);
  t->elems[i] = r;
  return true;
}

int64_t weld_table_grow(weld_table *wt, uint32_t delta, weld_val init) {
  exec_table *t = (exec_table *)wt;
  if (init.kind != api_valkind(t->kind) || !val_in_store(t->store, &init)) return -1;
  if (!exec_ref_fits(t->elemtype, ref_of(init))) return -1;
  void *init_ref;
  if (!ref_in(t->store, init, &init_ref)) return -1;
  int64_t r = exec_table_grow(t, delta, init_ref);
  return r < 0 ? -1 : r;
}

weld_global *weld_global_new(weld_store *s, weld_valkind kind, bool mutable_, weld_val init) {
  if (!s || init.kind != kind || !val_in_store(AS_STORE(s), &init)) return NULL;
  exec_slot v[2] = {0, 0};
  if (!val_to_slots(AS_STORE(s), &init, v)) return NULL;
  exec_global *g = exec_global_new(AS_STORE(s), valtype_of(kind), mutable_);
  if (!g) return NULL;
  memcpy(g->val, v, sizeof v);
  return (weld_global *)g;
}

weld_val weld_global_get(const weld_global *wg) {
  const exec_global *g = (const exec_global *)wg;
  weld_val v;
  slots_to_val(g->store, api_valkind(g->kind), g->val, &v);
  return v;
}

bool weld_global_set(weld_global *wg, weld_val v) {
  exec_global *g = (exec_global *)wg;
  if (!g->mut || v.kind != api_valkind(g->kind) || !val_in_store(g->store, &v)) return false;
  if (!exec_ref_fits(g->type, ref_of(v))) return false;
  exec_slot s[2] = {0, 0};
  if (!val_to_slots(g->store, &v, s)) return false;
  memcpy(g->val, s, sizeof s);
  return true;
}

const char *weld_version(void) { return WELD_VERSION; }
