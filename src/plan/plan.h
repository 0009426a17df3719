/* plan: where each service of an application runs — WebAssembly or container — chosen by
 * minimising the cost model
 *
 *     C(W, d) = Σ_i α·T_i(d_i) + β·M_i(d_i) + γ·S_i(d_i)  +  Σ_(i,j) I(w_i, w_j, d_i, d_j)
 *
 * under constraints (must, same as, different from). The input is plan's own description
 * of an application (plan_app: src/hybrid turns a manifest into one); costs are computed
 * once (plan_problem, integers in thousandths of a cost point, so every solver sees the
 * same numbers and totals compare exactly) and then solved exactly (minimum s-t cut, with
 * branch and bound when the pair costs are not submodular), exhaustively or greedily.
 * Depends on src/util only. docs/plan.md documents the model and its coefficients. */
#ifndef WELD_PLAN_H
#define WELD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

typedef enum { PLAN_WASM = 0, PLAN_CONTAINER = 1 } plan_tech;
#define PLAN_NTECH 2
const char *plan_tech_name(int tech); /* "wasm", "container" */

typedef enum { PLAN_HTTP = 0, PLAN_TCP = 1, PLAN_PIPE = 2 } plan_kind;
#define PLAN_NKIND 3
const char *plan_kind_name(int kind);

/* Where a fact came from (a manifest position), for explanations; line 0 = nowhere. */
typedef struct plan_src {
  int line, col;
} plan_src;

/* ---------- the application ------------------------------------------------------------- */

typedef struct plan_profile {
  double cpu;             /* CPU intensity, 0..1 (1 = one busy core) */
  double memory_mib;      /* working memory, MiB */
  double io;              /* I/O intensity, 0..1 */
  double starts_per_hour; /* how often an instance starts */
  double security;        /* security sensitivity, 0..1 */
} plan_profile;

/* Why a service may run on only one technology. */
typedef enum {
  PLAN_FORCE_NONE = 0,
  PLAN_FORCE_FIXED,   /* tech = "..." in the manifest */
  PLAN_FORCE_MUST,    /* constraints.must */
  PLAN_FORCE_VARIANT, /* only one variant declared */
} plan_force;

typedef struct plan_service {
  const char *name;
  plan_profile prof;
  double cpus;        /* cores it needs on a node (multi-node placement) */
  int forced_tech;    /* -1, or the one technology it may use */
  plan_force force;   /* why */
  plan_src force_src; /* where */
} plan_service;

typedef struct plan_interaction {
  uint32_t from, to;
  plan_kind kind;
  double calls_per_s; /* requests, messages or connections per second */
  double bytes_per_s; /* data moved per second, both directions */
  plan_src src;
} plan_interaction;

typedef struct plan_relation {
  uint32_t a, b;
  bool same; /* same_as (true) or different_from (false) */
  plan_src src;
} plan_relation;

typedef struct plan_node {
  const char *name;
  double cpus, memory_mib;
  plan_src src;
} plan_node;

typedef struct plan_app {
  const char *filename; /* for positions in messages */
  plan_service *services;
  size_t nservices;
  plan_interaction *interactions;
  size_t ninteractions;
  plan_relation *relations;
  size_t nrelations;
  plan_node *nodes;
  size_t nnodes;
} plan_app;

/* ---------- the cost model's coefficients (coeffs.c) ------------------------------------ */

typedef struct plan_coeffs {
  double alpha, beta, gamma; /* weights of time, memory, security */
  /* per technology */
  double start_ms[PLAN_NTECH];      /* one cold start */
  double cpu_overhead[PLAN_NTECH];  /* extra CPU time per unit of CPU work */
  double io_overhead[PLAN_NTECH];   /* extra time per unit of I/O work */
  double mem_base_mib[PLAN_NTECH];  /* fixed memory per instance */
  double mem_factor[PLAN_NTECH];    /* memory per MiB of working memory */
  double exposure[PLAN_NTECH];      /* attack surface left open, 0..1 */
  /* per interaction kind and placement: [kind][0 both wasm, 1 both container, 2 crossing] */
  double call_us[PLAN_NKIND][3];
  double mib_ms[PLAN_NKIND][3];
  /* multi-node placement: added when the two ends sit on different nodes */
  double node_call_us, node_mib_ms;
  const char *source; /* "defaults" or the file it was read from */
} plan_coeffs;

void plan_coeffs_default(plan_coeffs *c);
/* Reads a coefficients file (TOML, or JSON when it starts with '{'; docs/plan.md) over the
 * defaults already in c. Unknown keys, wrong types, negative or non-finite values and
 * malformed text are errors "FILE:LINE:COL: message" (a JSON key's position is its
 * value's). */
bool plan_coeffs_load(plan_coeffs *c, const char *path, util_error *err);
bool plan_coeffs_parse(plan_coeffs *c, const char *text, size_t len, const char *filename, util_error *err);

/* ---------- history: what the executor measured (history.c) ------------------------------ */

/* An exponentially weighted mean of one measured quantity: samples (runs that measured it)
 * and the mean, the newest run weighing PLAN_HISTORY_LAMBDA, each older one (1-λ) less. */
typedef struct plan_ewma {
  uint32_t n;
  double v;
} plan_ewma;

#define PLAN_HISTORY_LAMBDA 0.3
#define PLAN_HISTORY_MIN_SAMPLES 3 /* runs before a measurement replaces an estimate */

/* One service on one technology, over the runs recorded. */
typedef struct plan_svc_obs {
  uint32_t runs;          /* rows of it in the history */
  plan_ewma start_ms;     /* from starting it to running */
  plan_ewma cpu_ms_per_s; /* CPU time per second of running */
  plan_ewma rss_mib;      /* peak memory */
  plan_ewma p50_ms, p95_ms; /* latency of the calls it answered */
  plan_ewma error_rate;   /* errors / calls it answered */
  uint64_t calls;         /* calls answered over every run (not weighted) */
} plan_svc_obs;

/* One interaction: its rates (any placement) and its per-call latency per placement
 * [0 both wasm, 1 both container, 2 crossing]. */
typedef struct plan_int_obs {
  plan_ewma calls_per_s, bytes_per_s;
  plan_ewma call_us[3];
} plan_int_obs;

typedef struct plan_history {
  const char *source;   /* the database's path, for explanations */
  uint32_t min_samples; /* PLAN_HISTORY_MIN_SAMPLES unless set */
  size_t nservices, ninteractions;
  plan_svc_obs *svc;    /* [service * PLAN_NTECH + tech] */
  plan_int_obs *inter;  /* [interaction] */
  uint32_t runs;        /* runs of the application in the database */
} plan_history;

/* An empty history for app (every count 0); false when out of memory. */
bool plan_history_init(plan_history *h, const plan_app *app, const char *source);
void plan_history_free(plan_history *h);
/* Adds one run's sample (runs are added oldest first). */
void plan_ewma_add(plan_ewma *e, double v);
/* How far a measurement of n samples replaces the estimate: min(1, n / min_samples). */
double plan_history_confidence(const plan_history *h, const plan_ewma *e);
/* The least confidence of a service's start, CPU and memory on one technology. */
double plan_svc_obs_confidence(const plan_history *h, const plan_svc_obs *o);
/* conf·measured + (1-conf)·estimate (the estimate alone without samples). */
double plan_history_blend(const plan_history *h, const plan_ewma *e, double estimate);

/* ---------- the problem: costs as integers (cost.c) ------------------------------------- */

/* Costs are int64 thousandths of a cost point; one term is clamped to PLAN_TERM_MAX. */
#define PLAN_TERM_MAX INT64_C(1000000000000000) /* 1e12 points */
#define PLAN_MAX_SERVICES 200000
#define PLAN_MAX_INTERACTIONS 1000000

typedef struct plan_unary {
  int64_t t[PLAN_NTECH], m[PLAN_NTECH], s[PLAN_NTECH]; /* α·T, β·M, γ·S */
  int64_t total[PLAN_NTECH];
} plan_unary;

typedef struct plan_pair {
  uint32_t a, b;
  int64_t cost[PLAN_NTECH][PLAN_NTECH]; /* [d_a][d_b] */
  uint32_t interaction;                 /* index in the app, or UINT32_MAX */
} plan_pair;

typedef struct plan_problem {
  size_t n;
  plan_unary *unary;
  int8_t *fixed; /* -1 or the forced technology */
  plan_pair *pairs;
  size_t npairs;
  plan_relation *relations; /* borrowed from the app */
  size_t nrelations;
  /* pairs by service: inc[inc_start[i] .. inc_start[i+1]) */
  size_t *inc_start;
  uint32_t *inc;
  const plan_history *history; /* borrowed; NULL when the costs are estimates alone */
} plan_problem;

/* Builds the problem of app under c. False with err (UTIL_ERR_OOM) when out of memory. */
bool plan_problem_build(plan_problem *p, const plan_app *app, const plan_coeffs *c, util_error *err);
/* The same with measurements blended in (docs/plan.md, "History"): per service and
 * technology, the start time, the CPU time beyond the profile's work and the peak memory;
 * per interaction, its rates and its per-call latency at each placement. h may be NULL. */
bool plan_problem_build_history(plan_problem *p, const plan_app *app, const plan_coeffs *c, const plan_history *h,
                                util_error *err);
void plan_problem_free(plan_problem *p);
/* The cost of an assignment x[i] ∈ {0,1}, constraints not checked. */
int64_t plan_cost(const plan_problem *p, const uint8_t *x);
/* True when x satisfies every fixed technology and relation. */
bool plan_feasible(const plan_problem *p, const uint8_t *x);
/* A pair's costs are submodular when crossing costs at least as much as staying:
 * c[0][1] + c[1][0] >= c[0][0] + c[1][1]. */
bool plan_pair_submodular(const plan_pair *q);

/* ---------- maximum flow (maxflow.c) ------------------------------------------------------ */

typedef struct plan_flow plan_flow;
/* A graph of n vertices; NULL when out of memory. */
plan_flow *plan_flow_new(size_t n);
void plan_flow_free(plan_flow *g);
/* Adds an edge u→v of capacity cap >= 0 (and its reverse of capacity rcap). */
bool plan_flow_edge(plan_flow *g, size_t u, size_t v, int64_t cap, int64_t rcap);
/* Dinic's algorithm: the maximum flow from s to t; -1 when out of memory. Afterwards
 * plan_flow_source_side tells the minimum cut's side of each vertex. */
int64_t plan_flow_max(plan_flow *g, size_t s, size_t t);
bool plan_flow_source_side(const plan_flow *g, size_t v);

/* ---------- solving (solve.c, search.c) ------------------------------------------------ */

typedef enum { PLAN_EXACT, PLAN_EXHAUSTIVE, PLAN_GREEDY } plan_method;
#define PLAN_EXHAUSTIVE_MAX 24

/* A step of a conflicting chain: service a's technology relates to b's through a
 * relation (index), or is forced (relation == SIZE_MAX, b == a). */
typedef struct plan_step {
  uint32_t a, b;
  size_t relation;
} plan_step;

typedef struct plan_result {
  bool feasible;
  uint8_t *x;      /* per service: plan_tech */
  int64_t cost;
  bool optimal;    /* proven (exact, exhaustive) */
  /* infeasible: the chain from one forced service to another (or around a cycle) */
  plan_step *chain;
  size_t nchain;
  /* statistics */
  size_t groups;        /* variables left after contracting same_as / different_from */
  size_t nonsubmodular; /* pair terms that were not submodular after contraction */
  size_t cuts;          /* minimum cuts computed */
  size_t nodes;         /* branch-and-bound nodes */
  uint64_t assignments; /* exhaustive: assignments tried */
} plan_result;

/* Solves p with method. Returns false with err only for out of memory or an unsupported
 * size (the exhaustive method past PLAN_EXHAUSTIVE_MAX: "not supported: ..."); an
 * infeasible problem is a result (feasible = false, chain set). */
bool plan_solve(const plan_problem *p, plan_method method, plan_result *r, util_error *err);
void plan_result_free(plan_result *r);

/* Consistency of the fixed technologies and relations alone (what the manifest loader
 * checks): false with chain set when they contradict each other. */
bool plan_check_constraints(const plan_problem *p, plan_step **chain, size_t *nchain, bool *oom);

/* The group of services that must move together with service i (same_as / different_from
 * closure), as a list into *members (caller frees); flipping them all keeps every relation.
 * Returns the count, or SIZE_MAX when out of memory. */
size_t plan_group_of(const plan_problem *p, uint32_t i, uint32_t **members);

/* ---------- why a service runs where it does (explain.c) --------------------------------- */

typedef enum {
  PLAN_WHY_FORCED, /* its own fixed tech, must, or only variant */
  PLAN_WHY_TIED,   /* same_as / different_from tie it to a forced service (via) */
  PLAN_WHY_COST,   /* chosen by cost: moving it (and its group) would cost flip_delta more */
} plan_why_kind;

typedef struct plan_why {
  plan_why_kind kind;
  uint32_t via;          /* TIED: the forced service of its group */
  uint32_t *group;       /* the services that move with it (itself first) */
  size_t ngroup;
  int64_t flip_own;      /* moving the group: change of the services' own costs */
  int64_t flip_pairs;    /* and of the interactions' costs */
  int64_t flip_delta;    /* the sum (>= 0 at an optimum) */
  size_t top_pair;       /* the pair whose cost changes most against moving, or SIZE_MAX */
  int64_t top_pair_delta;
} plan_why;

/* Explains service i's place in the plan x. False when out of memory. */
bool plan_explain(const plan_problem *p, const uint8_t *x, uint32_t i, plan_why *w);
void plan_why_free(plan_why *w);

/* ---------- multi-node placement (nodes.c, through GLPK when built with it) ------------- */

typedef struct plan_node_result {
  bool feasible;
  uint8_t *x;        /* technology per service */
  uint32_t *node;    /* node per service */
  int64_t cost;      /* the technology costs plus the cross-node costs */
  int64_t node_cost; /* the cross-node part */
} plan_node_result;

/* True when this build can place onto nodes (GLPK present). */
bool plan_nodes_supported(void);
/* Places every service on one of app's nodes with its technology, within each node's CPU
 * and memory, minimising the problem's cost plus the cross-node interaction costs. */
bool plan_solve_nodes(const plan_app *app, const plan_coeffs *c, const plan_problem *p, plan_node_result *r,
                      util_error *err);
void plan_node_result_free(plan_node_result *r);
/* The memory a service needs on a node with technology d, MiB. */
double plan_service_memory(const plan_coeffs *c, const plan_service *s, int d);

#endif
