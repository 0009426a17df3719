/* weld_spec: runs one conformance script, as converted to JSON by wast2json.
 *
 *   weld_spec [--log FILE] [--name NAME] [--verbose] SCRIPT.json
 *
 * Prints `NAME: N passed, M failed, K skipped` on stdout. The log (default stderr) gets
 * one line per failure (`FAIL file.wast:LINE: COMMAND: reason`) and one line per skip
 * reason (`SKIP file.wast: reason: count`); tests/spec/run.sh gathers both.
 * Exit status: 0 when nothing failed, 1 when something failed, 2 when the script itself
 * could not be read.
 *
 * Each command type has a handler in `handlers[]`. Commands that need execution
 * (actions, assertions on results and traps, linking) are skipped for now; when the
 * runtime lands, their handlers instantiate `spec_module.instance` and replace the
 * skip without touching the rest. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util/util.h"
#include "wasm/module.h"

#define SKIP_TEXT "text format (needs text reader)"
#define SKIP_EXEC "needs execution"

/* A module defined by a `module` command. Named ones (`(module $M ...)`) stay
 * reachable for `register` and for actions naming them. */
typedef struct spec_module {
  char *name;          /* "$M", or NULL */
  wasm_module *wasm;   /* NULL when the module failed to load */
  /* The instance goes here once execution is supported. */
} spec_module;

typedef struct skip_tally {
  const char *reason;
  unsigned count;
} skip_tally;

typedef struct spec_ctx {
  const char *dir;       /* directory of the JSON file: module files are relative to it */
  const char *wast;      /* source script name for messages */
  FILE *log;
  bool verbose;
  unsigned passed, failed, skipped;
  skip_tally skips[8];
  size_t nskips;
  spec_module *modules;  /* every module defined so far, in order */
  size_t nmodules, capmodules;
  size_t current;        /* index of the most recent module (the target of unnamed
                            actions); SIZE_MAX before the first */
} spec_ctx;

typedef enum { SPEC_PASS, SPEC_FAIL, SPEC_SKIP } spec_outcome;

/* A handler's verdict: for FAIL the reason, for SKIP a reason from the fixed set. */
typedef struct spec_result {
  spec_outcome outcome;
  const char *skip_reason;
  char reason[640];
} spec_result;

static spec_outcome pass(spec_result *r) { return r->outcome = SPEC_PASS; }

static spec_outcome skip(spec_result *r, const char *why) {
  r->skip_reason = why;
  return r->outcome = SPEC_SKIP;
}

__attribute__((format(printf, 2, 3))) static spec_outcome fail(spec_result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap);
  va_end(ap);
  return r->outcome = SPEC_FAIL;
}

/* ---------- loading modules ------------------------------------------------------- */

typedef enum { LOAD_OK, LOAD_IO, LOAD_DECODE, LOAD_VALIDATE } load_stage;

/* Reads, decodes and (when `validate`) validates a module file named by a command.
 * On success *out owns the module. The stage says where it stopped. */
static load_stage load_module(spec_ctx *cx, const char *filename, bool validate, wasm_module **out,
                              util_error *err) {
  *out = NULL;
  util_error_clear(err);
  size_t plen = strlen(cx->dir) + strlen(filename) + 2;
  char *path = util_xmalloc(plen);
  snprintf(path, plen, "%s/%s", cx->dir, filename);
  uint8_t *bytes;
  size_t len;
  bool ok = util_read_file(path, &bytes, &len, err);
  free(path);
  if (!ok) return LOAD_IO;
  wasm_module *m = wasm_decode(bytes, len, err);
  free(bytes);
  if (!m) return LOAD_DECODE;
  util_error_clear(err);
  if (validate && !wasm_validate(m, err)) {
    wasm_module_free(m);
    return LOAD_VALIDATE;
  }
  *out = m;
  return LOAD_OK;
}

static const char *kind_name(util_err_kind k) {
  switch (k) {
  case UTIL_ERR_NONE: return "no error";
  case UTIL_ERR_MALFORMED: return "malformed";
  case UTIL_ERR_INVALID: return "invalid";
  case UTIL_ERR_LINK: return "link";
  case UTIL_ERR_TRAP: return "trap";
  case UTIL_ERR_IO: return "io";
  case UTIL_ERR_USAGE: return "usage";
  case UTIL_ERR_LIMIT: return "limit";
  case UTIL_ERR_OOM: return "out of memory";
  }
  return "?";
}

static const char *fmt_err(const util_error *e, char *buf, size_t n) {
  return util_error_format(e, buf, n);
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_text(const json_value *cmd) {
  const char *t = json_get_str(cmd, "module_type");
  return t && strcmp(t, "text") == 0;
}

/* ---------- command handlers -------------------------------------------------------- */

static spec_outcome cmd_module(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  const char *file = json_get_str(cmd, "filename");
  const char *name = json_get_str(cmd, "name");
  if (!file) return fail(r, "command has no filename");
  wasm_module *m = NULL;
  util_error err;
  char buf[320];
  /* A text module still takes its place in the list, so later commands that name it
   * find an empty slot rather than an older module. */
  load_stage st = is_text(cmd) ? LOAD_OK : load_module(cx, file, true, &m, &err);
  spec_module sm = {name ? util_xstrdup(name) : NULL, m};
  UTIL_VEC_PUSH(cx->modules, cx->nmodules, cx->capmodules, sm);
  cx->current = cx->nmodules - 1;
  if (is_text(cmd)) return skip(r, SKIP_TEXT);
  switch (st) {
  case LOAD_OK: return pass(r);
  case LOAD_IO: return fail(r, "%s", fmt_err(&err, buf, sizeof buf));
  case LOAD_DECODE: return fail(r, "%s: decode failed (%s): %s", file, kind_name(err.kind), fmt_err(&err, buf, sizeof buf));
  case LOAD_VALIDATE: return fail(r, "%s: validation failed: %s", file, fmt_err(&err, buf, sizeof buf));
  }
  return fail(r, "unreachable");
}

/* The module must be rejected, by the decoder or the validator, with a message that
 * starts with the expected text (the reference interpreter's rule). */
static spec_outcome cmd_assert_malformed(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  if (is_text(cmd)) return skip(r, SKIP_TEXT);
  const char *file = json_get_str(cmd, "filename");
  const char *text = json_get_str(cmd, "text");
  if (!file || !text) return fail(r, "command has no filename or text");
  wasm_module *m;
  util_error err;
  char buf[320];
  load_stage st = load_module(cx, file, true, &m, &err);
  switch (st) {
  case LOAD_OK:
    wasm_module_free(m);
    return fail(r, "%s: module accepted, expected malformed \"%s\"", file, text);
  case LOAD_IO: return fail(r, "%s", fmt_err(&err, buf, sizeof buf));
  case LOAD_DECODE:
    if (err.kind != UTIL_ERR_MALFORMED)
      return fail(r, "%s: expected malformed \"%s\", got a %s error \"%s\"", file, text,
                  kind_name(err.kind), fmt_err(&err, buf, sizeof buf));
    /* fall through */
  case LOAD_VALIDATE:
    if (!starts_with(err.msg, text))
      return fail(r, "%s: expected \"%s\", got \"%s\"", file, text, fmt_err(&err, buf, sizeof buf));
    return pass(r);
  }
  return fail(r, "unreachable");
}

/* The module must decode and then fail validation with the expected text. */
static spec_outcome cmd_assert_invalid(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  if (is_text(cmd)) return skip(r, SKIP_TEXT);
  const char *file = json_get_str(cmd, "filename");
  const char *text = json_get_str(cmd, "text");
  if (!file || !text) return fail(r, "command has no filename or text");
  wasm_module *m;
  util_error err;
  char buf[320];
  load_stage st = load_module(cx, file, true, &m, &err);
  switch (st) {
  case LOAD_OK:
    wasm_module_free(m);
    return fail(r, "%s: module validated, expected invalid \"%s\"", file, text);
  case LOAD_IO: return fail(r, "%s", fmt_err(&err, buf, sizeof buf));
  case LOAD_DECODE:
    return fail(r, "%s: expected invalid \"%s\", but decoding failed (%s): %s", file, text,
                kind_name(err.kind), fmt_err(&err, buf, sizeof buf));
  case LOAD_VALIDATE:
    if (err.kind != UTIL_ERR_INVALID)
      return fail(r, "%s: expected invalid \"%s\", got a %s error \"%s\"", file, text,
                  kind_name(err.kind), fmt_err(&err, buf, sizeof buf));
    if (!starts_with(err.msg, text))
      return fail(r, "%s: expected \"%s\", got \"%s\"", file, text, fmt_err(&err, buf, sizeof buf));
    return pass(r);
  }
  return fail(r, "unreachable");
}

/* Unlinkable and uninstantiable modules are valid modules: check that much now; the
 * link or instantiation failure itself needs the runtime. */
static spec_outcome cmd_assert_link(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  if (is_text(cmd)) return skip(r, SKIP_TEXT);
  const char *file = json_get_str(cmd, "filename");
  if (!file) return fail(r, "command has no filename");
  wasm_module *m;
  util_error err;
  char buf[320];
  load_stage st = load_module(cx, file, true, &m, &err);
  if (st == LOAD_OK) {
    wasm_module_free(m);
    return skip(r, SKIP_EXEC);
  }
  return fail(r, "%s: a module expected to %s must be valid, but: %s", file,
              strcmp(json_get_str(cmd, "type"), "assert_unlinkable") == 0 ? "fail linking"
                                                                          : "trap when instantiated",
              fmt_err(&err, buf, sizeof buf));
}

static spec_outcome cmd_needs_execution(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  return skip(r, SKIP_EXEC);
}

typedef spec_outcome (*spec_handler)(spec_ctx *cx, const json_value *cmd, spec_result *r);

static const struct {
  const char *type;
  spec_handler fn;
} handlers[] = {
    {"module", cmd_module},
    {"assert_malformed", cmd_assert_malformed},
    {"assert_invalid", cmd_assert_invalid},
    {"assert_unlinkable", cmd_assert_link},
    {"assert_uninstantiable", cmd_assert_link},
    {"register", cmd_needs_execution},
    {"action", cmd_needs_execution},
    {"assert_return", cmd_needs_execution},
    {"assert_trap", cmd_needs_execution},
    {"assert_exhaustion", cmd_needs_execution},
};

/* ---------- the script --------------------------------------------------------------- */

static void tally_skip(spec_ctx *cx, const char *reason) {
  for (size_t i = 0; i < cx->nskips; i++) {
    if (strcmp(cx->skips[i].reason, reason) == 0) {
      cx->skips[i].count++;
      return;
    }
  }
  if (cx->nskips < sizeof cx->skips / sizeof cx->skips[0])
    cx->skips[cx->nskips++] = (skip_tally){reason, 1};
}

static void run_command(spec_ctx *cx, const json_value *cmd) {
  const char *type = json_get_str(cmd, "type");
  long line = json_get_long(cmd, "line", 0);
  spec_result r = {0};
  spec_handler fn = NULL;
  for (size_t i = 0; type && i < sizeof handlers / sizeof handlers[0]; i++)
    if (strcmp(handlers[i].type, type) == 0) fn = handlers[i].fn;
  if (fn) fn(cx, cmd, &r);
  else fail(&r, "unknown command type");
  switch (r.outcome) {
  case SPEC_PASS:
    cx->passed++;
    if (cx->verbose) fprintf(cx->log, "PASS %s:%ld: %s\n", cx->wast, line, type);
    break;
  case SPEC_SKIP:
    cx->skipped++;
    tally_skip(cx, r.skip_reason);
    break;
  case SPEC_FAIL:
    cx->failed++;
    fprintf(cx->log, "FAIL %s:%ld: %s: %s\n", cx->wast, line, type ? type : "?", r.reason);
    break;
  }
}

static void usage(void) {
  fprintf(stderr, "usage: weld_spec [--log FILE] [--name NAME] [--verbose] SCRIPT.json\n");
}

int main(int argc, char **argv) {
  const char *json_path = NULL, *log_path = NULL, *name = NULL;
  bool verbose = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) log_path = argv[++i];
    else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
    else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) verbose = true;
    else if (argv[i][0] == '-' || json_path) { usage(); return 2; }
    else json_path = argv[i];
  }
  if (!json_path) { usage(); return 2; }

  util_error err;
  uint8_t *text;
  size_t len;
  char buf[320];
  if (!util_read_file(json_path, &text, &len, &err)) {
    fprintf(stderr, "weld_spec: %s\n", fmt_err(&err, buf, sizeof buf));
    return 2;
  }
  util_arena arena;
  util_arena_init(&arena);
  const json_value *doc = json_parse((const char *)text, len, &arena, &err);
  const json_value *cmds = json_get(doc, "commands");
  if (!doc || !cmds || cmds->kind != JSON_ARRAY) {
    fprintf(stderr, "weld_spec: %s: %s\n", json_path, doc ? "no command list" : fmt_err(&err, buf, sizeof buf));
    util_arena_free(&arena);
    free(text);
    return 2;
  }

  /* Names default to the JSON file's base name without its extension. */
  char *dir = util_xstrdup(json_path);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : json_path;
  if (slash) *slash = '\0';
  else strcpy(dir, ".");
  char *stem = util_xstrdup(base);
  char *dot = strrchr(stem, '.');
  if (dot) *dot = '\0';
  if (!name) name = stem;
  const char *source = json_get_str(doc, "source_filename");
  const char *wast = source ? (strrchr(source, '/') ? strrchr(source, '/') + 1 : source) : base;

  FILE *log = stderr;
  if (log_path && !(log = fopen(log_path, "w"))) {
    fprintf(stderr, "weld_spec: cannot open %s\n", log_path);
    return 2;
  }
  spec_ctx cx = {.dir = dir, .wast = wast, .log = log, .verbose = verbose, .current = SIZE_MAX};
  for (size_t i = 0; i < cmds->n; i++) run_command(&cx, cmds->items[i]);

  for (size_t i = 0; i < cx.nskips; i++)
    fprintf(log, "SKIP %s: %s: %u\n", wast, cx.skips[i].reason, cx.skips[i].count);
  printf("%s: %u passed, %u failed, %u skipped\n", name, cx.passed, cx.failed, cx.skipped);

  for (size_t i = 0; i < cx.nmodules; i++) {
    free(cx.modules[i].name);
    wasm_module_free(cx.modules[i].wasm);
  }
  free(cx.modules);
  if (log != stderr) fclose(log);
  free(stem);
  free(dir);
  util_arena_free(&arena);
  free(text);
  return cx.failed ? 1 : 0;
}
