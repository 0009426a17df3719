/* weld audit: what a module can reach, its risk, and whether a policy allows it,
 * without running it. */
#include <string.h>

#include "audit/audit.h"
#include "cli.h"

/* Exit statuses of `weld audit` (docs/cli.md): 0 allowed (or no policy), 1 violations,
 * 2 bad input (usage, unreadable or malformed/invalid module, bad policy). */
enum { AUDIT_EXIT_OK = 0, AUDIT_EXIT_VIOLATIONS = 1, AUDIT_EXIT_BAD_INPUT = 2 };

enum { AUDIT_POLICY, AUDIT_PRESET, AUDIT_PROFILE, AUDIT_FORMAT };
static const cli_opt audit_opts[] = {
    {"--policy", NULL, "FILE", AUDIT_POLICY},
    {"--preset", NULL, "NAME", AUDIT_PRESET},
    {"--profile", NULL, "NAME", AUDIT_PROFILE},
    {"--format", NULL, "md|json", AUDIT_FORMAT},
};

int cli_cmd_audit(int argc, char **argv) {
  const char *file = NULL, *policy_file = NULL, *profile = NULL, *format = "md";
  cli_parser p;
  cli_parser_init(&p, "audit", audit_opts, sizeof audit_opts / sizeof audit_opts[0], argc, argv);
  int next;
  while ((next = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return p.rc;
    if (next == CLI_ARG_OPERAND) {
      if (file) return cli_usage_error("audit", "one FILE at a time ('%s' and '%s')", file, p.operand);
      file = p.operand;
      continue;
    }
    const char *v = p.value;
    bool guest;
    const char *ppath;
    switch (p.opt->id) {
    case AUDIT_POLICY: policy_file = v; break;
    case AUDIT_FORMAT: format = v; break;
    case AUDIT_PROFILE:
      if (cli_profile_value(v, &guest, &ppath))
        return cli_usage_error("audit", "--profile=%s profiles a run; weld audit does not run the module", v);
      fprintf(stderr, "weld: warning: '--profile %s' for a policy preset is deprecated; use '--preset %s'\n", v, v);
      /* fall through */
    case AUDIT_PRESET:
      if (profile) return cli_usage_error("audit", "only one --preset may be given");
      profile = v;
      break;
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
    if (json) cli_json_error_doc(stdout, "audit", file, &err);
    return cli_usage_error("audit", "%s", err.msg);
  }
  if (policy_file && !policy_parse_file(&pol, policy_file, &err)) {
    if (json) cli_json_error_doc(stdout, "audit", file, &err);
    fprintf(stderr, "weld: %s\n", err.msg);
    policy_free(&pol);
    return AUDIT_EXIT_BAD_INPUT;
  }
  if (policy_file && !profile) {
    /* Reports name the file when the file gave no name. */
    if (!pol.name && !(pol.name = util_try_strdup(policy_file))) {
      util_fail(&err, UTIL_ERR_OOM, -1, "out of memory");
      if (json) cli_json_error_doc(stdout, "audit", file, &err);
      fprintf(stderr, "weld: %s\n", err.msg);
      policy_free(&pol);
      return AUDIT_EXIT_BAD_INPUT;
    }
  }

  wasm_module *m;
  int lrc = cli_load_module_quiet(file, &m, &err);
  if (lrc != CLI_EXIT_OK) {
    if (json) cli_json_error_doc(stdout, "audit", file, &err);
    cli_print_load_error(file, lrc, &err);
    policy_free(&pol);
    return AUDIT_EXIT_BAD_INPUT;
  }
  audit_report r;
  int rc;
  if (!audit_module(m, have_policy ? &pol : NULL, &r, &err)) {
    if (json) cli_json_error_doc(stdout, "audit", file, &err);
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
