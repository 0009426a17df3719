/* guard: run-time resource limits. Applies a policy's limits (src/policy) to a store —
 * memory and table sizes, instances, call depth, fuel, a wall-clock deadline — and
 * gathers the usage report. The checks themselves sit where resources are created or
 * grown (src/exec memory.c, table.c, instance.c) and at the interpreter's interruption
 * points, so the hot path carries nothing new; this folder decides what the limits are,
 * raises deadlines, and reports.
 *
 * Depends on src/exec, src/policy and src/util. */
#ifndef WELD_GUARD_H
#define WELD_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../exec/exec.h"
#include "../policy/policy.h"
#include "../util/util.h"

/* Sets the store's memory/table/instance limits, call depth and fuel from `l`. The
 * deadline is armed separately (guard_deadline_arm) so the caller decides when the clock
 * starts. */
void guard_apply(exec_store *s, const policy_limits *l);

/* Arms a deadline `timeout_ns` from now on the process-wide timer thread (0 disarms). When
 * it passes, the store's interrupt flag is raised with the deadline reason. The store
 * disarms itself when freed. False with an error if the timer thread cannot start. */
bool guard_deadline_arm(exec_store *s, uint64_t timeout_ns, util_error *err);

/* Wall and CPU clocks around a run. */
typedef struct guard_clock {
  uint64_t wall0, cpu0;
} guard_clock;
void guard_clock_start(guard_clock *c);
void guard_clock_read(const guard_clock *c, uint64_t *wall_ns, uint64_t *cpu_ns);
uint64_t guard_now_ns(void); /* CLOCK_MONOTONIC */

/* One host function's call count. */
typedef struct guard_host_count {
  const char *name;
  uint64_t count;
} guard_host_count;

/* The usage report of one run. */
typedef struct guard_report {
  const char *module;          /* path as given */
  const policy_limits *limits; /* the limits in force */
  uint64_t wall_ns, cpu_ns;
  const char *outcome;         /* "ok", "exit", "trap", "refused" (instantiation refused),
                                  "error" (the module could not be read or loaded) */
  const char *trap;            /* the trap message, or NULL */
  const char *error;           /* why it was refused or failed, or NULL */
  int exit_code;               /* the process's exit status (134 for a trap) */
  /* host calls (WASI), by kind; NULL/0 when the module made none */
  const guard_host_count *host;
  size_t nhost;
  uint64_t host_calls, host_denials;
  uint64_t bytes_read, bytes_written;
} guard_report;

/* Writes the report as one JSON object (schema in docs/json.md), taking memory, fuel,
 * denials and the stopping limit from the store (NULL when the run failed before there
 * was one: the counts are zero). */
void guard_report_json(FILE *out, const exec_store *s, const guard_report *r);

#endif
