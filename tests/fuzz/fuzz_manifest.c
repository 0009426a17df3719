/* libFuzzer target: arbitrary bytes as an application manifest. Reading must never crash,
 * leak or trip a sanitizer; a rejection is one "FILE:LINE:COL: message" line (or out of
 * memory). A manifest that reads is planned exactly, exhaustively when small enough and
 * greedily: every plan must keep the constraints, the exact one must cost no more than
 * the others, and every service must be explainable.
 *
 * Inputs starting with byte 0x01 go to the executor's HTTP framing (src/hybrid/httpframe.c)
 * instead: the rest is records (a byte: bit 0 the direction, 0 request, 1 response; the
 * others a length up to 127; then that many bytes) fed as one connection's reads, at the
 * time of their position. Every byte must land in exactly one call or be counted in none,
 * each call must end no earlier than it starts, and the framing must always move on. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hybrid/httpframe.h"
#include "hybrid/manifest.h"
#include "plan/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void http_framing(const uint8_t *data, size_t size) {
  static hf_conn c; /* reset for every input */
  hf_init(&c);
  uint64_t pos = 0, in_calls = 0;
  size_t i = 0;
  while (i < size) {
    hf_dir d = data[i] & 1 ? HF_RESPONSE : HF_REQUEST;
    size_t n = data[i] >> 1;
    i++;
    if (n > size - i) n = size - i;
    const uint8_t *p = data + i;
    i += n;
    for (size_t left = n; left;) {
      hf_event ev;
      size_t k = hf_feed(&c, d, p, left, pos, &ev);
      if (k > left || (!k && ev.kind == HF_EV_NONE)) __builtin_trap();
      p += k, left -= k;
      if (ev.kind == HF_EV_ERROR && (!ev.why || !ev.why[0])) __builtin_trap();
      if (ev.has_call) {
        if (ev.call.end_ns < ev.call.start_ns || ev.call.end_ns > pos) __builtin_trap();
        in_calls += ev.call.in + ev.call.out;
      }
    }
    pos += n;
  }
  hf_call call;
  for (int k = 0; hf_close(&c, pos, &call); k++) {
    if (k > HF_PENDING + 1 || call.end_ns < call.start_ns) __builtin_trap();
    in_calls += call.in + call.out;
  }
  if (in_calls + c.unattributed != pos) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size && data[0] == 1) {
    http_framing(data + 1, size - 1);
    return 0;
  }
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
