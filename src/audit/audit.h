/* audit: what a module can reach, judged without running it.
 *
 * From the module IR alone: every import mapped to the host resources it reaches (each
 * WASI preview1 function to file / network / environment / clock / random / process /
 * stdio capabilities and the operations it implies; imports from other host modules are
 * opaque), the aggregate permission boundary, a risk level with the reasons that set it,
 * the violations of a policy, and what a reviewer wants to see (exports, start function,
 * memory and table limits, memory.grow and indirect calls, embedded files in data
 * segments, the producers section).
 *
 * Depends on src/wasm and src/policy. `weld audit` prints the report; `weld run
 * --audit-first` calls audit_module before instantiating. */
#ifndef WELD_AUDIT_H
#define WELD_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../policy/policy.h"
#include "../util/util.h"
#include "../wasm/module.h"

/* Capability classes (bits of audit_boundary.caps and audit_import.caps). */
typedef enum audit_cap {
  AUDIT_CAP_FILE = 0,    /* files and directories beneath preopened directories */
  AUDIT_CAP_NETWORK,     /* sockets */
  AUDIT_CAP_ENV,         /* environment variables and arguments */
  AUDIT_CAP_CLOCK,       /* wall and monotonic clocks, timers */
  AUDIT_CAP_RANDOM,      /* the host's random source */
  AUDIT_CAP_PROCESS,     /* exit, signals, scheduling */
  AUDIT_CAP_STDIO,       /* the standard streams (descriptors 0-2) */
  AUDIT_CAP_OPAQUE,      /* functions of host modules weld cannot see into */
  AUDIT_CAP_COUNT
} audit_cap;
const char *audit_cap_name(audit_cap c); /* "file", "network", ... */

/* Operations beyond the file ones (which use POLICY_OP_*). Bits of audit_boundary.ops. */
enum {
  AUDIT_OP_NET_LISTEN = 1u << 0,  /* accept connections on a socket passed in */
  AUDIT_OP_NET_IO = 1u << 1,      /* send / receive / shut down sockets */
  AUDIT_OP_ENV_VARS = 1u << 2,    /* read environment variables */
  AUDIT_OP_ENV_ARGS = 1u << 3,    /* read the command-line arguments */
  AUDIT_OP_CLOCK_READ = 1u << 4,  /* read clocks and their resolution */
  AUDIT_OP_CLOCK_WAIT = 1u << 5,  /* sleep / wait on timers and descriptors (poll_oneoff) */
  AUDIT_OP_RANDOM = 1u << 6,
  AUDIT_OP_EXIT = 1u << 7,
  AUDIT_OP_RAISE = 1u << 8,       /* send a signal to itself */
  AUDIT_OP_YIELD = 1u << 9,
  AUDIT_OP_STDIN = 1u << 10,      /* read descriptors: standard input, or files it opened */
  AUDIT_OP_STDOUT = 1u << 11,     /* write descriptors: stdout/stderr, or files it opened */
  AUDIT_OP_FD_META = 1u << 12,    /* inspect/renumber/close descriptors */
};
/* Comma-separated names of AUDIT_OP_* bits. */
const char *audit_ops_format(uint32_t ops, char *buf, size_t n);

typedef enum audit_severity { AUDIT_SEV_LOW = 0, AUDIT_SEV_MEDIUM, AUDIT_SEV_HIGH } audit_severity;
const char *audit_severity_name(audit_severity s);

typedef struct audit_import {
  char *module, *name;
  uint8_t kind;            /* wasm_externkind */
  bool wasi;               /* a known WASI function (preview1 or wasi_unstable) */
  bool opaque;             /* a function of an unknown host module (or unknown WASI name) */
  uint32_t caps;           /* 1 << audit_cap */
  uint32_t file_ops;       /* POLICY_OP_* it may perform */
  uint32_t ops;            /* AUDIT_OP_* */
  const char *implies;     /* static text: what the import lets the module do */
} audit_import;

typedef struct audit_boundary {
  uint32_t caps;
  uint32_t file_ops;
  uint32_t ops;
  uint32_t nopaque_modules; /* distinct unknown host modules with function imports */
} audit_boundary;

typedef struct audit_reason {
  policy_risk level;       /* the level this reason alone asks for */
  char *text;
} audit_reason;

typedef struct audit_violation {
  audit_severity severity;
  const char *kind;        /* "capability", "operation", "limit", "risk" */
  char *message;
} audit_violation;

typedef struct audit_limits_info {
  uint64_t min, max;       /* pages for memories, elements for tables */
  bool has_max, imported, shared, is64;
  uint32_t elem;           /* tables: reference type (wasm_vtype) */
} audit_limits_info;

typedef struct audit_export {
  char *name;
  uint8_t kind;
  uint32_t index;
} audit_export;

typedef struct audit_embedded {
  uint32_t data_index;     /* data segment */
  uint32_t offset;         /* within the segment */
  const char *kind;        /* "PNG image", "ELF executable", ... */
} audit_embedded;

typedef struct audit_producer {
  char *field;             /* "language", "processed-by", "sdk" */
  char *name, *version;
} audit_producer;

typedef struct audit_report {
  audit_import *imports;
  uint32_t nimports;
  audit_boundary boundary;
  policy_risk risk;
  audit_reason *reasons;
  size_t nreasons, capreasons;
  /* policy verification (has_policy false: none given) */
  bool has_policy;
  char *policy_name;
  audit_violation *violations;
  size_t nviolations, capviolations;
  /* what a reviewer wants */
  audit_export *exports;
  uint32_t nexports;
  bool has_start;
  uint32_t start;
  char *start_name;        /* from the export or name section, or NULL */
  audit_limits_info *memories;
  uint32_t nmemories;
  audit_limits_info *tables;
  uint32_t ntables;
  uint32_t nfuncs_defined;
  uint32_t memory_grow_sites, table_grow_sites, indirect_call_sites;
  uint32_t atomic_wait_sites; /* memory.atomic.wait32/64: each may sleep its timeout out */
  uint32_t ndatas;
  uint64_t data_bytes;
  audit_embedded *embedded;
  size_t nembedded, capembedded;
  bool embedded_truncated; /* more findings than kept */
  audit_producer *producers;
  size_t nproducers, capproducers;
  char *producers_error;   /* a malformed producers section, or NULL */
  bool oom;                /* an allocation failed: the report is incomplete (audit_module
                              then frees it and reports "out of memory") */
} audit_report;

/* Audits a decoded module, with a policy or without (p == NULL). Validates the module
 * first: an invalid module fails with the validator's error and an empty report. On
 * success `out` owns everything (free with audit_report_free), and
 * audit_passed(out) says whether the policy allows the module. */
bool audit_module(const wasm_module *m, const policy *p, audit_report *out, util_error *err);
void audit_report_free(audit_report *r);
/* True when no policy was given or it has no violation. */
static inline bool audit_passed(const audit_report *r) { return r->nviolations == 0; }

/* The WASI preview1 table: what one function implies. NULL for unknown names. */
/* Its strings are arrays, so the table needs no relocations at start-up. */
typedef struct audit_wasi_fn {
  char name[24];
  uint32_t caps, file_ops, ops;
  char implies[104];
} audit_wasi_fn;
const audit_wasi_fn *audit_wasi_lookup(const char *name);
extern const audit_wasi_fn audit_wasi_fns[];
extern const size_t audit_wasi_nfns;
/* The WASI 0.2 table: what importing an interface `wasi:NS/NAME@0.2.x` implies (by
 * prefix); NULL for other names. Its strings are arrays, so the table needs no
 * relocations at start-up. */
typedef struct audit_wasi2_iface {
  char prefix[28];
  uint32_t caps;
  uint32_t file_ops; /* POLICY_OP_* */
  uint32_t ops;      /* AUDIT_OP_* */
  char implies[55];
} audit_wasi2_iface;
const audit_wasi2_iface *audit_wasi2_lookup(const char *name);

/* Audits a validated component's imports against a policy (p may be NULL): each import
 * of a WASI 0.2 interface is mapped to its capabilities and operations (the table above),
 * other interfaces are what another component or the embedder provides (no capability of
 * the host); with a policy, audit_verify's rules decide the violations. The report's
 * module fields (memories, exports, risk) stay empty: the core modules inside are not
 * audited yet. */
struct comp_info;
bool audit_component(const struct comp_info *info, const policy *p, audit_report *out, util_error *err);

/* Maps m's imports to capabilities and fills r->imports and r->boundary, the first
 * step of audit_module. Exposed for unit tests, which score and verify reports built
 * from import lists by this same rule. */
void audit_map_imports(const wasm_module *m, audit_report *r);
/* These set r->oom when an allocation fails; what could not be stored is left out. */

/* Risk from a boundary and module facts, with reasons appended to r (score.c). Exposed
 * for unit tests: fills r->risk and r->reasons from r->boundary and the module facts
 * already in r. */
void audit_score(audit_report *r);
/* Appends the violations of p to r (score.c); needs r->risk already scored. */
void audit_verify(audit_report *r, const policy *p);

/* Parses a `producers` custom section payload into r->producers, or sets
 * r->producers_error. */
void audit_parse_producers(audit_report *r, const uint8_t *bytes, size_t len);

/* Renderings (report.c). `file` is the module's name as the user gave it. */
void audit_print_markdown(FILE *out, const char *file, const audit_report *r);
void audit_print_json(FILE *out, const char *file, const audit_report *r);

#endif
