/* Pooled instances inside one process, through include/weld.h: the "pooled" way of
 * bench/efficiency.sh. Prints `key value` lines:
 *
 *   pooled MODULE.wasm WORK_N LIVE BUDGET_MIB CAP
 *
 *   cold_us      engine with a pool + module compiled + store + instance + work(1)
 *   warm_us      store + instance + work(1) + store freed, from the pool (median of runs)
 *   result1      work(1), to be checked against the native build
 *   cpu_ms       CPU time of work(WORK_N) in an instance; resultN its answer
 *   pss_bytes, rss_bytes   per live instance: the growth of the process's PSS and RSS
 *                over LIVE instances (each called once), divided by LIVE
 *   density      instances made before the growth of PSS reached BUDGET_MIB (at most
 *                CAP; budget_reached says whether the budget or the cap ended it)
 *   maps_per_instance   mappings (/proc/self/maps lines) each live instance adds
 *   base_pss_bytes   PSS of the process with the engine and module ready (no instance)
 *   tier         the tier the engine ran (WELD_TIER in the environment chooses it) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weld.h"

static double now_us(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
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

static int die(const char *what, weld_error *err, weld_trap *trap) {
  fprintf(stderr, "pooled: %s: %s\n", what, err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "failed");
  exit(1);
}

static weld_instance *instance(weld_store *s, weld_module *m) {
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_instance *i = weld_instance_new(s, m, NULL, 0, &trap, &err);
  if (!i) die("instantiate", err, trap);
  return i;
}

static uint32_t work(weld_instance *i, uint32_t n) {
  weld_val a[1] = {WELD_I32_VAL((int32_t)n)}, r[1];
  weld_trap *t = weld_func_call(weld_instance_func(i, "work"), a, 1, r, 1);
  if (t) die("work", NULL, t);
  return (uint32_t)r[0].of.i32;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: pooled MODULE.wasm WORK_N LIVE BUDGET_MIB CAP\n");
    return 2;
  }
  uint32_t work_n = (uint32_t)strtoul(argv[2], NULL, 10);
  long live = strtol(argv[3], NULL, 10), cap = strtol(argv[5], NULL, 10);
  long budget = strtol(argv[4], NULL, 10) << 20;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return perror(argv[1]), 1;
  static uint8_t bytes[1 << 20];
  size_t len = fread(bytes, 1, sizeof bytes, f);
  fclose(f);

  double t0 = now_us(CLOCK_MONOTONIC);
  weld_config c;
  weld_config_default(&c);
  c.stack_bytes = 64 << 10;
  c.pooling = !getenv("EFF_NOPOOL");
  c.pool.memory_slots = (uint32_t)cap + 2;
  c.pool.memory_slot_bytes = 16 << 20; /* the module needs 2 pages; 16 MiB slots */
  /* slots this small are not guard regions: compiled code checks bounds itself */
  c.bounds = WELD_BOUNDS_EXPLICIT;
  c.pool.guard_bytes = 64 << 10;
  c.pool.table_slots = 4;
  c.pool.table_elements = 64;
  c.pool.copy_on_write = true;
  /* EFF_KEEP_RESIDENT=1: memories copied and kept resident instead (faster starts) */
  if (getenv("EFF_KEEP_RESIDENT")) {
    c.pool.copy_on_write = false;
    c.pool.keep_resident = 1 << 20;
  }
  weld_error *err = NULL;
  weld_engine *e = weld_engine_new_err(&c, &err);
  if (!e) die("engine", err, NULL);
  weld_module *m = weld_module_new(e, bytes, len, &err);
  if (!m) die("module", err, NULL);
  weld_store *s = weld_store_new(e);
  uint32_t r1 = work(instance(s, m), 1);
  double t1 = now_us(CLOCK_MONOTONIC);
  weld_store_free(s);
  printf("cold_us %.1f\nresult1 %u\n", t1 - t0, r1);
  static const char *tiers[] = {"interp", "baseline", "optimized", "auto"};
  printf("tier %s\n", tiers[c.tier & 3]);

  enum { RUNS = 2000 };
  static double lat[RUNS];
  for (int k = 0; k < RUNS; k++) {
    double a = now_us(CLOCK_MONOTONIC);
    weld_store *ws = weld_store_new(e);
    if (work(instance(ws, m), 1) != r1) die("warm start: wrong answer", NULL, NULL);
    weld_store_free(ws);
    lat[k] = now_us(CLOCK_MONOTONIC) - a;
  }
  qsort(lat, RUNS, sizeof *lat, cmp);
  printf("warm_us %.2f\nwarm_p90_us %.2f\n", lat[RUNS / 2], lat[RUNS * 9 / 10]);

  s = weld_store_new(e);
  weld_instance *big = instance(s, m);
  double c0 = now_us(CLOCK_PROCESS_CPUTIME_ID);
  uint32_t rn = work(big, work_n);
  double c1 = now_us(CLOCK_PROCESS_CPUTIME_ID);
  weld_store_free(s);
  printf("cpu_ms %.2f\nresultN %u\n", (c1 - c0) / 1e3, rn);

  weld_store **stores = calloc((size_t)cap, sizeof *stores);
  if (!stores) return 1;
  long pss0, rss0, pss, rss;
  rollup(&pss0, &rss0);
  long maps0 = 0;
  FILE *mf0 = fopen("/proc/self/maps", "r");
  for (int ch; mf0 && (ch = fgetc(mf0)) != EOF;) maps0 += ch == '\n';
  if (mf0) fclose(mf0);
  printf("base_pss_bytes %ld\n", pss0);
  long n = 0, step = 256;
  bool reached = false;
  for (; n < cap; n++) {
    stores[n] = weld_store_new(e);
    if (!stores[n] || work(instance(stores[n], m), 1) != r1) die("density: wrong answer", NULL, NULL);
    if (n + 1 == live) {
      rollup(&pss, &rss);
      printf("pss_bytes %ld\nrss_bytes %ld\n", (pss - pss0) / live, (rss - rss0) / live);
      long per = (pss - pss0) / live > 0 ? (pss - pss0) / live : 1;
      step = budget / per / 100;
      step = step < 1 ? 1 : step > 256 ? 256 : step;
      long maps = 0;
      FILE *mf = fopen("/proc/self/maps", "r");
      for (int ch; mf && (ch = fgetc(mf)) != EOF;) maps += ch == '\n';
      if (mf) fclose(mf);
      printf("maps_per_instance %.2f\n", (double)(maps - maps0) / live);
    }
    /* look every `step` instances: about a hundred looks over the budget (reading
     * smaps_rollup walks every mapping, so not at every instance) */
    if ((n + 1) % step == 0) {
      rollup(&pss, &rss);
      if (pss - pss0 >= budget) {
        reached = true;
        n++;
        break;
      }
    }
  }
  rollup(&pss, &rss);
  printf("density %ld\nbudget_reached %d\ndensity_pss_bytes %ld\n", n, reached, (pss - pss0) / (n ? n : 1));
  weld_pool_stats st;
  weld_engine_pool_stats(e, &st);
  printf("pool_images %llu\npool_reused %llu\n", (unsigned long long)st.images, (unsigned long long)st.reused);
  for (long k = 0; k < n; k++) weld_store_free(stores[k]);
  free(stores);
  weld_module_free(m);
  weld_engine_free(e);
  return 0;
}
