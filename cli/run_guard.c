/* `weld run`'s resource-limit side: the limit flags (which override the policy file's
 * limits), arming the limits on the store, the --report file and --audit-first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli.h"
#include "exec/exec.h"
#include "guard/guard.h"
#include "wasi/wasi.h"
#include "weld.h"

/* more than the preview1 functions there are */
#define WASI_MAX_REPORTED 64

void cli_guard_init(cli_guard_opts *g) {
  memset(g, 0, sizeof *g);
}

static bool parse_count(const char *s, uint64_t max, uint64_t *out) {
  if (!s[0] || s[0] < '0' || s[0] > '9') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return false;
  *out = v;
  return true;
}

bool cli_guard_option(cli_guard_opts *g, const char *a, const char *v, util_error *err) {
  if (strcmp(a, "--trap-on-grow-failure") == 0) {
    g->lim.trap_on_grow_failure = true;
    g->set |= POLICY_LIMIT_TRAP_ON_GROW;
    return true;
  }
  if (strcmp(a, "--audit-first") == 0) {
    g->audit_first = true;
    return true;
  }
  uint64_t n;
  util_error perr;
  util_error_clear(&perr);
  if (strcmp(a, "--report") == 0) {
    g->report = v;
  } else if (strcmp(a, "--fuel") == 0) {
    if (!parse_count(v, UINT64_MAX - 1, &n)) goto not_count;
    g->lim.fuel = n;
    g->set |= POLICY_LIMIT_FUEL;
  } else if (strcmp(a, "--max-memory") == 0) {
    if (!policy_parse_size(v, &n, &perr)) {
      return util_fail(err, UTIL_ERR_USAGE, -1, "--max-memory: %s", perr.msg);
    }
    g->lim.memory_bytes = n;
    g->set |= POLICY_LIMIT_MEMORY;
  } else if (strcmp(a, "--max-gc-heap") == 0) {
    if (!policy_parse_size(v, &n, &perr)) {
      return util_fail(err, UTIL_ERR_USAGE, -1, "--max-gc-heap: %s", perr.msg);
    }
    g->lim.gc_heap_bytes = n;
    g->set |= POLICY_LIMIT_GC_HEAP;
  } else if (strcmp(a, "--timeout") == 0) {
    if (!policy_parse_duration(v, &n, &perr)) {
      return util_fail(err, UTIL_ERR_USAGE, -1, "--timeout: %s", perr.msg);
    }
    if (n == 0) {
      return util_fail(err, UTIL_ERR_USAGE, -1, "--timeout: '%s' must be more than zero", v);
    }
    g->lim.timeout_ns = n;
    g->set |= POLICY_LIMIT_TIMEOUT;
  } else if (strcmp(a, "--max-table-elements") == 0) {
    if (!parse_count(v, UINT64_MAX - 1, &n)) goto not_count;
    g->lim.table_elements = n;
    g->set |= POLICY_LIMIT_TABLE;
  } else if (strcmp(a, "--max-stack") == 0) {
    if (!parse_count(v, UINT32_MAX, &n) || n == 0) goto not_count;
    g->lim.max_stack = (uint32_t)n;
    g->set |= POLICY_LIMIT_STACK;
  } else if (strcmp(a, "--max-instances") == 0) {
    if (!parse_count(v, UINT32_MAX, &n) || n == 0) goto not_count;
    g->lim.max_instances = (uint32_t)n;
    g->set |= POLICY_LIMIT_INSTANCES;
  } else {
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s: not a limit option", a);
  }
  return true;
not_count:
  return util_fail(err, UTIL_ERR_USAGE, -1, "%s: '%s' is not a %s", a, v,
            strcmp(a, "--max-stack") == 0 || strcmp(a, "--max-instances") == 0
                ? "positive whole number"
                : "whole number");
}

void cli_guard_override(const cli_guard_opts *g, policy *p) {
  policy_limits *l = &p->limits;
  if (g->set & POLICY_LIMIT_FUEL) l->fuel = g->lim.fuel;
  if (g->set & POLICY_LIMIT_MEMORY) l->memory_bytes = g->lim.memory_bytes;
  if (g->set & POLICY_LIMIT_TIMEOUT) l->timeout_ns = g->lim.timeout_ns;
  if (g->set & POLICY_LIMIT_GC_HEAP) l->gc_heap_bytes = g->lim.gc_heap_bytes;
  if (g->set & POLICY_LIMIT_TABLE) l->table_elements = g->lim.table_elements;
  if (g->set & POLICY_LIMIT_STACK) l->max_stack = g->lim.max_stack;
  if (g->set & POLICY_LIMIT_INSTANCES) l->max_instances = g->lim.max_instances;
  if (g->set & POLICY_LIMIT_TRAP_ON_GROW) l->trap_on_grow_failure = true;
  p->limits_set |= g->set;
}

int cli_guard_audit(const char *path, const weld_module *mod, const policy *p) {
  const wasm_module *w = ((const exec_module *)mod)->wasm;
  audit_report r;
  util_error err;
  util_error_clear(&err);
  if (!audit_module(w, p, &r, &err)) {
    fprintf(stderr, "weld: %s: audit failed: %s\n", cli_display_name(path), err.msg);
    return CLI_EXIT_BAD_MODULE;
  }
  int rc = CLI_EXIT_OK;
  if (!audit_passed(&r)) {
    fprintf(stderr, "weld: %s: refused by the audit (%zu violation%s of policy %s):\n",
            cli_display_name(path), r.nviolations, r.nviolations == 1 ? "" : "s",
            r.policy_name ? r.policy_name : "(unnamed)");
    for (size_t k = 0; k < r.nviolations; k++)
      fprintf(stderr, "  %s [%s]: %s\n", audit_severity_name(r.violations[k].severity),
              r.violations[k].kind, r.violations[k].message);
    rc = CLI_EXIT_BAD_MODULE;
  }
  audit_report_free(&r);
  return rc;
}

bool cli_guard_arm(weld_store *store, const policy *p, guard_clock *clk, util_error *err) {
  exec_store *s = (exec_store *)store;
  guard_apply(s, &p->limits);
  guard_clock_start(clk);
  return guard_deadline_arm(s, p->limits.timeout_ns, err);
}

bool cli_guard_report(const cli_guard_opts *g, const char *path, weld_store *store,
                      const wasi_ctx *wctx, const policy *p, const guard_clock *clk,
                      const char *outcome, const char *trap, const char *error, int exit_code) {
  if (!g->report) return true;
  guard_report r = {.module = path, .limits = &p->limits, .outcome = outcome, .trap = trap,
                    .error = error, .exit_code = exit_code};
  if (store) guard_clock_read(clk, &r.wall_ns, &r.cpu_ns); /* the clocks start with the store */
  guard_host_count counts[WASI_MAX_REPORTED];
  if (wctx) {
    wasi_stats st = wasi_ctx_stats(wctx);
    r.host_calls = st.calls;
    r.host_denials = st.denials;
    r.bytes_read = st.bytes_read;
    r.bytes_written = st.bytes_written;
    const char *name;
    uint64_t n;
    for (size_t k = 0; k < WASI_MAX_REPORTED && wasi_ctx_call_stat(wctx, k, &name, &n); k++)
      counts[r.nhost++] = (guard_host_count){name, n};
    r.host = counts;
  }
  /* `-` is stderr: the guest owns stdout, and a report in the middle of its output
   * would corrupt both */
  FILE *o = strcmp(g->report, "-") == 0 ? stderr : fopen(g->report, "w");
  if (!o) {
    fprintf(stderr, "weld: cannot write the report '%s': %s\n", g->report, strerror(errno));
    return false;
  }
  fflush(stdout);
  guard_report_json(o, (const exec_store *)store, &r);
  if (o != stderr && fclose(o) != 0) {
    fprintf(stderr, "weld: cannot write the report '%s': %s\n", g->report, strerror(errno));
    return false;
  }
  return true;
}
