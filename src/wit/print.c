/* wit: the canonical printer — resolved packages back to WIT text: two-space indent,
 * `use`s first, then types, then functions; worlds with includes merged and the
 * interfaces their imports and exports use imported; dependencies as nested packages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wit/internal.h"

static void indent(util_buf *o, int n) {
  for (int i = 0; i < n; i++) util_buf_puts(o, "  ");
}

/* Names here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const char kws[][14] = {
    "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64",
    "float32", "float64", "char", "resource", "own", "borrow", "record", "flags", "variant", "enum",
    "bool", "string", "option", "result", "future", "stream", "error-context", "list", "as",
    "from", "static", "interface", "tuple", "import", "export", "world", "package", "constructor",
    "include", "with", "async", "map"};

/* A name, `%`-escaped when it is a keyword. */
static void name(util_buf *o, const char *n) {
  for (size_t i = 0; i < sizeof kws / sizeof *kws; i++)
    if (strcmp(kws[i], n) == 0) {
      util_buf_puts(o, "%");
      break;
    }
  util_buf_puts(o, n);
}

static void docs(util_buf *o, const char *d, int ind) {
  if (!d) return;
  const char *p = d;
  for (;;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    indent(o, ind);
    /* a line whose text starts with '/' would make "////", a plain comment: a space keeps it
     * a doc comment (read back, the line keeps that space, and prints the same again) */
    util_buf_puts(o, n && *p == '/' ? "/// " : "///");
    util_buf_put(o, p, n);
    util_buf_puts(o, "\n");
    if (!nl) break;
    p = nl + 1;
  }
}

static void gates(util_buf *o, const wit_gates *g, int ind) {
  for (size_t i = 0; i < g->n; i++) {
    indent(o, ind);
    switch (g->items[i].kind) {
    case WIT_GATE_SINCE: util_buf_printf(o, "@since(version = %s)\n", g->items[i].value); break;
    case WIT_GATE_UNSTABLE: util_buf_printf(o, "@unstable(feature = %s)\n", g->items[i].value); break;
    default: util_buf_printf(o, "@deprecated(version = %s)\n", g->items[i].value); break;
    }
  }
}

void wit_print_pkg_name(const wit_pkg *p, util_buf *o) {
  name(o, p->ns);
  util_buf_puts(o, ":");
  name(o, p->name);
  if (p->version) util_buf_printf(o, "@%s", p->version);
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
    util_buf_puts(o, p);
    return;
  }
  switch (t->kind) {
  case WIT_LIST:
    util_buf_puts(o, "list<");
    type(o, t->a);
    if (t->fixed) util_buf_printf(o, ", %u", t->fixed);
    util_buf_puts(o, ">");
    break;
  case WIT_OPTION:
    util_buf_puts(o, "option<");
    type(o, t->a);
    util_buf_puts(o, ">");
    break;
  case WIT_RESULT:
    if (!t->a && !t->b) {
      util_buf_puts(o, "result");
      break;
    }
    util_buf_puts(o, "result<");
    if (t->a) type(o, t->a);
    else util_buf_puts(o, "_");
    if (t->b) {
      util_buf_puts(o, ", ");
      type(o, t->b);
    }
    util_buf_puts(o, ">");
    break;
  case WIT_TUPLE:
    util_buf_puts(o, "tuple<");
    for (size_t i = 0; i < t->n; i++) {
      if (i) util_buf_puts(o, ", ");
      type(o, t->elems[i]);
    }
    util_buf_puts(o, ">");
    break;
  case WIT_OWN: name(o, t->name); break;
  case WIT_BORROW:
    util_buf_puts(o, "borrow<");
    name(o, t->name);
    util_buf_puts(o, ">");
    break;
  case WIT_FUTURE:
  case WIT_STREAM:
    util_buf_puts(o, t->kind == WIT_FUTURE ? "future" : "stream");
    if (t->a) {
      util_buf_puts(o, "<");
      type(o, t->a);
      util_buf_puts(o, ">");
    }
    break;
  case WIT_MAP:
    util_buf_puts(o, "map<");
    type(o, t->a);
    util_buf_puts(o, ", ");
    type(o, t->b);
    util_buf_puts(o, ">");
    break;
  default: name(o, t->name); break;
  }
}

static void func_sig(util_buf *o, const wit_func *f) {
  if (f->async) util_buf_puts(o, "async ");
  if (f->kind != WIT_FUNC_CONSTRUCTOR) util_buf_puts(o, "func");
  util_buf_puts(o, "(");
  for (size_t i = 0; i < f->nparams; i++) {
    if (i) util_buf_puts(o, ", ");
    name(o, f->params[i].name);
    util_buf_puts(o, ": ");
    type(o, f->params[i].type);
  }
  util_buf_puts(o, ")");
  if (f->result) {
    util_buf_puts(o, " -> ");
    type(o, f->result);
  }
}

static void func(util_buf *o, const wit_func *f, int ind) {
  docs(o, f->docs, ind);
  gates(o, &f->gates, ind);
  indent(o, ind);
  if (f->kind == WIT_FUNC_CONSTRUCTOR) {
    util_buf_puts(o, "constructor");
  } else {
    name(o, f->name);
    util_buf_puts(o, ": ");
    if (f->kind == WIT_FUNC_STATIC) util_buf_puts(o, "static ");
  }
  func_sig(o, f);
  util_buf_puts(o, ";\n");
}

static void path_to(util_buf *o, const wit_iface *target, const wit_pkg *from) {
  if (target->pkg != from) {
    name(o, target->pkg->ns);
    util_buf_puts(o, ":");
    name(o, target->pkg->name);
    util_buf_puts(o, "/");
    name(o, target->name);
    if (target->pkg->version) util_buf_printf(o, "@%s", target->pkg->version);
  } else {
    name(o, target->name);
  }
}

static void def(util_buf *o, const wit_def *d, int ind) {
  docs(o, d->docs, ind);
  gates(o, &d->gates, ind);
  indent(o, ind);
  static const char kw[][9] = {"record", "variant", "enum", "flags", "resource", "type"};
  util_buf_puts(o, kw[d->kind]);
  util_buf_puts(o, " ");
  name(o, d->name);
  if (d->kind == WIT_D_ALIAS) {
    util_buf_puts(o, " = ");
    type(o, d->alias);
    util_buf_puts(o, ";\n");
    return;
  }
  if (d->kind == WIT_D_RESOURCE) {
    if (!d->nfuncs) {
      util_buf_puts(o, ";\n");
      return;
    }
    util_buf_puts(o, " {\n");
    for (size_t i = 0; i < d->nfuncs; i++) func(o, &d->funcs[i], ind + 1);
    indent(o, ind);
    util_buf_puts(o, "}\n");
    return;
  }
  util_buf_puts(o, " {\n");
  for (size_t i = 0; i < d->nfields; i++) {
    const wit_field *f = &d->fields[i];
    docs(o, f->docs, ind + 1);
    gates(o, &f->gates, ind + 1);
    indent(o, ind + 1);
    name(o, f->name);
    if (f->type) {
      if (d->kind == WIT_D_RECORD) {
        util_buf_puts(o, ": ");
        type(o, f->type);
      } else {
        util_buf_puts(o, "(");
        type(o, f->type);
        util_buf_puts(o, ")");
      }
    }
    util_buf_puts(o, ",\n");
  }
  indent(o, ind);
  util_buf_puts(o, "}\n");
}

/* An interface's (or a world's) body: uses, types, functions. */
static void scope_body(util_buf *o, const wit_iface *in, int ind, bool funcs) {
  for (size_t i = 0; i < in->nuses; i++) {
    const wit_use *u = &in->uses[i];
    gates(o, &u->gates, ind);
    indent(o, ind);
    util_buf_puts(o, "use ");
    path_to(o, u->target, in->pkg);
    util_buf_puts(o, ".{");
    for (size_t j = 0; j < u->nnames; j++) {
      if (j) util_buf_puts(o, ", ");
      name(o, u->names[j].name);
      if (u->names[j].as) {
        util_buf_puts(o, " as ");
        name(o, u->names[j].as);
      }
    }
    util_buf_puts(o, "};\n");
  }
  bool sep = in->nuses > 0;
  for (size_t i = 0; i < in->ndefs; i++) {
    if (in->defs[i]->kind == WIT_D_USE) continue;
    if (sep) util_buf_puts(o, "\n");
    sep = true;
    def(o, in->defs[i], ind);
  }
  if (!funcs) return;
  for (size_t i = 0; i < in->nfuncs; i++) {
    if (sep) util_buf_puts(o, "\n");
    sep = false;
    func(o, &in->funcs[i], ind);
  }
}

static void witem(util_buf *o, const wit_witem *it, const wit_pkg *from, int ind) {
  docs(o, it->docs, ind);
  gates(o, &it->gates, ind);
  indent(o, ind);
  util_buf_puts(o, it->dir == WIT_IMPORT ? "import " : "export ");
  switch (it->kind) {
  case WIT_ITEM_IFACE:
    path_to(o, it->iface, from);
    util_buf_puts(o, ";\n");
    break;
  case WIT_ITEM_FUNC:
    name(o, it->name);
    util_buf_puts(o, ": ");
    func_sig(o, it->func);
    util_buf_puts(o, ";\n");
    break;
  default:
    name(o, it->name);
    util_buf_puts(o, ": interface {\n");
    scope_body(o, it->iface, ind + 1, true);
    indent(o, ind);
    util_buf_puts(o, "}\n");
    break;
  }
}

static void pkg(util_buf *o, const wit_pkg *p, bool nested) {
  int ind = nested ? 1 : 0;
  docs(o, p->docs, 0);
  util_buf_puts(o, "package ");
  wit_print_pkg_name(p, o);
  util_buf_puts(o, nested ? " {\n" : ";\n");
  for (size_t i = 0; i < p->nifaces; i++) {
    const wit_iface *in = p->ifaces[i];
    if (i || !nested) util_buf_puts(o, "\n");
    docs(o, in->docs, ind);
    gates(o, &in->gates, ind);
    indent(o, ind);
    util_buf_puts(o, "interface ");
    name(o, in->name);
    util_buf_puts(o, " {\n");
    scope_body(o, in, ind + 1, true);
    indent(o, ind);
    util_buf_puts(o, "}\n");
  }
  for (size_t i = 0; i < p->nworlds; i++) {
    const wit_world *w = p->worlds[i];
    if (i || p->nifaces || !nested) util_buf_puts(o, "\n");
    docs(o, w->docs, ind);
    gates(o, &w->gates, ind);
    indent(o, ind);
    util_buf_puts(o, "world ");
    name(o, w->name);
    util_buf_puts(o, " {\n");
    scope_body(o, &w->scope, ind + 1, false);
    if ((w->scope.ndefs) && (w->nimports || w->nexports)) util_buf_puts(o, "\n");
    for (size_t j = 0; j < w->nimports; j++) witem(o, &w->imports[j], p, ind + 1);
    if (w->nimports && w->nexports) util_buf_puts(o, "\n");
    for (size_t j = 0; j < w->nexports; j++) witem(o, &w->exports[j], p, ind + 1);
    indent(o, ind);
    util_buf_puts(o, "}\n");
  }
  if (nested) util_buf_puts(o, "}\n");
}

bool wit_print(const wit_set *s, util_buf *o) {
  pkg(o, s->main, false);
  for (size_t i = 0; i < s->npkgs; i++) {
    if (s->pkgs[i] == s->main) continue;
    util_buf_puts(o, "\n");
    pkg(o, s->pkgs[i], true);
  }
  return !o->oom;
}
