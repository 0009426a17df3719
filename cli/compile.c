/* `weld compile`: a module compiled ahead of time into a precompiled image (.cwasm) that
 * `weld run --allow-precompiled` maps without compiling; and `weld cache`: the
 * compiled-code cache `weld run` keeps (src/cache). docs/precompiled.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cli.h"
#include "policy/policy.h"
#include "weld.h"

enum { C_OUT, C_TIER, C_BOUNDS, C_STANDARD, C_THREADS };

static const cli_opt compile_opts[] = {
    {"--output", "-o", "FILE", C_OUT},
    {"--tier", "", "baseline|optimized", C_TIER},
    {"--bounds", "", "guard|explicit", C_BOUNDS},
    {"--standard", "", "2.0|3.0", C_STANDARD},
    {"--compile-threads", "", "N", C_THREADS},
};

int cli_cmd_compile(int argc, char **argv) {
  const char *out = NULL, *path = NULL;
  weld_config cfg;
  weld_config_default(&cfg);
  bool tier_given = false;
  cli_parser p;
  cli_parser_init(&p, "compile", compile_opts, sizeof compile_opts / sizeof compile_opts[0], argc, argv);
  int r;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (r == CLI_ARG_EXIT) return p.rc;
    if (r == CLI_ARG_OPERAND) {
      if (path) return cli_usage_error("compile", "one module at a time ('%s' and '%s')", path, p.operand);
      path = p.operand;
      continue;
    }
    const char *v = p.value;
    switch (p.opt->id) {
    case C_OUT: out = v; break;
    case C_TIER:
      tier_given = true;
      if (strcmp(v, "baseline") == 0) cfg.tier = WELD_TIER_BASELINE;
      else if (strcmp(v, "optimized") == 0) cfg.tier = WELD_TIER_OPTIMIZED;
      else return cli_usage_error("compile", "--tier: '%s' is not 'baseline' or 'optimized'", v);
      break;
    case C_BOUNDS:
      if (strcmp(v, "guard") == 0) cfg.bounds = WELD_BOUNDS_GUARD;
      else if (strcmp(v, "explicit") == 0) cfg.bounds = WELD_BOUNDS_EXPLICIT;
      else return cli_usage_error("compile", "--bounds: '%s' is not 'guard' or 'explicit'", v);
      break;
    case C_THREADS:
      if (!cli_threshold_value(v, &cfg.compile_threads) || cfg.compile_threads > 8)
        return cli_usage_error("compile", "--compile-threads: '%s' is not a count from 0 to 8", v);
      break;
    case C_STANDARD:
      if (strcmp(v, "2.0") == 0) cfg.standard = WELD_STANDARD_2_0;
      else if (strcmp(v, "3.0") == 0) cfg.standard = WELD_STANDARD_LATEST;
      else return cli_usage_error("compile", "--standard: '%s' is not '2.0' or '3.0'", v);
      break;
    }
  }
  if (!path) return cli_usage_error("compile", "missing module file");
  if (!out) return cli_usage_error("compile", "missing -o FILE (the precompiled module to write)");
  /* optimised where this weld has LLVM, else the baseline tier; asked only without
   * --tier, since asking loads LLVM (a tenth of a second) */
  if (!tier_given)
    cfg.tier = weld_tier_unsupported(WELD_TIER_OPTIMIZED) ? WELD_TIER_BASELINE : WELD_TIER_OPTIMIZED;
  const char *why = weld_tier_unsupported(cfg.tier);
  if (why) {
    fprintf(stderr, "weld: compile: %s\n", why);
    return CLI_EXIT_USAGE;
  }
  uint8_t *bytes;
  size_t len;
  util_error ue;
  util_error_clear(&ue);
  if (!util_read_file(path, &bytes, &len, &ue)) {
    fprintf(stderr, "weld: %s\n", ue.msg);
    return CLI_EXIT_USAGE;
  }
  weld_engine *e = weld_engine_new(&cfg);
  uint8_t *img = NULL;
  size_t ilen = 0;
  weld_error *err = NULL;
  bool ok = e && weld_module_precompile(e, bytes, len, &img, &ilen, &err);
  free(bytes);
  weld_engine_free(e);
  if (!ok) {
    char at[48] = "";
    if (err && weld_error_offset(err) >= 0)
      snprintf(at, sizeof at, " (at offset 0x%llx)", (unsigned long long)weld_error_offset(err));
    fprintf(stderr, "weld: %s: %s%s\n", cli_display_name(path), err ? weld_error_message(err) : "out of memory", at);
    int rc = err && weld_error_get_kind(err) == WELD_ERROR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_BAD_MODULE;
    weld_error_free(err);
    return rc;
  }
  if (!cli_write_file(out, img, ilen)) {
    fprintf(stderr, "weld: cannot write %s\n", out);
    free(img);
    return CLI_EXIT_USAGE;
  }
  free(img);
  return CLI_EXIT_OK;
}

/* ---------- weld cache ---------- */

enum { K_DIR, K_MAX };

static const cli_opt cache_opts[] = {
    {"--cache-dir", "", "DIR", K_DIR},
    {"--cache-max-bytes", "", "SIZE", K_MAX},
};

int cli_cmd_cache(int argc, char **argv) {
  char dirbuf[4200];
  const char *dir = cache_default_dir(dirbuf, sizeof dirbuf), *action = NULL;
  uint64_t max = CACHE_DEFAULT_MAX_BYTES;
  bool max_given = false;
  util_error ue;
  util_error_clear(&ue);
  cli_parser p;
  cli_parser_init(&p, "cache", cache_opts, sizeof cache_opts / sizeof cache_opts[0], argc, argv);
  int r;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (r == CLI_ARG_EXIT) return p.rc;
    if (r == CLI_ARG_OPERAND) {
      if (action) return cli_usage_error("cache", "one action at a time ('%s' and '%s')", action, p.operand);
      action = p.operand;
      continue;
    }
    if (p.opt->id == K_DIR) dir = p.value;
    else if (!policy_parse_size(p.value, &max, &ue)) return cli_usage_error("cache", "--cache-max-bytes: %s", ue.msg);
    else max_given = true;
  }
  if (!action) action = "info";
  /* the names issue 14 used */
  if (strcmp(action, "stats") == 0) action = "info";
  if (strcmp(action, "clear") == 0) action = "clean";
  if (strcmp(action, "info") == 0 || strcmp(action, "dir") == 0) {
    cache_stats st;
    if (strcmp(action, "dir") == 0) {
      printf("%s\n", dir);
      return CLI_EXIT_OK;
    }
    if (!cache_info(dir, &st, &ue)) {
      fprintf(stderr, "weld: cache: %s\n", ue.msg);
      return CLI_EXIT_USAGE;
    }
    printf("directory: %s\nentries: %llu\nbytes: %llu\n", dir, (unsigned long long)st.entries,
           (unsigned long long)st.bytes);
    return CLI_EXIT_OK;
  }
  if (strcmp(action, "clean") == 0 || strcmp(action, "evict") == 0) {
    if (strcmp(action, "evict") == 0 && !max_given)
      return cli_usage_error("cache", "evict needs --cache-max-bytes SIZE (the budget to evict down to)");
    cache_stats gone;
    if (!cache_evict(dir, strcmp(action, "clean") == 0 ? 0 : max, &gone, &ue)) {
      fprintf(stderr, "weld: cache: %s\n", ue.msg);
      return CLI_EXIT_USAGE;
    }
    printf("removed %llu entries (%llu bytes) from %s\n", (unsigned long long)gone.entries,
           (unsigned long long)gone.bytes, dir);
    return CLI_EXIT_OK;
  }
  return cli_usage_error("cache", "unknown action '%s' (info, dir, clean or evict)", action);
}
