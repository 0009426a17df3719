/* weld_tierdiff MODULE.wasm...: runs each module in the interpreter, the baseline tier
 * and the auto tier (tierdiff.h) and reports those whose traces differ. A module that
 * does not load or has imports is skipped, and counted so. Ends with the usual
 * `N passed, M failed, K skipped` line. */
#include "tierdiff.h"

static bool read_file(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  size_t cap = 1 << 16, n = 0;
  uint8_t *p = malloc(cap);
  while (p) {
    size_t r = fread(p + n, 1, cap - n, f);
    n += r;
    if (n < cap) break;
    uint8_t *q = realloc(p, cap * 2);
    if (!q) {
      free(p);
      p = NULL;
      break;
    }
    p = q;
    cap *= 2;
  }
  bool ok = p && !ferror(f);
  fclose(f);
  if (!ok) {
    free(p);
    return false;
  }
  *out = p;
  *len = n;
  return true;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: weld_tierdiff MODULE.wasm...\n");
    return 2;
  }
  unsigned passed = 0, failed = 0, skipped = 0;
  const char *oe = getenv("TIERDIFF_OPTIMIZED");
  bool opt = oe && *oe == '1';
  for (int i = 1; i < argc; i++) {
    uint8_t *bin;
    size_t len;
    if (!read_file(argv[i], &bin, &len)) {
      fprintf(stderr, "%s: cannot read\n", argv[i]);
      failed++;
      continue;
    }
    td_trace ti = {0}, tb = {0}, ta = {0}, to = {0};
    bool li = td_run(bin, len, WELD_TIER_INTERP, &ti);
    bool lb = td_run(bin, len, WELD_TIER_BASELINE, &tb);
    bool la = td_run(bin, len, WELD_TIER_AUTO, &ta);
    /* the optimising tier too when asked (TIERDIFF_OPTIMIZED=1: LLVM compiles every
     * function of every module, seconds per module) */
    bool lo = opt ? td_run(bin, len, WELD_TIER_OPTIMIZED, &to) : li;
    const char *pi = ti.p ? ti.p : "", *pb = tb.p ? tb.p : "", *pa = ta.p ? ta.p : "";
    const char *po = !opt ? pi : to.p ? to.p : "";
    if (ti.oom || tb.oom || ta.oom || to.oom) {
      fprintf(stderr, "%s: out of memory\n", argv[i]);
      failed++;
    } else if (!li && !lb && !la) {
      skipped++;
    } else if (li != lb || li != la || li != lo || strcmp(pi, pb) != 0 || strcmp(pi, pa) != 0 ||
               strcmp(pi, po) != 0) {
      fprintf(stderr, "%s: the tiers differ\n", argv[i]);
      if (li != lb || li != la || li != lo)
        fprintf(stderr, "  loads: interp %d baseline %d auto %d optimized %d\n", li, lb, la, lo);
      if (strcmp(pi, pb) != 0) td_show_diff("baseline", &ti, &tb);
      if (strcmp(pi, pa) != 0) td_show_diff("auto", &ti, &ta);
      if (strcmp(pi, po) != 0) td_show_diff("optimized", &ti, &to);
      failed++;
    } else {
      passed++;
    }
    free(ti.p);
    free(tb.p);
    free(ta.p);
    free(to.p);
    free(bin);
  }
  printf("compiled functions (baseline and auto): %llu; calls that went on compiled from a loop: %llu\n",
         (unsigned long long)td_compiled, (unsigned long long)td_osr);
  printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
