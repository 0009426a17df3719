/* What `weld ps` and `weld diag` print, written by the supervisor from its live state:
 * the services (technology, state, pid or instances, ports, restarts), and per
 * interaction the proxy's counters (calls, errors, bytes, latency percentiles from a
 * power-of-two histogram), hotspots with their reasons, and a Mermaid graph whose edges
 * are coloured by health. */
#include <inttypes.h>
#include <string.h>

#include "exec_int.h"

void hy_write_ps(hy_app *a, FILE *out) {
  fprintf(out, "%-16s %-10s %-11s %-10s %-22s %-8s %s\n", "SERVICE", "TECH", "STATE", "PID/INST", "PORTS", "RESTARTS",
          "LAST EXIT");
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    char pid[32] = "-", ports[128] = "-", ex[64] = "-";
    size_t o = 0;
    if (s->tech == PLAN_CONTAINER) {
      if (s->pid > 0) snprintf(pid, sizeof pid, "%d", (int)s->pid);
      for (size_t k = 0; k < s->ms->container.nports && o + 16 < sizeof ports; k++)
        o += (size_t)snprintf(ports + o, sizeof ports - o, "%s%u->%u", k ? "," : "", s->ms->container.ports[k].host,
                              s->ms->container.ports[k].container);
    } else {
      uint32_t live = 0;
      pthread_mutex_lock(&s->mu);
      for (uint32_t k = 0; k < s->ninst; k++) live += s->inst[k].started && !s->inst[k].done;
      pthread_mutex_unlock(&s->mu);
      snprintf(pid, sizeof pid, "%u/%u", live, s->ninst);
      if (s->ms->wasm.listen) snprintf(ports, sizeof ports, "%u", s->ms->wasm.listen);
    }
    if (s->exit_code >= 0) snprintf(ex, sizeof ex, "%d", s->exit_code);
    fprintf(out, "%-16s %-10s %-11s %-10s %-22s %-8u %s%s%s\n", s->ms->name, plan_tech_name(s->tech),
            hy_state_name(s->state), pid, ports, s->restarts, ex, s->reason[0] && s->state == HY_FAILED ? " " : "",
            s->state == HY_FAILED ? s->reason : "");
  }
}

typedef struct snap {
  uint64_t calls, errors, in, out, sum, max, hist[HY_LAT_BUCKETS];
} snap;

static snap take(hy_stats *st) {
  snap s;
  pthread_mutex_lock(&st->mu);
  s = (snap){st->calls, st->errors, st->bytes_in, st->bytes_out, st->lat_sum_us, st->lat_max_us, {0}};
  memcpy(s.hist, st->lat_hist, sizeof s.hist);
  pthread_mutex_unlock(&st->mu);
  return s;
}

/* The q-quantile as the upper bound of its bucket, in milliseconds (capped by the max). */
static double quantile_ms(const snap *s, double q) {
  if (!s->calls) return 0;
  uint64_t want = (uint64_t)(q * (double)s->calls + 0.999999), seen = 0;
  for (int b = 0; b < HY_LAT_BUCKETS; b++) {
    seen += s->hist[b];
    if (seen >= want) {
      double hi = (double)(UINT64_C(1) << (b + 1)) / 1000.0;
      double mx = (double)s->max / 1000.0;
      return hi < mx ? hi : mx;
    }
  }
  return (double)s->max / 1000.0;
}

static const char *end_name(hy_app *a, int i) { return i < 0 ? "(host)" : a->svcs[i].ms->name; }

static const char *kind_name(plan_kind k) { return plan_kind_name(k); }

void hy_write_diag(hy_app *a, FILE *out) {
  fprintf(out, "%-32s %-5s %7s %6s %10s %10s %8s %8s %8s %8s %8s\n", "INTERACTION", "KIND", "CALLS", "ERRORS", "BYTES_IN",
          "BYTES_OUT", "AVG_MS", "P50_MS", "P95_MS", "P99_MS", "MAX_MS");
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    char name[128];
    snprintf(name, sizeof name, "%s -> %s", end_name(a, e->from), end_name(a, e->to));
    if (e->unsupported) {
      fprintf(out, "%-32s %-5s %s\n", name, kind_name(e->kind), e->unsupported);
      continue;
    }
    snap s = take(&e->stats);
    double avg = s.calls ? (double)s.sum / (double)s.calls / 1000.0 : 0;
    fprintf(out, "%-32s %-5s %7" PRIu64 " %6" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8.3f %8.3f %8.3f %8.3f %8.3f\n", name,
            kind_name(e->kind), s.calls, s.errors, s.in, s.out, avg, quantile_ms(&s, 0.5), quantile_ms(&s, 0.95),
            quantile_ms(&s, 0.99), (double)s.max / 1000.0);
  }
  /* hotspots: the design's three signals, each with its reason */
  fprintf(out, "\nHOTSPOTS\n");
  int found = 0;
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->unsupported) continue;
    snap s = take(&e->stats);
    if (!s.calls) continue;
    double avg = (double)s.sum / (double)s.calls / 1000.0, rate = (double)s.errors / (double)s.calls;
    bool both = false;
    for (size_t j = 0; j < a->nedges; j++)
      if (a->edges[j].from == e->to && a->edges[j].to == e->from) both = true;
    double score = avg / 100.0 + rate * 10.0 + (both ? 1.0 : 0.0);
    if (avg < 100.0 && rate == 0 && !both) continue;
    found++;
    fprintf(out, "%s -> %s: score %.2f:", end_name(a, e->from), end_name(a, e->to), score);
    if (avg >= 100.0) fprintf(out, " average latency %.1f ms (>= 100 ms);", avg);
    if (rate > 0) fprintf(out, " %.1f%% of calls failed;", rate * 100.0);
    if (both) fprintf(out, " the services call each other (a cycle across the boundary);");
    fputc('\n', out);
  }
  if (!found) fprintf(out, "none (no interaction averages 100 ms or more, fails, or runs both ways)\n");
}

static void node_id(const char *name, char *buf, size_t n) {
  size_t o = 0;
  for (const char *p = name; *p && o + 1 < n; p++)
    buf[o++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ? *p : '_';
  buf[o] = 0;
}

void hy_write_mermaid(hy_app *a, FILE *out) {
  fprintf(out, "graph LR\n");
  bool host = false;
  for (size_t i = 0; i < a->nedges; i++) host |= a->edges[i].from < 0;
  if (host) fprintf(out, "  host((host))\n");
  for (size_t i = 0; i < a->nsvcs; i++) {
    char id[80];
    node_id(a->svcs[i].ms->name, id, sizeof id);
    if (a->svcs[i].tech == PLAN_WASM) fprintf(out, "  s_%s([\"%s (wasm)\"])\n", id, a->svcs[i].ms->name);
    else fprintf(out, "  s_%s[\"%s (container)\"]\n", id, a->svcs[i].ms->name);
  }
  size_t link = 0;
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    char f[80] = "host", t[80];
    if (e->from >= 0) {
      char id[72];
      node_id(a->svcs[e->from].ms->name, id, sizeof id);
      snprintf(f, sizeof f, "s_%s", id);
    }
    char id[72];
    node_id(a->svcs[e->to].ms->name, id, sizeof id);
    snprintf(t, sizeof t, "s_%s", id);
    snap s = take(&e->stats);
    const char *colour;
    if (e->unsupported) {
      fprintf(out, "  %s -.->|\"%s: not wired\"| %s\n", f, kind_name(e->kind), t);
      colour = "#999999";
    } else {
      double avg = s.calls ? (double)s.sum / (double)s.calls / 1000.0 : 0;
      fprintf(out, "  %s -->|\"%s: %" PRIu64 " calls, %" PRIu64 " errors, avg %.2f ms\"| %s\n", f, kind_name(e->kind),
              s.calls, s.errors, avg, t);
      double rate = s.calls ? (double)s.errors / (double)s.calls : 0;
      colour = rate > 0.05 ? "#d62728" : rate > 0 ? "#ff7f0e" : "#2ca02c";
    }
    fprintf(out, "  linkStyle %zu stroke:%s\n", link++, colour);
  }
}

/* ---------- Prometheus text exposition (format 0.0.4) ---------- */

static void labels(hy_app *a, const hy_edge *e, FILE *out) {
  fprintf(out, "{app=\"%s\",from=\"%s\",to=\"%s\",kind=\"%s\"", a->name, end_name(a, e->from), end_name(a, e->to),
          kind_name(e->kind));
}

void hy_write_prometheus(hy_app *a, FILE *out) {
  fprintf(out, "# HELP weld_service_up Whether the service runs (1) or not (0).\n# TYPE weld_service_up gauge\n");
  for (size_t i = 0; i < a->nsvcs; i++)
    fprintf(out, "weld_service_up{app=\"%s\",service=\"%s\",tech=\"%s\"} %d\n", a->name, a->svcs[i].ms->name,
            plan_tech_name(a->svcs[i].tech), a->svcs[i].state == HY_RUNNING);
  fprintf(out, "# HELP weld_service_restarts_total Restarts of the service.\n# TYPE weld_service_restarts_total counter\n");
  for (size_t i = 0; i < a->nsvcs; i++)
    fprintf(out, "weld_service_restarts_total{app=\"%s\",service=\"%s\",tech=\"%s\"} %u\n", a->name, a->svcs[i].ms->name,
            plan_tech_name(a->svcs[i].tech), a->svcs[i].restarts);
  static const char *const names[] = {"calls", "errors", "received_bytes", "sent_bytes"};
  static const char *const help[] = {"Calls through the proxy (one per connection, or per stream).",
                                     "Calls that failed: unreachable, HTTP status 500 or more, nothing moved.",
                                     "Bytes from the caller to the callee.", "Bytes from the callee to the caller (and pipeline bytes)."};
  for (int k = 0; k < 4; k++) {
    fprintf(out, "# HELP weld_interaction_%s_total %s\n# TYPE weld_interaction_%s_total counter\n", names[k], help[k], names[k]);
    for (size_t i = 0; i < a->nedges; i++) {
      hy_edge *e = &a->edges[i];
      if (e->unsupported) continue;
      snap s = take(&e->stats);
      uint64_t v = k == 0 ? s.calls : k == 1 ? s.errors : k == 2 ? s.in : s.out;
      fprintf(out, "weld_interaction_%s_total", names[k]);
      labels(a, e, out);
      fprintf(out, "} %" PRIu64 "\n", v);
    }
  }
  fprintf(out, "# HELP weld_interaction_latency_seconds Time from accept to the end of the exchange.\n"
               "# TYPE weld_interaction_latency_seconds histogram\n");
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->unsupported) continue;
    snap s = take(&e->stats);
    uint64_t cum = 0;
    for (int b = 0; b < HY_LAT_BUCKETS; b++) {
      cum += s.hist[b];
      fprintf(out, "weld_interaction_latency_seconds_bucket");
      labels(a, e, out);
      fprintf(out, ",le=\"%.6f\"} %" PRIu64 "\n", (double)(UINT64_C(1) << (b + 1)) / 1e6, cum);
    }
    fprintf(out, "weld_interaction_latency_seconds_bucket");
    labels(a, e, out);
    fprintf(out, ",le=\"+Inf\"} %" PRIu64 "\n", s.calls);
    fprintf(out, "weld_interaction_latency_seconds_sum");
    labels(a, e, out);
    fprintf(out, "} %.6f\n", (double)s.sum / 1e6);
    fprintf(out, "weld_interaction_latency_seconds_count");
    labels(a, e, out);
    fprintf(out, "} %" PRIu64 "\n", s.calls);
  }
}
