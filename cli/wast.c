/* weld wast: runs WebAssembly script files (the spec's .wast conformance scripts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "weld.h"
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

enum { WAST_LOG, WAST_NAME, WAST_FUEL, WAST_VERBOSE, WAST_TIER, WAST_TIER_STATS, WAST_BOUNDS, WAST_STANDARD,
       WAST_TIER_UP };
static const cli_opt wast_opts[] = {
    {"--log", "", "FILE", WAST_LOG},
    {"--standard", "", "VERSION", WAST_STANDARD},
    {"--name", "", "NAME", WAST_NAME},
    {"--fuel", "", "N", WAST_FUEL},
    {"--verbose", "-v", "", WAST_VERBOSE},
    {"--tier", "", "interp|baseline|auto|optimized", WAST_TIER},
    {"--tier-stats", "", "", WAST_TIER_STATS},
    {"--tier-up-threshold", "", "N", WAST_TIER_UP},
    {"--bounds", "", "guard|explicit", WAST_BOUNDS},
};

int cli_cmd_wast(int argc, char **argv) {
  const char *log_path = NULL, *name = NULL;
  wast_run_options o = {0};
  const char **files = calloc((size_t)argc, sizeof *files);
  if (!files) return CLI_EXIT_USAGE;
  int nfiles = 0, r;
  bool tier_stats = false;
  cli_parser p;
  cli_parser_init(&p, "wast", wast_opts, sizeof wast_opts / sizeof wast_opts[0], argc, argv);
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPERAND) {
      files[nfiles++] = p.operand;
      continue;
    }
    switch (p.opt->id) {
    case WAST_LOG: log_path = p.value; break;
    case WAST_NAME: name = p.value; break;
    case WAST_VERBOSE: o.verbose = true; break;
    case WAST_TIER_STATS: tier_stats = true; break;
    case WAST_BOUNDS:
      if (strcmp(p.value, "explicit") == 0) o.explicit_bounds = true;
      else if (strcmp(p.value, "guard") == 0) o.explicit_bounds = false;
      else {
        p.rc = cli_usage_error("wast", "--bounds: '%s' is not 'guard' or 'explicit'", p.value);
        r = CLI_ARG_EXIT;
      }
      break;
    case WAST_TIER: {
      int t;
      if (!cli_tier_value(p.value, &t)) {
        p.rc = cli_usage_error("wast", "--tier: '%s' is not 'interp', 'baseline', 'auto' or 'optimized'", p.value);
        r = CLI_ARG_EXIT;
      } else {
        o.tier = 1 + t;
      }
      break;
    }
    case WAST_TIER_UP:
      if (!cli_threshold_value(p.value, &o.tier_up_threshold)) {
        p.rc = cli_usage_error("wast", "--tier-up-threshold: '%s' is not a count (0 to 4294967295)", p.value);
        r = CLI_ARG_EXIT;
      } else {
        o.tier_up_given = true;
      }
      break;
    case WAST_STANDARD:
      if (strcmp(p.value, "2.0") == 0) o.wasm2 = true;
      else if (strcmp(p.value, "3.0") == 0) o.wasm2 = false;
      else {
        p.rc = cli_usage_error("wast", "bad --standard '%s' (2.0 or 3.0)", p.value);
        r = CLI_ARG_EXIT;
      }
      break;
    case WAST_FUEL:
      if (!parse_u64(p.value, &o.fuel) || o.fuel == 0) {
        p.rc = cli_usage_error("wast", "bad --fuel '%s'", p.value);
        r = CLI_ARG_EXIT;
      }
      break;
    }
    if (r == CLI_ARG_EXIT) break;
  }
  int rc = CLI_EXIT_OK;
  if (r == CLI_ARG_EXIT) rc = p.rc;
  else if (nfiles == 0) rc = cli_usage_error("wast", "missing FILE");
  else if (name && nfiles > 1) rc = cli_usage_error("wast", "--name needs exactly one FILE");
  if (rc == CLI_EXIT_OK) {
    /* a tier this build lacks (--tier or WELD_TIER) is refused before any script runs */
    weld_config c;
    weld_config_default(&c);
    if (o.tier > 0) c.tier = (weld_tier)(o.tier - 1);
    const char *why = weld_tier_unsupported(c.tier);
    if (why) {
      fprintf(stderr, "weld: wast: %s\n", why);
      rc = CLI_EXIT_USAGE;
    }
  }
  o.log = stderr;
  if (rc == CLI_EXIT_OK && log_path && !(o.log = fopen(log_path, "w"))) {
    fprintf(stderr, "weld: wast: cannot open %s: %s\n", log_path, strerror(errno));
    rc = CLI_EXIT_USAGE;
  }
  if (rc != CLI_EXIT_OK) {
    free(files);
    return rc;
  }

  wast_run_stats total = {0};
  for (int i = 0; i < nfiles; i++) {
    const char *a = files[i];
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
    total.tier_functions += st.tier_functions;
    total.tier_compiled += st.tier_compiled;
    total.tier_by_loop += st.tier_by_loop;
    total.tier_osr += st.tier_osr;
    total.tier_fell_back += st.tier_fell_back;
    total.tier_auto_functions += st.tier_auto_functions;
    for (size_t k = 0; k < st.ntier_reasons; k++) wast_stats_tier_reason(&total, st.tier_reasons[k].reason, st.tier_reasons[k].count);
    for (size_t k = 0; k < st.nskips; k++) wast_stats_skip(&total, st.skips[k].reason, st.skips[k].count);
  }
  if (nfiles > 1) {
    printf("skipped by reason:\n");
    if (!total.nskips) printf("  none\n");
    for (size_t k = 0; k < total.nskips; k++) printf("  %s: %u\n", total.skips[k].reason, total.skips[k].count);
    printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed, total.skipped);
  }
  if (tier_stats) {
    /* on stderr: stdout's last line stays the total */
    fprintf(stderr, "tier: %llu of %llu defined functions compiled to machine code, %llu interpreted\n",
            (unsigned long long)total.tier_compiled, (unsigned long long)total.tier_functions,
            (unsigned long long)(total.tier_functions - total.tier_compiled));
    if (total.tier_auto_functions)
      fprintf(stderr, "  (auto tier: %llu promoted, %llu of them by a long loop; %llu hot but left interpreted; "
              "%llu never hot; %llu calls went on compiled from a loop)\n",
              (unsigned long long)total.tier_compiled, (unsigned long long)total.tier_by_loop,
              (unsigned long long)total.tier_fell_back,
              (unsigned long long)(total.tier_functions - total.tier_compiled - total.tier_fell_back),
              (unsigned long long)total.tier_osr);
    for (size_t k = 0; k < total.ntier_reasons; k++)
      fprintf(stderr, "  %s: %u\n", total.tier_reasons[k].reason, total.tier_reasons[k].count);
  }
  if (o.log != stderr) fclose(o.log);
  free(files);
  return rc;
}
