/* The audit part of the API (weld_audit_*): src/audit's static audit of a compiled module
 * against a policy built as `weld audit` builds it (a preset, a policy file, or both). */
#include <stdlib.h>

#include "api_int.h"
#include "audit/audit.h"
#include "exec/exec.h"

struct weld_audit {
  audit_report r;
};

weld_audit *weld_audit_new(const weld_module *m, const char *policy_file, const char *preset, weld_error **err) {
  util_error e;
  util_error_clear(&e);
  policy pol;
  policy_init(&pol);
  bool ok = true;
  if (preset) ok = policy_profile(&pol, preset, &e);
  if (ok && policy_file) ok = policy_parse_file(&pol, policy_file, &e);
  /* reports name the policy file when the file gave no name, as weld audit's do */
  if (ok && policy_file && !preset && !pol.name && !(pol.name = util_try_strdup(policy_file)))
    ok = util_fail(&e, UTIL_ERR_OOM, -1, "out of memory");
  weld_audit *a = ok ? util_try_calloc(1, sizeof *a) : NULL;
  if (ok && !a) ok = util_fail(&e, UTIL_ERR_OOM, -1, "out of memory");
  /* a weld_module is the runtime's exec_module (src/api/README.md) */
  if (ok) ok = audit_module(((const exec_module *)m)->wasm, policy_file || preset ? &pol : NULL, &a->r, &e);
  policy_free(&pol);
  if (!ok) {
    free(a);
    if (err) *err = api_error_from(&e);
    return NULL;
  }
  return a;
}

void weld_audit_free(weld_audit *a) {
  if (!a) return;
  audit_report_free(&a->r);
  free(a);
}

bool weld_audit_passed(const weld_audit *a) { return audit_passed(&a->r); }

const char *weld_audit_risk(const weld_audit *a) { return policy_risk_name(a->r.risk); }

size_t weld_audit_violation_count(const weld_audit *a) { return a->r.nviolations; }

const char *weld_audit_violation(const weld_audit *a, size_t i) {
  return i < a->r.nviolations ? a->r.violations[i].message : NULL;
}

void weld_audit_print(const weld_audit *a, FILE *out, const char *name, bool json) {
  if (json) audit_print_json(out, name, &a->r);
  else audit_print_markdown(out, name, &a->r);
}
