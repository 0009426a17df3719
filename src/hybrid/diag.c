/* What `weld ps` and `weld diag` print, written by the supervisor from its live state:
 * the services (technology, state, pid or instances, ports, restarts), and per
 * interaction the proxy's counters (calls, errors, bytes, latency percentiles from a
 * power-of-two histogram), hotspots with their reasons, and a Mermaid graph whose edges
 * are coloured by health. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec.h"
#include "exec_int.h"

/* A number from a cgroup file of process pid: in its v1 hierarchy `ctrl`, file1 (key1: the
 * value after "key1 " in a flat-keyed file, NULL: the first number), else in its unified
 * (v2) hierarchy, file2 (key2). *v2 tells which; -1 when neither is there. */
static int64_t cgroup_value(pid_t pid, const char *ctrl, const char *file1, const char *key1, const char *file2,
                            const char *key2, bool *v2) {
  char path[600], line[1024], rel[512] = "", rel2[512] = "";
  snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c2 = 0;
    const char *ctrls = c1 + 1;
    if (!*ctrls) snprintf(rel2, sizeof rel2, "%s", c2 + 1);
    for (const char *p = ctrls; *p;) {
      size_t n = strcspn(p, ",");
      if (n == strlen(ctrl) && !strncmp(p, ctrl, n)) snprintf(rel, sizeof rel, "%s", c2 + 1);
      p += n + (p[n] == ',');
    }
  }
  fclose(f);
  const char *key;
  *v2 = !rel[0];
  if (rel[0]) snprintf(path, sizeof path, "/sys/fs/cgroup/%s%s/%s", ctrl, rel, file1), key = key1;
  else if (rel2[0]) snprintf(path, sizeof path, "/sys/fs/cgroup%s/%s", rel2, file2), key = key2;
  else return -1;
  if (!(f = fopen(path, "r"))) return -1;
  int64_t v = -1;
  size_t kl = key ? strlen(key) : 0;
  while (fgets(line, sizeof line, f)) {
    if (!key || (!strncmp(line, key, kl) && line[kl] == ' ')) {
      v = strtoll(line + (key ? kl + 1 : 0), NULL, 10);
      break;
    }
  }
  fclose(f);
  return v;
}

/* Memory in bytes and CPU time in ns of a service, -1 when unknown: a container's from its
 * cgroups, a WebAssembly service's from its stores' linear memory and its instances'
 * thread clocks. */
void hy_usage_of(hy_svc *s, int64_t *mem, int64_t *cpu_ns) {
  *mem = *cpu_ns = -1;
  if (s->tech == PLAN_CONTAINER) {
    if (s->pid <= 0) return;
    bool v2;
    *mem = cgroup_value(s->pid, "memory", "memory.usage_in_bytes", NULL, "memory.current", NULL, &v2);
    int64_t c = cgroup_value(s->pid, "cpuacct", "cpuacct.usage", NULL, "cpu.stat", "usage_usec", &v2);
    *cpu_ns = c >= 0 && v2 ? c * 1000 : c;
    return;
  }
  int64_t m = 0, t = 0;
  pthread_mutex_lock(&s->mu);
  for (uint32_t k = 0; k < s->ninst; k++) {
    hy_inst *in = &s->inst[k];
    if (in->store) m += (int64_t)__atomic_load_n(&((exec_store *)in->store)->usage.memory_bytes, __ATOMIC_RELAXED);
    clockid_t cid;
    struct timespec ts;
    if (in->started && !in->done && pthread_getcpuclockid(in->thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
      t += (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
  }
  pthread_mutex_unlock(&s->mu);
  *mem = m, *cpu_ns = t;
}

void hy_write_ps(hy_app *a, FILE *out) {
  fprintf(out, "%-16s %-10s %-11s %-10s %-22s %-8s %-9s %-8s %s\n", "SERVICE", "TECH", "STATE", "PID/INST", "PORTS",
          "RESTARTS", "MEM_MIB", "CPU_S", "LAST EXIT");
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
    int64_t mem, cpu;
    hy_usage_of(s, &mem, &cpu);
    char ms[32] = "-", cs[32] = "-";
    if (mem >= 0) snprintf(ms, sizeof ms, "%.1f", (double)mem / 1048576.0);
    if (cpu >= 0) snprintf(cs, sizeof cs, "%.3f", (double)cpu / 1e9);
    fprintf(out, "%-16s %-10s %-11s %-10s %-22s %-8u %-9s %-8s %s%s%s\n", s->ms->name, plan_tech_name(s->tech),
            hy_state_name(s->state), pid, ports, s->restarts, ms, cs, ex, s->reason[0] && s->state == HY_FAILED ? " " : "",
            s->state == HY_FAILED ? s->reason : "");
  }
}

hy_snap hy_stats_take(hy_stats *st) {
  hy_snap s;
  pthread_mutex_lock(&st->mu);
  s = (hy_snap){st->calls, st->errors, st->bytes_in, st->bytes_out, st->lat_sum_us, st->lat_max_us, {0}};
  memcpy(s.hist, st->lat_hist, sizeof s.hist);
  pthread_mutex_unlock(&st->mu);
  return s;
}

/* The q-quantile as the upper bound of its bucket, in milliseconds (capped by the max). */
double hy_snap_quantile_ms(const hy_snap *s, double q) {
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
    hy_snap s = hy_stats_take(&e->stats);
    double avg = s.calls ? (double)s.sum / (double)s.calls / 1000.0 : 0;
    fprintf(out, "%-32s %-5s %7" PRIu64 " %6" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8.3f %8.3f %8.3f %8.3f %8.3f\n", name,
            kind_name(e->kind), s.calls, s.errors, s.in, s.out, avg, hy_snap_quantile_ms(&s, 0.5), hy_snap_quantile_ms(&s, 0.95),
            hy_snap_quantile_ms(&s, 0.99), (double)s.max / 1000.0);
  }
  /* HTTP connections whose framing could not be followed: counted one call each from there */
  fprintf(out, "\nUNFRAMED HTTP\n");
  int found = 0;
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->unsupported || e->kind != PLAN_HTTP) continue;
    pthread_mutex_lock(&e->stats.mu);
    uint64_t n = e->stats.unframed;
    char why[sizeof e->stats.unframed_why];
    memcpy(why, e->stats.unframed_why, sizeof why);
    pthread_mutex_unlock(&e->stats.mu);
    if (!n) continue;
    found++;
    fprintf(out, "%s -> %s: %" PRIu64 " connection(s) stopped looking like HTTP (the first: %s); each counted one call from there\n",
            end_name(a, e->from), end_name(a, e->to), n, why);
  }
  if (!found) fprintf(out, "none (every HTTP connection was followed request by request)\n");
  /* hotspots: the design's three signals, each with its reason */
  fprintf(out, "\nHOTSPOTS\n");
  found = 0;
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->unsupported) continue;
    hy_snap s = hy_stats_take(&e->stats);
    if (!s.calls) continue;
    /* a stream's "latency" is how long it flowed: not a signal */
    double avg = e->kind == PLAN_PIPE ? 0 : (double)s.sum / (double)s.calls / 1000.0, rate = (double)s.errors / (double)s.calls;
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
    hy_snap s = hy_stats_take(&e->stats);
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

/* The same graph in Graphviz's DOT language (weld diag --dot; --png renders it with dot):
 * WebAssembly services rounded, containers boxes, edges labelled and coloured as above. */
static void dot_quoted(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

void hy_write_dot(hy_app *a, FILE *out) {
  fprintf(out, "digraph ");
  dot_quoted(out, a->name);
  fprintf(out, " {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
  bool host = false;
  for (size_t i = 0; i < a->nedges; i++) host |= a->edges[i].from < 0;
  if (host) fprintf(out, "  host [label=\"host\", shape=circle];\n");
  for (size_t i = 0; i < a->nsvcs; i++) {
    char id[80];
    node_id(a->svcs[i].ms->name, id, sizeof id);
    bool wasm = a->svcs[i].tech == PLAN_WASM;
    fprintf(out, "  s_%s [label=", id);
    char label[300];
    snprintf(label, sizeof label, "%s (%s)", a->svcs[i].ms->name, wasm ? "wasm" : "container");
    dot_quoted(out, label);
    fprintf(out, ", shape=box%s];\n", wasm ? ", style=rounded" : "");
  }
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    char f[80] = "host", t[80], id[72], label[200];
    if (e->from >= 0) {
      node_id(a->svcs[e->from].ms->name, id, sizeof id);
      snprintf(f, sizeof f, "s_%s", id);
    }
    node_id(a->svcs[e->to].ms->name, id, sizeof id);
    snprintf(t, sizeof t, "s_%s", id);
    hy_snap s = hy_stats_take(&e->stats);
    const char *colour, *style = "solid";
    if (e->unsupported) {
      snprintf(label, sizeof label, "%s: not wired", kind_name(e->kind));
      colour = "#999999", style = "dashed";
    } else {
      double avg = s.calls ? (double)s.sum / (double)s.calls / 1000.0 : 0;
      snprintf(label, sizeof label, "%s: %" PRIu64 " calls, %" PRIu64 " errors, avg %.2f ms", kind_name(e->kind), s.calls,
               s.errors, avg);
      double rate = s.calls ? (double)s.errors / (double)s.calls : 0;
      colour = rate > 0.05 ? "#d62728" : rate > 0 ? "#ff7f0e" : "#2ca02c";
    }
    fprintf(out, "  %s -> %s [label=", f, t);
    dot_quoted(out, label);
    fprintf(out, ", color=\"%s\", style=%s];\n", colour, style);
  }
  fprintf(out, "}\n");
}

/* OTLP/JSON (the JSON form of an ExportTraceServiceRequest): one resource (the application),
 * one scope (weld's proxy), a span per kept call: the caller's client span, named
 * "KIND FROM -> TO", its times and IDs as the JSON mapping writes them (64-bit integers as
 * strings, IDs in hex), status ERROR for a failed call, OK otherwise. */
static void json_str(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
    else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
    else fputc(*p, out);
  }
  fputc('"', out);
}

static void otel_attr_str(FILE *out, const char *key, const char *v, bool first) {
  fprintf(out, "%s{\"key\":\"%s\",\"value\":{\"stringValue\":", first ? "" : ",", key);
  json_str(out, v);
  fprintf(out, "}}");
}

static void hex(FILE *out, const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) fprintf(out, "%02x", b[i]);
}

void hy_write_otel(hy_app *a, FILE *out) {
  fprintf(out, "{\"resourceSpans\":[{\"resource\":{\"attributes\":[");
  otel_attr_str(out, "service.name", "weld", true);
  otel_attr_str(out, "service.namespace", a->name, false);
  fprintf(out, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"weld.proxy\",\"version\":\"%s\"},\"spans\":[", WELD_VERSION);
  bool first = true;
  hy_span *kept = malloc(HY_SPANS * sizeof *kept);
  for (size_t i = 0; kept && i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->kind == PLAN_PIPE || e->unsupported) continue; /* streams are not calls */
    pthread_mutex_lock(&e->stats.mu);
    uint64_t calls = e->stats.calls, n = calls < HY_SPANS ? calls : HY_SPANS;
    for (uint64_t k = 0; k < n; k++) kept[k] = e->stats.spans[(calls - n + k) % HY_SPANS];
    pthread_mutex_unlock(&e->stats.mu);
    const char *from = e->from >= 0 ? a->svcs[e->from].ms->name : "host", *to = a->svcs[e->to].ms->name;
    char name[300];
    snprintf(name, sizeof name, "%s %s -> %s", kind_name(e->kind), from, to);
    for (uint64_t k = 0; k < n; k++) {
      const hy_span *s = &kept[k];
      fprintf(out, "%s{\"traceId\":\"", first ? "" : ",");
      hex(out, s->id, 16);
      fprintf(out, "\",\"spanId\":\"");
      hex(out, s->id + 16, 8);
      fprintf(out, "\",\"name\":");
      json_str(out, name);
      fprintf(out, ",\"kind\":3,\"startTimeUnixNano\":\"%" PRIu64 "\",\"endTimeUnixNano\":\"%" PRIu64 "\",\"attributes\":[",
              s->start_unix_ns, s->end_unix_ns);
      otel_attr_str(out, "weld.from", from, true);
      otel_attr_str(out, "weld.to", to, false);
      otel_attr_str(out, "weld.interaction", kind_name(e->kind), false);
      fprintf(out, ",{\"key\":\"weld.bytes_received\",\"value\":{\"intValue\":\"%" PRIu64 "\"}}", s->in);
      fprintf(out, ",{\"key\":\"weld.bytes_sent\",\"value\":{\"intValue\":\"%" PRIu64 "\"}}", s->out);
      fprintf(out, "],\"status\":{\"code\":%d}}", s->error ? 2 : 1);
      first = false;
    }
  }
  free(kept);
  fprintf(out, "]}]}]}\n");
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
  static const char names[][16] = {"calls", "errors", "received_bytes", "sent_bytes"};
  static const char help[][84] = {"Calls through the proxy (one per HTTP request, TCP connection or pipeline stream).",
                                  "Calls that failed: unreachable, HTTP status 500 or more, nothing moved.",
                                  "Bytes from the caller to the callee.", "Bytes from the callee to the caller (and pipeline bytes)."};
  for (int k = 0; k < 4; k++) {
    fprintf(out, "# HELP weld_interaction_%s_total %s\n# TYPE weld_interaction_%s_total counter\n", names[k], help[k], names[k]);
    for (size_t i = 0; i < a->nedges; i++) {
      hy_edge *e = &a->edges[i];
      if (e->unsupported) continue;
      hy_snap s = hy_stats_take(&e->stats);
      uint64_t v = k == 0 ? s.calls : k == 1 ? s.errors : k == 2 ? s.in : s.out;
      fprintf(out, "weld_interaction_%s_total", names[k]);
      labels(a, e, out);
      fprintf(out, "} %" PRIu64 "\n", v);
    }
  }
  fprintf(out, "# HELP weld_interaction_http_unframed_connections_total HTTP connections that stopped looking like HTTP "
               "(each counted one call from there).\n# TYPE weld_interaction_http_unframed_connections_total counter\n");
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->unsupported || e->kind != PLAN_HTTP) continue;
    pthread_mutex_lock(&e->stats.mu);
    uint64_t n = e->stats.unframed;
    pthread_mutex_unlock(&e->stats.mu);
    fprintf(out, "weld_interaction_http_unframed_connections_total");
    labels(a, e, out);
    fprintf(out, "} %" PRIu64 "\n", n);
  }
  fprintf(out, "# HELP weld_interaction_latency_seconds Time from a request's first byte to its answer's last (HTTP), "
               "from accept to the end of the exchange (TCP), or how long a stream flowed.\n"
               "# TYPE weld_interaction_latency_seconds histogram\n");
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->unsupported) continue;
    hy_snap s = hy_stats_take(&e->stats);
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
