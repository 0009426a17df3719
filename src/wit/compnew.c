/* A core module wrapped into a component for a world: the component text (types from the
 * resolved WIT, the module embedded as binary, canon lower for the functions it imports,
 * canon lift for the functions the world exports). The caller encodes the text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wit.h"

typedef struct cn {
  util_buf *o;
  util_error *err;
  const wit_core_names *core;
  const wit_world *w;
  const wit_def *named[256]; /* the world's own named types, imported in this order as $n<i> */
  size_t nnamed;
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
  static const char *const names[] = {"bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32",
                                      "u64",  "f32", "f64", "char", "string"};
  return k <= WIT_STRING ? names[k] : NULL;
}

/* A value type as component text; false with "not supported" for what is not reached. */
static bool valtype(cn *c, const wit_type *t0, const char *fn) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  if (!t && d) {
    for (size_t i = 0; i < c->nnamed; i++)
      if (c->named[i] == d) {
        util_buf_printf(c->o, "$n%zu", i);
        return true;
      }
  }
  if (!t) {
    static const char *const kinds[] = {"record", "variant", "enum", "flags", "resource"};
    return fail(c, UTIL_ERR_LIMIT, "not supported: function `%s` uses %s `%s` (only the world's own records, variants, enums and flags are wrapped yet)", fn,
                d && d->kind <= WIT_D_RESOURCE ? kinds[d->kind] : "type", d ? d->name : "?");
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
  default:
    return fail(c, UTIL_ERR_LIMIT, "not supported: function `%s` uses a handle, future, stream, map or error-context", fn);
  }
}

/* Flat value count (canonical ABI flattening) and whether strings or lists occur. */
static size_t flat(const wit_type *t0, bool *mem) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  if (!t) {
    if (!d) return 1;
    size_t n = 0, m = 0;
    switch (d->kind) {
    case WIT_D_RECORD:
      for (size_t i = 0; i < d->nfields; i++) n += flat(d->fields[i].type, mem);
      return n;
    case WIT_D_VARIANT:
      for (size_t i = 0; i < d->nfields; i++)
        if (d->fields[i].type && (n = flat(d->fields[i].type, mem)) > m) m = n;
      return 1 + m;
    case WIT_D_FLAGS: return d->nfields > 32 ? (d->nfields + 31) / 32 : 1;
    default: return 1;
    }
  }
  switch (t->kind) {
  case WIT_STRING:
  case WIT_LIST: *mem = true; return 2;
  case WIT_OPTION: return 1 + flat(t->a, mem);
  case WIT_TUPLE: {
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) n += flat(t->elems[i], mem);
    return n;
  }
  case WIT_RESULT: {
    size_t a = t->a ? flat(t->a, mem) : 0, b = t->b ? flat(t->b, mem) : 0;
    return 1 + (a > b ? a : b);
  }
  default: return 1;
  }
}

/* Imports the world's own named types that t reaches (`(import "point" (type $nI (eq
 * $dI)))`), the ones they use first. Others stay for valtype to refuse. */
static bool declare(cn *c, const wit_type *t0, const char *fn) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
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
  if (!d || d->owner != &c->w->scope || d->kind > WIT_D_FLAGS) return true;
  for (size_t i = 0; i < c->nnamed; i++)
    if (c->named[i] == d) return true;
  for (size_t i = 0; i < d->nfields; i++)
    if (d->fields[i].type && !declare(c, d->fields[i].type, fn)) return false;
  if (c->nnamed == sizeof c->named / sizeof c->named[0])
    return fail(c, UTIL_ERR_LIMIT, "not supported: more than 256 named types");
  size_t k = c->nnamed;
  static const char *const kw[] = {"record", "variant", "enum", "flags"};
  util_buf_printf(c->o, "  (type $d%zu (%s", k, kw[d->kind]);
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
  util_buf_printf(c->o, "))\n  (import \"%s\" (type $n%zu (eq $d%zu)))\n", d->name, k, k);
  c->named[c->nnamed++] = d;
  return true;
}

static bool declare_func(cn *c, const wit_func *f) {
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
  size_t np = 0;
  for (size_t i = 0; i < f->nparams; i++) np += flat(f->params[i].type, &pm);
  size_t nr = f->result ? flat(f->result, &rm) : 0;
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

/* The world import (an interface's or the world's own function) a core import names. */
static const wit_func *find_import(const cn *c, const char *mod, const char *field) {
  char b[512];
  for (size_t i = 0; i < c->w->nimports; i++) {
    const wit_witem *it = &c->w->imports[i];
    if (it->kind == WIT_ITEM_FUNC) {
      if (strcmp(mod, "$root") == 0 && strcmp(field, it->name) == 0) return it->func;
      continue;
    }
    if (it->kind != WIT_ITEM_IFACE && it->kind != WIT_ITEM_INLINE) continue;
    util_buf n = {0};
    iface_name(&n, it);
    snprintf(b, sizeof b, "%s", n.oom || !n.p ? "" : (const char *)n.p);
    util_buf_free(&n);
    if (strcmp(b, mod) != 0) continue;
    for (size_t k = 0; k < it->iface->nfuncs; k++)
      if (strcmp(it->iface->funcs[k].name, field) == 0) return &it->iface->funcs[k];
  }
  return NULL;
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

bool wit_component_text(const wit_world *w, const uint8_t *core, size_t corelen, const wit_core_names *names,
                        util_buf *out, util_error *err) {
  cn c = {out, err, names, w, {0}, 0};
  util_error_clear(err);
  util_buf_puts(out, "(component\n  (core module $m binary \"");
  for (size_t i = 0; i < corelen; i++) util_buf_printf(out, "\\%02x", core[i]);
  util_buf_puts(out, "\")\n");
  /* imports: each core import must be a function the world imports */
  for (size_t i = 0; i < names->nimports; i++) {
    const char *mod = names->import_modules[i], *field = names->import_fields[i];
    const wit_func *f = find_import(&c, mod, field);
    if (!f)
      return fail(&c, UTIL_ERR_LINK, "the core module imports `%s` `%s`, which world `%s` does not import",
                  mod, field, w->name);
    bool memory, realloc;
    needs(f, false, &memory, &realloc);
    if (memory)
      return fail(&c, UTIL_ERR_LIMIT,
                  "not supported: imported function `%s` passes strings, lists or several flat values (lowering with "
                  "the module's memory)",
                  field);
    if (!declare_func(&c, f)) return false;
    if (strcmp(mod, "$root") == 0) {
      util_buf_printf(out, "  (import \"%s\" (func $i%zu", field, i);
      if (!functype_(&c, f, true)) return false;
      util_buf_puts(out, "))\n");
    } else {
      util_buf_printf(out, "  (import \"%s\" (instance $ii%zu (export \"%s\" (func", mod, i, field);
      if (!functype_(&c, f, true)) return false;
      util_buf_printf(out, "))))\n  (alias export $ii%zu \"%s\" (func $i%zu))\n", i, field, i);
    }
    util_buf_printf(out, "  (core func $ci%zu (canon lower (func $i%zu)))\n", i, i);
  }
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
  /* exports */
  size_t idx = 0;
  char cname[600];
  for (size_t i = 0; i < w->nexports; i++) {
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
      for (size_t k = 0; k < it->iface->nfuncs; k++) {
        snprintf(cname, sizeof cname, "%s#%s", (const char *)n.p, it->iface->funcs[k].name);
        if (!lift_one(&c, &it->iface->funcs[k], cname, idx++)) {
          util_buf_free(&n);
          return false;
        }
      }
      util_buf_printf(out, "  (instance $ei%zu", i);
      for (size_t k = 0; k < it->iface->nfuncs; k++)
        util_buf_printf(out, " (export \"%s\" (func $e%zu))", it->iface->funcs[k].name, first + k);
      util_buf_printf(out, ")\n  (export \"%s\" (instance $ei%zu))\n", (const char *)n.p, i);
      util_buf_free(&n);
    }
  }
  util_buf_puts(out, ")\n");
  if (out->oom) return fail(&c, UTIL_ERR_OOM, "out of memory");
  return true;
}
