/* `weld run`: instantiate a module and run it — its start function and `_start`, or one
 * export called with arguments from the command line whose results are printed one per
 * line. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "opt/opt.h"
#include "policy/policy.h"
#include "cli.h"
#include "guard/guard.h"
#include "wasi/wasi.h"
#include "weld.h"

/* ---------- arguments -------------------------------------------------------------------- */

static bool isdigit_start(const char *s) {
  const char *p = s[0] == '-' || s[0] == '+' ? s + 1 : s;
  return *p >= '0' && *p <= '9';
}

static bool parse_int(const char *s, bool is64, int64_t *out) {
  errno = 0;
  char *end;
  bool neg = s[0] == '-';
  uint64_t u = strtoull(neg || s[0] == '+' ? s + 1 : s, &end, 0);
  if (errno || end == s || *end || !isdigit_start(s)) return false;
  if (is64) {
    if (neg && u > (uint64_t)INT64_MAX + 1) return false;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
  } else {
    /* i32 accepts the signed and the unsigned range, like the text format */
    if (neg ? u > 0x80000000ull : u > 0xffffffffull) return false;
    *out = neg ? -(int64_t)u : (int64_t)(uint32_t)u;
  }
  return true;
}

/* Floats: decimal, hex floats, inf, nan and nan:0xPAYLOAD, with an optional sign. */
static bool parse_float(const char *s, bool is64, double *d, uint64_t *bits, bool *use_bits) {
  *use_bits = false;
  bool neg = s[0] == '-';
  const char *p = s[0] == '-' || s[0] == '+' ? s + 1 : s;
  if (strncmp(p, "nan:0x", 6) == 0) {
    errno = 0;
    char *end;
    uint64_t payload = strtoull(p + 6, &end, 16);
    uint64_t max = is64 ? 0xfffffffffffffull : 0x7fffffull;
    if (errno || *end || payload == 0 || payload > max) return false;
    *bits = is64 ? (0x7ff0000000000000ull | payload | (neg ? 1ull << 63 : 0))
                 : (0x7f800000u | payload | (neg ? 0x80000000u : 0));
    *use_bits = true;
    return true;
  }
  errno = 0;
  char *end;
  *d = strtod(s, &end);
  if (end == s || *end) return false;
  if (errno == ERANGE && isinf(*d)) return false;
  return true;
}

/* v128: "0x" and 32 hex digits (the 128-bit number; lane 0 is the low end, as printed),
 * or a shape and its lanes: "i32x4 1 2 3 4", "f32x4:1.5,nan,-0,inf". */
static bool parse_v128(const char *s, uint8_t out[16]) {
  memset(out, 0, 16);
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    const char *h = s + 2;
    if (strlen(h) != 32) return false;
    for (int i = 0; i < 32; i++) {
      char c = h[i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      int byte = 15 - i / 2;
      out[byte] |= (uint8_t)(i % 2 ? d : d << 4);
    }
    return true;
  }
  static const struct {
    char name[6]; /* an array: the table needs no relocations at start-up */
    unsigned lanes, size;
    bool is_float;
  } shapes[] = {{"i8x16", 16, 1, false}, {"i16x8", 8, 2, false}, {"i32x4", 4, 4, false},
                {"i64x2", 2, 8, false},  {"f32x4", 4, 4, true},  {"f64x2", 2, 8, true}};
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
    size_t n = strlen(shapes[k].name);
    if (strncmp(s, shapes[k].name, n) != 0) continue;
    char buf[512];
    if (strlen(s + n) >= sizeof buf) return false;
    strcpy(buf, s + n);
    unsigned lane = 0;
    for (char *tok = strtok(buf, " ,:"); tok; tok = strtok(NULL, " ,:")) {
      if (lane >= shapes[k].lanes) return false;
      unsigned sz = shapes[k].size;
      uint8_t *dst = out + lane * sz;
      if (shapes[k].is_float) {
        double d;
        uint64_t bits;
        bool use_bits;
        if (!parse_float(tok, sz == 8, &d, &bits, &use_bits)) return false;
        if (sz == 4) {
          float f = (float)d;
          uint32_t b = (uint32_t)bits;
          if (use_bits) memcpy(dst, &b, 4);
          else memcpy(dst, &f, 4);
        } else {
          if (use_bits) memcpy(dst, &bits, 8);
          else memcpy(dst, &d, 8);
        }
      } else {
        int64_t x;
        if (!parse_int(tok, true, &x)) return false;
        if (sz < 8) {
          int64_t lo = -(1ll << (sz * 8 - 1)), hi = (1ll << (sz * 8)) - 1;
          if (x < lo || x > hi) return false;
        }
        uint64_t u = (uint64_t)x;
        memcpy(dst, &u, sz); /* little-endian host */
      }
      lane++;
    }
    return lane == shapes[k].lanes;
  }
  return false;
}

static bool parse_arg(const char *s, weld_valkind kind, weld_val *v) {
  memset(v, 0, sizeof *v);
  v->kind = kind;
  switch (kind) {
  case WELD_I32:
  case WELD_I64: {
    int64_t x;
    if (!parse_int(s, kind == WELD_I64, &x)) return false;
    if (kind == WELD_I32) v->of.i32 = (int32_t)(uint32_t)x;
    else v->of.i64 = x;
    return true;
  }
  case WELD_F32:
  case WELD_F64: {
    double d;
    uint64_t bits;
    bool use_bits;
    if (!parse_float(s, kind == WELD_F64, &d, &bits, &use_bits)) return false;
    if (kind == WELD_F32) {
      if (use_bits) {
        uint32_t b = (uint32_t)bits;
        memcpy(&v->of.f32, &b, 4);
      } else {
        v->of.f32 = (float)d;
      }
    } else {
      if (use_bits) memcpy(&v->of.f64, &bits, 8);
      else v->of.f64 = d;
    }
    return true;
  }
  case WELD_FUNCREF:
  case WELD_EXTERNREF:
  case WELD_EXNREF:
  case WELD_ANYREF: return strcmp(s, "null") == 0;
  case WELD_V128: return parse_v128(s, v->of.v128);
  }
  return false;
}

/* ---------- results ---------------------------------------------------------------------- */

/* The shortest decimal that reads back to the same float. */
static void print_float(double d, bool is32) {
  char buf[64];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (is32 ? (float)strtod(buf, NULL) == (float)d : strtod(buf, NULL) == d) break;
  }
  printf("%s\n", buf);
}

static void print_nan(uint64_t bits, bool is32) {
  uint64_t payload = is32 ? bits & 0x7fffffu : bits & 0xfffffffffffffull;
  bool neg = is32 ? (bits >> 31) & 1 : (bits >> 63) & 1;
  uint64_t canonical = is32 ? 0x400000u : 0x8000000000000ull;
  if (payload == canonical) printf("%snan\n", neg ? "-" : "");
  else printf("%snan:0x%" PRIx64 "\n", neg ? "-" : "", payload);
}

static void print_val(const weld_val *v) {
  switch (v->kind) {
  case WELD_I32: printf("%" PRId32 "\n", v->of.i32); break;
  case WELD_I64: printf("%" PRId64 "\n", v->of.i64); break;
  case WELD_F32:
    if (isnan(v->of.f32)) {
      uint32_t b;
      memcpy(&b, &v->of.f32, 4);
      print_nan(b, true);
    } else {
      print_float(v->of.f32, true);
    }
    break;
  case WELD_F64:
    if (isnan(v->of.f64)) {
      uint64_t b;
      memcpy(&b, &v->of.f64, 8);
      print_nan(b, false);
    } else {
      print_float(v->of.f64, false);
    }
    break;
  case WELD_V128:
    /* the 128-bit number, lane 0 at the low end: reads back as an argument */
    printf("0x");
    for (int i = 15; i >= 0; i--) printf("%02x", v->of.v128[i]);
    printf("\n");
    break;
  case WELD_FUNCREF: printf(v->of.funcref ? "funcref\n" : "null\n"); break;
  case WELD_EXTERNREF: printf(v->of.externref ? "externref\n" : "null\n"); break;
  case WELD_EXNREF: printf(v->of.exnref ? "exnref\n" : "null\n"); break;
  case WELD_ANYREF: printf(v->of.anyref ? "anyref\n" : "null\n"); break;
  }
}

/* ---------- traps ------------------------------------------------------------------------ */

/* How the run ended, for the usage report. */
typedef struct run_outcome {
  const char *what; /* "ok", "exit", "trap", "refused", "error" */
  char trap[256];   /* the trap's message */
  char error[512];  /* why the module was refused or the run failed */
} run_outcome;

/* Prints `weld: MESSAGE` and keeps MESSAGE for the report. */
static void __attribute__((format(printf, 3, 4)))
run_error(run_outcome *o, const char *what, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->error, sizeof o->error, fmt, ap);
  va_end(ap);
  o->what = what;
  fprintf(stderr, "weld: %s\n", o->error);
}

/* Prints `weld: trap: MESSAGE` and the WebAssembly backtrace; returns the exit status. */
static int report_trap(weld_trap *t, run_outcome *out) {
  if (weld_trap_get_kind(t) == WELD_TRAP_EXIT) {
    int code = weld_trap_exit_code(t);
    weld_trap_free(t);
    out->what = "exit";
    return code;
  }
  out->what = "trap";
  snprintf(out->trap, sizeof out->trap, "%s", weld_trap_message(t));
  fprintf(stderr, "weld: trap: %s\n", weld_trap_message(t));
  weld_trap_print_backtrace(t, stderr);
  weld_trap_free(t);
  return CLI_EXIT_TRAP;
}

/* ---------- the command ------------------------------------------------------------------- */

enum {
  RUN_INVOKE, RUN_BOUNDS, RUN_LIMIT, /* the limit, --report and --audit-first options */
  RUN_WASI, RUN_PRESET, RUN_PROFILE, RUN_TIER, RUN_TIER_STATS, RUN_TIER_UP, RUN_COMPILE_THREADS,
  RUN_ALLOW_PRECOMPILED, RUN_NO_CACHE, RUN_CACHE_DIR, RUN_CACHE_MAX
};

static const cli_opt run_opts[] = {
    {"--invoke", "", "NAME", RUN_INVOKE},
    {"--bounds", "", "guard|explicit", RUN_BOUNDS},
    {"--tier", "", "interp|baseline|auto|optimized", RUN_TIER},
    {"--tier-stats", "", "", RUN_TIER_STATS},
    {"--tier-up-threshold", "", "N", RUN_TIER_UP},
    {"--compile-threads", "", "N", RUN_COMPILE_THREADS},
    {"--allow-precompiled", "", "", RUN_ALLOW_PRECOMPILED},
    {"--no-cache", "", "", RUN_NO_CACHE},
    {"--cache-dir", "", "DIR", RUN_CACHE_DIR},
    {"--cache-max-bytes", "", "SIZE", RUN_CACHE_MAX},
    {"--fuel", "", "N", RUN_LIMIT},
    {"--max-memory", "", "SIZE", RUN_LIMIT},
    {"--max-gc-heap", "", "SIZE", RUN_LIMIT},
    {"--max-table-elements", "", "N", RUN_LIMIT},
    {"--max-stack", "", "N", RUN_LIMIT},
    {"--max-instances", "", "N", RUN_LIMIT},
    {"--timeout", "", "DURATION", RUN_LIMIT},
    {"--trap-on-grow-failure", "", "", RUN_LIMIT},
    {"--report", "", "FILE", RUN_LIMIT},
    {"--audit-first", "", "", RUN_LIMIT},
    {"--dir", "", "HOST[::GUEST]", RUN_WASI},
    {"--env", "", "NAME[=VALUE]", RUN_WASI},
    {"--policy", "", "FILE", RUN_WASI},
    {"--preset", "", "NAME", RUN_PRESET},
    {"--profile", "", "guest[,PATH]", RUN_PROFILE},
    {"--log-denials", "", "", RUN_WASI},
    {"--tcplisten", "", "HOST:PORT", RUN_WASI},
};
#define NRUN_OPTS (sizeof run_opts / sizeof run_opts[0])

bool cli_run_knows_option(const char *arg) { return cli_parser_knows(run_opts, NRUN_OPTS, arg); }

/* Feeds one flag through src/wasi's parser, the one embedders use too. */
static bool wasi_option(wasi_options *o, const char *flag, const char *value, util_error *err) {
  char *av[3] = {(char *)flag, (char *)value, NULL};
  int i = 0;
  int r = wasi_options_parse(o, value ? 2 : 1, av, &i, err);
  if (r == 0) return util_fail(err, UTIL_ERR_USAGE, -1, "%s: not a WASI option", flag);
  return r > 0;
}

bool cli_profile_value(const char *v, bool *guest, const char **path) {
  *guest = false;
  *path = NULL;
  if (strcmp(v, "guest") == 0) {
    *guest = true;
  } else if (strncmp(v, "guest,", 6) == 0) {
    *guest = true;
    *path = v + 6;
  }
  return *guest;
}

int cli_cmd_run(int argc, char **argv) {
  const char *invoke = NULL, *path = NULL;
  /* a component takes several --invoke, called in turn on one instance */
  const char *invokes[64];
  int ninvokes = 0;
  const char *module_only = NULL; /* the first option components do not take yet */
  bool tier_stats = false, tier_given = false;
  bool no_cache = false;
  const char *cache_dir = NULL;
  enum { CACHE_PATH = 4200 };
  char *cache_buf = NULL; /* a path of up to 4 KiB: on the heap, not in the frame the whole run sits under */
  cli_run_opts ropt = {0};
  cli_guard_opts gopt;
  cli_guard_init(&gopt);
  guard_clock clk = {0};
  run_outcome outcome = {.what = "ok"};
  cli_profile prof = {0};
  weld_config cfg;
  weld_config_default(&cfg);
  wasi_options wopt;
  wasi_options_init(&wopt);
  util_error werr;
  util_error_clear(&werr);
  cli_parser p;
  cli_parser_init(&p, "run", run_opts, NRUN_OPTS, argc, argv);
  /* everything after the module belongs to the guest */
  p.stop_at_operand = true;
  int r;
  while ((r = cli_parser_next(&p)) == CLI_ARG_OPTION) {
    const char *a = p.opt->name, *v = p.value;
    bool ok = true;
    /* components take the WASI flags (src/wasi2) and the limits, not yet sockets, the
     * report or the audit */
    bool comp_ok = p.opt->id == RUN_INVOKE || p.opt->id == RUN_PRESET ||
                   (p.opt->id == RUN_WASI && strcmp(a, "--tcplisten") != 0) ||
                   (p.opt->id == RUN_LIMIT && strcmp(a, "--report") != 0 && strcmp(a, "--audit-first") != 0);
    if (!comp_ok && !module_only) module_only = a;
    switch (p.opt->id) {
    case RUN_INVOKE:
      invoke = v;
      if (ninvokes < (int)(sizeof invokes / sizeof invokes[0])) invokes[ninvokes++] = v;
      else ok = util_fail(&werr, UTIL_ERR_USAGE, -1, "--invoke: at most %d", ninvokes);
      break;
    case RUN_BOUNDS:
      if (strcmp(v, "guard") == 0) cfg.bounds = WELD_BOUNDS_GUARD;
      else if (strcmp(v, "explicit") == 0) cfg.bounds = WELD_BOUNDS_EXPLICIT;
      else ok = util_fail(&werr, UTIL_ERR_USAGE, -1, "--bounds: '%s' is not 'guard' or 'explicit'", v);
      break;
    case RUN_TIER: {
      int t;
      if (cli_tier_value(v, &t)) cfg.tier = (weld_tier)t, tier_given = true;
      else ok = util_fail(&werr, UTIL_ERR_USAGE, -1, "--tier: '%s' is not 'interp', 'baseline', 'auto' or 'optimized'", v);
      break;
    }
    case RUN_TIER_STATS: tier_stats = true; break;
    case RUN_TIER_UP:
      if (!cli_threshold_value(v, &cfg.tier_up_threshold))
        ok = util_fail(&werr, UTIL_ERR_USAGE, -1, "--tier-up-threshold: '%s' is not a count (0 to 4294967295)", v);
      break;
    case RUN_COMPILE_THREADS:
      if (!cli_threshold_value(v, &cfg.compile_threads) || cfg.compile_threads > 8)
        ok = util_fail(&werr, UTIL_ERR_USAGE, -1, "--compile-threads: '%s' is not a count from 0 to 8", v);
      break;
    case RUN_ALLOW_PRECOMPILED: cfg.allow_precompiled = true; break;
    case RUN_NO_CACHE: no_cache = true; break;
    case RUN_CACHE_DIR: cache_dir = v; break;
    case RUN_CACHE_MAX: ok = policy_parse_size(v, &cfg.cache_max_bytes, &werr); break;
    case RUN_LIMIT: ok = cli_guard_option(&gopt, a, v, &werr); break;
    case RUN_WASI: ok = wasi_option(&wopt, a, v, &werr); break;
    case RUN_PROFILE:
      if (strcmp(v, "perfmap") == 0) { /* wasmtime's spelling of the perf map */
        ropt.profile_perfmap = true;
        break;
      }
      if (cli_profile_value(v, &ropt.profile_guest, &ropt.profile_path)) {
        if (ropt.profile_path && !*ropt.profile_path)
          ok = util_fail(&werr, UTIL_ERR_USAGE, -1, "--profile=guest,PATH: the PATH is empty");
        break;
      }
      fprintf(stderr, "weld: warning: '--profile %s' for a policy preset is deprecated; use '--preset %s' "
                      "(--profile=guest is the profiler)\n", v, v);
      /* fall through */
    case RUN_PRESET: ok = wasi_option(&wopt, "--profile", v, &werr); break;
    }
    if (!ok) {
      wasi_options_free(&wopt);
      return cli_usage_error("run", "%s", werr.msg);
    }
  }
  if (r == CLI_ARG_EXIT) {
    wasi_options_free(&wopt);
    return p.rc;
  }
  if (r == CLI_ARG_DONE) {
    wasi_options_free(&wopt);
    return cli_usage_error("run", "missing module file");
  }
  if (ropt.profile_perfmap) {
    /* src/jit writes the map of what it compiles when WELD_PERF_MAP is set */
    /* the optimising tier's code is named when it is loaded from a code image (elf.c), as
     * it is through the cache; what ORC LLJIT compiles in process is not */
    if (cfg.tier != WELD_TIER_BASELINE && cfg.tier != WELD_TIER_AUTO && !(cfg.tier == WELD_TIER_OPTIMIZED && !no_cache)) {
      wasi_options_free(&wopt);
      return cli_usage_error("run", "not supported: --profile=perfmap names compiled code (--tier baseline, auto, "
                                    "or optimized with the code cache); in the interpreter use --profile=guest");
    }
    setenv("WELD_PERF_MAP", "1", 1);
  }
  prof.on = ropt.profile_guest;
  if (prof.on && cfg.tier != WELD_TIER_INTERP) {
    /* the sampler reads the interpreter's call records; compiled frames have none yet */
    if (tier_given) fprintf(stderr, "weld: note: --profile=guest runs the interpreter (no samples from compiled code yet)\n");
    cfg.tier = WELD_TIER_INTERP;
  }
  /* with the cache the optimising tier may not need LLVM (a hit): not opened here */
  const char *why_tier = cfg.tier == WELD_TIER_OPTIMIZED && !no_cache ? opt_unavailable_quick()
                                                                      : weld_tier_unsupported(cfg.tier);
  if (why_tier) {
    wasi_options_free(&wopt);
    fprintf(stderr, "weld: run: %s\n", why_tier);
    return CLI_EXIT_USAGE;
  }
  /* the compiled-code cache: on for the compiling tiers unless --no-cache */
  if (!no_cache && !(cfg.cache_dir = cache_dir) && (cache_buf = malloc(CACHE_PATH)))
    cfg.cache_dir = cache_default_dir(cache_buf, CACHE_PATH); /* out of memory: no cache */
  prof.path = ropt.profile_path;
  path = p.operand;
  int nargs = argc - p.i;
  char **args = argv + p.i;

  int rc = CLI_EXIT_OK;
  weld_import *wimports = NULL;
  size_t nwimports = 0;
  wasi_ctx *wctx = NULL;
  weld_engine *engine = NULL;
  weld_error *err = NULL;
  weld_module *mod = NULL;
  weld_store *store = NULL;
  weld_trap *trap = NULL;
  uint8_t *bytes;
  size_t len;
  /* from here on every way out writes the --report file, saying how the run ended */
  if (!util_read_file(path, &bytes, &len, &werr)) {
    run_error(&outcome, "error", "%s", werr.msg);
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  if (!wasi_options_finish(&wopt, &werr)) {
    free(bytes);
    if (werr.kind == UTIL_ERR_USAGE) {
      rc = cli_usage_error("run", "%s", werr.msg);
      outcome.what = "error";
      snprintf(outcome.error, sizeof outcome.error, "%s", werr.msg);
    } else {
      run_error(&outcome, "error", "%s", werr.msg);
      rc = CLI_EXIT_USAGE;
    }
    goto out;
  }
  if (comp_has_component_layer(bytes, len)) {
    char why[512] = "", what[16] = "error";
    if (module_only) {
      /* a limit or a policy asked for must not be silently dropped */
      free(bytes);
      rc = cli_usage_error("run", "%s: not supported on components yet: %s", cli_display_name(path),
                           module_only);
      outcome.what = "error";
      snprintf(outcome.error, sizeof outcome.error, "%s: not supported on components yet: %s", cli_display_name(path),
               module_only);
      goto out;
    }
    cli_guard_override(&gopt, &wopt.pol);
    /* the guest's argv: the component's path, then ARGS */
    char **gargv = calloc((size_t)nargs + 2, sizeof *gargv);
    if (gargv) {
      gargv[0] = (char *)path;
      for (int k = 0; !ninvokes && k < nargs; k++) gargv[k + 1] = args[k];
      wasi_config wc = {.argc = ninvokes ? 1 : nargs + 1, .argv = gargv, .log_denials = wopt.log_denials};
      wctx = wasi_ctx_new(&wopt.pol, &wc, &werr);
      free(gargv);
    } else {
      util_fail(&werr, UTIL_ERR_OOM, -1, "out of memory");
    }
    if (!wctx) {
      free(bytes);
      run_error(&outcome, "error", "%s", werr.msg);
      rc = CLI_EXIT_USAGE;
      goto out;
    }
    rc = cli_component_run(path, bytes, len, invokes, ninvokes, nargs, wctx, &wopt.pol, &clk, why, sizeof why, what,
                           sizeof what);
    free(bytes);
    if (why[0]) {
      outcome.what = strcmp(what, "trap") == 0 ? "trap" : strcmp(what, "refused") == 0 ? "refused" : "error";
      if (strcmp(what, "trap") == 0) snprintf(outcome.trap, sizeof outcome.trap, "%.*s", (int)sizeof outcome.trap - 1, why);
      run_error(&outcome, outcome.what, "%s", why);
    }
    goto out;
  }
  cli_guard_override(&gopt, &wopt.pol);
  /* one module per process: the engine's in-memory cache could never hit, and keying it
   * costs a hash and a copy of the module's bytes */
  cfg.module_cache_off = true;
  engine = weld_engine_new(&cfg);
  mod = weld_module_new_take(engine, bytes, len, &err); /* no copy of the bytes */
  bytes = NULL;
  if (!mod) {
    char at[48] = "";
    if (weld_error_offset(err) >= 0)
      snprintf(at, sizeof at, " (at offset 0x%llx)", (unsigned long long)weld_error_offset(err));
    run_error(&outcome, "error", "%s: %s%s", cli_display_name(path), weld_error_message(err), at);
    rc = CLI_EXIT_BAD_MODULE;
    goto out;
  }
  /* the auto tier's promotions are known after the run */
  if (tier_stats && cfg.tier != WELD_TIER_AUTO) cli_print_tier_stats(mod, cfg.tier);
  if (gopt.audit_first && (rc = cli_guard_audit(path, mod, &wopt.pol)) != CLI_EXIT_OK) {
    outcome.what = "refused";
    snprintf(outcome.error, sizeof outcome.error, "refused by the audit (--audit-first)");
    goto out;
  }
  store = weld_store_new(engine);
  if (!store) {
    run_error(&outcome, "error", "cannot allocate a store");
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  if (!cli_guard_arm(store, &wopt.pol, &clk, &werr)) {
    run_error(&outcome, "error", "%s", werr.msg);
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  if (!cli_profile_start(&prof, store)) {
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  {
    /* the guest's argv: the module path, then ARGS (unless they are --invoke's) */
    char **gargv = calloc((size_t)nargs + 2, sizeof *gargv);
    gargv[0] = (char *)path;
    for (int k = 0; !invoke && k < nargs; k++) gargv[k + 1] = args[k];
    wasi_config wc = {.argc = invoke ? 1 : nargs + 1, .argv = gargv, .log_denials = wopt.log_denials,
                      .sockets = wopt.sockets, .nsockets = wopt.nsockets};
    wctx = wasi_ctx_new(&wopt.pol, &wc, &werr);
    free(gargv);
    if (!wctx) {
      run_error(&outcome, "error", "%s", werr.msg);
      rc = CLI_EXIT_USAGE;
      goto out;
    }
    if (!cli_wasi_imports(wctx, store, mod, &wimports, &nwimports, &werr)) {
      run_error(&outcome, "refused", "%s: %s", cli_display_name(path), werr.msg);
      rc = CLI_EXIT_BAD_MODULE;
      goto out;
    }
  }
  weld_instance *inst = weld_instance_new(store, mod, wimports, nwimports, &trap, &err);
  if (inst && !cli_wasi_bind(wctx, inst, nwimports, &werr)) {
    run_error(&outcome, "refused", "%s: %s", cli_display_name(path), werr.msg);
    rc = CLI_EXIT_BAD_MODULE;
    goto out;
  }
  if (!inst) {
    if (trap) {
      rc = report_trap(trap, &outcome);
    } else {
      run_error(&outcome, "refused", "%s: %s", cli_display_name(path), weld_error_message(err));
      rc = CLI_EXIT_BAD_MODULE;
    }
    goto out;
  }
  const char *entry = invoke ? invoke : "_start";
  weld_func *f = weld_instance_func(inst, entry);
  if (!f) {
    if (invoke) {
      run_error(&outcome, "error", "%s: no exported function '%s'", cli_display_name(path), invoke);
      rc = CLI_EXIT_USAGE;
    }
    goto out; /* no _start: instantiating (and the start function) was the run */
  }
  size_t np = weld_func_param_count(f), nr = weld_func_result_count(f);
  if (!invoke) nargs = 0; /* _start's ARGS went to the guest's argv */
  if ((size_t)nargs != np) {
    rc = cli_usage_error("run", "'%s' takes %zu argument%s, %d given", entry, np, np == 1 ? "" : "s", nargs);
    outcome.what = "error";
    snprintf(outcome.error, sizeof outcome.error, "'%s' takes %zu argument%s, %d given", entry, np,
             np == 1 ? "" : "s", nargs);
    goto out;
  }
  weld_val *vals = calloc(np + nr + 1, sizeof *vals);
  for (size_t k = 0; k < np; k++) {
    weld_valkind kind = weld_func_param(f, k);
    if (!parse_arg(args[k], kind, &vals[k])) {
      free(vals);
      rc = cli_usage_error("run", "argument %zu: '%s' is not a valid %s", k + 1, args[k], weld_valkind_name(kind));
      outcome.what = "error";
      snprintf(outcome.error, sizeof outcome.error, "argument %zu: '%s' is not a valid %s", k + 1, args[k],
               weld_valkind_name(kind));
      goto out;
    }
  }
  trap = weld_func_call(f, vals, np, vals + np, nr);
  if (trap) {
    rc = report_trap(trap, &outcome);
  } else {
    for (size_t k = 0; k < nr; k++) print_val(&vals[np + k]);
  }
  free(vals);
out:
  if (tier_stats && mod && cfg.tier == WELD_TIER_AUTO) cli_print_tier_stats(mod, cfg.tier);
  if (!cli_profile_finish(&prof, path) && rc == CLI_EXIT_OK) rc = CLI_EXIT_USAGE;
  if (wctx && !wopt.log_denials) {
    /* a refused call often surfaces only as the program's own error: say it was the
     * policy, once, and how to see every refusal */
    uint64_t n = wasi_ctx_stats(wctx).denials;
    if (n)
      fprintf(stderr, "weld: %" PRIu64 " WASI call%s denied by the policy (first: %s); rerun with --log-denials\n",
              n, n == 1 ? "" : "s", wasi_ctx_first_denial(wctx));
  }
  if (!cli_guard_report(&gopt, path, store, wctx, &wopt.pol, &clk, outcome.what,
                        outcome.trap[0] ? outcome.trap : NULL, outcome.error[0] ? outcome.error : NULL, rc) &&
      rc == CLI_EXIT_OK)
    rc = CLI_EXIT_USAGE;
  if (err) weld_error_free(err);
  /* the process exits when this returns: the store's, module's and engine's mappings go
   * with it, without an munmap each (util_unmap) */
  util_unmap_at_exit();
  weld_store_free(store);
  wasi_ctx_free(wctx);
  free(wimports);
  wasi_options_free(&wopt);
  weld_module_free(mod);
  weld_engine_free(engine);
  free(cache_buf);
  return rc;
}

void cli_print_tier_stats(const struct weld_module *mod, int tier) {
  weld_tier_stats ts;
  weld_module_tier_stats(mod, &ts);
  if (!ts.functions) {
    fprintf(stderr, "weld: tier: every function interpreted\n");
    return;
  }
  if (ts.tier == WELD_TIER_AUTO)
    fprintf(stderr,
            "weld: tier auto: %u of %u defined functions promoted to machine code (%u by a long loop; %llu bytes "
            "from %llu bytes of bodies in %.3f ms), %u hot but left interpreted, %u never hot; "
            "%llu calls went on compiled from a loop\n",
            ts.compiled, ts.functions, ts.promoted_by_loop, (unsigned long long)ts.code_bytes,
            (unsigned long long)ts.wasm_bytes, ts.compile_seconds * 1e3, ts.fell_back,
            ts.functions - ts.compiled - ts.fell_back, (unsigned long long)ts.osr_entered);
  if (ts.tier == WELD_TIER_AUTO && ts.compiled_ahead)
    fprintf(stderr, "weld: tier auto: %u of them compiled with the module (WELD_TIER_EAGER_BYTES)\n", ts.compiled_ahead);
  if (ts.tier == WELD_TIER_AUTO && (ts.optimized || ts.opt_failed))
    fprintf(stderr, "weld: tier auto: %u went on to the optimising tier (%.3f ms of LLVM), %u it did not take\n",
            ts.optimized, ts.opt_seconds * 1e3, ts.opt_failed);
  if (ts.tier != WELD_TIER_AUTO) {
    static const char from[][44] = {"", "; stored in the code cache", "; from the code cache, not compiled",
                                    "; from the precompiled module, not compiled"};
    char on[80] = "";
    if (ts.compile_threads)
      snprintf(on, sizeof on, " on %u thread%s, %.3f ms of CPU", ts.compile_threads, ts.compile_threads == 1 ? "" : "s",
               ts.compile_cpu_seconds * 1e3);
    fprintf(stderr,
            "weld: tier %s: %u of %u defined functions compiled to machine code (%llu bytes from %llu "
            "bytes of bodies in %.3f ms%s%s)\n",
            ts.tier == WELD_TIER_OPTIMIZED || tier == WELD_TIER_OPTIMIZED ? "optimized" : "baseline", ts.compiled,
            ts.functions, (unsigned long long)ts.code_bytes, (unsigned long long)ts.wasm_bytes,
            ts.compile_seconds * 1e3, on, ts.source < 4 ? from[ts.source] : "");
  }
  uint32_t nimp = 0;
  for (size_t i = 0; i < weld_module_import_count(mod); i++) {
    weld_externkind kind;
    weld_module_import(mod, i, NULL, NULL, &kind);
    if (kind == WELD_EXTERN_FUNC) nimp++;
  }
  for (uint32_t k = 0; k < ts.functions; k++) {
    const char *why = weld_module_func_fallback(mod, k);
    if (why) fprintf(stderr, "  func %u interpreted: %s\n", nimp + k, why);
  }
}
