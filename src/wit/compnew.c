/* A core module wrapped into a component for a world: the component text (types from the
 * resolved WIT, the module embedded as binary, canon lower for the functions it imports,
 * canon lift for the functions the world exports). The caller encodes the text. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct cn {
  util_buf *o;
  util_error *err;
  const wit_core_names *core;
  const wit_world *w;
  const wit_def *named[256]; /* named types at the top: the world's own (imported as $n<i>) and those of
                                the interfaces it exports (defined as $n<i>) */
  size_t nnamed;
  const wit_iface *local;     /* the interface whose instance type is being written, */
  const wit_def *lnamed[256]; /* its named types, exported from the instance type as $l<i> */
  size_t nlnamed;
  bool xmode; /* in an exported interface's wrapper component: the exported names $x<i> of lnamed */
  const wit_iface *exporting; /* the interface whose functions are being lifted */
  const wit_def *used[256];   /* the interfaces' named types the functions reach: each declared in its
                                 interface's instance import, aliased out for the others */
  size_t nused;
  const wit_func **imp;  /* per core import: the world's function it is (NULL: a resource built-in) */
  const wit_def **ires;  /* per core import: the resource of a built-in */
  char *ikind;           /* per core import: 'f' function, 'd' resource.drop of an imported resource,
                            'n'/'r'/'x' resource.new/.rep/.drop of an exported one */
} cn;

static bool fail(cn *c, util_err_kind k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(cn *c, util_err_kind k, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  c->err->kind = k;
  vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
  va_end(ap);
  return false;
}

static const char *prim(wit_tkind k) {
  /* names here are char arrays, not pointers: their tables need no relocations at start-up */
  static const char names[][7] = {"bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32",
                                  "u64",  "f32", "f64", "char", "string"};
  return k <= WIT_STRING ? names[k] : NULL;
}

static const wit_witem *export_item_of(const cn *c, const wit_def *r);
static bool iface_exported(const cn *c, const wit_iface *in);

/* A value type as component text; false with "not supported" for what is not reached. */
static bool valtype(cn *c, const wit_type *t0, const char *fn) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  wit_tkind hk;
  const wit_def *res = wit_handle(t0, &hk);
  if (res) {
    const char *k = hk == WIT_OWN ? "own" : "borrow";
    for (size_t i = 0; c->local && i < c->nlnamed; i++)
      if (c->lnamed[i] == res) {
        util_buf_printf(c->o, "(%s $%s%zu)", k, c->xmode ? "x" : "l", i);
        return true;
      }
    for (size_t i = 0; i < c->nnamed; i++)
      if (c->named[i] == res) {
        if (c->exporting != res->owner && export_item_of(c, res))
          return fail(c, UTIL_ERR_LIMIT,
                      "not supported: function `%s` uses resource `%s` of exported interface `%s` (resources of an "
                      "exported interface used by another are not wrapped yet)",
                      fn, res->name, res->owner && res->owner->name ? res->owner->name : "?");
        util_buf_printf(c->o, "(%s $n%zu)", k, i);
        return true;
      }
    return fail(c, UTIL_ERR_LIMIT,
                "not supported: function `%s` uses resource `%s`, which is not of an interface the world imports "
                "or exports",
                fn, res->name);
  }
  if (!t && d) {
    for (size_t i = 0; c->local && i < c->nlnamed; i++)
      if (c->lnamed[i] == d) {
        util_buf_printf(c->o, "$%s%zu", c->xmode ? "x" : "l", i);
        return true;
      }
    /* the latest: a type of an exported interface is aliased out of its export once
     * that is written, and later uses name the alias */
    for (size_t i = c->nnamed; i-- > 0;)
      if (c->named[i] == d) {
        util_buf_printf(c->o, "$n%zu", i);
        return true;
      }
  }
  if (!t && d && d->kind == WIT_D_RESOURCE)
    return fail(c, UTIL_ERR_LIMIT, "not supported: function `%s` uses resource `%s` (a handle: resources are not wrapped yet)", fn, d->name);
  if (!t) {
    static const char kinds[][9] = {"record", "variant", "enum", "flags", "resource"};
    return fail(c, UTIL_ERR_LINK,
                "function `%s` uses %s `%s` of interface `%s`, which the world neither imports nor exports",
                fn, d && d->kind <= WIT_D_RESOURCE ? kinds[d->kind] : "type", d ? d->name : "?",
                d && d->owner && d->owner->name ? d->owner->name : "?");
  }
  const char *p = prim(t->kind);
  if (p) {
    util_buf_puts(c->o, p);
    return true;
  }
  switch (t->kind) {
  case WIT_LIST:
    if (t->fixed) return fail(c, UTIL_ERR_LIMIT, "not supported: function `%s` uses a fixed-length list", fn);
    util_buf_puts(c->o, "(list ");
    if (!valtype(c, t->a, fn)) return false;
    util_buf_puts(c->o, ")");
    return true;
  case WIT_OPTION:
    util_buf_puts(c->o, "(option ");
    if (!valtype(c, t->a, fn)) return false;
    util_buf_puts(c->o, ")");
    return true;
  case WIT_TUPLE:
    util_buf_puts(c->o, "(tuple");
    for (size_t i = 0; i < t->n; i++) {
      util_buf_puts(c->o, " ");
      if (!valtype(c, t->elems[i], fn)) return false;
    }
    util_buf_puts(c->o, ")");
    return true;
  case WIT_RESULT:
    util_buf_puts(c->o, "(result");
    if (t->a) {
      util_buf_puts(c->o, " ");
      if (!valtype(c, t->a, fn)) return false;
    }
    if (t->b) {
      util_buf_puts(c->o, " (error ");
      if (!valtype(c, t->b, fn)) return false;
      util_buf_puts(c->o, ")");
    }
    util_buf_puts(c->o, ")");
    return true;
  case WIT_OWN:
  case WIT_BORROW:
    return fail(c, UTIL_ERR_LIMIT, "not supported: function `%s` uses %s<%s> (a handle: resources are not wrapped yet)", fn,
                t->kind == WIT_OWN ? "own" : "borrow", t->name ? t->name : "?");
  default: {
    const char *what = t->kind == WIT_FUTURE ? "a future" : t->kind == WIT_STREAM ? "a stream" : t->kind == WIT_MAP ? "a map" : "an error-context";
    return fail(c, UTIL_ERR_LIMIT, "not supported: function `%s` uses %s (async values and maps are not wrapped yet)", fn, what);
  }
  }
}

/* The canonical ABI's flattening: the core types of a value ('i' i32, 'I' i64, 'f' f32,
 * 'F' f64) appended to fl[FLAT_MAX], *n counting on past the room; *mem set when strings
 * or lists occur. A variant's cases share their flat values, each slot joined. */
enum { FLAT_MAX = 40 };

static void push(char *fl, size_t *n, char c) {
  if (*n < FLAT_MAX) fl[*n] = c;
  (*n)++;
}

static char join(char a, char b) {
  if (a == b) return a;
  if ((a == 'i' && b == 'f') || (a == 'f' && b == 'i')) return 'i';
  return 'I';
}

static void flat(const wit_type *t0, char *fl, size_t *n, bool *mem);

/* i32 for the discriminant, then the cases' flat values joined slot by slot: the cases
 * of variant d, or the two of cases[] */
static void flat_cases(const wit_def *d, const wit_type *const *cases, char *fl, size_t *n, bool *mem) {
  char acc[FLAT_MAX], one[FLAT_MAX];
  size_t nacc = 0, ncases = d ? d->nfields : 2;
  push(fl, n, 'i');
  for (size_t i = 0; i < ncases; i++) {
    const wit_type *ct = d ? d->fields[i].type : cases[i];
    if (!ct) continue;
    size_t k = 0;
    flat(ct, one, &k, mem);
    for (size_t j = 0; j < k && j < FLAT_MAX; j++) acc[j] = j < nacc ? join(acc[j], one[j]) : one[j];
    if (k > nacc) nacc = k;
  }
  for (size_t j = 0; j < nacc; j++) push(fl, n, j < FLAT_MAX ? acc[j] : 'i');
}

static void flat(const wit_type *t0, char *fl, size_t *n, bool *mem) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  if (!t) {
    if (!d) {
      push(fl, n, 'i');
      return;
    }
    switch (d->kind) {
    case WIT_D_RECORD:
      for (size_t i = 0; i < d->nfields; i++) flat(d->fields[i].type, fl, n, mem);
      return;
    case WIT_D_VARIANT: flat_cases(d, NULL, fl, n, mem); return;
    case WIT_D_FLAGS:
      for (size_t i = 0; i < (d->nfields > 32 ? (d->nfields + 31) / 32 : 1); i++) push(fl, n, 'i');
      return;
    default: push(fl, n, 'i'); return;
    }
  }
  switch (t->kind) {
  case WIT_S64:
  case WIT_U64: push(fl, n, 'I'); return;
  case WIT_F32: push(fl, n, 'f'); return;
  case WIT_F64: push(fl, n, 'F'); return;
  case WIT_STRING:
  case WIT_LIST:
    *mem = true;
    push(fl, n, 'i');
    push(fl, n, 'i');
    return;
  case WIT_OPTION: {
    const wit_type *cases[2] = {NULL, t->a};
    flat_cases(NULL, cases, fl, n, mem);
    return;
  }
  case WIT_RESULT: {
    const wit_type *cases[2] = {t->a, t->b};
    flat_cases(NULL, cases, fl, n, mem);
    return;
  }
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) flat(t->elems[i], fl, n, mem);
    return;
  default: push(fl, n, 'i'); return;
  }
}

static const char *core_name(char f) { return f == 'I' ? "i64" : f == 'f' ? "f32" : f == 'F' ? "f64" : "i32"; }

/* A function's lowered core type `(param ..) (result ..)`: more than 16 flat parameters
 * become one pointer, more than one flat result a pointer passed last. Returns the number
 * of core parameters. */
static size_t core_sig(util_buf *o, const wit_func *f) {
  char fl[FLAT_MAX];
  size_t n = 0;
  bool mem = false;
  for (size_t i = 0; i < f->nparams; i++) flat(f->params[i].type, fl, &n, &mem);
  if (n > 16) n = 1, fl[0] = 'i';
  for (size_t i = 0; i < n; i++) util_buf_printf(o, " (param %s)", core_name(fl[i]));
  size_t nr = 0;
  if (f->result) flat(f->result, fl, &nr, &mem);
  if (nr > 1) util_buf_puts(o, " (param i32)");
  else if (nr == 1) util_buf_printf(o, " (result %s)", core_name(fl[0]));
  return n + (nr > 1);
}

/* Declares the named types that t reaches, the ones they use first: the world's own
 * imported (`(type $dI (record ..)) (import "point" (type $nI (eq $dI)))`), those of the
 * interface whose instance type is being written exported from it (`$lI`), those of an
 * exported interface defined (`$nI`, exported with its instance). Others stay for valtype
 * to refuse. */
static bool declare_def(cn *c, const wit_def *d, const char *fn);

static bool declare(cn *c, const wit_type *t0, const char *fn) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  wit_tkind hk;
  const wit_def *res = wit_handle(t0, &hk);
  if (res) return declare_def(c, res, fn);
  if (t) {
    switch (t->kind) {
    case WIT_LIST:
    case WIT_OPTION: return declare(c, t->a, fn);
    case WIT_RESULT: return (!t->a || declare(c, t->a, fn)) && (!t->b || declare(c, t->b, fn));
    case WIT_TUPLE:
      for (size_t i = 0; i < t->n; i++)
        if (!declare(c, t->elems[i], fn)) return false;
      return true;
    default: return true;
    }
  }
  return declare_def(c, d, fn);
}

/* `(record ..)`, `(variant ..)`, `(enum ..)` or `(flags ..)` for d. */
static bool def_body(cn *c, const wit_def *d, const char *fn) {
  static const char kw[][8] = {"record", "variant", "enum", "flags"};
  util_buf_printf(c->o, "(%s", kw[d->kind]);
  for (size_t i = 0; i < d->nfields; i++) {
    const wit_field *f = &d->fields[i];
    if (d->kind == WIT_D_RECORD || (d->kind == WIT_D_VARIANT && f->type)) {
      util_buf_printf(c->o, d->kind == WIT_D_RECORD ? " (field \"%s\" " : " (case \"%s\" ", f->name);
      if (!valtype(c, f->type, fn)) return false;
      util_buf_puts(c->o, ")");
    } else if (d->kind == WIT_D_VARIANT) {
      util_buf_printf(c->o, " (case \"%s\")", f->name);
    } else {
      util_buf_printf(c->o, " \"%s\"", f->name);
    }
  }
  util_buf_puts(c->o, ")");
  return true;
}

static bool declare_def(cn *c, const wit_def *d, const char *fn) {
  if (d && d->kind == WIT_D_RESOURCE) {
    /* an imported interface's resource is declared in its instance type; an exported
     * one's is defined before the module is instantiated (c->named) */
    if (!c->local || d->owner != c->local) return true;
    for (size_t i = 0; i < c->nlnamed; i++)
      if (c->lnamed[i] == d) return true;
    if (c->nlnamed == 256) return fail(c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
    util_buf_printf(c->o, "    (export \"%s\" (type $l%zu (sub resource)))\n", d->name, c->nlnamed);
    c->lnamed[c->nlnamed++] = d;
    return true;
  }
  if (!d || d->kind > WIT_D_FLAGS) return true;
  bool local = c->local && d->owner == c->local;
  /* a type of an exported interface is defined at the top, whether the interface's own
   * functions reach it or another exported interface's (by `use`) */
  if (!local && d->owner != &c->w->scope && (!c->exporting || d->owner != c->exporting) && !iface_exported(c, d->owner))
    return true;
  const wit_def **tab = local ? c->lnamed : c->named;
  size_t *n = local ? &c->nlnamed : &c->nnamed;
  for (size_t i = 0; i < *n; i++)
    if (tab[i] == d) return true;
  for (size_t i = 0; i < d->nfields; i++)
    if (d->fields[i].type && !declare(c, d->fields[i].type, fn)) return false;
  if (*n == 256) return fail(c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
  size_t k = *n;
  bool world = !local && d->owner == &c->w->scope;
  util_buf_printf(c->o, local ? "    (type $ld%zu " : world ? "  (type $d%zu " : "  (type $n%zu ", k);
  if (!def_body(c, d, fn)) return false;
  if (local) util_buf_printf(c->o, ")\n    (export \"%s\" (type $l%zu (eq $ld%zu)))\n", d->name, k, k);
  else if (world) util_buf_printf(c->o, ")\n  (import \"%s\" (type $n%zu (eq $d%zu)))\n", d->name, k, k);
  else util_buf_puts(c->o, ")\n");
  tab[(*n)++] = d;
  return true;
}

/* Notes the interfaces' named types t reaches (c->used). */
static bool mark_def(cn *c, const wit_def *d);

static bool mark(cn *c, const wit_type *t0) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  wit_tkind hk;
  const wit_def *res = wit_handle(t0, &hk);
  if (res) return mark_def(c, res);
  if (t) {
    switch (t->kind) {
    case WIT_LIST:
    case WIT_OPTION: return mark(c, t->a);
    case WIT_RESULT: return (!t->a || mark(c, t->a)) && (!t->b || mark(c, t->b));
    case WIT_TUPLE:
      for (size_t i = 0; i < t->n; i++)
        if (!mark(c, t->elems[i])) return false;
      return true;
    default: return true;
    }
  }
  return mark_def(c, d);
}

static bool mark_def(cn *c, const wit_def *d) {
  if (!d || d->kind > WIT_D_RESOURCE || d->owner == &c->w->scope) return true;
  for (size_t i = 0; i < c->nused; i++)
    if (c->used[i] == d) return true;
  if (c->nused == 256) return fail(c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
  c->used[c->nused++] = d;
  for (size_t i = 0; i < d->nfields; i++)
    if (d->fields[i].type && !mark(c, d->fields[i].type)) return false;
  return true;
}

static bool mark_func(cn *c, const wit_func *f) {
  if (!f) return true;
  for (size_t i = 0; i < f->nparams; i++)
    if (!mark(c, f->params[i].type)) return false;
  return !f->result || mark(c, f->result);
}

static bool declare_func(cn *c, const wit_func *f) {
  if (!f) return true;
  for (size_t i = 0; i < f->nparams; i++)
    if (!declare(c, f->params[i].type, f->name)) return false;
  return !f->result || declare(c, f->result, f->name);
}

/* `(func (param ..)* (result ..)?)`; with `inner` only the parameters and result, for a
 * function import's abbreviated type. */
static bool functype_(cn *c, const wit_func *f, bool inner) {
  if (f->kind != WIT_FUNC_PLAIN || f->async)
    return fail(c, UTIL_ERR_LIMIT, "not supported: `%s` is a resource or async function", f->name);
  if (!inner) util_buf_puts(c->o, "(func");
  for (size_t i = 0; i < f->nparams; i++) {
    util_buf_printf(c->o, " (param \"%s\" ", f->params[i].name);
    if (!valtype(c, f->params[i].type, f->name)) return false;
    util_buf_puts(c->o, ")");
  }
  if (f->result) {
    util_buf_puts(c->o, " (result ");
    if (!valtype(c, f->result, f->name)) return false;
    util_buf_puts(c->o, ")");
  }
  if (!inner) util_buf_puts(c->o, ")");
  return true;
}

static bool functype(cn *c, const wit_func *f) { return functype_(c, f, false); }

/* What a lifted or lowered function needs: memory, and realloc for the side that
 * receives strings or lists. */
static void needs(const wit_func *f, bool lift, bool *memory, bool *realloc) {
  bool pm = false, rm = false;
  char fl[FLAT_MAX];
  size_t np = 0, nr = 0;
  *memory = *realloc = false;
  if (!f) return; /* a resource built-in */
  for (size_t i = 0; i < f->nparams; i++) flat(f->params[i].type, fl, &np, &pm);
  if (f->result) flat(f->result, fl, &nr, &rm);
  *memory = pm || rm || np > 16 || nr > 1;
  *realloc = lift ? (pm || np > 16) : rm;
}

static void iface_name(util_buf *o, const wit_witem *it) {
  if (it->kind == WIT_ITEM_INLINE) {
    util_buf_puts(o, it->name);
    return;
  }
  const wit_iface *in = it->iface;
  util_buf_printf(o, "%s:%s/%s", in->pkg->ns, in->pkg->name, in->name);
  if (in->pkg->version) util_buf_printf(o, "@%s", in->pkg->version);
}

static bool core_exports(const cn *c, const char *name) {
  for (size_t i = 0; i < c->core->nexports; i++)
    if (strcmp(c->core->exports[i], name) == 0) return true;
  return false;
}

/* The world import (an interface's or the world's own function) a core import names;
 * *iface (when asked) the interface, NULL for the world's own. */
static const wit_func *find_import_in(const cn *c, const char *mod, const char *field, const wit_iface **iface) {
  char b[512];
  for (size_t i = 0; i < c->w->nimports; i++) {
    const wit_witem *it = &c->w->imports[i];
    if (it->kind == WIT_ITEM_FUNC) {
      if (strcmp(mod, "$root") == 0 && strcmp(field, it->name) == 0) return it->func;
      continue;
    }
    if (it->kind != WIT_ITEM_IFACE && it->kind != WIT_ITEM_INLINE) continue;
    if (it->kind == WIT_ITEM_INLINE) {
      snprintf(b, sizeof b, "%s", it->name);
    } else {
      const wit_iface *in = it->iface;
      snprintf(b, sizeof b, "%s:%s/%s%s%s", in->pkg->ns, in->pkg->name, in->name, in->pkg->version ? "@" : "",
               in->pkg->version ? in->pkg->version : "");
    }
    if (strcmp(b, mod) != 0) continue;
    for (size_t k = 0; k < it->iface->nfuncs; k++)
      if (strcmp(it->iface->funcs[k].name, field) == 0) {
        if (iface) *iface = it->iface;
        return &it->iface->funcs[k];
      }
  }
  return NULL;
}

/* Whether interface item it (an interface or an inline one) is named `name`. */
static bool iface_is(const wit_witem *it, const char *name) {
  char b[512];
  if (it->kind == WIT_ITEM_INLINE) return strcmp(it->name, name) == 0;
  if (it->kind != WIT_ITEM_IFACE) return false;
  const wit_iface *in = it->iface;
  snprintf(b, sizeof b, "%s:%s/%s%s%s", in->pkg->ns, in->pkg->name, in->name, in->pkg->version ? "@" : "",
           in->pkg->version ? in->pkg->version : "");
  return strcmp(b, name) == 0;
}

/* The exported interface item named `name`, or NULL. */
static const wit_witem *export_iface(const cn *c, const char *name) {
  for (size_t i = 0; i < c->w->nexports; i++)
    if (iface_is(&c->w->exports[i], name)) return &c->w->exports[i];
  return NULL;
}

/* The exported interface item of resource r. */
static const wit_witem *export_item_of(const cn *c, const wit_def *r) {
  for (size_t i = 0; i < c->w->nexports; i++)
    if ((c->w->exports[i].kind == WIT_ITEM_IFACE || c->w->exports[i].kind == WIT_ITEM_INLINE) &&
        c->w->exports[i].iface == r->owner)
      return &c->w->exports[i];
  return NULL;
}

/* Whether the world exports interface in. */
static bool iface_exported(const cn *c, const wit_iface *in) {
  for (size_t i = 0; in && i < c->w->nexports; i++)
    if ((c->w->exports[i].kind == WIT_ITEM_IFACE || c->w->exports[i].kind == WIT_ITEM_INLINE) &&
        c->w->exports[i].iface == in)
      return true;
  return false;
}

/* The name under which interface in knows named type d: its own, or the one a `use`
 * gave it (`use types.{pt as point}`); NULL when in neither defines nor uses d. */
static const char *local_name(const wit_iface *in, const wit_def *d) {
  for (size_t i = 0; i < in->ndefs; i++) {
    if (wit_def_base(in->defs[i]) == d) return in->defs[i]->name;
  }
  return NULL;
}

/* The resource `name` that interface `in` defines, or NULL. */
static const wit_def *iface_res(const wit_iface *in, const char *name, size_t len) {
  for (size_t i = 0; in && i < in->ndefs; i++)
    if (in->defs[i]->kind == WIT_D_RESOURCE && in->defs[i]->owner == in && strlen(in->defs[i]->name) == len &&
        memcmp(in->defs[i]->name, name, len) == 0)
      return in->defs[i];
  return NULL;
}

/* What core import i is (c->imp, c->ires, c->ikind): a function the world imports (a
 * resource's `[constructor]r`, `[method]r.m`, `[static]r.f` too, made plain in
 * plains[i]), `[resource-drop]r` of an imported interface's resource, or
 * `[resource-new]r` / `-rep` / `-drop` of an exported one (module `[export]IFACE`).
 * False: none of these (err not set), or out of memory (err set). */
static bool classify(cn *c, size_t i, wit_plain *plains) {
  const char *mod = c->core->import_modules[i], *field = c->core->import_fields[i];
  static const char *const pre[] = {"[resource-new]", "[resource-rep]", "[resource-drop]"};
  if (strncmp(mod, "[export]", 8) == 0) {
    const wit_witem *it = export_iface(c, mod + 8);
    for (int k = 0; it && k < 3; k++)
      if (strncmp(field, pre[k], strlen(pre[k])) == 0) {
        const char *rn = field + strlen(pre[k]);
        c->ires[i] = iface_res(it->iface, rn, strlen(rn));
        c->ikind[i] = "nrx"[k];
        return c->ires[i] != NULL;
      }
    return false;
  }
  const wit_iface *in = NULL;
  const wit_func *f = find_import_in(c, mod, field, &in);
  if (f) {
    c->imp[i] = f;
    c->ikind[i] = 'f';
    return true;
  }
  /* the imported interface of that name */
  for (size_t k = 0; !in && k < c->w->nimports; k++)
    if (iface_is(&c->w->imports[k], mod)) in = c->w->imports[k].iface;
  if (!in) return false;
  if (strncmp(field, pre[2], strlen(pre[2])) == 0) {
    const char *rn = field + strlen(pre[2]);
    c->ires[i] = iface_res(in, rn, strlen(rn));
    c->ikind[i] = 'd';
    return c->ires[i] != NULL;
  }
  const char *rn, *dot = NULL;
  int kind;
  if (strncmp(field, "[constructor]", 13) == 0) kind = WIT_FUNC_CONSTRUCTOR, rn = field + 13;
  else if (strncmp(field, "[method]", 8) == 0) kind = WIT_FUNC_METHOD, rn = field + 8;
  else if (strncmp(field, "[static]", 8) == 0) kind = WIT_FUNC_STATIC, rn = field + 8;
  else return false;
  if (kind != WIT_FUNC_CONSTRUCTOR && !(dot = strchr(rn, '.'))) return false;
  const wit_def *r = iface_res(in, rn, dot ? (size_t)(dot - rn) : strlen(rn));
  for (size_t k = 0; r && k < r->nfuncs; k++) {
    const wit_func *rf = &r->funcs[k];
    if (rf->kind != kind || (dot && strcmp(rf->name, dot + 1) != 0)) continue;
    if (!wit_res_plain(r, rf, &plains[i])) return fail(c, UTIL_ERR_OOM, "out of memory");
    c->imp[i] = &plains[i].f;
    c->ikind[i] = 'f';
    return true;
  }
  return false;
}

/* Whether entry k of the top-level named types is the latest for its type (an exported
 * interface's types are aliased out of its export: the alias is the one to use). */
static bool latest_named(const cn *c, size_t k) {
  for (size_t i = k + 1; i < c->nnamed; i++)
    if (c->named[i] == c->named[k]) return false;
  return true;
}

/* Whether exported interface a uses (by `use`) a type of exported interface b. */
static bool iface_uses(const wit_iface *a, const wit_iface *b) {
  for (size_t i = 0; i < a->ndefs; i++) {
    const wit_def *t = wit_def_base(a->defs[i]);
    if (t && t->owner == b && a != b) return true;
  }
  return false;
}

/* The index of resource r among the top-level named types. */
static size_t named_index(const cn *c, const wit_def *r) {
  for (size_t i = 0; i < c->nnamed; i++)
    if (c->named[i] == r) return i;
  return 0;
}

static bool lift_one(cn *c, const wit_func *f, const char *core_name, size_t idx) {
  bool memory, realloc;
  needs(f, true, &memory, &realloc);
  if (!declare_func(c, f)) return false;
  util_buf_printf(c->o, "  (type $et%zu ", idx);
  if (!functype(c, f)) return false;
  util_buf_puts(c->o, ")\n");
  if (!core_exports(c, core_name))
    return fail(c, UTIL_ERR_LINK, "the core module does not export `%s`, which world `%s` needs", core_name, c->w->name);
  if (memory && !core_exports(c, "memory"))
    return fail(c, UTIL_ERR_LINK, "the core module does not export `memory`, which `%s` needs", core_name);
  if (realloc && !core_exports(c, "cabi_realloc"))
    return fail(c, UTIL_ERR_LINK, "the core module does not export `cabi_realloc`, which `%s` needs", core_name);
  util_buf_printf(c->o, "  (alias core export $main \"%s\" (core func $ce%zu))\n", core_name, idx);
  char post[600];
  snprintf(post, sizeof post, "cabi_post_%s", core_name);
  bool has_post = core_exports(c, post);
  if (has_post) util_buf_printf(c->o, "  (alias core export $main \"%s\" (core func $cp%zu))\n", post, idx);
  util_buf_printf(c->o, "  (func $e%zu (type $et%zu) (canon lift (core func $ce%zu)", idx, idx, idx);
  if (memory) util_buf_puts(c->o, " (memory $mem)");
  if (realloc) util_buf_puts(c->o, " (realloc $realloc)");
  if (has_post) util_buf_printf(c->o, " (post-return $cp%zu)", idx);
  util_buf_puts(c->o, "))\n");
  return true;
}

/* An exported interface with resources, as the reference tools make it: a component that
 * imports the resources (`t<i>`), the interface's other named types (`t<i>`, defined over
 * the imported ones) and the lifted functions (`f<i>`), and exports them under the
 * interface's names, each function with its type over the exported types (a bag of inline
 * exports would not name the resources its functions use); instantiated as $ei<item>
 * (its `(export ..)` follows). */
static bool wrap_iface(cn *c, const wit_iface *in, size_t item, const wit_func *const *fs, size_t nf, size_t first) {
  util_buf *o = c->o;
  util_buf_printf(o, "  (component $w%zu\n", item);
  c->local = in;
  c->nlnamed = 0;
  c->xmode = false;
  size_t top[256];
  for (size_t k = 0; k < c->nnamed; k++) {
    const wit_def *d = c->named[k];
    if (!latest_named(c, k)) continue;
    if (d->owner != in && (d->kind == WIT_D_RESOURCE || !iface_exported(c, d->owner) || !local_name(in, d))) continue;
    size_t j = c->nlnamed;
    if (d->kind == WIT_D_RESOURCE) {
      util_buf_printf(o, "    (import \"t%zu\" (type $l%zu (sub resource)))\n", j, j);
    } else {
      util_buf_printf(o, "    (type $ld%zu ", j);
      if (!def_body(c, d, d->name)) return false;
      util_buf_printf(o, ")\n    (import \"t%zu\" (type $l%zu (eq $ld%zu)))\n", j, j, j);
    }
    top[j] = k;
    c->lnamed[c->nlnamed++] = d;
  }
  for (size_t k = 0; k < nf; k++) {
    util_buf_printf(o, "    (import \"f%zu\" (func $f%zu", k, k);
    if (!functype_(c, fs[k], true)) return false;
    util_buf_puts(o, "))\n");
  }
  c->xmode = true;
  for (size_t j = 0; j < c->nlnamed; j++) {
    const wit_def *d = c->lnamed[j];
    if (d->kind == WIT_D_RESOURCE || d->owner != in) {
      /* a resource, or a type another exported interface defines: the imported one
       * itself (WIT reads the second as `use`) */
      util_buf_printf(o, "    (export $x%zu \"%s\" (type $l%zu))\n", j, local_name(in, d), j);
    } else {
      util_buf_printf(o, "    (type $xd%zu ", j);
      if (!def_body(c, d, d->name)) return false;
      util_buf_printf(o, ")\n    (export $x%zu \"%s\" (type $xd%zu))\n", j, local_name(in, d), j);
    }
  }
  for (size_t k = 0; k < nf; k++) {
    util_buf_printf(o, "    (export \"%s\" (func $f%zu) (func", fs[k]->name, k);
    if (!functype_(c, fs[k], true)) return false;
    util_buf_puts(o, "))\n");
  }
  util_buf_printf(o, "  )\n  (instance $ei%zu (instantiate $w%zu", item, item);
  for (size_t j = 0; j < c->nlnamed; j++) util_buf_printf(o, " (with \"t%zu\" (type $n%zu))", j, top[j]);
  for (size_t k = 0; k < nf; k++) util_buf_printf(o, " (with \"f%zu\" (func $e%zu))", k, first + k);
  util_buf_puts(o, ")");
  c->xmode = false;
  c->local = NULL;
  c->nlnamed = 0;
  return true;
}

static bool err_set(const cn *c);

static bool component_text(cn *cp, wit_plain *plains, const uint8_t *core, size_t corelen) {
  cn c = *cp;
  util_buf *out = c.o;
  const wit_world *w = c.w;
  const wit_core_names *names = c.core;
  util_buf_puts(out, "(component\n  (core module $m binary \"");
  for (size_t i = 0; i < corelen; i++) util_buf_printf(out, "\\%02x", core[i]);
  util_buf_puts(out, "\")\n");
  /* imports: each core import must be a function the world imports. One that passes
   * strings, lists or values through memory is lowered with the module's memory and
   * realloc, which exist only once the module is instantiated: the module is given the
   * trampolines of a shim instead (a core module exporting a funcref table and, per such
   * import, a function calling through the table with the same core type), and a fixup
   * module fills the table with the lowered functions once the memory exists. */
  size_t nshim = 0;
  for (size_t i = 0; i < names->nimports; i++) {
    const char *mod = names->import_modules[i], *field = names->import_fields[i];
    if (!classify(&c, i, plains)) {
      if (err_set(&c)) return false;
      return fail(&c, UTIL_ERR_LINK, "the core module imports `%s` `%s`, which world `%s` does not import",
                  mod, field, w->name);
    }
    const wit_func *f = c.imp[i];
    for (size_t k = 0; k < i; k++)
      if (strcmp(names->import_modules[k], mod) == 0 && strcmp(names->import_fields[k], field) == 0)
        return fail(&c, UTIL_ERR_LIMIT, "not supported: the core module imports `%s` `%s` twice", mod, field);
    bool memory, realloc;
    needs(f, false, &memory, &realloc);
    if (memory && !core_exports(&c, "memory"))
      return fail(&c, UTIL_ERR_LINK, "the core module does not export `memory`, which imported `%s` needs", field);
    if (realloc && !core_exports(&c, "cabi_realloc"))
      return fail(&c, UTIL_ERR_LINK, "the core module does not export `cabi_realloc`, which imported `%s` needs", field);
    if (!declare_func(&c, f)) return false;
    if (memory) nshim++;
  }
  /* an interface's functions in one instance import, in the world's order (an interface
   * before those that use its types), with its named types that any function reaches:
   * declared and exported inside, aliased out for the interfaces and exports using them */
  for (size_t i = 0; i < names->nimports; i++)
    if (!mark_func(&c, c.imp[i]) || (c.ikind[i] == 'd' && !mark_def(&c, c.ires[i]))) return false;
  for (size_t i = 0; i < w->nexports; i++) {
    const wit_witem *it = &w->exports[i];
    if (it->kind == WIT_ITEM_FUNC && !mark_func(&c, it->func)) return false;
    if (it->kind == WIT_ITEM_IFACE || it->kind == WIT_ITEM_INLINE)
      for (size_t k = 0; k < it->iface->nfuncs; k++)
        if (!mark_func(&c, &it->iface->funcs[k])) return false;
  }
  for (size_t j = 0; j < w->nimports; j++) {
    const wit_witem *it = &w->imports[j];
    if (it->kind != WIT_ITEM_IFACE && it->kind != WIT_ITEM_INLINE) continue;
    char mod[512];
    if (it->kind == WIT_ITEM_INLINE) {
      snprintf(mod, sizeof mod, "%s", it->name);
    } else {
      const wit_iface *in = it->iface;
      snprintf(mod, sizeof mod, "%s:%s/%s%s%s", in->pkg->ns, in->pkg->name, in->name, in->pkg->version ? "@" : "",
               in->pkg->version ? in->pkg->version : "");
    }
    bool any = false;
    for (size_t i = 0; !any && i < names->nimports; i++) any = strcmp(names->import_modules[i], mod) == 0;
    for (size_t i = 0; !any && i < c.nused; i++) any = c.used[i]->owner == it->iface;
    if (!any) continue;
    util_buf_printf(out, "  (import \"%s\" (instance $ii%zu\n", mod, j);
    c.local = it->iface;
    c.nlnamed = 0;
    for (size_t i = 0; i < c.nused; i++)
      if (c.used[i]->owner == it->iface && !declare_def(&c, c.used[i], c.used[i]->name)) return false;
    for (size_t k = 0; k < names->nimports; k++)
      if (strcmp(names->import_modules[k], mod) == 0 && !declare_func(&c, c.imp[k]))
        return false;
    for (size_t k = 0; k < names->nimports; k++) {
      if (strcmp(names->import_modules[k], mod) != 0 || c.ikind[k] != 'f') continue;
      util_buf_printf(out, "    (export \"%s\" (func", names->import_fields[k]);
      if (!functype_(&c, c.imp[k], true)) return false;
      util_buf_puts(out, "))\n");
    }
    util_buf_puts(out, "  ))\n");
    c.local = NULL;
    for (size_t k = 0; k < names->nimports; k++)
      if (strcmp(names->import_modules[k], mod) == 0 && c.ikind[k] == 'f')
        util_buf_printf(out, "  (alias export $ii%zu \"%s\" (func $i%zu))\n", j, names->import_fields[k], k);
    for (size_t k = 0; k < c.nlnamed; k++) {
      if (c.nnamed == 256) return fail(&c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
      util_buf_printf(out, "  (alias export $ii%zu \"%s\" (type $n%zu))\n", j, c.lnamed[k]->name, c.nnamed);
      c.named[c.nnamed++] = c.lnamed[k];
    }
  }
  /* the world's own functions one by one */
  for (size_t i = 0; i < names->nimports; i++) {
    const char *mod = names->import_modules[i];
    if (strcmp(mod, "$root") != 0) continue;
    util_buf_printf(out, "  (import \"%s\" (func $i%zu", names->import_fields[i], i);
    if (!functype_(&c, c.imp[i], true)) return false;
    util_buf_puts(out, "))\n");
  }
  for (size_t i = 0; i < names->nimports; i++) {
    bool memory, realloc;
    needs(c.imp[i], false, &memory, &realloc);
    if (c.ikind[i] == 'd')
      util_buf_printf(out, "  (core func $ci%zu (canon resource.drop $n%zu))\n", i, named_index(&c, c.ires[i]));
    else if (c.ikind[i] == 'f' && !memory)
      util_buf_printf(out, "  (core func $ci%zu (canon lower (func $i%zu)))\n", i, i);
  }
  /* the exported interfaces' resources, with the module's destructor (`IFACE#[dtor]r`)
   * reached through the shim's table too: the resource type must exist before the module
   * is instantiated (it imports resource.new), the destructor only after */
  const wit_def *xres[256];
  bool xdtor[256];
  size_t nxres = 0, ndtor = 0;
  char dname[700];
  for (size_t i = 0; i < w->nexports; i++) {
    const wit_witem *it = &w->exports[i];
    if (it->kind != WIT_ITEM_IFACE && it->kind != WIT_ITEM_INLINE) continue;
    util_buf n = {0};
    iface_name(&n, it);
    if (n.oom) return fail(&c, UTIL_ERR_OOM, "out of memory");
    for (size_t k = 0; k < it->iface->ndefs; k++) {
      const wit_def *r = it->iface->defs[k];
      if (r->kind != WIT_D_RESOURCE || r->owner != it->iface) continue;
      if (nxres == 256) {
        util_buf_free(&n);
        return fail(&c, UTIL_ERR_LIMIT, "not supported: more than 256 resources");
      }
      snprintf(dname, sizeof dname, "%s#[dtor]%s", (const char *)n.p, r->name);
      xdtor[nxres] = core_exports(&c, dname);
      ndtor += xdtor[nxres];
      xres[nxres++] = r;
    }
    util_buf_free(&n);
  }
  if (nshim || ndtor) {
    util_buf_printf(out, "  (core module $shim\n    (table (export \"$imports\") %zu %zu funcref)\n", nshim + ndtor,
                    nshim + ndtor);
    for (size_t j = 0; j < ndtor; j++)
      util_buf_printf(out, "    (func (export \"%zu\") (param i32) local.get 0 i32.const %zu call_indirect (param i32))\n",
                      nshim + j, nshim + j);
    for (size_t i = 0, k = 0; i < names->nimports; i++) {
      const wit_func *f = c.imp[i];
      bool memory, realloc;
      needs(f, false, &memory, &realloc);
      if (!memory) continue;
      util_buf sig = {0};
      size_t np = core_sig(&sig, f);
      if (sig.oom) {
        util_buf_free(&sig);
        return fail(&c, UTIL_ERR_OOM, "out of memory");
      }
      const char *sg = sig.p ? (const char *)sig.p : "";
      util_buf_printf(out, "    (func (export \"%zu\")%s\n     ", k, sg);
      for (size_t p = 0; p < np; p++) util_buf_printf(out, " local.get %zu", p);
      util_buf_printf(out, " i32.const %zu call_indirect%s)\n", k, sg);
      util_buf_free(&sig);
      k++;
    }
    util_buf_puts(out, "  )\n  (core instance $shim (instantiate $shim))\n"
                       "  (alias core export $shim \"$imports\" (core table $shimtab))\n");
    for (size_t i = 0, k = 0; i < names->nimports; i++) {
      bool memory, realloc;
      needs(c.imp[i], false, &memory, &realloc);
      if (memory) util_buf_printf(out, "  (alias core export $shim \"%zu\" (core func $ci%zu))\n", k++, i);
    }
    for (size_t j = 0; j < ndtor; j++)
      util_buf_printf(out, "  (alias core export $shim \"%zu\" (core func $dt%zu))\n", nshim + j, j);
  }
  for (size_t j = 0, k = 0; j < nxres; j++) {
    if (c.nnamed == 256) return fail(&c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
    util_buf_printf(out, "  (type $n%zu (resource (rep i32)", c.nnamed);
    if (xdtor[j]) util_buf_printf(out, " (dtor (core func $dt%zu))", k++);
    util_buf_puts(out, "))\n");
    c.named[c.nnamed++] = xres[j];
  }
  for (size_t i = 0; i < names->nimports; i++)
    if (c.ikind[i] == 'n' || c.ikind[i] == 'r' || c.ikind[i] == 'x')
      util_buf_printf(out, "  (core func $ci%zu (canon resource.%s $n%zu))\n", i,
                      c.ikind[i] == 'n' ? "new" : c.ikind[i] == 'r' ? "rep" : "drop", named_index(&c, c.ires[i]));
  /* one core instance per imported module name, in first-seen order */
  for (size_t i = 0; i < names->nimports; i++) {
    size_t first = 0;
    while (strcmp(names->import_modules[first], names->import_modules[i]) != 0) first++;
    if (first != i) continue;
    util_buf_printf(out, "  (core instance $cm%zu", i);
    for (size_t k = i; k < names->nimports; k++)
      if (strcmp(names->import_modules[k], names->import_modules[i]) == 0)
        util_buf_printf(out, " (export \"%s\" (func $ci%zu))", names->import_fields[k], k);
    util_buf_puts(out, ")\n");
  }
  util_buf_puts(out, "  (core instance $main (instantiate $m");
  for (size_t i = 0; i < names->nimports; i++) {
    size_t first = 0;
    while (strcmp(names->import_modules[first], names->import_modules[i]) != 0) first++;
    if (first == i) util_buf_printf(out, " (with \"%s\" (instance $cm%zu))", names->import_modules[i], i);
  }
  util_buf_puts(out, "))\n");
  if (core_exports(&c, "memory")) util_buf_puts(out, "  (alias core export $main \"memory\" (core memory $mem))\n");
  if (core_exports(&c, "cabi_realloc")) util_buf_puts(out, "  (alias core export $main \"cabi_realloc\" (core func $realloc))\n");
  for (size_t j = 0, k = 0; j < nxres; j++) {
    if (!xdtor[j]) continue;
    util_buf n = {0};
    iface_name(&n, export_item_of(&c, xres[j]));
    if (n.oom) return fail(&c, UTIL_ERR_OOM, "out of memory");
    util_buf_printf(out, "  (alias core export $main \"%s#[dtor]%s\" (core func $md%zu))\n", n.p ? (const char *)n.p : "",
                    xres[j]->name, k++);
    util_buf_free(&n);
  }
  if (nshim || ndtor) {
    util_buf_printf(out, "  (core module $fixup\n    (import \"\" \"$imports\" (table %zu funcref))\n", nshim + ndtor);
    util_buf fx = {0};
    for (size_t i = 0, k = 0; i < names->nimports; i++) {
      const wit_func *f = c.imp[i];
      bool memory, realloc;
      needs(f, false, &memory, &realloc);
      if (!memory) continue;
      util_buf_printf(out, "    (import \"\" \"%zu\" (func $f%zu", k, k);
      core_sig(out, f);
      util_buf_puts(out, "))\n");
      util_buf_printf(&fx, " (export \"%zu\" (func $lo%zu))", k, i);
      k++;
    }
    for (size_t j = 0; j < ndtor; j++) {
      util_buf_printf(out, "    (import \"\" \"%zu\" (func $f%zu (param i32)))\n", nshim + j, nshim + j);
      util_buf_printf(&fx, " (export \"%zu\" (func $md%zu))", nshim + j, j);
    }
    util_buf_puts(out, "    (elem (i32.const 0) func");
    for (size_t k = 0; k < nshim + ndtor; k++) util_buf_printf(out, " $f%zu", k);
    util_buf_puts(out, "))\n");
    for (size_t i = 0; i < names->nimports; i++) {
      bool memory, realloc;
      needs(c.imp[i], false, &memory, &realloc);
      if (!memory) continue;
      util_buf_printf(out, "  (core func $lo%zu (canon lower (func $i%zu) (memory $mem)%s))\n", i, i,
                      realloc ? " (realloc $realloc)" : "");
    }
    if (fx.oom) {
      util_buf_free(&fx);
      return fail(&c, UTIL_ERR_OOM, "out of memory");
    }
    util_buf_printf(out, "  (core instance $fixargs (export \"$imports\" (table $shimtab))%s)\n"
                         "  (core instance (instantiate $fixup (with \"\" (instance $fixargs))))\n",
                    fx.p ? (const char *)fx.p : "");
    util_buf_free(&fx);
  }
  /* exports */
  size_t idx = 0;
  char cname[600];
  /* an exported interface after the exported interfaces whose types it uses */
  size_t order[256];
  bool done[256] = {false};
  if (w->nexports > 256) return fail(&c, UTIL_ERR_LIMIT, "not supported: more than 256 exports");
  for (size_t m = 0; m < w->nexports; m++) {
    size_t pick = SIZE_MAX, any = SIZE_MAX;
    for (size_t i = 0; i < w->nexports && pick == SIZE_MAX; i++) {
      if (done[i]) continue;
      if (any == SIZE_MAX) any = i;
      bool ready = true;
      for (size_t j = 0; ready && j < w->nexports; j++)
        ready = done[j] || j == i || !w->exports[i].iface || !w->exports[j].iface ||
                w->exports[j].kind == WIT_ITEM_FUNC || !iface_uses(w->exports[i].iface, w->exports[j].iface);
      if (ready) pick = i;
    }
    order[m] = pick == SIZE_MAX ? any : pick;
    done[order[m]] = true;
  }
  for (size_t oi = 0; oi < w->nexports; oi++) {
    size_t i = order[oi];
    const wit_witem *it = &w->exports[i];
    if (it->kind == WIT_ITEM_FUNC) {
      if (!lift_one(&c, it->func, it->name, idx)) return false;
      util_buf_printf(out, "  (export \"%s\" (func $e%zu))\n", it->name, idx);
      idx++;
    } else if (it->kind == WIT_ITEM_IFACE || it->kind == WIT_ITEM_INLINE) {
      util_buf n = {0};
      iface_name(&n, it);
      if (n.oom) return fail(&c, UTIL_ERR_OOM, "out of memory");
      size_t first = idx;
      c.exporting = it->iface;
      /* every named type the interface defines or takes by `use` from another exported
       * interface is part of its instance, whether a function reaches it or not */
      for (size_t r = 0; r < it->iface->ndefs; r++) {
        const wit_def *d = wit_def_base(it->iface->defs[r]);
        if (d && d->kind <= WIT_D_FLAGS && (d->owner == it->iface || iface_exported(&c, d->owner)) &&
            !declare_def(&c, d, d->name)) {
          util_buf_free(&n);
          return false;
        }
      }
      /* the functions in lifting order: the interface's, then its resources' (plain) */
      size_t nf = it->iface->nfuncs;
      for (size_t r = 0; r < it->iface->ndefs; r++)
        if (it->iface->defs[r]->kind == WIT_D_RESOURCE && it->iface->defs[r]->owner == it->iface)
          nf += it->iface->defs[r]->nfuncs;
      wit_plain *pl = calloc(nf ? nf : 1, sizeof *pl);
      const wit_func **fs = calloc(nf ? nf : 1, sizeof *fs);
      bool ok = pl && fs;
      if (!ok) fail(&c, UTIL_ERR_OOM, "out of memory");
      size_t m = 0;
      for (size_t k = 0; ok && k < it->iface->nfuncs; k++) fs[m++] = &it->iface->funcs[k];
      for (size_t r = 0; ok && r < it->iface->ndefs; r++) {
        const wit_def *rd = it->iface->defs[r];
        if (rd->kind != WIT_D_RESOURCE || rd->owner != it->iface) continue;
        for (size_t k = 0; ok && k < rd->nfuncs; k++) {
          if (rd->funcs[k].async)
            ok = fail(&c, UTIL_ERR_LIMIT, "not supported: `%s` of resource `%s` is async", rd->funcs[k].name, rd->name);
          else if (!wit_res_plain(rd, &rd->funcs[k], &pl[m]))
            ok = fail(&c, UTIL_ERR_OOM, "out of memory");
          else
            fs[m] = &pl[m].f, m++;
        }
      }
      for (size_t k = 0; ok && k < m; k++) {
        snprintf(cname, sizeof cname, "%s#%s", (const char *)n.p, fs[k]->name);
        ok = lift_one(&c, fs[k], cname, idx++);
      }
      c.exporting = NULL;
      bool has_res = false;
      for (size_t k = 0; k < c.nnamed; k++) has_res |= c.named[k]->owner == it->iface && c.named[k]->kind == WIT_D_RESOURCE;
      for (size_t j = 0; j < w->nexports; j++)
        has_res |= w->exports[j].kind != WIT_ITEM_FUNC && iface_uses(it->iface, w->exports[j].iface);
      if (ok && has_res) {
        ok = wrap_iface(&c, it->iface, i, fs, m, first);
      } else if (ok) {
        util_buf_printf(out, "  (instance $ei%zu", i);
        for (size_t k = 0; k < c.nnamed; k++)
          if (latest_named(&c, k) &&
              (c.named[k]->owner == it->iface || (c.named[k]->kind != WIT_D_RESOURCE && iface_exported(&c, c.named[k]->owner) &&
                                                  local_name(it->iface, c.named[k]))))
            util_buf_printf(out, " (export \"%s\" (type $n%zu))", local_name(it->iface, c.named[k]), k);
        for (size_t k = 0; k < m; k++) util_buf_printf(out, " (export \"%s\" (func $e%zu))", fs[k]->name, first + k);
      }
      for (size_t k = 0; pl && k < nf; k++) free(pl[k].params);
      free(pl), free(fs);
      if (!ok) {
        util_buf_free(&n);
        return false;
      }
      util_buf_printf(out, ")\n  (export $xe%zu \"%s\" (instance $ei%zu))\n", i, (const char *)n.p, i);
      util_buf_free(&n);
      /* its value types, aliased out of the export, for the exported interfaces that
       * `use` them: WIT then sees one type, not a copy per interface */
      size_t nn = c.nnamed;
      for (size_t k = 0; k < nn; k++) {
        const wit_def *d = c.named[k];
        if (d->owner != it->iface || d->kind == WIT_D_RESOURCE || !latest_named(&c, k)) continue;
        if (c.nnamed == 256) return fail(&c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
        util_buf_printf(out, "  (alias export $xe%zu \"%s\" (type $n%zu))\n", i, d->name, c.nnamed);
        c.named[c.nnamed++] = d;
      }
    }
  }
  util_buf_puts(out, ")\n");
  if (out->oom) return fail(&c, UTIL_ERR_OOM, "out of memory");
  return true;
}

static bool err_set(const cn *c) { return c->err->kind != UTIL_ERR_NONE; }

bool wit_component_text(const wit_world *w, const uint8_t *core, size_t corelen, const wit_core_names *names,
                        util_buf *out, util_error *err) {
  cn c;
  memset(&c, 0, sizeof c);
  c.o = out, c.err = err, c.core = names, c.w = w;
  util_error_clear(err);
  size_t n = names->nimports ? names->nimports : 1;
  wit_plain *plains = calloc(n, sizeof *plains);
  c.imp = calloc(n, sizeof *c.imp);
  c.ires = calloc(n, sizeof *c.ires);
  c.ikind = calloc(n, 1);
  bool ok = plains && c.imp && c.ires && c.ikind ? component_text(&c, plains, core, corelen)
                                                  : fail(&c, UTIL_ERR_OOM, "out of memory");
  for (size_t i = 0; plains && i < names->nimports; i++) free(plains[i].params);
  free(plains), free(c.imp), free(c.ires), free(c.ikind);
  return ok;
}
