/* weld audit: what a module can reach, its risk, and whether a policy allows it,
 * without running it. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli.h"
#include "text/text.h"

/* Exit statuses of `weld audit` (docs/cli.md): 0 allowed (or no policy), 1 violations,
 * 2 bad input (usage, unreadable or malformed/invalid module, bad policy). */
enum { AUDIT_EXIT_OK = 0, AUDIT_EXIT_VIOLATIONS = 1, AUDIT_EXIT_BAD_INPUT = 2 };

enum { AUDIT_POLICY, AUDIT_PRESET, AUDIT_PROFILE, AUDIT_FORMAT };
static const cli_opt audit_opts[] = {
    {"--policy", "", "FILE", AUDIT_POLICY},
    {"--preset", "", "NAME", AUDIT_PRESET},
    {"--profile", "", "NAME", AUDIT_PROFILE},
    {"--format", "", "md|json", AUDIT_FORMAT},
};

/* A component: its WASI 0.2 imports and what each implies (audit_component); with a
 * policy, what it imports that the policy does not grant is a violation, by the rules of
 * the module audit. The module parts (risk, limits) are not done for components yet, and
 * the report says so. */
static int audit_component_file(const char *file, const uint8_t *bytes, size_t len, const policy *p) {
  util_error err;
  util_error_clear(&err);
  uint8_t *bin = NULL;
  size_t n;
  if (!text_is_binary(bytes, len)) {
    if (!text_component_to_binary((const char *)bytes, len, &bin, &n, &err)) {
      cli_print_module_error(file, &err);
      return AUDIT_EXIT_BAD_INPUT;
    }
    bytes = bin;
    len = n;
  }
  comp_component *c = comp_decode(bytes, len, &err);
  free(bin);
  comp_info *info = NULL;
  if (!c || !comp_validate(c, &info, &err)) {
    cli_print_module_error(file, &err);
    comp_info_free(info);
    comp_free(c);
    return AUDIT_EXIT_BAD_INPUT;
  }
  audit_report r;
  if (!audit_component(info, p, &r, &err)) {
    cli_print_module_error(file, &err);
    comp_info_free(info);
    comp_free(c);
    return AUDIT_EXIT_BAD_INPUT;
  }
  printf("# weld audit: %s (component)\n\n| import | capability | implies |\n| --- | --- | --- |\n",
         cli_display_name(file));
  for (uint32_t i = 0; i < r.nimports; i++) {
    const audit_import *a = &r.imports[i];
    char cap[64] = "";
    for (int k = 0; k < AUDIT_CAP_COUNT; k++)
      if (a->caps & (1u << k))
        snprintf(cap + strlen(cap), sizeof cap - strlen(cap), "%s%s", cap[0] ? ", " : "", audit_cap_name((audit_cap)k));
    printf("| `%s` | %s | %s |\n", a->module, a->wasi ? (cap[0] ? cap : "none") : "none (another component's)", a->implies);
  }
  size_t nviol = r.nviolations;
  if (p) {
    printf("\n## Policy %s\n\n", p->name ? p->name : "");
    for (size_t i = 0; i < r.nviolations; i++)
      printf("- violation (%s, %s): %s\n", r.violations[i].kind, audit_severity_name(r.violations[i].severity),
             r.violations[i].message);
    if (!nviol) printf("- every capability the component imports is granted\n");
  }
  audit_report_free(&r);
  printf("\nNot done for components yet: the risk score and the checks of the core modules inside (memories, tables, limits) "
         "(`weld audit` on core modules does them).\n");
  comp_info_free(info);
  comp_free(c);
  return nviol ? AUDIT_EXIT_VIOLATIONS : AUDIT_EXIT_OK;
}

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

  uint8_t *cbytes = NULL;
  size_t clen = 0;
  if (cli_read_component(file, &cbytes, &clen, &err)) {
    int crc = json ? (fprintf(stderr, "weld: audit: not supported: --json on a component\n"), AUDIT_EXIT_BAD_INPUT)
                   : audit_component_file(file, cbytes, clen, have_policy ? &pol : NULL);
    free(cbytes);
    policy_free(&pol);
    return crc;
  }
  free(cbytes);
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
