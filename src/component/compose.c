/* Composition (`weld compose`): the root component and its plugs, each decoded and
 * validated, are wired by interface name and written as a new component:
 *
 *   imports that no plug satisfies (their types re-encoded from the resolved types)
 *   (component ...) for each input, its bytes unchanged, providers before consumers
 *   (instance (instantiate N (with "name" ...)...)) for each, in the same order
 *   (alias export ...) + (export ...) for each export of the root
 *
 * Resource types keep their identity across the inputs: every input is validated with
 * its own range of resource numbers, and one substitution binds each abstract resource
 * of an import to what satisfies it (a plug's resource, or the outer import's). */
#include "compose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define RID_STRIDE (1u << 24)  /* resource numbers per input */
#define MAX_INPUTS 200

enum { NONE = -1 };

typedef struct node {
  const comp_compose_input *in;
  comp_component *c;
  comp_info *info;
  int *prov;             /* per import: the providing node, or NONE */
  uint32_t *prov_exp;    /* and which of its exports */
  uint32_t *exp_idx;     /* per export: its index in the outer component (UINT32_MAX: none yet) */
  int state;             /* the walk: 0 unseen, 1 on the path, 2 done */
  uint32_t comp_idx, inst_idx;
} node;

typedef struct outer_import {
  const wasm_name *name;
  uint8_t kind;
  const comp_ctype *type;
  int owner;
  uint32_t idx;
} outer_import;

typedef struct res_source {  /* a resource an outer instance exports: aliased on demand */
  uint32_t rid, inst;
  const wasm_name *name;
} res_source;

typedef struct named_source { /* a record, variant, enum or flags an outer instance exports */
  const comp_ctype *t;
  uint32_t inst;
  const wasm_name *name;
} named_source;

typedef struct provided_type { /* a type import satisfied by a plug */
  const comp_ctype *t;
  const wasm_name *name;
} provided_type;

typedef struct tscope tscope;

typedef struct ctx {
  node *nodes;
  size_t n;
  ct_subst s;
  util_arena arena;
  util_buf out;          /* the composed component's sections */
  uint32_t count[6];     /* its index spaces, by COMP_EXT_* kind */
  outer_import *imps;
  size_t nimps, impcap;
  res_source *srcs;
  size_t nsrcs, srccap;
  named_source *tsrcs;
  size_t ntsrcs, tsrccap;
  provided_type *provided;
  size_t nprovided, providedcap;
  uint32_t *irids;       /* resources the composition imports (after substitution) */
  size_t nirids, iridcap;
  int *order;
  size_t norder;
  tscope *top;
  char *why;
  size_t nwhy;
  bool failed;
} ctx;

struct tscope {
  tscope *parent;
  ctx *x;
  bool top;
  util_buf body;         /* an instance type's declarators */
  uint32_t ndecls, ntypes;
  const comp_ctype **tp; /* value types defined here, by identity */
  uint32_t *ti;
  size_t nt, tcap;
  uint32_t *rr, *ri;     /* resources known here: resolved resource number -> type index */
  size_t nr, rcap;
};

__attribute__((format(printf, 2, 3))) static bool fail(ctx *x, const char *fmt, ...) {
  if (x->failed) return false;
  x->failed = true;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->why, x->nwhy, fmt, ap);
  va_end(ap);
  return false;
}

static bool oom(ctx *x) { return fail(x, "out of memory"); }

/* ---------- bytes ------------------------------------------------------------------- */

static void put_byte(util_buf *b, uint8_t v) { util_buf_put(b, &v, 1); }
static void put_u32(util_buf *b, uint32_t v) {
  uint8_t t[10];
  util_buf_put(b, t, util_write_u64(t, v));
}
static void put_s64(util_buf *b, int64_t v) {
  uint8_t t[10];
  util_buf_put(b, t, util_write_s64(t, v));
}
static void put_name(util_buf *b, const wasm_name *n) {
  put_u32(b, n->len);
  util_buf_put(b, n->str, n->len);
}
static void put_buf(util_buf *b, const util_buf *from) {
  if (from->oom) b->oom = true;
  else if (from->len) util_buf_put(b, from->p, from->len);
}
/* A section of one item (sections of a kind may repeat in a component). */
static void put_section1(util_buf *out, uint8_t id, const util_buf *item) {
  util_buf tmp = {0};
  put_u32(&tmp, 1);
  put_buf(&tmp, item);
  put_byte(out, id);
  put_u32(out, (uint32_t)tmp.len);
  put_buf(out, &tmp);
  if (tmp.oom) out->oom = true;
  util_buf_free(&tmp);
}
/* The sort of an extern kind, as sortidx and aliases write it. */
static void put_sort(util_buf *b, uint8_t kind) {
  if (kind == COMP_EXT_MODULE) {
    put_byte(b, 0x00);
    put_byte(b, 0x11);
  } else {
    put_byte(b, kind);
  }
}

/* ---------- names ------------------------------------------------------------------- */

static bool name_eq(const wasm_name *a, const wasm_name *b) {
  return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
}

/* major.minor.patch without a pre-release or build part. */
static bool parse_version(const char *s, size_t n, unsigned long v[3]) {
  size_t i = 0;
  for (int k = 0; k < 3; k++) {
    if (i >= n || s[i] < '0' || s[i] > '9') return false;
    unsigned long x = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (x > 100000000ul) return false;
      x = x * 10 + (unsigned long)(s[i++] - '0');
    }
    v[k] = x;
    if (k < 2 && (i >= n || s[i++] != '.')) return false;
  }
  return i == n;
}

bool comp_compose_names_compatible(const char *a, size_t alen, const char *b, size_t blen) {
  if (alen == blen && memcmp(a, b, alen) == 0) return true;
  const char *va = memchr(a, '@', alen), *vb = memchr(b, '@', blen);
  if (!va || !vb || va - a != vb - b || memcmp(a, b, (size_t)(va - a)) != 0) return false;
  unsigned long x[3], y[3];
  if (!parse_version(va + 1, alen - (size_t)(va - a) - 1, x) || !parse_version(vb + 1, blen - (size_t)(vb - b) - 1, y))
    return false;
  if (x[0] != y[0]) return false;
  if (x[0] > 0) return true;
  if (x[1] != y[1]) return false;
  return x[1] > 0 || x[2] == y[2];
}

/* ---------- types as text, for messages --------------------------------------------- */

static const char *kind_word(uint8_t kind) {
  return kind == COMP_EXT_FUNC ? "function" : comp_extern_kind_name(kind);
}

/* t printed into buf (cut to fit). */
static const char *type_text(const comp_ctype *t, char *buf, size_t n) {
  char *p = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&p, &len);
  if (!f) {
    snprintf(buf, n, "?");
    return buf;
  }
  comp_ctype_print(f, t, 0);
  fclose(f);
  snprintf(buf, n, "%s", p ? p : "?");
  free(p);
  return buf;
}

/* ---------- resource identity ------------------------------------------------------- */

static uint32_t rid_of(ctx *x, const comp_ctype *r) {
  const comp_ctype *to = ct_subst_find(&x->s, r->rid);
  return to ? to->rid : r->rid;
}

/* Marks the resources an outer import brings as known: later matches compare with
 * them instead of binding them. */
static bool mark_known(ctx *x, const comp_ctype *t, unsigned depth) {
  if (!t || depth > 100) return true;
  if (t->kind == CT_RESOURCE) return ct_subst_find(&x->s, t->rid) || ct_subst_add(&x->s, t->rid, t) || oom(x);
  if (t->kind == CT_INSTANCE)
    for (uint32_t i = 0; i < t->nexports; i++)
      if (!mark_known(x, t->exports[i].type, depth + 1)) return false;
  return true;
}

/* ---------- the type encoder -------------------------------------------------------- */

/* A later mapping replaces an earlier one: an exported name replaces the definition. */
static bool scope_map_type(tscope *s, const comp_ctype *t, uint32_t idx) {
  for (size_t i = 0; i < s->nt; i++)
    if (s->tp[i] == t) {
      s->ti[i] = idx;
      return true;
    }
  if (s->nt == s->tcap) {
    size_t nc = s->tcap ? s->tcap * 2 : 16;
    const comp_ctype **tp = util_try_realloc((void *)s->tp, nc * sizeof *tp);
    if (!tp) return oom(s->x);
    s->tp = tp;
    uint32_t *ti = util_try_realloc(s->ti, nc * sizeof *ti);
    if (!ti) return oom(s->x);
    s->ti = ti;
    s->tcap = nc;
  }
  s->tp[s->nt] = t;
  s->ti[s->nt++] = idx;
  return true;
}

static bool scope_map_res(tscope *s, uint32_t rid, uint32_t idx) {
  for (size_t i = 0; i < s->nr; i++)
    if (s->rr[i] == rid) {
      s->ri[i] = idx;
      return true;
    }
  if (s->nr == s->rcap) {
    size_t nc = s->rcap ? s->rcap * 2 : 16;
    uint32_t *rr = util_try_realloc(s->rr, nc * sizeof *rr);
    if (!rr) return oom(s->x);
    s->rr = rr;
    uint32_t *ri = util_try_realloc(s->ri, nc * sizeof *ri);
    if (!ri) return oom(s->x);
    s->ri = ri;
    s->rcap = nc;
  }
  s->rr[s->nr] = rid;
  s->ri[s->nr++] = idx;
  return true;
}

static void scope_free(tscope *s) {
  util_buf_free(&s->body);
  free((void *)s->tp);
  free(s->ti);
  free(s->rr);
  free(s->ri);
}

static bool scope_find_res(const tscope *s, uint32_t rid, uint32_t *idx) {
  for (size_t i = 0; i < s->nr; i++)
    if (s->rr[i] == rid) {
      *idx = s->ri[i];
      return true;
    }
  return false;
}

/* Emits a definition into scope s: a type (declarator 0x01 / section 7), an alias of a
 * type (0x02 / section 6) or an export declarator of a type (0x04); returns the new type
 * index. */
static uint32_t scope_emit_type(tscope *s, uint8_t decl, const util_buf *item) {
  if (s->top) {
    put_section1(&s->x->out, decl == 0x01 ? 7 : 6, item);
    return s->x->count[COMP_EXT_TYPE]++;
  }
  put_byte(&s->body, decl);
  put_buf(&s->body, item);
  s->ndecls++;
  return s->ntypes++;
}

/* Whether a resource is known to scope s or any enclosing one (or can be aliased from
 * an outer instance). */
static bool res_known(const tscope *s, uint32_t rid) {
  uint32_t idx;
  for (; s; s = s->parent) {
    if (scope_find_res(s, rid, &idx)) return true;
    if (s->top)
      for (size_t i = 0; i < s->x->nsrcs; i++)
        if (s->x->srcs[i].rid == rid) return true;
  }
  return false;
}

/* The index of resource rid in scope s: aliased from an outer instance's export (at the
 * top) or from the enclosing scope (an outer alias). */
/* A type alias emitted into scope s, its index in *idx: with `name`, export `name` of
 * instance n (the composition's top level); without, type n of the enclosing scope. */
static bool emit_alias(tscope *s, const wasm_name *name, uint32_t n, uint32_t *idx) {
  util_buf a = {0};
  put_byte(&a, 0x03);
  if (name) {
    put_byte(&a, 0x00);
    put_u32(&a, n);
    put_name(&a, name);
  } else {
    put_byte(&a, 0x02);
    put_u32(&a, 1);
    put_u32(&a, n);
  }
  *idx = scope_emit_type(s, 0x02, &a);
  bool ok = !a.oom || oom(s->x);
  util_buf_free(&a);
  return ok;
}

static bool res_index(tscope *s, uint32_t rid, uint32_t *idx) {
  if (scope_find_res(s, rid, idx)) return true;
  if (s->top) {
    const res_source *src = NULL;
    for (size_t i = 0; i < s->x->nsrcs && !src; i++)
      if (s->x->srcs[i].rid == rid) src = &s->x->srcs[i];
    if (!src)
      return fail(s->x, "not supported: an import that passes through uses a resource type that no import or plug of "
                        "the composition exports");
    return emit_alias(s, src->name, src->inst, idx) && scope_map_res(s, rid, *idx);
  }
  uint32_t p;
  if (!s->parent || !res_index(s->parent, rid, &p)) return false;
  return emit_alias(s, NULL, p, idx) && scope_map_res(s, rid, *idx);
}

static bool deftype(tscope *s, const comp_ctype *t, uint32_t *idx, unsigned depth);

static bool valtype(tscope *s, const comp_ctype *t, util_buf *b, unsigned depth) {
  if (t->kind == CT_PRIM || t->kind == CT_ERROR_CONTEXT) {
    put_byte(b, t->prim);
    return true;
  }
  uint32_t i;
  if (!deftype(s, t, &i, depth + 1)) return false;
  put_s64(b, i);
  return true;
}

static bool opt_valtype(tscope *s, const comp_ctype *t, util_buf *b, unsigned depth) {
  put_byte(b, t ? 0x01 : 0x00);
  return !t || valtype(s, t, b, depth);
}

static bool instance_type(tscope *s, const comp_ctype *t, uint32_t *idx, unsigned depth);

static bool deftype_body(tscope *s, const comp_ctype *t, util_buf *d, unsigned depth) {
  bool ok = true;
  switch (t->kind) {
  case CT_PRIM:
  case CT_ERROR_CONTEXT: put_byte(d, t->prim); return true;
  case CT_OWN:
  case CT_BORROW: {
    uint32_t r;
    if (!t->a || t->a->kind != CT_RESOURCE) return fail(s->x, "not supported: a handle of a non-resource type");
    if (!res_index(s, rid_of(s->x, t->a), &r)) return false;
    put_byte(d, t->kind == CT_OWN ? COMP_T_OWN : COMP_T_BORROW);
    put_u32(d, r);
    return true;
  }
  case CT_RECORD:
  case CT_VARIANT: {
    util_buf f = {0};
    for (uint32_t i = 0; ok && i < t->n; i++) {
      put_name(&f, &t->names[i]);
      if (t->kind == CT_RECORD) {
        ok = valtype(s, t->elems[i], &f, depth);
      } else {
        ok = opt_valtype(s, t->elems[i], &f, depth);
        put_byte(&f, 0x00); /* no refines */
      }
    }
    put_byte(d, t->kind == CT_RECORD ? COMP_T_RECORD : COMP_T_VARIANT);
    put_u32(d, t->n);
    put_buf(d, &f);
    util_buf_free(&f);
    return ok;
  }
  case CT_TUPLE: {
    util_buf f = {0};
    for (uint32_t i = 0; ok && i < t->n; i++) ok = valtype(s, t->elems[i], &f, depth);
    put_byte(d, COMP_T_TUPLE);
    put_u32(d, t->n);
    put_buf(d, &f);
    util_buf_free(&f);
    return ok;
  }
  case CT_FLAGS:
  case CT_ENUM:
    put_byte(d, t->kind == CT_FLAGS ? COMP_T_FLAGS : COMP_T_ENUM);
    put_u32(d, t->n);
    for (uint32_t i = 0; i < t->n; i++) put_name(d, &t->names[i]);
    return true;
  case CT_LIST:
  case CT_OPTION: {
    util_buf f = {0};
    ok = valtype(s, t->a, &f, depth);
    put_byte(d, t->kind == CT_LIST ? COMP_T_LIST : COMP_T_OPTION);
    put_buf(d, &f);
    util_buf_free(&f);
    return ok;
  }
  case CT_FIXED_LIST: {
    util_buf f = {0};
    ok = valtype(s, t->a, &f, depth);
    put_byte(d, COMP_T_FIXED_LIST);
    put_buf(d, &f);
    put_u32(d, t->len);
    util_buf_free(&f);
    return ok;
  }
  case CT_RESULT:
  case CT_STREAM:
  case CT_FUTURE:
  case CT_MAP: {
    util_buf f = {0};
    if (t->kind == CT_MAP) ok = valtype(s, t->a, &f, depth) && valtype(s, t->b, &f, depth);
    else ok = opt_valtype(s, t->a, &f, depth) && (t->kind != CT_RESULT || opt_valtype(s, t->b, &f, depth));
    put_byte(d, t->kind == CT_RESULT ? COMP_T_RESULT
                : t->kind == CT_STREAM ? COMP_T_STREAM
                : t->kind == CT_FUTURE ? COMP_T_FUTURE
                                       : COMP_T_MAP);
    put_buf(d, &f);
    util_buf_free(&f);
    return ok;
  }
  case CT_FUNC: {
    util_buf f = {0};
    for (uint32_t i = 0; ok && i < t->n; i++) {
      put_name(&f, &t->names[i]);
      ok = valtype(s, t->elems[i], &f, depth);
    }
    if (t->a) {
      put_byte(&f, 0x00);
      ok = ok && valtype(s, t->a, &f, depth);
    } else {
      put_byte(&f, 0x01);
      put_byte(&f, 0x00);
    }
    put_byte(d, t->async ? COMP_T_ASYNC_FUNC : COMP_T_FUNC);
    put_u32(d, t->n);
    put_buf(d, &f);
    util_buf_free(&f);
    return ok;
  }
  default:
    return fail(s->x, "not supported: passing through an import that uses a %s type",
                t->kind == CT_COMPONENT ? "component" : t->kind == CT_CORE_MODULE ? "core module" : "core function");
  }
}

static bool is_named(const comp_ctype *t) {
  return t->kind == CT_RECORD || t->kind == CT_VARIANT || t->kind == CT_ENUM || t->kind == CT_FLAGS;
}

/* Whether a record, variant, enum or flags type is exported by an outer instance the
 * composition imports (or a plug's instance): then it is aliased from there, not
 * written again (a copy would be a new type, one the import's instance type would have
 * to export to name it). */
static bool named_known(const tscope *s, const comp_ctype *t) {
  for (size_t i = 0; i < s->x->ntsrcs; i++)
    if (s->x->tsrcs[i].t == t) return true;
  return false;
}

static bool named_index(tscope *s, const comp_ctype *t, uint32_t *idx) {
  for (size_t i = 0; i < s->nt; i++)
    if (s->tp[i] == t) {
      *idx = s->ti[i];
      return true;
    }
  if (s->top) {
    const named_source *src = NULL;
    for (size_t i = 0; i < s->x->ntsrcs && !src; i++)
      if (s->x->tsrcs[i].t == t) src = &s->x->tsrcs[i];
    if (!src) return fail(s->x, "internal error: a named type without a source");
    return emit_alias(s, src->name, src->inst, idx) && scope_map_type(s, t, *idx);
  }
  uint32_t p;
  if (!s->parent || !named_index(s->parent, t, &p)) return false;
  return emit_alias(s, NULL, p, idx) && scope_map_type(s, t, *idx);
}

static bool deftype(tscope *s, const comp_ctype *t, uint32_t *idx, unsigned depth) {
  if (depth > 100) return fail(s->x, "not supported: types nested deeper than 100 levels");
  for (size_t i = 0; i < s->nt; i++)
    if (s->tp[i] == t) {
      *idx = s->ti[i];
      return true;
    }
  /* an import's type may name only imported types: one a plug provides cannot be */
  for (size_t i = 0; s->top && i < s->x->nprovided; i++)
    if (s->x->provided[i].t == t)
      return fail(s->x, "not supported: an import that passes through uses the type `%s`, which a plug provides "
                        "(an import may only use imported types)", s->x->provided[i].name->str);
  if (t->kind == CT_INSTANCE) return instance_type(s, t, idx, depth) && scope_map_type(s, t, *idx);
  if (t->kind == CT_RESOURCE) return res_index(s, rid_of(s->x, t), idx);
  if (is_named(t) && named_known(s, t)) return named_index(s, t, idx);
  util_buf d = {0};
  bool ok = deftype_body(s, t, &d, depth);
  if (ok && d.oom) ok = oom(s->x);
  if (ok) *idx = scope_emit_type(s, 0x01, &d);
  util_buf_free(&d);
  return ok && scope_map_type(s, t, *idx);
}

/* An export declarator of an instance type: name and externdesc. */
static void export_decl(tscope *in, const wasm_name *name, uint8_t kind, uint8_t bound, uint32_t idx) {
  put_byte(&in->body, 0x04);
  put_byte(&in->body, 0x00);
  put_name(&in->body, name);
  put_byte(&in->body, kind);
  if (kind == COMP_EXT_TYPE) put_byte(&in->body, bound);
  if (kind != COMP_EXT_TYPE || bound == 0x00) put_u32(&in->body, idx);
  in->ndecls++;
}

static bool instance_type(tscope *s, const comp_ctype *t, uint32_t *idx, unsigned depth) {
  tscope in = {.parent = s, .x = s->x};
  bool ok = true;
  for (uint32_t i = 0; ok && i < t->nexports; i++) {
    const ct_extern *e = &t->exports[i];
    uint32_t ti = 0;
    switch (e->kind) {
    case COMP_EXT_FUNC:
      ok = deftype(&in, e->type, &ti, depth + 1);
      if (ok) export_decl(&in, &e->name, COMP_EXT_FUNC, 0, ti);
      break;
    case COMP_EXT_INSTANCE:
      ok = instance_type(&in, e->type, &ti, depth + 1);
      if (ok) export_decl(&in, &e->name, COMP_EXT_INSTANCE, 0, ti);
      break;
    case COMP_EXT_TYPE:
      if (e->type->kind == CT_RESOURCE) {
        uint32_t rid = rid_of(s->x, e->type);
        if (res_known(&in, rid)) {
          ok = res_index(&in, rid, &ti);
          if (ok) export_decl(&in, &e->name, COMP_EXT_TYPE, 0x00, ti);
        } else {
          export_decl(&in, &e->name, COMP_EXT_TYPE, 0x01, 0);
        }
        /* a resource exported under a second name (`type trailers = fields`) keeps
         * its first name for the functions that follow (`[constructor]fields`) */
        uint32_t first;
        if (ok && scope_find_res(&in, rid, &first)) in.ntypes++;
        else if (ok) ok = scope_map_res(&in, rid, in.ntypes++);
      } else {
        ok = deftype(&in, e->type, &ti, depth + 1);
        if (ok) export_decl(&in, &e->name, COMP_EXT_TYPE, 0x00, ti);
        if (ok) ok = scope_map_type(&in, e->type, in.ntypes++);
      }
      break;
    default:
      ok = fail(s->x, "not supported: passing through an instance that exports a %s (`%s`)",
                comp_extern_kind_name(e->kind), e->name.str);
    }
  }
  if (ok) {
    util_buf d = {0};
    put_byte(&d, COMP_T_INSTANCE);
    put_u32(&d, in.ndecls);
    put_buf(&d, &in.body);
    if (d.oom) ok = oom(s->x);
    else *idx = scope_emit_type(s, 0x01, &d);
    util_buf_free(&d);
  }
  scope_free(&in);
  return ok;
}

/* ---------- inputs ------------------------------------------------------------------ */

static bool load(ctx *x, node *nd, size_t i) {
  util_error err;
  nd->c = comp_decode(nd->in->bytes, nd->in->len, &err);
  if (!nd->c || !comp_validate_rids(nd->c, 1 + (uint32_t)i * RID_STRIDE, &nd->info, &err)) {
    char buf[300];
    return fail(x, "%s: %s", nd->in->name, util_error_format(&err, buf, sizeof buf));
  }
  uint32_t ni = nd->info->nimports, ne = nd->info->nexports;
  nd->prov = util_try_malloc((ni + 1) * sizeof *nd->prov);
  nd->prov_exp = util_try_malloc((ni + 1) * sizeof *nd->prov_exp);
  nd->exp_idx = util_try_malloc((ne + 1) * sizeof *nd->exp_idx);
  if (!nd->prov || !nd->prov_exp || !nd->exp_idx) return oom(x);
  for (uint32_t k = 0; k < ni; k++) nd->prov[k] = NONE;
  for (uint32_t k = 0; k < ne; k++) nd->exp_idx[k] = UINT32_MAX;
  return true;
}

/* Finds the plug that satisfies import k of node c: one exporting the same name, else
 * one exporting a compatible version; two of either kind are an error. */
static bool find_provider(ctx *x, size_t c, uint32_t k) {
  node *nd = &x->nodes[c];
  const wasm_name *want = &nd->info->imports[k].name->name;
  for (int pass = 0; pass < 2; pass++) {
    int found = NONE;
    uint32_t fe = 0;
    for (size_t p = 1; p < x->n; p++) {
      if (p == c) continue;
      const comp_info *pi = x->nodes[p].info;
      for (uint32_t e = 0; e < pi->nexports; e++) {
        const wasm_name *have = &pi->exports[e].name->name;
        bool m = pass == 0 ? name_eq(have, want)
                           : comp_compose_names_compatible(have->str, have->len, want->str, want->len);
        if (!m) continue;
        if (found != NONE && found != (int)p)
          return fail(x, "`%s` (imported by %s) is exported by both %s and %s", want->str, nd->in->name,
                      x->nodes[found].in->name, x->nodes[p].in->name);
        found = (int)p;
        fe = e;
      }
    }
    if (found != NONE) {
      uint8_t have = x->nodes[found].info->exports[fe].kind, need = nd->info->imports[k].kind;
      if (have != need)
        return fail(x, "%s imports `%s` as a %s, but %s exports it as a %s", nd->in->name, want->str,
                    kind_word(need), x->nodes[found].in->name, kind_word(have));
      nd->prov[k] = found;
      nd->prov_exp[k] = fe;
      return true;
    }
  }
  return true;
}

/* Depth first from node c: providers before consumers; a provider on the path is a cycle. */
static bool walk(ctx *x, int c, int *path, size_t depth) {
  node *nd = &x->nodes[c];
  if (nd->state == 2) return true;
  path[depth] = c;
  if (nd->state == 1) {
    char msg[512];
    size_t start = 0, len = 0;
    while (path[start] != c) start++;
    for (size_t i = start; i <= depth && len < sizeof msg; i++)
      len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", i > start ? " -> " : "", x->nodes[path[i]].in->name);
    return fail(x, "dependency cycle between plugs: %s", msg);
  }
  nd->state = 1;
  for (uint32_t k = 0; k < nd->info->nimports; k++)
    if (nd->prov[k] != NONE && !walk(x, nd->prov[k], path, depth + 1)) return false;
  nd->state = 2;
  x->order[x->norder++] = c;
  return true;
}

/* ---------- type checks ------------------------------------------------------------- */

/* Import k of node c, satisfied by export e of node p: each export the import's type
 * asks for must be there with a type usable in its place (abstract resources bind). */
static bool check_provided(ctx *x, int c, uint32_t k, int p, uint32_t e) {
  const comp_extern *im = &x->nodes[c].info->imports[k], *ex = &x->nodes[p].info->exports[e];
  const char *iface = im->name->name.str, *cn = x->nodes[c].in->name, *pn = x->nodes[p].in->name;
  char why[512] = "", ta[1024], tb[1024];
  if (im->kind == COMP_EXT_TYPE && im->type->kind == CT_RESOURCE && ex->type->kind == CT_RESOURCE &&
      !ct_subst_find(&x->s, im->type->rid)) {
    /* an abstract resource import takes the provider's resource */
    const comp_ctype *to = ct_subst_find(&x->s, ex->type->rid);
    return ct_subst_add(&x->s, im->type->rid, to ? to : ex->type) || oom(x);
  }
  if (im->kind != COMP_EXT_INSTANCE) {
    if (ct_match(ex->type, im->type, &x->s, why, sizeof why)) return true;
    return fail(x, "type mismatch for `%s`: %s imports %s, %s exports %s (%s)", iface, cn,
                type_text(im->type, ta, sizeof ta), pn, type_text(ex->type, tb, sizeof tb), why);
  }
  const comp_ctype *want = im->type, *have = ex->type;
  for (uint32_t i = 0; i < want->nexports; i++) {
    const ct_extern *w = &want->exports[i], *h = NULL;
    for (uint32_t j = 0; j < have->nexports && !h; j++)
      if (name_eq(&have->exports[j].name, &w->name)) h = &have->exports[j];
    if (!h)
      return fail(x, "%s's `%s` has no %s `%s`, which %s imports through `%s`", pn, ex->name->name.str,
                  kind_word(w->kind), w->name.str, cn, iface);
    if (h->kind != w->kind)
      return fail(x, "`%s` in `%s`: %s imports a %s, %s exports a %s", w->name.str, iface, cn, kind_word(w->kind), pn,
                  kind_word(h->kind));
    if (w->kind == COMP_EXT_TYPE && w->type->kind == CT_RESOURCE && !ct_subst_find(&x->s, w->type->rid)) {
      if (h->type->kind != CT_RESOURCE)
        return fail(x, "type `%s` in `%s`: %s imports a resource, %s exports %s", w->name.str, iface, cn, pn,
                    type_text(h->type, tb, sizeof tb));
      const comp_ctype *to = ct_subst_find(&x->s, h->type->rid);
      if (!ct_subst_add(&x->s, w->type->rid, to ? to : h->type)) return oom(x);
      continue;
    }
    why[0] = 0;
    if (!ct_match(h->type, w->type, &x->s, why, sizeof why))
      return fail(x, "type mismatch in `%s` %s `%s`: %s imports %s, %s exports %s (%s)", iface, kind_word(w->kind),
                  w->name.str, cn, type_text(w->type, ta, sizeof ta), pn, type_text(h->type, tb, sizeof tb), why);
  }
  return true;
}

/* ---------- writing ----------------------------------------------------------------- */

static bool add_source(ctx *x, uint32_t rid, uint32_t inst, const wasm_name *name) {
  for (size_t i = 0; i < x->nsrcs; i++)
    if (x->srcs[i].rid == rid) return true;
  res_source r = {rid, inst, name};
  return UTIL_VEC_TRY_PUSH(x->srcs, x->nsrcs, x->srccap, r) || oom(x);
}

/* An outer instance's resources become available to later imports' types. */
static bool add_sources(ctx *x, const comp_ctype *t, uint32_t inst) {
  for (uint32_t i = 0; i < t->nexports; i++) {
    const ct_extern *e = &t->exports[i];
    if (e->kind != COMP_EXT_TYPE) continue;
    if (e->type->kind == CT_RESOURCE && !add_source(x, rid_of(x, e->type), inst, &e->name)) return false;
    if (is_named(e->type)) {
      bool have = false;
      for (size_t k = 0; k < x->ntsrcs && !have; k++) have = x->tsrcs[k].t == e->type;
      named_source r = {e->type, inst, &e->name};
      if (!have && !UTIL_VEC_TRY_PUSH(x->tsrcs, x->ntsrcs, x->tsrccap, r)) return oom(x);
    }
  }
  return true;
}

static bool imported_rid(const ctx *x, uint32_t rid) {
  for (size_t i = 0; i < x->nirids; i++)
    if (x->irids[i] == rid) return true;
  return false;
}

static bool add_imported_rid(ctx *x, uint32_t rid) {
  return imported_rid(x, rid) || UTIL_VEC_TRY_PUSH(x->irids, x->nirids, x->iridcap, rid) || oom(x);
}

/* Whether t uses a resource known here that the composition does not import (a plug's):
 * an import may only use imported types. */
static bool uses_plug_resource(const ctx *x, const comp_ctype *t, unsigned depth) {
  if (!t || depth > 100) return false;
  if (t->kind == CT_RESOURCE) {
    uint32_t rid = rid_of((ctx *)x, t);
    return res_known(x->top, rid) && !imported_rid(x, rid);
  }
  if (uses_plug_resource(x, t->a, depth + 1) || uses_plug_resource(x, t->b, depth + 1)) return true;
  for (uint32_t i = 0; t->elems && i < t->n; i++)
    if (uses_plug_resource(x, t->elems[i], depth + 1)) return true;
  for (uint32_t i = 0; i < t->nimports; i++)
    if (uses_plug_resource(x, t->imports[i].type, depth + 1)) return true;
  for (uint32_t i = 0; i < t->nexports; i++)
    if (uses_plug_resource(x, t->exports[i].type, depth + 1)) return true;
  return false;
}

/* Import k of node c goes through: a new import of the composition, or a check against
 * the one an earlier input made for the same name. */
static bool pass_through(ctx *x, int c, uint32_t k, uint32_t *idx) {
  const comp_extern *im = &x->nodes[c].info->imports[k];
  /* the same name, else a semver-compatible one: one import serves both when its type
   * fits (a newer minor version usually exports more) */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < x->nimps; i++) {
      outer_import *o = &x->imps[i];
      const wasm_name *a = o->name, *b = &im->name->name;
      if (pass == 0 ? !name_eq(a, b) : !comp_compose_names_compatible(a->str, a->len, b->str, b->len)) continue;
      char why[512] = "";
      if (o->kind != im->kind || !ct_match(o->type, im->type, &x->s, why, sizeof why)) {
        if (pass == 0)
          return fail(x, "`%s` is imported by %s and %s with different types (%s)", a->str,
                      x->nodes[o->owner].in->name, x->nodes[c].in->name, why[0] ? why : "different kinds");
        return fail(x, "`%s` (imported by %s) does not fit `%s` (imported by %s), the import both share (%s)", b->str,
                    x->nodes[c].in->name, a->str, x->nodes[o->owner].in->name, why[0] ? why : "different kinds");
      }
      *idx = o->idx;
      return true;
    }
  if (uses_plug_resource(x, im->type, 0))
    return fail(x, "not supported: the import `%s` passes through and uses a resource type a plug provides (an import "
                   "may only use imported types)", im->name->name.str);
  if (!mark_known(x, im->type, 0)) return false;
  uint32_t ti = 0;
  util_buf item = {0};
  put_byte(&item, 0x00);
  put_name(&item, &im->name->name);
  bool ok = true;
  switch (im->kind) {
  case COMP_EXT_FUNC:
  case COMP_EXT_INSTANCE:
    ok = deftype(x->top, im->type, &ti, 0);
    put_byte(&item, im->kind);
    put_u32(&item, ti);
    break;
  case COMP_EXT_TYPE:
    put_byte(&item, COMP_EXT_TYPE);
    if (im->type->kind == CT_RESOURCE) {
      put_byte(&item, 0x01);
    } else {
      ok = deftype(x->top, im->type, &ti, 0);
      put_byte(&item, 0x00);
      put_u32(&item, ti);
    }
    break;
  default:
    ok = fail(x, "not supported: passing through the import `%s` (a %s)", im->name->name.str,
              comp_extern_kind_name(im->kind));
  }
  if (ok && item.oom) ok = oom(x);
  if (ok) {
    put_section1(&x->out, 10, &item);
    *idx = x->count[im->kind]++;
    if (im->kind == COMP_EXT_TYPE && im->type->kind == CT_RESOURCE)
      ok = scope_map_res(x->top, rid_of(x, im->type), *idx) && add_imported_rid(x, rid_of(x, im->type));
    else if (im->kind == COMP_EXT_TYPE)
      ok = scope_map_type(x->top, im->type, *idx); /* later imports use the imported name */
    if (im->kind == COMP_EXT_INSTANCE) {
      ok = ok && add_sources(x, im->type, *idx);
      for (uint32_t i = 0; ok && i < im->type->nexports; i++)
        if (im->type->exports[i].kind == COMP_EXT_TYPE && im->type->exports[i].type->kind == CT_RESOURCE)
          ok = add_imported_rid(x, rid_of(x, im->type->exports[i].type));
    }
    outer_import o = {&im->name->name, im->kind, im->type, c, *idx};
    ok = ok && (UTIL_VEC_TRY_PUSH(x->imps, x->nimps, x->impcap, o) || oom(x));
  }
  util_buf_free(&item);
  return ok;
}

/* The outer index of export e of node p (an alias of its instance's export). */
static uint32_t export_index(ctx *x, int p, uint32_t e) {
  node *nd = &x->nodes[p];
  if (nd->exp_idx[e] != UINT32_MAX) return nd->exp_idx[e];
  const comp_extern *ex = &nd->info->exports[e];
  util_buf a = {0};
  put_sort(&a, ex->kind);
  put_byte(&a, 0x00);
  put_u32(&a, nd->inst_idx);
  put_name(&a, &ex->name->name);
  put_section1(&x->out, 6, &a);
  util_buf_free(&a);
  return nd->exp_idx[e] = x->count[ex->kind]++;
}

static bool instantiate(ctx *x, int c) {
  node *nd = &x->nodes[c];
  uint32_t ni = nd->info->nimports;
  uint32_t *args = util_try_malloc((ni + 1) * sizeof *args);
  if (!args) return oom(x);
  bool ok = true;
  for (uint32_t k = 0; ok && k < ni; k++) {
    if (nd->prov[k] == NONE) ok = pass_through(x, c, k, &args[k]);
    else if ((ok = check_provided(x, c, k, nd->prov[k], nd->prov_exp[k]))) {
      args[k] = export_index(x, nd->prov[k], nd->prov_exp[k]);
      /* a type import satisfied here: later imports that use it name the alias */
      const comp_extern *im = &nd->info->imports[k];
      if (im->kind == COMP_EXT_TYPE && im->type->kind == CT_RESOURCE)
        ok = scope_map_res(x->top, rid_of(x, im->type), args[k]);
      else if (im->kind == COMP_EXT_TYPE) {
        provided_type pt = {im->type, &im->name->name};
        ok = UTIL_VEC_TRY_PUSH(x->provided, x->nprovided, x->providedcap, pt) || oom(x);
      }
    }
  }
  if (ok) {
    util_buf item = {0};
    put_byte(&item, 0x00);
    put_u32(&item, nd->comp_idx);
    put_u32(&item, ni);
    for (uint32_t k = 0; k < ni; k++) {
      put_name(&item, &nd->info->imports[k].name->name);
      put_sort(&item, nd->info->imports[k].kind);
      put_u32(&item, args[k]);
    }
    put_section1(&x->out, 5, &item);
    if (item.oom) ok = oom(x);
    util_buf_free(&item);
    nd->inst_idx = x->count[COMP_EXT_INSTANCE]++;
  }
  free(args);
  if (!ok || c == 0) return ok;
  /* a plug's exported instances and resources can name later imports' types */
  for (uint32_t e = 0; ok && e < nd->info->nexports; e++) {
    const comp_extern *ex = &nd->info->exports[e];
    if (ex->kind == COMP_EXT_INSTANCE) ok = add_sources(x, ex->type, export_index(x, c, e));
    else if (ex->kind == COMP_EXT_TYPE && ex->type->kind == CT_RESOURCE && !res_known(x->top, rid_of(x, ex->type)))
      ok = scope_map_res(x->top, rid_of(x, ex->type), export_index(x, c, e));
  }
  return ok;
}

static bool write_all(ctx *x) {
  static const uint8_t preamble[] = {0x00, 0x61, 0x73, 0x6d, COMP_VERSION, 0x00, COMP_LAYER, 0x00};
  util_buf_put(&x->out, preamble, sizeof preamble);
  for (size_t i = 0; i < x->norder; i++) {
    node *nd = &x->nodes[x->order[i]];
    put_byte(&x->out, 4);
    put_u32(&x->out, (uint32_t)nd->in->len);
    util_buf_put(&x->out, nd->in->bytes, nd->in->len);
    nd->comp_idx = x->count[COMP_EXT_COMPONENT]++;
  }
  for (size_t i = 0; i < x->norder; i++)
    if (!instantiate(x, x->order[i])) return false;
  /* The root's exports, each an alias of the root instance's export exported again. A
   * type exported here is a new name, which only a type ascription can make a function
   * export use (Explainer.md, external visibility): once the root exports a type, its
   * later function exports are ascribed their type, written with the exported names. */
  node *root = &x->nodes[0];
  bool named = false;
  for (uint32_t e = 0; e < root->info->nexports; e++) {
    const comp_extern *ex = &root->info->exports[e];
    uint32_t idx = export_index(x, 0, e), ti = 0;
    bool ascribe = named && ex->kind == COMP_EXT_FUNC;
    if (ascribe && !deftype(x->top, ex->type, &ti, 0)) return false;
    util_buf item = {0};
    put_byte(&item, 0x00);
    put_name(&item, &ex->name->name);
    put_sort(&item, ex->kind);
    put_u32(&item, idx);
    put_byte(&item, ascribe ? 0x01 : 0x00);
    if (ascribe) {
      put_byte(&item, COMP_EXT_FUNC);
      put_u32(&item, ti);
    }
    put_section1(&x->out, 11, &item);
    util_buf_free(&item);
    uint32_t out_idx = x->count[ex->kind]++;
    if (ex->kind == COMP_EXT_TYPE) {
      named = true;
      bool ok = ex->type->kind == CT_RESOURCE ? scope_map_res(x->top, rid_of(x, ex->type), out_idx)
                                              : scope_map_type(x->top, ex->type, out_idx);
      if (!ok) return false;
    }
  }
  return !x->out.oom || oom(x);
}

bool comp_compose(const comp_compose_input *in, size_t n, util_buf *out, char *why, size_t nwhy) {
  ctx x = {.n = n, .why = why, .nwhy = nwhy};
  tscope top = {.x = &x, .top = true};
  x.top = &top;
  if (nwhy) why[0] = 0;
  if (n == 0 || n > MAX_INPUTS) return fail(&x, "between 1 and %d components can be composed", MAX_INPUTS);
  util_arena_init(&x.arena);
  x.s.arena = &x.arena;
  x.s.fresh_lo = 0;
  x.s.fresh_hi = UINT32_MAX;
  x.nodes = util_try_calloc(n, sizeof *x.nodes);
  x.order = util_try_calloc(n, sizeof *x.order);
  int *path = util_try_calloc(n + 1, sizeof *path);
  bool ok = x.nodes && x.order && path ? true : oom(&x);
  for (size_t i = 0; ok && i < n; i++) {
    x.nodes[i].in = &in[i];
    ok = load(&x, &x.nodes[i], i);
  }
  for (size_t c = 0; ok && c < n; c++)
    for (uint32_t k = 0; ok && k < x.nodes[c].info->nimports; k++) ok = find_provider(&x, c, k);
  if (ok) ok = walk(&x, 0, path, 0);
  for (size_t p = 1; ok && p < n; p++)
    if (x.nodes[p].state != 2)
      ok = fail(&x, "%s is not used: nothing in the composition imports what it exports", in[p].name);
  if (ok) ok = write_all(&x);
  if (ok) {
    /* what is written must be a valid component; anything else is weld's fault */
    util_error err;
    comp_component *c = comp_decode(x.out.p, x.out.len, &err);
    if (!c || !comp_validate(c, NULL, &err)) {
      char buf[300];
      ok = fail(&x, "internal error: the composed component does not validate: %s",
                util_error_format(&err, buf, sizeof buf));
    }
    comp_free(c);
  }
  for (size_t i = 0; x.nodes && i < n; i++) {
    comp_info_free(x.nodes[i].info);
    comp_free(x.nodes[i].c);
    free(x.nodes[i].prov);
    free(x.nodes[i].prov_exp);
    free(x.nodes[i].exp_idx);
  }
  free(x.nodes);
  free(x.order);
  free(path);
  free(x.imps);
  free(x.srcs);
  free(x.tsrcs);
  free(x.provided);
  free(x.irids);
  scope_free(&top);
  ct_subst_free(&x.s);
  util_arena_free(&x.arena);
  if (ok) *out = x.out;
  else util_buf_free(&x.out);
  return ok;
}
