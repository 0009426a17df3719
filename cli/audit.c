/* weld audit: what a module can reach, its risk, and whether a policy allows it,
 * without running it. */
#include <string.h>

#include "audit/audit.h"
#include "cli.h"

/* Exit statuses of `weld audit` (docs/cli.md): 0 allowed (or no policy), 1 violations,
 * 2 bad input (usage, unreadable or malformed/invalid module, bad policy). */
enum { AUDIT_EXIT_OK = 0, AUDIT_EXIT_VIOLATIONS = 1, AUDIT_EXIT_BAD_INPUT = 2 };

int cli_cmd_audit(int argc, char **argv) {
  const char *file = NULL, *policy_file = NULL, *profile = NULL, *format = "md";
  bool options = true;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (options && strcmp(a, "--") == 0) {
      options = false;
    } else if (options && (strcmp(a, "--policy") == 0 || strcmp(a, "--profile") == 0 || strcmp(a, "--format") == 0)) {
      if (i + 1 >= argc) return cli_usage_error("audit", "%s needs a value", a);
      const char *v = argv[++i];
      if (a[2] == 'p' && a[4] == 'l') policy_file = v;
      else if (a[2] == 'p') profile = v;
      else format = v;
    } else if (options && strncmp(a, "--format=", 9) == 0) {
      format = a + 9;
    } else if (options && strncmp(a, "--policy=", 9) == 0) {
      policy_file = a + 9;
    } else if (options && strncmp(a, "--profile=", 10) == 0) {
      profile = a + 10;
    } else if (options && cli_is_option(a)) {
      return cli_usage_error("audit", "unknown option '%s'", a);
    } else if (file) {
      return cli_usage_error("audit", "one FILE at a time ('%s' and '%s')", file, a);
    } else {
      file = a;
    }
  }
  if (!file) return cli_usage_error("audit", "missing FILE");
  bool json = strcmp(format, "json") == 0;
  if (!json && strcmp(format, "md") != 0 && strcmp(format, "markdown") != 0)
    return cli_usage_error("audit", "unknown format '%s' (md or json)", format);

  /* The policy first: a bad policy is reported before any module work. */
  util_error err;
  util_error_clear(&err);
  policy pol;
  policy_init(&pol);
  bool have_policy = policy_file || profile;
  if (profile && !policy_profile(&pol, profile, &err)) {
    policy_free(&pol);
    return cli_usage_error("audit", "%s", err.msg);
  }
  if (policy_file && !policy_parse_file(&pol, policy_file, &err)) {
    fprintf(stderr, "weld: %s\n", err.msg);
    policy_free(&pol);
    return AUDIT_EXIT_BAD_INPUT;
  }
  if (policy_file && !profile) {
    /* Reports name the file when the file gave no name. */
    if (!pol.name) pol.name = util_xstrdup(policy_file);
  }

  wasm_module *m;
  if (cli_load_module(file, &m) != CLI_EXIT_OK) {
    policy_free(&pol);
    return AUDIT_EXIT_BAD_INPUT;
  }
  audit_report r;
  int rc;
  if (!audit_module(m, have_policy ? &pol : NULL, &r, &err)) {
    cli_print_module_error(file, &err);
    rc = AUDIT_EXIT_BAD_INPUT;
  } else {
    if (json) audit_print_json(stdout, cli_display_name(file), &r);
    else audit_print_markdown(stdout, cli_display_name(file), &r);
    rc = audit_passed(&r) ? AUDIT_EXIT_OK : AUDIT_EXIT_VIOLATIONS;
    audit_report_free(&r);
  }
  wasm_module_free(m);
  policy_free(&pol);
  return rc;
}
