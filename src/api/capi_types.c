/* wasm.h: vectors, value types, function / global / table / memory / extern types,
 * import and export types. Types are plain values: every one is its own allocation, and
 * the four kinds of extern type share one representation so that the as_externtype
 * conversions are casts. */
#include <stdlib.h>
#include <string.h>

#include "api/capi.h"
#include "util/util.h"

struct wasm_valtype_t {
  wasm_valkind_t kind;
};

/* One struct for the four extern types: the kind says which fields mean something. */
struct wasm_externtype_t {
  wasm_externkind_t kind;
  wasm_valtype_vec_t params, results; /* functions */
  wasm_valtype_t *content;            /* globals (value), tables (element) */
  wasm_mutability_t mutability;       /* globals */
  wasm_limits_t limits;               /* tables, memories */
};

struct wasm_importtype_t {
  wasm_name_t module, name;
  wasm_externtype_t *type;
};

struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t *type;
};

#define XT(p) ((wasm_externtype_t *)(p))
#define CXT(p) ((const wasm_externtype_t *)(p))

/* ---------- vectors ----------------------------------------------------------------------
 * Each vector kind gets the same five functions; pointer vectors own their elements and
 * copy them deeply with the element's own copy. new_uninitialized zeroes the storage, so a
 * vector of pointers starts out as NULLs (which delete skips). */

static void *vec_alloc(size_t n, size_t elem) { return n ? util_try_calloc(n, elem) : NULL; }

/* Out of memory leaves a vector empty (size 0, data NULL), as wasm.h's own
 * implementation does; a copy that cannot be made whole is empty too. */
#define CAPI_VEC_COMMON(name, elem_t)                                                       \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                             \
    out->size = 0;                                                                         \
    out->data = NULL;                                                                      \
  }                                                                                        \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size) {        \
    out->data = vec_alloc(size, sizeof(elem_t));                                           \
    out->size = out->data ? size : 0;                                                      \
  }                                                                                        \
  void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size, elem_t const data[]) { \
    wasm_##name##_vec_new_uninitialized(out, size);                                        \
    if (out->size) memcpy(out->data, data, size * sizeof(elem_t));                         \
    else if (size) vec_drop_##name(size, data); /* out of memory: what was handed over goes */ \
  }

/* Vectors of plain values (bytes). */
#define CAPI_VEC_PLAIN(name, elem_t)                                                        \
  CAPI_VEC_COMMON(name, elem_t)                                                            \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src) {  \
    wasm_##name##_vec_new(out, src->size, src->data);                                      \
  }                                                                                        \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                                  \
    free(v->data);                                                                         \
    v->data = NULL;                                                                        \
    v->size = 0;                                                                           \
  }

/* Vectors of owned pointers. */
#define CAPI_VEC_OWNED(name)                                                                \
  CAPI_VEC_COMMON(name, wasm_##name##_t *)                                                 \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src) {  \
    wasm_##name##_vec_new_uninitialized(out, src->size);                                   \
    for (size_t i = 0; i < out->size; i++) {                                               \
      out->data[i] = src->data[i] ? wasm_##name##_copy(src->data[i]) : NULL;               \
      if (src->data[i] && !out->data[i]) {                                                 \
        wasm_##name##_vec_delete(out);                                                     \
        return;                                                                            \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                                  \
    for (size_t i = 0; i < v->size; i++)                                                   \
      if (v->data[i]) wasm_##name##_delete(v->data[i]);                                    \
    free(v->data);                                                                         \
    v->data = NULL;                                                                        \
    v->size = 0;                                                                           \
  }

/* What wasm_X_vec_new does with the elements it was given when it cannot store them:
 * bytes need nothing, owned pointers and values are deleted (they were handed over). */
static void vec_drop_byte(size_t n, const wasm_byte_t *d) { (void)n, (void)d; }
#define CAPI_VEC_DROP(name)                                                                 \
  static void vec_drop_##name(size_t n, wasm_##name##_t *const *d) {                       \
    for (size_t i = 0; i < n; i++)                                                         \
      if (d[i]) wasm_##name##_delete(d[i]);                                                \
  }
CAPI_VEC_DROP(valtype)
CAPI_VEC_DROP(functype)
CAPI_VEC_DROP(globaltype)
CAPI_VEC_DROP(tabletype)
CAPI_VEC_DROP(memorytype)
CAPI_VEC_DROP(externtype)
CAPI_VEC_DROP(importtype)
CAPI_VEC_DROP(exporttype)
CAPI_VEC_DROP(frame)
CAPI_VEC_DROP(extern)
static void vec_drop_val(size_t n, const wasm_val_t *d) {
  for (size_t i = 0; i < n; i++) {
    wasm_val_t v = d[i];
    wasm_val_delete(&v);
  }
}

CAPI_VEC_PLAIN(byte, wasm_byte_t)
CAPI_VEC_OWNED(valtype)
CAPI_VEC_OWNED(functype)
CAPI_VEC_OWNED(globaltype)
CAPI_VEC_OWNED(tabletype)
CAPI_VEC_OWNED(memorytype)
CAPI_VEC_OWNED(externtype)
CAPI_VEC_OWNED(importtype)
CAPI_VEC_OWNED(exporttype)
CAPI_VEC_OWNED(frame)
CAPI_VEC_OWNED(extern)

/* Values own their references: copying copies them, deleting deletes them. */
CAPI_VEC_COMMON(val, wasm_val_t)
void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *src) {
  wasm_val_vec_new_uninitialized(out, src->size);
  for (size_t i = 0; i < out->size; i++) {
    wasm_val_copy(&out->data[i], &src->data[i]);
    if (wasm_valkind_is_ref(src->data[i].kind) && src->data[i].of.ref && !out->data[i].of.ref) {
      wasm_val_vec_delete(out);
      return;
    }
  }
}
void wasm_val_vec_delete(wasm_val_vec_t *v) {
  for (size_t i = 0; i < v->size; i++) wasm_val_delete(&v->data[i]);
  free(v->data);
  v->data = NULL;
  v->size = 0;
}

/* ---------- value types ------------------------------------------------------------------- */

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t k) {
  wasm_valtype_t *t = util_try_malloc(sizeof *t);
  if (!t) return NULL;
  t->kind = k;
  return t;
}
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t->kind; }
wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) { return wasm_valtype_new(t->kind); }
void wasm_valtype_delete(wasm_valtype_t *t) { free(t); }

wasm_valkind_t capi_valkind_from_weld(weld_valkind k) {
  switch (k) {
  case WELD_I32: return WASM_I32;
  case WELD_I64: return WASM_I64;
  case WELD_F32: return WASM_F32;
  case WELD_F64: return WASM_F64;
  case WELD_V128: return WELD_WASM_V128;
  case WELD_FUNCREF: return WASM_FUNCREF;
  case WELD_EXTERNREF: return WASM_EXTERNREF;
  case WELD_EXNREF: /* not in the standard C API */
  case WELD_ANYREF: break;
  }
  return WELD_WASM_V128;
}

bool capi_valkind_to_weld(wasm_valkind_t k, weld_valkind *out) {
  switch (k) {
  case WASM_I32: *out = WELD_I32; return true;
  case WASM_I64: *out = WELD_I64; return true;
  case WASM_F32: *out = WELD_F32; return true;
  case WASM_F64: *out = WELD_F64; return true;
  case WELD_WASM_V128: *out = WELD_V128; return true;
  case WASM_FUNCREF: *out = WELD_FUNCREF; return true;
  case WASM_EXTERNREF: *out = WELD_EXTERNREF; return true;
  default: return false;
  }
}

/* ---------- extern types -------------------------------------------------------------------- */

static wasm_externtype_t *xt_new(wasm_externkind_t kind) {
  wasm_externtype_t *t = util_try_calloc(1, sizeof *t);
  if (!t) return NULL;
  t->kind = kind;
  return t;
}

void wasm_externtype_delete(wasm_externtype_t *t) {
  if (!t) return;
  wasm_valtype_vec_delete(&t->params);
  wasm_valtype_vec_delete(&t->results);
  wasm_valtype_delete(t->content);
  free(t);
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t) {
  wasm_externtype_t *c = xt_new(t->kind);
  if (!c) return NULL;
  wasm_valtype_vec_copy(&c->params, &t->params);
  wasm_valtype_vec_copy(&c->results, &t->results);
  c->content = t->content ? wasm_valtype_copy(t->content) : NULL;
  c->mutability = t->mutability;
  c->limits = t->limits;
  if (c->params.size != t->params.size || c->results.size != t->results.size || (t->content && !c->content)) {
    wasm_externtype_delete(c);
    return NULL;
  }
  return c;
}

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) { return t->kind; }

/* The four specific types: their delete and copy are the extern type's, and the
 * conversions check the kind. */
#define CAPI_XT_KIND(name, KIND)                                                            \
  void wasm_##name##_delete(wasm_##name##_t *t) { wasm_externtype_delete(XT(t)); }         \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *t) {                          \
    return (wasm_##name##_t *)wasm_externtype_copy(CXT(t));                                \
  }                                                                                        \
  wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) { return XT(t); }     \
  const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t) {   \
    return CXT(t);                                                                         \
  }                                                                                        \
  wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t) {                       \
    return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;                             \
  }                                                                                        \
  const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *t) {   \
    return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;                       \
  }

CAPI_XT_KIND(functype, WASM_EXTERN_FUNC)
CAPI_XT_KIND(globaltype, WASM_EXTERN_GLOBAL)
CAPI_XT_KIND(tabletype, WASM_EXTERN_TABLE)
CAPI_XT_KIND(memorytype, WASM_EXTERN_MEMORY)

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results) {
  wasm_externtype_t *t = xt_new(WASM_EXTERN_FUNC);
  if (!t) { /* the vectors were handed over: they go */
    wasm_valtype_vec_delete(params);
    wasm_valtype_vec_delete(results);
    return NULL;
  }
  t->params = *params; /* ownership of the vectors and their elements moves here */
  t->results = *results;
  params->size = results->size = 0;
  params->data = results->data = NULL;
  return (wasm_functype_t *)t;
}
const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) { return &CXT(t)->params; }
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) { return &CXT(t)->results; }

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t m) {
  wasm_externtype_t *t = xt_new(WASM_EXTERN_GLOBAL);
  if (!t) {
    wasm_valtype_delete(content);
    return NULL;
  }
  t->content = content;
  t->mutability = m;
  return (wasm_globaltype_t *)t;
}
const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) { return CXT(t)->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) { return CXT(t)->mutability; }

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *elem, const wasm_limits_t *limits) {
  wasm_externtype_t *t = xt_new(WASM_EXTERN_TABLE);
  if (!t) {
    wasm_valtype_delete(elem);
    return NULL;
  }
  t->content = elem;
  t->limits = *limits;
  return (wasm_tabletype_t *)t;
}
const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) { return CXT(t)->content; }
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) { return &CXT(t)->limits; }

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits) {
  wasm_externtype_t *t = xt_new(WASM_EXTERN_MEMORY);
  if (!t) return NULL;
  t->limits = *limits;
  return (wasm_memorytype_t *)t;
}
const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) { return &CXT(t)->limits; }

/* Limits beyond 32 bits (memory64, which weld does not run) saturate. */
static uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

/* NULL when out of memory (a function's desc without kinds is one that ran out). */
wasm_externtype_t *capi_externtype_from_desc(capi_xdesc *d) {
  wasm_externtype_t *t = NULL;
  bool ok = true;
  switch (d->kind) {
  case WELD_EXTERN_FUNC:
    if (!d->kinds || !(t = xt_new(WASM_EXTERN_FUNC))) break;
    wasm_valtype_vec_new_uninitialized(&t->params, d->nparams);
    wasm_valtype_vec_new_uninitialized(&t->results, d->nresults);
    ok = t->params.size == d->nparams && t->results.size == d->nresults;
    for (uint32_t i = 0; ok && i < d->nparams; i++)
      ok = (t->params.data[i] = wasm_valtype_new(capi_valkind_from_weld(d->kinds[i]))) != NULL;
    for (uint32_t i = 0; ok && i < d->nresults; i++)
      ok = (t->results.data[i] = wasm_valtype_new(capi_valkind_from_weld(d->kinds[d->nparams + i]))) != NULL;
    break;
  case WELD_EXTERN_GLOBAL:
    if (!(t = xt_new(WASM_EXTERN_GLOBAL))) break;
    ok = (t->content = wasm_valtype_new(capi_valkind_from_weld(d->elem))) != NULL;
    t->mutability = d->mut ? WASM_VAR : WASM_CONST;
    break;
  case WELD_EXTERN_TABLE:
  case WELD_EXTERN_MEMORY:
    if (!(t = xt_new(d->kind == WELD_EXTERN_TABLE ? WASM_EXTERN_TABLE : WASM_EXTERN_MEMORY))) break;
    if (d->kind == WELD_EXTERN_TABLE) ok = (t->content = wasm_valtype_new(capi_valkind_from_weld(d->elem))) != NULL;
    t->limits.min = clamp32(d->min);
    t->limits.max = d->has_max ? clamp32(d->max) : wasm_limits_max_default;
    break;
  case WELD_EXTERN_TAG: /* not in the standard C API */
  case WELD_EXTERN_NONE: break;
  }
  free(d->kinds);
  d->kinds = NULL;
  if (!ok) {
    wasm_externtype_delete(t);
    return NULL;
  }
  return t;
}

/* ---------- import and export types --------------------------------------------------------- */

static void name_move(wasm_name_t *dst, wasm_name_t *src) {
  if (src) {
    *dst = *src;
    src->size = 0;
    src->data = NULL;
  } else {
    wasm_name_new_empty(dst);
  }
}

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name, wasm_externtype_t *type) {
  wasm_importtype_t *t = util_try_calloc(1, sizeof *t);
  if (!t) { /* what was handed over goes */
    if (module) wasm_name_delete(module);
    if (name) wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  name_move(&t->module, module);
  name_move(&t->name, name);
  t->type = type;
  return t;
}
void wasm_importtype_delete(wasm_importtype_t *t) {
  if (!t) return;
  wasm_name_delete(&t->module);
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  free(t);
}
wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t) {
  wasm_importtype_t *c = util_try_calloc(1, sizeof *c);
  if (!c) return NULL;
  wasm_name_copy(&c->module, &t->module);
  wasm_name_copy(&c->name, &t->name);
  c->type = t->type ? wasm_externtype_copy(t->type) : NULL;
  if (c->module.size != t->module.size || c->name.size != t->name.size || (t->type && !c->type)) {
    wasm_importtype_delete(c);
    return NULL;
  }
  return c;
}
const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) { return &t->module; }
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) { return &t->name; }
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) { return t->type; }

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type) {
  wasm_exporttype_t *t = util_try_calloc(1, sizeof *t);
  if (!t) {
    if (name) wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  name_move(&t->name, name);
  t->type = type;
  return t;
}
void wasm_exporttype_delete(wasm_exporttype_t *t) {
  if (!t) return;
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  free(t);
}
wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t) {
  wasm_exporttype_t *c = util_try_calloc(1, sizeof *c);
  if (!c) return NULL;
  wasm_name_copy(&c->name, &t->name);
  c->type = t->type ? wasm_externtype_copy(t->type) : NULL;
  if (c->name.size != t->name.size || (t->type && !c->type)) {
    wasm_exporttype_delete(c);
    return NULL;
  }
  return c;
}
const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) { return &t->name; }
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) { return t->type; }
