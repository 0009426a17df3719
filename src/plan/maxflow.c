/* Maximum flow by Dinic's algorithm (breadth-first levels, then blocking flows along
 * level-increasing edges with a current-arc pointer per vertex), iterative so a long path
 * never deepens the C stack. Capacities are int64; the minimum cut is the set of vertices
 * still reachable from the source in the residual graph. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

struct plan_flow {
  size_t n;
  int64_t *head; /* first edge of each vertex, -1 none */
  int64_t *to, *next, *cap;
  size_t nedges, capedges;
  int64_t *level, *it, *queue, *path;
  bool *side; /* after plan_flow_max: reachable from the source */
};

plan_flow *plan_flow_new(size_t n) {
  plan_flow *g = util_try_calloc(1, sizeof *g);
  if (!g) return NULL;
  g->n = n;
  g->head = util_try_malloc((n ? n : 1) * sizeof *g->head);
  if (!g->head) {
    free(g);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) g->head[i] = -1;
  return g;
}

void plan_flow_free(plan_flow *g) {
  if (!g) return;
  free(g->head);
  free(g->to);
  free(g->next);
  free(g->cap);
  free(g->level);
  free(g->it);
  free(g->queue);
  free(g->path);
  free(g->side);
  free(g);
}

static bool grow(plan_flow *g) {
  size_t nc = g->capedges ? g->capedges * 2 : 64;
  int64_t *to = util_try_realloc(g->to, nc * sizeof *to);
  if (!to) return false;
  g->to = to;
  int64_t *next = util_try_realloc(g->next, nc * sizeof *next);
  if (!next) return false;
  g->next = next;
  int64_t *cap = util_try_realloc(g->cap, nc * sizeof *cap);
  if (!cap) return false;
  g->cap = cap;
  g->capedges = nc;
  return true;
}

bool plan_flow_edge(plan_flow *g, size_t u, size_t v, int64_t cap, int64_t rcap) {
  if (g->nedges + 2 > g->capedges && !grow(g)) return false;
  size_t e = g->nedges;
  g->to[e] = (int64_t)v, g->cap[e] = cap, g->next[e] = g->head[u], g->head[u] = (int64_t)e;
  g->to[e + 1] = (int64_t)u, g->cap[e + 1] = rcap, g->next[e + 1] = g->head[v], g->head[v] = (int64_t)e + 1;
  g->nedges += 2;
  return true;
}

static bool bfs(plan_flow *g, size_t s, size_t t) {
  for (size_t i = 0; i < g->n; i++) g->level[i] = -1;
  size_t qh = 0, qt = 0;
  g->level[s] = 0;
  g->queue[qt++] = (int64_t)s;
  while (qh < qt) {
    int64_t u = g->queue[qh++];
    for (int64_t e = g->head[u]; e >= 0; e = g->next[e]) {
      int64_t v = g->to[e];
      if (g->cap[e] > 0 && g->level[v] < 0) {
        g->level[v] = g->level[u] + 1;
        g->queue[qt++] = v;
      }
    }
  }
  return g->level[t] >= 0;
}

/* One blocking flow in the level graph. */
static int64_t blocking(plan_flow *g, size_t s, size_t t) {
  int64_t total = 0;
  size_t d = 0;
  int64_t u = (int64_t)s;
  for (;;) {
    if (u == (int64_t)t) {
      int64_t f = INT64_MAX;
      for (size_t k = 0; k < d; k++)
        if (g->cap[g->path[k]] < f) f = g->cap[g->path[k]];
      size_t first = d;
      for (size_t k = 0; k < d; k++) {
        g->cap[g->path[k]] -= f;
        g->cap[g->path[k] ^ 1] += f;
        if (g->cap[g->path[k]] == 0 && first == d) first = k;
      }
      total += f;
      d = first;
      u = d == 0 ? (int64_t)s : g->to[g->path[d - 1]];
      continue;
    }
    int64_t e = g->it[u];
    while (e >= 0 && !(g->cap[e] > 0 && g->level[g->to[e]] == g->level[u] + 1)) e = g->next[e];
    g->it[u] = e;
    if (e < 0) {
      g->level[u] = -1; /* a dead end: no path to t through u in this phase */
      if (d == 0) return total;
      d--;
      u = g->to[g->path[d] ^ 1];
      continue;
    }
    g->path[d++] = e;
    u = g->to[e];
  }
}

int64_t plan_flow_max(plan_flow *g, size_t s, size_t t) {
  size_t n = g->n ? g->n : 1;
  if (!g->level) {
    g->level = util_try_malloc(n * sizeof *g->level);
    g->it = util_try_malloc(n * sizeof *g->it);
    g->queue = util_try_malloc(n * sizeof *g->queue);
    g->path = util_try_malloc(n * sizeof *g->path);
    g->side = util_try_malloc(n * sizeof *g->side);
    if (!g->level || !g->it || !g->queue || !g->path || !g->side) return -1;
  }
  int64_t flow = 0;
  if (s != t) {
    while (bfs(g, s, t)) {
      memcpy(g->it, g->head, g->n * sizeof *g->it);
      flow += blocking(g, s, t);
    }
  }
  bfs(g, s, s); /* levels now mark what the source still reaches */
  for (size_t i = 0; i < g->n; i++) g->side[i] = g->level[i] >= 0;
  return flow;
}

bool plan_flow_source_side(const plan_flow *g, size_t v) { return g->side && g->side[v]; }
