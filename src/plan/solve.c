/* The exact solver. Constraints first: same_as and different_from make services' choices
 * equal or opposite, so a breadth-first walk of the relation graph gives each connected
 * group one variable y and each member a parity (x_i = y xor parity_i); a relation that
 * disagrees with the parities, or two forced members that disagree, makes the problem
 * infeasible, and the walk's tree gives the chain of constraints that says why.
 *
 * Then the costs move onto the group variables: pairs inside a group become part of the
 * group's own cost, pairs between groups become 2x2 tables over (y_g, y_h) (parallel ones
 * summed), and forced groups are substituted (equivalent to infinite-capacity edges, and
 * keeps every capacity finite). A table A B / C D is A + (C-A)·y_g + (D-C)·y_h +
 * K·(1-y_g)·y_h with K = B+C-A-D; K >= 0 (submodular: crossing costs at least as much as
 * staying) everywhere makes the minimum s-t cut of the usual construction the optimum.
 *
 * Tables with K < 0 (after a different_from flips one side, or with such coefficients) are
 * handled by roof duality (Hammer, Hansen and Simeone; the QPBO construction of Kolmogorov
 * and Rother): a graph with a vertex for y_g and one for its complement, whose minimum cut
 * is a lower bound on the energy and labels part of the variables with weak persistency
 * (some optimum agrees with every label). With every table submodular it labels all of
 * them and is the plain minimum cut. Otherwise branch and bound: fix the labelled
 * variables, branch on an unlabelled one, bound each node by its own cut, and keep the
 * best complete assignment seen; the search ends when every variable is labelled or fixed,
 * so the result is optimal. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define BB_MAX_NODES 2000000

/* ---------- the relation graph ------------------------------------------------------------ */

typedef struct rgraph {
  size_t *head, *next; /* adjacency over relation ends: entry 2k (a side), 2k+1 (b side) */
  uint32_t *comp;      /* group of each service */
  uint8_t *par;        /* parity relative to the group's root */
  size_t *up;          /* relation to the parent in the walk, SIZE_MAX at a root */
  uint32_t *depth;
  size_t ngroups;
} rgraph;

static void rgraph_free(rgraph *g) {
  free(g->head);
  free(g->next);
  free(g->comp);
  free(g->par);
  free(g->up);
  free(g->depth);
}

static uint32_t other_end(const plan_problem *p, size_t rel, uint32_t v) {
  return p->relations[rel].a == v ? p->relations[rel].b : p->relations[rel].a;
}

static bool chain_push(plan_step **c, size_t *n, size_t *cap, plan_step s) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 8;
    plan_step *q = util_try_realloc(*c, nc * sizeof *q);
    if (!q) return false;
    *c = q;
    *cap = nc;
  }
  (*c)[(*n)++] = s;
  return true;
}

/* The tree path from u to v (same group) as relation steps, u's side first. */
static bool tree_path(const plan_problem *p, const rgraph *g, uint32_t u, uint32_t v, plan_step **c, size_t *n,
                      size_t *cap) {
  size_t mark = *n;
  /* climb from both ends to the common ancestor; v's half is collected then reversed */
  plan_step *tail = NULL;
  size_t nt = 0, capt = 0;
  bool ok = true;
  while (u != v && ok) {
    if (g->depth[u] >= g->depth[v]) {
      size_t r = g->up[u];
      uint32_t w = other_end(p, r, u);
      ok = chain_push(c, n, cap, (plan_step){u, w, r});
      u = w;
    } else {
      size_t r = g->up[v];
      uint32_t w = other_end(p, r, v);
      ok = chain_push(&tail, &nt, &capt, (plan_step){w, v, r});
      v = w;
    }
  }
  for (size_t k = nt; ok && k-- > 0;) ok = chain_push(c, n, cap, tail[k]);
  free(tail);
  if (!ok) *n = mark;
  return ok;
}

/* Builds the groups; on a contradiction fills chain and returns false (*oom tells out of
 * memory apart). */
static bool rgraph_build(const plan_problem *p, rgraph *g, plan_step **chain, size_t *nchain, bool *oom) {
  memset(g, 0, sizeof *g);
  *chain = NULL;
  *nchain = 0;
  *oom = false;
  size_t n = p->n ? p->n : 1, m = p->nrelations;
  g->head = util_try_malloc(n * sizeof *g->head);
  g->next = util_try_malloc((2 * m + 1) * sizeof *g->next);
  g->comp = util_try_malloc(n * sizeof *g->comp);
  g->par = util_try_malloc(n);
  g->up = util_try_malloc(n * sizeof *g->up);
  g->depth = util_try_malloc(n * sizeof *g->depth);
  uint32_t *queue = util_try_malloc(n * sizeof *queue);
  int8_t *rootval = util_try_malloc(n);
  uint32_t *rootwho = util_try_malloc(n * sizeof *rootwho);
  if (!g->head || !g->next || !g->comp || !g->par || !g->up || !g->depth || !queue || !rootval || !rootwho) {
    free(queue);
    free(rootval);
    free(rootwho);
    rgraph_free(g);
    *oom = true;
    return false;
  }
  for (size_t i = 0; i < p->n; i++) g->head[i] = SIZE_MAX, g->comp[i] = UINT32_MAX;
  for (size_t k = 0; k < m; k++) {
    g->next[2 * k] = g->head[p->relations[k].a], g->head[p->relations[k].a] = 2 * k;
    g->next[2 * k + 1] = g->head[p->relations[k].b], g->head[p->relations[k].b] = 2 * k + 1;
  }
  size_t cap = 0;
  bool ok = true;
  for (size_t r = 0; r < p->n && ok; r++) {
    if (g->comp[r] != UINT32_MAX) continue;
    uint32_t gid = (uint32_t)g->ngroups++;
    size_t qh = 0, qt = 0;
    g->comp[r] = gid, g->par[r] = 0, g->up[r] = SIZE_MAX, g->depth[r] = 0;
    queue[qt++] = (uint32_t)r;
    rootval[gid] = -1;
    while (qh < qt && ok) {
      uint32_t u = queue[qh++];
      if (p->fixed[u] >= 0) {
        int8_t rv = (int8_t)(p->fixed[u] ^ g->par[u]);
        if (rootval[gid] < 0) {
          rootval[gid] = rv, rootwho[gid] = u;
        } else if (rootval[gid] != rv) {
          /* two forced members that disagree through the relations between them */
          uint32_t w = rootwho[gid];
          ok = false;
          if (!chain_push(chain, nchain, &cap, (plan_step){w, w, SIZE_MAX}) ||
              !tree_path(p, g, w, u, chain, nchain, &cap) ||
              !chain_push(chain, nchain, &cap, (plan_step){u, u, SIZE_MAX}))
            *oom = true;
          break;
        }
      }
      for (size_t e = g->head[u]; e != SIZE_MAX; e = g->next[e]) {
        size_t k = e / 2;
        uint32_t v = other_end(p, k, u);
        uint8_t want = (uint8_t)(g->par[u] ^ (p->relations[k].same ? 0 : 1));
        if (g->comp[v] == UINT32_MAX) {
          g->comp[v] = gid, g->par[v] = want, g->up[v] = k, g->depth[v] = g->depth[u] + 1;
          queue[qt++] = v;
        } else if (g->par[v] != want) {
          /* a cycle of relations with an odd number of different_from */
          ok = false;
          if (!tree_path(p, g, u, v, chain, nchain, &cap) ||
              !chain_push(chain, nchain, &cap, (plan_step){v, u, k}))
            *oom = true;
          break;
        }
      }
    }
  }
  free(queue);
  free(rootval);
  free(rootwho);
  if (!ok) rgraph_free(g);
  return ok;
}

bool plan_check_constraints(const plan_problem *p, plan_step **chain, size_t *nchain, bool *oom) {
  rgraph g;
  if (!rgraph_build(p, &g, chain, nchain, oom)) return false;
  rgraph_free(&g);
  return true;
}

size_t plan_group_of(const plan_problem *p, uint32_t i, uint32_t **members) {
  size_t n = 0, cap = 8, qh = 0;
  uint32_t *list = util_try_malloc(cap * sizeof *list);
  uint8_t *seen = util_try_calloc(p->n ? p->n : 1, 1);
  if (!list || !seen) goto oom;
  list[n++] = i;
  seen[i] = 1;
  while (qh < n) {
    uint32_t u = list[qh++];
    for (size_t k = 0; k < p->nrelations; k++) {
      const plan_relation *r = &p->relations[k];
      uint32_t v;
      if (r->a == u) v = r->b;
      else if (r->b == u) v = r->a;
      else continue;
      if (seen[v]) continue;
      seen[v] = 1;
      if (n == cap) {
        uint32_t *q = util_try_realloc(list, cap * 2 * sizeof *q);
        if (!q) goto oom;
        list = q, cap *= 2;
      }
      list[n++] = v;
    }
  }
  free(seen);
  *members = list;
  return n;
oom:
  free(list);
  free(seen);
  return SIZE_MAX;
}

/* ---------- the contracted problem ------------------------------------------------------ */

typedef struct gpair {
  uint32_t g, h;
  int64_t m[2][2];
} gpair;

typedef struct contracted {
  size_t ng;
  int64_t (*u)[2];  /* group costs by y */
  int8_t *fix;      /* -1 or the forced y */
  gpair *pairs;
  size_t npairs;
  size_t nonsub;    /* tables that are not submodular */
} contracted;

static void contracted_free(contracted *c) {
  free(c->u);
  free(c->fix);
  free(c->pairs);
}

static int by_groups(const void *a, const void *b) {
  const gpair *x = a, *y = b;
  if (x->g != y->g) return x->g < y->g ? -1 : 1;
  return x->h < y->h ? -1 : x->h > y->h;
}

static bool contract(const plan_problem *p, const rgraph *g, contracted *c) {
  memset(c, 0, sizeof *c);
  c->ng = g->ngroups;
  c->u = util_try_calloc(c->ng ? c->ng : 1, sizeof *c->u);
  c->fix = util_try_malloc(c->ng ? c->ng : 1);
  c->pairs = util_try_malloc((p->npairs ? p->npairs : 1) * sizeof *c->pairs);
  if (!c->u || !c->fix || !c->pairs) {
    contracted_free(c);
    return false;
  }
  for (size_t k = 0; k < c->ng; k++) c->fix[k] = -1;
  for (size_t i = 0; i < p->n; i++) {
    uint32_t k = g->comp[i];
    for (int y = 0; y < 2; y++) c->u[k][y] += p->unary[i].total[y ^ g->par[i]];
    if (p->fixed[i] >= 0) c->fix[k] = (int8_t)(p->fixed[i] ^ g->par[i]);
  }
  for (size_t k = 0; k < p->npairs; k++) {
    const plan_pair *q = &p->pairs[k];
    uint32_t ga = g->comp[q->a], gb = g->comp[q->b];
    uint8_t pa = g->par[q->a], pb = g->par[q->b];
    if (ga == gb) {
      for (int y = 0; y < 2; y++) c->u[ga][y] += q->cost[y ^ pa][y ^ pb];
      continue;
    }
    gpair *gp = &c->pairs[c->npairs++];
    gp->g = ga, gp->h = gb;
    for (int u = 0; u < 2; u++)
      for (int v = 0; v < 2; v++) gp->m[u][v] = q->cost[u ^ pa][v ^ pb];
  }
  /* one table per pair of groups: orient (smaller, larger), sort, sum */
  for (size_t k = 0; k < c->npairs; k++) {
    gpair *gp = &c->pairs[k];
    if (gp->g > gp->h) {
      gpair t = {gp->h, gp->g, {{gp->m[0][0], gp->m[1][0]}, {gp->m[0][1], gp->m[1][1]}}};
      *gp = t;
    }
  }
  qsort(c->pairs, c->npairs, sizeof *c->pairs, by_groups);
  size_t w = 0;
  for (size_t k = 0; k < c->npairs; k++) {
    if (w && c->pairs[w - 1].g == c->pairs[k].g && c->pairs[w - 1].h == c->pairs[k].h) {
      for (int u = 0; u < 2; u++)
        for (int v = 0; v < 2; v++) c->pairs[w - 1].m[u][v] += c->pairs[k].m[u][v];
    } else {
      c->pairs[w++] = c->pairs[k];
    }
  }
  c->npairs = w;
  for (size_t k = 0; k < c->npairs; k++) {
    const gpair *gp = &c->pairs[k];
    if (gp->m[0][1] + gp->m[1][0] < gp->m[0][0] + gp->m[1][1]) c->nonsub++;
  }
  return true;
}

/* ---------- bounds by roof duality ------------------------------------------------------- */

typedef struct bb {
  const plan_problem *p;
  const rgraph *g;
  const contracted *c;
  int8_t *state;    /* per group: -1 free, or its value */
  int64_t *lin;     /* per group */
  uint32_t *vid;    /* group → its flow vertex (2·vid; the complement 2·vid+1) */
  int8_t *label;    /* per group after bound(): -1 unlabelled, or the persistent value */
  uint8_t *y, *x, *bestx;
  uint32_t *undo;   /* groups fixed by labels, to free again on the way back */
  size_t nundo;
  int64_t best;
  bool have_best, oom, limit;
  size_t cuts, nodes;
  int64_t *weight;  /* per group: |K| of tables with both ends free */
} bb;

/* The roof-dual bound at the current state: returns the lower bound, labels what it can in
 * b->label and leaves a complete assignment (labels, then the cut's side) in b->y. */
static bool bound(bb *b, int64_t *lb) {
  const contracted *c = b->c;
  int64_t k2 = 0; /* the constant, doubled (the graph holds the energy twice) */
  size_t nfree = 0;
  for (size_t k = 0; k < c->ng; k++) {
    b->lin[k] = 0;
    b->label[k] = -1;
    if (b->state[k] >= 0) {
      k2 += 2 * c->u[k][b->state[k]];
      b->y[k] = (uint8_t)b->state[k];
    } else {
      b->vid[k] = (uint32_t)nfree++;
      k2 += 2 * c->u[k][0];
      b->lin[k] += c->u[k][1] - c->u[k][0];
    }
  }
  plan_flow *f = plan_flow_new(2 * nfree + 2);
  if (!f) return !(b->oom = true);
  size_t s = 2 * nfree, t = 2 * nfree + 1;
#define V(k) ((size_t)b->vid[k] * 2)
#define NV(k) ((size_t)b->vid[k] * 2 + 1)
  for (size_t k = 0; k < c->npairs; k++) {
    const gpair *q = &c->pairs[k];
    int sg = b->state[q->g], sh = b->state[q->h];
    if (sg >= 0 && sh >= 0) {
      k2 += 2 * q->m[sg][sh];
    } else if (sg >= 0) {
      k2 += 2 * q->m[sg][0];
      b->lin[q->h] += q->m[sg][1] - q->m[sg][0];
    } else if (sh >= 0) {
      k2 += 2 * q->m[0][sh];
      b->lin[q->g] += q->m[1][sh] - q->m[0][sh];
    } else {
      int64_t A = q->m[0][0], B = q->m[0][1], C = q->m[1][0], D = q->m[1][1];
      int64_t K = B + C - A - D;
      k2 += 2 * A;
      b->lin[q->g] += C - A;
      b->lin[q->h] += D - C;
      if (K > 0) {
        /* K·(1-y_g)·y_h, once on the variables and once on the complements */
        if (!plan_flow_edge(f, V(q->g), V(q->h), K, 0) || !plan_flow_edge(f, NV(q->h), NV(q->g), K, 0)) goto oom;
      } else if (K < 0) {
        /* K·(1-y_g)·y_h = K·y_h + L·y_g·y_h with L = -K, and y_g·y_h = y_g·(1-ȳ_h) = y_h·(1-ȳ_g) */
        b->lin[q->h] += K;
        if (!plan_flow_edge(f, NV(q->h), V(q->g), -K, 0) || !plan_flow_edge(f, NV(q->g), V(q->h), -K, 0)) goto oom;
      }
    }
  }
  for (size_t k = 0; k < c->ng; k++) {
    if (b->state[k] >= 0 || b->lin[k] == 0) continue;
    int64_t a = b->lin[k];
    if (a > 0) {
      if (!plan_flow_edge(f, s, V(k), a, 0) || !plan_flow_edge(f, NV(k), t, a, 0)) goto oom;
    } else {
      k2 += 2 * a;
      if (!plan_flow_edge(f, V(k), t, -a, 0) || !plan_flow_edge(f, s, NV(k), -a, 0)) goto oom;
    }
  }
  int64_t flow = plan_flow_max(f, s, t);
  if (flow < 0) goto oom;
  b->cuts++;
  for (size_t k = 0; k < c->ng; k++) {
    if (b->state[k] >= 0) continue;
    bool pv = plan_flow_source_side(f, V(k)), pn = plan_flow_source_side(f, NV(k));
    if (pv && !pn) b->label[k] = 0;
    else if (!pv && pn) b->label[k] = 1;
    b->y[k] = b->label[k] >= 0 ? (uint8_t)b->label[k] : pv ? 0 : 1;
  }
#undef V
#undef NV
  plan_flow_free(f);
  int64_t v2 = k2 + flow;
  *lb = v2 >= 0 ? (v2 + 1) / 2 : -((-v2) / 2);
  return true;
oom:
  plan_flow_free(f);
  b->oom = true;
  return false;
}

static void node(bb *b) {
  if (b->oom || b->limit) return;
  if (++b->nodes > BB_MAX_NODES) {
    b->limit = true;
    return;
  }
  int64_t lb;
  if (!bound(b, &lb)) return;
  for (size_t i = 0; i < b->p->n; i++) b->x[i] = (uint8_t)(b->y[b->g->comp[i]] ^ b->g->par[i]);
  int64_t cost = plan_cost(b->p, b->x);
  if (!b->have_best || cost < b->best) {
    b->best = cost;
    b->have_best = true;
    memcpy(b->bestx, b->x, b->p->n);
  }
  if (lb >= b->best) return;
  /* persistency: some optimum below this node agrees with every label, so fix them */
  const contracted *c = b->c;
  size_t mark = b->nundo;
  for (size_t k = 0; k < c->ng; k++)
    if (b->state[k] < 0 && b->label[k] >= 0) b->state[k] = b->label[k], b->undo[b->nundo++] = (uint32_t)k;
  /* branch on the unlabelled group carrying the most non-submodular weight */
  memset(b->weight, 0, c->ng * sizeof *b->weight);
  for (size_t k = 0; k < c->npairs; k++) {
    const gpair *q = &c->pairs[k];
    if (b->state[q->g] >= 0 || b->state[q->h] >= 0) continue;
    int64_t K = q->m[0][1] + q->m[1][0] - q->m[0][0] - q->m[1][1];
    if (K < 0) b->weight[q->g] -= K, b->weight[q->h] -= K;
  }
  size_t pick = SIZE_MAX;
  for (size_t k = 0; k < c->ng; k++)
    if (b->state[k] < 0 && (pick == SIZE_MAX || b->weight[k] > b->weight[pick])) pick = k;
  if (pick != SIZE_MAX) {
    uint8_t first = b->y[pick];
    for (int v = 0; v < 2; v++) {
      b->state[pick] = (int8_t)(v == 0 ? first : 1 - first);
      node(b);
    }
    b->state[pick] = -1;
  }
  while (b->nundo > mark) b->state[b->undo[--b->nundo]] = -1;
}

static bool solve_exact(const plan_problem *p, const rgraph *g, plan_result *r, util_error *err) {
  contracted c;
  if (!contract(p, g, &c)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  bb b = {0};
  b.p = p, b.g = g, b.c = &c;
  size_t ng = c.ng ? c.ng : 1, n = p->n ? p->n : 1;
  b.state = util_try_malloc(ng);
  b.lin = util_try_malloc(ng * sizeof *b.lin);
  b.vid = util_try_malloc(ng * sizeof *b.vid);
  b.weight = util_try_malloc(ng * sizeof *b.weight);
  b.label = util_try_malloc(ng);
  b.undo = util_try_malloc(ng * sizeof *b.undo);
  b.y = util_try_malloc(ng);
  b.x = util_try_malloc(n);
  b.bestx = util_try_malloc(n);
  bool ok = b.state && b.lin && b.vid && b.weight && b.label && b.undo && b.y && b.x && b.bestx;
  if (ok) {
    memcpy(b.state, c.fix, c.ng);
    node(&b);
    ok = !b.oom;
  }
  if (ok) {
    r->x = b.bestx, b.bestx = NULL;
    r->cost = b.best;
    r->optimal = !b.limit;
    r->groups = c.ng;
    r->nonsubmodular = c.nonsub;
    r->cuts = b.cuts;
    r->nodes = b.nodes;
  }
  free(b.state);
  free(b.lin);
  free(b.vid);
  free(b.weight);
  free(b.label);
  free(b.undo);
  free(b.y);
  free(b.x);
  free(b.bestx);
  contracted_free(&c);
  return ok || util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}

/* ---------- the design's greedy baseline ---------------------------------------------------- */

/* Groups in order of what is at stake (their own cost difference plus the weight of their
 * pairs); each takes the value cheapest given the groups already placed. No guarantee. */
typedef struct stake {
  int64_t w;
  uint32_t g;
} stake;

static int by_stake(const void *a, const void *b) {
  const stake *x = a, *y = b;
  if (x->w != y->w) return x->w < y->w ? 1 : -1;
  return x->g < y->g ? -1 : x->g > y->g;
}

static bool solve_greedy(const plan_problem *p, const rgraph *g, plan_result *r, util_error *err) {
  contracted c;
  if (!contract(p, g, &c)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  size_t ng = c.ng ? c.ng : 1;
  stake *order = util_try_calloc(ng, sizeof *order);
  int8_t *val = util_try_malloc(ng);
  size_t *deg = util_try_calloc(ng + 1, sizeof *deg);
  uint32_t *adj = util_try_malloc((2 * c.npairs + 1) * sizeof *adj);
  uint8_t *x = util_try_malloc(p->n ? p->n : 1);
  bool ok = order && val && deg && adj && x;
  if (ok) {
    for (size_t k = 0; k < c.ng; k++) {
      order[k].g = (uint32_t)k;
      int64_t d = c.u[k][1] - c.u[k][0];
      order[k].w = d < 0 ? -d : d;
      val[k] = c.fix[k];
    }
    for (size_t k = 0; k < c.npairs; k++) {
      const gpair *q = &c.pairs[k];
      int64_t w = q->m[0][1] + q->m[1][0] - q->m[0][0] - q->m[1][1];
      w = w < 0 ? -w : w;
      order[q->g].w += w, order[q->h].w += w;
      deg[q->g + 1]++, deg[q->h + 1]++;
    }
    for (size_t k = 0; k < c.ng; k++) deg[k + 1] += deg[k];
    size_t *fill = util_try_malloc(ng * sizeof *fill);
    if (!fill) {
      ok = false;
    } else {
      memcpy(fill, deg, c.ng * sizeof *fill);
      for (size_t k = 0; k < c.npairs; k++) adj[fill[c.pairs[k].g]++] = (uint32_t)k, adj[fill[c.pairs[k].h]++] = (uint32_t)k;
      free(fill);
      qsort(order, c.ng, sizeof *order, by_stake);
      for (size_t o = 0; o < c.ng; o++) {
        uint32_t k = order[o].g;
        if (val[k] >= 0) continue;
        int64_t cost[2] = {c.u[k][0], c.u[k][1]};
        for (size_t e = deg[k]; e < deg[k + 1]; e++) {
          const gpair *q = &c.pairs[adj[e]];
          for (int y = 0; y < 2; y++) {
            if (q->g == k && val[q->h] >= 0) cost[y] += q->m[y][val[q->h]];
            if (q->h == k && val[q->g] >= 0) cost[y] += q->m[val[q->g]][y];
          }
        }
        val[k] = cost[1] < cost[0] ? 1 : 0;
      }
      for (size_t i = 0; i < p->n; i++) x[i] = (uint8_t)(val[g->comp[i]] ^ g->par[i]);
      r->x = x, x = NULL;
      r->cost = plan_cost(p, r->x);
      r->optimal = false;
      r->groups = c.ng;
      r->nonsubmodular = c.nonsub;
    }
  }
  free(order);
  free(val);
  free(deg);
  free(adj);
  free(x);
  contracted_free(&c);
  return ok || util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}

/* ---------- entry point ------------------------------------------------------------------- */

bool plan_solve_exhaustive(const plan_problem *p, plan_result *r, util_error *err);

bool plan_solve(const plan_problem *p, plan_method method, plan_result *r, util_error *err) {
  memset(r, 0, sizeof *r);
  util_error_clear(err);
  if (method == PLAN_EXHAUSTIVE && p->n > PLAN_EXHAUSTIVE_MAX)
    return util_fail(err, UTIL_ERR_LIMIT, -1,
                     "not supported: exhaustive search over %zu services (at most %d; use the exact method)", p->n,
                     PLAN_EXHAUSTIVE_MAX);
  rgraph g;
  bool oom;
  if (!rgraph_build(p, &g, &r->chain, &r->nchain, &oom)) {
    if (oom) {
      free(r->chain);
      r->chain = NULL, r->nchain = 0;
      return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
    r->feasible = false;
    return true;
  }
  r->feasible = true;
  bool ok;
  switch (method) {
  case PLAN_EXHAUSTIVE: ok = plan_solve_exhaustive(p, r, err); break;
  case PLAN_GREEDY: ok = solve_greedy(p, &g, r, err); break;
  default: ok = solve_exact(p, &g, r, err); break;
  }
  rgraph_free(&g);
  return ok;
}

void plan_result_free(plan_result *r) {
  free(r->x);
  free(r->chain);
  memset(r, 0, sizeof *r);
}
