/* src/plan: the max-flow against hand-computed graphs, and the exact solver against the
 * exhaustive search on seeded random applications of up to 20 services — with and without
 * different_from, with submodular and non-submodular pair costs — plus the chains that
 * explain infeasible constraint sets, checked by walking them. The manifest reader's
 * error positions are in test_manifest.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "unit.h"

/* ---------- max-flow ------------------------------------------------------------------------- */

typedef struct fedge {
  int u, v;
  int64_t cap;
} fedge;

static int64_t flow_of(int n, const fedge *e, size_t ne, int s, int t, bool *side) {
  plan_flow *g = plan_flow_new((size_t)n);
  if (!g) return -2;
  for (size_t k = 0; k < ne; k++) plan_flow_edge(g, (size_t)e[k].u, (size_t)e[k].v, e[k].cap, 0);
  int64_t f = plan_flow_max(g, (size_t)s, (size_t)t);
  for (int v = 0; v < n; v++) side[v] = plan_flow_source_side(g, (size_t)v);
  plan_flow_free(g);
  return f;
}

UNIT_GROUP(plan_maxflow) {
  bool side[8];
  /* Cormen et al.'s example network: 23, cut {s, v1, v2, v4} */
  static const fedge clrs[] = {{0, 1, 16}, {0, 2, 13}, {1, 2, 10}, {2, 1, 4}, {1, 3, 12},
                               {3, 2, 9},  {2, 4, 14}, {4, 3, 7},  {3, 5, 20}, {4, 5, 4}};
  CHECK_EQ_I64(flow_of(6, clrs, 10, 0, 5, side), 23);
  CHECK(side[0] && side[1] && side[2] && side[4] && !side[3] && !side[5]);
  /* one path, the second edge is the bottleneck */
  static const fedge path[] = {{0, 1, 3}, {1, 2, 2}};
  CHECK_EQ_I64(flow_of(3, path, 2, 0, 2, side), 2);
  CHECK(side[0] && side[1] && !side[2]);
  /* no path at all */
  static const fedge none[] = {{0, 1, 5}, {2, 3, 5}};
  CHECK_EQ_I64(flow_of(4, none, 2, 0, 3, side), 0);
  CHECK(side[0] && side[1] && !side[2] && !side[3]);
  /* two paths joined by a thin edge: a sends 4 to t and 1 to b, b sends 8: 12 */
  static const fedge two[] = {{0, 1, 10}, {0, 2, 10}, {1, 2, 1}, {1, 3, 4}, {2, 3, 8}};
  CHECK_EQ_I64(flow_of(4, two, 5, 0, 3, side), 12);
  CHECK(side[0] && side[1] && side[2] && !side[3]);
  /* parallel edges add up; an edge into the source carries nothing */
  static const fedge par[] = {{0, 1, 2}, {0, 1, 3}, {1, 0, 7}, {1, 2, 100}};
  CHECK_EQ_I64(flow_of(3, par, 4, 0, 2, side), 5);
  CHECK(side[0] && !side[1] && !side[2]);
  /* a long chain (the augmenting walk is iterative: no deep recursion) */
  enum { LONG = 200000 };
  plan_flow *g = plan_flow_new(LONG);
  CHECK(g != NULL);
  if (g) {
    for (size_t v = 0; v + 1 < LONG; v++) plan_flow_edge(g, v, v + 1, v == LONG / 2 ? 7 : 1000, 0);
    CHECK_EQ_I64(plan_flow_max(g, 0, LONG - 1), 7);
    CHECK(plan_flow_source_side(g, LONG / 2) && !plan_flow_source_side(g, LONG / 2 + 1));
    plan_flow_free(g);
  }
}

/* ---------- random applications -------------------------------------------------------------- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n) {
  rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
  return (uint32_t)((rng_state >> 33) % n);
}
static double rndf(void) { return rnd(1000001) / 1000000.0; }

typedef struct gen {
  plan_service s[24];
  plan_interaction in[64];
  plan_relation rel[24];
  char names[24][12];
  plan_app app;
} gen;

/* n services, up to 3n interactions, relations with probability; `diff` allows
 * different_from, `fixp` in 1000 the chance a service is forced. */
static void generate(gen *g, uint32_t n, bool diff, uint32_t fixp) {
  memset(g, 0, sizeof *g);
  for (uint32_t i = 0; i < n; i++) {
    snprintf(g->names[i], sizeof g->names[i], "s%u", i);
    plan_service *s = &g->s[i];
    s->name = g->names[i];
    s->prof = (plan_profile){rndf(), rndf() * 512, rndf(), rndf() * 3600, rndf()};
    s->forced_tech = rnd(1000) < fixp ? (int)rnd(2) : -1;
    s->force = s->forced_tech >= 0 ? PLAN_FORCE_MUST : PLAN_FORCE_NONE;
  }
  size_t ni = n > 1 ? rnd(3 * n + 1) : 0;
  for (size_t k = 0; k < ni; k++) {
    uint32_t a = rnd(n), b = rnd(n - 1);
    if (b >= a) b++;
    g->in[k] = (plan_interaction){a, b, (plan_kind)rnd(3), rndf() * 2000, rndf() * 8e6, {0, 0}};
  }
  size_t nr = n > 1 ? rnd(n / 3 + 2) : 0;
  for (size_t k = 0; k < nr; k++) {
    uint32_t a = rnd(n), b = rnd(n - 1);
    if (b >= a) b++;
    g->rel[k] = (plan_relation){a, b, diff ? rnd(2) == 0 : true, {0, 0}};
  }
  g->app = (plan_app){"gen", g->s, n, g->in, ni, g->rel, nr, NULL, 0};
}

/* Walks a chain: consecutive steps must connect, and the values it forces must clash. */
static bool chain_contradicts(const plan_problem *p, const plan_step *c, size_t n) {
  if (n == 0) return false;
  size_t k = 0;
  uint32_t cur;
  int val = 0; /* parity relative to the start */
  bool forced_start = c[0].relation == SIZE_MAX;
  if (forced_start) {
    cur = c[0].a;
    if (p->fixed[cur] < 0) return false;
    val = p->fixed[cur];
    k = 1;
  } else {
    cur = c[0].a;
  }
  uint32_t start = cur;
  for (; k < n; k++) {
    if (c[k].relation == SIZE_MAX) {
      /* the closing forced step */
      return forced_start && k == n - 1 && c[k].a == cur && p->fixed[cur] >= 0 && p->fixed[cur] != val;
    }
    const plan_relation *r = &p->relations[c[k].relation];
    if (r->a != cur && r->b != cur) return false;
    cur = r->a == cur ? r->b : r->a;
    if (!r->same) val ^= 1;
  }
  return !forced_start && cur == start && val == 1;
}

/* nonsub 1: staying in containers costs more than crossing; 2: frustrated — both
 * technologies cost the same and every interaction prefers crossing, so odd cycles leave
 * roof duality unlabelled variables and the search must branch. */
static void run_instances(bool diff, int nonsub, size_t count, uint64_t seed) {
  plan_coeffs k;
  plan_coeffs_default(&k);
  if (nonsub == 1) {
    for (int q = 0; q < PLAN_NKIND; q++) k.call_us[q][1] = 400, k.mib_ms[q][1] = 9;
  } else if (nonsub == 2) {
    for (int d = 0; d < 2; d++)
      k.start_ms[d] = 10, k.cpu_overhead[d] = 0.1, k.io_overhead[d] = 0.1, k.mem_base_mib[d] = 4,
      k.mem_factor[d] = 1, k.exposure[d] = 0.3;
    k.start_ms[1] = 10.5; /* a small tilt so not everything is a tie */
    for (int q = 0; q < PLAN_NKIND; q++) {
      k.call_us[q][0] = k.call_us[q][1] = 300, k.call_us[q][2] = 20;
      k.mib_ms[q][0] = k.mib_ms[q][1] = 3, k.mib_ms[q][2] = 1;
    }
  }
  rng_state = seed;
  size_t infeasible = 0, branched = 0, gaps = 0, checked = 0;
  int64_t worst_gap = 0;
  gen *g = malloc(sizeof *g);
  if (!unit_check(g != NULL, __FILE__, __LINE__, "malloc")) return;
  for (size_t it = 0; it < count; it++) {
    uint32_t n = 1 + rnd(it % 4 == 0 ? 20 : 14);
    generate(g, n, diff, 150);
    plan_problem p;
    util_error err;
    util_error_clear(&err);
    if (!unit_check(plan_problem_build(&p, &g->app, &k, &err), __FILE__, __LINE__, "build")) break;
    plan_result ex, ez, gr;
    bool ok = plan_solve(&p, PLAN_EXACT, &ex, &err) && plan_solve(&p, PLAN_EXHAUSTIVE, &ez, &err) &&
              plan_solve(&p, PLAN_GREEDY, &gr, &err);
    unit_check(ok, __FILE__, __LINE__, "solve: %s", err.msg);
    if (ok) {
      checked++;
      unit_check(ex.feasible == ez.feasible, __FILE__, __LINE__, "instance %zu (seed %llu): exact feasible %d, exhaustive %d", it,
                 (unsigned long long)seed, ex.feasible, ez.feasible);
      if (ex.feasible && ez.feasible) {
        unit_check(ex.cost == ez.cost, __FILE__, __LINE__, "instance %zu (n=%u, seed %llu): exact %lld, exhaustive %lld", it, n,
                   (unsigned long long)seed, (long long)ex.cost, (long long)ez.cost);
        CHECK(ex.optimal && ez.optimal);
        CHECK(plan_feasible(&p, ex.x) && plan_cost(&p, ex.x) == ex.cost);
        CHECK(gr.feasible && plan_feasible(&p, gr.x) && gr.cost >= ex.cost);
        if (gr.cost > ex.cost) gaps++;
        if (gr.cost - ex.cost > worst_gap) worst_gap = gr.cost - ex.cost;
        if (ex.nodes > 1) branched++;
        /* every explanation: moving a service's group costs what re-costing says, never less */
        uint8_t y[24];
        for (uint32_t i = 0; i < n; i++) {
          plan_why w;
          if (!unit_check(plan_explain(&p, ex.x, i, &w), __FILE__, __LINE__, "explain")) break;
          if (w.kind == PLAN_WHY_COST) {
            memcpy(y, ex.x, n);
            for (size_t m = 0; m < w.ngroup; m++) y[w.group[m]] ^= 1;
            CHECK(plan_feasible(&p, y));
            CHECK_EQ_I64(w.flip_delta, plan_cost(&p, y) - ex.cost);
            CHECK(w.flip_delta >= 0);
          } else {
            CHECK(p.fixed[w.kind == PLAN_WHY_FORCED ? i : w.via] >= 0);
          }
          plan_why_free(&w);
        }
      } else if (!ex.feasible) {
        infeasible++;
        unit_check(chain_contradicts(&p, ex.chain, ex.nchain), __FILE__, __LINE__,
                   "instance %zu: the chain (%zu steps) is no contradiction", it, ex.nchain);
        plan_step *c2;
        size_t n2;
        bool oom;
        CHECK(!plan_check_constraints(&p, &c2, &n2, &oom) && !oom);
        free(c2);
      }
    }
    plan_result_free(&ex);
    plan_result_free(&ez);
    plan_result_free(&gr);
    plan_problem_free(&p);
  }
  free(g);
  printf("plan: %zu instances (different_from %s, %s): %zu infeasible, %zu branched, greedy above the optimum "
         "on %zu (worst by %lld.%03lld)\n",
         checked, diff ? "on" : "off", nonsub == 2 ? "frustrated" : nonsub ? "non-submodular" : "submodular", infeasible,
         branched, gaps,
         (long long)(worst_gap / 1000), (long long)(worst_gap % 1000));
  /* the generator must reach the paths it is meant to test */
  if (nonsub == 2) CHECK(branched > 0);
  if (diff) CHECK(infeasible > 0);
}

UNIT_GROUP(plan_exact_vs_exhaustive) {
  run_instances(false, 0, 150, 1);
  run_instances(true, 0, 150, 2);
  run_instances(false, 1, 100, 3);
  run_instances(true, 1, 100, 4);
  run_instances(false, 2, 150, 5);
  run_instances(true, 2, 150, 6);
}

UNIT_GROUP(plan_limits) {
  gen *g = malloc(sizeof *g);
  if (!g) return;
  rng_state = 9;
  generate(g, 24, false, 0);
  plan_coeffs k;
  plan_coeffs_default(&k);
  plan_problem p;
  util_error err;
  CHECK(plan_problem_build(&p, &g->app, &k, &err));
  /* 25 services: the exhaustive search refuses, saying so */
  plan_problem big = p;
  big.n = 25;
  plan_result r;
  util_error_clear(&err);
  CHECK(!plan_solve(&big, PLAN_EXHAUSTIVE, &r, &err) && strncmp(err.msg, "not supported: ", 15) == 0);
  plan_problem_free(&p);
  free(g);
}

UNIT_GROUP(plan_coefficients) {
  plan_coeffs k;
  plan_coeffs_default(&k);
  util_error err;
  const char *good = "alpha = 2\nbeta = 0.5\n[wasm]\nstart_ms = 0.5\n[interaction.pipe]\ncall_us = [1, 2, 3]\n"
                     "[nodes]\nmib_ms = 4\n";
  CHECK(plan_coeffs_parse(&k, good, strlen(good), "c.toml", &err));
  CHECK(k.alpha == 2 && k.beta == 0.5 && k.start_ms[PLAN_WASM] == 0.5 && k.call_us[PLAN_PIPE][2] == 3 &&
        k.node_mib_ms == 4 && k.gamma == 1.0);
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"alpah = 1\n", "c.toml:1:1: unknown key 'alpah'"},
      {"alpha = -1\n", "c.toml:1:9: alpha must be a finite number"},
      {"alpha = nan\n", "c.toml:1:9: alpha must be a finite number"},
      {"[wasm]\nstart = 1\n", "c.toml:2:1: unknown key 'start' in [wasm]"},
      {"[interaction.udp]\n", "c.toml:1:14: unknown interaction kind 'udp'"},
      {"[interaction.http]\ncall_us = [1, 2]\n", "c.toml:2:11: call_us must be an array of 3 numbers"},
      {"beta = \"x\"\n", "c.toml:1:8: beta must be a number, not a string"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    plan_coeffs_default(&k);
    CHECK(!plan_coeffs_parse(&k, bad[i].text, strlen(bad[i].text), "c.toml", &err));
    unit_check(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, __FILE__, __LINE__, "got '%s', want '%s...'",
               err.msg, bad[i].msg);
    CHECK(k.alpha == 1.0); /* nothing changed */
  }
}

/* The same keys in JSON: at the root, or under "coefficients" beside whatever else an
 * efficiency report holds; positions as LINE:COL of the text (a key's is its value's). */
UNIT_GROUP(plan_coefficients_json) {
  plan_coeffs k;
  plan_coeffs_default(&k);
  util_error err;
  const char *root = " {\"alpha\": 2, \"wasm\": {\"start_ms\": 0.5, \"memory_factor\": 3},\n"
                     "  \"interaction\": {\"pipe\": {\"call_us\": [1, 2.5, 3e1]}}, \"nodes\": {\"mib_ms\": 4}}";
  CHECK(plan_coeffs_parse(&k, root, strlen(root), "c.json", &err));
  CHECK(k.alpha == 2 && k.start_ms[PLAN_WASM] == 0.5 && k.mem_factor[PLAN_WASM] == 3 && k.call_us[PLAN_PIPE][1] == 2.5 &&
        k.call_us[PLAN_PIPE][2] == 30 && k.node_mib_ms == 4 && k.beta == 0.1 && strcmp(k.source, "c.json") == 0);
  plan_coeffs_default(&k);
  const char *report = "{\"ways\": {\"x\": [null, true]}, \"coefficients\": {\"container\": {\"io_overhead\": 0.25}}}";
  CHECK(plan_coeffs_parse(&k, report, strlen(report), "e.json", &err));
  CHECK(k.io_overhead[PLAN_CONTAINER] == 0.25 && k.alpha == 1.0);
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"{\"alpha\": 1,\n \"beta\" 2}", "c.json:2:9: JSON expected ':'"},
      {"{\"alpha\": 01}", "c.json:1:11: JSON number with a leading zero"},
      {"{\"alpha\": 1} x", "c.json:1:14: JSON trailing characters"},
      {"{\"alpah\": 1}", "c.json:1:11: unknown key 'alpah'"},
      {"{\"wasm\": 5}", "c.json:1:10: [wasm] must be a table, not an integer"},
      {"{\"alpha\": 1e400}", "c.json:1:11: alpha must be a finite number"},
      {"{\"alpha\": null}", "c.json:1:11: null is not a coefficient"},
      {"{\"coefficients\": 1}", "c.json:1:18: \"coefficients\" must be an object"},
      {"{\"ways\": \"\u00e9\u00e9\", \"coefficients\": {\"beta\": true}}", "c.json:1:41: beta must be a number, not a boolean"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    plan_coeffs_default(&k);
    CHECK(!plan_coeffs_parse(&k, bad[i].text, strlen(bad[i].text), "c.json", &err));
    unit_check(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, __FILE__, __LINE__, "got '%s', want '%s...'",
               err.msg, bad[i].msg);
    CHECK(k.alpha == 1.0 && k.beta == 0.1); /* nothing changed */
  }
}

/* The history's weighted means and blend, against values worked out by hand (docs/plan.md,
 * "History"), and an empty history changing nothing. */
UNIT_GROUP(plan_history) {
  plan_service svcs[2] = {{.name = "a", .prof = {.cpu = 0.5, .memory_mib = 10, .starts_per_hour = 3600}, .forced_tech = -1},
                          {.name = "b", .prof = {.cpu = 0.1, .memory_mib = 20}, .forced_tech = -1}};
  plan_interaction in = {.from = 0, .to = 1, .kind = PLAN_HTTP, .calls_per_s = 100};
  plan_app app = {.filename = "h", .services = svcs, .nservices = 2, .interactions = &in, .ninteractions = 1};
  plan_coeffs k;
  plan_coeffs_default(&k);
  plan_history h;
  CHECK(plan_history_init(&h, &app, "h.db"));
  util_error err;
  plan_problem p0, p1;
  CHECK(plan_problem_build(&p0, &app, &k, &err));
  CHECK(plan_problem_build_history(&p1, &app, &k, &h, &err));
  for (size_t i = 0; i < 2; i++)
    for (int d = 0; d < PLAN_NTECH; d++) CHECK(p0.unary[i].total[d] == p1.unary[i].total[d]);
  CHECK(memcmp(p0.pairs[0].cost, p1.pairs[0].cost, sizeof p0.pairs[0].cost) == 0);
  plan_problem_free(&p1);
  /* 100, 200, 400: 100 -> 0.3*200 + 0.7*100 = 130 -> 0.3*400 + 0.7*130 = 211 */
  plan_svc_obs *o = &h.svc[0 * PLAN_NTECH + PLAN_CONTAINER];
  plan_ewma_add(&o->start_ms, 100);
  CHECK(plan_history_confidence(&h, &o->start_ms) > 0.333 && plan_history_confidence(&h, &o->start_ms) < 0.334);
  /* one run: a third of the way from the estimate (300) to 100 */
  CHECK(plan_history_blend(&h, &o->start_ms, 300) > 233.33 && plan_history_blend(&h, &o->start_ms, 300) < 233.34);
  plan_ewma_add(&o->start_ms, -1); /* unknown: not a sample */
  CHECK(o->start_ms.n == 1);
  plan_ewma_add(&o->start_ms, 200);
  plan_ewma_add(&o->start_ms, 400);
  CHECK(o->start_ms.n == 3 && o->start_ms.v > 210.999 && o->start_ms.v < 211.001);
  CHECK(plan_history_blend(&h, &o->start_ms, 300) == o->start_ms.v);
  /* CPU beyond the profile's work: 600 ms/s measured against 500 of work = 100 lost */
  for (int r = 0; r < 3; r++) plan_ewma_add(&o->cpu_ms_per_s, 600), plan_ewma_add(&o->rss_mib, 50);
  /* the interaction measured at 1000 us a call while both run as containers */
  for (int r = 0; r < 3; r++) plan_ewma_add(&h.inter[0].call_us[1], 1000), plan_ewma_add(&h.inter[0].calls_per_s, 100);
  CHECK(plan_problem_build_history(&p1, &app, &k, &h, &err));
  /* T = 3600·211/3600 + 100 = 311 ms; M = 0.1·50 = 5 */
  CHECK(p1.unary[0].t[PLAN_CONTAINER] == 311000 && p1.unary[0].m[PLAN_CONTAINER] == 5000);
  CHECK(p1.unary[0].t[PLAN_WASM] == p0.unary[0].t[PLAN_WASM] && p1.unary[1].total[1] == p0.unary[1].total[1]);
  /* 100 calls/s · 1000 us = 100 ms; the other placements keep their estimates */
  CHECK(p1.pairs[0].cost[1][1] == 100000 && p1.pairs[0].cost[0][0] == p0.pairs[0].cost[0][0] &&
        p1.pairs[0].cost[0][1] == p0.pairs[0].cost[0][1]);
  CHECK(p1.history == &h);
  plan_problem_free(&p1);
  plan_problem_free(&p0);
  plan_history_free(&h);
}
