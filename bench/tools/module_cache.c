/* module_cache: the time of weld_module_new for one module file on one engine, the first
 * time (compiled) and the next times (the engine's in-memory module cache), and the same
 * with the cache off.
 *
 *   module_cache FILE [TIER [REPEATS]]     TIER: interp, baseline, auto or optimized
 *
 * Built against libweld (bench/module_cache.sh). Prints one line per measurement, in
 * milliseconds, and the cache's counters; exits 1 when a module cannot be made or the
 * second request was not a hit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weld.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *p = n > 0 ? malloc((size_t)n) : NULL;
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
    free(p);
    p = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return p;
}

static weld_module *make(weld_engine *e, const uint8_t *b, size_t len, double *ms) {
  weld_error *err = NULL;
  double t0 = now_ms();
  weld_module *m = weld_module_new(e, b, len, &err);
  *ms = now_ms() - t0;
  if (!m) fprintf(stderr, "module_cache: %s\n", err ? weld_error_message(err) : "?");
  weld_error_free(err);
  return m;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: module_cache FILE [interp|baseline|auto|optimized [REPEATS]]\n");
    return 2;
  }
  size_t len;
  uint8_t *bytes = slurp(argv[1], &len);
  if (!bytes) {
    fprintf(stderr, "module_cache: cannot read %s\n", argv[1]);
    return 2;
  }
  const char *tiers[] = {"interp", "baseline", "optimized", "auto"};
  weld_config c;
  weld_config_default(&c);
  if (argc > 2) {
    int t = 0;
    while (t < 4 && strcmp(tiers[t], argv[2]) != 0) t++;
    if (t == 4) return fprintf(stderr, "module_cache: unknown tier %s\n", argv[2]), 2;
    c.tier = (weld_tier)t;
  }
  int repeats = argc > 3 ? atoi(argv[3]) : 5;
  if (repeats < 1) repeats = 1;
  int status = 0;
  for (int off = 0; off < 2; off++) {
    c.module_cache_off = off;
    weld_engine *e = weld_engine_new(&c);
    if (!e) return fprintf(stderr, "module_cache: no engine\n"), 1;
    double first, ms, best = 1e30;
    weld_module *m = make(e, bytes, len, &first);
    if (!m) return 1;
    for (int r = 0; r < repeats; r++) {
      weld_module *n = make(e, bytes, len, &ms);
      if (!n) return 1;
      if (ms < best) best = ms;
      if (!off && n != m) status = 1;
      weld_module_free(n);
    }
    weld_module_cache_stats st;
    weld_engine_module_cache_stats(e, &st);
    printf("%s, %zu bytes, tier %s, cache %s: first %.3f ms, next (best of %d) %.3f ms; hits %llu, misses %llu, "
           "compiles %llu, cached %llu bytes\n",
           argv[1], len, tiers[c.tier], off ? "off" : "on", first, repeats, best, (unsigned long long)st.hits,
           (unsigned long long)st.misses, (unsigned long long)st.compiles, (unsigned long long)st.bytes);
    weld_module_free(m);
    weld_engine_free(e);
  }
  free(bytes);
  if (status) fprintf(stderr, "module_cache: the second request was not answered from the cache\n");
  return status;
}
