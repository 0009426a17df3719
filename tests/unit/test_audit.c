/* The static audit: the WASI table, risk scoring, policy verification, the producers
 * section reader, and audit_module on hand-assembled modules. */
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit.h"
#include "text/text.h"
#include "unit.h"

/* A report with only these imports mapped by audit_module's own rule
 * (audit_map_imports): each name is imported from wasi_snapshot_preview1 when the WASI
 * table knows it, from "env" otherwise, as a function of type () -> (); the module is
 * assembled from text, so the rule sees a real module IR. */
static void fake_imports(audit_report *r, const char *const *names, size_t n) {
  memset(r, 0, sizeof *r);
  char src[4096];
  size_t k = (size_t)snprintf(src, sizeof src, "(module");
  for (size_t i = 0; i < n && k < sizeof src; i++)
    k += (size_t)snprintf(src + k, sizeof src - k, " (import \"%s\" \"%s\" (func))",
                          audit_wasi_lookup(names[i]) ? "wasi_snapshot_preview1" : "env", names[i]);
  if (!unit_check(k + 2 < sizeof src, __FILE__, __LINE__, "import list too long")) return;
  memcpy(src + k, ")", 2);
  util_error err;
  wasm_module *m = text_load_module((const uint8_t *)src, strlen(src), "fake", &err);
  if (!unit_check(m != NULL, __FILE__, __LINE__, "%s: %s", src, m ? "" : err.msg)) return;
  audit_map_imports(m, r);
  wasm_module_free(m);
}

static bool has_violation(const audit_report *r, const char *kind, const char *needle) {
  for (size_t i = 0; i < r->nviolations; i++)
    if (strcmp(r->violations[i].kind, kind) == 0 && strstr(r->violations[i].message, needle)) return true;
  return false;
}

static bool has_reason(const audit_report *r, policy_risk level, const char *needle) {
  for (size_t i = 0; i < r->nreasons; i++)
    if (r->reasons[i].level == level && strstr(r->reasons[i].text, needle)) return true;
  return false;
}

UNIT_GROUP(audit_wasi_table) {
  CHECK_EQ_U64(audit_wasi_nfns, 46); /* preview1's 45 and sock_accept */
  for (size_t i = 1; i < audit_wasi_nfns; i++)
    CHECK(strcmp(audit_wasi_fns[i - 1].name, audit_wasi_fns[i].name) < 0);
  for (size_t i = 0; i < audit_wasi_nfns; i++) {
    CHECK(audit_wasi_lookup(audit_wasi_fns[i].name) == &audit_wasi_fns[i]);
    CHECK(audit_wasi_fns[i].implies[0]);
  }
  CHECK(audit_wasi_lookup("fd_write_all") == NULL);
  const audit_wasi_fn *f = audit_wasi_lookup("path_open");
  CHECK(f && (f->file_ops & (POLICY_OP_READ | POLICY_OP_WRITE | POLICY_OP_CREATE)) ==
                 (POLICY_OP_READ | POLICY_OP_WRITE | POLICY_OP_CREATE));
  CHECK(!(f->file_ops & POLICY_OP_DELETE));
  CHECK(audit_wasi_lookup("path_unlink_file")->file_ops == POLICY_OP_DELETE);
  CHECK(audit_wasi_lookup("sock_accept")->ops == AUDIT_OP_NET_LISTEN);
  CHECK(audit_wasi_lookup("random_get")->caps == 1u << AUDIT_CAP_RANDOM);
}

UNIT_GROUP(audit_scoring) {
  audit_report r;
  fake_imports(&r, NULL, 0);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_MINIMAL && has_reason(&r, POLICY_RISK_MINIMAL, "imports nothing"));
  audit_report_free(&r);

  const char *hello[] = {"fd_write", "proc_exit"};
  fake_imports(&r, hello, 2);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_LOW);
  CHECK(has_reason(&r, POLICY_RISK_LOW, "fd_write"));
  audit_report_free(&r);

  const char *reader[] = {"path_open", "fd_read"};
  fake_imports(&r, reader, 2);
  r.imports[0].file_ops = POLICY_OP_READ; /* as if only reading */
  r.boundary.file_ops = POLICY_OP_READ;
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_MODERATE);
  audit_report_free(&r);

  const char *del[] = {"path_unlink_file"};
  fake_imports(&r, del, 1);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_HIGH && has_reason(&r, POLICY_RISK_HIGH, "delete"));
  audit_report_free(&r);

  const char *server[] = {"path_open", "path_unlink_file", "sock_accept"};
  fake_imports(&r, server, 3);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_CRITICAL);
  CHECK(has_reason(&r, POLICY_RISK_HIGH, "sock_accept"));
  CHECK(has_reason(&r, POLICY_RISK_CRITICAL, "network"));
  CHECK(r.nreasons > 0 && r.reasons[0].level == POLICY_RISK_CRITICAL); /* highest first */
  audit_report_free(&r);

  const char *io[] = {"sock_recv", "sock_send"};
  fake_imports(&r, io, 2);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_MODERATE);
  audit_report_free(&r);

  const char *opaque[] = {"emscripten_memcpy", "abort"};
  fake_imports(&r, opaque, 2);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_HIGH && has_reason(&r, POLICY_RISK_HIGH, "2 functions from host module 'env'"));
  audit_report_free(&r);

  /* module facts */
  fake_imports(&r, NULL, 0);
  r.nmemories = 1;
  r.memories = calloc(1, sizeof *r.memories);
  r.memories[0].min = 1;
  audit_embedded e = {0, 16, "ELF executable or library"};
  UTIL_VEC_PUSH(r.embedded, r.nembedded, r.capembedded, e);
  audit_score(&r);
  CHECK(r.risk == POLICY_RISK_MODERATE && has_reason(&r, POLICY_RISK_LOW, "no maximum"));
  audit_report_free(&r);
}

UNIT_GROUP(audit_verify) {
  audit_report r;
  policy p;
  util_error err;
  util_error_clear(&err);

  const char *server[] = {"path_open", "path_unlink_file", "sock_accept", "clock_time_get", "environ_get"};
  fake_imports(&r, server, 5);
  audit_score(&r);
  policy_init(&p);
  CHECK(policy_profile(&p, "isolated", &err));
  audit_verify(&r, &p);
  CHECK(!audit_passed(&r));
  CHECK(has_violation(&r, "capability", "file system access"));
  CHECK(has_violation(&r, "capability", "network access"));
  CHECK(has_violation(&r, "capability", "clocks"));
  CHECK(has_violation(&r, "capability", "environment"));
  CHECK(has_violation(&r, "risk", "max_risk 'low'"));
  CHECK_STR(r.policy_name, "isolated");
  audit_report_free(&r);
  policy_free(&p);

  /* Directories granted read only: write, create and delete are missing operations. */
  const char *files[] = {"path_open", "path_unlink_file"};
  fake_imports(&r, files, 2);
  audit_score(&r);
  policy_init(&p);
  policy_add_dir(&p, "/srv", "/data", POLICY_OP_READ | POLICY_OP_LIST);
  policy_add_path(&p, "/data/tmp/", POLICY_OP_CREATE, POLICY_UNLIMITED, POLICY_UNLIMITED);
  audit_verify(&r, &p);
  CHECK(has_violation(&r, "operation", "'write'"));
  CHECK(has_violation(&r, "operation", "'delete'"));
  CHECK(!has_violation(&r, "operation", "'create'"));
  CHECK(!has_violation(&r, "operation", "'read'"));
  CHECK(!has_violation(&r, "capability", "file system"));
  audit_report_free(&r);
  policy_free(&p);

  /* Network granted for connecting only: accepting is an operation violation. */
  const char *acc[] = {"sock_accept"};
  fake_imports(&r, acc, 1);
  audit_score(&r);
  policy_init(&p);
  CHECK(policy_add_net(&p, "db:5432", POLICY_NET_CONNECT, &err));
  audit_verify(&r, &p);
  CHECK(has_violation(&r, "operation", "accepting connections"));
  audit_report_free(&r);
  fake_imports(&r, acc, 1);
  CHECK(policy_add_net(&p, "0.0.0.0:8080", POLICY_NET_LISTEN, &err));
  audit_verify(&r, &p);
  CHECK(audit_passed(&r));
  audit_report_free(&r);
  policy_free(&p);

  /* Limits: minimum above, maximum above, unbounded under a limit. */
  fake_imports(&r, NULL, 0);
  r.nmemories = 3;
  r.memories = calloc(3, sizeof *r.memories);
  r.memories[0] = (audit_limits_info){.min = 32, .max = 0, .has_max = false};
  r.memories[1] = (audit_limits_info){.min = 1, .max = 100, .has_max = true};
  r.memories[2] = (audit_limits_info){.min = 1, .max = 2, .has_max = true};
  r.ntables = 1;
  r.tables = calloc(1, sizeof *r.tables);
  r.tables[0] = (audit_limits_info){.min = 20, .max = 20, .has_max = true};
  policy_init(&p);
  p.limits.memory_bytes = 16 * 65536;
  p.limits.table_elements = 10;
  audit_verify(&r, &p);
  CHECK(has_violation(&r, "limit", "memory 0 needs at least 32 pages"));
  CHECK(has_violation(&r, "limit", "memory 1 may grow to 100 pages"));
  CHECK(!has_violation(&r, "limit", "memory 2"));
  CHECK(has_violation(&r, "limit", "together"));
  CHECK(has_violation(&r, "limit", "table 0 needs at least 20 elements"));
  audit_report_free(&r);
  fake_imports(&r, NULL, 0);
  r.nmemories = 1;
  r.memories = calloc(1, sizeof *r.memories);
  r.memories[0] = (audit_limits_info){.min = 1};
  audit_verify(&r, &p);
  CHECK(has_violation(&r, "limit", "unbounded"));
  audit_report_free(&r);
  policy_free(&p);

  /* Opaque imports can never be granted; with no policy nothing is a violation. */
  const char *opaque[] = {"host_fn"};
  fake_imports(&r, opaque, 1);
  policy_init(&p);
  audit_verify(&r, &p);
  CHECK(has_violation(&r, "capability", "host module 'env'"));
  audit_report_free(&r);
  policy_free(&p);
}

UNIT_GROUP(audit_producers) {
  audit_report r;
  memset(&r, 0, sizeof r);
  static const uint8_t ok[] = {2, 8, 'l', 'a', 'n', 'g', 'u', 'a', 'g', 'e', 1, 1, 'C', 2, '1', '1',
                               12, 'p', 'r', 'o', 'c', 'e', 's', 's', 'e', 'd', '-', 'b', 'y', 2,
                               5, 'c', 'l', 'a', 'n', 'g', 2, '1', '6', 3, 'l', 'l', 'd', 0};
  audit_parse_producers(&r, ok, sizeof ok);
  CHECK(r.producers_error == NULL);
  CHECK_EQ_U64(r.nproducers, 3);
  if (r.nproducers == 3) {
    CHECK_STR(r.producers[0].field, "language");
    CHECK_STR(r.producers[0].name, "C");
    CHECK_STR(r.producers[0].version, "11");
    CHECK_STR(r.producers[2].name, "lld");
    CHECK_STR(r.producers[2].version, "");
  }
  audit_report_free(&r);
  /* Every truncation of it is rejected cleanly. */
  for (size_t n = 0; n < sizeof ok; n++) {
    memset(&r, 0, sizeof r);
    audit_parse_producers(&r, ok, n);
    CHECK(r.producers_error != NULL);
    audit_report_free(&r);
  }
  static const uint8_t huge[] = {1, 0xff, 0xff, 0xff, 0xff, 0x0f};
  memset(&r, 0, sizeof r);
  audit_parse_producers(&r, huge, sizeof huge);
  CHECK(r.producers_error != NULL);
  audit_report_free(&r);
  static const uint8_t trailing[] = {0, 0};
  memset(&r, 0, sizeof r);
  audit_parse_producers(&r, trailing, sizeof trailing);
  CHECK(r.producers_error && strstr(r.producers_error, "size mismatch"));
  audit_report_free(&r);
}

UNIT_GROUP(audit_module) {
  /* (import "wasi_snapshot_preview1" "path_open" (func)) (import "env" "f" (func))
   * (memory 1) (data (i32.const 0) "\7fELF") and a producers section. */
  static const uint8_t mod[] = {
      0, 'a', 's', 'm', 1, 0, 0, 0,
      1, 4, 1, 0x60, 0, 0,                                             /* type () -> () */
      2, 44, 2,                                                        /* imports */
      22, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_', 'p', 'r', 'e', 'v', 'i',
      'e', 'w', '1', 9, 'p', 'a', 't', 'h', '_', 'o', 'p', 'e', 'n', 0, 0,
      3, 'e', 'n', 'v', 1, 'f', 0, 0,
      5, 3, 1, 0, 1,                                                   /* memory 1 */
      11, 10, 1, 0, 0x41, 0, 0x0b, 4, 0x7f, 'E', 'L', 'F',             /* data */
      0, 22, 9, 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r', 's', 1, 3, 's', 'd', 'k', 1, 3, 'w', 'a', 't', 1, '1',
  };
  util_error err;
  wasm_module *m = wasm_decode(mod, sizeof mod, &err);
  if (!unit_check(m != NULL, __FILE__, __LINE__, "decode: %s", m ? "" : err.msg)) return;
  audit_report r;
  CHECK(audit_module(m, NULL, &r, &err) || unit_check(false, __FILE__, __LINE__, "%s", err.msg));
  CHECK_EQ_U64(r.nimports, 2);
  CHECK(r.imports[0].wasi && !r.imports[0].opaque);
  CHECK(r.imports[1].opaque && !r.imports[1].wasi);
  CHECK_EQ_U64(r.boundary.nopaque_modules, 1);
  CHECK(r.risk == POLICY_RISK_HIGH);
  CHECK(!r.has_policy && audit_passed(&r));
  CHECK_EQ_U64(r.nembedded, 1);
  if (r.nembedded) CHECK(strstr(r.embedded[0].kind, "ELF") != NULL);
  CHECK_EQ_U64(r.nproducers, 1);
  if (r.nproducers) CHECK_STR(r.producers[0].name, "wat");
  CHECK(r.nmemories == 1 && !r.memories[0].has_max);
  /* Both renderings run to completion into a scratch file. */
  FILE *f = tmpfile();
  if (f) {
    audit_print_json(f, "m.wasm", &r);
    audit_print_markdown(f, "m.wasm", &r);
    CHECK(ftell(f) > 500);
    fclose(f);
  }
  audit_report_free(&r);
  wasm_module_free(m);
}
