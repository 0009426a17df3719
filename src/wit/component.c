/* wit: a component's world as WIT — the imports and exports of a validated component
 * (their resolved types from src/component) printed as `world root` of package
 * `root:component`, laid out as the reference tools lay it out: interfaces named by path
 * first, then inline interfaces, the world's types, its functions; exports after a blank
 * line. Type names come from the type imports and exports that name them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/internal.h"
#include "wit/wit.h"

typedef struct named {
  const comp_ctype *t;
  char *name;
  int scope; /* 0: the world; 1 + n: the n-th instance */
} named;

typedef struct cprinter {
  util_buf *o;
  named *names;
  size_t nnames, cap;
  util_error *err;
  bool failed;
} cprinter;

static void fail(cprinter *P, const char *fmt, ...) {
  if (P->failed) return;
  P->failed = true;
  va_list ap;
  va_start(ap, fmt);
  char msg[200];
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  util_fail(P->err, UTIL_ERR_INVALID, -1, "not supported: %s", msg);
}

/* Names here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const char kws[][14] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
    "float32", "float64", "char", "resource", "own", "borrow", "record", "flags", "variant", "enum",
    "bool", "string", "option", "result", "future", "stream", "error-context", "list", "as",
    "from", "static", "interface", "tuple", "import", "export", "world", "package", "constructor",
    "include", "with", "async", "map"};

static void label(util_buf *o, const char *s, size_t n) {
  for (size_t i = 0; i < sizeof kws / sizeof *kws; i++)
    if (strlen(kws[i]) == n && memcmp(kws[i], s, n) == 0) {
      util_buf_puts(o, "%");
      break;
    }
  util_buf_put(o, s, n);
}

static void wname(util_buf *o, const wasm_name *n) { label(o, n->str, n->len); }

static void add_name(cprinter *P, const comp_ctype *t, const char *s, size_t n, int scope) {
  if (P->nnames == P->cap) {
    size_t nc = P->cap ? P->cap * 2 : 16;
    named *nn = util_try_realloc(P->names, nc * sizeof *nn);
    if (!nn) {
      fail(P, "out of memory");
      return;
    }
    P->names = nn;
    P->cap = nc;
  }
  char *c = util_try_malloc(n + 1);
  if (!c) {
    fail(P, "out of memory");
    return;
  }
  memcpy(c, s, n);
  c[n] = 0;
  P->names[P->nnames].t = t;
  P->names[P->nnames].name = c;
  P->names[P->nnames].scope = scope;
  P->nnames++;
}

static bool same_type(const comp_ctype *a, const comp_ctype *b) {
  if (a == b) return true;
  return a && b && a->kind == CT_RESOURCE && b->kind == CT_RESOURCE && a->rid == b->rid;
}

/* The name of a type in a scope (its own names first, then any). */
static const char *find_name(cprinter *P, const comp_ctype *t, int scope) {
  for (size_t i = P->nnames; i-- > 0;)
    if (P->names[i].scope == scope && same_type(P->names[i].t, t)) return P->names[i].name;
  for (size_t i = P->nnames; i-- > 0;)
    if (same_type(P->names[i].t, t)) return P->names[i].name;
  return NULL;
}

static const char *prim(uint8_t code) {
  switch (code) {
  case COMP_T_BOOL: return "bool";
  case COMP_T_S8: return "s8";
  case COMP_T_U8: return "u8";
  case COMP_T_S16: return "s16";
  case COMP_T_U16: return "u16";
  case COMP_T_S32: return "s32";
  case COMP_T_U32: return "u32";
  case COMP_T_S64: return "s64";
  case COMP_T_U64: return "u64";
  case COMP_T_F32: return "f32";
  case COMP_T_F64: return "f64";
  case COMP_T_CHAR: return "char";
  case COMP_T_STRING: return "string";
  default: return "error-context";
  }
}

static void vtype(cprinter *P, const comp_ctype *t, int scope, int depth);

static void angle(cprinter *P, const char *kw, const comp_ctype *a, int scope, int depth) {
  util_buf_puts(P->o, kw);
  util_buf_puts(P->o, "<");
  vtype(P, a, scope, depth + 1);
  util_buf_puts(P->o, ">");
}

static void vtype(cprinter *P, const comp_ctype *t, int scope, int depth) {
  if (depth > 100) {
    fail(P, "types nested deeper than 100 levels");
    return;
  }
  if (!t) {
    fail(P, "a type the validator did not resolve");
    return;
  }
  const char *n;
  if (t->kind != CT_OWN && t->kind != CT_BORROW && t->kind != CT_PRIM && (n = find_name(P, t, scope))) {
    label(P->o, n, strlen(n));
    return;
  }
  switch (t->kind) {
  case CT_PRIM:
  case CT_ERROR_CONTEXT: util_buf_puts(P->o, prim(t->prim)); break;
  case CT_LIST: angle(P, "list", t->a, scope, depth); break;
  case CT_FIXED_LIST: {
    util_buf_puts(P->o, "list<");
    vtype(P, t->a, scope, depth + 1);
    char b[24];
    snprintf(b, sizeof b, ", %u>", t->len);
    util_buf_puts(P->o, b);
    break;
  }
  case CT_OPTION: angle(P, "option", t->a, scope, depth); break;
  case CT_RESULT:
    if (!t->a && !t->b) {
      util_buf_puts(P->o, "result");
      break;
    }
    util_buf_puts(P->o, "result<");
    if (t->a) vtype(P, t->a, scope, depth + 1);
    else util_buf_puts(P->o, "_");
    if (t->b) {
      util_buf_puts(P->o, ", ");
      vtype(P, t->b, scope, depth + 1);
    }
    util_buf_puts(P->o, ">");
    break;
  case CT_TUPLE:
    util_buf_puts(P->o, "tuple<");
    for (uint32_t i = 0; i < t->n; i++) {
      if (i) util_buf_puts(P->o, ", ");
      vtype(P, t->elems[i], scope, depth + 1);
    }
    util_buf_puts(P->o, ">");
    break;
  case CT_OWN:
  case CT_BORROW: {
    const char *rn = find_name(P, t->a, scope);
    if (!rn) {
      fail(P, "a handle of a resource without a name");
      return;
    }
    if (t->kind == CT_BORROW) util_buf_puts(P->o, "borrow<");
    label(P->o, rn, strlen(rn));
    if (t->kind == CT_BORROW) util_buf_puts(P->o, ">");
    break;
  }
  case CT_FUTURE:
  case CT_STREAM:
    util_buf_puts(P->o, t->kind == CT_FUTURE ? "future" : "stream");
    if (t->a) {
      util_buf_puts(P->o, "<");
      vtype(P, t->a, scope, depth + 1);
      util_buf_puts(P->o, ">");
    }
    break;
  case CT_MAP:
    util_buf_puts(P->o, "map<");
    vtype(P, t->a, scope, depth + 1);
    util_buf_puts(P->o, ", ");
    vtype(P, t->b, scope, depth + 1);
    util_buf_puts(P->o, ">");
    break;
  default: fail(P, "an unnamed record, variant, enum, flags or resource type in WIT"); break;
  }
}

static void indent(util_buf *o, int n) {
  for (int i = 0; i < n; i++) util_buf_puts(o, "  ");
}

/* `func(a: T) -> R` (skip_self: a method's `self`) */
static void functype(cprinter *P, const comp_ctype *f, int scope, bool skip_self, bool ctor) {
  if (f->async) util_buf_puts(P->o, "async ");
  if (!ctor) util_buf_puts(P->o, "func");
  util_buf_puts(P->o, "(");
  for (uint32_t i = skip_self ? 1 : 0; i < f->n; i++) {
    if (i > (skip_self ? 1u : 0u)) util_buf_puts(P->o, ", ");
    wname(P->o, &f->names[i]);
    util_buf_puts(P->o, ": ");
    vtype(P, f->elems[i], scope, 0);
  }
  util_buf_puts(P->o, ")");
  if (f->a && !ctor) {
    util_buf_puts(P->o, " -> ");
    vtype(P, f->a, scope, 0);
  }
}

/* A named type's definition (its name already registered). */
static void typedef_(cprinter *P, const char *name, const comp_ctype *t, int scope, int ind,
                     const ct_extern *funcs, uint32_t nfuncs) {
  util_buf *o = P->o;
  indent(o, ind);
  switch (t->kind) {
  case CT_RECORD:
  case CT_VARIANT:
  case CT_ENUM:
  case CT_FLAGS: {
    util_buf_puts(o, t->kind == CT_RECORD ? "record " : t->kind == CT_VARIANT ? "variant " : t->kind == CT_ENUM ? "enum " : "flags ");
    label(o, name, strlen(name));
    util_buf_puts(o, " {\n");
    for (uint32_t i = 0; i < t->n; i++) {
      indent(o, ind + 1);
      wname(o, &t->names[i]);
      if (t->kind == CT_RECORD) {
        util_buf_puts(o, ": ");
        vtype(P, t->elems[i], scope, 0);
      } else if (t->kind == CT_VARIANT && t->elems[i]) {
        util_buf_puts(o, "(");
        vtype(P, t->elems[i], scope, 0);
        util_buf_puts(o, ")");
      }
      util_buf_puts(o, ",\n");
    }
    indent(o, ind);
    util_buf_puts(o, "}\n");
    break;
  }
  case CT_RESOURCE: {
    util_buf_puts(o, "resource ");
    label(o, name, strlen(name));
    size_t nl = strlen(name);
    bool any = false;
    for (uint32_t i = 0; i < nfuncs; i++) {
      const wasm_name *fn = &funcs[i].name;
      wasm_name res;
      int ann;
      if (funcs[i].kind != COMP_EXT_FUNC || !comp_name_resource(fn, &res, &ann)) continue;
      if (res.len != nl || memcmp(res.str, name, nl) != 0) continue;
      if (!any) util_buf_puts(o, " {\n");
      any = true;
      indent(o, ind + 1);
      const comp_ctype *ft = funcs[i].type;
      if (ann == COMP_ANN_CONSTRUCTOR) {
        util_buf_puts(o, "constructor");
        functype(P, ft, scope, false, true);
      } else {
        const char *dot = memchr(fn->str, '.', fn->len);
        const char *m = dot ? dot + 1 : fn->str;
        label(o, m, fn->len - (size_t)(m - fn->str));
        util_buf_puts(o, ann == COMP_ANN_STATIC ? ": static " : ": ");
        functype(P, ft, scope, ann == COMP_ANN_METHOD, false);
      }
      util_buf_puts(o, ";\n");
    }
    if (any) {
      indent(o, ind);
      util_buf_puts(o, "}\n");
    } else {
      util_buf_puts(o, ";\n");
    }
    break;
  }
  default:
    util_buf_puts(o, "type ");
    label(o, name, strlen(name));
    util_buf_puts(o, " = ");
    /* the alias's target, not its own name */
    {
      size_t keep = P->nnames;
      const comp_ctype *saved = NULL;
      for (size_t i = P->nnames; i-- > 0;)
        if (P->names[i].t == t && strcmp(P->names[i].name, name) == 0) {
          saved = P->names[i].t;
          P->names[i].t = NULL;
          vtype(P, t, scope, 0);
          P->names[i].t = saved;
          break;
        }
      if (!saved) vtype(P, t, scope, 0);
      (void)keep;
    }
    util_buf_puts(o, ";\n");
    break;
  }
}

static bool is_iface_name(const wasm_name *n) { return memchr(n->str, ':', n->len) != NULL; }

/* An instance's types and functions, as an interface body. */
static void iface_body(cprinter *P, const comp_ctype *it, int scope, int ind) {
  bool first = true;
  for (uint32_t i = 0; i < it->nexports; i++) {
    const ct_extern *e = &it->exports[i];
    if (e->kind != COMP_EXT_TYPE) continue;
    add_name(P, e->type, e->name.str, e->name.len, scope);
  }
  for (uint32_t i = 0; i < it->nexports; i++) {
    const ct_extern *e = &it->exports[i];
    if (e->kind != COMP_EXT_TYPE) continue;
    if (!first) util_buf_puts(P->o, "\n");
    first = false;
    char *nm = util_try_malloc(e->name.len + 1);
    if (!nm) {
      fail(P, "out of memory");
      return;
    }
    memcpy(nm, e->name.str, e->name.len);
    nm[e->name.len] = 0;
    typedef_(P, nm, e->type, scope, ind, it->exports, it->nexports);
    free(nm);
  }
  bool any_func = false;
  for (uint32_t i = 0; i < it->nexports; i++) {
    const ct_extern *e = &it->exports[i];
    wasm_name res;
    int ann;
    if (e->kind != COMP_EXT_FUNC || comp_name_resource(&e->name, &res, &ann)) continue;
    if (any_func || !first) util_buf_puts(P->o, "\n");
    any_func = true;
    indent(P->o, ind);
    wname(P->o, &e->name);
    util_buf_puts(P->o, ": ");
    functype(P, e->type, scope, false, false);
    util_buf_puts(P->o, ";\n");
  }
  for (uint32_t i = 0; i < it->nexports; i++)
    if (it->exports[i].kind != COMP_EXT_TYPE && it->exports[i].kind != COMP_EXT_FUNC)
      fail(P, "an instance exporting a %s", comp_extern_kind_name(it->exports[i].kind));
}

static void externs(cprinter *P, const comp_extern *ex, uint32_t n, const char *dir, int *scope) {
  util_buf *o = P->o;
  /* interfaces by path, then inline interfaces */
  for (uint32_t i = 0; i < n; i++) {
    if (ex[i].kind != COMP_EXT_INSTANCE) continue;
    const wasm_name *nm = &ex[i].name->name;
    int sc = ++*scope;
    if (is_iface_name(nm)) {
      /* its types are named for the functions that use them */
      for (uint32_t k = 0; k < ex[i].type->nexports; k++)
        if (ex[i].type->exports[k].kind == COMP_EXT_TYPE)
          add_name(P, ex[i].type->exports[k].type, ex[i].type->exports[k].name.str, ex[i].type->exports[k].name.len, sc);
      indent(o, 1);
      util_buf_puts(o, dir);
      util_buf_puts(o, " ");
      util_buf_put(o, nm->str, nm->len);
      util_buf_puts(o, ";\n");
    } else {
      indent(o, 1);
      util_buf_puts(o, dir);
      util_buf_puts(o, " ");
      wname(o, nm);
      util_buf_puts(o, ": interface {\n");
      iface_body(P, ex[i].type, sc, 2);
      indent(o, 1);
      util_buf_puts(o, "}\n");
    }
  }
  /* the world's types */
  for (uint32_t i = 0; i < n; i++)
    if (ex[i].kind == COMP_EXT_TYPE) add_name(P, ex[i].type, ex[i].name->name.str, ex[i].name->name.len, 0);
  for (uint32_t i = 0; i < n; i++) {
    if (ex[i].kind != COMP_EXT_TYPE) continue;
    util_buf_puts(o, "\n");
    char *nm = util_try_malloc(ex[i].name->name.len + 1);
    if (!nm) {
      fail(P, "out of memory");
      return;
    }
    memcpy(nm, ex[i].name->name.str, ex[i].name->name.len);
    nm[ex[i].name->name.len] = 0;
    /* a resource's functions are the world's functions named after it */
    ct_extern *fs = NULL;
    uint32_t nf = 0;
    for (uint32_t k = 0; k < n; k++)
      if (ex[k].kind == COMP_EXT_FUNC) nf++;
    if (nf) fs = util_try_calloc(nf, sizeof *fs);
    nf = 0;
    for (uint32_t k = 0; k < n && fs; k++)
      if (ex[k].kind == COMP_EXT_FUNC) {
        fs[nf].name = ex[k].name->name;
        fs[nf].kind = COMP_EXT_FUNC;
        fs[nf].type = ex[k].type;
        nf++;
      }
    typedef_(P, nm, ex[i].type, 0, 1, fs, nf);
    free(fs);
    free(nm);
  }
  for (uint32_t i = 0; i < n; i++) {
    wasm_name res;
    int ann;
    if (ex[i].kind != COMP_EXT_FUNC || comp_name_resource(&ex[i].name->name, &res, &ann)) continue;
    indent(o, 1);
    util_buf_puts(o, dir);
    util_buf_puts(o, " ");
    wname(o, &ex[i].name->name);
    util_buf_puts(o, ": ");
    functype(P, ex[i].type, 0, false, false);
    util_buf_puts(o, ";\n");
  }
  for (uint32_t i = 0; i < n; i++)
    if (ex[i].kind != COMP_EXT_TYPE && ex[i].kind != COMP_EXT_FUNC && ex[i].kind != COMP_EXT_INSTANCE)
      fail(P, "a component that %ss a %s", dir, comp_extern_kind_name(ex[i].kind));
}

bool wit_print_component(const uint8_t *bytes, size_t len, util_buf *out, util_error *err) {
  util_error_clear(err);
  comp_component *c = comp_decode(bytes, len, err);
  if (!c) return false;
  comp_info *info = NULL;
  if (!comp_validate(c, &info, err)) {
    comp_info_free(info);
    comp_free(c);
    return false;
  }
  cprinter P;
  memset(&P, 0, sizeof P);
  P.o = out;
  P.err = err;
  int scope = 0;
  util_buf_puts(out, "package root:component;\n\nworld root {\n");
  externs(&P, info->imports, info->nimports, "import", &scope);
  if (info->nexports) {
    if (info->nimports) util_buf_puts(out, "\n");
    externs(&P, info->exports, info->nexports, "export", &scope);
  }
  util_buf_puts(out, "}\n");
  for (size_t i = 0; i < P.nnames; i++) free(P.names[i].name);
  free(P.names);
  comp_info_free(info);
  comp_free(c);
  if (out->oom && !P.failed) {
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return false;
  }
  return !P.failed;
}
