/* wit: name resolution and the rules — packages found by name, `use`s bound to the
 * definitions they name, type references bound, cycles refused, worlds elaborated
 * (includes merged, the interfaces an interface uses imported before it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/internal.h"

enum { UNSEEN = 0, BUSY = 1, DONE = 2 };

static bool streq(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

wit_def *wit_def_base(wit_def *d) {
  while (d && d->kind == WIT_D_USE) d = d->target;
  return d;
}

const wit_type *wit_unalias(const wit_type *t, const wit_def **def) {
  *def = NULL;
  while (t && t->kind == WIT_REF) {
    const wit_def *d = wit_def_base(t->def);
    if (!d) return NULL;
    if (d->kind != WIT_D_ALIAS) {
      *def = d;
      return NULL;
    }
    t = d->alias;
  }
  return t;
}

/* The resource a definition stands for (through `use`s and aliases), or NULL. */
const wit_def *wit_res_base(const wit_def *d) {
  for (int i = 0; d && i < 100; i++) {
    d = wit_def_base((wit_def *)d);
    if (!d || d->kind == WIT_D_RESOURCE) return d;
    if (d->kind != WIT_D_ALIAS || !d->alias || (d->alias->kind != WIT_REF && d->alias->kind != WIT_OWN)) return NULL;
    d = d->alias->def;
  }
  return NULL;
}

/* The resource of a handle type (own<r>, borrow<r>, or r itself: own), *kind WIT_OWN or
 * WIT_BORROW; NULL for other types. */
const wit_def *wit_handle(const wit_type *t0, wit_tkind *kind) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  if (!t) {
    *kind = WIT_OWN;
    return d && d->kind == WIT_D_RESOURCE ? d : NULL;
  }
  if (t->kind != WIT_OWN && t->kind != WIT_BORROW) return NULL;
  *kind = t->kind;
  return wit_res_base(t->def);
}

bool wit_res_plain(const wit_def *r, const wit_func *f, wit_plain *out) {
  memset(out, 0, sizeof *out);
  out->f = *f;
  out->self.kind = WIT_BORROW;
  out->self.name = r->name;
  out->self.def = (wit_def *)r;
  out->own = out->self;
  out->own.kind = WIT_OWN;
  if (f->kind == WIT_FUNC_CONSTRUCTOR) {
    snprintf(out->name, sizeof out->name, "[constructor]%s", r->name);
    if (!f->result) out->f.result = &out->own;
  } else {
    snprintf(out->name, sizeof out->name, "[%s]%s.%s", f->kind == WIT_FUNC_METHOD ? "method" : "static", r->name,
             f->name);
  }
  if (f->kind == WIT_FUNC_METHOD) {
    out->params = malloc((f->nparams + 1) * sizeof *out->params);
    if (!out->params) return false;
    memset(&out->params[0], 0, sizeof *out->params);
    out->params[0].name = "self";
    out->params[0].type = &out->self;
    if (f->nparams) memcpy(out->params + 1, f->params, f->nparams * sizeof *out->params);
    out->f.params = out->params;
    out->f.nparams = f->nparams + 1;
  }
  out->f.name = out->name;
  out->f.kind = WIT_FUNC_PLAIN;
  return true;
}

/* ---------- finding packages, interfaces and worlds ----------------------------------- */

static void pkg_text(const char *ns, const char *name, const char *ver, char *buf, size_t n) {
  snprintf(buf, n, "%s:%s%s%s", ns, name, ver ? "@" : "", ver ? ver : "");
}

static wit_pkg *find_pkg(wit_ctx *c, const wit_path *pa) {
  wit_pkg *found = NULL;
  char b[160];
  for (size_t i = 0; i < c->s->npkgs; i++) {
    wit_pkg *p = c->s->pkgs[i];
    if (!streq(p->ns, pa->ns) || !streq(p->name, pa->pkg)) continue;
    if (pa->version && !streq(p->version, pa->version)) continue;
    if (found) {
      pkg_text(pa->ns, pa->pkg, NULL, b, sizeof b);
      wit_fail(c, pa->pos, "package `%s` is present in several versions: name one with `@version`", b);
    }
    found = p;
  }
  if (!found) {
    pkg_text(pa->ns, pa->pkg, pa->version, b, sizeof b);
    wit_fail(c, pa->pos, "package `%s` not found (dependencies go in the `deps` directory)", b);
  }
  return found;
}

static wit_iface *pkg_iface(wit_pkg *p, const char *name) {
  for (size_t i = 0; i < p->nifaces; i++)
    if (strcmp(p->ifaces[i]->name, name) == 0) return p->ifaces[i];
  return NULL;
}

static wit_world *pkg_world(wit_pkg *p, const char *name) {
  for (size_t i = 0; i < p->nworlds; i++)
    if (strcmp(p->worlds[i]->name, name) == 0) return p->worlds[i];
  return NULL;
}

static wit_iface *lookup_iface(wit_ctx *c, wit_pkg *from, wit_file *file, const wit_path *pa, int depth);

static void edge(wit_ctx *c, wit_pkg *from, wit_pkg *to, wit_pos pos) {
  if (from == to) return;
  for (size_t i = 0; i < c->nedges; i++)
    if (c->edges[i].from == from && c->edges[i].to == to) return;
  struct wit_edge *e = WIT_PUSH(c, c->edges, c->nedges, c->capedges);
  e->from = from;
  e->to = to;
  e->pos = pos;
}

static wit_iface *foreign_iface(wit_ctx *c, wit_pkg *from, const wit_path *pa) {
  wit_pkg *p = find_pkg(c, pa);
  edge(c, from, p, pa->pos);
  wit_iface *in = pkg_iface(p, pa->name);
  if (!in) {
    char b[160];
    pkg_text(p->ns, p->name, p->version, b, sizeof b);
    if (pkg_world(p, pa->name))
      wit_fail(c, pa->pos, "`%s` in package `%s` is a world, not an interface", pa->name, b);
    wit_fail(c, pa->pos, "interface `%s` not found in package `%s`", pa->name, b);
  }
  return in;
}

static wit_iface *lookup_iface(wit_ctx *c, wit_pkg *from, wit_file *file, const wit_path *pa, int depth) {
  (void)depth;
  if (pa->ns) return foreign_iface(c, from, pa);
  /* a file-level `use ns:pkg/iface as name;` first, then the package's interfaces */
  if (file)
    for (size_t i = 0; i < file->nuses; i++)
      if (strcmp(file->uses[i].names[0].name, pa->name) == 0) {
        wit_use *u = &file->uses[i];
        if (!u->target) u->target = lookup_iface(c, from, NULL, &u->path, depth + 1);
        return u->target;
      }
  wit_iface *in = pkg_iface(from, pa->name);
  if (!in) {
    if (pkg_world(from, pa->name)) wit_fail(c, pa->pos, "`%s` is a world, not an interface", pa->name);
    wit_fail(c, pa->pos, "interface `%s` is not defined", pa->name);
  }
  return in;
}

static wit_world *lookup_world(wit_ctx *c, wit_pkg *from, const wit_path *pa) {
  wit_pkg *p = pa->ns ? find_pkg(c, pa) : from;
  edge(c, from, p, pa->pos);
  wit_world *w = pkg_world(p, pa->name);
  if (!w) {
    if (pkg_iface(p, pa->name)) wit_fail(c, pa->pos, "`%s` is an interface, not a world", pa->name);
    wit_fail(c, pa->pos, "world `%s` is not defined", pa->name);
  }
  return w;
}

/* ---------- interfaces ---------------------------------------------------------------- */

static wit_def *scope_def(wit_iface *in, const char *name) {
  for (size_t i = 0; i < in->ndefs; i++)
    if (strcmp(in->defs[i]->name, name) == 0) return in->defs[i];
  return NULL;
}

/* The definition behind a name, through `use`s and aliases of plain names. */
static wit_def *def_through_aliases(wit_def *d) {
  for (int guard = 0; d && guard < 10000; guard++) {
    d = wit_def_base(d);
    if (d && d->kind == WIT_D_ALIAS && d->alias->kind == WIT_REF) d = d->alias->def;
    else break;
  }
  return d;
}

static void bind_type(wit_ctx *c, wit_iface *scope, wit_type *t) {
  if (!t) return;
  switch (t->kind) {
  case WIT_REF:
  case WIT_OWN:
  case WIT_BORROW:
    t->def = scope_def(scope, t->name);
    if (!t->def) wit_fail(c, t->pos, "type `%s` is not defined", t->name);
    break;
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) bind_type(c, scope, t->elems[i]);
    break;
  default:
    bind_type(c, scope, t->a);
    bind_type(c, scope, t->b);
    break;
  }
}

/* Handles name resources; `borrow` only in parameters. */
static void check_type(wit_ctx *c, wit_type *t, bool in_result) {
  if (!t) return;
  switch (t->kind) {
  case WIT_OWN:
  case WIT_BORROW: {
    wit_def *d = def_through_aliases(t->def);
    if (!d || d->kind != WIT_D_RESOURCE) wit_fail(c, t->pos, "`%s` is not a resource type", t->name);
    if (t->kind == WIT_BORROW && in_result)
      wit_fail(c, t->pos, "`borrow<%s>` cannot be used in a function's result", t->name);
    break;
  }
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) check_type(c, t->elems[i], in_result);
    break;
  case WIT_REF: break;
  default:
    check_type(c, t->a, in_result);
    check_type(c, t->b, in_result);
    break;
  }
}

static void visit_def(wit_ctx *c, wit_def *d);

/* Containment: a type may not contain itself (handles do not contain). */
static void visit_type(wit_ctx *c, wit_type *t) {
  if (!t) return;
  switch (t->kind) {
  case WIT_REF:
    if (t->def->mark == BUSY) wit_fail(c, t->pos, "type `%s` depends on itself", t->name);
    visit_def(c, t->def);
    break;
  case WIT_OWN:
  case WIT_BORROW: break;
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) visit_type(c, t->elems[i]);
    break;
  default:
    visit_type(c, t->a);
    visit_type(c, t->b);
    break;
  }
}

static void visit_def(wit_ctx *c, wit_def *d) {
  if (d->mark != UNSEEN) return;
  if (++c->depth > WIT_MAX_DEPTH) wit_fail(c, d->pos, "not supported: types defined through more than %d others", WIT_MAX_DEPTH);
  d->mark = BUSY;
  if (d->kind == WIT_D_USE) visit_def(c, d->target);
  visit_type(c, d->alias);
  for (size_t i = 0; i < d->nfields; i++) visit_type(c, d->fields[i].type);
  d->mark = DONE;
  c->depth--;
}

static void bind_func(wit_ctx *c, wit_iface *scope, wit_func *f) {
  for (size_t i = 0; i < f->nparams; i++) bind_type(c, scope, f->params[i].type);
  bind_type(c, scope, f->result);
}

static void check_func(wit_ctx *c, wit_func *f, wit_def *res) {
  for (size_t i = 0; i < f->nparams; i++) check_type(c, f->params[i].type, false);
  check_type(c, f->result, true);
  if (f->kind == WIT_FUNC_CONSTRUCTOR && f->result) {
    /* `-> r` or `-> result<r, E>` */
    wit_type *r = f->result;
    if (r->kind == WIT_RESULT && r->a) r = r->a;
    wit_def *d = (r->kind == WIT_REF || r->kind == WIT_OWN) ? def_through_aliases(r->def) : NULL;
    if (d != res)
      wit_fail(c, f->result->pos, "the constructor of `%s` must return `%s` or `result<%s, E>`", res->name,
               res->name, res->name);
  }
}

static void resolve_iface(wit_ctx *c, wit_iface *in);

static void check_unique(wit_ctx *c, wit_iface *in, const char *what) {
  for (size_t i = 0; i < in->ndefs; i++) {
    for (size_t j = 0; j < i; j++)
      if (strcmp(in->defs[i]->name, in->defs[j]->name) == 0)
        wit_fail(c, in->defs[i]->pos, "`%s` is defined more than once in %s", in->defs[i]->name, what);
    for (size_t j = 0; j < in->nfuncs; j++)
      if (strcmp(in->defs[i]->name, in->funcs[j].name) == 0) {
        bool f_later = in->funcs[j].pos.line > in->defs[i]->pos.line ||
                       (in->funcs[j].pos.line == in->defs[i]->pos.line && in->funcs[j].pos.col > in->defs[i]->pos.col);
        wit_fail(c, f_later ? in->funcs[j].pos : in->defs[i]->pos, "`%s` is defined more than once in %s",
                 in->defs[i]->name, what);
      }
  }
  for (size_t i = 0; i < in->nfuncs; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(in->funcs[i].name, in->funcs[j].name) == 0)
        wit_fail(c, in->funcs[i].pos, "`%s` is defined more than once in %s", in->funcs[i].name, what);
}

/* The scope's `use`s: each target interface resolved first (a cycle is an error). */
static void resolve_uses(wit_ctx *c, wit_iface *in) {
  for (size_t i = 0; i < in->nuses; i++) {
    wit_use *u = &in->uses[i];
    wit_iface *t = lookup_iface(c, in->pkg, in->file, &u->path, 0);
    if (t == in || t->mark == BUSY)
      wit_fail(c, u->path.pos, "interface `%s` depends on itself (a cycle of `use`s)", t->name);
    resolve_iface(c, t);
    u->target = t;
  }
  /* the names each `use` brings in, in the order written */
  size_t k = 0;
  for (size_t i = 0; i < in->nuses; i++) {
    wit_use *u = &in->uses[i];
    for (size_t j = 0; j < u->nnames; j++) {
      while (k < in->ndefs && in->defs[k]->kind != WIT_D_USE) k++;
      wit_def *d = in->defs[k++];
      wit_def *t = scope_def(u->target, u->names[j].name);
      if (!t) {
        for (size_t f = 0; f < u->target->nfuncs; f++)
          if (strcmp(u->target->funcs[f].name, u->names[j].name) == 0)
            wit_fail(c, u->names[j].pos, "`%s` is a function of interface `%s`, not a type", u->names[j].name,
                     u->target->name);
        wit_fail(c, u->names[j].pos, "type `%s` is not defined in interface `%s`", u->names[j].name,
                 u->target->name);
      }
      d->target = t;
    }
  }
}

static void resolve_scope_types(wit_ctx *c, wit_iface *in) {
  for (size_t i = 0; i < in->ndefs; i++) {
    wit_def *d = in->defs[i];
    bind_type(c, in, d->alias);
    for (size_t j = 0; j < d->nfields; j++) bind_type(c, in, d->fields[j].type);
    for (size_t j = 0; j < d->nfuncs; j++) bind_func(c, in, &d->funcs[j]);
  }
  for (size_t i = 0; i < in->nfuncs; i++) bind_func(c, in, &in->funcs[i]);
  for (size_t i = 0; i < in->ndefs; i++) visit_def(c, in->defs[i]);
  for (size_t i = 0; i < in->ndefs; i++) {
    wit_def *d = in->defs[i];
    check_type(c, d->alias, false);
    for (size_t j = 0; j < d->nfields; j++) check_type(c, d->fields[j].type, false);
    for (size_t j = 0; j < d->nfuncs; j++) check_func(c, &d->funcs[j], d);
  }
  for (size_t i = 0; i < in->nfuncs; i++) check_func(c, &in->funcs[i], NULL);
}

static void resolve_iface(wit_ctx *c, wit_iface *in) {
  if (in->mark == DONE) return;
  if (++c->depth > WIT_MAX_DEPTH) wit_fail(c, in->pos, "not supported: `use` chains longer than %d interfaces", WIT_MAX_DEPTH);
  in->mark = BUSY;
  char what[120];
  snprintf(what, sizeof what, "interface `%s`", in->name ? in->name : "(inline)");
  check_unique(c, in, what);
  resolve_uses(c, in);
  resolve_scope_types(c, in);
  in->mark = DONE;
  c->depth--;
}

/* ---------- worlds -------------------------------------------------------------------- */

static wit_witem *world_list(wit_ctx *c, wit_world *w, int dir) {
  if (dir == WIT_IMPORT) return WIT_PUSH(c, w->imports, w->nimports, w->capimports);
  return WIT_PUSH(c, w->exports, w->nexports, w->capexports);
}

static bool has_iface(wit_witem *items, size_t n, wit_iface *in) {
  for (size_t i = 0; i < n; i++)
    if (items[i].kind == WIT_ITEM_IFACE && items[i].iface == in) return true;
  return false;
}

static wit_witem *named_item(wit_witem *items, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (items[i].kind != WIT_ITEM_IFACE && items[i].kind != WIT_ITEM_TYPE && strcmp(items[i].name, name) == 0)
      return &items[i];
  return NULL;
}

static bool exported_explicitly(wit_world *w, wit_iface *in) {
  for (size_t i = 0; i < w->nitems; i++)
    if (w->items[i].dir == WIT_EXPORT && w->items[i].kind == WIT_ITEM_IFACE && w->items[i].iface == in) return true;
  return false;
}

/* Imports an interface, the ones it uses first. */
static void import_iface(wit_ctx *c, wit_world *w, wit_iface *in, wit_pos pos, int depth) {
  if (depth > 1000) wit_fail(c, pos, "not supported: interfaces used more than 1000 levels deep");
  for (size_t i = 0; i < in->nuses; i++)
    if (!has_iface(w->imports, w->nimports, in->uses[i].target) && !exported_explicitly(w, in->uses[i].target))
      import_iface(c, w, in->uses[i].target, pos, depth + 1);
  if (in->name && !has_iface(w->imports, w->nimports, in)) {
    wit_witem *it = world_list(c, w, WIT_IMPORT);
    it->dir = WIT_IMPORT;
    it->kind = WIT_ITEM_IFACE;
    it->iface = in;
    it->pos = pos;
  }
}

static void deps_of(wit_ctx *c, wit_world *w, wit_iface *in, wit_pos pos) {
  for (size_t i = 0; i < in->nuses; i++) {
    wit_iface *t = in->uses[i].target;
    if (!has_iface(w->imports, w->nimports, t) && !exported_explicitly(w, t)) import_iface(c, w, t, pos, 0);
  }
}

static void add_item(wit_ctx *c, wit_world *w, const wit_witem *src, const char *name, wit_pos pos) {
  wit_witem *list = src->dir == WIT_IMPORT ? w->imports : w->exports;
  size_t n = src->dir == WIT_IMPORT ? w->nimports : w->nexports;
  const char *dir = src->dir == WIT_IMPORT ? "import" : "export";
  if (src->kind == WIT_ITEM_IFACE) {
    if (has_iface(list, n, src->iface)) return;
    if (src->dir == WIT_EXPORT) deps_of(c, w, src->iface, pos);
    else deps_of(c, w, src->iface, pos);
  } else {
    if (named_item(list, n, name))
      wit_fail(c, pos, "%s `%s` conflicts with another %s of the same name in world `%s`", dir, name, dir, w->name);
    if (src->kind == WIT_ITEM_INLINE) deps_of(c, w, src->iface, pos);
  }
  wit_witem *it = world_list(c, w, src->dir);
  *it = *src;
  it->name = name;
}

static void resolve_world(wit_ctx *c, wit_world *w) {
  if (w->mark == DONE) return;
  if (++c->depth > WIT_MAX_DEPTH) wit_fail(c, w->pos, "not supported: `include` chains longer than %d worlds", WIT_MAX_DEPTH);
  w->mark = BUSY;
  char what[120];
  snprintf(what, sizeof what, "world `%s`", w->name);
  check_unique(c, &w->scope, what);
  w->scope.mark = BUSY;
  resolve_uses(c, &w->scope);
  resolve_scope_types(c, &w->scope);
  w->scope.mark = DONE;
  for (size_t i = 0; i < w->nitems; i++) {
    wit_witem *it = &w->items[i];
    if (it->kind == WIT_ITEM_FUNC) {
      bind_func(c, &w->scope, it->func);
      check_func(c, it->func, NULL);
    } else if (it->kind == WIT_ITEM_INLINE) {
      resolve_iface(c, it->iface);
    } else {
      it->iface = lookup_iface(c, w->pkg, w->scope.file, &it->path, 0);
      resolve_iface(c, it->iface);
    }
  }
  /* the interfaces the world's own `use`s name are imports */
  for (size_t i = 0; i < w->scope.nuses; i++)
    if (!has_iface(w->imports, w->nimports, w->scope.uses[i].target))
      import_iface(c, w, w->scope.uses[i].target, w->scope.uses[i].pos, 0);
  /* included worlds first: the interfaces their types come from are imported early, as
   * they would be where the types are written out */
  for (size_t i = 0; i < w->nincludes; i++) {
    wit_include *inc = &w->includes[i];
    wit_world *t = lookup_world(c, w->pkg, &inc->path);
    if (t == w || t->mark == BUSY) wit_fail(c, inc->path.pos, "world `%s` includes itself", t->name);
    resolve_world(c, t);
    inc->target = t;
    for (size_t k = 0; k < t->scope.nuses; k++)
      if (!has_iface(w->imports, w->nimports, t->scope.uses[k].target))
        import_iface(c, w, t->scope.uses[k].target, inc->path.pos, 0);
  }
  for (size_t i = 0; i < w->nitems; i++) {
    wit_witem *it = &w->items[i];
    add_item(c, w, it, it->name, it->pos);
  }
  for (size_t i = 0; i < w->nincludes; i++) {
    wit_include *inc = &w->includes[i];
    wit_world *t = inc->target;
    for (size_t k = 0; k < inc->nnames; k++) {
      if (!named_item(t->imports, t->nimports, inc->names[k].from) &&
          !named_item(t->exports, t->nexports, inc->names[k].from))
        wit_fail(c, inc->names[k].pos, "`%s` is not a named import or export of world `%s`", inc->names[k].from,
                 t->name);
    }
    /* the included world's types come along (its functions may name them) */
    for (size_t k = 0; k < t->scope.ndefs; k++) {
      wit_def *d = t->scope.defs[k];
      wit_def *mine = scope_def(&w->scope, d->name);
      if (mine == d || (mine && wit_def_base(mine) == wit_def_base(d))) continue;
      if (mine) wit_fail(c, inc->path.pos, "type `%s` of world `%s` conflicts with a type of world `%s`", d->name, t->name, w->name);
      *WIT_PUSH(c, w->scope.defs, w->scope.ndefs, w->scope.capdefs) = d;
    }
    for (size_t k = 0; k < t->scope.nuses; k++) {
      bool seen = false;
      for (size_t j = 0; j < w->scope.nuses; j++)
        if (w->scope.uses[j].names == t->scope.uses[k].names) seen = true;
      if (seen) continue;
      wit_use *u = WIT_PUSH(c, w->scope.uses, w->scope.nuses, w->scope.capuses);
      *u = t->scope.uses[k];
    }
    for (int dir = 0; dir < 2; dir++) {
      wit_witem *list = dir == WIT_IMPORT ? t->imports : t->exports;
      size_t n = dir == WIT_IMPORT ? t->nimports : t->nexports;
      for (size_t j = 0; j < n; j++) {
        const char *name = list[j].name;
        if (list[j].kind != WIT_ITEM_IFACE)
          for (size_t k = 0; k < inc->nnames; k++)
            if (strcmp(inc->names[k].from, name) == 0) name = inc->names[k].to;
        add_item(c, w, &list[j], name, inc->path.pos);
      }
    }
  }
  w->mark = DONE;
  c->depth--;
}

/* ---------- the whole set ------------------------------------------------------------- */

/* Packages depend on each other without cycles. */
static void pkg_visit(wit_ctx *c, wit_pkg *p, int depth) {
  if (p->mark == DONE) return;
  if (depth > WIT_MAX_DEPTH) wit_fail(c, p->pos, "not supported: package dependencies deeper than %d", WIT_MAX_DEPTH);
  p->mark = BUSY;
  for (size_t i = 0; i < c->nedges; i++) {
    if (c->edges[i].from != p) continue;
    wit_pkg *q = c->edges[i].to;
    if (q->mark == BUSY) {
      char b[160];
      pkg_text(q->ns, q->name, q->version, b, sizeof b);
      wit_fail(c, c->edges[i].pos, "package `%s` depends on itself (a cycle of packages)", b);
    }
    pkg_visit(c, q, depth + 1);
  }
  p->mark = DONE;
}

void wit_resolve(wit_ctx *c) {
  wit_set *s = c->s;
  char a[160], b[160];
  for (size_t i = 0; i < s->npkgs; i++) {
    wit_pkg *p = s->pkgs[i];
    for (size_t j = 0; j < i; j++) {
      wit_pkg *q = s->pkgs[j];
      if (streq(p->ns, q->ns) && streq(p->name, q->name) && streq(p->version, q->version)) {
        pkg_text(p->ns, p->name, p->version, a, sizeof a);
        wit_fail(c, p->pos, "package `%s` is defined more than once", a);
      }
    }
    for (size_t j = 0; j < p->nifaces + p->nworlds; j++) {
      const char *nj = j < p->nifaces ? p->ifaces[j]->name : p->worlds[j - p->nifaces]->name;
      wit_pos pj = j < p->nifaces ? p->ifaces[j]->pos : p->worlds[j - p->nifaces]->pos;
      for (size_t k = 0; k < j; k++) {
        const char *nk = k < p->nifaces ? p->ifaces[k]->name : p->worlds[k - p->nifaces]->name;
        if (strcmp(nj, nk) == 0) {
          pkg_text(p->ns, p->name, p->version, b, sizeof b);
          wit_fail(c, pj, "`%s` is defined more than once in package `%s`", nj, b);
        }
      }
    }
  }
  for (size_t i = 0; i < s->npkgs; i++) {
    wit_pkg *p = s->pkgs[i];
    for (size_t j = 0; j < p->nifaces; j++) resolve_iface(c, p->ifaces[j]);
    for (size_t j = 0; j < p->nworlds; j++) resolve_world(c, p->worlds[j]);
  }
  for (size_t i = 0; i < s->npkgs; i++) pkg_visit(c, s->pkgs[i], 0);
}
