/* wasm.h: modules, functions, globals, tables, memories, externs and instances, on top of
 * include/weld.h (and capi_bridge.h for what weld.h does not say); weld_wasm.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/capi.h"
#include "util/util.h"

#define ENT(x) (CAPI_CH(x)->ent)
#define STORE_OF(x) (ENT(x)->store)

/* ---------- modules -------------------------------------------------------------------------- */

static const uint8_t wasm_magic[4] = {0, 'a', 's', 'm'};

/* wasm.h takes the binary format only (weld_module_new also reads text). */
static weld_module *compile(wasm_store_t *s, const wasm_byte_vec_t *binary) {
  if (!s || !binary || binary->size < 4 || memcmp(binary->data, wasm_magic, 4) != 0) return NULL;
  weld_error *err = NULL;
  weld_module *m = weld_module_new(s->engine ? s->engine->engine : NULL,
                                   (const uint8_t *)binary->data, binary->size, &err);
  if (err) weld_error_free(err);
  return m;
}

/* Takes m; NULL (m freed) when out of memory. */
static wasm_module_t *module_handle(weld_module *m) {
  capi_entity *e = util_try_calloc(1, sizeof *e);
  wasm_module_t *h = e ? (wasm_module_t *)capi_handle_new(e) : NULL;
  if (!h) {
    free(e);
    weld_module_free(m);
    return NULL;
  }
  e->kind = CAPI_MODULE;
  e->obj = m;
  return h;
}

wasm_module_t *wasm_module_new(wasm_store_t *s, const wasm_byte_vec_t *binary) {
  weld_module *m = compile(s, binary);
  return m ? module_handle(m) : NULL;
}

bool wasm_module_validate(wasm_store_t *s, const wasm_byte_vec_t *binary) {
  weld_module *m = compile(s, binary);
  if (!m) return false;
  weld_module_free(m);
  return true;
}

const weld_module *weld_wasm_module(const wasm_module_t *m) { return m ? ENT(m)->obj : NULL; }

static void name_from(wasm_name_t *out, const char *s, size_t len) { wasm_name_new(out, len, s); }

void wasm_module_imports(const wasm_module_t *m, wasm_importtype_vec_t *out) {
  const weld_module *wm = ENT(m)->obj;
  size_t n = weld_module_import_count(wm);
  wasm_importtype_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; i++) {
    const char *mod, *name;
    size_t mlen, nlen;
    capi_xdesc d;
    capi_module_import_desc(wm, i, &mod, &mlen, &name, &nlen, &d);
    wasm_name_t mn, nn;
    name_from(&mn, mod, mlen);
    name_from(&nn, name, nlen);
    wasm_externtype_t *xt = capi_externtype_from_desc(&d);
    /* out of memory: an empty list rather than a partial one */
    if (mn.size != mlen || nn.size != nlen || !xt) {
      wasm_name_delete(&mn);
      wasm_name_delete(&nn);
      wasm_externtype_delete(xt);
      wasm_importtype_vec_delete(out);
      return;
    }
    if (!(out->data[i] = wasm_importtype_new(&mn, &nn, xt))) { /* it freed what it took */
      wasm_importtype_vec_delete(out);
      return;
    }
  }
}

void wasm_module_exports(const wasm_module_t *m, wasm_exporttype_vec_t *out) {
  const weld_module *wm = ENT(m)->obj;
  size_t n = weld_module_export_count(wm);
  wasm_exporttype_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; i++) {
    const char *name;
    size_t nlen;
    capi_xdesc d;
    capi_module_export_desc(wm, i, &name, &nlen, &d);
    wasm_name_t nn;
    name_from(&nn, name, nlen);
    wasm_externtype_t *xt = capi_externtype_from_desc(&d);
    if (nn.size != nlen || !xt) {
      wasm_name_delete(&nn);
      wasm_externtype_delete(xt);
      wasm_exporttype_vec_delete(out);
      return;
    }
    if (!(out->data[i] = wasm_exporttype_new(&nn, xt))) {
      wasm_exporttype_vec_delete(out);
      return;
    }
  }
}

/* Serialised form: a tag, then the module's binary. weld keeps no compiled code that
 * outlives the process, so deserialising compiles the binary again (the same work as
 * wasm_module_new); the tag keeps arbitrary bytes from being taken for a serialised
 * module. */
static const char serial_tag[16] = "weld-module-v1\n";

void wasm_module_serialize(const wasm_module_t *m, wasm_byte_vec_t *out) {
  size_t len;
  const uint8_t *bytes = capi_module_bytes(ENT(m)->obj, &len);
  wasm_byte_vec_new_uninitialized(out, sizeof serial_tag + len);
  if (!out->size) return; /* out of memory: empty */
  memcpy(out->data, serial_tag, sizeof serial_tag);
  memcpy(out->data + sizeof serial_tag, bytes, len);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *s, const wasm_byte_vec_t *b) {
  if (!b || b->size < sizeof serial_tag || memcmp(b->data, serial_tag, sizeof serial_tag) != 0)
    return NULL;
  wasm_byte_vec_t bin = {b->size - sizeof serial_tag, b->data + sizeof serial_tag};
  return wasm_module_new(s, &bin);
}

/* A shared module holds a reference to the compiled module, which is immutable and may be
 * instantiated in any store on any thread. */
struct wasm_shared_module_t {
  capi_entity *module;
};

wasm_shared_module_t *wasm_module_share(const wasm_module_t *m) {
  wasm_shared_module_t *sm = util_try_malloc(sizeof *sm);
  if (!sm) return NULL;
  sm->module = ENT(m);
  atomic_fetch_add(&sm->module->refs, 1);
  return sm;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *s, const wasm_shared_module_t *sm) {
  (void)s;
  return sm ? (wasm_module_t *)capi_handle_new(sm->module) : NULL;
}

void wasm_shared_module_delete(wasm_shared_module_t *sm) {
  if (!sm) return;
  capi_entity_release(sm->module);
  free(sm);
}

/* ---------- functions ---------------------------------------------------------------------------- */

typedef struct host_fn {
  wasm_store_t *store;
  wasm_func_callback_t cb;
  wasm_func_callback_with_env_t cb_env;
  void *env;
  void (*finalizer)(void *);
  size_t nparams, nresults;
} host_fn;

static void host_fn_free(void *p) {
  host_fn *h = p;
  if (h->finalizer) h->finalizer(h->env);
  free(h);
}

/* Calls the wasm.h callback with weld's values: arguments become wasm_val_t (references
 * as handles the callback borrows), results come back checked against the signature. */
static weld_trap *host_tramp(weld_caller *caller, void *env, const weld_val *args, weld_val *results) {
  (void)caller;
  host_fn *h = env;
  size_t np = h->nparams, nr = h->nresults; /* weld presets each result's kind */
  wasm_val_t small[16];
  wasm_val_t *vals = np + nr <= 16 ? small : util_try_calloc(np + nr, sizeof *vals);
  if (!vals) return weld_trap_new("out of memory");
  memset(vals, 0, (np + nr) * sizeof *vals);
  bool made = true; /* every argument crossed (a reference needs a handle) */
  for (size_t i = 0; i < np; i++) made &= capi_val_from_weld(h->store, &args[i], &vals[i]);
  for (size_t i = 0; i < nr; i++) {
    vals[np + i].kind = capi_valkind_from_weld(results[i].kind);
    vals[np + i].of.ref = NULL;
  }
  wasm_val_vec_t av = {np, np ? vals : NULL}, rv = {nr, nr ? vals + np : NULL};
  wasm_trap_t *t = !made ? NULL : h->cb_env ? h->cb_env(h->env, &av, &rv) : h->cb(&av, &rv);
  weld_trap *out = NULL;
  if (!made) {
    out = weld_trap_new("out of memory");
  } else if (t) {
    wasm_message_t m;
    wasm_trap_message(t, &m);
    out = weld_trap_new(m.size ? m.data : "out of memory");
    wasm_byte_vec_delete(&m);
    wasm_trap_delete(t);
  } else {
    char msg[160];
    for (size_t i = 0; i < nr && !out; i++) {
      weld_valkind want = results[i].kind;
      weld_val v;
      if (!capi_val_to_weld(h->store, &vals[np + i], &v, msg, sizeof msg)) {
        out = weld_trap_new(msg);
      } else if (v.kind != want) {
        snprintf(msg, sizeof msg, "host function returned a %s for a %s result",
                 weld_valkind_name(v.kind), weld_valkind_name(want));
        out = weld_trap_new(msg);
      } else {
        results[i] = v;
      }
    }
  }
  for (size_t i = 0; i < np + nr; i++) wasm_val_delete(&vals[i]);
  if (vals != small) free(vals);
  return out;
}

static wasm_func_t *func_new(wasm_store_t *s, const wasm_functype_t *type, wasm_func_callback_t cb,
                             wasm_func_callback_with_env_t cb_env, void *env, void (*fin)(void *)) {
  if (!s || !type) return NULL;
  const wasm_valtype_vec_t *ps = wasm_functype_params(type), *rs = wasm_functype_results(type);
  size_t np = ps->size, nr = rs->size;
  weld_valkind *kinds = util_try_calloc(np + nr + 1, sizeof *kinds);
  if (!kinds) return NULL;
  for (size_t i = 0; i < np + nr; i++) {
    const wasm_valtype_t *vt = i < np ? ps->data[i] : rs->data[i - np];
    /* v128 values cannot cross wasm.h, so a host function cannot take or return one */
    if (!vt || !capi_valkind_to_weld(wasm_valtype_kind(vt), &kinds[i]) || kinds[i] == WELD_V128) {
      free(kinds);
      return NULL;
    }
  }
  host_fn *h = util_try_calloc(1, sizeof *h);
  if (!h) {
    free(kinds);
    return NULL;
  }
  *h = (host_fn){s, cb, cb_env, env, fin, np, nr};
  weld_func *f = weld_func_new(s->store, kinds, np, kinds + np, nr, host_tramp, h, host_fn_free);
  free(kinds);
  if (!f) {
    free(h); /* the finalizer is the caller's to run when creation fails */
    return NULL;
  }
  wasm_func_t *out = (wasm_func_t *)capi_handle_new(capi_entity_of(s, CAPI_FUNC, f));
  /* out of memory: the function stays in the store unseen, and its finalizer is the
   * caller's to run, as for any failed creation */
  if (!out) h->finalizer = NULL;
  return out;
}

wasm_func_t *wasm_func_new(wasm_store_t *s, const wasm_functype_t *type, wasm_func_callback_t cb) {
  return cb ? func_new(s, type, cb, NULL, NULL, NULL) : NULL;
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *s, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb, void *env, void (*fin)(void *)) {
  return cb ? func_new(s, type, NULL, cb, env, fin) : NULL;
}

weld_func *weld_wasm_func(const wasm_func_t *f) { return f ? ENT(f)->obj : NULL; }

wasm_functype_t *wasm_func_type(const wasm_func_t *f) {
  capi_xdesc d;
  capi_func_desc(ENT(f)->obj, &d);
  return wasm_externtype_as_functype(capi_externtype_from_desc(&d));
}

size_t wasm_func_param_arity(const wasm_func_t *f) { return weld_func_param_count(ENT(f)->obj); }
size_t wasm_func_result_arity(const wasm_func_t *f) { return weld_func_result_count(ENT(f)->obj); }

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  if (!func) return capi_trap_msg("wasm_func_call: no function");
  wasm_store_t *s = STORE_OF(func);
  weld_func *f = ENT(func)->obj;
  size_t np = weld_func_param_count(f), nr = weld_func_result_count(f);
  size_t nargs = args ? args->size : 0;
  char msg[200];
  if (nargs != np) {
    snprintf(msg, sizeof msg, "wasm_func_call: %zu arguments for %zu parameters", nargs, np);
    return capi_trap_msg(msg);
  }
  if (nr && (!results || results->size < nr || !results->data)) {
    snprintf(msg, sizeof msg, "wasm_func_call: room for %zu results needed", nr);
    return capi_trap_msg(msg);
  }
  weld_val small[32];
  weld_val *wv = np + nr <= 32 ? small : util_try_calloc(np + nr, sizeof *wv);
  if (!wv) return capi_trap_oom();
  wasm_trap_t *trap = NULL;
  for (size_t i = 0; i < np && !trap; i++) {
    weld_valkind want = weld_func_param(f, i);
    if (!capi_val_to_weld(s, &args->data[i], &wv[i], msg, sizeof msg)) {
      trap = capi_trap_msg(msg);
    } else if (wv[i].kind != want) {
      snprintf(msg, sizeof msg, "wasm_func_call: argument %zu is %s, expected %s", i,
               weld_valkind_name(wv[i].kind), weld_valkind_name(want));
      trap = capi_trap_msg(msg);
    }
  }
  for (size_t i = 0; i < nr && !trap; i++) {
    if (weld_func_result(f, i) == WELD_V128) trap = capi_trap_msg("wasm_func_call: a v128 result cannot be returned through wasm.h");
  }
  if (!trap) {
    weld_trap *wt = weld_func_call(f, wv, np, wv + np, nr);
    if (wt) {
      trap = capi_trap_from_store(s, weld_trap_message(wt));
      weld_trap_free(wt);
    } else {
      bool made = true;
      for (size_t i = 0; i < nr; i++) made &= capi_val_from_weld(s, &wv[np + i], &results->data[i]);
      if (!made) { /* a reference result without its handle: the call reports it */
        for (size_t i = 0; i < nr; i++) wasm_val_delete(&results->data[i]);
        trap = capi_trap_oom();
      }
    }
  }
  if (wv != small) free(wv);
  return trap;
}

/* ---------- globals --------------------------------------------------------------------------------- */

wasm_global_t *wasm_global_new(wasm_store_t *s, const wasm_globaltype_t *type, const wasm_val_t *val) {
  if (!s || !type || !val) return NULL;
  weld_valkind k;
  weld_val v;
  char msg[160];
  if (!capi_valkind_to_weld(wasm_valtype_kind(wasm_globaltype_content(type)), &k)) return NULL;
  if (!capi_val_to_weld(s, val, &v, msg, sizeof msg) || v.kind != k) return NULL;
  weld_global *g = weld_global_new(s->store, k, wasm_globaltype_mutability(type) == WASM_VAR, v);
  return g ? (wasm_global_t *)capi_handle_new(capi_entity_of(s, CAPI_GLOBAL, g)) : NULL;
}

weld_global *weld_wasm_global(const wasm_global_t *g) { return g ? ENT(g)->obj : NULL; }

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g) {
  capi_xdesc d;
  capi_global_desc(ENT(g)->obj, &d);
  return wasm_externtype_as_globaltype(capi_externtype_from_desc(&d));
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out) {
  weld_val v = weld_global_get(ENT(g)->obj);
  capi_val_from_weld(STORE_OF(g), &v, out);
}

/* A value of the wrong kind, or a set on an immutable global, changes nothing. */
void wasm_global_set(wasm_global_t *g, const wasm_val_t *val) {
  weld_val v;
  char msg[160];
  if (val && capi_val_to_weld(STORE_OF(g), val, &v, msg, sizeof msg)) weld_global_set(ENT(g)->obj, v);
}

/* ---------- tables ---------------------------------------------------------------------------------- */

static bool ref_to_weld(wasm_store_t *s, weld_valkind elem, const wasm_ref_t *r, weld_val *out) {
  wasm_val_t v = {.kind = elem == WELD_FUNCREF ? WASM_FUNCREF : WASM_EXTERNREF};
  v.of.ref = (wasm_ref_t *)r;
  char msg[160];
  return capi_val_to_weld(s, &v, out, msg, sizeof msg);
}

wasm_table_t *wasm_table_new(wasm_store_t *s, const wasm_tabletype_t *type, wasm_ref_t *init) {
  if (!s || !type) return NULL;
  weld_valkind k;
  if (!capi_valkind_to_weld(wasm_valtype_kind(wasm_tabletype_element(type)), &k)) return NULL;
  if (k != WELD_FUNCREF && k != WELD_EXTERNREF) return NULL;
  weld_val v;
  if (!ref_to_weld(s, k, init, &v)) return NULL;
  const wasm_limits_t *l = wasm_tabletype_limits(type);
  weld_table *t = weld_table_new(s->store, k, l->min, l->max, v);
  return t ? (wasm_table_t *)capi_handle_new(capi_entity_of(s, CAPI_TABLE, t)) : NULL;
}

weld_table *weld_wasm_table(const wasm_table_t *t) { return t ? ENT(t)->obj : NULL; }

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t) {
  capi_xdesc d;
  capi_table_desc(ENT(t)->obj, &d);
  return wasm_externtype_as_tabletype(capi_externtype_from_desc(&d));
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t i) {
  weld_val v;
  if (!weld_table_get(ENT(t)->obj, i, &v)) return NULL;
  wasm_val_t out;
  capi_val_from_weld(STORE_OF(t), &v, &out);
  return out.of.ref;
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t i, wasm_ref_t *r) {
  weld_val v;
  capi_xdesc d;
  capi_table_desc(ENT(t)->obj, &d);
  if (!ref_to_weld(STORE_OF(t), d.elem, r, &v)) return false;
  return weld_table_set(ENT(t)->obj, i, v);
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t) { return weld_table_size(ENT(t)->obj); }

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init) {
  capi_xdesc d;
  capi_table_desc(ENT(t)->obj, &d);
  weld_val v;
  if (!ref_to_weld(STORE_OF(t), d.elem, init, &v)) return false;
  return weld_table_grow(ENT(t)->obj, delta, v) >= 0;
}

/* ---------- memories --------------------------------------------------------------------------------- */

wasm_memory_t *wasm_memory_new(wasm_store_t *s, const wasm_memorytype_t *type) {
  if (!s || !type) return NULL;
  const wasm_limits_t *l = wasm_memorytype_limits(type);
  if (l->max != wasm_limits_max_default && l->max < l->min) return NULL;
  weld_memory *m = weld_memory_new(s->store, l->min,
                                   l->max == wasm_limits_max_default ? UINT64_MAX : l->max);
  return m ? (wasm_memory_t *)capi_handle_new(capi_entity_of(s, CAPI_MEMORY, m)) : NULL;
}

weld_memory *weld_wasm_memory(const wasm_memory_t *m) { return m ? ENT(m)->obj : NULL; }

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m) {
  capi_xdesc d;
  capi_memory_desc(ENT(m)->obj, &d);
  return wasm_externtype_as_memorytype(capi_externtype_from_desc(&d));
}

byte_t *wasm_memory_data(wasm_memory_t *m) { return (byte_t *)weld_memory_data(ENT(m)->obj); }
size_t wasm_memory_data_size(const wasm_memory_t *m) { return weld_memory_size(ENT(m)->obj); }
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m) {
  return (wasm_memory_pages_t)weld_memory_pages(ENT(m)->obj);
}
bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta) {
  return weld_memory_grow(ENT(m)->obj, delta) >= 0;
}

/* ---------- externs --------------------------------------------------------------------------------- */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *x) {
  switch (ENT(x)->kind) {
  case CAPI_GLOBAL: return WASM_EXTERN_GLOBAL;
  case CAPI_TABLE: return WASM_EXTERN_TABLE;
  case CAPI_MEMORY: return WASM_EXTERN_MEMORY;
  default: return WASM_EXTERN_FUNC;
  }
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *x) {
  capi_xdesc d;
  switch (ENT(x)->kind) {
  case CAPI_GLOBAL: capi_global_desc(ENT(x)->obj, &d); break;
  case CAPI_TABLE: capi_table_desc(ENT(x)->obj, &d); break;
  case CAPI_MEMORY: capi_memory_desc(ENT(x)->obj, &d); break;
  default: capi_func_desc(ENT(x)->obj, &d); break;
  }
  return capi_externtype_from_desc(&d);
}

#define CAPI_EXTERN_CONV(name, KIND)                                                        \
  wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) { return (wasm_extern_t *)x; } \
  const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) {           \
    return (const wasm_extern_t *)x;                                                       \
  }                                                                                        \
  wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *x) {                               \
    return x && ENT(x)->kind == KIND ? (wasm_##name##_t *)x : NULL;                        \
  }                                                                                        \
  const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *x) {           \
    return x && ENT(x)->kind == KIND ? (const wasm_##name##_t *)x : NULL;                  \
  }

CAPI_EXTERN_CONV(func, CAPI_FUNC)
CAPI_EXTERN_CONV(global, CAPI_GLOBAL)
CAPI_EXTERN_CONV(table, CAPI_TABLE)
CAPI_EXTERN_CONV(memory, CAPI_MEMORY)

wasm_extern_t *weld_wasm_extern(wasm_store_t *s, weld_extern x) {
  switch (x.kind) {
  case WELD_EXTERN_FUNC: return (wasm_extern_t *)capi_handle_new(capi_entity_of(s, CAPI_FUNC, x.of.func));
  case WELD_EXTERN_GLOBAL: return (wasm_extern_t *)capi_handle_new(capi_entity_of(s, CAPI_GLOBAL, x.of.global));
  case WELD_EXTERN_TABLE: return (wasm_extern_t *)capi_handle_new(capi_entity_of(s, CAPI_TABLE, x.of.table));
  case WELD_EXTERN_MEMORY: return (wasm_extern_t *)capi_handle_new(capi_entity_of(s, CAPI_MEMORY, x.of.memory));
  case WELD_EXTERN_TAG: /* not in the standard C API */
  case WELD_EXTERN_NONE: break;
  }
  return NULL;
}

static weld_extern extern_to_weld(const wasm_extern_t *x) {
  weld_extern w = {.kind = WELD_EXTERN_NONE};
  if (!x) return w;
  void *obj = ENT(x)->obj;
  switch (ENT(x)->kind) {
  case CAPI_FUNC: w.kind = WELD_EXTERN_FUNC; w.of.func = obj; break;
  case CAPI_GLOBAL: w.kind = WELD_EXTERN_GLOBAL; w.of.global = obj; break;
  case CAPI_TABLE: w.kind = WELD_EXTERN_TABLE; w.of.table = obj; break;
  case CAPI_MEMORY: w.kind = WELD_EXTERN_MEMORY; w.of.memory = obj; break;
  default: break;
  }
  return w;
}

/* ---------- instances ------------------------------------------------------------------------------ */

/* A link error (an import missing, of the wrong type or from another store) returns NULL
 * and, when `trap` is given, a trap with the reason, as for a trap in the start function. */
wasm_instance_t *wasm_instance_new(wasm_store_t *s, const wasm_module_t *m,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!s || !m) return NULL;
  size_t n = imports ? imports->size : 0;
  weld_extern *xs = util_try_calloc(n + 1, sizeof *xs);
  /* the module's code must outlive what instantiating puts in the store, even when it
   * fails (functions may already sit in imported tables): retained first */
  if (!xs || !capi_store_retain_module(s, ENT(m))) {
    free(xs);
    if (trap) *trap = capi_trap_oom();
    return NULL;
  }
  char msg[300];
  msg[0] = '\0';
  for (size_t i = 0; i < n && !msg[0]; i++) {
    const wasm_extern_t *x = imports->data[i];
    if (x && ENT(x)->store != s) snprintf(msg, sizeof msg, "import %zu belongs to another store", i);
    xs[i] = extern_to_weld(x);
  }
  weld_instance *inst = NULL;
  bool trapped = false;
  if (!msg[0]) inst = capi_instantiate(s->store, ENT(m)->obj, xs, n, msg, sizeof msg, &trapped);
  free(xs);
  if (!inst) {
    if (trap) *trap = trapped ? capi_trap_from_store(s, msg) : capi_trap_msg(msg);
    return NULL;
  }
  wasm_instance_t *h = (wasm_instance_t *)capi_handle_new(capi_entity_of(s, CAPI_INSTANCE, inst));
  if (!h && trap) *trap = capi_trap_oom();
  return h;
}

weld_instance *weld_wasm_instance(const wasm_instance_t *i) { return i ? ENT(i)->obj : NULL; }

void wasm_instance_exports(const wasm_instance_t *i, wasm_extern_vec_t *out) {
  weld_instance *inst = ENT(i)->obj;
  wasm_store_t *s = STORE_OF(i);
  /* the module's export list gives the count */
  size_t n = 0;
  while (capi_instance_export_at(inst, n).kind != WELD_EXTERN_NONE) n++;
  wasm_extern_vec_new_uninitialized(out, n);
  for (size_t k = 0; k < out->size; k++) {
    if ((out->data[k] = weld_wasm_extern(s, capi_instance_export_at(inst, k)))) continue;
    wasm_extern_vec_delete(out); /* out of memory: empty rather than partial */
    return;
  }
}

/* ---------- WASI on wasm.h objects -------------------------------------------------------------------- */

long weld_wasm_wasi_imports(weld_wasi *w, wasm_store_t *s, const wasm_module_t *m,
                            wasm_extern_vec_t *imports, weld_error **err) {
  const weld_module *wm = ENT(m)->obj;
  size_t n = weld_module_import_count(wm);
  if (imports->size < n) {
    /* the vector is the caller's: refuse rather than write past it */
    if (err) {
      util_error e;
      util_error_clear(&e);
      util_fail(&e, UTIL_ERR_USAGE, -1, "weld_wasm_wasi_imports: the import vector has %zu entries, the module %zu imports",
                imports->size, n);
      *err = api_error_from(&e);
    }
    return -1;
  }
  weld_import *found = util_try_calloc(n + 1, sizeof *found);
  if (!found) {
    if (err) {
      util_error e;
      util_error_clear(&e);
      util_fail(&e, UTIL_ERR_OOM, -1, "out of memory");
      *err = api_error_from(&e);
    }
    return -1;
  }
  long got = weld_wasi_imports(w, s->store, wm, found, err);
  bool oom = false;
  long filled = 0;
  for (long k = 0; k < got; k++) {
    for (size_t i = 0; i < n; i++) {
      const char *mod, *name;
      weld_externkind kind;
      weld_module_import(wm, i, &mod, &name, &kind);
      if (imports->data[i] || strcmp(mod, found[k].module) != 0 || strcmp(name, found[k].name) != 0)
        continue;
      imports->data[i] = weld_wasm_extern(s, found[k].item);
      if (imports->data[i]) filled++;
      else oom = true;
    }
  }
  free(found);
  if (got >= 0 && oom) {
    if (err) {
      util_error e;
      util_error_clear(&e);
      util_fail(&e, UTIL_ERR_OOM, -1, "out of memory");
      *err = api_error_from(&e);
    }
    return -1;
  }
  return got < 0 ? -1 : filled;
}
