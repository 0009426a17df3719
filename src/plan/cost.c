/* The cost model, evaluated once per application into integers (thousandths of a cost
 * point) that every solver shares:
 *
 *   T_i(d) = starts_per_hour·start_ms(d)/3600 + 1000·cpu·cpu_overhead(d) + 1000·io·io_overhead(d)
 *            (milliseconds of time lost per second of running)
 *   M_i(d) = memory_base_mib(d) + memory_factor(d)·memory_mib                (MiB)
 *   S_i(d) = 100·security·exposure(d)                                        (points)
 *   I(i,j,d_i,d_j) = α·(calls_per_s·call_us(k,c)/1000 + bytes_per_s/2^20·mib_ms(k,c))
 *            with c = both wasm, both container or crossing
 *
 * With a history (history.c), measured values stand in for start_ms, the CPU overhead and
 * M_i per service and technology, and for the rates and call_us per interaction, each
 * blended with its estimate by its confidence. Each term is rounded on its own, so a
 * breakdown adds up to its total exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static int64_t quantise(double v) {
  if (!(v > 0)) return 0; /* costs are never negative; NaN counts as nothing */
  double q = floor(v * 1000.0 + 0.5);
  if (q >= (double)PLAN_TERM_MAX) return PLAN_TERM_MAX;
  return (int64_t)q;
}

double plan_service_memory(const plan_coeffs *c, const plan_service *s, int d) {
  return c->mem_base_mib[d] + c->mem_factor[d] * s->prof.memory_mib;
}

static int combo(int da, int db) { return da != db ? 2 : da == PLAN_WASM ? 0 : 1; }

bool plan_problem_build(plan_problem *p, const plan_app *app, const plan_coeffs *c, util_error *err) {
  return plan_problem_build_history(p, app, c, NULL, err);
}

bool plan_problem_build_history(plan_problem *p, const plan_app *app, const plan_coeffs *c, const plan_history *h,
                                util_error *err) {
  memset(p, 0, sizeof *p);
  if (h && (h->nservices != app->nservices || h->ninteractions != app->ninteractions)) h = NULL;
  p->history = h;
  p->n = app->nservices;
  p->unary = util_try_calloc(p->n ? p->n : 1, sizeof *p->unary);
  p->fixed = util_try_malloc(p->n ? p->n : 1);
  p->pairs = util_try_calloc(app->ninteractions ? app->ninteractions : 1, sizeof *p->pairs);
  if (!p->unary || !p->fixed || !p->pairs) {
    plan_problem_free(p);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  for (size_t i = 0; i < p->n; i++) {
    const plan_service *s = &app->services[i];
    plan_unary *u = &p->unary[i];
    for (int d = 0; d < PLAN_NTECH; d++) {
      double start = c->start_ms[d], lost = 1000.0 * s->prof.cpu * c->cpu_overhead[d];
      double m = plan_service_memory(c, s, d);
      if (h) {
        /* measured: the start, the CPU time beyond the profile's own work, the peak memory */
        const plan_svc_obs *o = &h->svc[i * PLAN_NTECH + (size_t)d];
        double work = 1000.0 * s->prof.cpu;
        start = plan_history_blend(h, &o->start_ms, start);
        if (o->cpu_ms_per_s.n) {
          plan_ewma over = {o->cpu_ms_per_s.n, o->cpu_ms_per_s.v > work ? o->cpu_ms_per_s.v - work : 0};
          lost = plan_history_blend(h, &over, lost);
        }
        m = plan_history_blend(h, &o->rss_mib, m);
      }
      double t = s->prof.starts_per_hour * start / 3600.0 + lost + 1000.0 * s->prof.io * c->io_overhead[d];
      double sec = 100.0 * s->prof.security * c->exposure[d];
      u->t[d] = quantise(c->alpha * t);
      u->m[d] = quantise(c->beta * m);
      u->s[d] = quantise(c->gamma * sec);
      u->total[d] = u->t[d] + u->m[d] + u->s[d];
    }
    p->fixed[i] = (int8_t)s->forced_tech;
  }
  for (size_t k = 0; k < app->ninteractions; k++) {
    const plan_interaction *in = &app->interactions[k];
    plan_pair *q = &p->pairs[p->npairs++];
    q->a = in->from;
    q->b = in->to;
    q->interaction = (uint32_t)k;
    const plan_int_obs *o = h ? &h->inter[k] : NULL;
    double calls = o ? plan_history_blend(h, &o->calls_per_s, in->calls_per_s) : in->calls_per_s;
    double bytes = o ? plan_history_blend(h, &o->bytes_per_s, in->bytes_per_s) : in->bytes_per_s;
    for (int da = 0; da < PLAN_NTECH; da++)
      for (int db = 0; db < PLAN_NTECH; db++) {
        int cb = combo(da, db);
        double call_us = o ? plan_history_blend(h, &o->call_us[cb], c->call_us[in->kind][cb]) : c->call_us[in->kind][cb];
        double ms = calls * call_us / 1000.0 + bytes / 1048576.0 * c->mib_ms[in->kind][cb];
        q->cost[da][db] = quantise(c->alpha * ms);
      }
  }
  p->relations = app->relations;
  p->nrelations = app->nrelations;
  p->inc_start = util_try_calloc(p->n + 1, sizeof *p->inc_start);
  p->inc = util_try_malloc((2 * p->npairs + 1) * sizeof *p->inc);
  size_t *fill = util_try_malloc((p->n + 1) * sizeof *fill);
  if (!p->inc_start || !p->inc || !fill) {
    free(fill);
    plan_problem_free(p);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  for (size_t k = 0; k < p->npairs; k++) p->inc_start[p->pairs[k].a + 1]++, p->inc_start[p->pairs[k].b + 1]++;
  for (size_t i = 0; i < p->n; i++) p->inc_start[i + 1] += p->inc_start[i];
  memcpy(fill, p->inc_start, (p->n + 1) * sizeof *fill);
  for (size_t k = 0; k < p->npairs; k++)
    p->inc[fill[p->pairs[k].a]++] = (uint32_t)k, p->inc[fill[p->pairs[k].b]++] = (uint32_t)k;
  free(fill);
  return true;
}

void plan_problem_free(plan_problem *p) {
  free(p->unary);
  free(p->fixed);
  free(p->pairs);
  free(p->inc_start);
  free(p->inc);
  memset(p, 0, sizeof *p);
}

int64_t plan_cost(const plan_problem *p, const uint8_t *x) {
  int64_t sum = 0;
  for (size_t i = 0; i < p->n; i++) sum += p->unary[i].total[x[i]];
  for (size_t k = 0; k < p->npairs; k++) sum += p->pairs[k].cost[x[p->pairs[k].a]][x[p->pairs[k].b]];
  return sum;
}

bool plan_feasible(const plan_problem *p, const uint8_t *x) {
  for (size_t i = 0; i < p->n; i++)
    if (p->fixed[i] >= 0 && x[i] != p->fixed[i]) return false;
  for (size_t k = 0; k < p->nrelations; k++)
    if ((x[p->relations[k].a] == x[p->relations[k].b]) != p->relations[k].same) return false;
  return true;
}

bool plan_pair_submodular(const plan_pair *q) {
  return q->cost[0][1] + q->cost[1][0] >= q->cost[0][0] + q->cost[1][1];
}
