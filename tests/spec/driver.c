/* weld_spec: runs one conformance script, as converted to JSON by wast2json.
 *
 *   weld_spec [--log FILE] [--name NAME] [--verbose] [--standard 2.0|3.0] SCRIPT.json
 *
 * Prints `NAME: N passed, M failed, K skipped` on stdout. The log (default stderr) gets
 * one line per failure (`FAIL file.wast:LINE: COMMAND: reason`) and one line per skip
 * reason (`SKIP file.wast: reason: count`); tests/spec/run.sh gathers both.
 * Exit status: 0 when nothing failed, 1 when something failed, 2 when the script itself
 * could not be read.
 *
 * Modules are compiled and instantiated through the public embedding API (include/weld.h)
 * in one store, with the `spectest` host module and `register`ed instances as the import
 * namespace, so the suite exercises exactly what embedders use. Each command type has a
 * handler in `handlers[]`. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "wast/spectest.h"
#include "util/util.h"
#include "wasm/module.h"
#include "weld.h"

#define SKIP_TEXT "text format (needs text reader)"
#define SKIP_CONVERTER "wast2json encodes this module differently from its text"

/* Commands whose binary, as wast2json writes it, is not the module the script means, so
 * the expected outcome cannot be checked on it (weld's own text reader checks them). */
static const struct {
  const char *wast;
  long line;
} converter_deviations[] = {
    /* `select (result)` with no types is written as the untyped 0x1b, losing the arity */
    {"select.wast", 324},
};

/* A module defined by a `module` command. Named ones (`(module $M ...)`) stay
 * reachable for `register` and for actions naming them. */
typedef struct spec_module {
  char *name;            /* "$M", or NULL */
  weld_module *mod;      /* NULL when the module failed to load */
  weld_instance *inst;   /* NULL when it failed to instantiate */
  const char *skip;      /* why commands on it are skipped, or NULL */
} spec_module;

/* An instance made visible to later imports under a module name by `register`. */
typedef struct spec_registered {
  char *as;
  weld_instance *inst;
  const char *skip;
} spec_registered;

typedef struct skip_tally {
  const char *reason;
  unsigned count;
} skip_tally;

typedef struct spec_ctx {
  const char *dir;       /* directory of the JSON file: module files are relative to it */
  const char *wast;      /* source script name for messages */
  FILE *log;
  bool verbose;
  uint32_t features;     /* WASM_FEATURE_*: 2.0's rules with --standard 2.0 */
  unsigned passed, failed, skipped;
  skip_tally skips[8];
  size_t nskips;
  spec_module *modules;  /* every module defined so far, in order */
  size_t nmodules, capmodules;
  size_t current;        /* index of the most recent module (the target of unnamed
                            actions); SIZE_MAX before the first */
  spec_registered *regs;
  size_t nregs, capregs;
  weld_engine *engine;
  weld_store *store;
  wast_spectest spectest;
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
  wasm_module *m = wasm_decode_features(bytes, len, cx->features, err);
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

/* ---------- values ------------------------------------------------------------------- */

/* Spec values arrive as decimal bit patterns ("4294967295" is i32 -1, f32 values are their
 * IEEE bits); references as "null" or a host reference number. */
static uint64_t parse_bits(const char *s) { return s ? strtoull(s, NULL, 10) : 0; }

/* Host references `ref.extern N` become the pointer N + 1, so that 0 stays null. */
static void *extern_ref(uint64_t n) { return (void *)(uintptr_t)(n + 1); }

static bool lane_bytes(const char *lane_type, unsigned *size) {
  if (!lane_type) return false;
  if (strcmp(lane_type, "i8") == 0) *size = 1;
  else if (strcmp(lane_type, "i16") == 0) *size = 2;
  else if (strcmp(lane_type, "i32") == 0 || strcmp(lane_type, "f32") == 0) *size = 4;
  else if (strcmp(lane_type, "i64") == 0 || strcmp(lane_type, "f64") == 0) *size = 8;
  else return false;
  return true;
}

static bool parse_arg(const json_value *v, weld_val *out, spec_result *r) {
  const char *type = json_get_str(v, "type");
  const json_value *val = json_get(v, "value");
  const char *s = val && val->kind == JSON_STRING ? val->str : NULL;
  memset(out, 0, sizeof *out);
  if (!type) return fail(r, "argument without a type"), false;
  if (strcmp(type, "i32") == 0) *out = WELD_I32_VAL((int32_t)(uint32_t)parse_bits(s));
  else if (strcmp(type, "i64") == 0) *out = WELD_I64_VAL((int64_t)parse_bits(s));
  else if (strcmp(type, "f32") == 0) {
    uint32_t b = (uint32_t)parse_bits(s);
    out->kind = WELD_F32;
    memcpy(&out->of.f32, &b, 4);
  } else if (strcmp(type, "f64") == 0) {
    uint64_t b = parse_bits(s);
    out->kind = WELD_F64;
    memcpy(&out->of.f64, &b, 8);
  } else if (strcmp(type, "v128") == 0) {
    unsigned size;
    if (!val || val->kind != JSON_ARRAY || !lane_bytes(json_get_str(v, "lane_type"), &size) ||
        val->n * size != 16)
      return fail(r, "malformed v128 argument"), false;
    out->kind = WELD_V128;
    for (size_t i = 0; i < val->n; i++) {
      uint64_t b = parse_bits(val->items[i]->str);
      memcpy(out->of.v128 + i * size, &b, size); /* little-endian host */
    }
  } else if (strcmp(type, "externref") == 0) {
    out->kind = WELD_EXTERNREF;
    out->of.externref = s && strcmp(s, "null") != 0 ? extern_ref(parse_bits(s)) : NULL;
  } else if (strcmp(type, "funcref") == 0) {
    out->kind = WELD_FUNCREF;
    if (s && strcmp(s, "null") != 0) return fail(r, "non-null funcref argument"), false;
  } else {
    return fail(r, "unknown argument type %s", type), false;
  }
  return true;
}

static bool nan_matches(const char *pattern, uint64_t bits, unsigned size) {
  uint64_t exp_mask = size == 4 ? 0x7f800000u : 0x7ff0000000000000ull;
  uint64_t quiet = size == 4 ? 0x00400000u : 0x0008000000000000ull;
  uint64_t payload = size == 4 ? 0x007fffffu : 0x000fffffffffffffull;
  if ((bits & exp_mask) != exp_mask || (bits & payload) == 0) return false;
  if (strcmp(pattern, "nan:canonical") == 0) return (bits & payload) == quiet;
  return (bits & quiet) != 0; /* nan:arithmetic */
}

static bool float_matches(const char *expect, uint64_t bits, unsigned size) {
  if (expect && strncmp(expect, "nan:", 4) == 0) return nan_matches(expect, bits, size);
  uint64_t want = parse_bits(expect);
  if (size == 4) return (uint32_t)want == (uint32_t)bits;
  return want == bits;
}

static void format_val(const weld_val *v, char *buf, size_t n) {
  switch (v->kind) {
  case WELD_I32: snprintf(buf, n, "i32:%u", (uint32_t)v->of.i32); break;
  case WELD_I64: snprintf(buf, n, "i64:%llu", (unsigned long long)v->of.i64); break;
  case WELD_F32: {
    uint32_t b;
    memcpy(&b, &v->of.f32, 4);
    snprintf(buf, n, "f32:%u (%g)", b, (double)v->of.f32);
    break;
  }
  case WELD_F64: {
    uint64_t b;
    memcpy(&b, &v->of.f64, 8);
    snprintf(buf, n, "f64:%llu (%g)", (unsigned long long)b, v->of.f64);
    break;
  }
  case WELD_V128: {
    size_t o = (size_t)snprintf(buf, n, "v128:");
    for (int i = 0; i < 16 && o < n; i++) o += (size_t)snprintf(buf + o, n - o, "%02x", v->of.v128[i]);
    break;
  }
  case WELD_FUNCREF: snprintf(buf, n, "funcref:%p", (void *)v->of.funcref); break;
  case WELD_EXTERNREF: snprintf(buf, n, "externref:%p", v->of.externref); break;
  case WELD_EXNREF: snprintf(buf, n, "exnref:%p", (void *)v->of.exnref); break;
  case WELD_ANYREF: snprintf(buf, n, "anyref:%p", (void *)v->of.anyref); break;
  }
}

/* Checks one result against an expected value or NaN pattern. */
static bool result_matches(const json_value *exp, const weld_val *got) {
  const char *type = json_get_str(exp, "type");
  const json_value *val = json_get(exp, "value");
  const char *s = val && val->kind == JSON_STRING ? val->str : NULL;
  if (!type) return false;
  if (strcmp(type, "i32") == 0) return got->kind == WELD_I32 && (uint32_t)got->of.i32 == (uint32_t)parse_bits(s);
  if (strcmp(type, "i64") == 0) return got->kind == WELD_I64 && (uint64_t)got->of.i64 == parse_bits(s);
  if (strcmp(type, "f32") == 0) {
    uint32_t b;
    memcpy(&b, &got->of.f32, 4);
    return got->kind == WELD_F32 && float_matches(s, b, 4);
  }
  if (strcmp(type, "f64") == 0) {
    uint64_t b;
    memcpy(&b, &got->of.f64, 8);
    return got->kind == WELD_F64 && float_matches(s, b, 8);
  }
  if (strcmp(type, "v128") == 0) {
    unsigned size;
    const char *lt = json_get_str(exp, "lane_type");
    if (got->kind != WELD_V128 || !val || val->kind != JSON_ARRAY || !lane_bytes(lt, &size) ||
        val->n * size != 16)
      return false;
    bool is_float = lt[0] == 'f';
    for (size_t i = 0; i < val->n; i++) {
      uint64_t lane = 0;
      memcpy(&lane, got->of.v128 + i * size, size);
      const char *e = val->items[i]->str;
      if (is_float ? !float_matches(e, lane, size) : lane != (parse_bits(e) & (size == 8 ? ~0ull : ((1ull << (size * 8)) - 1))))
        return false;
    }
    return true;
  }
  if (strcmp(type, "externref") == 0) {
    if (got->kind != WELD_EXTERNREF) return false;
    if (!s || strcmp(s, "null") == 0) return got->of.externref == NULL;
    return got->of.externref == extern_ref(parse_bits(s));
  }
  if (strcmp(type, "funcref") == 0) {
    if (got->kind != WELD_FUNCREF) return false;
    if (s && strcmp(s, "null") == 0) return got->of.funcref == NULL;
    return got->of.funcref != NULL;
  }
  return false;
}

/* ---------- modules and instances --------------------------------------------------------- */

static const spec_module *find_module(spec_ctx *cx, const char *name) {
  if (!name) return cx->current == SIZE_MAX ? NULL : &cx->modules[cx->current];
  for (size_t i = cx->nmodules; i-- > 0;)
    if (cx->modules[i].name && strcmp(cx->modules[i].name, name) == 0) return &cx->modules[i];
  return NULL;
}

typedef enum { INST_OK, INST_SKIP, INST_LOAD, INST_LINK, INST_TRAP } inst_status;

typedef struct inst_result {
  inst_status status;
  const char *skip;
  weld_module *mod;
  weld_instance *inst;
  char msg[400];
} inst_result;

/* Reads, compiles and instantiates a module file, resolving imports from `spectest` and
 * the registered instances. */
static void instantiate_file(spec_ctx *cx, const char *filename, inst_result *ir) {
  memset(ir, 0, sizeof *ir);
  size_t plen = strlen(cx->dir) + strlen(filename) + 2;
  char *path = util_xmalloc(plen);
  snprintf(path, plen, "%s/%s", cx->dir, filename);
  uint8_t *bytes;
  size_t len;
  util_error ue;
  util_error_clear(&ue);
  bool ok = util_read_file(path, &bytes, &len, &ue);
  free(path);
  if (!ok) {
    ir->status = INST_LOAD;
    util_error_format(&ue, ir->msg, sizeof ir->msg);
    return;
  }
  weld_error *err = NULL;
  ir->mod = weld_module_new(cx->engine, bytes, len, &err);
  free(bytes);
  if (!ir->mod) {
    ir->status = INST_LOAD; /* every 2.0 module loads: a failure is a failure, never a skip */
    snprintf(ir->msg, sizeof ir->msg, "%s", weld_error_message(err));
    weld_error_free(err);
    return;
  }
  size_t n = weld_module_import_count(ir->mod);
  weld_import *imps = util_xcalloc(n + 1, sizeof *imps);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const char *mname, *fname;
    weld_externkind kind;
    weld_module_import(ir->mod, i, &mname, &fname, &kind);
    if (strcmp(mname, "spectest") == 0) {
      for (size_t j = 0; j < cx->spectest.n; j++)
        if (strcmp(cx->spectest.items[j].name, fname) == 0) imps[k++] = cx->spectest.items[j];
      continue;
    }
    for (size_t r = cx->nregs; r-- > 0;) {
      if (strcmp(cx->regs[r].as, mname) != 0) continue;
      if (cx->regs[r].skip) {
        ir->status = INST_SKIP;
        ir->skip = cx->regs[r].skip;
        free(imps);
        return;
      }
      weld_extern x = weld_instance_export(cx->regs[r].inst, fname);
      if (x.kind != WELD_EXTERN_NONE) imps[k++] = (weld_import){mname, fname, x};
      break;
    }
  }
  weld_trap *trap = NULL;
  ir->inst = weld_instance_new(cx->store, ir->mod, imps, k, &trap, &err);
  free(imps);
  if (!ir->inst) {
    ir->status = trap ? INST_TRAP : INST_LINK;
    snprintf(ir->msg, sizeof ir->msg, "%s", trap ? weld_trap_message(trap) : weld_error_message(err));
    if (trap) weld_trap_free(trap);
    if (err) weld_error_free(err);
  }
}

/* ---------- actions ------------------------------------------------------------------------- */

typedef struct action_result {
  bool ran;            /* false: `r` holds a skip or failure */
  weld_trap *trap;
  weld_val results[64];
  size_t nresults;
} action_result;

static void do_action(spec_ctx *cx, const json_value *action, action_result *ar, spec_result *r) {
  memset(ar, 0, sizeof *ar);
  const char *type = json_get_str(action, "type");
  const char *field = json_get_str(action, "field");
  const json_value *fv = json_get(action, "field");
  size_t flen = fv ? fv->len : 0;
  const spec_module *sm = find_module(cx, json_get_str(action, "module"));
  if (!type || !field) return (void)fail(r, "malformed action");
  if (!sm) return (void)fail(r, "action on an unknown module");
  if (sm->skip) return (void)skip(r, sm->skip);
  if (!sm->inst) return (void)fail(r, "action on a module that failed to instantiate");
  if (strcmp(type, "get") == 0) {
    weld_extern gx = weld_instance_export_n(sm->inst, field, flen);
    weld_global *g = gx.kind == WELD_EXTERN_GLOBAL ? gx.of.global : NULL;
    if (!g) return (void)fail(r, "no exported global \"%s\"", field);
    ar->results[0] = weld_global_get(g);
    ar->nresults = 1;
    ar->ran = true;
    return;
  }
  if (strcmp(type, "invoke") != 0) return (void)fail(r, "unknown action type %s", type);
  weld_extern fx = weld_instance_export_n(sm->inst, field, flen);
  weld_func *f = fx.kind == WELD_EXTERN_FUNC ? fx.of.func : NULL;
  if (!f) return (void)fail(r, "no exported function \"%s\"", field);
  const json_value *args = json_get(action, "args");
  size_t nargs = args && args->kind == JSON_ARRAY ? args->n : 0;
  weld_val argv[64];
  if (nargs > 64) return (void)fail(r, "too many arguments");
  for (size_t i = 0; i < nargs; i++)
    if (!parse_arg(args->items[i], &argv[i], r)) return;
  ar->nresults = weld_func_result_count(f);
  if (ar->nresults > 64) return (void)fail(r, "too many results");
  ar->trap = weld_func_call(f, argv, nargs, ar->results, ar->nresults);
  ar->ran = true;
}

/* ---------- command handlers -------------------------------------------------------- */

static spec_outcome cmd_module(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  const char *file = json_get_str(cmd, "filename");
  const char *name = json_get_str(cmd, "name");
  if (!file) return fail(r, "command has no filename");
  spec_module sm = {name ? util_xstrdup(name) : NULL, NULL, NULL, NULL};
  inst_result ir = {0};
  /* A text module still takes its place in the list, so later commands that name it
   * find an empty slot rather than an older module. */
  if (is_text(cmd)) sm.skip = SKIP_TEXT;
  else instantiate_file(cx, file, &ir);
  if (ir.status == INST_SKIP) sm.skip = ir.skip;
  sm.mod = ir.mod;
  sm.inst = ir.inst;
  UTIL_VEC_PUSH(cx->modules, cx->nmodules, cx->capmodules, sm);
  cx->current = cx->nmodules - 1;
  if (sm.skip) return skip(r, sm.skip);
  switch (ir.status) {
  case INST_OK: return pass(r);
  case INST_LOAD: return fail(r, "%s: %s", file, ir.msg);
  case INST_LINK: return fail(r, "%s: link error: %s", file, ir.msg);
  case INST_TRAP: return fail(r, "%s: trapped while instantiating: %s", file, ir.msg);
  case INST_SKIP: break;
  }
  return fail(r, "unreachable");
}

static spec_outcome cmd_register(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  const char *as = json_get_str(cmd, "as");
  const spec_module *sm = find_module(cx, json_get_str(cmd, "name"));
  if (!as || !sm) return fail(r, "register of an unknown module");
  spec_registered reg = {util_xstrdup(as), sm->inst, sm->skip};
  UTIL_VEC_PUSH(cx->regs, cx->nregs, cx->capregs, reg);
  if (sm->skip) return skip(r, sm->skip);
  if (!sm->inst) return fail(r, "register of a module that failed to instantiate");
  return pass(r);
}

static spec_outcome cmd_action(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  action_result ar;
  do_action(cx, json_get(cmd, "action"), &ar, r);
  if (!ar.ran) return r->outcome;
  if (ar.trap) {
    fail(r, "trapped: %s", weld_trap_message(ar.trap));
    weld_trap_free(ar.trap);
    return r->outcome;
  }
  return pass(r);
}

static spec_outcome cmd_assert_return(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  action_result ar;
  do_action(cx, json_get(cmd, "action"), &ar, r);
  if (!ar.ran) return r->outcome;
  if (ar.trap) {
    fail(r, "trapped: %s", weld_trap_message(ar.trap));
    weld_trap_free(ar.trap);
    return r->outcome;
  }
  const json_value *exp = json_get(cmd, "expected");
  size_t nexp = exp && exp->kind == JSON_ARRAY ? exp->n : 0;
  if (nexp != ar.nresults) return fail(r, "expected %zu results, got %zu", nexp, ar.nresults);
  for (size_t i = 0; i < nexp; i++) {
    const json_value *e = exp->items[i];
    /* Alternatives (`either`) are a list under "values"; any may match. */
    const json_value *alts = json_get(e, "values");
    bool ok = false;
    if (alts && alts->kind == JSON_ARRAY) {
      for (size_t k = 0; k < alts->n && !ok; k++) ok = result_matches(alts->items[k], &ar.results[i]);
    } else {
      ok = result_matches(e, &ar.results[i]);
    }
    if (!ok) {
      char got[96];
      format_val(&ar.results[i], got, sizeof got);
      const json_value *v = json_get(e, "value");
      return fail(r, "result %zu: expected %s:%s, got %s", i, json_get_str(e, "type") ? json_get_str(e, "type") : "?",
                  v && v->kind == JSON_STRING ? v->str : "[...]", got);
    }
  }
  return pass(r);
}

static spec_outcome expect_trap(spec_ctx *cx, const json_value *cmd, spec_result *r, bool exhaustion) {
  const char *text = json_get_str(cmd, "text");
  action_result ar;
  do_action(cx, json_get(cmd, "action"), &ar, r);
  if (!ar.ran) return r->outcome;
  if (!ar.trap) return fail(r, "expected trap \"%s\", but the call returned", text ? text : "");
  const char *msg = weld_trap_message(ar.trap);
  bool kind_ok = !exhaustion || weld_trap_get_kind(ar.trap) == WELD_TRAP_STACK_EXHAUSTED;
  if (!kind_ok || (text && !starts_with(msg, text))) {
    fail(r, "expected trap \"%s\", got \"%s\"", text ? text : "", msg);
  } else {
    pass(r);
  }
  weld_trap_free(ar.trap);
  return r->outcome;
}

static spec_outcome cmd_assert_trap(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  return expect_trap(cx, cmd, r, false);
}

static spec_outcome cmd_assert_exhaustion(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  return expect_trap(cx, cmd, r, true);
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
    if (!starts_with(err.msg, text)) {
      return fail(r, "%s: expected \"%s\", got \"%s\"", file, text, fmt_err(&err, buf, sizeof buf));
    }
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

/* assert_unlinkable: linking must fail; assert_uninstantiable: instantiation must trap.
 * Either way the message must start with the expected text. */
static spec_outcome cmd_assert_link(spec_ctx *cx, const json_value *cmd, spec_result *r) {
  if (is_text(cmd)) return skip(r, SKIP_TEXT);
  const char *file = json_get_str(cmd, "filename");
  const char *text = json_get_str(cmd, "text");
  bool want_trap = strcmp(json_get_str(cmd, "type"), "assert_uninstantiable") == 0;
  if (!file) return fail(r, "command has no filename");
  inst_result ir;
  instantiate_file(cx, file, &ir);
  /* A module whose instantiation failed stays alive in the store (its functions may sit
   * in imported tables); the module object is kept with it until the script ends. */
  spec_module sm = {NULL, ir.mod, ir.inst, NULL};
  UTIL_VEC_PUSH(cx->modules, cx->nmodules, cx->capmodules, sm);
  switch (ir.status) {
  case INST_SKIP: return skip(r, ir.skip);
  case INST_OK: return fail(r, "%s: instantiated, expected %s \"%s\"", file, want_trap ? "a trap" : "a link error", text ? text : "");
  case INST_LOAD: return fail(r, "%s: %s", file, ir.msg);
  case INST_LINK:
  case INST_TRAP:
    if ((ir.status == INST_TRAP) != want_trap)
      return fail(r, "%s: expected %s \"%s\", got %s \"%s\"", file, want_trap ? "a trap" : "a link error",
                  text ? text : "", ir.status == INST_TRAP ? "a trap" : "a link error", ir.msg);
    if (text && !starts_with(ir.msg, text)) return fail(r, "%s: expected \"%s\", got \"%s\"", file, text, ir.msg);
    return pass(r);
  }
  return fail(r, "unreachable");
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
    {"register", cmd_register},
    {"action", cmd_action},
    {"assert_return", cmd_assert_return},
    {"assert_trap", cmd_assert_trap},
    {"assert_exhaustion", cmd_assert_exhaustion},
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
  for (size_t i = 0; i < sizeof converter_deviations / sizeof converter_deviations[0]; i++) {
    if (converter_deviations[i].line == line && strcmp(converter_deviations[i].wast, cx->wast) == 0) {
      cx->skipped++;
      tally_skip(cx, SKIP_CONVERTER);
      return;
    }
  }
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
  fprintf(stderr, "usage: weld_spec [--log FILE] [--name NAME] [--verbose] [--standard 2.0|3.0] SCRIPT.json\n");
}

int main(int argc, char **argv) {
  const char *json_path = NULL, *log_path = NULL, *name = NULL;
  bool verbose = false, wasm2 = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) log_path = argv[++i];
    else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
    else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) verbose = true;
    else if (strcmp(argv[i], "--standard") == 0 && i + 1 < argc) wasm2 = strcmp(argv[++i], "2.0") == 0;
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
  weld_config cfg;
  weld_config_default(&cfg);
  if (wasm2) cfg.standard = WELD_STANDARD_2_0;
  cx.features = wasm2 ? WASM_FEATURES_2_0 : WASM_FEATURES_ALL;
  cx.engine = weld_engine_new(&cfg);
  cx.store = weld_store_new(cx.engine);
  wast_spectest_define(cx.store, &cx.spectest);
  for (size_t i = 0; i < cmds->n; i++) run_command(&cx, cmds->items[i]);

  for (size_t i = 0; i < cx.nskips; i++)
    fprintf(log, "SKIP %s: %s: %u\n", wast, cx.skips[i].reason, cx.skips[i].count);
  printf("%s: %u passed, %u failed, %u skipped\n", name, cx.passed, cx.failed, cx.skipped);

  weld_store_free(cx.store);
  for (size_t i = 0; i < cx.nmodules; i++) {
    free(cx.modules[i].name);
    weld_module_free(cx.modules[i].mod);
  }
  for (size_t i = 0; i < cx.nregs; i++) free(cx.regs[i].as);
  free(cx.regs);
  free(cx.modules);
  weld_engine_free(cx.engine);
  if (log != stderr) fclose(log);
  free(stem);
  free(dir);
  util_arena_free(&arena);
  free(text);
  return cx.failed ? 1 : 0;
}
