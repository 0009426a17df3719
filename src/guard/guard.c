/* Limits from a policy onto a store, run clocks, and the JSON usage report. */
#include <inttypes.h>
#include <time.h>

#include "guard.h"

void guard_apply(exec_store *s, const policy_limits *l) {
  s->limits.memory_bytes = l->memory_bytes;
  s->limits.table_elements = l->table_elements;
  s->limits.max_instances = l->max_instances;
  s->limits.trap_on_grow_failure = l->trap_on_grow_failure;
  s->limits.gc_heap_bytes = l->gc_heap_bytes;
  if (l->max_stack) s->thread.max_depth = l->max_stack;
  if (l->fuel != POLICY_UNLIMITED) {
    if (s->fuel_enabled && s->usage.fuel_base > s->fuel)
      s->usage.fuel_consumed += s->usage.fuel_base - s->fuel;
    s->fuel_enabled = true;
    s->fuel = l->fuel;
    s->usage.fuel_base = l->fuel;
  }
}

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void guard_clock_start(guard_clock *c) {
  c->wall0 = clock_ns(CLOCK_MONOTONIC);
  c->cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

void guard_clock_read(const guard_clock *c, uint64_t *wall_ns, uint64_t *cpu_ns) {
  *wall_ns = clock_ns(CLOCK_MONOTONIC) - c->wall0;
  *cpu_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c->cpu0;
}

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes as they are
 * (trap messages and paths are expected to be UTF-8). */
static void jstr(FILE *o, const char *s) {
  if (!s) {
    fputs("null", o);
    return;
  }
  fputc('"', o);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(o, "\\%c", *p);
    else if (*p < 0x20) fprintf(o, "\\u%04x", *p);
    else fputc(*p, o);
  }
  fputc('"', o);
}

/* A limit: a number, or null when not set. */
static void jlimit(FILE *o, uint64_t v, uint64_t unset) {
  if (v == unset) fputs("null", o);
  else fprintf(o, "%" PRIu64, v);
}

void guard_report_json(FILE *o, const exec_store *s, const guard_report *r) {
  static const exec_usage none;
  const exec_usage *u = s ? &s->usage : &none;
  /* schema_version: docs/json.md */
  fputs("{\n  \"schema_version\": 1,\n  \"command\": \"run\",\n  \"module\": ", o);
  jstr(o, r->module);
  fputs(",\n  \"outcome\": ", o);
  jstr(o, r->outcome);
  fputs(",\n  \"trap\": ", o);
  jstr(o, r->trap);
  fputs(",\n  \"error\": ", o);
  jstr(o, r->error);
  fprintf(o, ",\n  \"exit_code\": %d", r->exit_code);
  fputs(",\n  \"stopped_by\": ", o);
  jstr(o, exec_limit_name(u->stopped_by));
  if (r->limits) {
    const policy_limits *l = r->limits;
    fputs(",\n  \"limits\": {\"memory_bytes\": ", o);
    jlimit(o, l->memory_bytes, POLICY_UNLIMITED);
    fputs(", \"table_elements\": ", o);
    jlimit(o, l->table_elements, POLICY_UNLIMITED);
    fputs(", \"fuel\": ", o);
    jlimit(o, l->fuel, POLICY_UNLIMITED);
    fputs(", \"timeout_ns\": ", o);
    jlimit(o, l->timeout_ns, 0);
    fputs(", \"max_stack\": ", o);
    jlimit(o, l->max_stack, 0);
    fputs(", \"max_instances\": ", o);
    jlimit(o, l->max_instances, 0);
    fputs(", \"max_host_calls\": ", o);
    jlimit(o, l->max_host_calls, POLICY_UNLIMITED);
    fprintf(o, ", \"trap_on_grow_failure\": %s", l->trap_on_grow_failure ? "true" : "false");
    fputs(", \"gc_heap_bytes\": ", o);
    jlimit(o, l->gc_heap_bytes, POLICY_UNLIMITED);
    fputs("}", o);
  }
  fprintf(o, ",\n  \"memory\": {\"peak_bytes\": %" PRIu64 ", \"final_bytes\": %" PRIu64 "}",
          u->peak_memory_bytes, u->memory_bytes);
  fprintf(o,
          ",\n  \"tables\": {\"count\": %zu, \"peak_elements\": %" PRIu64 ", \"final_elements\": %" PRIu64
          ", \"peak_bytes\": %" PRIu64 ", \"final_bytes\": %" PRIu64 "}",
          s ? s->ntables : 0, u->peak_table_elements, u->table_elements, u->peak_table_elements * EXEC_TABLE_ELEM_BYTES,
          u->table_elements * EXEC_TABLE_ELEM_BYTES);
  fprintf(o, ",\n  \"gc_heap\": {\"peak_bytes\": %" PRIu64 ", \"final_bytes\": %" PRIu64 ", \"collections\": %" PRIu64 "}",
          u->peak_gc_bytes, u->gc_bytes, u->gc_collections);
  if (s && s->fuel_enabled) {
    uint64_t spent = u->fuel_base > s->fuel ? u->fuel_base - s->fuel : 0;
    fprintf(o, ",\n  \"fuel\": {\"consumed\": %" PRIu64 ", \"remaining\": %" PRIu64 "}",
            u->fuel_consumed + spent, s->fuel);
  } else {
    fputs(",\n  \"fuel\": null", o);
  }
  fprintf(o, ",\n  \"time\": {\"wall_ns\": %" PRIu64 ", \"cpu_ns\": %" PRIu64 "}", r->wall_ns, r->cpu_ns);
  fprintf(o, ",\n  \"instances\": %zu", s ? s->ninstances : 0);
  fprintf(o, ",\n  \"host_calls\": {\"total\": %" PRIu64 ", \"by_kind\": {", r->host_calls);
  bool first = true;
  for (size_t i = 0; i < r->nhost; i++) {
    if (!r->host[i].count) continue;
    fputs(first ? "" : ", ", o);
    first = false;
    jstr(o, r->host[i].name);
    fprintf(o, ": %" PRIu64, r->host[i].count);
  }
  fprintf(o, "}, \"bytes_read\": %" PRIu64 ", \"bytes_written\": %" PRIu64 "}", r->bytes_read,
          r->bytes_written);
  fprintf(o, ",\n  \"denials\": {\"host\": %" PRIu64 ", \"grow\": %" PRIu64 ", \"instantiation\": %" PRIu64 "}",
          r->host_denials, u->grow_denials, u->limit_denials);
  fputs("\n}\n", o);
}
