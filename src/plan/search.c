/* The design's exhaustive search, kept as the reference the exact solver is tested
 * against: every one of the 2^n assignments of the services themselves (no contraction,
 * no cut), walked in Gray-code order so each step flips one service and updates the cost
 * and the count of broken constraints by that service's terms alone. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

bool plan_solve_exhaustive(const plan_problem *p, plan_result *r, util_error *err);

bool plan_solve_exhaustive(const plan_problem *p, plan_result *r, util_error *err) {
  size_t n = p->n;
  /* incidence lists: pairs and relations per service */
  size_t *pdeg = util_try_calloc(n + 1, sizeof *pdeg), *rdeg = util_try_calloc(n + 1, sizeof *rdeg);
  size_t *padj = util_try_malloc((2 * p->npairs + 1) * sizeof *padj);
  size_t *radj = util_try_malloc((2 * p->nrelations + 1) * sizeof *radj);
  uint8_t *x = util_try_calloc(n ? n : 1, 1), *best = util_try_malloc(n ? n : 1);
  size_t *fill = util_try_malloc((n + 1) * sizeof *fill);
  bool ok = pdeg && rdeg && padj && radj && x && best && fill;
  if (ok) {
    for (size_t k = 0; k < p->npairs; k++) pdeg[p->pairs[k].a + 1]++, pdeg[p->pairs[k].b + 1]++;
    for (size_t k = 0; k < p->nrelations; k++) rdeg[p->relations[k].a + 1]++, rdeg[p->relations[k].b + 1]++;
    for (size_t i = 0; i < n; i++) pdeg[i + 1] += pdeg[i], rdeg[i + 1] += rdeg[i];
    memcpy(fill, pdeg, (n + 1) * sizeof *fill);
    for (size_t k = 0; k < p->npairs; k++) padj[fill[p->pairs[k].a]++] = k, padj[fill[p->pairs[k].b]++] = k;
    memcpy(fill, rdeg, (n + 1) * sizeof *fill);
    for (size_t k = 0; k < p->nrelations; k++)
      radj[fill[p->relations[k].a]++] = k, radj[fill[p->relations[k].b]++] = k;
    /* start from all wasm */
    int64_t cost = plan_cost(p, x);
    size_t broken = 0;
    for (size_t i = 0; i < n; i++) broken += p->fixed[i] > 0;
    for (size_t k = 0; k < p->nrelations; k++) broken += !p->relations[k].same;
    bool have = false;
    int64_t bestcost = 0;
    uint64_t total = (uint64_t)1 << n, tried = 0;
    for (uint64_t step = 0;; step++) {
      tried++;
      if (broken == 0 && (!have || cost < bestcost)) {
        have = true;
        bestcost = cost;
        memcpy(best, x, n);
      }
      if (step + 1 == total) break;
      /* Gray code: the bit that changes between step and step+1 */
      size_t v = (size_t)__builtin_ctzll(step + 1);
      uint8_t old = x[v], nw = (uint8_t)(1 - old);
      cost += p->unary[v].total[nw] - p->unary[v].total[old];
      for (size_t e = pdeg[v]; e < pdeg[v + 1]; e++) {
        const plan_pair *q = &p->pairs[padj[e]];
        if (q->a == q->b) continue;
        if (q->a == v) cost += q->cost[nw][x[q->b]] - q->cost[old][x[q->b]];
        else cost += q->cost[x[q->a]][nw] - q->cost[x[q->a]][old];
      }
      if (p->fixed[v] >= 0) broken += (nw != p->fixed[v]) - (old != p->fixed[v]);
      for (size_t e = rdeg[v]; e < rdeg[v + 1]; e++) {
        const plan_relation *rel = &p->relations[radj[e]];
        if (rel->a == rel->b) continue;
        uint8_t o = rel->a == v ? x[rel->b] : x[rel->a];
        broken += ((nw == o) != rel->same) - ((old == o) != rel->same);
      }
      x[v] = nw;
    }
    r->assignments = tried;
    if (have) {
      r->x = best, best = NULL;
      r->cost = bestcost;
      r->optimal = true;
    } else {
      /* cannot happen after the constraint check, but say so rather than invent a plan */
      r->feasible = false;
    }
    r->groups = n;
  }
  free(pdeg);
  free(rdeg);
  free(padj);
  free(radj);
  free(x);
  free(best);
  free(fill);
  return ok || util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}
