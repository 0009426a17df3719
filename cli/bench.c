/* weld bench efficiency: what weld measures of pooled instances of one workload inside
 * its own process — cold and warm start, PSS and RSS per live instance, density under a
 * memory budget, CPU for the workload — for both pools (copy-on-write and kept resident),
 * and the WebAssembly side of the planner's coefficients (docs/plan.md). The workload is
 * a built-in module (the algorithm of bench/efficiency/service.c in WebAssembly text, with
 * the same algorithm in C beside it as the native reference) or a given module exporting
 * `work: (i32) -> i32` (such as service.c's bare build). bench/efficiency.sh runs it for
 * its pooled columns. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "policy/policy.h"
#include "weld.h"

enum { OPT_JSON, OPT_INVOKE, OPT_WORK, OPT_RUNS, OPT_LIVE, OPT_BUDGET, OPT_CAP, OPT_POOL, OPT_TIER };
static const cli_opt bench_opts[] = {
    {"--json", "", "", OPT_JSON},
    {"--invoke", "", "NAME", OPT_INVOKE},
    {"--work", "", "N", OPT_WORK},
    {"--runs", "", "N", OPT_RUNS},
    {"--live", "", "N", OPT_LIVE},
    {"--budget", "", "SIZE", OPT_BUDGET},
    {"--cap", "", "N", OPT_CAP},
    {"--pool", "", "both|copy-on-write|resident", OPT_POOL},
    {"--tier", "", "interp|baseline|auto|optimized", OPT_TIER},
};

/* ---------- the built-in workload ---------------------------------------------------- */

/* The constant table work() mixes in: a data segment of 1024 words in WebAssembly. */
static uint32_t table_word(uint32_t i) { return i * 2654435761u; }

/* The native reference: service.c's work(n) on a fresh state, as a new instance has. */
/* (The same loop as bench/efficiency/service.c on purpose: weld carries its own reference,
 * and the benchmark's sources are not part of weld's build.) */
static uint32_t work_native(uint32_t n) {
  static UTIL_COLD_BSS uint32_t table[1024];
  uint32_t state[256] = {0};
  for (uint32_t i = 0; i < 1024; i++) table[i] = table_word(i);
  uint32_t h = 2166136261u;
  for (uint32_t r = 0; r < n; r++) {
    for (uint32_t i = 0; i < 256; i++) {
      h = (h ^ table[(h + i) & 1023]) * 16777619u;
      state[i] += h;
    }
    h ^= state[r & 255];
  }
  return h;
}

/* The same in WebAssembly text: one page, the table at 1024 (a data segment), the state at
 * 8192 (pages the instance writes). Returns a malloc'd string. */
static char *builtin_wat(size_t *len) {
  static const char head[] =
      "(module\n"
      "  (memory 1)\n"
      "  (func (export \"work\") (param $n i32) (result i32)\n"
      "    (local $h i32) (local $r i32) (local $i i32) (local $a i32)\n"
      "    (local.set $h (i32.const 0x811c9dc5))\n"
      "    (block $done\n"
      "      (loop $rounds\n"
      "        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))\n"
      "        (local.set $i (i32.const 0))\n"
      "        (loop $inner\n"
      "          (local.set $h (i32.mul (i32.xor (local.get $h)\n"
      "              (i32.load offset=1024 (i32.shl (i32.and (i32.add (local.get $h) (local.get $i))\n"
      "                                                      (i32.const 1023)) (i32.const 2))))\n"
      "            (i32.const 16777619)))\n"
      "          (local.set $a (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 2))))\n"
      "          (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (local.get $h)))\n"
      "          (br_if $inner (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
      "                                  (i32.const 256))))\n"
      "        (local.set $h (i32.xor (local.get $h)\n"
      "          (i32.load offset=8192 (i32.shl (i32.and (local.get $r) (i32.const 255)) (i32.const 2)))))\n"
      "        (local.set $r (i32.add (local.get $r) (i32.const 1)))\n"
      "        (br $rounds)))\n"
      "    (local.get $h))\n"
      "  (data (i32.const 1024) \"";
  static const char tail[] = "\"))\n";
  size_t n = sizeof head - 1 + 1024 * 12 + sizeof tail;
  char *s = malloc(n);
  if (!s) return NULL;
  size_t k = (size_t)snprintf(s, n, "%s", head);
  for (uint32_t i = 0; i < 1024; i++) {
    uint32_t w = table_word(i);
    for (int b = 0; b < 4; b++) k += (size_t)snprintf(s + k, n - k, "\\%02x", (w >> (8 * b)) & 0xff);
  }
  k += (size_t)snprintf(s + k, n - k, "%s", tail);
  *len = k;
  return s;
}

/* ---------- measuring ----------------------------------------------------------------- */

static double now_us(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void rollup(long *pss, long *rss) {
  FILE *f = fopen("/proc/self/smaps_rollup", "r");
  char line[256];
  *pss = *rss = -1;
  while (f && fgets(line, sizeof line, f)) {
    long v;
    if (sscanf(line, "Pss: %ld kB", &v) == 1) *pss = v * 1024;
    if (sscanf(line, "Rss: %ld kB", &v) == 1) *rss = v * 1024;
  }
  if (f) fclose(f);
}

static long map_count(void) {
  long n = 0;
  FILE *f = fopen("/proc/self/maps", "r");
  for (int ch; f && (ch = fgetc(f)) != EOF;) n += ch == '\n';
  if (f) fclose(f);
  return n;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

typedef struct settings {
  const char *module; /* NULL: the built-in workload */
  const uint8_t *bytes;
  size_t len;
  const char *invoke;
  uint32_t work, runs, live, cap;
  uint64_t budget;
  bool tier_given;
  weld_tier tier;
} settings;

/* One pool's figures. */
typedef struct pool_result {
  const char *name; /* "copy-on-write", "resident" */
  double cold_us, warm_us, warm_p90_us, cpu_ms;
  uint32_t result1, result_n;
  long pss, rss, base_pss; /* per live instance (PSS, RSS); the process before any */
  double maps_per_instance;
  long density, density_made;
  bool budget_reached;
  uint64_t images, reused;
} pool_result;

typedef struct run {
  const settings *set;
  weld_engine *e;
  weld_module *m;
  char why[320];
} run;

static bool failf(run *r, const char *fmt, const char *detail) {
  snprintf(r->why, sizeof r->why, fmt, detail);
  return false;
}

static weld_instance *instantiate(run *r, weld_store *s) {
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_instance *i = weld_instance_new(s, r->m, NULL, 0, &trap, &err);
  if (!i) {
    failf(r, "instantiating the workload: %s",
          err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "failed");
    if (err) weld_error_free(err);
    if (trap) weld_trap_free(trap);
  }
  return i;
}

static bool call_work(run *r, weld_instance *i, uint32_t n, uint32_t *out) {
  weld_func *f = weld_instance_func(i, r->set->invoke);
  if (!f) return failf(r, "the workload exports no function '%s'", r->set->invoke);
  if (weld_func_param_count(f) != 1 || weld_func_param(f, 0) != WELD_I32 || weld_func_result_count(f) != 1 ||
      weld_func_result(f, 0) != WELD_I32)
    return failf(r, "the workload's '%s' is not a function (i32) -> i32", r->set->invoke);
  weld_val a[1] = {WELD_I32_VAL((int32_t)n)}, res[1];
  weld_trap *t = weld_func_call(f, a, 1, res, 1);
  if (t) {
    failf(r, "the workload trapped: %s", weld_trap_message(t));
    weld_trap_free(t);
    return false;
  }
  *out = (uint32_t)res[0].of.i32;
  return true;
}

/* A new store, an instance, work(n) and (unless keep) the store freed; the store kept
 * in *keep otherwise. */
static bool start_one(run *r, uint32_t n, uint32_t *out, weld_store **keep) {
  weld_store *s = weld_store_new(r->e);
  if (!s) return failf(r, "%s", "a store could not be made (out of memory)");
  weld_instance *i = instantiate(r, s);
  bool ok = i && call_work(r, i, n, out);
  if (ok && keep) *keep = s;
  else weld_store_free(s);
  return ok;
}

static bool measure_pool(const settings *set, bool resident, pool_result *pr, char *why, size_t nwhy) {
  memset(pr, 0, sizeof *pr);
  pr->name = resident ? "resident" : "copy-on-write";
  run r = {.set = set};
  bool ok = false;
  weld_store **stores = NULL;
  long made = 0;

  double t0 = now_us(CLOCK_MONOTONIC);
  weld_config c;
  weld_config_default(&c);
  if (set->tier_given) c.tier = set->tier;
  c.stack_bytes = 64 << 10;
  c.pooling = true;
  c.pool.memory_slots = set->cap + 2;
  c.pool.memory_slot_bytes = 16 << 20; /* the workloads need a few pages */
  /* slots this small have no guard region: compiled code checks bounds itself */
  c.bounds = WELD_BOUNDS_EXPLICIT;
  c.pool.guard_bytes = 64 << 10;
  c.pool.table_slots = 4;
  c.pool.table_elements = 64;
  c.pool.copy_on_write = !resident;
  c.pool.keep_resident = resident ? 16 << 20 : 0;
  weld_error *err = NULL;
  r.e = weld_engine_new_err(&c, &err);
  if (!r.e) {
    failf(&r, "the engine: %s", err ? weld_error_message(err) : "failed");
    if (err) weld_error_free(err);
    goto out;
  }
  r.m = weld_module_new(r.e, set->bytes, set->len, &err);
  if (!r.m) {
    failf(&r, "%s", err ? weld_error_message(err) : "the module could not be compiled");
    if (err) weld_error_free(err);
    goto out;
  }
  /* cold: engine (the pool reserved) + compile + store + instance + work(1) */
  weld_store *first = NULL;
  if (!start_one(&r, 1, &pr->result1, &first)) goto out;
  pr->cold_us = now_us(CLOCK_MONOTONIC) - t0;
  weld_store_free(first);

  /* warm: store + instance + work(1) + the store freed, the module ready */
  double *lat = malloc(set->runs * sizeof *lat);
  if (!lat) goto out;
  for (uint32_t k = 0; k < set->runs; k++) {
    uint32_t v;
    double a = now_us(CLOCK_MONOTONIC);
    if (!start_one(&r, 1, &v, NULL)) {
      free(lat);
      goto out;
    }
    lat[k] = now_us(CLOCK_MONOTONIC) - a;
    if (v != pr->result1) {
      free(lat);
      failf(&r, "%s", "a warm start answered work(1) differently from the first instance");
      goto out;
    }
  }
  qsort(lat, set->runs, sizeof *lat, cmp_double);
  pr->warm_us = lat[set->runs / 2];
  pr->warm_p90_us = lat[(size_t)set->runs * 9 / 10];
  free(lat);

  /* CPU of work(N) in a fresh instance (compiling is done: the module is ready) */
  weld_store *s = weld_store_new(r.e);
  weld_instance *big = s ? instantiate(&r, s) : NULL;
  if (!big) {
    if (s) weld_store_free(s);
    goto out;
  }
  double c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
  bool called = call_work(&r, big, set->work, &pr->result_n);
  pr->cpu_ms = (now_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e3;
  weld_store_free(s);
  if (!called) goto out;

  /* live instances: the growth of PSS and RSS over `live` of them, then on to the budget */
  stores = calloc(set->cap, sizeof *stores);
  if (!stores) goto out;
  long pss0, rss0, pss, rss;
  rollup(&pss0, &rss0);
  if (pss0 < 0) {
    failf(&r, "%s", "not supported: memory per instance needs /proc/self/smaps_rollup (Linux 4.14 or later)");
    goto out;
  }
  pr->base_pss = pss0;
  long maps0 = map_count();
  long step = 256;
  for (; made < (long)set->cap; made++) {
    uint32_t v;
    if (!start_one(&r, 1, &v, &stores[made])) goto out;
    if (v != pr->result1) {
      failf(&r, "%s", "a live instance answered work(1) differently from the first instance");
      goto out;
    }
    if (made + 1 == (long)set->live) {
      rollup(&pss, &rss);
      pr->pss = (pss - pss0) / (long)set->live;
      pr->rss = (rss - rss0) / (long)set->live;
      pr->maps_per_instance = (double)(map_count() - maps0) / set->live;
      long per = pr->pss > 0 ? pr->pss : 1;
      /* about a hundred looks over the budget: reading smaps_rollup walks every mapping */
      step = (long)(set->budget / (uint64_t)per / 100);
      step = step < 1 ? 1 : step > 256 ? 256 : step;
    }
    if ((made + 1) % step == 0 && made + 1 >= (long)set->live) {
      rollup(&pss, &rss);
      if (pss - pss0 >= (long)set->budget) {
        pr->budget_reached = true;
        made++;
        break;
      }
    }
  }
  rollup(&pss, &rss);
  pr->density_made = made;
  if (pr->budget_reached) {
    pr->density = made;
  } else {
    /* the cap ended the count: the budget over the PSS per instance of those made */
    long per = made ? (pss - pss0) / made : 0;
    pr->density = per > 0 ? (long)(set->budget / (uint64_t)per) : made;
  }
  weld_pool_stats st;
  if (weld_engine_pool_stats(r.e, &st)) pr->images = st.images, pr->reused = st.reused;
  ok = true;
out:
  for (long k = 0; stores && k < made; k++) weld_store_free(stores[k]);
  free(stores);
  if (r.m) weld_module_free(r.m);
  if (r.e) weld_engine_free(r.e);
  if (!ok) snprintf(why, nwhy, "%s", r.why[0] ? r.why : "out of memory");
  return ok;
}

/* ---------- output ------------------------------------------------------------------------ */


static const char *tier_name(weld_tier t) {
  static const char names[][10] = {"interp", "baseline", "optimized", "auto"};
  return (unsigned)t < 4 ? names[t] : "?";
}

/* Columns are padded by characters, not bytes ("µs"). */
static int pad(const char *s, int width) {
  int chars = 0;
  for (const char *p = s; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
  return width + (int)strlen(s) - chars;
}

static void human_us(double us, char *buf, size_t n) {
  if (us < 1000) snprintf(buf, n, "%.2f µs", us);
  else snprintf(buf, n, "%.1f ms", us / 1e3);
}

/* The pool whose figures the coefficients take: kept resident when measured (the faster
 * start, docs/plan.md), else copy-on-write. */
static const pool_result *coeff_pool(const pool_result *pr, int npools) { return &pr[npools - 1]; }

static double overhead(const pool_result *p, double native_ms) {
  return native_ms > 0 ? p->cpu_ms / native_ms - 1 : NAN;
}

/* fmax(x, 0): a NaN or a negative overhead is 0 */
static double nonneg(double x) { return x > 0 ? x : 0; }

static void print_text(const settings *set, const pool_result *pr, int npools, double native_ms) {
  printf("weld bench efficiency: %s, %s(%" PRIu32 ") for CPU; tier %s; %" PRIu32 " warm starts, %" PRIu32
         " live instances, budget %.0f MiB, at most %" PRIu32 "\n\n",
         set->module ? cli_display_name(set->module) : "the built-in workload", set->invoke, set->work,
         tier_name(set->tier), set->runs, set->live, (double)set->budget / (1 << 20), set->cap);
  printf("%-28s", "");
  for (int p = 0; p < npools; p++) printf(" %16s", pr[p].name);
  printf("\n");
  char a[64];
#define ROW(label, ...)                                                                                                \
  do {                                                                                                                 \
    printf("%-28s", label);                                                                                            \
    for (int p = 0; p < npools; p++) {                                                                                 \
      __VA_ARGS__;                                                                                                     \
      printf(" %*s", pad(a, 16), a);                                                                               \
    }                                                                                                                  \
    printf("\n");                                                                                                      \
  } while (0)
  ROW("cold start", human_us(pr[p].cold_us, a, sizeof a));
  ROW("warm start (median)", human_us(pr[p].warm_us, a, sizeof a));
  ROW("warm start (90th pct)", human_us(pr[p].warm_p90_us, a, sizeof a));
  ROW("memory per instance (PSS)", snprintf(a, sizeof a, "%.1f KiB", pr[p].pss / 1024.0));
  ROW("memory per instance (RSS)", snprintf(a, sizeof a, "%.1f KiB", pr[p].rss / 1024.0));
  ROW("mappings per instance", snprintf(a, sizeof a, "%.2f", pr[p].maps_per_instance));
  ROW("instances in the budget",
      snprintf(a, sizeof a, "%ld%s", pr[p].density, pr[p].budget_reached ? " (counted)" : " (est.)"));
  ROW("CPU for the workload", snprintf(a, sizeof a, "%.1f ms", pr[p].cpu_ms));
  if (native_ms > 0) ROW("CPU overhead vs native", snprintf(a, sizeof a, "%+.1f%%", 100 * overhead(&pr[p], native_ms)));
#undef ROW
  if (native_ms > 0) printf("\nnative reference (the same algorithm in C): %.1f ms\n", native_ms);
  printf("density: counted = instances made until PSS grew by the budget; est. = the budget over the PSS\n"
         "per instance of those made before --cap stopped the count\n");
  const pool_result *c = coeff_pool(pr, npools);
  printf("\ncoefficients (weld plan --coefficients; the %s pool):\n[wasm]\nstart_ms = %.6g\n", c->name,
         c->warm_us / 1e3);
  if (native_ms > 0) printf("cpu_overhead = %.6g\n", nonneg(overhead(c, native_ms)));
  printf("memory_base_mib = %.6g\n", (double)c->pss / (1 << 20));
}

static void print_json(const settings *set, const pool_result *pr, int npools, double native_ms, uint32_t native_n) {
  cli_json j;
  cli_json_init(&j, stdout);
  cli_json_doc_begin(&j, "bench efficiency", set->module);
  cli_json_key(&j, "workload");
  cli_json_str(&j, set->module ? "module" : "built-in");
  cli_json_key(&j, "invoke");
  cli_json_str(&j, set->invoke);
  cli_json_key(&j, "tier");
  cli_json_str(&j, tier_name(set->tier));
  cli_json_key(&j, "work_n");
  cli_json_uint(&j, set->work);
  cli_json_key(&j, "runs");
  cli_json_uint(&j, set->runs);
  cli_json_key(&j, "live");
  cli_json_uint(&j, set->live);
  cli_json_key(&j, "budget_bytes");
  cli_json_uint(&j, set->budget);
  cli_json_key(&j, "cap");
  cli_json_uint(&j, set->cap);
  cli_json_key(&j, "native");
  if (native_ms > 0) {
    cli_json_object(&j);
    cli_json_key(&j, "cpu_ms");
    cli_json_double(&j, native_ms);
    cli_json_key(&j, "result_n");
    cli_json_uint(&j, native_n);
    cli_json_end(&j);
  } else {
    cli_json_null(&j);
  }
  cli_json_key(&j, "pools");
  cli_json_object(&j);
  for (int p = 0; p < npools; p++) {
    const pool_result *r = &pr[p];
    cli_json_key(&j, r->name);
    cli_json_object(&j);
    cli_json_key(&j, "cold_us");
    cli_json_double(&j, r->cold_us);
    cli_json_key(&j, "warm_us");
    cli_json_double(&j, r->warm_us);
    cli_json_key(&j, "warm_p90_us");
    cli_json_double(&j, r->warm_p90_us);
    cli_json_key(&j, "cpu_ms");
    cli_json_double(&j, r->cpu_ms);
    cli_json_key(&j, "cpu_overhead");
    cli_json_double(&j, overhead(r, native_ms));
    cli_json_key(&j, "result1");
    cli_json_uint(&j, r->result1);
    cli_json_key(&j, "result_n");
    cli_json_uint(&j, r->result_n);
    cli_json_key(&j, "pss_bytes");
    cli_json_int(&j, r->pss);
    cli_json_key(&j, "rss_bytes");
    cli_json_int(&j, r->rss);
    cli_json_key(&j, "base_pss_bytes");
    cli_json_int(&j, r->base_pss);
    cli_json_key(&j, "maps_per_instance");
    cli_json_double(&j, r->maps_per_instance);
    cli_json_key(&j, "density");
    cli_json_int(&j, r->density);
    cli_json_key(&j, "density_counted");
    cli_json_bool(&j, r->budget_reached);
    cli_json_key(&j, "instances_made");
    cli_json_int(&j, r->density_made);
    cli_json_key(&j, "images");
    cli_json_uint(&j, r->images);
    cli_json_key(&j, "reused");
    cli_json_uint(&j, r->reused);
    cli_json_end(&j);
  }
  cli_json_end(&j);
  /* the same keys as a coefficients file: `weld plan --coefficients` reads this document */
  const pool_result *c = coeff_pool(pr, npools);
  cli_json_key(&j, "coefficients");
  cli_json_object(&j);
  cli_json_key(&j, "wasm");
  cli_json_object(&j);
  cli_json_key(&j, "start_ms");
  cli_json_double(&j, c->warm_us / 1e3);
  if (native_ms > 0) {
    cli_json_key(&j, "cpu_overhead");
    cli_json_double(&j, nonneg(overhead(c, native_ms)));
  }
  cli_json_key(&j, "memory_base_mib");
  cli_json_double(&j, (double)c->pss / (1 << 20));
  cli_json_end(&j);
  cli_json_end(&j);
  cli_json_end(&j);
  cli_json_finish(&j);
}

static bool count_value(const char *opt, const char *v, uint32_t min, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(v, &end, 10);
  if (!*v || *v == '-' || *end || errno || x < min || x > 100000000) {
    cli_usage_error("bench", "%s: '%s' is not a count from %" PRIu32 " to 100000000", opt, v, min);
    return false;
  }
  *out = (uint32_t)x;
  return true;
}

static int bench_efficiency(int argc, char **argv) {
  settings set = {.invoke = "work", .work = 200000, .runs = 2000, .live = 1000, .cap = 16000, .budget = 256u << 20};
  bool json = false;
  const char *pool = "both";
  cli_parser ps;
  cli_parser_init(&ps, "bench", bench_opts, sizeof bench_opts / sizeof bench_opts[0], argc, argv);
  int next;
  while ((next = cli_parser_next(&ps)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return ps.rc;
    if (next == CLI_ARG_OPERAND) {
      if (set.module) return cli_usage_error("bench", "one module at a time ('%s' and '%s')", set.module, ps.operand);
      set.module = ps.operand;
      continue;
    }
    const char *v = ps.value;
    switch (ps.opt->id) {
    case OPT_JSON: json = true; break;
    case OPT_INVOKE: set.invoke = v; break;
    case OPT_WORK:
    case OPT_RUNS:
    case OPT_LIVE:
    case OPT_CAP: {
      uint32_t *dst = ps.opt->id == OPT_WORK ? &set.work : ps.opt->id == OPT_RUNS ? &set.runs
                                                       : ps.opt->id == OPT_LIVE ? &set.live : &set.cap;
      if (!count_value(ps.opt->name, v, 1, dst)) return CLI_EXIT_USAGE;
      break;
    }
    case OPT_BUDGET: {
      util_error e;
      if (!policy_parse_size(v, &set.budget, &e) || set.budget == 0)
        return cli_usage_error("bench", "--budget: '%s' is not a size above 0 (256MiB, 1G, 65536)", v);
      break;
    }
    case OPT_POOL:
      if (strcmp(v, "both") && strcmp(v, "copy-on-write") && strcmp(v, "resident"))
        return cli_usage_error("bench", "--pool: '%s' is not 'both', 'copy-on-write' or 'resident'", v);
      pool = v;
      break;
    case OPT_TIER: {
      int t;
      if (!cli_tier_value(v, &t))
        return cli_usage_error("bench", "--tier: '%s' is not 'interp', 'baseline', 'auto' or 'optimized'", v);
      set.tier = (weld_tier)t, set.tier_given = true;
      break;
    }
    }
  }
  if (set.live > set.cap)
    return cli_usage_error("bench", "--live %" PRIu32 " is more than --cap %" PRIu32, set.live, set.cap);
  if (!set.tier_given) {
    weld_config c;
    weld_config_default(&c);
    set.tier = c.tier;
  }
  const char *why_tier = weld_tier_unsupported(set.tier);
  if (why_tier) {
    fprintf(stderr, "weld: bench efficiency: %s\n", why_tier);
    return CLI_EXIT_USAGE;
  }
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (set.module) {
    /* decoded and validated first, for the usual one-line message and exit status */
    wasm_module *m;
    int rc = cli_load_module(set.module, &m);
    if (rc != CLI_EXIT_OK) return rc;
    wasm_module_free(m);
    util_error e;
    if (!util_read_file(set.module, &bytes, &len, &e)) {
      fprintf(stderr, "weld: %s\n", e.msg);
      return CLI_EXIT_USAGE;
    }
  } else {
    char *wat = builtin_wat(&len);
    if (!wat) {
      fprintf(stderr, "weld: bench efficiency: out of memory\n");
      return 1;
    }
    bytes = (uint8_t *)wat;
  }
  set.bytes = bytes;
  set.len = len;

  pool_result pr[2];
  int npools = 0;
  char why[400];
  int rc = CLI_EXIT_OK;
  if (strcmp(pool, "resident") != 0) {
    if (!measure_pool(&set, false, &pr[npools++], why, sizeof why)) rc = 1;
  }
  if (rc == CLI_EXIT_OK && strcmp(pool, "copy-on-write") != 0) {
    if (!measure_pool(&set, true, &pr[npools++], why, sizeof why)) rc = 1;
  }
  for (int p = 1; rc == CLI_EXIT_OK && p < npools; p++)
    if (pr[p].result1 != pr[0].result1 || pr[p].result_n != pr[0].result_n)
      rc = 1, snprintf(why, sizeof why, "the two pools' instances answered differently");
  double native_ms = 0;
  uint32_t native_n = 0;
  if (rc == CLI_EXIT_OK && !set.module) {
    /* the reference answers and its CPU time: the built-in module must agree with it */
    double c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
    native_n = work_native(set.work);
    native_ms = (now_us(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e3;
    if (native_ms <= 0) native_ms = 1e-3;
    if (pr[0].result1 != work_native(1) || pr[0].result_n != native_n)
      rc = 1, snprintf(why, sizeof why, "the built-in workload answered %" PRIu32 " and %" PRIu32
                                        "; the native reference says %" PRIu32 " and %" PRIu32,
                       pr[0].result1, pr[0].result_n, work_native(1), native_n);
  }
  free(bytes);
  if (rc != CLI_EXIT_OK) {
    if (strstr(why, "exports no function") || strstr(why, "is not a function (i32)")) rc = CLI_EXIT_USAGE;
    fprintf(stderr, "weld: bench efficiency: %s%s%s\n", set.module ? cli_display_name(set.module) : "",
            set.module ? ": " : "", why);
    return rc;
  }
  if (json) print_json(&set, pr, npools, native_ms, native_n);
  else print_text(&set, pr, npools, native_ms);
  return CLI_EXIT_OK;
}

int cli_cmd_bench(int argc, char **argv) {
  if (argc < 2 || cli_is_option(argv[1])) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
      cli_print_command_help(stdout, cli_find_command("bench"));
      return CLI_EXIT_OK;
    }
    return cli_usage_error("bench", "missing what to measure ('efficiency')");
  }
  if (strcmp(argv[1], "efficiency") == 0) return bench_efficiency(argc - 1, argv + 1);
  return cli_usage_error("bench", "unknown benchmark '%s' (efficiency)", argv[1]);
}
