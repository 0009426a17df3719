/* The resolver: a depth-first search over version choices. State is a list of chosen
 * packages and a queue of requirements still to satisfy; each choice copies the state,
 * so backing out of a choice is dropping the copy. Everything lives in one arena, kept
 * by the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/resolve.h"

#define DEFAULT_MAX_STEPS 20000

typedef struct rnode {
  const char *name;
  semver version;
  const pkg_manifest *m;
  const char **feats; /* features turned on, and "dep:X" for optional deps activated */
  size_t nfeats;
  size_t *edges;
  size_t nedges;
  const char *chain;
} rnode;

typedef struct rreq {
  size_t from;          /* the node whose manifest asks */
  const pkg_dep *dep;   /* the dependency entry */
  const char *feature;  /* one more feature to turn on (from "DEP/FEATURE"), or NULL */
} rreq;

typedef struct state {
  rnode *nodes;
  size_t nnodes;
  rreq *queue;
  size_t nqueue, head;
} state;

typedef struct ctx {
  util_arena *arena;
  const pkg_source *src;
  const pkg_resolve_opts *opts;
  util_error *err;   /* the first conflict found: reported if no choice works */
  util_error fatal;  /* a source failure or out of memory: stops the search */
  size_t steps, max_steps;
} ctx;

static void *alloc(ctx *c, size_t n) {
  void *p = util_arena_try_alloc(c->arena, n ? n : 1);
  if (!p) util_fail(&c->fatal, UTIL_ERR_OOM, -1, "resolving dependencies: out of memory");
  return p;
}

static char *fmt(ctx *c, const char *f, const char *a, const char *b, const char *d) {
  size_t n = strlen(f) + strlen(a) + strlen(b) + strlen(d) + 1;
  char *s = alloc(c, n);
  if (s) snprintf(s, n, f, a, b, d);
  return s;
}

static bool copy_state(ctx *c, const state *from, state *to) {
  to->nnodes = from->nnodes;
  to->nqueue = from->nqueue;
  to->head = from->head;
  to->nodes = alloc(c, (from->nnodes + 1) * sizeof *to->nodes);
  to->queue = alloc(c, (from->nqueue + 1) * sizeof *to->queue);
  if (!to->nodes || !to->queue) return false;
  if (from->nnodes) memcpy(to->nodes, from->nodes, from->nnodes * sizeof *to->nodes);
  if (from->nqueue) memcpy(to->queue, from->queue, from->nqueue * sizeof *to->queue);
  return true;
}

/* Arrays in nodes are shared between copies until changed: changing one copies it. */
static bool push_str(ctx *c, const char ***items, size_t *n, const char *s) {
  const char **a = alloc(c, (*n + 1) * sizeof *a);
  if (!a) return false;
  if (*n) memcpy(a, *items, *n * sizeof *a);
  a[(*n)++] = s;
  *items = a;
  return true;
}

static bool push_edge(ctx *c, rnode *nd, size_t to) {
  for (size_t i = 0; i < nd->nedges; i++)
    if (nd->edges[i] == to) return true;
  size_t *a = alloc(c, (nd->nedges + 1) * sizeof *a);
  if (!a) return false;
  if (nd->nedges) memcpy(a, nd->edges, nd->nedges * sizeof *a);
  a[nd->nedges++] = to;
  nd->edges = a;
  return true;
}

static bool push_req(ctx *c, state *s, size_t from, const pkg_dep *dep, const char *feature) {
  rreq *q = alloc(c, (s->nqueue + 1) * sizeof *q);
  if (!q) return false;
  if (s->nqueue) memcpy(q, s->queue, s->nqueue * sizeof *q);
  q[s->nqueue++] = (rreq){from, dep, feature};
  s->queue = q;
  return true;
}

static bool has(const rnode *nd, const char *f) {
  for (size_t i = 0; i < nd->nfeats; i++)
    if (!strcmp(nd->feats[i], f)) return true;
  return false;
}

static const char *ver_text(ctx *c, const semver *v) {
  char buf[300];
  semver_format(v, buf, sizeof buf);
  char *s = alloc(c, strlen(buf) + 1);
  if (s) strcpy(s, buf);
  return s ? s : "?";
}

/* Turns feature f of node i on, and whatever it enables. false: the package has no
 * such feature (c->err says so) or out of memory. */
static bool enable(ctx *c, state *s, size_t i, const char *f, const char *why) {
  rnode *nd = &s->nodes[i];
  if (has(nd, f)) return true;
  const pkg_feature *feat = pkg_manifest_feature(nd->m, f);
  if (!feat) {
    if (!strcmp(f, "default")) return true;
    util_fail(c->err, UTIL_ERR_LINK, -1, "%s %s has no feature \"%s\" (asked for by %s)", nd->name,
              ver_text(c, &nd->version), f, why);
    return false;
  }
  if (!push_str(c, &nd->feats, &nd->nfeats, feat->name)) return false;
  for (size_t k = 0; k < feat->nenables; k++) {
    const char *e = feat->enables[k];
    const char *slash = strchr(e, '/');
    if (!strncmp(e, "dep:", 4)) {
      const pkg_dep *d = pkg_manifest_dep(nd->m, e + 4);
      if (!d) continue; /* checked when the manifest was read */
      if (has(&s->nodes[i], e)) continue;
      if (!push_str(c, &s->nodes[i].feats, &s->nodes[i].nfeats, e) || !push_req(c, s, i, d, NULL)) return false;
    } else if (slash) {
      char dep[200];
      size_t n = (size_t)(slash - e);
      if (n >= sizeof dep) continue;
      memcpy(dep, e, n);
      dep[n] = '\0';
      const pkg_dep *d = pkg_manifest_dep(nd->m, dep);
      if (!d) continue;
      if (d->optional) {
        const char *tag = fmt(c, "dep:%s%s%s", dep, "", "");
        if (!tag) return false;
        if (!has(&s->nodes[i], tag) && !push_str(c, &s->nodes[i].feats, &s->nodes[i].nfeats, tag)) return false;
      }
      if (!push_req(c, s, i, d, slash + 1)) return false;
    } else if (!enable(c, s, i, e, why)) {
      return false;
    }
  }
  return true;
}

/* The features a requirement asks of the package it lands on. */
static bool enable_requested(ctx *c, state *s, size_t to, const rreq *r, const char *why) {
  if (r->dep->default_features && !enable(c, s, to, "default", why)) return false;
  for (size_t k = 0; k < r->dep->nfeatures; k++)
    if (!enable(c, s, to, r->dep->features[k], why)) return false;
  if (r->feature && !enable(c, s, to, r->feature, why)) return false;
  return true;
}

static bool new_node(ctx *c, state *s, const char *name, const semver *v, const pkg_manifest *m, const char *chain) {
  rnode *nodes = alloc(c, (s->nnodes + 1) * sizeof *nodes);
  if (!nodes) return false;
  if (s->nnodes) memcpy(nodes, s->nodes, s->nnodes * sizeof *nodes);
  nodes[s->nnodes] = (rnode){name, *v, m, NULL, 0, NULL, 0, chain};
  s->nodes = nodes;
  size_t i = s->nnodes++;
  for (size_t k = 0; k < m->ndeps; k++)
    if (!m->deps[k].optional && !push_req(c, s, i, &m->deps[k], NULL)) return false;
  return true;
}

static bool pinned(const ctx *c, const char *name, const semver *v) {
  for (size_t i = 0; i < c->opts->npins; i++)
    if (!strcmp(c->opts->pins[i].name, name) && semver_cmp(&c->opts->pins[i].version, v) == 0 &&
        !strcmp(c->opts->pins[i].version.build, v->build))
      return true;
  return false;
}

static bool search(ctx *c, state *s);

static bool search(ctx *c, state *s) {
  while (s->head < s->nqueue) {
    if (c->fatal.kind) return false;
    if (++c->steps > c->max_steps) {
      util_fail(&c->fatal, UTIL_ERR_LIMIT, -1, "resolving dependencies: gave up after %zu steps", c->max_steps);
      return false;
    }
    rreq r = s->queue[s->head++];
    const pkg_dep *d = r.dep;
    const char *why = fmt(c, "%s -> %s %s", s->nodes[r.from].chain, d->name, d->req_text);
    if (!why) return false;
    /* Already chosen and acceptable: reuse the newest such. */
    size_t best = SIZE_MAX;
    for (size_t i = 1; i < s->nnodes; i++)
      if (!strcmp(s->nodes[i].name, d->name) && semver_req_matches(&d->req, &s->nodes[i].version) &&
          (best == SIZE_MAX || semver_cmp(&s->nodes[i].version, &s->nodes[best].version) > 0))
        best = i;
    if (best != SIZE_MAX) {
      if (!push_edge(c, &s->nodes[r.from], best) || !enable_requested(c, s, best, &r, why)) return false;
      continue;
    }
    /* Otherwise a choice: every acceptable version, pinned first, then newest first. */
    const semver *vers;
    const bool *yanked;
    size_t n;
    util_error e;
    util_error_clear(&e);
    if (!c->src->versions(c->src->ctx, d->name, &vers, &yanked, &n, &e)) {
      c->fatal = e;
      return false;
    }
    size_t *order = alloc(c, (n + 1) * sizeof *order), no = 0;
    if (!order) return false;
    const rnode *blocker = NULL;
    for (size_t k = 0; k < n; k++) {
      if (!semver_req_matches(&d->req, &vers[k])) continue;
      if (yanked[k] && !pinned(c, d->name, &vers[k])) continue;
      char ca[64], cb[64];
      semver_compat_class(&vers[k], ca, sizeof ca);
      const rnode *taken = NULL;
      for (size_t i = 1; i < s->nnodes; i++)
        if (!strcmp(s->nodes[i].name, d->name) && !strcmp(semver_compat_class(&s->nodes[i].version, cb, sizeof cb), ca))
          taken = &s->nodes[i];
      if (taken) {
        blocker = taken;
        continue;
      }
      order[no++] = k;
    }
    for (size_t a = 1; a < no; a++) /* insertion sort: pinned first, then by precedence */
      for (size_t b = a; b > 0; b--) {
        const semver *x = &vers[order[b - 1]], *y = &vers[order[b]];
        bool px = pinned(c, d->name, x), py = pinned(c, d->name, y);
        if (px || (!py && semver_cmp(x, y) >= 0)) break;
        size_t t = order[b - 1];
        order[b - 1] = order[b];
        order[b] = t;
      }
    if (!no) {
      if (blocker) {
        util_fail(c->err, UTIL_ERR_LINK, -1,
                  "conflict: %s %s (required by %s) cannot be met: %s %s is already chosen (by %s) and only one "
                  "version per compatible range is allowed",
                  d->name, d->req_text, s->nodes[r.from].chain, d->name, ver_text(c, &blocker->version), blocker->chain);
      } else if (!n) {
        util_fail(c->err, UTIL_ERR_LINK, -1, "no package named \"%s\" in the registry (required by %s)", d->name,
                  s->nodes[r.from].chain);
      } else {
        char avail[400] = "";
        size_t k2 = 0, *all = alloc(c, n * sizeof *all);
        if (!all) return false;
        for (size_t k = 0; k < n; k++) all[k] = k;
        for (size_t a = 1; a < n; a++) /* newest first */
          for (size_t b = a; b > 0 && semver_cmp(&vers[all[b - 1]], &vers[all[b]]) < 0; b--) {
            size_t t = all[b - 1];
            all[b - 1] = all[b];
            all[b] = t;
          }
        for (size_t a = 0; a < n && k2 < sizeof avail - 40; a++) {
          size_t k = all[a];
          int w = snprintf(avail + k2, sizeof avail - k2, "%s%s%s", k2 ? ", " : "", ver_text(c, &vers[k]),
                           yanked[k] ? " (yanked)" : "");
          if (w > 0) k2 += (size_t)w;
        }
        util_fail(c->err, UTIL_ERR_LINK, -1, "no version of %s matches %s (required by %s); published: %s", d->name,
                  d->req_text, s->nodes[r.from].chain, avail);
      }
      return false;
    }
    for (size_t a = 0; a < no; a++) {
      const semver *v = &vers[order[a]];
      const pkg_manifest *m = c->src->manifest(c->src->ctx, d->name, v, &e);
      if (!m) {
        c->fatal = e;
        return false;
      }
      state t;
      if (!copy_state(c, s, &t)) return false;
      const char *chain = fmt(c, "%s -> %s %s", s->nodes[r.from].chain, d->name, ver_text(c, v));
      if (!chain || !new_node(c, &t, d->name, v, m, chain)) return false;
      size_t to = t.nnodes - 1;
      if (push_edge(c, &t.nodes[r.from], to) && enable_requested(c, &t, to, &r, why) && search(c, &t)) {
        *s = t;
        return true;
      }
      if (c->fatal.kind) return false;
    }
    return false;
  }
  return true;
}

static int by_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

bool pkg_resolve(const pkg_manifest *root, const pkg_source *src, const pkg_resolve_opts *opts, pkg_resolution *out,
                 util_error *err) {
  util_error_clear(err);
  memset(out, 0, sizeof *out);
  pkg_resolve_opts none = {0};
  if (!opts) opts = &none;
  util_arena_init(&out->arena);
  ctx c = {&out->arena, src, opts, err, {0}, 0, opts->max_steps ? opts->max_steps : DEFAULT_MAX_STEPS};
  util_error_clear(&c.fatal);
  state s = {0};
  const char *chain = fmt(&c, "%s %s%s", root->name, ver_text(&c, &root->version), "");
  bool ok = chain && new_node(&c, &s, root->name, &root->version, root, chain);
  if (ok && !opts->no_default_features) ok = enable(&c, &s, 0, "default", chain);
  for (size_t i = 0; ok && i < opts->nfeatures; i++) ok = enable(&c, &s, 0, opts->features[i], chain);
  if (ok) ok = search(&c, &s);
  if (c.fatal.kind) {
    util_error_clear(err);
    *err = c.fatal;
    ok = false;
  }
  if (!ok) {
    if (!err->kind) util_fail(err, UTIL_ERR_LINK, -1, "resolving dependencies failed");
    util_arena_free(&out->arena);
    memset(out, 0, sizeof *out);
    return false;
  }
  util_error_clear(err);
  out->pkgs = alloc(&c, s.nnodes * sizeof *out->pkgs);
  if (!out->pkgs) {
    *err = c.fatal;
    util_arena_free(&out->arena);
    memset(out, 0, sizeof *out);
    return false;
  }
  out->n = s.nnodes;
  for (size_t i = 0; i < s.nnodes; i++) {
    rnode *nd = &s.nodes[i];
    pkg_resolved *p = &out->pkgs[i];
    p->name = nd->name;
    p->version = nd->version;
    p->manifest = nd->m;
    p->chain = nd->chain;
    p->deps = nd->edges;
    p->ndeps = nd->nedges;
    /* the features proper, without the "dep:X" markers */
    const char **f = alloc(&c, (nd->nfeats + 1) * sizeof *f);
    if (!f) {
      *err = c.fatal;
      util_arena_free(&out->arena);
      memset(out, 0, sizeof *out);
      return false;
    }
    size_t nf = 0;
    for (size_t k = 0; k < nd->nfeats; k++)
      if (strncmp(nd->feats[k], "dep:", 4)) f[nf++] = nd->feats[k];
    qsort(f, nf, sizeof *f, by_str);
    p->features = f;
    p->nfeatures = nf;
  }
  return true;
}

void pkg_resolution_free(pkg_resolution *r) {
  util_arena_free(&r->arena);
  memset(r, 0, sizeof *r);
}
