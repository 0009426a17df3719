/* Why a service runs where the plan puts it: forced by its own constraint, tied to a
 * forced service through same_as / different_from, or chosen because moving it — with
 * every service its relations make move along — would cost more, split into the
 * services' own costs and the interactions', with the interaction that weighs most. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

bool plan_explain(const plan_problem *p, const uint8_t *x, uint32_t i, plan_why *w) {
  memset(w, 0, sizeof *w);
  w->top_pair = SIZE_MAX;
  size_t n = plan_group_of(p, i, &w->group);
  if (n == SIZE_MAX) return false;
  w->ngroup = n;
  if (p->fixed[i] >= 0) {
    w->kind = PLAN_WHY_FORCED;
    return true;
  }
  for (size_t k = 0; k < n; k++)
    if (p->fixed[w->group[k]] >= 0) {
      w->kind = PLAN_WHY_TIED;
      w->via = w->group[k];
      return true;
    }
  w->kind = PLAN_WHY_COST;
  uint32_t *moved = util_try_calloc(p->n ? p->n : 1, sizeof *moved);
  if (!moved) {
    plan_why_free(w);
    return false;
  }
  for (size_t k = 0; k < n; k++) {
    uint32_t v = w->group[k];
    moved[v] = (uint32_t)k + 1; /* the order in the group, to count each pair once */
    w->flip_own += p->unary[v].total[1 - x[v]] - p->unary[v].total[x[v]];
  }
  /* each pair touching the group once: from its first moved end in the group's order */
  for (size_t m = 0; m < n; m++) {
    uint32_t v = w->group[m];
    for (size_t e = p->inc_start[v]; e < p->inc_start[v + 1]; e++) {
      size_t k = p->inc[e];
      const plan_pair *q = &p->pairs[k];
      uint32_t other = q->a == v ? q->b : q->a;
      if (moved[other] && moved[other] < moved[v]) continue;
      uint8_t na = moved[q->a] ? (uint8_t)(1 - x[q->a]) : x[q->a], nb = moved[q->b] ? (uint8_t)(1 - x[q->b]) : x[q->b];
      int64_t d = q->cost[na][nb] - q->cost[x[q->a]][x[q->b]];
      w->flip_pairs += d;
      if (w->top_pair == SIZE_MAX || d > w->top_pair_delta) w->top_pair = k, w->top_pair_delta = d;
    }
  }
  w->flip_delta = w->flip_own + w->flip_pairs;
  free(moved);
  return true;
}

void plan_why_free(plan_why *w) {
  free(w->group);
  memset(w, 0, sizeof *w);
}
