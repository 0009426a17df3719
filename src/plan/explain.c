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
  uint8_t *moved = util_try_calloc(p->n ? p->n : 1, 1);
  if (!moved) {
    plan_why_free(w);
    return false;
  }
  for (size_t k = 0; k < n; k++) {
    uint32_t v = w->group[k];
    moved[v] = 1;
    w->flip_own += p->unary[v].total[1 - x[v]] - p->unary[v].total[x[v]];
  }
  for (size_t k = 0; k < p->npairs; k++) {
    const plan_pair *q = &p->pairs[k];
    if (!moved[q->a] && !moved[q->b]) continue;
    uint8_t na = moved[q->a] ? (uint8_t)(1 - x[q->a]) : x[q->a], nb = moved[q->b] ? (uint8_t)(1 - x[q->b]) : x[q->b];
    int64_t d = q->cost[na][nb] - q->cost[x[q->a]][x[q->b]];
    w->flip_pairs += d;
    if (w->top_pair == SIZE_MAX || d > w->top_pair_delta) w->top_pair = k, w->top_pair_delta = d;
  }
  w->flip_delta = w->flip_own + w->flip_pairs;
  free(moved);
  return true;
}

void plan_why_free(plan_why *w) {
  free(w->group);
  memset(w, 0, sizeof *w);
}
