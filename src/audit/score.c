/* Risk scoring and policy verification.
 *
 * The risk is the highest level any single reason asks for; each reason names the
 * imports or facts behind it, so a reviewer sees why the score is what it is. Levels:
 *   minimal   nothing beyond exit, yielding and descriptor bookkeeping
 *   low       standard streams, arguments, environment, clocks, randomness, unbounded memory
 *   moderate  reading files, socket I/O on sockets passed in, signals, embedded executables
 *   high      changing or deleting files, accepting connections, opaque host functions
 *   critical  the network together with the power to change files */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

__attribute__((format(printf, 3, 4))) static void reason(audit_report *r, policy_risk level, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  audit_reason x = {level, util_try_strdup(buf)};
  if (!x.text || !UTIL_VEC_TRY_PUSH(r->reasons, r->nreasons, r->capreasons, x)) {
    free(x.text);
    r->oom = true;
  }
  if (level > r->risk) r->risk = level;
}

__attribute__((format(printf, 4, 5))) static void violation(audit_report *r, audit_severity sev, const char *kind,
                                                           const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  audit_violation v = {sev, kind, util_try_strdup(buf)};
  if (!v.message || !UTIL_VEC_TRY_PUSH(r->violations, r->nviolations, r->capviolations, v)) {
    free(v.message);
    r->oom = true;
  }
}

/* The names of the WASI imports with any of the file ops / AUDIT ops / caps given,
 * comma-separated ("path_open, path_unlink_file"). */
static const char *who(const audit_report *r, uint32_t file_ops, uint32_t ops, uint32_t caps, char *buf, size_t n) {
  size_t k = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < r->nimports; i++) {
    const audit_import *a = &r->imports[i];
    if (!(a->file_ops & file_ops) && !(a->ops & ops) && !(a->caps & caps)) continue;
    /* Skip a repeated name (a module may import one function twice). */
    bool dup = false;
    for (uint32_t j = 0; j < i && !dup; j++)
      dup = (r->imports[j].file_ops & file_ops || r->imports[j].ops & ops || r->imports[j].caps & caps) &&
            strcmp(r->imports[j].name, a->name) == 0 && strcmp(r->imports[j].module, a->module) == 0;
    if (dup) continue;
    int w = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", a->name);
    if (w < 0 || (size_t)w >= n - k) {
      if (n > 4) strcpy(buf + n - 4, "...");
      return buf;
    }
    k += (size_t)w;
  }
  return buf;
}

static bool is_executable_kind(const char *kind) {
  return strstr(kind, "executable") || strstr(kind, "WebAssembly") || strstr(kind, "Mach-O") ||
         strstr(kind, "script");
}

void audit_score(audit_report *r) {
  const audit_boundary *b = &r->boundary;
  char w[300];
  r->risk = POLICY_RISK_MINIMAL;
  const uint32_t RW = POLICY_OP_WRITE | POLICY_OP_CREATE;
  bool net = b->caps & (1u << AUDIT_CAP_NETWORK);

  if (r->nimports == 0) reason(r, POLICY_RISK_MINIMAL, "imports nothing: pure computation on its own memory");
  if (b->ops & (AUDIT_OP_EXIT | AUDIT_OP_YIELD | AUDIT_OP_FD_META))
    reason(r, POLICY_RISK_MINIMAL, "exits, yields or manages its own descriptors (%s)",
           who(r, 0, AUDIT_OP_EXIT | AUDIT_OP_YIELD | AUDIT_OP_FD_META, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_STDOUT)
    reason(r, POLICY_RISK_LOW, "writes to standard output or standard error (%s)", who(r, 0, AUDIT_OP_STDOUT, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_STDIN)
    reason(r, POLICY_RISK_LOW, "reads standard input (%s)", who(r, 0, AUDIT_OP_STDIN, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_ENV_ARGS)
    reason(r, POLICY_RISK_LOW, "reads its command-line arguments (%s)", who(r, 0, AUDIT_OP_ENV_ARGS, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_ENV_VARS)
    reason(r, POLICY_RISK_LOW, "reads the environment variables it is given, which may hold secrets (%s)",
           who(r, 0, AUDIT_OP_ENV_VARS, 0, w, sizeof w));
  if (b->ops & (AUDIT_OP_CLOCK_READ | AUDIT_OP_CLOCK_WAIT))
    reason(r, POLICY_RISK_LOW, "reads clocks or waits on timers, enough to time other activity (%s)",
           who(r, 0, AUDIT_OP_CLOCK_READ | AUDIT_OP_CLOCK_WAIT, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_RANDOM)
    reason(r, POLICY_RISK_LOW, "reads the host's random source (%s)", who(r, 0, AUDIT_OP_RANDOM, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_RAISE)
    reason(r, POLICY_RISK_MODERATE, "can send signals to the process (%s)", who(r, 0, AUDIT_OP_RAISE, 0, w, sizeof w));
  if (b->file_ops & (POLICY_OP_READ | POLICY_OP_LIST))
    reason(r, POLICY_RISK_MODERATE, "can read or list files in the directories it is given (%s)",
           who(r, POLICY_OP_READ | POLICY_OP_LIST, 0, 0, w, sizeof w));
  if (b->file_ops & RW)
    reason(r, POLICY_RISK_HIGH, "can write, truncate or create files and directories (%s)", who(r, RW, 0, 0, w, sizeof w));
  if (b->file_ops & POLICY_OP_DELETE)
    reason(r, POLICY_RISK_HIGH, "can delete files or directories (%s)", who(r, POLICY_OP_DELETE, 0, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_NET_IO)
    reason(r, POLICY_RISK_MODERATE, "can send and receive on sockets the host passes in (%s)",
           who(r, 0, AUDIT_OP_NET_IO, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_NET_LISTEN)
    reason(r, POLICY_RISK_HIGH, "can accept network connections: reachable from the network (%s)",
           who(r, 0, AUDIT_OP_NET_LISTEN, 0, w, sizeof w));
  if (net && (b->file_ops & (RW | POLICY_OP_DELETE)))
    reason(r, POLICY_RISK_CRITICAL, "combines network access with the power to change or delete files: it can be "
                                    "driven remotely to modify data");
  else if (net && (b->file_ops & POLICY_OP_READ))
    reason(r, POLICY_RISK_HIGH, "combines network access with reading files: it can send file contents away");
  for (uint32_t i = 0; i < r->nimports; i++) {
    const audit_import *a = &r->imports[i];
    if (!a->opaque) continue;
    bool first = true;
    uint32_t count = 0;
    for (uint32_t j = 0; j < r->nimports; j++) {
      if (!r->imports[j].opaque || strcmp(r->imports[j].module, a->module) != 0) continue;
      if (j < i) first = false;
      count++;
    }
    if (first)
      reason(r, POLICY_RISK_HIGH, "imports %u function%s from host module '%s', which the audit cannot see into",
             count, count == 1 ? "" : "s", a->module);
  }
  for (uint32_t i = 0; i < r->nimports; i++)
    if (r->imports[i].kind != WASM_EXTERN_FUNC && r->imports[i].kind != WASM_EXTERN_TAG) {
      reason(r, POLICY_RISK_MINIMAL, "imports a memory, table or global, sharing state with the host");
      break;
    }
  for (uint32_t i = 0; i < r->nmemories; i++)
    if (!r->memories[i].has_max && !r->memories[i].imported) {
      reason(r, POLICY_RISK_LOW, "memory %u has no maximum: only a policy limit bounds its growth", i);
      break;
    }
  bool exec_seen = false, other_seen = false;
  for (size_t i = 0; i < r->nembedded; i++) {
    const audit_embedded *e = &r->embedded[i];
    if (is_executable_kind(e->kind) && !exec_seen) {
      exec_seen = true;
      reason(r, POLICY_RISK_MODERATE, "data segment %u carries an embedded %s at byte %u", e->data_index, e->kind,
             e->offset);
    } else if (!is_executable_kind(e->kind) && !other_seen) {
      other_seen = true;
      reason(r, POLICY_RISK_MINIMAL, "data segment %u carries an embedded %s at byte %u", e->data_index, e->kind,
             e->offset);
    }
  }
  /* Highest level first, keeping the order within a level (insertion sort is stable). */
  for (size_t i = 1; i < r->nreasons; i++) {
    audit_reason x = r->reasons[i];
    size_t j = i;
    while (j > 0 && r->reasons[j - 1].level < x.level) {
      r->reasons[j] = r->reasons[j - 1];
      j--;
    }
    r->reasons[j] = x;
  }
}

/* "64 MiB" when exact in a binary unit, else bytes. */
static const char *size_text(uint64_t v, char *buf, size_t n) {
  static const char units[][4] = {"KiB", "MiB", "GiB", "TiB"}; /* arrays: no relocations at start-up */
  int u = -1;
  while (u < 3 && v && (v & 1023) == 0) v >>= 10, u++;
  if (u < 0) snprintf(buf, n, "%llu bytes", (unsigned long long)v);
  else snprintf(buf, n, "%llu %s", (unsigned long long)v, units[u]);
  return buf;
}

static uint64_t pages_to_bytes(uint64_t pages) {
  return pages > (UINT64_MAX >> 16) ? UINT64_MAX : pages << 16;
}

void audit_verify(audit_report *r, const policy *p) {
  const audit_boundary *b = &r->boundary;
  char w[300], o1[96], o2[96];
  r->has_policy = true;
  if (!(r->policy_name = util_try_strdup(p->name ? p->name : "(unnamed)"))) r->oom = true;

  if (b->file_ops) {
    if (p->ndirs == 0) {
      violation(r, AUDIT_SEV_HIGH, "capability", "file system access (%s) is not granted: the policy has no directories (%s)",
                policy_ops_format(b->file_ops, o1, sizeof o1), who(r, POLICY_OP_ALL, 0, 0, w, sizeof w));
    } else {
      uint32_t granted = 0;
      for (size_t i = 0; i < p->ndirs; i++) granted |= p->dirs[i].ops;
      for (size_t i = 0; i < p->npaths; i++) granted |= p->paths[i].ops;
      uint32_t missing = b->file_ops & ~granted;
      for (uint32_t bit = 1; bit <= POLICY_OP_LIST; bit <<= 1)
        if (missing & bit)
          violation(r, bit & (POLICY_OP_READ | POLICY_OP_LIST) ? AUDIT_SEV_MEDIUM : AUDIT_SEV_HIGH, "operation",
                    "file operation '%s' is not granted on any directory or path (%s)",
                    policy_ops_format(bit, o1, sizeof o1), who(r, bit, 0, 0, w, sizeof w));
    }
  }
  if (b->caps & (1u << AUDIT_CAP_NETWORK)) {
    if (p->nnet == 0) {
      violation(r, AUDIT_SEV_HIGH, "capability", "network access is not granted: the policy names no endpoints (%s)",
                who(r, 0, AUDIT_OP_NET_LISTEN | AUDIT_OP_NET_IO, 0, w, sizeof w));
    } else if (b->ops & AUDIT_OP_NET_LISTEN) {
      bool listen = false;
      for (size_t i = 0; i < p->nnet; i++) listen |= (p->net[i].ops & POLICY_NET_LISTEN) != 0;
      if (!listen)
        violation(r, AUDIT_SEV_HIGH, "operation", "accepting connections is not granted: no [net] listen endpoint (%s)",
                  who(r, 0, AUDIT_OP_NET_LISTEN, 0, w, sizeof w));
    }
  }
  if ((b->ops & AUDIT_OP_ENV_VARS) && !p->env_inherit_all && p->nenv == 0)
    violation(r, AUDIT_SEV_LOW, "capability", "environment variables are not granted: the module will see none (%s)",
              who(r, 0, AUDIT_OP_ENV_VARS, 0, w, sizeof w));
  if ((b->ops & (AUDIT_OP_CLOCK_READ | AUDIT_OP_CLOCK_WAIT)) && !p->allow_clocks)
    violation(r, AUDIT_SEV_MEDIUM, "capability", "clocks are not granted (%s)",
              who(r, 0, AUDIT_OP_CLOCK_READ | AUDIT_OP_CLOCK_WAIT, 0, w, sizeof w));
  if ((b->ops & AUDIT_OP_RANDOM) && !p->allow_random)
    violation(r, AUDIT_SEV_MEDIUM, "capability", "the random source is not granted (%s)",
              who(r, 0, AUDIT_OP_RANDOM, 0, w, sizeof w));
  if ((b->ops & AUDIT_OP_EXIT) && !p->allow_exit)
    violation(r, AUDIT_SEV_LOW, "capability", "exit is not granted (%s)", who(r, 0, AUDIT_OP_EXIT, 0, w, sizeof w));
  if (b->ops & AUDIT_OP_RAISE)
    violation(r, AUDIT_SEV_MEDIUM, "capability", "signals cannot be granted by a policy (%s)",
              who(r, 0, AUDIT_OP_RAISE, 0, w, sizeof w));
  if ((b->ops & AUDIT_OP_STDIN) && !p->allow_stdin)
    violation(r, AUDIT_SEV_LOW, "capability", "standard input is not granted (%s)", who(r, 0, AUDIT_OP_STDIN, 0, w, sizeof w));
  if ((b->ops & AUDIT_OP_STDOUT) && !p->allow_stdout && !p->allow_stderr)
    violation(r, AUDIT_SEV_LOW, "capability", "standard output and standard error are not granted (%s)",
              who(r, 0, AUDIT_OP_STDOUT, 0, w, sizeof w));
  for (uint32_t i = 0; i < r->nimports; i++) {
    const audit_import *a = &r->imports[i];
    bool first = a->opaque;
    for (uint32_t j = 0; j < i && first; j++)
      first = !(r->imports[j].opaque && strcmp(r->imports[j].module, a->module) == 0);
    if (first)
      violation(r, AUDIT_SEV_HIGH, "capability", "functions of host module '%s' cannot be granted by a policy (%s, ...)",
                a->module, a->name);
  }

  uint64_t mem_limit = p->limits.memory_bytes;
  if (mem_limit != POLICY_UNLIMITED) {
    uint64_t total = 0;
    const char *grow = p->limits.trap_on_grow_failure ? "trap" : "fail";
    for (uint32_t i = 0; i < r->nmemories; i++) {
      const audit_limits_info *m = &r->memories[i];
      uint64_t min = pages_to_bytes(m->min);
      total = total + min < total ? UINT64_MAX : total + min;
      size_text(mem_limit, o2, sizeof o2);
      if (min > mem_limit) {
        violation(r, AUDIT_SEV_HIGH, "limit",
                  "memory %u needs at least %llu pages (%llu bytes), above the memory limit of %s: it cannot be instantiated",
                  i, (unsigned long long)m->min, (unsigned long long)min, o2);
      } else if (m->has_max && pages_to_bytes(m->max) > mem_limit) {
        violation(r, AUDIT_SEV_LOW, "limit", "memory %u may grow to %llu pages, above the memory limit of %s: growth past it will %s",
                  i, (unsigned long long)m->max, o2, grow);
      } else if (!m->has_max) {
        violation(r, r->memory_grow_sites && p->limits.trap_on_grow_failure ? AUDIT_SEV_MEDIUM : AUDIT_SEV_LOW, "limit",
                  "memory %u is unbounded (no maximum) under a memory limit of %s: growth past it will %s", i, o2, grow);
      }
    }
    if (r->nmemories > 1 && total > mem_limit)
      violation(r, AUDIT_SEV_HIGH, "limit", "the memories need %llu bytes together, above the memory limit of %s",
                (unsigned long long)total, size_text(mem_limit, o2, sizeof o2));
  }
  uint64_t tab_limit = p->limits.table_elements;
  if (tab_limit != POLICY_UNLIMITED) {
    for (uint32_t i = 0; i < r->ntables; i++) {
      const audit_limits_info *t = &r->tables[i];
      if (t->min > tab_limit)
        violation(r, AUDIT_SEV_HIGH, "limit", "table %u needs at least %llu elements, above the table limit of %llu: it cannot be instantiated",
                  i, (unsigned long long)t->min, (unsigned long long)tab_limit);
      else if (t->has_max && t->max > tab_limit)
        violation(r, AUDIT_SEV_LOW, "limit", "table %u may grow to %llu elements, above the table limit of %llu", i,
                  (unsigned long long)t->max, (unsigned long long)tab_limit);
      else if (!t->has_max && r->table_grow_sites)
        violation(r, AUDIT_SEV_LOW, "limit", "table %u is unbounded and grown by table.grow under a table limit of %llu", i,
                  (unsigned long long)tab_limit);
    }
  }
  if (p->has_max_risk && r->risk > p->max_risk)
    violation(r, AUDIT_SEV_HIGH, "risk", "risk '%s' is above the policy's max_risk '%s'", policy_risk_name(r->risk),
              policy_risk_name(p->max_risk));
}
