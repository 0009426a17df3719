/* weld plan: where each service of an application manifest runs (src/hybrid reads it,
 * src/plan decides), with the cost of every term and the reason for every choice. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hybrid/history.h"
#include "hybrid/manifest.h"
#include "plan/plan.h"

/* Exit statuses (docs/cli.md): 0 a plan, 1 no plan satisfies the constraints (or the
 * nodes cannot hold the services), 2 bad input or an unsupported request. */
enum { PLAN_EXIT_OK = 0, PLAN_EXIT_INFEASIBLE = 1, PLAN_EXIT_BAD_INPUT = 2 };

enum { OPT_EXPLAIN, OPT_JSON, OPT_METHOD, OPT_COEFFS, OPT_HISTORY };
static const cli_opt plan_opts[] = {
    {"--explain", "", "", OPT_EXPLAIN},
    {"--json", "", "", OPT_JSON},
    {"--method", "", "exact|exhaustive|greedy", OPT_METHOD},
    {"--coefficients", "", "FILE", OPT_COEFFS},
    {"--history", "", "DB", OPT_HISTORY},
};

/* thousandths as "12.345" */
static const char *fx(int64_t v, char *buf, size_t n) {
  uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  snprintf(buf, n, "%s%" PRIu64 ".%03u", v < 0 ? "-" : "", m / 1000, (unsigned)(m % 1000));
  return buf;
}

static const char *method_name(plan_method m) {
  return m == PLAN_EXHAUSTIVE ? "exhaustive" : m == PLAN_GREEDY ? "greedy" : "exact";
}

typedef struct plan_out {
  const manifest *m;
  const plan_problem *p;
  const plan_coeffs *k;
  const uint8_t *x;
  const uint32_t *node; /* NULL without nodes */
  int64_t total, node_cost;
  int64_t sum_t, sum_m, sum_s, sum_pairs;
} plan_out;

static void sums(plan_out *o) {
  for (size_t i = 0; i < o->p->n; i++) {
    const plan_unary *u = &o->p->unary[i];
    o->sum_t += u->t[o->x[i]], o->sum_m += u->m[o->x[i]], o->sum_s += u->s[o->x[i]];
  }
  for (size_t k = 0; k < o->p->npairs; k++) {
    const plan_pair *q = &o->p->pairs[k];
    o->sum_pairs += q->cost[o->x[q->a]][o->x[q->b]];
  }
}

static const char *placement_name(int da, int db) {
  return da != db ? "crossing" : da == PLAN_WASM ? "both wasm" : "both container";
}

/* ---------- history ------------------------------------------------------------------------ */

/* The runs behind service i on tech t, and how far they replace the estimates (the
 * confidence of its start time, the measurement every run makes). */
static void history_brief(const plan_history *h, uint32_t i, int t, char *buf, size_t n) {
  const plan_svc_obs *o = &h->svc[(size_t)i * PLAN_NTECH + (size_t)t];
  snprintf(buf, n, "%s %u run%s (%.0f%%)", plan_tech_name(t), o->runs, o->runs == 1 ? "" : "s",
           100.0 * plan_svc_obs_confidence(h, o));
}

static void history_detail(const plan_history *h, uint32_t i, int t) {
  const plan_svc_obs *o = &h->svc[(size_t)i * PLAN_NTECH + (size_t)t];
  if (!o->runs) {
    printf("    measured %-9s none: estimates\n", plan_tech_name(t));
    return;
  }
  printf("    measured %-9s %u run%s:", plan_tech_name(t), o->runs, o->runs == 1 ? "" : "s");
  const struct {
    const char *what, *unit;
    const plan_ewma *e;
  } q[] = {{"start", "ms", &o->start_ms}, {"CPU", "ms/s", &o->cpu_ms_per_s}, {"peak", "MiB", &o->rss_mib}};
  for (int k = 0; k < 3; k++) {
    if (q[k].e->n) printf("%s %s %.1f %s (%.0f%%)", k ? "," : "", q[k].what, q[k].e->v, q[k].unit,
                          100.0 * plan_history_confidence(h, q[k].e));
    else printf("%s %s not measured", k ? "," : "", q[k].what);
  }
  if (o->calls)
    printf(", %" PRIu64 " calls answered: p50 %.3f ms, p95 %.3f ms, errors %.1f%%", o->calls, o->p50_ms.v, o->p95_ms.v,
           100.0 * o->error_rate.v);
  printf("\n");
}

/* ---------- text -------------------------------------------------------------------------- */

static void explain_text(const plan_out *o, uint32_t i, const plan_why *w) {
  const plan_app *app = &o->m->app;
  const plan_unary *u = &o->p->unary[i];
  char a[32], b[32], c[32], d[32], why[160];
  for (int t = 0; t < PLAN_NTECH; t++)
    printf("    %-10s α·T %10s  β·M %10s  γ·S %10s  = %10s%s\n", plan_tech_name(t), fx(u->t[t], a, sizeof a),
           fx(u->m[t], b, sizeof b), fx(u->s[t], c, sizeof c), fx(u->total[t], d, sizeof d),
           t == o->x[i] ? "   (chosen)" : "");
  if (o->p->history)
    for (int t = 0; t < PLAN_NTECH; t++) history_detail(o->p->history, i, t);
  for (size_t k = 0; k < o->p->npairs; k++) {
    const plan_pair *q = &o->p->pairs[k];
    if (q->a != i && q->b != i) continue;
    const plan_interaction *in = &app->interactions[q->interaction];
    printf("    %s %s (%s, %s): %s\n", q->a == i ? "->" : "<-", app->services[q->a == i ? q->b : q->a].name,
           plan_kind_name(in->kind), placement_name(o->x[q->a], o->x[q->b]),
           fx(q->cost[o->x[q->a]][o->x[q->b]], a, sizeof a));
  }
  switch (w->kind) {
  case PLAN_WHY_FORCED:
    printf("    why: forced: %s\n", manifest_force_format(app, i, why, sizeof why));
    break;
  case PLAN_WHY_TIED:
    printf("    why: tied to '%s' by same_as/different_from; '%s' is forced: %s\n", app->services[w->via].name,
           app->services[w->via].name, manifest_force_format(app, w->via, why, sizeof why));
    break;
  case PLAN_WHY_COST: {
    printf("    why: cost: moving it");
    if (w->ngroup > 1) {
      printf(" (with");
      for (size_t k = 1; k < w->ngroup && k < 6; k++) printf("%s '%s'", k > 1 ? "," : "", app->services[w->group[k]].name);
      if (w->ngroup > 6) printf(" and %zu more", w->ngroup - 6);
      printf(", tied to it)");
    }
    printf(" to %s would change the cost by %s%s (own %s%s, interactions %s%s)", plan_tech_name(1 - o->x[i]),
           w->flip_delta >= 0 ? "+" : "", fx(w->flip_delta, a, sizeof a), w->flip_own >= 0 ? "+" : "",
           fx(w->flip_own, b, sizeof b), w->flip_pairs >= 0 ? "+" : "", fx(w->flip_pairs, c, sizeof c));
    if (w->flip_own < 0 && w->flip_pairs > 0) printf("; its interactions keep it here");
    if (w->top_pair != SIZE_MAX && w->top_pair_delta > 0) {
      const plan_pair *q = &o->p->pairs[w->top_pair];
      const plan_interaction *in = &app->interactions[q->interaction];
      printf("; most of all %s -> %s (%s, %d:%d) +%s", app->services[q->a].name, app->services[q->b].name,
             plan_kind_name(in->kind), in->src.line, in->src.col, fx(w->top_pair_delta, d, sizeof d));
    }
    printf("\n");
    break;
  }
  }
}

static bool print_text(const plan_out *o, const plan_result *r, plan_method method, bool explain, const double secs[2]) {
  const plan_app *app = &o->m->app;
  char a[32], b[32], c[32], d[32], e[32];
  printf("%s: %zu services, %zu interactions, %zu relations; method %s%s (%.3f s, %.3f s CPU)\n", o->m->filename, app->nservices,
         app->ninteractions, app->nrelations, o->node ? "exact, onto nodes (GLPK)" : method_name(method),
         o->node || r->optimal ? ", optimal" : method == PLAN_GREEDY ? ", no guarantee" : ", not proven optimal (node limit)",
         secs[0], secs[1]);
  if (!o->node && method == PLAN_EXACT)
    printf("  %zu groups after same_as/different_from, %zu non-submodular pair tables, %zu minimum cuts, %zu "
           "branch-and-bound nodes\n",
           r->groups, r->nonsubmodular, r->cuts, r->nodes);
  printf("total cost %s = α·T %s + β·M %s + γ·S %s + interactions %s", fx(o->total, a, sizeof a),
         fx(o->sum_t, b, sizeof b), fx(o->sum_m, c, sizeof c), fx(o->sum_s, d, sizeof d),
         fx(o->sum_pairs, e, sizeof e));
  if (o->node) printf(" + across nodes %s", fx(o->node_cost, a, sizeof a));
  printf("\ncoefficients: %s\n", o->k->source);
  if (o->p->history)
    printf("history: %s, %u run%s (weighted means, λ %.1f; a measurement replaces the estimate from %u runs, in part "
           "before)\n",
           o->p->history->source, o->p->history->runs, o->p->history->runs == 1 ? "" : "s", PLAN_HISTORY_LAMBDA,
           o->p->history->min_samples);
  printf("\n");
  for (size_t i = 0; i < app->nservices; i++) {
    const plan_unary *u = &o->p->unary[i];
    printf("%-20s %-10s", app->services[i].name, plan_tech_name(o->x[i]));
    if (o->node) printf(" %-12s", app->nodes[o->node[i]].name);
    printf(" %12s", fx(u->total[o->x[i]], a, sizeof a));
    plan_why w;
    if (!plan_explain(o->p, o->x, (uint32_t)i, &w)) return false;
    char why[160];
    if (w.kind == PLAN_WHY_FORCED) printf("  forced: %s", manifest_force_format(app, (uint32_t)i, why, sizeof why));
    else if (w.kind == PLAN_WHY_TIED) printf("  tied to '%s'", app->services[w.via].name);
    else printf("  by cost (moving: +%s)", fx(w.flip_delta, b, sizeof b));
    if (o->p->history && w.kind == PLAN_WHY_COST) {
      char h0[64], h1[64];
      history_brief(o->p->history, (uint32_t)i, PLAN_WASM, h0, sizeof h0);
      history_brief(o->p->history, (uint32_t)i, PLAN_CONTAINER, h1, sizeof h1);
      printf("; history: %s, %s", h0, h1);
    }
    printf("\n");
    if (explain) explain_text(o, (uint32_t)i, &w);
    plan_why_free(&w);
  }
  return true;
}

/* ---------- JSON -------------------------------------------------------------------------- */

static void json_terms(cli_json *j, const plan_unary *u, int t) {
  cli_json_object(j);
  cli_json_key(j, "time");
  cli_json_fixed3(j, u->t[t]);
  cli_json_key(j, "memory");
  cli_json_fixed3(j, u->m[t]);
  cli_json_key(j, "security");
  cli_json_fixed3(j, u->s[t]);
  cli_json_key(j, "total");
  cli_json_fixed3(j, u->total[t]);
  cli_json_end(j);
}

static bool print_json(const plan_out *o, const plan_result *r, plan_method method) {
  const plan_app *app = &o->m->app;
  cli_json j;
  cli_json_init(&j, stdout);
  cli_json_doc_begin(&j, "plan", o->m->filename);
  cli_json_key(&j, "method");
  cli_json_str(&j, o->node ? "nodes" : method_name(method));
  cli_json_key(&j, "feasible");
  cli_json_bool(&j, true);
  cli_json_key(&j, "optimal");
  cli_json_bool(&j, o->node ? true : r->optimal);
  cli_json_key(&j, "coefficients");
  cli_json_str(&j, o->k->source);
  if (o->p->history) {
    cli_json_key(&j, "history");
    cli_json_str(&j, o->p->history->source);
    cli_json_key(&j, "history_runs");
    cli_json_uint(&j, o->p->history->runs);
  }
  cli_json_key(&j, "total");
  cli_json_fixed3(&j, o->total);
  cli_json_key(&j, "terms");
  cli_json_object(&j);
  cli_json_key(&j, "time");
  cli_json_fixed3(&j, o->sum_t);
  cli_json_key(&j, "memory");
  cli_json_fixed3(&j, o->sum_m);
  cli_json_key(&j, "security");
  cli_json_fixed3(&j, o->sum_s);
  cli_json_key(&j, "interactions");
  cli_json_fixed3(&j, o->sum_pairs);
  cli_json_key(&j, "nodes");
  cli_json_fixed3(&j, o->node_cost);
  cli_json_end(&j);
  if (!o->node) {
    cli_json_key(&j, "stats");
    cli_json_object(&j);
    cli_json_key(&j, "groups");
    cli_json_uint(&j, r->groups);
    cli_json_key(&j, "nonsubmodular");
    cli_json_uint(&j, r->nonsubmodular);
    cli_json_key(&j, "cuts");
    cli_json_uint(&j, r->cuts);
    cli_json_key(&j, "bb_nodes");
    cli_json_uint(&j, r->nodes);
    cli_json_key(&j, "assignments");
    cli_json_uint(&j, r->assignments);
    cli_json_end(&j);
  }
  cli_json_key(&j, "services");
  cli_json_array(&j);
  for (size_t i = 0; i < app->nservices; i++) {
    const plan_unary *u = &o->p->unary[i];
    cli_json_object(&j);
    cli_json_key(&j, "name");
    cli_json_str(&j, app->services[i].name);
    cli_json_key(&j, "tech");
    cli_json_str(&j, plan_tech_name(o->x[i]));
    if (o->node) {
      cli_json_key(&j, "node");
      cli_json_str(&j, app->nodes[o->node[i]].name);
    }
    cli_json_key(&j, "cost");
    cli_json_object(&j);
    cli_json_key(&j, "wasm");
    json_terms(&j, u, PLAN_WASM);
    cli_json_key(&j, "container");
    json_terms(&j, u, PLAN_CONTAINER);
    cli_json_end(&j);
    if (o->p->history) {
      cli_json_key(&j, "measured");
      cli_json_object(&j);
      for (int t = 0; t < PLAN_NTECH; t++) {
        const plan_svc_obs *ob = &o->p->history->svc[i * PLAN_NTECH + (size_t)t];
        cli_json_key(&j, plan_tech_name(t));
        cli_json_object(&j);
        cli_json_key(&j, "runs");
        cli_json_uint(&j, ob->runs);
        cli_json_key(&j, "confidence_pct");
        cli_json_uint(&j, (uint64_t)(100.0 * plan_svc_obs_confidence(o->p->history, ob) + 0.5));
        cli_json_end(&j);
      }
      cli_json_end(&j);
    }
    plan_why w;
    if (!plan_explain(o->p, o->x, (uint32_t)i, &w)) return false;
    cli_json_key(&j, "why");
    cli_json_object(&j);
    char why[160];
    cli_json_key(&j, "kind");
    cli_json_str(&j, w.kind == PLAN_WHY_FORCED ? "forced" : w.kind == PLAN_WHY_TIED ? "tied" : "cost");
    if (w.kind == PLAN_WHY_FORCED) {
      cli_json_key(&j, "reason");
      cli_json_str(&j, manifest_force_format(app, (uint32_t)i, why, sizeof why));
    } else if (w.kind == PLAN_WHY_TIED) {
      cli_json_key(&j, "via");
      cli_json_str(&j, app->services[w.via].name);
      cli_json_key(&j, "reason");
      cli_json_str(&j, manifest_force_format(app, w.via, why, sizeof why));
    } else {
      cli_json_key(&j, "move_delta");
      cli_json_fixed3(&j, w.flip_delta);
      cli_json_key(&j, "move_own");
      cli_json_fixed3(&j, w.flip_own);
      cli_json_key(&j, "move_interactions");
      cli_json_fixed3(&j, w.flip_pairs);
    }
    cli_json_key(&j, "group");
    cli_json_array_inline(&j);
    for (size_t k = 0; k < w.ngroup; k++) cli_json_str(&j, app->services[w.group[k]].name);
    cli_json_end(&j);
    cli_json_end(&j);
    plan_why_free(&w);
    cli_json_end(&j);
  }
  cli_json_end(&j);
  cli_json_key(&j, "interactions");
  cli_json_array(&j);
  for (size_t k = 0; k < o->p->npairs; k++) {
    const plan_pair *q = &o->p->pairs[k];
    const plan_interaction *in = &app->interactions[q->interaction];
    cli_json_object(&j);
    cli_json_key(&j, "from");
    cli_json_str(&j, app->services[q->a].name);
    cli_json_key(&j, "to");
    cli_json_str(&j, app->services[q->b].name);
    cli_json_key(&j, "kind");
    cli_json_str(&j, plan_kind_name(in->kind));
    cli_json_key(&j, "placement");
    cli_json_str(&j, placement_name(o->x[q->a], o->x[q->b]));
    cli_json_key(&j, "cost");
    cli_json_fixed3(&j, q->cost[o->x[q->a]][o->x[q->b]]);
    /* the whole table, [from's tech][to's tech], wasm first */
    cli_json_key(&j, "table");
    cli_json_array_inline(&j);
    for (int u = 0; u < 2; u++)
      for (int v = 0; v < 2; v++) cli_json_fixed3(&j, q->cost[u][v]);
    cli_json_end(&j);
    cli_json_end(&j);
  }
  cli_json_end(&j);
  cli_json_end(&j);
  cli_json_finish(&j);
  return true;
}

/* ---------- the command ---------------------------------------------------------------------- */

static int fail(bool json, const char *file, const util_error *err, int rc) {
  if (json) cli_json_error_doc(stdout, "plan", file, err);
  fprintf(stderr, "weld: %s\n", err->msg);
  return rc;
}

int cli_cmd_plan(int argc, char **argv) {
  const char *file = NULL, *coeffs = NULL, *method_s = NULL, *history = NULL;
  bool explain = false, json = false;
  cli_parser ps;
  cli_parser_init(&ps, "plan", plan_opts, sizeof plan_opts / sizeof plan_opts[0], argc, argv);
  int next;
  while ((next = cli_parser_next(&ps)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return ps.rc;
    if (next == CLI_ARG_OPERAND) {
      if (file) return cli_usage_error("plan", "one manifest at a time ('%s' and '%s')", file, ps.operand);
      file = ps.operand;
      continue;
    }
    switch (ps.opt->id) {
    case OPT_EXPLAIN: explain = true; break;
    case OPT_JSON: json = true; break;
    case OPT_METHOD: method_s = ps.value; break;
    case OPT_COEFFS: coeffs = ps.value; break;
    case OPT_HISTORY: history = ps.value; break;
    }
  }
  if (!file) return cli_usage_error("plan", "missing FILE (an application manifest, app.toml)");
  plan_method method = PLAN_EXACT;
  if (method_s) {
    if (strcmp(method_s, "exact") == 0) method = PLAN_EXACT;
    else if (strcmp(method_s, "exhaustive") == 0) method = PLAN_EXHAUSTIVE;
    else if (strcmp(method_s, "greedy") == 0) method = PLAN_GREEDY;
    else return cli_usage_error("plan", "unknown method '%s' (exact, exhaustive or greedy)", method_s);
  }
  util_error err;
  util_error_clear(&err);
  plan_coeffs k;
  plan_coeffs_default(&k);
  if (coeffs && !plan_coeffs_load(&k, coeffs, &err)) return fail(json, file, &err, PLAN_EXIT_BAD_INPUT);
  manifest m;
  if (!manifest_load(&m, file, &err))
    return fail(json, file, &err, err.kind == UTIL_ERR_INVALID ? PLAN_EXIT_INFEASIBLE : PLAN_EXIT_BAD_INPUT);
  if (m.app.nnodes && method_s && method != PLAN_EXACT) {
    manifest_free(&m);
    return cli_usage_error("plan", "--method %s does not place onto nodes; the manifest declares [[node]]s", method_s);
  }
  plan_history h, *hp = NULL;
  if (history) {
    if (!hybrid_history_load(history, &m, &h, &err)) {
      manifest_free(&m);
      return fail(json, file, &err, PLAN_EXIT_BAD_INPUT);
    }
    hp = &h;
  }
  plan_problem p;
  if (!plan_problem_build_history(&p, &m.app, &k, hp, &err)) {
    if (hp) plan_history_free(hp);
    manifest_free(&m);
    return fail(json, file, &err, PLAN_EXIT_BAD_INPUT);
  }
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  plan_result r = {0};
  plan_node_result nr = {0};
  bool ok;
  int rc = PLAN_EXIT_OK;
  if (m.app.nnodes) ok = plan_solve_nodes(&m.app, &k, &p, &nr, &err);
  else ok = plan_solve(&p, method, &r, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  double secs[2] = {(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                    (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9};
  if (!ok) {
    rc = fail(json, file, &err, PLAN_EXIT_BAD_INPUT);
  } else if (m.app.nnodes ? !nr.feasible : !r.feasible) {
    char chain[200] = "";
    if (r.nchain) manifest_chain_format(&m.app, r.chain, r.nchain, chain, sizeof chain);
    util_fail(&err, UTIL_ERR_INVALID, -1, "%s: infeasible: %s", file,
              m.app.nnodes ? "the nodes' CPU and memory cannot hold every service" : chain);
    rc = fail(json, file, &err, PLAN_EXIT_INFEASIBLE);
  } else {
    plan_out o = {&m, &p, &k, m.app.nnodes ? nr.x : r.x, m.app.nnodes ? nr.node : NULL, 0, nr.node_cost, 0, 0, 0, 0};
    o.total = m.app.nnodes ? nr.cost : r.cost;
    sums(&o);
    bool printed = json ? print_json(&o, &r, method) : print_text(&o, &r, method, explain, secs);
    if (!printed) {
      util_fail(&err, UTIL_ERR_OOM, -1, "out of memory");
      rc = fail(false, file, &err, PLAN_EXIT_BAD_INPUT);
    }
  }
  plan_result_free(&r);
  plan_node_result_free(&nr);
  plan_problem_free(&p);
  if (hp) plan_history_free(hp);
  manifest_free(&m);
  return rc;
}
