/* libFuzzer target: arbitrary bytes as an application manifest. Reading must never crash,
 * leak or trip a sanitizer; a rejection is one "FILE:LINE:COL: message" line (or out of
 * memory). A manifest that reads is planned exactly, exhaustively when small enough and
 * greedily: every plan must keep the constraints, the exact one must cost no more than
 * the others, and every service must be explainable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hybrid/manifest.h"
#include "plan/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  manifest m;
  util_error err;
  if (!manifest_parse(&m, (const char *)data, size, "f.toml", &err)) {
    if (err.kind == UTIL_ERR_NONE || strchr(err.msg, '\n')) __builtin_trap();
    if (err.kind != UTIL_ERR_OOM && (err.line <= 0 || err.col <= 0 || strncmp(err.msg, "f.toml:", 7) != 0))
      __builtin_trap();
    return 0;
  }
  plan_coeffs k;
  plan_coeffs_default(&k);
  plan_problem p;
  if (!plan_problem_build(&p, &m.app, &k, &err)) __builtin_trap();
  plan_result ex, gr;
  if (!plan_solve(&p, PLAN_EXACT, &ex, &err) || !plan_solve(&p, PLAN_GREEDY, &gr, &err)) __builtin_trap();
  /* the load-time check leaves nothing infeasible */
  if (!ex.feasible || !gr.feasible) __builtin_trap();
  if (!plan_feasible(&p, ex.x) || !plan_feasible(&p, gr.x) || plan_cost(&p, ex.x) != ex.cost || gr.cost < ex.cost)
    __builtin_trap();
  if (p.n <= 12) {
    plan_result ez;
    if (!plan_solve(&p, PLAN_EXHAUSTIVE, &ez, &err) || !ez.feasible || ez.cost != ex.cost) __builtin_trap();
    plan_result_free(&ez);
  }
  for (uint32_t i = 0; i < p.n; i++) {
    plan_why w;
    if (!plan_explain(&p, ex.x, i, &w)) __builtin_trap();
    if (w.kind == PLAN_WHY_COST && ex.optimal && w.flip_delta < 0) __builtin_trap();
    plan_why_free(&w);
  }
  plan_result_free(&ex);
  plan_result_free(&gr);
  plan_problem_free(&p);
  manifest_free(&m);
  return 0;
}
