/* What the executor measured, as the cost model uses it (docs/plan.md, "History"). The
 * database itself is src/hybrid's (SQLite); here are only the weighted means and the rule
 * that blends them into the estimates: each measured quantity is an exponentially weighted
 * mean over the runs that measured it (the newest weighing λ = 0.3), and it replaces the
 * estimate in proportion to its samples, entirely from PLAN_HISTORY_MIN_SAMPLES runs on. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

bool plan_history_init(plan_history *h, const plan_app *app, const char *source) {
  memset(h, 0, sizeof *h);
  h->source = source;
  h->min_samples = PLAN_HISTORY_MIN_SAMPLES;
  h->nservices = app->nservices;
  h->ninteractions = app->ninteractions;
  h->svc = util_try_calloc(app->nservices * PLAN_NTECH + 1, sizeof *h->svc);
  h->inter = util_try_calloc(app->ninteractions + 1, sizeof *h->inter);
  if (!h->svc || !h->inter) {
    plan_history_free(h);
    return false;
  }
  return true;
}

void plan_history_free(plan_history *h) {
  free(h->svc);
  free(h->inter);
  memset(h, 0, sizeof *h);
}

void plan_ewma_add(plan_ewma *e, double v) {
  if (!(v >= 0)) return; /* unknown (negative or NaN): not a sample */
  e->v = e->n ? PLAN_HISTORY_LAMBDA * v + (1.0 - PLAN_HISTORY_LAMBDA) * e->v : v;
  e->n++;
}

double plan_history_confidence(const plan_history *h, const plan_ewma *e) {
  uint32_t min = h && h->min_samples ? h->min_samples : PLAN_HISTORY_MIN_SAMPLES;
  return e->n >= min ? 1.0 : (double)e->n / (double)min;
}

double plan_svc_obs_confidence(const plan_history *h, const plan_svc_obs *o) {
  double a = plan_history_confidence(h, &o->start_ms), b = plan_history_confidence(h, &o->cpu_ms_per_s),
         c = plan_history_confidence(h, &o->rss_mib);
  return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

double plan_history_blend(const plan_history *h, const plan_ewma *e, double estimate) {
  double c = plan_history_confidence(h, e);
  return c * e->v + (1.0 - c) * estimate;
}
