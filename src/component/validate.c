/* The component validator: builds each index space in definition order, resolves every
 * type to a comp_ctype, and checks the rules of the component model's binary format
 * explainer (Binary.md) and the Canonical ABI's signatures. Nested components and
 * component/instance/module types get their own scope; outer aliases walk the chain. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct vec {
  const void **v;
  size_t n, cap;
} vec;

typedef struct scope {
  struct scope *parent;
  uint32_t id;                   /* unique per scope in one validation */
  int kind;                      /* 0 component, 1 component type, 2 instance type, 3 core module type */
  vec sp[COMP_SORT_COUNT];       /* entries: comp_ctype* (core tables/memories/globals: ct_core_extern*) */
  vec imports, exports;          /* ct_extern* */
  vec cimports, cexports;        /* core module types: ct_core_extern* */
} scope;

typedef struct val {
  comp_info *ci;                 /* where each component's index spaces are recorded */
  util_arena *arena;
  util_error *err;
  uint32_t next_rid;
  uint32_t next_tid;
  uint32_t next_scope;
  unsigned depth;
} val;

static bool bad(val *v, uint32_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool bad(val *v, uint32_t off, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  util_vfail(v->err, UTIL_ERR_INVALID, off, fmt, ap);
  va_end(ap);
  return false;
}
static bool unsupported(val *v, uint32_t off, const char *what) {
  return util_fail(v->err, UTIL_ERR_LIMIT, off, "not supported: %s", what);
}
static bool oom(val *v) { return util_fail(v->err, UTIL_ERR_OOM, -1, "out of memory"); }

static bool push(val *v, vec *x, const void *p) {
  if (!UTIL_VEC_TRY_PUSH(x->v, x->n, x->cap, p)) return oom(v);
  return true;
}

static void scope_free(scope *s) {
  for (int i = 0; i < COMP_SORT_COUNT; i++) free(s->sp[i].v);
  free(s->imports.v);
  free(s->exports.v);
  free(s->cimports.v);
  free(s->cexports.v);
}

static void *new0(val *v, size_t n) {
  void *p = util_arena_try_alloc(v->arena, n ? n : 1);
  if (!p) oom(v);
  return p;
}

static comp_ctype *new_type(val *v, int kind) {
  comp_ctype *t = new0(v, sizeof *t);
  if (t) t->kind = (uint8_t)kind;
  return t;
}

/* Names compare by bytes; an absent one (NULL, as a module type's export has for its
 * module) is empty. */
static bool same(const wasm_name *a, const wasm_name *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
}

/* Names here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const char sort_names[COMP_SORT_COUNT][14] = {
    "core func", "core table", "core memory", "core global", "core type", "module", "core instance",
    "func", "value", "type", "component", "instance", "core tag"};
const char *comp_sort_name(int sort) { return sort >= 0 && sort < COMP_SORT_COUNT ? sort_names[sort] : "?"; }

static bool index_ok(val *v, scope *s, int sort, uint32_t idx, uint32_t off) {
  if (idx < s->sp[sort].n) return true;
  /* the reference tools' words: "module index", "function index" (core or not) */
  const char *what = sort == COMP_SORT_CORE_MODULE                         ? "module"
                     : sort == COMP_SORT_CORE_FUNC || sort == COMP_SORT_FUNC ? "function"
                     : sort == COMP_SORT_CORE_TAG                            ? "tag"
                                                                             : sort_names[sort];
  return bad(v, off, "unknown %s %u: %s index out of bounds", sort == COMP_SORT_CORE_TAG ? "tag" : sort_names[sort], idx,
             what);
}

static const comp_ctype *get(scope *s, int sort, uint32_t idx) { return s->sp[sort].v[idx]; }

/* ---------- value types --------------------------------------------------------------- */

static bool valtype(val *v, scope *s, comp_valtype t, uint32_t off, const comp_ctype **out) {
  if (comp_vt_is_prim(t)) { *out = ct_prim((uint8_t)t); return true; }
  if (!index_ok(v, s, COMP_SORT_TYPE, t, off)) return false;
  *out = get(s, COMP_SORT_TYPE, t);
  if (!ct_is_value((*out)->kind)) return bad(v, off, "type index %u is not a defined type", t);
  return true;
}

static void inherit(comp_ctype *t, const comp_ctype *e) {
  if (!e) return;
  t->has_borrow |= e->has_borrow;
  t->needs_memory |= e->needs_memory;
}

/* what: "record field" etc.; short: "field" etc. (the messages name both) */
static bool labels_unique(val *v, const comp_label *l, uint32_t n, uint32_t off, const char *what) {
  const char *sp = strchr(what, ' ');
  const char *short_ = sp ? sp + 1 : what;
  for (uint32_t i = 0; i < n; i++) {
    if (l[i].name.len == 0) return bad(v, off, "%s name cannot be empty", what);
    if (!comp_label_valid(&l[i].name)) return bad(v, off, "%s name `%s` is not in kebab case", what, l[i].name.str);
    for (uint32_t j = 0; j < i; j++)
      if (comp_names_conflict(&l[i].name, &l[j].name))
        return bad(v, off, "%s name `%s` conflicts with previous %s name `%s`", what, l[i].name.str, short_,
                   l[j].name.str);
  }
  return true;
}

static bool labelled(val *v, scope *s, const comp_type *d, comp_ctype *t, bool typed_required, const char *what) {
  if (!labels_unique(v, d->labels, d->n, d->offset, what)) return false;
  t->n = d->n;
  wasm_name *names = new0(v, d->n * sizeof *names);
  const comp_ctype **el = new0(v, d->n * sizeof *el);
  if (!names || !el) return false;
  for (uint32_t i = 0; i < d->n; i++) {
    names[i] = d->labels[i].name;
    if (d->labels[i].has_type || typed_required) {
      if (!valtype(v, s, d->labels[i].type, d->offset, &el[i])) return false;
      inherit(t, el[i]);
    }
  }
  t->names = names;
  t->elems = el;
  return true;
}

static bool scope_body(val *v, scope *s, const comp_decl *decls, uint32_t n);

static bool deftype(val *v, scope *s, const comp_type *d, const comp_ctype **out) {
  uint32_t off = d->offset;
  comp_ctype *t = NULL;
  if (comp_is_primcode(d->code)) { *out = ct_prim(d->code); return true; }
  switch (d->code) {
  case COMP_T_RECORD:
    if (d->n == 0) return bad(v, off, "record type must have at least one field");
    if (!(t = new_type(v, CT_RECORD)) || !labelled(v, s, d, t, true, "record field")) return false;
    break;
  case COMP_T_VARIANT:
    if (d->n == 0) return bad(v, off, "variant type must have at least one case");
    if (!(t = new_type(v, CT_VARIANT)) || !labelled(v, s, d, t, false, "variant case")) return false;
    break;
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
    if (d->n == 0)
      return bad(v, off, d->code == COMP_T_FLAGS ? "flags must have at least one entry" : "enum type must have at least one variant");
    if (d->code == COMP_T_FLAGS && d->n > 32) return bad(v, off, "cannot have more than 32 flags");
    if (!(t = new_type(v, d->code == COMP_T_FLAGS ? CT_FLAGS : CT_ENUM)) ||
        !labelled(v, s, d, t, false, d->code == COMP_T_FLAGS ? "flag" : "enum tag"))
      return false;
    t->elems = NULL;
    break;
  case COMP_T_TUPLE: {
    if (d->n == 0) return bad(v, off, "tuple type must have at least one type");
    if (!(t = new_type(v, CT_TUPLE))) return false;
    const comp_ctype **el = new0(v, d->n * sizeof *el);
    if (!el) return false;
    for (uint32_t i = 0; i < d->n; i++) {
      if (!valtype(v, s, d->types[i], off, &el[i])) return false;
      inherit(t, el[i]);
    }
    t->n = d->n;
    t->elems = el;
    break;
  }
  case COMP_T_LIST:
  case COMP_T_OPTION:
  case COMP_T_FIXED_LIST:
  case COMP_T_MAP:
  case COMP_T_RESULT:
  case COMP_T_STREAM:
  case COMP_T_FUTURE: {
    static const uint8_t kinds[0x80] = {[COMP_T_LIST] = CT_LIST, [COMP_T_OPTION] = CT_OPTION,
                                        [COMP_T_FIXED_LIST] = CT_FIXED_LIST, [COMP_T_MAP] = CT_MAP,
                                        [COMP_T_RESULT] = CT_RESULT, [COMP_T_STREAM] = CT_STREAM,
                                        [COMP_T_FUTURE] = CT_FUTURE};
    if (!(t = new_type(v, kinds[d->code]))) return false;
    if (d->has_a && !valtype(v, s, d->a, off, &t->a)) return false;
    if (d->has_b && !valtype(v, s, d->b, off, &t->b)) return false;
    inherit(t, t->a);
    inherit(t, t->b);
    if (d->code == COMP_T_LIST || d->code == COMP_T_MAP) t->needs_memory = true;
    if (d->code == COMP_T_FIXED_LIST) {
      if (d->len == 0) return bad(v, off, "fixed-length list must have at least one element");
      t->len = d->len;
    }
    if (d->code == COMP_T_STREAM && t->a && t->a->kind == CT_PRIM && t->a->prim == COMP_T_CHAR)
      return bad(v, off, "`stream<char>` is not valid at this time");
    break;
  }
  case COMP_T_OWN:
  case COMP_T_BORROW:
    if (!index_ok(v, s, COMP_SORT_TYPE, d->a, off)) return false;
    if (get(s, COMP_SORT_TYPE, d->a)->kind != CT_RESOURCE) return bad(v, off, "type index %u is not a resource type", d->a);
    if (!(t = new_type(v, d->code == COMP_T_OWN ? CT_OWN : CT_BORROW))) return false;
    t->a = get(s, COMP_SORT_TYPE, d->a);
    t->has_borrow = d->code == COMP_T_BORROW;
    break;
  case COMP_T_FUNC:
  case COMP_T_ASYNC_FUNC:
    if (!(t = new_type(v, CT_FUNC)) || !labelled(v, s, d, t, true, "function parameter")) return false;
    t->async = d->code == COMP_T_ASYNC_FUNC;
    if (d->has_a) {
      if (!valtype(v, s, d->a, off, &t->a)) return false;
      if (t->a->has_borrow) return bad(v, off, "function result cannot contain a `borrow` type");
    }
    break;
  case COMP_T_COMPONENT:
  case COMP_T_INSTANCE: {
    scope inner = {.parent = s, .id = ++v->next_scope, .kind = d->code == COMP_T_COMPONENT ? 1 : 2};
    uint32_t lo = v->next_rid;
    bool ok = scope_body(v, &inner, d->decls, d->n);
    if (ok && (t = new_type(v, d->code == COMP_T_COMPONENT ? CT_COMPONENT : CT_INSTANCE))) {
      t->rid_lo = lo;
      t->rid_hi = v->next_rid;
      t->nimports = inner.imports.n;
      t->nexports = inner.exports.n;
      t->imports = new0(v, inner.imports.n * sizeof *t->imports);
      t->exports = new0(v, inner.exports.n * sizeof *t->exports);
      if (!t->imports || !t->exports) ok = false;
      for (uint32_t i = 0; ok && i < inner.imports.n; i++) t->imports[i] = *(const ct_extern *)inner.imports.v[i];
      for (uint32_t i = 0; ok && i < inner.exports.n; i++) t->exports[i] = *(const ct_extern *)inner.exports.v[i];
    }
    scope_free(&inner);
    if (!ok || !t) return false;
    break;
  }
  case COMP_T_RESOURCE:
    if (s->kind != 0) return bad(v, off, "resources can only be defined within a concrete component");
    if (d->has_dtor) {
      if (!index_ok(v, s, COMP_SORT_CORE_FUNC, d->dtor, off)) return false;
      const comp_ctype *f = get(s, COMP_SORT_CORE_FUNC, d->dtor);
      static const wasm_vtype i32 = WASM_I32;
      wasm_functype want = {1, 0, &i32, NULL};
      if (f && !ct_core_func_eq(&f->ft, &want)) return bad(v, off, "wrong signature for a destructor: expected [i32] -> []");
    }
    if (!(t = new_type(v, CT_RESOURCE))) return false;
    t->rid = v->next_rid++;
    t->home = s->id;
    break;
  default: return bad(v, off, "unknown type code 0x%x", d->code);
  }
  t->origin = CT_DEFINED;
  if (t->kind == CT_RECORD || t->kind == CT_VARIANT || t->kind == CT_ENUM || t->kind == CT_FLAGS) t->tid = ++v->next_tid;
  t->scope_id = s->id;
  t->scope_kind = (uint8_t)s->kind;
  if (ct_is_value(t->kind)) {
    ct_layout(t);
    if (t->size > CT_MAX_VALUE_SIZE || t->size64 > CT_MAX_VALUE_SIZE) return bad(v, off, "type exceeds maximum byte size (%u bytes)", CT_MAX_VALUE_SIZE);
  }
  *out = t;
  return true;
}

/* ---------- core types ----------------------------------------------------------------- */

static bool core_extern(val *v, scope *s, const wasm_import *imp, uint32_t off, ct_core_extern *e) {
  e->kind = imp->kind;
  switch (imp->kind) {
  case WASM_EXTERN_FUNC:
    if (!index_ok(v, s, COMP_SORT_CORE_TYPE, imp->u.func_type, off)) return false;
    e->func = get(s, COMP_SORT_CORE_TYPE, imp->u.func_type);
    if (e->func->kind != CT_CORE_FUNC) return bad(v, off, "core type index %u is not a function type", imp->u.func_type);
    return true;
  case WASM_EXTERN_TABLE: e->table = imp->u.table; break;
  case WASM_EXTERN_MEMORY: e->memory = imp->u.memory; break;
  default: e->global = imp->u.global; break;
  }
  const wasm_limits *l = imp->kind == WASM_EXTERN_TABLE ? &imp->u.table.limits
                         : imp->kind == WASM_EXTERN_MEMORY ? &imp->u.memory.limits : NULL;
  if (l && l->has_max && l->max < l->min) return bad(v, off, "size minimum must not be greater than maximum");
  if (imp->kind == WASM_EXTERN_MEMORY && (l->min > 65536 || (l->has_max && l->max > 65536)))
    return bad(v, off, "memory size must be at most 65536 pages (4GiB)");
  return true;
}

static bool core_type(val *v, scope *s, const comp_core_type *d, const comp_ctype **out) {
  comp_ctype *t;
  if (d->code == 0x60) {
    if (!(t = new_type(v, CT_CORE_FUNC))) return false;
    t->ft = d->ft;
    *out = t;
    return true;
  }
  scope inner = {.parent = s, .id = ++v->next_scope, .kind = 3};
  bool ok = true;
  for (uint32_t i = 0; ok && i < d->ndecls; i++) {
    const comp_core_decl *c = &d->decls[i];
    switch (c->kind) {
    case 0:
    case 3: {
      ct_core_extern *e = new0(v, sizeof *e);
      ok = e && core_extern(v, &inner, &c->imp, c->offset, e);
      if (!ok) break;
      e->module = c->imp.module;
      e->name = c->imp.field;
      vec *list = c->kind == 0 ? &inner.cimports : &inner.cexports;
      for (uint32_t j = 0; ok && j < list->n; j++) {
        const ct_core_extern *o = list->v[j];
        bool same_name = same(&o->name, &e->name), same_module = same(&o->module, &e->module);
        if (c->kind == 3 && same_name) ok = bad(v, c->offset, "export name `%s` already defined", e->name.str);
        else if (c->kind == 0 && same_name && same_module)
          ok = bad(v, c->offset, "duplicate import name `%s:%s`", e->module.str, e->name.str);
      }
      ok = ok && push(v, list, e);
      break;
    }
    case 1: {
      const comp_ctype *ct;
      ok = core_type(v, &inner, c->type, &ct) && push(v, &inner.sp[COMP_SORT_CORE_TYPE], ct);
      break;
    }
    default: /* outer alias of a core type: ct 1 is the enclosing scope */
      if (c->ct != 1) { ok = bad(v, c->offset, "invalid outer alias count of %u", c->ct); break; }
      ok = index_ok(v, s, COMP_SORT_CORE_TYPE, c->idx, c->offset);
      if (ok && get(s, COMP_SORT_CORE_TYPE, c->idx)->kind == CT_CORE_MODULE)
        ok = bad(v, c->offset, "cannot alias a module type into a module type");
      if (ok) ok = push(v, &inner.sp[COMP_SORT_CORE_TYPE], get(s, COMP_SORT_CORE_TYPE, c->idx));
      break;
    }
  }
  if (ok && (t = new_type(v, CT_CORE_MODULE))) {
    t->ncimports = inner.cimports.n;
    t->ncexports = inner.cexports.n;
    t->cimports = new0(v, t->ncimports * sizeof *t->cimports);
    t->cexports = new0(v, t->ncexports * sizeof *t->cexports);
    if (!t->cimports || !t->cexports) ok = false;
    for (uint32_t i = 0; ok && i < t->ncimports; i++) t->cimports[i] = *(const ct_core_extern *)inner.cimports.v[i];
    for (uint32_t i = 0; ok && i < t->ncexports; i++) t->cexports[i] = *(const ct_core_extern *)inner.cexports.v[i];
    *out = t;
  } else {
    ok = false;
  }
  scope_free(&inner);
  return ok;
}

/* The type of a decoded (and validated) core module. */
static bool module_type(val *v, const wasm_module *m, const comp_ctype **out) {
  comp_ctype *t = new_type(v, CT_CORE_MODULE);
  if (!t) return false;
  t->ncimports = m->nimports;
  t->ncexports = m->nexports;
  t->cimports = new0(v, m->nimports * sizeof *t->cimports);
  t->cexports = new0(v, m->nexports * sizeof *t->cexports);
  if (!t->cimports || !t->cexports) return false;
  for (int pass = 0; pass < 2; pass++) {
    uint32_t n = pass ? m->nexports : m->nimports;
    for (uint32_t i = 0; i < n; i++) {
      ct_core_extern *e = pass ? &t->cexports[i] : &t->cimports[i];
      uint8_t kind = pass ? m->exports[i].kind : m->imports[i].kind;
      uint32_t idx = pass ? m->exports[i].index : 0;
      e->kind = kind;
      if (pass) e->name = m->exports[i].name;
      else { e->module = m->imports[i].module; e->name = m->imports[i].field; }
      switch (kind) {
      case WASM_EXTERN_FUNC: {
        comp_ctype *f = new_type(v, CT_CORE_FUNC);
        if (!f) return false;
        f->ft = pass ? *wasm_ir_func_type(m, idx) : m->types[m->imports[i].u.func_type];
        e->func = f;
        break;
      }
      case WASM_EXTERN_TABLE: e->table = pass ? m->tables[idx].type : m->imports[i].u.table; break;
      case WASM_EXTERN_MEMORY: e->memory = pass ? m->memories[idx].type : m->imports[i].u.memory; break;
      case WASM_EXTERN_TAG: {
        comp_ctype *f = new_type(v, CT_CORE_FUNC);
        if (!f) return false;
        f->ft = m->types[pass ? m->tags[idx].type : m->imports[i].u.tag_type];
        e->func = f; /* the tag's payload type */
        break;
      }
      default: e->global = pass ? m->globals[idx].type : m->imports[i].u.global; break;
      }
    }
  }
  *out = t;
  return true;
}

/* ---------- externs, names ---------------------------------------------------------------- */

static int ext_sort(uint8_t kind) {
  static const int s[] = {COMP_SORT_CORE_MODULE, COMP_SORT_FUNC, COMP_SORT_VALUE, COMP_SORT_TYPE,
                          COMP_SORT_COMPONENT, COMP_SORT_INSTANCE};
  return s[kind];
}
static int sort_ext(int sort) {
  switch (sort) {
  case COMP_SORT_CORE_MODULE: return COMP_EXT_MODULE;
  case COMP_SORT_FUNC: return COMP_EXT_FUNC;
  case COMP_SORT_VALUE: return COMP_EXT_VALUE;
  case COMP_SORT_TYPE: return COMP_EXT_TYPE;
  case COMP_SORT_COMPONENT: return COMP_EXT_COMPONENT;
  case COMP_SORT_INSTANCE: return COMP_EXT_INSTANCE;
  default: return -1;
  }
}

static bool externdesc(val *v, scope *s, const comp_externdesc *d, uint32_t off, const comp_ctype **out) {
  switch (d->kind) {
  case COMP_EXT_MODULE:
    if (!index_ok(v, s, COMP_SORT_CORE_TYPE, d->idx, off)) return false;
    *out = get(s, COMP_SORT_CORE_TYPE, d->idx);
    if ((*out)->kind != CT_CORE_MODULE) return bad(v, off, "core type index %u is not a module type", d->idx);
    return true;
  case COMP_EXT_VALUE: return unsupported(v, off, "value imports and exports");
  case COMP_EXT_TYPE:
    if (d->bound == 1) {
      comp_ctype *r = new_type(v, CT_RESOURCE);
      if (!r) return false;
      r->rid = v->next_rid++;
      *out = r;
      return true;
    }
    if (!index_ok(v, s, COMP_SORT_TYPE, d->idx, off)) return false;
    *out = get(s, COMP_SORT_TYPE, d->idx);
    return true;
  default: {
    static const int want[] = {0, CT_FUNC, 0, 0, CT_COMPONENT, CT_INSTANCE};
    static const char what[][12] = {"", "a function", "", "", "a component", "an instance"};
    if (!index_ok(v, s, COMP_SORT_TYPE, d->idx, off)) return false;
    *out = get(s, COMP_SORT_TYPE, d->idx);
    if ((*out)->kind != want[d->kind]) return bad(v, off, "type index %u is not %s type", d->idx, what[d->kind]);
    return true;
  }
  }
}

/* An import of an instance type, or an instance declared in a component or instance
 * type, stands for an instance of its own: the abstract resources its type exports
 * (`(sub resource)`, made while the type was checked) become fresh ones at each use. */
static bool fresh_instance(val *v, uint8_t kind, const comp_ctype **t) {
  if (kind != COMP_EXT_INSTANCE || (*t)->rid_lo >= (*t)->rid_hi) return true;
  ct_subst sub = {.arena = v->arena, .next_rid = &v->next_rid, .fresh_lo = (*t)->rid_lo, .fresh_hi = (*t)->rid_hi};
  const comp_ctype *f = ct_apply(*t, &sub);
  ct_subst_free(&sub);
  if (!f) return oom(v);
  *t = f;
  return true;
}

/* Name rules shared by imports, exports and inline exports. */
static bool check_name(val *v, scope *s, const comp_extname *n, uint8_t kind, bool import, vec *seen) {
  const char *what = import ? "import" : "export";
  if (n->prefix == 0xff)
    return bad(v, n->offset, "duplicate '%s' option in name",
               n->implements.len == 0 ? "implements" : n->implements.len == 1 ? "versionsuffix" : "external-id");
  char buf[128];
  const char *why = comp_name_check(&n->name, import, buf, sizeof buf);
  if (why) return bad(v, n->offset, "%s name `%s` is not a valid extern name: %s", what, n->name.str, why);
  if (n->has_implements) {
    if (kind != COMP_EXT_INSTANCE) return bad(v, n->offset, "only instances can have an `implements`");
    if (n->implements.len == 0) return bad(v, n->offset, "`implements` name is not a valid name");
    if (!memchr(n->implements.str, ':', n->implements.len) || comp_name_check(&n->implements, false, buf, sizeof buf))
      return bad(v, n->offset, "`implements` name `%s` must be an interface", n->implements.str);
    if (memchr(n->name.str, ':', n->name.len))
      return bad(v, n->offset, "name `%s` is not valid with `implements`", n->name.str);
  }
  for (uint32_t i = 0; i < seen->n; i++) {
    const ct_extern *e = seen->v[i];
    if (e->name.len == n->name.len && memcmp(e->name.str, n->name.str, n->name.len) == 0)
      return bad(v, n->offset, "%s name `%s` conflicts with previous name `%s`: name `%s` already defined", what,
                 n->name.str, e->name.str, n->name.str);
    if (comp_extern_names_conflict(&e->name, &n->name))
      return bad(v, n->offset, "%s name `%s` conflicts with previous name `%s`", what, n->name.str, e->name.str);
  }
  return true;
}

/* An annotated name's resource is named in the same namespace as the annotated name
 * (imports or exports, which are disjoint): label must be one of the names r has there
 * (a resource imported as `b` and exported as `c` has a name in each). */
static bool resource_named(val *v, const vec *x, uint32_t off, const comp_ctype *r, const wasm_name *label, bool bag) {
  const wasm_name *first = NULL;
  for (uint32_t i = 0; i < x->n; i++) {
    const ct_extern *e = x->v[i];
    /* a type exported by a bag of inline exports is a new type, which no function type
     * refers to: it names nothing here */
    if (bag || e->kind != COMP_EXT_TYPE || e->type->kind != CT_RESOURCE || e->type->rid != r->rid) continue;
    if (e->name.len == label->len && memcmp(e->name.str, label->str, label->len) == 0) return true;
    if (!first) first = &e->name;
  }
  if (!first) return bad(v, off, "resource used in function does not have a name in this context");
  return bad(v, off, "function does not match expected resource name `%s`", first->str);
}

/* The instance types an export is looked through, innermost first: a resource one of
 * them exports as a type is named by that export (a bag of exports or an instance
 * exported whole makes its resources explicit). */
typedef struct inst_chain {
  const comp_ctype *t;
  const struct inst_chain *up;
} inst_chain;

/* Whether a is b, or a copy of it (an import or export of it): resources by their
 * identity, the other nominal types by theirs. */
static bool same_nominal(const comp_ctype *a, const comp_ctype *b) {
  if (a->kind != b->kind) return false;
  return a->kind == CT_RESOURCE ? a->rid == b->rid : a == b || (a->tid && a->tid == b->tid);
}

/* Whether the instance type t, or an instance it exports, exports the type n. */
static bool inst_exports_type(const comp_ctype *t, const comp_ctype *n, unsigned depth) {
  if (depth > 100) return false;
  for (uint32_t i = 0; i < t->nexports; i++) {
    const ct_extern *e = &t->exports[i];
    if (e->kind == COMP_EXT_TYPE && same_nominal(e->type, n)) return true;
    if (e->kind == COMP_EXT_INSTANCE && inst_exports_type(e->type, n, depth + 1)) return true;
  }
  return false;
}

/* Whether an enclosing instance type of the chain, or an instance this component
 * exports whole, exports the type n (which names it). */
static bool exports_type(const inst_chain *c, const scope *s, const comp_ctype *n) {
  for (; c; c = c->up)
    if (inst_exports_type(c->t, n, 0)) return true;
  for (uint32_t i = 0; i < s->exports.n; i++) {
    const ct_extern *e = s->exports.v[i];
    if (e->kind == COMP_EXT_INSTANCE && inst_exports_type(e->type, n, 0)) return true;
  }
  return false;
}

/* Exports may only use types this component names by an import or export (or that come
 * from elsewhere); imports only imported ones. Nominal types (records, variants, enums,
 * flags, resources) are checked where they are used; the rest is looked through. */
static bool nameable(const comp_ctype *t, const scope *s, bool import, bool self, unsigned depth, const inst_chain *in) {
  if (!t || depth > 100) return true;
  switch (t->kind) {
  case CT_RECORD: case CT_VARIANT: case CT_ENUM: case CT_FLAGS: case CT_RESOURCE:
    if (!self) {
      if (t->scope_id != s->id) {
        /* made elsewhere: by a component or instance type, which names its types by
         * its own imports and exports; by another component (an enclosing one, through
         * an outer alias, or an instantiated child, through an alias of its instance's
         * export), which names nothing here; or by no scope at all */
        if (t->scope_id == 0) return true;
        if (t->scope_kind != 0) return t->origin != CT_DEFINED;
        return !import && exports_type(in, s, t);
      }
      if (!import && exports_type(in, s, t)) return true;
      return import ? t->origin == CT_IMPORTED : (t->origin == CT_IMPORTED || t->origin == CT_EXPORTED);
    }
    break;
  default: break;
  }
  if (t->kind == CT_FLAGS || t->kind == CT_ENUM || t->kind == CT_RESOURCE || t->kind == CT_PRIM) return true;
  if (!nameable(t->a, s, import, false, depth + 1, in) || !nameable(t->b, s, import, false, depth + 1, in)) return false;
  if (t->elems)
    for (uint32_t i = 0; i < t->n; i++)
      if (!nameable(t->elems[i], s, import, false, depth + 1, in)) return false;
  /* the types an instance or component type exports (or imports) are named by it */
  for (uint32_t i = 0; i < t->nimports; i++)
    if (!nameable(t->imports[i].type, s, import, t->imports[i].kind == COMP_EXT_TYPE, depth + 1, in)) return false;
  inst_chain here = {t, in};
  for (uint32_t i = 0; i < t->nexports; i++)
    if (!nameable(t->exports[i].type, s, import, t->exports[i].kind == COMP_EXT_TYPE, depth + 1,
                  t->kind == CT_INSTANCE ? &here : in))
      return false;
  return true;
}

static bool check_nameable(val *v, const scope *s, uint32_t off, uint8_t kind, const comp_ctype *t, bool import) {
  /* concrete components and component types check at once; an instance type is
   * checked where it is imported or exported */
  if (s->kind >= 2 || kind == COMP_EXT_MODULE) return true;
  if (nameable(t, s, import, kind == COMP_EXT_TYPE, 0, NULL)) return true;
  return bad(v, off, "%s not valid to be used as %s", comp_extern_kind_name(kind), import ? "import" : "export");
}

/* [constructor]r, [method]r.m and [static]r.m: functions of a resource named r here. */
/* names: the imports or exports the name is one of (also where a [static] resource may
 * be named: `other`, when not NULL); bag: a bag of inline exports. */
static bool annotated_in(val *v, const vec *names, const vec *other, const comp_extname *n, uint8_t kind,
                         const comp_ctype *t, bool bag) {
  int ann;
  wasm_name res;
  uint32_t off = n->offset;
  if (!comp_name_resource(&n->name, &res, &ann)) return true;
  if (kind != COMP_EXT_FUNC) return bad(v, off, "item `%s` is not a func", n->name.str);
  if (ann == COMP_ANN_CONSTRUCTOR) {
    if (!t->a) return bad(v, off, "function should return one value");
    const comp_ctype *r = t->a;
    if (r->kind == CT_RESULT && r->a) r = r->a;
    if (r->kind != CT_OWN) return bad(v, off, "function should return `(own $T)` or `(result (own $T))`");
    return resource_named(v, names, off, r->a, &res, bag);
  }
  if (ann == COMP_ANN_METHOD) {
    if (t->n == 0) return bad(v, off, "function should have at least one argument");
    if (t->names[0].len != 4 || memcmp(t->names[0].str, "self", 4) != 0)
      return bad(v, off, "function should have a first argument called `self`");
    if (t->elems[0]->kind != CT_BORROW) return bad(v, off, "function should take a first argument of `(borrow $T)`");
    return resource_named(v, names, off, t->elems[0]->a, &res, bag);
  }
  /* [static]: a resource of that name must be in scope */
  for (int pass = 0; pass < 2; pass++) {
    const vec *x = pass ? other : names;
    for (uint32_t i = 0; x && i < x->n; i++) {
      const ct_extern *e = x->v[i];
      if (e->kind == COMP_EXT_TYPE && e->type->kind == CT_RESOURCE && e->name.len == res.len &&
          memcmp(e->name.str, res.str, res.len) == 0)
        return true;
    }
  }
  return bad(v, off, "static resource name is not known in this context: `%.*s`", (int)res.len, res.str);
}

static bool check_annotated(val *v, scope *s, const comp_extname *n, uint8_t kind, const comp_ctype *t, bool import) {
  return annotated_in(v, import ? &s->imports : &s->exports, import ? &s->exports : &s->imports, n, kind, t, false);
}

/* Exporting an instance names the types it exports (and those of the instances it
 * exports): a copy of its type whose type exports are new exported types of scope s.
 * NULL when out of memory. */
static const comp_ctype *confer_names(val *v, scope *s, const comp_ctype *t, unsigned depth) {
  if (depth > 100 || t->kind != CT_INSTANCE) return t;
  comp_ctype *c = new0(v, sizeof *c);
  ct_extern *ex = new0(v, (t->nexports ? t->nexports : 1) * sizeof *ex);
  if (!c || !ex) return NULL;
  *c = *t;
  for (uint32_t i = 0; i < t->nexports; i++) {
    ex[i] = t->exports[i];
    if (ex[i].kind == COMP_EXT_TYPE) {
      comp_ctype *named = new0(v, sizeof *named);
      if (!named) return NULL;
      *named = *ex[i].type;
      named->origin = CT_EXPORTED;
      named->scope_id = s->id;
    named->scope_kind = (uint8_t)s->kind;
      named->scope_kind = (uint8_t)s->kind;
      ex[i].type = named;
    } else if (ex[i].kind == COMP_EXT_INSTANCE && !(ex[i].type = confer_names(v, s, ex[i].type, depth + 1))) {
      return NULL;
    }
  }
  c->exports = ex;
  return c;
}

static bool add_extern(val *v, scope *s, vec *list, const comp_extname *n, uint8_t kind, const comp_ctype *t,
                       bool add_index) {
  ct_extern *e = new0(v, sizeof *e);
  if (!e) return false;
  if (kind == COMP_EXT_INSTANCE && list == &s->exports && s->kind == 0 && !(t = confer_names(v, s, t, 0))) return false;
  if (kind == COMP_EXT_TYPE && (list == &s->imports || list == &s->exports)) {
    /* an import or export of a type introduces a new type index naming it (an inline
     * export of a bag of exports does not: it names nothing outside) */
    comp_ctype *named = new0(v, sizeof *named);
    if (!named) return false;
    *named = *t;
    named->origin = list == &s->imports ? CT_IMPORTED : CT_EXPORTED;
    if (list == &s->imports && t->kind != CT_RESOURCE) named->rid = v->next_rid++;
    named->scope_id = s->id;
    named->scope_kind = (uint8_t)s->kind;
    t = named;
  }
  e->name = n->name;
  e->kind = kind;
  e->type = t;
  if (!push(v, list, e)) return false;
  if (!add_index) return true;
  int sort = ext_sort(kind);
  return push(v, &s->sp[sort], t);
}

/* ---------- declarators of component and instance types ---------------------------------- */

static bool alias(val *v, scope *s, const comp_alias *a);

static bool scope_body(val *v, scope *s, const comp_decl *decls, uint32_t n) {
  if (++v->depth > 200) return unsupported(v, 0, "types nested deeper than 200 levels");
  bool ok = true;
  for (uint32_t i = 0; ok && i < n; i++) {
    const comp_decl *d = &decls[i];
    const comp_ctype *t;
    switch (d->kind) {
    case COMP_DECL_CORE_TYPE:
      ok = core_type(v, s, d->core_type, &t) && push(v, &s->sp[COMP_SORT_CORE_TYPE], t);
      break;
    case COMP_DECL_TYPE:
      ok = deftype(v, s, d->type, &t) && push(v, &s->sp[COMP_SORT_TYPE], t);
      break;
    case COMP_DECL_ALIAS: {
      /* in component and instance types: export aliases of types and instances, outer
       * aliases of types and core types */
      int so = d->alias.sort;
      bool allowed = d->alias.target == 2 ? so == COMP_SORT_TYPE || so == COMP_SORT_CORE_TYPE
                                          : so == COMP_SORT_TYPE || so == COMP_SORT_INSTANCE;
      if ((s->kind == 1 || s->kind == 2) && !allowed)
        ok = bad(v, d->offset, "%s type aliases may only refer to types or instances", s->kind == 1 ? "component" : "instance");
      else ok = alias(v, s, &d->alias);
      break;
    }
    default: {
      bool imp = d->kind == COMP_DECL_IMPORT;
      vec *list = imp ? &s->imports : &s->exports;
      ok = check_name(v, s, &d->name, d->desc.kind, imp, list) && externdesc(v, s, &d->desc, d->offset, &t) &&
           fresh_instance(v, d->desc.kind, &t) && check_annotated(v, s, &d->name, d->desc.kind, t, imp) &&
           check_nameable(v, s, d->offset, d->desc.kind, t, imp) && add_extern(v, s, list, &d->name, d->desc.kind, t, true);
      break;
    }
    }
  }
  v->depth--;
  return ok;
}

/* ---------- aliases -------------------------------------------------------------------------- */

/* Whether t names a resource type anywhere inside it. */
static bool refers_to_resources(const comp_ctype *t, unsigned depth) {
  if (!t || depth > 500) return false;
  if (t->kind == CT_RESOURCE) return true;
  if (t->kind == CT_PRIM || t->kind == CT_CORE_FUNC || t->kind == CT_CORE_MODULE) return false;
  if (refers_to_resources(t->a, depth + 1) || refers_to_resources(t->b, depth + 1)) return true;
  if (t->elems)
    for (uint32_t i = 0; i < t->n; i++)
      if (refers_to_resources(t->elems[i], depth + 1)) return true;
  for (uint32_t i = 0; i < t->nimports; i++)
    if (refers_to_resources(t->imports[i].type, depth + 1)) return true;
  for (uint32_t i = 0; i < t->nexports; i++)
    if (refers_to_resources(t->exports[i].type, depth + 1)) return true;
  return false;
}

/* The sort of a core instance's export of a kind (wasm_externkind). */
static int core_kind_sort(uint8_t kind) {
  switch (kind) {
  case WASM_EXTERN_FUNC: return COMP_SORT_CORE_FUNC;
  case WASM_EXTERN_TABLE: return COMP_SORT_CORE_TABLE;
  case WASM_EXTERN_MEMORY: return COMP_SORT_CORE_MEMORY;
  case WASM_EXTERN_GLOBAL: return COMP_SORT_CORE_GLOBAL;
  default: return COMP_SORT_CORE_TAG;
  }
}

static bool alias(val *v, scope *s, const comp_alias *a) {
  uint32_t off = a->offset;
  if (a->target == 2) {
    scope *o = s;
    bool crosses_component = false; /* leaves a component definition on the way out */
    for (uint32_t i = 0; i < a->a && o; i++) {
      crosses_component |= o->kind == 0;
      o = o->parent;
    }
    if (!o) return bad(v, off, "invalid outer alias count of %u", a->a);
    if (!index_ok(v, o, a->sort, a->b, off)) return false;
    const void *target = get(o, a->sort, a->b);
    /* resources are generative: a nested component may not close over its parents' */
    if (crosses_component && a->sort == COMP_SORT_TYPE && refers_to_resources(target, 0))
      return bad(v, off, "outer alias of a type that transitively refers to resources: a nested component may not close over resource types");
    return push(v, &s->sp[a->sort], target);
  }
  if (a->target == 1) {
    if (!index_ok(v, s, COMP_SORT_CORE_INSTANCE, a->a, off)) return false;
    const comp_ctype *in = get(s, COMP_SORT_CORE_INSTANCE, a->a);
    for (uint32_t i = 0; i < in->ncexports; i++) {
      const ct_core_extern *e = &in->cexports[i];
      if (e->name.len != a->name.len || memcmp(e->name.str, a->name.str, a->name.len) != 0) continue;
      if (core_kind_sort(e->kind) != a->sort)
        return bad(v, off, "export `%s` for core instance %u is not a %s", a->name.str, a->a,
                   a->sort == COMP_SORT_CORE_TAG ? "tag" : sort_names[a->sort]);
      return push(v, &s->sp[a->sort], e->kind == WASM_EXTERN_FUNC ? (const void *)e->func : (const void *)e);
    }
    return bad(v, off, "core instance %u has no export named `%s`", a->a, a->name.str);
  }
  if (!index_ok(v, s, COMP_SORT_INSTANCE, a->a, off)) return false;
  const comp_ctype *in = get(s, COMP_SORT_INSTANCE, a->a);
  int want = sort_ext(a->sort);
  for (uint32_t i = 0; i < in->nexports; i++) {
    const ct_extern *e = &in->exports[i];
    if (e->name.len != a->name.len || memcmp(e->name.str, a->name.str, a->name.len) != 0) continue;
    if (e->kind != want) return bad(v, off, "export `%s` for instance %u is not a %s", a->name.str, a->a, sort_names[a->sort]);
    return push(v, &s->sp[a->sort], e->type);
  }
  return bad(v, off, "instance %u has no export named `%s`", a->a, a->name.str);
}

/* ---------- instances ------------------------------------------------------------------------ */

static const ct_core_extern *core_export(const comp_ctype *in, const wasm_name *n) {
  for (uint32_t i = 0; i < in->ncexports; i++)
    if (in->cexports[i].name.len == n->len && memcmp(in->cexports[i].name.str, n->str, n->len) == 0) return &in->cexports[i];
  return NULL;
}

static bool core_instance(val *v, scope *s, const comp_instance *in) {
  comp_ctype *t = new_type(v, CT_CORE_MODULE); /* an instance: its exports */
  if (!t) return false;
  uint32_t off = in->offset;
  for (uint32_t i = 0; i < in->nargs; i++)
    for (uint32_t j = 0; j < i; j++)
      if (in->args[i].name.name.len == in->args[j].name.name.len &&
          memcmp(in->args[i].name.name.str, in->args[j].name.name.str, in->args[i].name.name.len) == 0)
        return in->code == 0 ? bad(v, off, "duplicate module instantiation argument named `%s`", in->args[i].name.name.str)
                             : bad(v, off, "export name `%s` already defined", in->args[i].name.name.str);
  if (in->code == 0) {
    if (!index_ok(v, s, COMP_SORT_CORE_MODULE, in->idx, off)) return false;
    const comp_ctype *m = get(s, COMP_SORT_CORE_MODULE, in->idx);
    for (uint32_t i = 0; i < in->nargs; i++)
      if (!index_ok(v, s, COMP_SORT_CORE_INSTANCE, in->args[i].s.idx, off)) return false;
    for (uint32_t i = 0; i < m->ncimports; i++) {
      const ct_core_extern *im = &m->cimports[i];
      const comp_arg *arg = NULL;
      for (uint32_t j = 0; j < in->nargs && !arg; j++)
        if (in->args[j].name.name.len == im->module.len && memcmp(in->args[j].name.name.str, im->module.str, im->module.len) == 0)
          arg = &in->args[j];
      if (!arg) return bad(v, off, "missing module instantiation argument named `%s`", im->module.str);
      const ct_core_extern *e = core_export(get(s, COMP_SORT_CORE_INSTANCE, arg->s.idx), &im->name);
      if (!e) return bad(v, off, "module instantiation argument `%s` does not export an item named `%s`", im->module.str, im->name.str);
      char why[128] = "";
      if (!ct_match_core_extern(e, im, why, sizeof why))
        return bad(v, off, "type mismatch for export `%s` of module instantiation argument `%s`: %s", im->name.str,
                   im->module.str, why);
    }
    t->ncexports = m->ncexports;
    t->cexports = m->cexports;
    return push(v, &s->sp[COMP_SORT_CORE_INSTANCE], t);
  }
  t->ncexports = in->nargs;
  t->cexports = new0(v, in->nargs * sizeof *t->cexports);
  if (!t->cexports) return false;
  for (uint32_t i = 0; i < in->nargs; i++) {
    const comp_sortidx *si = &in->args[i].s;
    ct_core_extern *e = &t->cexports[i];
    e->name = in->args[i].name.name;
    if (si->sort > COMP_SORT_CORE_GLOBAL && si->sort != COMP_SORT_CORE_TAG)
      return bad(v, off, "core instance exports may only be functions, tables, memories, globals and tags");
    if (!index_ok(v, s, si->sort, si->idx, off)) return false;
    e->kind = si->sort == COMP_SORT_CORE_TAG ? WASM_EXTERN_TAG : si->sort;
    const void *p = s->sp[si->sort].v[si->idx];
    if (si->sort == COMP_SORT_CORE_FUNC) e->func = p;
    else {
      const ct_core_extern *src = p;
      e->func = src->func; /* a tag's payload type */
      e->table = src->table;
      e->memory = src->memory;
      e->global = src->global;
    }
  }
  return push(v, &s->sp[COMP_SORT_CORE_INSTANCE], t);
}

static const comp_ctype *sort_type(scope *s, const comp_sortidx *si) { return get(s, si->sort, si->idx); }

/* What an item of the type sort is, in the reference tools' words. */
static const char *type_sort_desc(const comp_ctype *t) {
  switch (t->kind) {
  case CT_RESOURCE: return "resource";
  case CT_FUNC: return "func type";
  case CT_COMPONENT: return "component type";
  case CT_INSTANCE: return "instance type";
  default: return ct_is_value(t->kind) ? "defined type" : "type";
  }
}

static bool instance(val *v, scope *s, const comp_instance *in) {
  uint32_t off = in->offset;
  comp_ctype *t = new_type(v, CT_INSTANCE);
  if (!t) return false;
  for (uint32_t i = 0; i < in->nargs; i++) {
    if (!index_ok(v, s, in->args[i].s.sort, in->args[i].s.idx, off)) return false;
    for (uint32_t j = 0; j < i; j++)
      if (in->args[i].name.name.len == in->args[j].name.name.len &&
          memcmp(in->args[i].name.name.str, in->args[j].name.name.str, in->args[i].name.name.len) == 0)
        return in->code == 0 ? bad(v, off, "instantiation argument `%s` conflicts with previous argument `%s`",
                                   in->args[i].name.name.str, in->args[j].name.name.str)
                             : bad(v, off, "export name `%s` conflicts with previous name `%s`", in->args[i].name.name.str,
                                   in->args[j].name.name.str);
  }
  if (in->code == 0) {
    if (!index_ok(v, s, COMP_SORT_COMPONENT, in->idx, off)) return false;
    const comp_ctype *c = get(s, COMP_SORT_COMPONENT, in->idx);
    ct_subst sub = {.arena = v->arena, .next_rid = &v->next_rid, .fresh_lo = c->rid_lo, .fresh_hi = c->rid_hi};
    bool ok = true;
    for (uint32_t i = 0; ok && i < c->nimports; i++) {
      const ct_extern *im = &c->imports[i];
      const comp_arg *arg = NULL;
      for (uint32_t j = 0; j < in->nargs && !arg; j++)
        if (in->args[j].name.name.len == im->name.len && memcmp(in->args[j].name.name.str, im->name.str, im->name.len) == 0)
          arg = &in->args[j];
      if (!arg) { ok = bad(v, off, "missing import named `%s`", im->name.str); break; }
      int have = sort_ext(arg->s.sort);
      if (have != im->kind) {
        ok = bad(v, off, "expected %s, found %s for import `%s`", comp_extern_kind_name(im->kind),
                 have < 0 ? sort_names[arg->s.sort] : comp_extern_kind_name((uint8_t)have), im->name.str);
        break;
      }
      const comp_ctype *given = sort_type(s, &arg->s);
      if (im->kind == COMP_EXT_TYPE && (im->type->kind == CT_RESOURCE) != (given->kind == CT_RESOURCE)) {
        /* a type import takes a resource or a defined type as it was declared */
        ok = bad(v, off, "expected %s, found %s for import `%s`", type_sort_desc(im->type), type_sort_desc(given),
                 im->name.str);
        break;
      }
      if (im->kind == COMP_EXT_TYPE && im->type->kind == CT_RESOURCE && im->type->rid >= c->rid_lo &&
          im->type->rid < c->rid_hi && !ct_subst_find(&sub, im->type->rid)) {
        /* an abstract resource import: the argument's type takes its place */
        if (!ct_subst_add(&sub, im->type->rid, given)) ok = oom(v);
        continue;
      }
      char why[160] = "";
      if (!ct_match(given, im->type, &sub, why, sizeof why))
        ok = bad(v, off, "type mismatch for component instantiation argument `%s`: %s", im->name.str, why);
      else if (im->kind == COMP_EXT_TYPE && im->type->rid && !ct_subst_add(&sub, im->type->rid, given))
        ok = oom(v);
    }
    if (ok) {
      t->nexports = c->nexports;
      t->exports = new0(v, c->nexports * sizeof *t->exports);
      if (!t->exports) ok = false;
      for (uint32_t i = 0; ok && i < c->nexports; i++) {
        t->exports[i] = c->exports[i];
        if (!(t->exports[i].type = ct_apply(c->exports[i].type, &sub))) ok = oom(v);
      }
    }
    ct_subst_free(&sub);
    return ok && push(v, &s->sp[COMP_SORT_INSTANCE], t);
  }
  vec seen = {0};
  bool ok = true;
  for (uint32_t i = 0; ok && i < in->nargs; i++) {
    const comp_arg *a = &in->args[i];
    int kind = sort_ext(a->s.sort);
    if (kind < 0) { ok = bad(v, off, "%s not valid to be used as export", sort_names[a->s.sort]); break; }
    if (kind == COMP_EXT_VALUE) { ok = unsupported(v, off, "values"); break; }
    ok = check_name(v, s, &a->name, (uint8_t)kind, false, &seen) &&
         annotated_in(v, &seen, NULL, &a->name, (uint8_t)kind, sort_type(s, &a->s), true) &&
         add_extern(v, s, &seen, &a->name, (uint8_t)kind, sort_type(s, &a->s), false);
  }
  if (ok) {
    t->nexports = seen.n;
    t->exports = new0(v, seen.n * sizeof *t->exports);
    if (!t->exports) ok = false;
    for (uint32_t i = 0; ok && i < seen.n; i++) t->exports[i] = *(const ct_extern *)seen.v[i];
  }
  free(seen.v);
  return ok && push(v, &s->sp[COMP_SORT_INSTANCE], t);
}

/* ---------- canonical definitions --------------------------------------------------------- */

static const comp_ctype *core_sig(val *v, const wasm_vtype *p, uint32_t np, const wasm_vtype *r, uint32_t nr) {
  comp_ctype *t = new_type(v, CT_CORE_FUNC);
  if (!t) return NULL;
  t->ft = (wasm_functype){np, nr, p, r};
  return t;
}

static const wasm_vtype I32S[4] = {WASM_I32, WASM_I32, WASM_I32, WASM_I32};
static const wasm_vtype I64S[1] = {WASM_I64};

typedef struct opts {
  int encoding;                  /* -1 none */
  bool memory, realloc, post_return, async, callback;
  uint32_t post_return_idx;
} opts;

static bool canon_opts(val *v, scope *s, const comp_canon *c, opts *o, bool lift) {
  static const char enc[][13] = {"utf8", "utf16", "latin1-utf16"};
  static const char names[][12] = {"", "", "", "memory", "realloc", "post-return", "async", "callback", "core-type", "gc"};
  memset(o, 0, sizeof *o);
  o->encoding = -1;
  bool seen[10] = {false};
  for (uint32_t i = 0; i < c->nopts; i++) {
    const comp_canonopt *op = &c->opts[i];
    if (op->code <= 2) {
      if (o->encoding >= 0)
        return bad(v, op->offset, "canonical encoding option `%s` conflicts with option `%s`", enc[o->encoding], enc[op->code]);
      o->encoding = op->code;
      continue;
    }
    if (seen[op->code]) return bad(v, op->offset, "canonical option `%s` is specified more than once", names[op->code]);
    seen[op->code] = true;
    switch (op->code) {
    case 3:
      if (!index_ok(v, s, COMP_SORT_CORE_MEMORY, op->idx, op->offset)) return false;
      o->memory = true;
      break;
    case 4:
    case 5:
    case 7: {
      if (!index_ok(v, s, COMP_SORT_CORE_FUNC, op->idx, op->offset)) return false;
      const comp_ctype *f = get(s, COMP_SORT_CORE_FUNC, op->idx);
      if (op->code == 4) {
        wasm_functype want = {4, 1, I32S, I32S};
        if (f && !ct_core_func_eq(&f->ft, &want))
          return bad(v, op->offset, "canonical option `realloc` uses a core function with an incorrect signature");
        o->realloc = true;
      } else if (op->code == 5) {
        if (!lift) return bad(v, op->offset, "canonical option `post-return` cannot be specified for lowerings");
        o->post_return = true;
        o->post_return_idx = op->idx;
      } else {
        o->callback = true;
      }
      break;
    }
    case 6: o->async = true; break;
    case 8: return unsupported(v, op->offset, "the `core-type` canonical option (GC)");
    case 9: return unsupported(v, op->offset, "the `gc` canonical option");
    default: break;
    }
  }
  if (o->realloc && !o->memory)
    return bad(v, c->offset, "canonical option `realloc` requires `memory` to also be specified");
  if (o->callback && !o->async) return bad(v, c->offset, "cannot specify callback without async");
  if (o->callback && !lift) return bad(v, c->offset, "canonical option `callback` cannot be specified for lowerings");
  if (o->async && o->post_return) return bad(v, c->offset, "cannot specify post-return function in async");
  return true;
}

static bool needs_realloc_params(const comp_ctype *ft) {
  for (uint32_t i = 0; i < ft->n; i++)
    if (ft->elems[i]->needs_memory) return true;
  return false;
}

/* "[I32, I64]": a core type list in the reference tools' spelling */
static void core_list(const wasm_vtype *t, uint32_t n, char *buf, size_t cap) {
  size_t o = (size_t)snprintf(buf, cap, "[");
  for (uint32_t i = 0; i < n && o < cap; i++) {
    const char *name = wasm_valtype_name(t[i]);
    o += (size_t)snprintf(buf + o, cap - o, "%s", i ? ", " : "");
    for (const char *p = name; *p && o + 1 < cap; p++, o++)
      buf[o] = (char)(p == name || (p[-1] == ' ' || p[-1] == '(') ? toupper((unsigned char)*p) : *p);
    if (o < cap) buf[o] = 0;
  }
  if (o < cap) snprintf(buf + o, cap - o, "]");
}

/* A lifted core function whose type is not the flattening of the component function's:
 * the parameters are compared first, then the results. */
static bool lift_mismatch(val *v, uint32_t off, const wasm_functype *want, const wasm_functype *have) {
  char a[120], b[120];
  bool params = want->nparams != have->nparams ||
                (want->nparams && memcmp(want->params, have->params, want->nparams * sizeof *want->params) != 0);
  if (params) {
    core_list(want->params, want->nparams, a, sizeof a);
    core_list(have->params, have->nparams, b, sizeof b);
  } else {
    core_list(want->results, want->nresults, a, sizeof a);
    core_list(have->results, have->nresults, b, sizeof b);
  }
  return bad(v, off, "lowered %s types `%s` do not match %s types `%s` of the core function", params ? "parameter" : "result", a,
             params ? "parameter" : "result", b);
}

static bool canon(val *v, scope *s, const comp_canon *c) {
  uint32_t off = c->offset;
  opts o;
  const comp_ctype *t = NULL;
  switch (c->code) {
  case 0x00: { /* lift */
    if (!index_ok(v, s, COMP_SORT_CORE_FUNC, c->a, off) || !index_ok(v, s, COMP_SORT_TYPE, c->b, off)) return false;
    const comp_ctype *ft = get(s, COMP_SORT_TYPE, c->b);
    if (ft->kind != CT_FUNC) return bad(v, off, "type index %u is not a function type", c->b);
    if (!canon_opts(v, s, c, &o, true)) return false;
    if (o.async && !ft->async) return bad(v, off, "the `async` canonical option requires an async function type");
    wasm_functype want;
    if (!ct_flatten_func(ft, true, o.async, o.callback, v->arena, &want)) return oom(v);
    const comp_ctype *core = get(s, COMP_SORT_CORE_FUNC, c->a);
    if (core && !ct_core_func_eq(&core->ft, &want)) return lift_mismatch(v, off, &want, &core->ft);
    uint8_t tmp[20];
    bool mem = false;
    for (uint32_t i = 0; i < ft->n; i++) mem |= ft->elems[i]->needs_memory;
    if (ft->a) mem |= ft->a->needs_memory;
    uint32_t np = 0;
    for (uint32_t i = 0; i < ft->n; i++) np += ct_flatten(ft->elems[i], tmp, sizeof tmp);
    uint32_t nr = ft->a ? ct_flatten(ft->a, tmp, sizeof tmp) : 0;
    /* an async lift returns through task.return: no flat limit on its results */
    if (np > 16 || (!o.async && nr > 1)) mem = true;
    if (mem && !o.memory) return bad(v, off, "canonical option `memory` is required");
    if ((needs_realloc_params(ft) || np > 16) && !o.realloc) return bad(v, off, "canonical option `realloc` is required");
    if (o.post_return) {
      const comp_ctype *pr = get(s, COMP_SORT_CORE_FUNC, o.post_return_idx);
      wasm_functype pwant = {want.nresults, 0, want.results, NULL};
      if (pr && !ct_core_func_eq(&pr->ft, &pwant)) return bad(v, off, "canonical option `post-return` uses a core function with an incorrect signature");
    }
    return push(v, &s->sp[COMP_SORT_FUNC], ft);
  }
  case 0x01: { /* lower */
    if (!index_ok(v, s, COMP_SORT_FUNC, c->a, off)) return false;
    const comp_ctype *ft = get(s, COMP_SORT_FUNC, c->a);
    if (!canon_opts(v, s, c, &o, false)) return false;
    if (o.async && !ft->async) return bad(v, off, "the `async` canonical option requires an async function type");
    comp_ctype *core = new_type(v, CT_CORE_FUNC);
    if (!core || !ct_flatten_func(ft, false, o.async, false, v->arena, &core->ft)) return oom(v);
    uint8_t tmp[20];
    bool mem = false, results_mem = ft->a && ft->a->needs_memory;
    for (uint32_t i = 0; i < ft->n; i++) mem |= ft->elems[i]->needs_memory;
    mem |= results_mem;
    uint32_t np = 0;
    for (uint32_t i = 0; i < ft->n; i++) np += ct_flatten(ft->elems[i], tmp, sizeof tmp);
    uint32_t nr = ft->a ? ct_flatten(ft->a, tmp, sizeof tmp) : 0;
    if (np > (o.async ? 4u : 16u) || nr > (o.async ? 0u : 1u)) mem = true;
    if (mem && !o.memory) return bad(v, off, "canonical option `memory` is required");
    if (results_mem && !o.realloc && !o.async) return bad(v, off, "canonical option `realloc` is required");
    return push(v, &s->sp[COMP_SORT_CORE_FUNC], core);
  }
  case 0x02:
  case 0x03:
  case 0x04: {
    if (!index_ok(v, s, COMP_SORT_TYPE, c->a, off)) return false;
    const comp_ctype *r = get(s, COMP_SORT_TYPE, c->a);
    if (r->kind != CT_RESOURCE) return bad(v, off, "type index %u is not a resource type", c->a);
    if (c->code != 0x03 && r->home != s->id)
      return bad(v, off, "type index %u is not a local resource", c->a);
    t = core_sig(v, I32S, 1, I32S, c->code == 0x03 ? 0 : 1);
    break;
  }
  default: {
    /* the async, error-context and thread built-ins: their indices are checked; their
     * core signatures are not modelled (a NULL type matches any import) */
    if ((c->code >= 0x0e && c->code <= 0x1b) || c->code == 0x40 || c->code == 0x27 || c->code == 0x41) {
      uint32_t tidx = c->a;
      int sort = c->code == 0x27 || c->code == 0x41 ? COMP_SORT_CORE_TYPE : COMP_SORT_TYPE;
      if (!index_ok(v, s, sort, tidx, off)) return false;
      const comp_ctype *tt = get(s, sort, tidx);
      if (c->code >= 0x0e && c->code <= 0x14 && tt->kind != CT_STREAM) return bad(v, off, "type index %u is not a stream type", tidx);
      if (c->code >= 0x15 && c->code <= 0x1b && tt->kind != CT_FUTURE) return bad(v, off, "type index %u is not a future type", tidx);
      if ((c->code == 0x27 || c->code == 0x41) && !index_ok(v, s, COMP_SORT_CORE_TABLE, c->b, off)) return false;
    }
    if ((c->code == 0x20 || c->code == 0x21) && !index_ok(v, s, COMP_SORT_CORE_MEMORY, c->a, off)) return false;
    if (c->code == 0x09 && c->has_result) {
      const comp_ctype *r;
      if (!valtype(v, s, c->result, off, &r)) return false;
    }
    if (c->nopts && !canon_opts(v, s, c, &o, false)) return false;
    if (c->code == 0x0e || c->code == 0x15) t = core_sig(v, NULL, 0, I64S, 1);
    break;
  }
  }
  if (c->code <= 0x04 && !t) return false;
  return push(v, &s->sp[COMP_SORT_CORE_FUNC], t);
}

/* ---------- components ---------------------------------------------------------------------- */

static bool component(val *v, scope *s, const comp_component *c);

static bool export_def(val *v, scope *s, const comp_export *e, uint32_t off) {
  int kind = sort_ext(e->s.sort);
  if (kind < 0) return bad(v, off, "%s not valid to be used as export", sort_names[e->s.sort]);
  if (kind == COMP_EXT_VALUE) return unsupported(v, off, "value exports");
  if (!index_ok(v, s, e->s.sort, e->s.idx, off)) return false;
  const comp_ctype *t = sort_type(s, &e->s);
  if (!check_name(v, s, &e->name, (uint8_t)kind, false, &s->exports)) return false;
  if (e->has_desc) {
    if (e->desc.kind != kind) return bad(v, off, "export `%s` is a %s, ascribed a %s", e->name.name.str,
                                         comp_extern_kind_name((uint8_t)kind), comp_extern_kind_name(e->desc.kind));
    const comp_ctype *asc;
    bool abstract = e->desc.kind == COMP_EXT_TYPE && e->desc.bound == 1;
    if (abstract) {
      if (t->kind != CT_RESOURCE) return bad(v, off, "export `%s` is not a resource type", e->name.name.str);
      /* ascribed `(sub resource)`: outside, an abstract resource of its own */
      comp_ctype *r = new_type(v, CT_RESOURCE);
      if (!r) return false;
      r->rid = v->next_rid++;
      asc = r;
    } else if (!externdesc(v, s, &e->desc, off, &asc)) {
      return false;
    }
    char why[160] = "";
    if (!abstract && !ct_match(t, asc, NULL, why, sizeof why))
      return bad(v, off, "ascribed type of export is not compatible with the type of `%s`: %s", e->name.name.str, why);
    t = asc;
  }
  if (!check_annotated(v, s, &e->name, (uint8_t)kind, t, false) || !check_nameable(v, s, off, (uint8_t)kind, t, false))
    return false;
  return add_extern(v, s, &s->exports, &e->name, (uint8_t)kind, t, true);
}

static int import_cmp(const void *pa, const void *pb) {
  const wasm_import *a = *(const wasm_import *const *)pa, *b = *(const wasm_import *const *)pb;
  const wasm_name *x[2] = {&a->module, &a->field}, *y[2] = {&b->module, &b->field};
  for (int i = 0; i < 2; i++) {
    uint32_t n = x[i]->len < y[i]->len ? x[i]->len : y[i]->len;
    int c = n ? memcmp(x[i]->str, y[i]->str, n) : 0;
    if (c) return c;
    if (x[i]->len != y[i]->len) return x[i]->len < y[i]->len ? -1 : 1;
  }
  return a < b ? -1 : a > b;
}

/* A core module inside a component imports each two-level name once: the component
 * model treats `module:name` as one name (Explainer.md, core definitions). */
static bool module_imports_unique(val *v, const wasm_module *m, uint32_t base) {
  if (m->nimports < 2) return true;
  const wasm_import **p = malloc(m->nimports * sizeof *p);
  if (!p) return oom(v);
  for (uint32_t i = 0; i < m->nimports; i++) p[i] = &m->imports[i];
  qsort(p, m->nimports, sizeof *p, import_cmp);
  const wasm_import *dup = NULL;
  for (uint32_t i = 1; i < m->nimports && !dup; i++)
    if (same(&p[i - 1]->module, &p[i]->module) && same(&p[i - 1]->field, &p[i]->field)) dup = p[i] > p[i - 1] ? p[i] : p[i - 1];
  free(p);
  if (!dup) return true;
  return bad(v, base + dup->offset, "duplicate import name `%s:%s`", dup->module.str, dup->field.str);
}

static bool definition(val *v, scope *s, const comp_def *d) {
  const comp_ctype *t = NULL;
  switch (d->sec) {
  case COMP_SEC_CORE_MODULE: {
    util_error e;
    util_error_clear(&e);
    if (!wasm_validate(d->u.module, &e)) {
      *v->err = e;
      if (e.offset >= 0) v->err->offset = e.offset + d->offset;
      return false;
    }
    return module_imports_unique(v, d->u.module, d->offset) && module_type(v, d->u.module, &t) &&
           push(v, &s->sp[COMP_SORT_CORE_MODULE], t);
  }
  case COMP_SEC_COMPONENT: return component(v, s, d->u.component);
  case COMP_SEC_CORE_INSTANCE: return core_instance(v, s, d->u.instance);
  case COMP_SEC_INSTANCE: return instance(v, s, d->u.instance);
  case COMP_SEC_CORE_TYPE: return core_type(v, s, d->u.core_type, &t) && push(v, &s->sp[COMP_SORT_CORE_TYPE], t);
  case COMP_SEC_TYPE: return deftype(v, s, d->u.type, &t) && push(v, &s->sp[COMP_SORT_TYPE], t);
  case COMP_SEC_ALIAS: return alias(v, s, d->u.alias);
  case COMP_SEC_CANON: return canon(v, s, d->u.canon);
  case COMP_SEC_START: return unsupported(v, d->offset, "start definitions (values)");
  case COMP_SEC_IMPORT: {
    const comp_import *im = d->u.import;
    return check_name(v, s, &im->name, im->desc.kind, true, &s->imports) &&
           externdesc(v, s, &im->desc, d->offset, &t) && fresh_instance(v, im->desc.kind, &t) &&
           check_annotated(v, s, &im->name, im->desc.kind, t, true) &&
           check_nameable(v, s, d->offset, im->desc.kind, t, true) && add_extern(v, s, &s->imports, &im->name, im->desc.kind, t, true);
  }
  case COMP_SEC_EXPORT: return export_def(v, s, d->u.export_, d->offset);
  default: return true;
  }
}

/* A nested component: validated in its own scope; its type joins the parent's components. */
static bool component_type_of(val *v, scope *inner, uint32_t lo, const comp_ctype **out) {
  comp_ctype *t = new_type(v, CT_COMPONENT);
  if (!t) return false;
  t->rid_lo = lo;
  t->rid_hi = v->next_rid;
  t->nimports = inner->imports.n;
  t->nexports = inner->exports.n;
  t->imports = new0(v, t->nimports * sizeof *t->imports);
  t->exports = new0(v, t->nexports * sizeof *t->exports);
  if (!t->imports || !t->exports) return false;
  for (uint32_t i = 0; i < t->nimports; i++) t->imports[i] = *(const ct_extern *)inner->imports.v[i];
  for (uint32_t i = 0; i < t->nexports; i++) t->exports[i] = *(const ct_extern *)inner->exports.v[i];
  *out = t;
  return true;
}

/* Keeps the resolved index spaces of component c for the runtime (comp_info_sort). */
static bool record_scope(val *v, const comp_component *c, const scope *s) {
  comp_info *ci = v->ci;
  comp_scope_types st = {.c = c};
  for (int k = 0; k < COMP_SORT_COUNT; k++) {
    st.n[k] = (uint32_t)s->sp[k].n;
    st.v[k] = util_arena_try_alloc(v->arena, (s->sp[k].n + 1) * sizeof *st.v[k]);
    if (!st.v[k]) return oom(v);
    if (s->sp[k].n) memcpy((void *)st.v[k], s->sp[k].v, s->sp[k].n * sizeof *st.v[k]);
  }
  if (!UTIL_VEC_TRY_PUSH(ci->scopes, ci->nscopes, ci->scopes_cap, st)) return oom(v);
  return true;
}

const void *comp_info_sort(const comp_info *ci, const comp_component *c, int sort, uint32_t idx) {
  for (size_t i = 0; i < ci->nscopes; i++)
    if (ci->scopes[i].c == c) return idx < ci->scopes[i].n[sort] ? ci->scopes[i].v[sort][idx] : NULL;
  return NULL;
}

static bool component(val *v, scope *s, const comp_component *c) {
  if (++v->depth > 200) return unsupported(v, c->base, "components nested deeper than 200 levels");
  scope inner = {.parent = s, .id = ++v->next_scope, .kind = 0};
  uint32_t lo = v->next_rid;
  bool ok = true;
  for (uint32_t i = 0; ok && i < c->ndefs; i++) ok = definition(v, &inner, &c->defs[i]);
  const comp_ctype *t;
  if (ok) ok = record_scope(v, c, &inner);
  if (ok) ok = component_type_of(v, &inner, lo, &t) && push(v, &s->sp[COMP_SORT_COMPONENT], t);
  scope_free(&inner);
  v->depth--;
  return ok;
}

bool comp_validate(const comp_component *c, comp_info **info, util_error *err) {
  return comp_validate_rids(c, 1, info, err);
}

bool comp_validate_rids(const comp_component *c, uint32_t first_rid, comp_info **info, util_error *err) {
  util_error_clear(err);
  if (info) *info = NULL;
  comp_info *ci = util_try_calloc(1, sizeof *ci);
  if (!ci) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  util_arena_init(&ci->arena);
  val v = {.ci = ci, .arena = &ci->arena, .err = err, .next_rid = first_rid ? first_rid : 1};
  scope top = {.id = ++v.next_scope, .kind = 0};
  bool ok = true;
  for (uint32_t i = 0; ok && i < c->ndefs; i++) ok = definition(&v, &top, &c->defs[i]);
  if (ok) ok = record_scope(&v, c, &top);
  for (int k = 0; k < COMP_SORT_COUNT; k++) ci->count[k] = top.sp[k].n;
  /* what is known so far is kept for inspect, also after a failure */
  ci->nimports = top.imports.n;
  ci->nexports = top.exports.n;
  ci->imports = util_arena_try_alloc(&ci->arena, (top.imports.n + 1) * sizeof *ci->imports);
  ci->exports = util_arena_try_alloc(&ci->arena, (top.exports.n + 1) * sizeof *ci->exports);
  if (!ci->imports || !ci->exports) {
    ci->nimports = ci->nexports = 0;
    if (ok) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  } else {
    for (uint32_t i = 0; i < top.imports.n; i++) {
      const ct_extern *e = top.imports.v[i];
      ci->imports[i] = (comp_extern){NULL, e->kind, e->type, 0};
    }
    for (uint32_t i = 0; i < top.exports.n; i++) {
      const ct_extern *e = top.exports.v[i];
      ci->exports[i] = (comp_extern){NULL, e->kind, e->type, 0};
    }
  }
  /* the names: from the definitions, in order */
  uint32_t ni = 0, ne = 0;
  for (uint32_t i = 0; i < c->ndefs; i++) {
    if (c->defs[i].sec == COMP_SEC_IMPORT && ni < ci->nimports) {
      ci->imports[ni].name = &c->defs[i].u.import->name;
      ci->imports[ni++].offset = c->defs[i].offset;
    } else if (c->defs[i].sec == COMP_SEC_EXPORT && ne < ci->nexports) {
      ci->exports[ne].name = &c->defs[i].u.export_->name;
      ci->exports[ne++].offset = c->defs[i].offset;
    }
  }
  scope_free(&top);
  /* an allocation that failed where the walk could go on still fails the whole */
  if (err->kind != UTIL_ERR_NONE) ok = false;
  if (info) *info = ci;
  else comp_info_free(ci);
  return ok;
}

void comp_info_free(comp_info *info) {
  if (!info) return;
  free(info->scopes);
  util_arena_free(&info->arena);
  free(info);
}
