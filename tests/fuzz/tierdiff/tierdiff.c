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
  for (int i = 1; i < argc; i++) {
    uint8_t *bin;
    size_t len;
    if (!read_file(argv[i], &bin, &len)) {
      fprintf(stderr, "%s: cannot read\n", argv[i]);
      failed++;
      continue;
    }
    td_trace ti = {0}, tb = {0}, ta = {0};
    bool li = td_run(bin, len, WELD_TIER_INTERP, &ti);
    bool lb = td_run(bin, len, WELD_TIER_BASELINE, &tb);
    bool la = td_run(bin, len, WELD_TIER_AUTO, &ta);
    const char *pi = ti.p ? ti.p : "", *pb = tb.p ? tb.p : "", *pa = ta.p ? ta.p : "";
    if (ti.oom || tb.oom || ta.oom) {
      fprintf(stderr, "%s: out of memory\n", argv[i]);
      failed++;
    } else if (!li && !lb && !la) {
      skipped++;
    } else if (li != lb || li != la || strcmp(pi, pb) != 0 || strcmp(pi, pa) != 0) {
      fprintf(stderr, "%s: the tiers differ\n", argv[i]);
      if (li != lb || li != la) fprintf(stderr, "  loads: interp %d baseline %d auto %d\n", li, lb, la);
      if (strcmp(pi, pb) != 0) td_show_diff("baseline", &ti, &tb);
      if (strcmp(pi, pa) != 0) td_show_diff("auto", &ti, &ta);
      failed++;
    } else {
      passed++;
    }
    free(ti.p);
    free(tb.p);
    free(ta.p);
    free(bin);
  }
  printf("compiled functions (baseline and auto): %llu; calls that went on compiled from a loop: %llu\n",
         (unsigned long long)td_compiled, (unsigned long long)td_osr);
  printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
