/* Ready-made profiles: named starting points an operator picks instead of writing a
 * file. A profile is merged like any other source, so flags and files add to it. */
#include <string.h>

#include "policy.h"

const char *const policy_profile_names[] = {"isolated", "readonly-fs", "cli", NULL};

/* Pure computation: only the output streams and a clean exit; tight limits so a runaway
 * module costs little. */
static void profile_isolated(policy *p) {
  p->allow_stdout = p->allow_stderr = p->allow_exit = true;
  p->dir_default_ops = POLICY_OP_READ | POLICY_OP_LIST;
  p->limits.memory_bytes = 64ull << 20;
  p->limits.table_elements = 10000;
  p->limits.timeout_ns = 10ull * 1000000000ull;
  p->limits.max_stack = 10000;
  p->limits.max_instances = 16;
  p->limits.max_host_calls = 1000000;
  p->limits.trap_on_grow_failure = true;
  p->limits_set |= POLICY_LIMIT_MEMORY | POLICY_LIMIT_TABLE | POLICY_LIMIT_TIMEOUT |
                   POLICY_LIMIT_STACK | POLICY_LIMIT_INSTANCES | POLICY_LIMIT_HOST_CALLS |
                   POLICY_LIMIT_TRAP_ON_GROW | POLICY_LIMIT_MAX_RISK;
  p->has_max_risk = true;
  p->max_risk = POLICY_RISK_LOW;
}

/* Tools that inspect data: read and list what --dir grants, clocks and randomness, no
 * network, no environment. */
static void profile_readonly_fs(policy *p) {
  p->allow_stdin = p->allow_stdout = p->allow_stderr = p->allow_exit = true;
  p->allow_clocks = p->allow_random = true;
  p->dir_default_ops = POLICY_OP_READ | POLICY_OP_LIST;
  p->limits.memory_bytes = 1ull << 30;
  p->limits.table_elements = 100000;
  p->limits_set |= POLICY_LIMIT_MEMORY | POLICY_LIMIT_TABLE | POLICY_LIMIT_MAX_RISK;
  p->has_max_risk = true;
  p->max_risk = POLICY_RISK_MODERATE;
}

/* A command-line program run by its user: stdio, clocks, randomness, the whole
 * environment, full access to the --dir trees. Still no network unless granted. */
static void profile_cli(policy *p) {
  p->allow_stdin = p->allow_stdout = p->allow_stderr = p->allow_exit = true;
  p->allow_clocks = p->allow_random = true;
  p->env_inherit_all = true;
  p->dir_default_ops = POLICY_OP_ALL;
  p->has_max_risk = true;
  p->max_risk = POLICY_RISK_HIGH;
  p->limits_set |= POLICY_LIMIT_MAX_RISK;
}

bool policy_profile(policy *p, const char *name, util_error *err) {
  policy src;
  policy_init(&src);
  if (strcmp(name, "isolated") == 0) profile_isolated(&src);
  else if (strcmp(name, "readonly-fs") == 0) profile_readonly_fs(&src);
  else if (strcmp(name, "cli") == 0) profile_cli(&src);
  else {
    policy_free(&src);
    return util_fail(err, UTIL_ERR_USAGE, -1,
                     "unknown preset '%s' (presets: isolated, readonly-fs, cli)", name);
  }
  src.name = util_try_strdup(name);
  if (!src.name || !policy_merge(p, &src, err)) {
    policy_free(&src);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  /* A profile's dir default always applies, even "all" over a narrower one. */
  p->dir_default_ops = src.dir_default_ops;
  policy_free(&src);
  return true;
}
