/* Multi-node placement as a mixed-integer program, solved by GLPK. The build needs GLPK's
 * header (libglpk-dev; CMake finds it and defines WELD_HAVE_GLPK) and the run loads the
 * library itself (libglpk.so.40) on first use, so libweld links nothing new and an
 * embedder who never places onto nodes needs no GLPK. Without either, the entry point
 * says "not supported" and nothing pretends to place.
 *
 *   x[i,n,d] ∈ {0,1}   service i on node n with technology d; Σ_{n,d} x[i,n,d] = 1
 *   Σ_{i,d} cpus_i·x[i,n,d] <= cpus_n,  Σ_{i,d} memory_i(d)·x[i,n,d] <= memory_n
 *   t_i = Σ_n x[i,n,container]; same_as: t_a = t_b; different_from: t_a + t_b = 1
 *   per interaction k (a→b): p[k,u,v] >= 0 with the marginals of (t_a, t_b) — exact for
 *   integral t — priced by the pair's table, and y_k >= |Σ_d x[a,n,d] - Σ_d x[b,n,d]| for
 *   every node n, priced by the cross-node cost.
 * minimise Σ unary·x + Σ table·p + Σ cross-node·y. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#ifdef WELD_HAVE_GLPK
#include <dlfcn.h>
#include <glpk.h>
#endif

void plan_node_result_free(plan_node_result *r) {
  free(r->x);
  free(r->node);
  memset(r, 0, sizeof *r);
}

#ifndef WELD_HAVE_GLPK

bool plan_nodes_supported(void) { return false; }

bool plan_solve_nodes(const plan_app *app, const plan_coeffs *c, const plan_problem *p, plan_node_result *r,
                      util_error *err) {
  (void)app, (void)c, (void)p;
  memset(r, 0, sizeof *r);
  return util_fail(err, UTIL_ERR_LIMIT, -1, "not supported: multi-node placement needs GLPK (this weld was built without glpk.h)");
}

#else

static struct {
  __typeof__(glp_term_out) *term_out;
  __typeof__(glp_create_prob) *create_prob;
  __typeof__(glp_set_obj_dir) *set_obj_dir;
  __typeof__(glp_add_cols) *add_cols;
  __typeof__(glp_add_rows) *add_rows;
  __typeof__(glp_set_col_kind) *set_col_kind;
  __typeof__(glp_set_col_bnds) *set_col_bnds;
  __typeof__(glp_set_obj_coef) *set_obj_coef;
  __typeof__(glp_set_row_bnds) *set_row_bnds;
  __typeof__(glp_load_matrix) *load_matrix;
  __typeof__(glp_init_iocp) *init_iocp;
  __typeof__(glp_intopt) *intopt;
  __typeof__(glp_mip_status) *mip_status;
  __typeof__(glp_mip_col_val) *mip_col_val;
  __typeof__(glp_delete_prob) *delete_prob;
} G;

static const char *glpk_library = "libglpk.so.40";

/* Loads GLPK once; false when the library or one of its functions is missing. */
static bool glpk_load(void) {
  static int state; /* 0 not tried, 1 loaded, -1 missing */
  if (state) return state > 0;
  state = -1;
  void *h = dlopen(glpk_library, RTLD_NOW | RTLD_LOCAL);
  if (!h) return false;
#define LOAD(f) if (!(*(void **)&G.f = dlsym(h, "glp_" #f))) return false;
  LOAD(term_out)
  LOAD(create_prob)
  LOAD(set_obj_dir)
  LOAD(add_cols)
  LOAD(add_rows)
  LOAD(set_col_kind)
  LOAD(set_col_bnds)
  LOAD(set_obj_coef)
  LOAD(set_row_bnds)
  LOAD(load_matrix)
  LOAD(init_iocp)
  LOAD(intopt)
  LOAD(mip_status)
  LOAD(mip_col_val)
  LOAD(delete_prob)
#undef LOAD
  state = 1;
  return true;
}

bool plan_nodes_supported(void) { return glpk_load(); }

static int64_t cross_node_cost(const plan_coeffs *c, const plan_interaction *in) {
  double ms = in->calls_per_s * c->node_call_us / 1000.0 + in->bytes_per_s / 1048576.0 * c->node_mib_ms;
  double q = floor(c->alpha * ms * 1000.0 + 0.5);
  if (!(q > 0)) return 0;
  return q >= (double)PLAN_TERM_MAX ? PLAN_TERM_MAX : (int64_t)q;
}

typedef struct mat {
  int *ia, *ja;
  double *ar;
  size_t n, cap;
} mat;

static bool put(mat *m, int row, int col, double v) {
  if (m->n + 2 > m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 1024;
    int *ia = util_try_realloc(m->ia, nc * sizeof *ia);
    if (!ia) return false;
    m->ia = ia;
    int *ja = util_try_realloc(m->ja, nc * sizeof *ja);
    if (!ja) return false;
    m->ja = ja;
    double *ar = util_try_realloc(m->ar, nc * sizeof *ar);
    if (!ar) return false;
    m->ar = ar;
    m->cap = nc;
  }
  if (m->n == 0) m->n = 1; /* GLPK's arrays start at 1 */
  m->ia[m->n] = row, m->ja[m->n] = col, m->ar[m->n] = v;
  m->n++;
  return true;
}

bool plan_solve_nodes(const plan_app *app, const plan_coeffs *c, const plan_problem *p, plan_node_result *r,
                      util_error *err) {
  memset(r, 0, sizeof *r);
  if (!glpk_load())
    return util_fail(err, UTIL_ERR_LIMIT, -1, "not supported: multi-node placement needs GLPK (%s could not be loaded)",
                     glpk_library);
  size_t S = app->nservices, N = app->nnodes, K = app->ninteractions;
  if (N == 0) return util_fail(err, UTIL_ERR_USAGE, -1, "%s: no [[node]] to place onto", app->filename);
  if (S * N * 2 + K * 5 > 2000000 || K * N * 2 > 4000000)
    return util_fail(err, UTIL_ERR_LIMIT, -1, "not supported: a node placement this large (%zu services, %zu nodes, %zu interactions)", S, N, K);
  G.term_out(GLP_OFF);
  glp_prob *P = G.create_prob();
  G.set_obj_dir(P, GLP_MIN);
  /* columns: x[i,n,d] = 1 + (i*N + n)*2 + d; p[k,u,v] = xbase + k*4 + u*2 + v; y_k = pbase + 4K + k */
  int xcols = (int)(S * N * 2), pbase = xcols + 1, ybase = pbase + (int)(4 * K);
  int ncols = xcols + (int)(5 * K);
  if (ncols > 0) G.add_cols(P, ncols);
  for (size_t i = 0; i < S; i++)
    for (size_t n = 0; n < N; n++)
      for (int d = 0; d < 2; d++) {
        int j = 1 + (int)((i * N + n) * 2) + d;
        G.set_col_kind(P, j, GLP_BV);
        if (p->fixed[i] >= 0 && p->fixed[i] != d) G.set_col_bnds(P, j, GLP_FX, 0, 0);
        G.set_obj_coef(P, j, (double)p->unary[i].total[d]);
      }
  for (size_t k = 0; k < K; k++) {
    for (int uv = 0; uv < 4; uv++) {
      int j = pbase + (int)(k * 4) + uv;
      G.set_col_bnds(P, j, GLP_LO, 0, 0);
      G.set_obj_coef(P, j, (double)p->pairs[k].cost[uv >> 1][uv & 1]);
    }
    G.set_col_bnds(P, ybase + (int)k, GLP_LO, 0, 0);
    G.set_obj_coef(P, ybase + (int)k, (double)cross_node_cost(c, &app->interactions[k]));
  }
  mat m = {0};
  bool ok = true;
  int row = 0;
#define ROW(type, lo, hi) (row = G.add_rows(P, 1), G.set_row_bnds(P, row, type, lo, hi), row)
#define X(i, n, d) (1 + (int)(((i) * N + (n)) * 2) + (d))
  for (size_t i = 0; i < S && ok; i++) {
    int rw = ROW(GLP_FX, 1, 1);
    for (size_t n = 0; n < N && ok; n++)
      for (int d = 0; d < 2 && ok; d++) ok = put(&m, rw, X(i, n, d), 1);
  }
  for (size_t n = 0; n < N && ok; n++) {
    int rc = ROW(GLP_UP, 0, app->nodes[n].cpus);
    int rm = ROW(GLP_UP, 0, app->nodes[n].memory_mib);
    for (size_t i = 0; i < S && ok; i++)
      for (int d = 0; d < 2 && ok; d++) {
        if (app->services[i].cpus > 0) ok = put(&m, rc, X(i, n, d), app->services[i].cpus);
        if (ok) ok = put(&m, rm, X(i, n, d), plan_service_memory(c, &app->services[i], d));
      }
  }
  for (size_t k = 0; k < app->nrelations && ok; k++) {
    const plan_relation *rel = &app->relations[k];
    int rw = rel->same ? ROW(GLP_FX, 0, 0) : ROW(GLP_FX, 1, 1);
    for (size_t n = 0; n < N && ok; n++) {
      ok = put(&m, rw, X(rel->a, n, 1), 1);
      if (ok) ok = put(&m, rw, X(rel->b, n, 1), rel->same ? -1 : 1);
    }
  }
  for (size_t k = 0; k < K && ok; k++) {
    uint32_t a = p->pairs[k].a, b = p->pairs[k].b;
    int pk = pbase + (int)(k * 4);
    /* p10 + p11 - t_a = 0 ; p01 + p11 - t_b = 0 ; Σ p = 1 */
    int ra = ROW(GLP_FX, 0, 0), rb = ROW(GLP_FX, 0, 0), r1 = ROW(GLP_FX, 1, 1);
    ok = put(&m, ra, pk + 2, 1) && put(&m, ra, pk + 3, 1) && put(&m, rb, pk + 1, 1) && put(&m, rb, pk + 3, 1);
    for (int uv = 0; uv < 4 && ok; uv++) ok = put(&m, r1, pk + uv, 1);
    for (size_t n = 0; n < N && ok; n++) {
      ok = put(&m, ra, X(a, n, 1), -1) && put(&m, rb, X(b, n, 1), -1);
      int s1 = ROW(GLP_LO, 0, 0), s2 = ROW(GLP_LO, 0, 0);
      ok = ok && put(&m, s1, ybase + (int)k, 1) && put(&m, s2, ybase + (int)k, 1);
      for (int d = 0; d < 2 && ok; d++)
        ok = put(&m, s1, X(a, n, d), -1) && put(&m, s1, X(b, n, d), 1) && put(&m, s2, X(b, n, d), -1) &&
             put(&m, s2, X(a, n, d), 1);
    }
  }
#undef ROW
  if (!ok) {
    G.delete_prob(P);
    free(m.ia), free(m.ja), free(m.ar);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  if (m.n > 1) G.load_matrix(P, (int)m.n - 1, m.ia, m.ja, m.ar);
  free(m.ia), free(m.ja), free(m.ar);
  glp_iocp parm;
  G.init_iocp(&parm);
  parm.presolve = GLP_ON;
  parm.msg_lev = GLP_MSG_OFF;
  int ret = G.intopt(P, &parm);
  int st = G.mip_status(P);
  if (ret == GLP_ENOPFS || ret == GLP_ENODFS || st == GLP_NOFEAS) {
    G.delete_prob(P);
    r->feasible = false;
    return true;
  }
  if (ret != 0 || st != GLP_OPT) {
    G.delete_prob(P);
    return util_fail(err, UTIL_ERR_LIMIT, -1, "the MIP solver stopped without an optimum (GLPK status %d, code %d)", st, ret);
  }
  r->x = util_try_malloc(S ? S : 1);
  r->node = util_try_malloc((S ? S : 1) * sizeof *r->node);
  if (!r->x || !r->node) {
    G.delete_prob(P);
    plan_node_result_free(r);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  for (size_t i = 0; i < S; i++)
    for (size_t n = 0; n < N; n++)
      for (int d = 0; d < 2; d++)
        if (G.mip_col_val(P, X(i, n, d)) > 0.5) r->x[i] = (uint8_t)d, r->node[i] = (uint32_t)n;
#undef X
  G.delete_prob(P);
  r->feasible = true;
  r->node_cost = 0;
  for (size_t k = 0; k < K; k++)
    if (r->node[p->pairs[k].a] != r->node[p->pairs[k].b]) r->node_cost += cross_node_cost(c, &app->interactions[k]);
  r->cost = plan_cost(p, r->x) + r->node_cost;
  return true;
}

#endif
