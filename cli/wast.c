/* weld wast: runs WebAssembly script files (the spec's .wast conformance scripts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "wast/run.h"

/* The script's name in the per-script line: its file name without `.wast`. */
static void script_name(const char *path, char *buf, size_t n) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t len = strlen(base);
  if (len > 5 && strcmp(base + len - 5, ".wast") == 0) len -= 5;
  snprintf(buf, n, "%.*s", (int)len, base);
}

static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return false;
  *out = v;
  return true;
}

int cli_cmd_wast(int argc, char **argv) {
  const char *log_path = NULL, *name = NULL;
  wast_run_options o = {0};
  bool options = true;
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (options && strcmp(a, "--") == 0) options = false;
    else if (options && (strcmp(a, "--log") == 0 || strcmp(a, "--name") == 0 || strcmp(a, "--fuel") == 0)) {
      if (i + 1 >= argc) return cli_usage_error("wast", "%s needs a value", a);
      const char *v = argv[++i];
      if (a[2] == 'l') log_path = v;
      else if (a[2] == 'n') name = v;
      else if (!parse_u64(v, &o.fuel) || o.fuel == 0) return cli_usage_error("wast", "bad --fuel '%s'", v);
    } else if (options && (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)) o.verbose = true;
    else if (options && cli_is_option(a)) return cli_usage_error("wast", "unknown option '%s'", a);
    else nfiles++;
  }
  if (nfiles == 0) return cli_usage_error("wast", "missing FILE");
  if (name && nfiles > 1) return cli_usage_error("wast", "--name needs exactly one FILE");
  o.log = stderr;
  if (log_path && !(o.log = fopen(log_path, "w"))) {
    fprintf(stderr, "weld: wast: cannot open %s: %s\n", log_path, strerror(errno));
    return CLI_EXIT_USAGE;
  }

  wast_run_stats total = {0};
  int rc = CLI_EXIT_OK;
  options = true;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (options && strcmp(a, "--") == 0) { options = false; continue; }
    if (options && cli_is_option(a)) {
      if (strcmp(a, "--log") == 0 || strcmp(a, "--name") == 0 || strcmp(a, "--fuel") == 0) i++;
      continue;
    }
    char sname[256];
    if (name) snprintf(sname, sizeof sname, "%s", name);
    else script_name(a, sname, sizeof sname);
    const char *slash = strrchr(a, '/');
    wast_run_stats st;
    util_error err;
    util_error_clear(&err);
    if (!wast_run_file(a, slash ? slash + 1 : a, &o, &st, &err)) {
      char buf[400];
      fprintf(stderr, "weld: %s: %s\n", a, util_error_format(&err, buf, sizeof buf));
      if (o.log != stderr) fprintf(o.log, "FAIL %s:%d: script: %s\n", slash ? slash + 1 : a, err.line, err.msg);
      memset(&st, 0, sizeof st);
      st.failed = 1;
      rc = CLI_EXIT_USAGE;
    } else if (st.failed && rc == CLI_EXIT_OK) {
      rc = CLI_EXIT_BAD_MODULE;
    }
    printf("%s: %u passed, %u failed, %u skipped\n", sname, st.passed, st.failed, st.skipped);
    total.passed += st.passed;
    total.failed += st.failed;
    for (size_t k = 0; k < st.nskips; k++) wast_stats_skip(&total, st.skips[k].reason, st.skips[k].count);
  }
  if (nfiles > 1) {
    printf("skipped by reason:\n");
    if (!total.nskips) printf("  none\n");
    for (size_t k = 0; k < total.nskips; k++) printf("  %s: %u\n", total.skips[k].reason, total.skips[k].count);
    printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed, total.skipped);
  }
  if (o.log != stderr) fclose(o.log);
  return rc;
}
