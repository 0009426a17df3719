/* policy: the one permission and limits model. Deny by default: an empty policy grants
 * nothing but stdio. The same object is enforced at run time by src/wasi (host doors) and
 * src/guard (resource limits) and checked statically by src/audit, so what the audit
 * says and what the run allows cannot drift apart.
 *
 * Sources of a policy, merged in this order (later ones add grants, never remove them,
 * except limits which the later source overrides, and a policy file's explicit `false`
 * for a door, which closes it):
 *   a ready-made profile (policy_profile), a TOML file (policy_parse_file), CLI flags
 *   (--dir, --env, --fuel, ...: the CLI calls the policy_add_* helpers).
 *
 * Depends on src/util only. */
#ifndef WELD_POLICY_H
#define WELD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* Operations on file-system objects. */
enum {
  POLICY_OP_READ = 1u << 0,   /* read file contents, stat, readlink */
  POLICY_OP_WRITE = 1u << 1,  /* write/truncate/allocate existing files, set times */
  POLICY_OP_CREATE = 1u << 2, /* create files, directories, links, rename into */
  POLICY_OP_DELETE = 1u << 3, /* unlink files, remove directories, rename away */
  POLICY_OP_LIST = 1u << 4,   /* read directory entries */
  POLICY_OP_ALL = 0x1f,
};

/* The longest guest path or pattern the matcher decides on; a longer path is refused
 * when the policy has glob grants (see policy_path_ops). */
#define POLICY_PATH_MAX 4096

/* "no limit" for every uint64_t limit below. */
#define POLICY_UNLIMITED UINT64_MAX

typedef enum policy_match {
  POLICY_MATCH_EXACT = 0, /* the path itself */
  POLICY_MATCH_PREFIX,    /* the path and everything beneath it ("/data/", or "/data" then a slash and "**") */
  POLICY_MATCH_GLOB,      /* '*' within one component, '?' one char, '**' any depth */
} policy_match;

/* A directory the module sees: the host directory `host` appears to the guest as `guest`
 * (a preopen). Paths beneath it are further limited by the path grants. `ops` are the
 * operations granted on the whole tree unless a more specific path grant applies. */
typedef struct policy_dir {
  char *host;   /* host path as given */
  char *guest;  /* guest path ("/data", "."); defaults to host */
  uint32_t ops; /* POLICY_OP_* on everything beneath, 0 = only what path grants allow */
} policy_dir;

/* A finer grant inside the preopened directories, matched against the guest path
 * (normalized: no ".", "..", repeated or trailing slashes). The most specific matching
 * grant wins (exact > glob > prefix, then longer pattern); if none matches, the dir's
 * ops apply. */
typedef struct policy_path {
  char *pattern;
  policy_match match;
  uint32_t ops;
  uint64_t max_read_bytes;   /* per file opened through this grant, per run */
  uint64_t max_write_bytes;  /* per file; also caps the size a write may extend it to */
} policy_path;

typedef enum policy_net_op {
  POLICY_NET_LISTEN = 1u << 0, /* accept on a listening socket passed in */
  POLICY_NET_CONNECT = 1u << 1,
} policy_net_op;

/* host:port pattern: host is a name, an IPv4/IPv6 literal or "*"; port a number, a range
 * "8000-8099" or "*". */
typedef struct policy_net {
  char *host;
  uint32_t port_lo, port_hi;
  uint32_t ops;
} policy_net;

typedef struct policy_env_var {
  char *name;
  char *value; /* NULL: pass the host's value through, if set */
} policy_env_var;

/* Bits of policy.limits_set, one per limit. */
enum {
  POLICY_LIMIT_MEMORY = 1u << 0,
  POLICY_LIMIT_TABLE = 1u << 1,
  POLICY_LIMIT_FUEL = 1u << 2,
  POLICY_LIMIT_TIMEOUT = 1u << 3,
  POLICY_LIMIT_STACK = 1u << 4,
  POLICY_LIMIT_INSTANCES = 1u << 5,
  POLICY_LIMIT_HOST_CALLS = 1u << 6,
  POLICY_LIMIT_TRAP_ON_GROW = 1u << 7,
  POLICY_LIMIT_OPEN_FILES = 1u << 8,  /* policy.max_open_files */
  POLICY_LIMIT_READ_TOTAL = 1u << 9,  /* policy.max_read_total */
  POLICY_LIMIT_WRITE_TOTAL = 1u << 10, /* policy.max_write_total */
  POLICY_LIMIT_MAX_RISK = 1u << 11,   /* policy.max_risk */
  POLICY_LIMIT_GC_HEAP = 1u << 12,
};

/* Resource limits (src/guard). POLICY_UNLIMITED / 0 where noted means "not set". */
typedef struct policy_limits {
  uint64_t memory_bytes;       /* per memory and per instance total; UNLIMITED */
  uint64_t table_elements;     /* per table; UNLIMITED */
  uint64_t fuel;               /* UNLIMITED = metering off */
  uint64_t timeout_ns;         /* wall-clock deadline per run; 0 = none */
  uint32_t max_stack;          /* call depth; 0 = engine default */
  uint32_t max_instances;      /* per store; 0 = unlimited */
  uint64_t max_host_calls;     /* WASI calls per run; UNLIMITED */
  bool trap_on_grow_failure;   /* a grow beyond a limit traps instead of returning -1 */
  uint64_t gc_heap_bytes;      /* the store's GC heap; UNLIMITED */
} policy_limits;

typedef enum policy_risk {
  POLICY_RISK_MINIMAL = 0,
  POLICY_RISK_LOW,
  POLICY_RISK_MODERATE,
  POLICY_RISK_HIGH,
  POLICY_RISK_CRITICAL,
} policy_risk;

typedef struct policy {
  char *name;                  /* profile or file name, for reports */
  /* file system */
  policy_dir *dirs;
  size_t ndirs, capdirs;
  policy_path *paths;
  size_t npaths, cappaths;
  uint64_t max_open_files;     /* UNLIMITED */
  uint64_t max_read_total;     /* bytes over all files per run; UNLIMITED */
  uint64_t max_write_total;    /* UNLIMITED */
  /* environment */
  bool env_inherit_all;        /* every host variable */
  policy_env_var *env;
  size_t nenv, capenv;
  /* network */
  policy_net *net;
  size_t nnet, capnet;
  /* other doors */
  bool allow_clocks;           /* clock_time_get / clock_res_get beyond... see wasi */
  bool allow_random;
  bool allow_exit;             /* proc_exit (a clean stop; no host effect) */
  bool allow_stdin, allow_stdout, allow_stderr;
  policy_limits limits;
  uint32_t limits_set;         /* POLICY_LIMIT_* bits a source set explicitly (see policy_merge) */
  /* The ops a `--dir` flag grants when it names none: the profile decides (isolated and
   * readonly-fs: read+list; cli and a plain policy: all). */
  uint32_t dir_default_ops;
  /* audit */
  bool has_max_risk;
  policy_risk max_risk;        /* the audit fails modules scored above this */
} policy;

/* An empty, deny-by-default policy (stdout/stderr and exit allowed, nothing else). */
void policy_init(policy *p);
void policy_free(policy *p);

/* Ready-made profiles: "isolated" (nothing but stdout/stderr/exit; tight limits),
 * "readonly-fs" (clocks, random, read+list on --dir trees), "cli" (stdio, clocks, random,
 * env, full access to --dir trees). Returns false for an unknown name. */
bool policy_profile(policy *p, const char *name, util_error *err);
/* The names, NULL-terminated, for help texts. */
extern const char *const policy_profile_names[];

/* Adds src's grants to dst: dirs, paths, env and net entries are appended (strings
 * copied), booleans are or-ed; each limit (and max_risk) src set explicitly
 * (limits_set) or holds at other than its "not set" value replaces dst's. Out of memory
 * is an error with dst unchanged. */
bool policy_merge(policy *dst, const policy *src, util_error *err);

/* Parses a policy file in TOML (the subset documented in docs/policy.md) and merges it
 * into p. Errors carry line and column (err->line, err->col, kind UTIL_ERR_USAGE) and
 * err->msg reads "FILE:LINE:COL: message" (print it as is). On failure p is unchanged. */
bool policy_parse(policy *p, const char *text, size_t len, const char *filename, util_error *err);
bool policy_parse_file(policy *p, const char *path, util_error *err);

/* Helpers for CLI flags and embedders. Each copies its strings; false (and nothing
 * added) when out of memory. */
bool policy_add_dir(policy *p, const char *host, const char *guest, uint32_t ops);
bool policy_add_path(policy *p, const char *pattern, uint32_t ops, uint64_t max_read,
                     uint64_t max_write);
bool policy_add_env(policy *p, const char *name, const char *value);
bool policy_add_net(policy *p, const char *spec, uint32_t ops, util_error *err); /* host:port */

/* "64KiB", "16MiB", "1GiB", "4096", "64K", "16M", "1G" -> bytes. */
bool policy_parse_size(const char *s, uint64_t *out, util_error *err);
/* "100ms", "2s", "1m", "500us" -> nanoseconds. */
bool policy_parse_duration(const char *s, uint64_t *out, util_error *err);

/* ---------- checks (shared by wasi at run time and audit statically) ---------------- */

/* Normalizes a guest path lexically: drops "." components and repeated or trailing
 * slashes and resolves "..". Returns false when ".." would climb above the start (a
 * relative path may not climb above "." either) or the result does not fit in n. An
 * empty or all-"." relative path becomes ".". */
bool policy_path_normalize(const char *in, char *out, size_t n);
/* Normalizes a path pattern the way guest paths are: drops "." components and repeated
 * slashes, keeps one trailing slash (a prefix pattern), and turns a glob ending in a
 * slash into one ending in slash-"**" (what the slash meant). Returns false with `*why`
 * for what cannot be normalized: a ".." component, a trailing "/." or "/..", empty or
 * too long. */
bool policy_pattern_normalize(const char *in, char *out, size_t n, const char **why);
/* How a pattern is matched: ends in a slash, or a slash and "**" (no other wildcard): prefix; contains
 * '*' or '?' = glob, otherwise exact. */
policy_match policy_path_classify(const char *pattern);
/* Matches one pattern against a normalized path under the given rule. */
bool policy_path_match(const char *pattern, policy_match match, const char *path);

/* The operations the policy grants on a normalized guest path (0 = none). When `grant`
 * is non-NULL it receives the winning path grant, or NULL when the directory's ops
 * applied. */
uint32_t policy_path_ops(const policy *p, const char *guest_path, const policy_path **grant);
/* The same, and `*dir_index` receives the index in p->dirs of the directory whose ops
 * decided (-1 when a path grant decided or no directory holds the path). A path longer
 * than POLICY_PATH_MAX gets 0 when the policy has any glob grant. A glob that cannot be
 * matched for lack of memory also gives 0 (fail closed), and sets *undecided when that
 * is non-NULL, so a caller can report out of memory rather than a refusal. */
uint32_t policy_path_rule(const policy *p, const char *guest_path, const policy_path **grant,
                          long *dir_index, bool *undecided);
/* True when a rule other than what holds `dir` itself could decide something strictly
 * beneath it: an exact or prefix pattern beneath it (or a prefix rooted at it), a glob
 * that can match below it, or a directory mounted at or beneath it. Moving `dir`
 * elsewhere would carry those paths out from under their rules. */
bool policy_rules_beneath(const policy *p, const char *dir);
/* Whether directory `dir` may be moved (renamed away from or into `dir`) as a whole,
 * with no check per name beneath it: only when the rule that decides `dir` itself also
 * decides everything beneath it — the [[fs.dir]] ops, a prefix grant, or a glob ending
 * in "**" — and no other rule could decide something beneath it (policy_rules_beneath,
 * not counting that grant). Returns NULL when it may, else why not (static text). */
const char *policy_dir_unmovable(const policy *p, const char *dir);
bool policy_env_allowed(const policy *p, const char *name);
bool policy_net_allowed(const policy *p, const char *host, uint32_t port, uint32_t op);

const char *policy_risk_name(policy_risk r);
bool policy_risk_parse(const char *s, policy_risk *out);
/* Comma-separated names of the bits in ops ("read, write"). */
const char *policy_ops_format(uint32_t ops, char *buf, size_t n);

#endif
