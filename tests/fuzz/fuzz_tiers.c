/* libFuzzer target: bytes that make a valid module without imports run in the
 * interpreter, the baseline tier and the auto tier (promotion after 2 calls, on-stack
 * replacement looked for every 2 units of work): every export's results, traps,
 * backtraces, fuel and memory must agree (tests/fuzz/tierdiff/tierdiff.h). A difference
 * aborts, with the first differing line on stderr. */
#include <stdint.h>

#define TD_FUEL 100000u /* per call: keeps an input's run short under the sanitizers */
#include "tierdiff/tierdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  td_trace ti = {0}, tb = {0}, ta = {0};
  bool li = td_run(data, size, WELD_TIER_INTERP, &ti);
  bool lb = td_run(data, size, WELD_TIER_BASELINE, &tb);
  bool la = td_run(data, size, WELD_TIER_AUTO, &ta);
  const char *pi = ti.p ? ti.p : "", *pb = tb.p ? tb.p : "", *pa = ta.p ? ta.p : "";
  if (!ti.oom && !tb.oom && !ta.oom && (li != lb || li != la || strcmp(pi, pb) != 0 || strcmp(pi, pa) != 0)) {
    fprintf(stderr, "the tiers differ (loads: interp %d baseline %d auto %d)\n", li, lb, la);
    if (strcmp(pi, pb) != 0) td_show_diff("baseline", &ti, &tb);
    if (strcmp(pi, pa) != 0) td_show_diff("auto", &ti, &ta);
    abort();
  }
  free(ti.p);
  free(tb.p);
  free(ta.p);
  return 0;
}
