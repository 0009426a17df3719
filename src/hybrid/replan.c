/* `weld up --replan` on a running application: the supervisor records the run so far in
 * the history, plans again from the history (src/plan blends the measurements into the
 * cost model) and moves each service whose technology changed — only those: it stops the
 * service, starts its other variant, and points the routes that reached it (callers'
 * proxies, published ports) at its new port. Services in a pipeline keep their technology
 * (their streams cannot be handed over). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_int.h"

static bool in_pipeline(hy_app *a, const hy_svc *s) {
  for (size_t i = 0; i < a->nedges; i++)
    if (a->edges[i].kind == PLAN_PIPE && (a->edges[i].from == (int)s->index || a->edges[i].to == (int)s->index))
      return true;
  return false;
}

/* Stops s on its technology, starts it on tech. */
static bool move(hy_app *a, hy_svc *s, int tech, FILE *out, util_error *err) {
  int old = s->tech;
  if (old == PLAN_CONTAINER) {
    hy_routes_close_from(a, s);
    hy_runc_stop(s, 3000);
  } else {
    hy_wasm_stop(s);
    hy_wasm_release(s);
  }
  hy_log(a, "%s: stopped to move from %s to %s", s->ms->name, plan_tech_name(old), plan_tech_name(tech));
  s->tech = tech;
  s->state = HY_STARTING;
  s->exit_code = -1;
  s->reason[0] = 0;
  s->started_ns = 0;
  s->port = hy_svc_port(s);
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->from != (int)s->index && e->to != (int)s->index) continue;
    const char *before = e->unsupported;
    hy_edge_check(a, e);
    /* a container caller learnt its callees' addresses when it was created */
    if (e->from >= 0 && e->from != (int)s->index && before && !e->unsupported) {
      e->unsupported = "not supported: the callee had no port when the caller started (wired at the next weld up)";
    }
  }
  uint64_t t0 = hy_now_ns();
  bool ok;
  if (tech == PLAN_WASM) {
    ok = hy_wasm_prepare(s, err);
    for (uint32_t k = 0; ok && k < s->ninst; k++) ok = hy_wasm_start(s, k, err);
    if (ok) s->state = HY_RUNNING;
  } else {
    ok = hy_container_prepare(a, s, err) && hy_container_run(a, s, err);
    if (ok && !s->published) {
      bool any = false;
      for (size_t i = 0; i < a->nedges; i++) any |= a->edges[i].from == -1 && a->edges[i].to == (int)s->index;
      if (any) ok = hy_published_routes(a, s, err), s->published = ok;
      else if (s->ms->container.nports && out)
        fprintf(out, "weld: %s: its container ports are not published (it was WebAssembly when the application started)\n",
                s->ms->name);
    }
  }
  if (!ok) {
    s->state = HY_FAILED;
    snprintf(s->reason, sizeof s->reason, "%s", err->msg);
    return false;
  }
  s->started_ns = hy_now_ns();
  s->start_ms = (double)(s->started_ns - t0) / 1e6;
  hy_history_begin(a, s);
  hy_routes_retarget(a, s, s->port);
  hy_log(a, "%s: moved from %s to %s", s->ms->name, plan_tech_name(old), plan_tech_name(tech));
  return true;
}

void hy_replan(hy_app *a, FILE *out) {
  util_error err;
  util_error_clear(&err);
  if (!a->history[0]) {
    fprintf(out, "weld: error: not supported: history (built without SQLite)\n");
    return;
  }
  if (!hy_history_record(a, &err)) {
    fprintf(out, "weld: error: %s\n", err.msg);
    return;
  }
  plan_history h;
  if (!hybrid_history_load(a->history, &a->m, &h, &err)) {
    fprintf(out, "weld: error: %s\n", err.msg);
    return;
  }
  uint8_t *x = malloc(a->nsvcs + 1);
  bool ok = x && hy_plan_techs(a, &h, x, &err);
  if (!x) util_fail(&err, UTIL_ERR_OOM, -1, "out of memory");
  size_t moved = 0, kept = 0;
  for (size_t i = 0; ok && i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (x[i] == s->tech) continue;
    if (in_pipeline(a, s)) {
      fprintf(out, "weld: %s: kept on %s (the plan says %s, but it is part of a pipeline)\n", s->ms->name,
              plan_tech_name(s->tech), plan_tech_name(x[i]));
      kept++;
      continue;
    }
    int old = s->tech;
    if (!move(a, s, x[i], out, &err)) {
      char msg[sizeof err.msg];
      snprintf(msg, sizeof msg, "%s", err.msg);
      util_fail(&err, err.kind, -1, "%s: cannot start it on %s: %s", s->ms->name, plan_tech_name(x[i]), msg);
      ok = false;
      break;
    }
    s->why_tech = "planned from history";
    fprintf(out, "weld: %s: %s -> %s (restarted)\n", s->ms->name, plan_tech_name(old), plan_tech_name(x[i]));
    moved++;
  }
  if (ok) {
    fprintf(out, "weld: replanned from %s (%u runs): %zu service(s) moved, %zu kept, %zu unchanged\n", a->history, h.runs,
            moved, kept, a->nsvcs - moved - kept);
  } else {
    fprintf(out, "weld: error: %s\n", err.msg);
  }
  hy_log(a, "replanned: %zu moved%s%s", moved, ok ? "" : "; ", ok ? "" : err.msg);
  free(x);
  plan_history_free(&h);
}

bool hy_replan_ask(hy_app *a, FILE *out, util_error *err) {
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  if (!m) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  bool ok = hybrid_query(a->dir, "replan", m, err);
  fclose(m);
  if (ok) {
    const char *e = strstr(text, "weld: error: ");
    if (e) {
      size_t n = strcspn(e + 13, "\n");
      ok = util_fail(err, UTIL_ERR_IO, -1, "%.*s", (int)n, e + 13);
      fwrite(text, 1, (size_t)(e - text), out ? out : stderr);
    } else if (out) {
      fwrite(text, 1, len, out);
    }
  }
  free(text);
  return ok;
}
