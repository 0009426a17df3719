/* wit: the canonical printer — resolved packages back to WIT text: two-space indent,
 * `use`s first, then types, then functions; worlds with includes merged and the
 * interfaces their imports and exports use imported; dependencies as nested packages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wit/internal.h"

static void put(util_buf *o, const char *s) { util_buf_put(o, s, strlen(s)); }

static void putf(util_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(util_buf *o, const char *fmt, ...) {
  char b[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b, sizeof b, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof b) {
    util_buf_put(o, b, (size_t)n);
    return;
  }
  va_start(ap, fmt);
  if (util_buf_reserve(o, (size_t)n + 1)) {
    vsnprintf((char *)o->p + o->len, (size_t)n + 1, fmt, ap);
    o->len += (size_t)n;
  }
  va_end(ap);
}

static void indent(util_buf *o, int n) {
  for (int i = 0; i < n; i++) put(o, "  ");
}

static const char *const kws[] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
    "float32", "float64", "char", "resource", "own", "borrow", "record", "flags", "variant", "enum",
    "bool", "string", "option", "result", "future", "stream", "error-context", "list", "as",
    "from", "static", "interface", "tuple", "import", "export", "world", "package", "constructor",
    "include", "with", "async", "map"};

/* A name, `%`-escaped when it is a keyword. */
static void name(util_buf *o, const char *n) {
  for (size_t i = 0; i < sizeof kws / sizeof *kws; i++)
    if (strcmp(kws[i], n) == 0) {
      put(o, "%");
      break;
    }
  put(o, n);
}

static void docs(util_buf *o, const char *d, int ind) {
  if (!d) return;
  const char *p = d;
  for (;;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    indent(o, ind);
    put(o, "///");
    util_buf_put(o, p, n);
    put(o, "\n");
    if (!nl) break;
    p = nl + 1;
  }
}

static void gates(util_buf *o, const wit_gates *g, int ind) {
  for (size_t i = 0; i < g->n; i++) {
    indent(o, ind);
    switch (g->items[i].kind) {
    case WIT_GATE_SINCE: putf(o, "@since(version = %s)\n", g->items[i].value); break;
    case WIT_GATE_UNSTABLE: putf(o, "@unstable(feature = %s)\n", g->items[i].value); break;
    default: putf(o, "@deprecated(version = %s)\n", g->items[i].value); break;
    }
  }
}

void wit_print_pkg_name(const wit_pkg *p, util_buf *o) {
  name(o, p->ns);
  put(o, ":");
  name(o, p->name);
  if (p->version) putf(o, "@%s", p->version);
}

static const char *prim_name(wit_tkind k) {
  switch (k) {
  case WIT_BOOL: return "bool";
  case WIT_S8: return "s8";
  case WIT_S16: return "s16";
  case WIT_S32: return "s32";
  case WIT_S64: return "s64";
  case WIT_U8: return "u8";
  case WIT_U16: return "u16";
  case WIT_U32: return "u32";
  case WIT_U64: return "u64";
  case WIT_F32: return "f32";
  case WIT_F64: return "f64";
  case WIT_CHAR: return "char";
  case WIT_STRING: return "string";
  case WIT_ERROR_CONTEXT: return "error-context";
  default: return NULL;
  }
}

static void type(util_buf *o, const wit_type *t) {
  const char *p = prim_name(t->kind);
  if (p) {
    put(o, p);
    return;
  }
  switch (t->kind) {
  case WIT_LIST:
    put(o, "list<");
    type(o, t->a);
    if (t->fixed) putf(o, ", %u", t->fixed);
    put(o, ">");
    break;
  case WIT_OPTION:
    put(o, "option<");
    type(o, t->a);
    put(o, ">");
    break;
  case WIT_RESULT:
    if (!t->a && !t->b) {
      put(o, "result");
      break;
    }
    put(o, "result<");
    if (t->a) type(o, t->a);
    else put(o, "_");
    if (t->b) {
      put(o, ", ");
      type(o, t->b);
    }
    put(o, ">");
    break;
  case WIT_TUPLE:
    put(o, "tuple<");
    for (size_t i = 0; i < t->n; i++) {
      if (i) put(o, ", ");
      type(o, t->elems[i]);
    }
    put(o, ">");
    break;
  case WIT_OWN: name(o, t->name); break;
  case WIT_BORROW:
    put(o, "borrow<");
    name(o, t->name);
    put(o, ">");
    break;
  case WIT_FUTURE:
  case WIT_STREAM:
    put(o, t->kind == WIT_FUTURE ? "future" : "stream");
    if (t->a) {
      put(o, "<");
      type(o, t->a);
      put(o, ">");
    }
    break;
  case WIT_MAP:
    put(o, "map<");
    type(o, t->a);
    put(o, ", ");
    type(o, t->b);
    put(o, ">");
    break;
  default: name(o, t->name); break;
  }
}

static void func_sig(util_buf *o, const wit_func *f) {
  if (f->async) put(o, "async ");
  if (f->kind != WIT_FUNC_CONSTRUCTOR) put(o, "func");
  put(o, "(");
  for (size_t i = 0; i < f->nparams; i++) {
    if (i) put(o, ", ");
    name(o, f->params[i].name);
    put(o, ": ");
    type(o, f->params[i].type);
  }
  put(o, ")");
  if (f->result) {
    put(o, " -> ");
    type(o, f->result);
  }
}

static void func(util_buf *o, const wit_func *f, int ind) {
  docs(o, f->docs, ind);
  gates(o, &f->gates, ind);
  indent(o, ind);
  if (f->kind == WIT_FUNC_CONSTRUCTOR) {
    put(o, "constructor");
  } else {
    name(o, f->name);
    put(o, ": ");
    if (f->kind == WIT_FUNC_STATIC) put(o, "static ");
  }
  func_sig(o, f);
  put(o, ";\n");
}

static void path_to(util_buf *o, const wit_iface *target, const wit_pkg *from) {
  if (target->pkg != from) {
    name(o, target->pkg->ns);
    put(o, ":");
    name(o, target->pkg->name);
    put(o, "/");
    name(o, target->name);
    if (target->pkg->version) putf(o, "@%s", target->pkg->version);
  } else {
    name(o, target->name);
  }
}

static void def(util_buf *o, const wit_def *d, int ind) {
  docs(o, d->docs, ind);
  gates(o, &d->gates, ind);
  indent(o, ind);
  static const char *const kw[] = {"record", "variant", "enum", "flags", "resource", "type"};
  put(o, kw[d->kind]);
  put(o, " ");
  name(o, d->name);
  if (d->kind == WIT_D_ALIAS) {
    put(o, " = ");
    type(o, d->alias);
    put(o, ";\n");
    return;
  }
  if (d->kind == WIT_D_RESOURCE) {
    if (!d->nfuncs) {
      put(o, ";\n");
      return;
    }
    put(o, " {\n");
    for (size_t i = 0; i < d->nfuncs; i++) func(o, &d->funcs[i], ind + 1);
    indent(o, ind);
    put(o, "}\n");
    return;
  }
  put(o, " {\n");
  for (size_t i = 0; i < d->nfields; i++) {
    const wit_field *f = &d->fields[i];
    docs(o, f->docs, ind + 1);
    gates(o, &f->gates, ind + 1);
    indent(o, ind + 1);
    name(o, f->name);
    if (f->type) {
      if (d->kind == WIT_D_RECORD) {
        put(o, ": ");
        type(o, f->type);
      } else {
        put(o, "(");
        type(o, f->type);
        put(o, ")");
      }
    }
    put(o, ",\n");
  }
  indent(o, ind);
  put(o, "}\n");
}

/* An interface's (or a world's) body: uses, types, functions. */
static void scope_body(util_buf *o, const wit_iface *in, int ind, bool funcs) {
  for (size_t i = 0; i < in->nuses; i++) {
    const wit_use *u = &in->uses[i];
    gates(o, &u->gates, ind);
    indent(o, ind);
    put(o, "use ");
    path_to(o, u->target, in->pkg);
    put(o, ".{");
    for (size_t j = 0; j < u->nnames; j++) {
      if (j) put(o, ", ");
      name(o, u->names[j].name);
      if (u->names[j].as) {
        put(o, " as ");
        name(o, u->names[j].as);
      }
    }
    put(o, "};\n");
  }
  bool sep = in->nuses > 0;
  for (size_t i = 0; i < in->ndefs; i++) {
    if (in->defs[i]->kind == WIT_D_USE) continue;
    if (sep) put(o, "\n");
    sep = true;
    def(o, in->defs[i], ind);
  }
  if (!funcs) return;
  for (size_t i = 0; i < in->nfuncs; i++) {
    if (sep) put(o, "\n");
    sep = false;
    func(o, &in->funcs[i], ind);
  }
}

static void witem(util_buf *o, const wit_witem *it, const wit_pkg *from, int ind) {
  docs(o, it->docs, ind);
  gates(o, &it->gates, ind);
  indent(o, ind);
  put(o, it->dir == WIT_IMPORT ? "import " : "export ");
  switch (it->kind) {
  case WIT_ITEM_IFACE:
    path_to(o, it->iface, from);
    put(o, ";\n");
    break;
  case WIT_ITEM_FUNC:
    name(o, it->name);
    put(o, ": ");
    func_sig(o, it->func);
    put(o, ";\n");
    break;
  default:
    name(o, it->name);
    put(o, ": interface {\n");
    scope_body(o, it->iface, ind + 1, true);
    indent(o, ind);
    put(o, "}\n");
    break;
  }
}

static void pkg(util_buf *o, const wit_pkg *p, bool nested) {
  int ind = nested ? 1 : 0;
  docs(o, p->docs, 0);
  put(o, "package ");
  wit_print_pkg_name(p, o);
  put(o, nested ? " {\n" : ";\n");
  for (size_t i = 0; i < p->nifaces; i++) {
    const wit_iface *in = p->ifaces[i];
    if (i || !nested) put(o, "\n");
    docs(o, in->docs, ind);
    gates(o, &in->gates, ind);
    indent(o, ind);
    put(o, "interface ");
    name(o, in->name);
    put(o, " {\n");
    scope_body(o, in, ind + 1, true);
    indent(o, ind);
    put(o, "}\n");
  }
  for (size_t i = 0; i < p->nworlds; i++) {
    const wit_world *w = p->worlds[i];
    if (i || p->nifaces || !nested) put(o, "\n");
    docs(o, w->docs, ind);
    gates(o, &w->gates, ind);
    indent(o, ind);
    put(o, "world ");
    name(o, w->name);
    put(o, " {\n");
    scope_body(o, &w->scope, ind + 1, false);
    if ((w->scope.ndefs) && (w->nimports || w->nexports)) put(o, "\n");
    for (size_t j = 0; j < w->nimports; j++) witem(o, &w->imports[j], p, ind + 1);
    if (w->nimports && w->nexports) put(o, "\n");
    for (size_t j = 0; j < w->nexports; j++) witem(o, &w->exports[j], p, ind + 1);
    indent(o, ind);
    put(o, "}\n");
  }
  if (nested) put(o, "}\n");
}

bool wit_print(const wit_set *s, util_buf *o) {
  pkg(o, s->main, false);
  for (size_t i = 0; i < s->npkgs; i++) {
    if (s->pkgs[i] == s->main) continue;
    put(o, "\n");
    pkg(o, s->pkgs[i], true);
  }
  return !o->oom;
}
