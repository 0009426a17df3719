/* The WAST script runner. Every module is compiled and instantiated through the public
 * embedding API in one store per script, with the `spectest` host module and the
 * `register`ed instances as the import namespace, so the scripts exercise exactly what
 * embedders use. Each command kind has a handler in `handlers[]`; messages in asserts
 * must be a prefix of weld's (the reference interpreter's rule).
 *
 * Commands that need a feature weld does not implement (a module in a later proposal's
 * syntax, GC values, threads, exceptions) are skipped with the feature as the reason,
 * and so is every later command that depends on such a module. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"
#include "run.h"
#include "spectest.h"
#include "text/wast.h"
#include "wasm/module.h"
#include "wasm/proposals.h"
#include "value.h"
#include "weld.h"

#define MAX_VALUES 64

/* A module defined by a script command. Named ones stay reachable for `register`,
 * `module instance` and actions that name them. */
typedef struct run_module {
  wast_name id;          /* points into the script text */
  weld_module *mod;      /* NULL when it did not compile */
  bool owns_mod;         /* false for `module instance` entries sharing a definition's */
  weld_instance *inst;   /* NULL when not instantiated */
  const char *skip;      /* feature commands on it are skipped for, or NULL */
  wast_comp *comp;       /* a component (component.c): a definition or an instance */
} run_module;

typedef struct run_reg {
  const char *as;        /* decoded, in the script's arena */
  weld_instance *inst;
  const char *skip;
} run_reg;

typedef struct runner {
  const wast_script *script;
  const char *name;
  const wast_run_options *o;
  wast_run_stats *st;
  run_module *mods;
  size_t nmods, capmods;
  size_t current;        /* the most recent module (target of unnamed actions); SIZE_MAX before */
  run_reg *regs;
  size_t nregs, capregs;
  weld_engine *engine;
  weld_store *store;
  bool aot;              /* WELD_AOT=1: modules through precompiled images */
  wast_spectest spectest;
  int soft;              /* a feature of the current command's module that 2.0 rejects
                            (multi-memory, extended constants): a failing verdict is a
                            skip for it */
} runner;

typedef enum { OUT_PASS, OUT_FAIL, OUT_SKIP } outcome;

typedef struct result {
  outcome out;
  const char *skip;
  char reason[640];
} result;

static outcome pass(result *r) { return r->out = OUT_PASS; }

static outcome skip(result *r, const char *why) {
  r->skip = why;
  return r->out = OUT_SKIP;
}

__attribute__((format(printf, 2, 3))) static outcome fail(result *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap);
  va_end(ap);
  return r->out = OUT_FAIL;
}

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static bool name_eq(wast_name a, wast_name b) { return a.len == b.len && memcmp(a.s, b.s, a.len) == 0; }

static const char *feature_reason(int f) {
  /* char arrays, not pointers: the table needs no relocations at start-up */
  static const char reasons[WAST_FEAT_COUNT][50] = {
      [WAST_FEAT_GC] = "needs garbage collection (GC)",
      [WAST_FEAT_EXCEPTIONS] = "needs exception handling",
      [WAST_FEAT_FUNC_REFS] = "needs typed function references",
      [WAST_FEAT_TAIL_CALLS] = "needs tail calls",
      [WAST_FEAT_MEMORY64] = "needs memory64",
      [WAST_FEAT_MULTI_MEMORY] = "needs multiple memories",
      [WAST_FEAT_RELAXED_SIMD] = "needs relaxed SIMD",
      [WAST_FEAT_EXTENDED_CONST] = "needs extended constant expressions",
      [WAST_FEAT_THREADS] = "needs threads",
      [WAST_FEAT_SHARED_EVERYTHING] = "needs shared-everything threads",
      [WAST_FEAT_CUSTOM_PAGE_SIZES] = "needs custom page sizes",
      [WAST_FEAT_WIDE_ARITHMETIC] = "needs wide arithmetic",
      [WAST_FEAT_STACK_SWITCHING] = "needs stack switching",
      [WAST_FEAT_CUSTOM_DESCRIPTORS] = "needs custom descriptors",
      [WAST_FEAT_MEMORY_CONTROL] = "needs memory control",
      [WAST_FEAT_COMPACT_IMPORTS] = "needs compact import section",
      [WAST_FEAT_FP16] = "needs half precision (fp16)",
      [WAST_FEAT_ANNOTATIONS] = "needs annotations",
      [WAST_FEAT_WIDE_LIMITS] = "needs memory64",
      [WAST_FEAT_CONST_GLOBALS] = "needs constant global.get of defined globals (GC)",
  };
  return f > WAST_FEAT_NONE && f < WAST_FEAT_COUNT ? reasons[f] : "needs an unimplemented feature";
}

/* The skip reason for a value-level feature name from value.c. */
static const char *value_feature_reason(const char *feature) {
  for (int f = WAST_FEAT_NONE + 1; f < WAST_FEAT_COUNT; f++)
    if (strcmp(text_wast_feature_name(f), feature) == 0) return feature_reason(f);
  return feature_reason(WAST_FEAT_COUNT);
}

/* ---------- modules ------------------------------------------------------------------ */

typedef enum { LOAD_OK, LOAD_SKIP, LOAD_TEXT, LOAD_MODULE } load_status;

typedef struct loaded {
  load_status status;
  bool component;        /* a component (decoded and validated: comp) */
  wast_comp *comp;
  const char *skip;
  weld_module *mod;
  weld_error_kind kind;  /* LOAD_MODULE: the API's error kind */
  char msg[400];
} loaded;

static const char GC_RUNTIME[] = "needs the GC run time (heap objects, casts): not supported yet";

/* A component, binary or text: read by component.c. */
static void load_component(runner *cx, const wast_module *m, loaded *ld) {
  wast_comp_load cl;
  wast_comp_load_module(cx->script, m, &cl);
  ld->component = true;
  ld->comp = cl.comp;
  ld->status = cl.status == WAST_COMP_LOADED ? LOAD_OK : cl.status == WAST_COMP_UNSUPPORTED ? LOAD_SKIP
             : cl.status == WAST_COMP_TEXT ? LOAD_TEXT : LOAD_MODULE;
  ld->skip = cl.feature ? feature_reason(cl.feature) : cl.skip;
  ld->kind = cl.kind == UTIL_ERR_MALFORMED ? WELD_ERROR_MALFORMED : cl.kind == UTIL_ERR_INVALID ? WELD_ERROR_INVALID
           : WELD_ERROR_LIMIT;
  snprintf(ld->msg, sizeof ld->msg, "%s", cl.msg);
}

/* Components run in stores of their own, which the runner's fuel, memory and table
 * limits do not reach: under those limits they are not run. */
static const char COMP_LIMITS[] = "not supported: running components under fuel, memory or table limits";
static bool comp_limited(const runner *cx) { return cx->o->fuel || cx->o->max_memory_bytes || cx->o->max_table_elements; }

/* A component command's outcome (component.c's codes are the runner's order). */
static outcome comp_outcome(result *r, int o) {
  return r->out = o == WAST_COMP_PASS ? OUT_PASS : o == WAST_COMP_SKIP ? OUT_SKIP : OUT_FAIL;
}

/* Messages of the component model's scripts are the reference tools' and appear inside
 * weld's (which may name an index first); core messages must be a prefix. A nested core
 * module is rejected by the core decoder in the core specification's words, which the
 * core suite checks; where the component scripts word the same condition otherwise, the
 * pair is listed here. */
static bool message_matches(const loaded *ld, const char *text) {
  static const struct { const char *script, *core; } same[] = {
      {"section out of order", "unexpected content after last section"},
  };
  if (!ld->component) return starts_with(ld->msg, text);
  if (strstr(ld->msg, text)) return true;
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
    if (strcmp(text, same[i].script) == 0 && starts_with(ld->msg, same[i].core)) return true;
  return false;
}

/* Frees a module, counting first how its functions ran (the auto tier compiles while
 * the script runs). */
static void module_done(runner *cx, weld_module *mod) {
  if (!mod) return;
  weld_tier_stats ts;
  weld_module_tier_stats(mod, &ts);
  cx->st->tier_functions += ts.functions;
  cx->st->tier_compiled += ts.compiled;
  cx->st->tier_by_loop += ts.promoted_by_loop;
  cx->st->tier_osr += ts.osr_entered;
  cx->st->tier_fell_back += ts.fell_back;
  if (ts.tier == WELD_TIER_AUTO) cx->st->tier_auto_functions += ts.functions;
  for (uint32_t k = 0; ts.functions && k < ts.functions; k++) {
    const char *why = weld_module_func_fallback(mod, k);
    if (why) wast_stats_tier_reason(cx->st, why, 1);
  }
  weld_module_free(mod);
}

/* Encodes (text) and compiles a command's module. A module in the syntax of a feature
 * weld lacks is not tried at all. */
/* WELD_AOT=1 (a compiling tier): every module goes through a precompiled image, compiled
 * ahead of time and loaded back, so the scripts test the images' code and loader. */
static weld_module *module_from_image(weld_engine *e, const uint8_t *bytes, size_t len, weld_error **err) {
  uint8_t *img;
  size_t ilen;
  if (!weld_module_precompile(e, bytes, len, &img, &ilen, err)) return NULL;
  weld_module *m = weld_module_new(e, img, ilen, err);
  free(img);
  return m;
}

static void load(runner *cx, const wast_module *m, loaded *ld) {
  memset(ld, 0, sizeof *ld);
  if (m->component) return load_component(cx, m, ld);
  int feature = text_wast_module_feature(cx->script, m);
  if (feature != WAST_FEAT_NONE && !text_wast_feature_is_syntax(feature)) cx->soft = feature;
  else if (feature != WAST_FEAT_NONE) {
    ld->status = LOAD_SKIP;
    ld->skip = feature_reason(feature);
    return;
  }
  uint8_t *bytes;
  size_t len;
  util_error ue;
  uint32_t features = cx->o->wasm2 ? WASM_FEATURES_2_0 : WASM_FEATURES_ALL;
  if (!text_wast_module_bytes_features(cx->script, m, features, &bytes, &len, &ue)) {
    /* a construct of a proposal after 3.0 the scan did not see: a failing verdict is a
     * skip for it */
    int later = text_wast_feature_of_proposal(wasm_proposal_in_message(ue.msg));
    if (later != WAST_FEAT_NONE) cx->soft = later;
    ld->status = LOAD_TEXT;
    ld->kind = ue.kind == UTIL_ERR_OOM ? WELD_ERROR_LIMIT : WELD_ERROR_MALFORMED; /* never a verdict */
    if (ue.line > 0) snprintf(ld->msg, sizeof ld->msg, "%s (at %d:%d)", ue.msg, ue.line, ue.col);
    else snprintf(ld->msg, sizeof ld->msg, "%s", ue.msg);
    return;
  }
  weld_error *err = NULL;
  ld->mod = cx->aot ? module_from_image(cx->engine, bytes, len, &err) : weld_module_new(cx->engine, bytes, len, &err);
  free(bytes);
  if (!ld->mod && starts_with(weld_error_message(err), "not supported: GC")) {
    ld->status = LOAD_SKIP;
    ld->skip = GC_RUNTIME;
    weld_error_free(err);
    return;
  }
  if (!ld->mod) {
    /* The decoder names a proposal after 3.0 whose encoding it met ("malformed limits
     * flags (not supported: custom page sizes)"): the bytes are malformed under 3.0, so a script
     * that says so passes, and any other verdict is a skip for that proposal. */
    int later = text_wast_feature_of_proposal(wasm_proposal_in_message(weld_error_message(err)));
    if (later != WAST_FEAT_NONE) cx->soft = later;
    ld->status = LOAD_MODULE;
    ld->kind = weld_error_get_kind(err);
    snprintf(ld->msg, sizeof ld->msg, "%s", weld_error_message(err));
    weld_error_free(err);
  }
}

typedef enum { INST_OK, INST_SKIP, INST_LINK, INST_TRAP } inst_status;

typedef struct inst_result {
  inst_status status;
  const char *skip;
  weld_instance *inst;
  char msg[400];
} inst_result;

static void arm(runner *cx) {
  if (cx->o->fuel) weld_store_set_fuel(cx->store, cx->o->fuel);
}

/* Instantiates with imports from `spectest` and the registered instances (the latest
 * registration of a name wins). */
static void instantiate(runner *cx, weld_module *mod, inst_result *ir) {
  memset(ir, 0, sizeof *ir);
  size_t n = weld_module_import_count(mod);
  weld_import *imps = util_try_calloc(n + 1, sizeof *imps);
  if (!imps) {
    ir->status = INST_LINK;
    snprintf(ir->msg, sizeof ir->msg, "out of memory");
    return;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const char *mname, *fname;
    weld_externkind kind;
    weld_module_import(mod, i, &mname, &fname, &kind);
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
  weld_error *err = NULL;
  arm(cx);
  ir->inst = weld_instance_new(cx->store, mod, imps, k, &trap, &err);
  free(imps);
  if (!ir->inst) {
    ir->status = trap ? INST_TRAP : INST_LINK;
    snprintf(ir->msg, sizeof ir->msg, "%s", trap ? weld_trap_message(trap) : err ? weld_error_message(err) : "?");
    if (trap) weld_trap_free(trap);
    if (err) weld_error_free(err);
  }
}

/* Room for one more module, made before a command loads or instantiates one, so that
 * add_module cannot fail afterwards and leave it unowned. */
static bool mod_room(runner *cx) {
  return util_vec_try_grow((void **)&cx->mods, &cx->capmods, cx->nmods, sizeof *cx->mods);
}

static void add_module(runner *cx, run_module m) { cx->mods[cx->nmods++] = m; /* after mod_room */ }

static run_module *find_module(runner *cx, wast_name id) {
  if (!id.s) return cx->current == SIZE_MAX ? NULL : &cx->mods[cx->current];
  for (size_t i = cx->nmods; i-- > 0;)
    if (cx->mods[i].id.s && name_eq(cx->mods[i].id, id)) return &cx->mods[i];
  return NULL;
}

/* ---------- actions ------------------------------------------------------------------- */

typedef struct action_result {
  bool ran;             /* false: the result holds a skip or a failure */
  weld_trap *trap;
  weld_val results[MAX_VALUES];
  size_t nresults;
} action_result;

static void do_action(runner *cx, const wast_action *a, action_result *ar, result *r) {
  memset(ar, 0, sizeof *ar);
  run_module *sm = find_module(cx, a->module);
  if (!sm) return (void)fail(r, "action on an unknown module");
  if (sm->skip) return (void)skip(r, sm->skip);
  if (!sm->inst) return (void)fail(r, "action on a module that is not instantiated");
  weld_extern x = weld_instance_export_n(sm->inst, (const char *)a->field, a->field_len);
  if (a->get) {
    if (x.kind != WELD_EXTERN_GLOBAL) return (void)fail(r, "no exported global \"%s\"", (const char *)a->field);
    ar->results[0] = weld_global_get(x.of.global);
    ar->nresults = 1;
    ar->ran = true;
    return;
  }
  if (x.kind != WELD_EXTERN_FUNC) return (void)fail(r, "no exported function \"%s\"", (const char *)a->field);
  weld_val args[MAX_VALUES];
  if (a->nargs > MAX_VALUES) return (void)fail(r, "too many arguments");
  for (uint32_t i = 0; i < a->nargs; i++) {
    const char *feature = wast_value_arg(cx->store, &a->args[i], &args[i]);
    if (feature) return (void)skip(r, value_feature_reason(feature));
  }
  ar->nresults = weld_func_result_count(x.of.func);
  if (ar->nresults > MAX_VALUES) return (void)fail(r, "too many results");
  arm(cx);
  ar->trap = weld_func_call(x.of.func, args, a->nargs, ar->results, ar->nresults);
  ar->ran = true;
}

/* ---------- command handlers ---------------------------------------------------------- */

static outcome cmd_module(runner *cx, const wast_command *c, result *r) {
  if (!mod_room(cx)) return fail(r, "out of memory");
  loaded ld;
  load(cx, &c->module, &ld);
  if (ld.component && ld.status == LOAD_OK) {
    /* a definition is kept; otherwise an instance of it takes the definition's place */
    run_module cm = {c->module.id, NULL, true, NULL, NULL, ld.comp};
    int o = WAST_COMP_PASS;
    if (!c->module.definition && comp_limited(cx)) {
      wast_comp_free(ld.comp);
      cm.comp = NULL;
      cm.skip = r->skip = COMP_LIMITS;
      o = WAST_COMP_SKIP;
    } else if (!c->module.definition) {
      o = wast_comp_instantiate(ld.comp, &cm.comp, r->reason, sizeof r->reason, &r->skip);
      wast_comp_free(ld.comp);
      if (cm.comp) cm.skip = wast_comp_skip(cm.comp);
    }
    if (cm.comp || cm.skip) add_module(cx, cm);
    if (!c->module.definition) cx->current = cm.comp || cm.skip ? cx->nmods - 1 : SIZE_MAX;
    return comp_outcome(r, o);
  }
  run_module sm = {c->module.id, ld.mod, true, NULL, ld.skip, NULL};
  inst_result ir = {0};
  if (ld.status == LOAD_OK && !c->module.definition) {
    instantiate(cx, ld.mod, &ir);
    sm.inst = ir.inst;
    if (ir.status == INST_SKIP) sm.skip = ir.skip;
  }
  /* Every module takes its place, failed or not, so later commands that name it find
   * it rather than an older module of the same name. */
  if (!sm.skip && cx->soft && (ld.status != LOAD_OK || ir.status != INST_OK)) sm.skip = feature_reason(cx->soft);
  add_module(cx, sm);
  if (!c->module.definition) cx->current = cx->nmods - 1;
  if (sm.skip) return skip(r, sm.skip);
  if (ld.status != LOAD_OK) return fail(r, "%s", ld.msg);
  switch (ir.status) {
  case INST_OK: return pass(r);
  case INST_LINK: return fail(r, "link error: %s", ir.msg);
  case INST_TRAP: return fail(r, "trapped while instantiating: %s", ir.msg);
  case INST_SKIP: break;
  }
  return fail(r, "unreachable");
}

/* (module instance $i $m): a new instance of a `module definition`. */
static outcome cmd_module_instance(runner *cx, const wast_command *c, result *r) {
  /* `(module instance $m)` with one id: an unnamed instance of $m */
  wast_name id = c->ref.s ? c->name : (wast_name){NULL, 0};
  if (!mod_room(cx)) return fail(r, "out of memory");
  run_module *def = find_module(cx, c->ref.s ? c->ref : c->name);
  if (!def) return fail(r, "instance of an unknown module");
  if (c->module.component || def->comp) {
    run_module cm = {id, NULL, false, NULL, def->skip, NULL};
    if (!def->skip && comp_limited(cx)) cm.skip = COMP_LIMITS;
    int o = cm.skip ? (r->skip = cm.skip, WAST_COMP_SKIP) : WAST_COMP_FAIL;
    if (!cm.skip && !def->comp) snprintf(r->reason, sizeof r->reason, "component instance of a core module");
    if (!cm.skip && def->comp) o = wast_comp_instantiate(def->comp, &cm.comp, r->reason, sizeof r->reason, &r->skip);
    if (cm.comp) cm.skip = wast_comp_skip(cm.comp);
    if (cm.comp || cm.skip) add_module(cx, cm);
    cx->current = cm.comp || cm.skip ? cx->nmods - 1 : SIZE_MAX;
    return comp_outcome(r, o);
  }
  run_module sm = {id, def->mod, false, NULL, def->skip, NULL};
  inst_result ir = {0};
  if (!sm.skip && def->mod) {
    instantiate(cx, def->mod, &ir);
    sm.inst = ir.inst;
    if (ir.status == INST_SKIP) sm.skip = ir.skip;
  }
  add_module(cx, sm);
  cx->current = cx->nmods - 1;
  if (sm.skip) return skip(r, sm.skip);
  if (!sm.mod) return fail(r, "instance of a module that did not compile");
  switch (ir.status) {
  case INST_OK: return pass(r);
  case INST_LINK: return fail(r, "link error: %s", ir.msg);
  case INST_TRAP: return fail(r, "trapped while instantiating: %s", ir.msg);
  case INST_SKIP: break;
  }
  return fail(r, "unreachable");
}

static outcome cmd_register(runner *cx, const wast_command *c, result *r) {
  run_module *sm = find_module(cx, c->ref);
  if (!sm) return fail(r, "register of an unknown module");
  if (sm->comp) return skip(r, "not supported: register of a component (components are not linked across commands)");
  run_reg reg = {c->name.s, sm->inst, sm->skip};
  if (!UTIL_VEC_TRY_PUSH(cx->regs, cx->nregs, cx->capregs, reg)) return fail(r, "out of memory");
  if (sm->skip) return skip(r, sm->skip);
  if (!sm->inst) return fail(r, "register of a module that is not instantiated");
  return pass(r);
}

static outcome cmd_action(runner *cx, const wast_command *c, result *r) {
  action_result ar;
  do_action(cx, &c->action, &ar, r);
  if (!ar.ran) return r->out;
  if (ar.trap) {
    fail(r, "trapped: %s", weld_trap_message(ar.trap));
    weld_trap_free(ar.trap);
    return r->out;
  }
  return pass(r);
}

static outcome cmd_assert_return(runner *cx, const wast_command *c, result *r) {
  /* A skipped module (a component, which is not run) is the reason before any value. */
  run_module *target = find_module(cx, c->action.module);
  if (target && target->skip) return skip(r, target->skip);
  /* Expectations about values weld does not have are known before running anything. */
  weld_val none = {.kind = WELD_I32};
  for (uint32_t i = 0; i < c->nresults; i++) {
    const char *feature = NULL;
    if (wast_value_match(cx->store, &c->results[i], &none, &feature) == WAST_MATCH_FEATURE && feature &&
        c->results[i].kind != WAST_V_EITHER)
      return skip(r, value_feature_reason(feature));
  }
  action_result ar;
  do_action(cx, &c->action, &ar, r);
  if (!ar.ran) return r->out;
  if (ar.trap) {
    fail(r, "trapped: %s", weld_trap_message(ar.trap));
    weld_trap_free(ar.trap);
    return r->out;
  }
  if (c->nresults != ar.nresults) return fail(r, "expected %u results, got %zu", c->nresults, ar.nresults);
  for (uint32_t i = 0; i < c->nresults; i++) {
    const char *feature = NULL;
    wast_match m = wast_value_match(cx->store, &c->results[i], &ar.results[i], &feature);
    if (m == WAST_MATCH_YES) continue;
    if (m == WAST_MATCH_FEATURE) return skip(r, value_feature_reason(feature));
    char want[128], got[128];
    wast_value_format_expected(&c->results[i], want, sizeof want);
    wast_value_format_got(cx->store, &ar.results[i], got, sizeof got);
    return fail(r, "result %u: expected %s, got %s", i, want, got);
  }
  return pass(r);
}

static outcome expect_trap(runner *cx, const wast_command *c, result *r, bool exhaustion) {
  const char *text = c->text ? c->text : "";
  action_result ar;
  do_action(cx, &c->action, &ar, r);
  if (!ar.ran) return r->out;
  if (!ar.trap) return fail(r, "expected trap \"%s\", but the call returned", text);
  const char *msg = weld_trap_message(ar.trap);
  bool kind_ok = !exhaustion || weld_trap_get_kind(ar.trap) == WELD_TRAP_STACK_EXHAUSTED;
  if (!kind_ok || !starts_with(msg, text)) fail(r, "expected trap \"%s\", got \"%s\"", text, msg);
  else pass(r);
  weld_trap_free(ar.trap);
  return r->out;
}

/* assert_unlinkable: linking must fail; assert_uninstantiable and assert_trap on a
 * module: instantiation must trap. Either way with the expected message. */
static outcome expect_instantiation_failure(runner *cx, const wast_command *c, result *r, bool want_trap) {
  const char *text = c->text ? c->text : "";
  const char *want = want_trap ? "a trap" : "a link error";
  if (!mod_room(cx)) return fail(r, "out of memory");
  loaded ld;
  load(cx, &c->module, &ld);
  if (ld.status == LOAD_SKIP) return skip(r, ld.skip);
  if (ld.component && ld.status == LOAD_OK) {
    int o = comp_limited(cx) ? (r->skip = COMP_LIMITS, WAST_COMP_SKIP)
                             : wast_comp_expect_failure(ld.comp, want_trap, text, r->reason, sizeof r->reason, &r->skip);
    wast_comp_free(ld.comp);
    return comp_outcome(r, o);
  }
  if (ld.status != LOAD_OK) return fail(r, "expected %s \"%s\", but the module did not load: %s", want, text, ld.msg);
  inst_result ir;
  instantiate(cx, ld.mod, &ir);
  /* A module whose instantiation failed may still have placed its functions in
   * imported tables: it lives until the script ends. */
  add_module(cx, (run_module){{NULL, 0}, ld.mod, true, ir.inst, NULL, NULL});
  switch (ir.status) {
  case INST_SKIP: return skip(r, ir.skip);
  case INST_OK: return fail(r, "instantiated, expected %s \"%s\"", want, text);
  case INST_LINK:
  case INST_TRAP:
    if ((ir.status == INST_TRAP) != want_trap)
      return fail(r, "expected %s \"%s\", got %s \"%s\"", want, text, ir.status == INST_TRAP ? "a trap" : "a link error", ir.msg);
    if (!starts_with(ir.msg, text)) return fail(r, "expected \"%s\", got \"%s\"", text, ir.msg);
    return pass(r);
  }
  return fail(r, "unreachable");
}

static outcome cmd_assert_trap(runner *cx, const wast_command *c, result *r) {
  if (c->has_module) return expect_instantiation_failure(cx, c, r, true);
  return expect_trap(cx, c, r, false);
}

static outcome cmd_assert_exhaustion(runner *cx, const wast_command *c, result *r) {
  return expect_trap(cx, c, r, true);
}

static outcome cmd_assert_unlinkable(runner *cx, const wast_command *c, result *r) {
  return expect_instantiation_failure(cx, c, r, false);
}

static outcome cmd_assert_uninstantiable(runner *cx, const wast_command *c, result *r) {
  return expect_instantiation_failure(cx, c, r, true);
}

/* The module must be rejected while it is read (text syntax), decoded or validated,
 * with a message that starts with the expected text. */
static outcome cmd_assert_malformed(runner *cx, const wast_command *c, result *r) {
  loaded ld;
  load(cx, &c->module, &ld);
  switch (ld.status) {
  case LOAD_SKIP: return skip(r, ld.skip);
  case LOAD_OK:
    module_done(cx, ld.mod);
    wast_comp_free(ld.comp);
    return fail(r, "module accepted, expected malformed \"%s\"", c->text);
  case LOAD_TEXT:
  case LOAD_MODULE:
    if (ld.kind != WELD_ERROR_MALFORMED && ld.kind != WELD_ERROR_INVALID)
      return fail(r, "expected malformed \"%s\", got \"%s\"", c->text, ld.msg);
    if (!message_matches(&ld, c->text)) return fail(r, "expected \"%s\", got \"%s\"", c->text, ld.msg);
    return pass(r);
  }
  return fail(r, "unreachable");
}

/* The module must read and decode, then fail validation with the expected text. */
static outcome cmd_assert_invalid(runner *cx, const wast_command *c, result *r) {
  loaded ld;
  load(cx, &c->module, &ld);
  switch (ld.status) {
  case LOAD_SKIP: return skip(r, ld.skip);
  case LOAD_OK:
    module_done(cx, ld.mod);
    wast_comp_free(ld.comp);
    return fail(r, "module validated, expected invalid \"%s\"", c->text);
  case LOAD_TEXT: return fail(r, "expected invalid \"%s\", but the text was not read: %s", c->text, ld.msg);
  case LOAD_MODULE:
    if (ld.kind != WELD_ERROR_INVALID) return fail(r, "expected invalid \"%s\", got \"%s\"", c->text, ld.msg);
    if (!message_matches(&ld, c->text)) return fail(r, "expected \"%s\", got \"%s\"", c->text, ld.msg);
    return pass(r);
  }
  return fail(r, "unreachable");
}

/* The call must end in an exception no handler caught; a trap is not one. */
static outcome cmd_assert_exception(runner *cx, const wast_command *c, result *r) {
  action_result ar;
  do_action(cx, &c->action, &ar, r);
  if (!ar.ran) return r->out;
  if (!ar.trap) return fail(r, "expected an exception, but the call returned");
  if (weld_trap_get_kind(ar.trap) != WELD_TRAP_EXCEPTION || !weld_trap_exception(ar.trap))
    fail(r, "expected an exception, got trap \"%s\"", weld_trap_message(ar.trap));
  else pass(r);
  weld_trap_free(ar.trap);
  return r->out;
}

static outcome cmd_custom(runner *cx, const wast_command *c, result *r) {
  return skip(r, feature_reason(WAST_FEAT_ANNOTATIONS));
}

/* The call must suspend to a tag no handler takes: stack switching, which weld lacks. */
static outcome cmd_assert_suspension(runner *cx, const wast_command *c, result *r) {
  return skip(r, feature_reason(WAST_FEAT_STACK_SWITCHING));
}

typedef outcome (*handler)(runner *cx, const wast_command *c, result *r);

static const handler handlers[] = {
    [WAST_MODULE] = cmd_module,
    [WAST_MODULE_INSTANCE] = cmd_module_instance,
    [WAST_REGISTER] = cmd_register,
    [WAST_ACTION] = cmd_action,
    [WAST_ASSERT_RETURN] = cmd_assert_return,
    [WAST_ASSERT_TRAP] = cmd_assert_trap,
    [WAST_ASSERT_EXHAUSTION] = cmd_assert_exhaustion,
    [WAST_ASSERT_EXCEPTION] = cmd_assert_exception,
    [WAST_ASSERT_MALFORMED] = cmd_assert_malformed,
    [WAST_ASSERT_INVALID] = cmd_assert_invalid,
    [WAST_ASSERT_UNLINKABLE] = cmd_assert_unlinkable,
    [WAST_ASSERT_UNINSTANTIABLE] = cmd_assert_uninstantiable,
    [WAST_ASSERT_MALFORMED_CUSTOM] = cmd_custom,
    [WAST_ASSERT_INVALID_CUSTOM] = cmd_custom,
    [WAST_ASSERT_SUSPENSION] = cmd_assert_suspension,
};

/* ---------- the script ----------------------------------------------------------------- */

void wast_stats_skip(wast_run_stats *st, const char *reason, unsigned count) {
  st->skipped += count;
  for (size_t i = 0; i < st->nskips; i++) {
    if (strcmp(st->skips[i].reason, reason) == 0) {
      st->skips[i].count += count;
      return;
    }
  }
  if (st->nskips < WAST_MAX_SKIP_REASONS) st->skips[st->nskips++] = (wast_skip_count){reason, count};
}

/* A script's `(thread ...)` runs its commands concurrently with the others on shared
 * modules, and `(wait $t)` joins it. weld implements the threads proposal's shared
 * memories and atomics but runs one thread per store (no thread spawning, no
 * wasi-threads), so a thread and everything in it is skipped ("needs threads"). */
static unsigned count_commands(const wast_command *c, uint32_t n) {
  unsigned k = 0;
  for (uint32_t i = 0; i < n; i++) k += 1 + (c[i].kind == WAST_THREAD ? count_commands(c[i].sub, c[i].nsub) : 0);
  return k;
}

/* A module skipped for a feature might have written into the instances it imports
 * from (segments, start function): what those instances hold is no longer what the
 * script expects, so commands on them are skipped for the same feature. */
typedef struct taint_ctx {
  runner *cx;
  const char *reason;
} taint_ctx;

static void taint(void *ctx, const char *name, size_t len) {
  taint_ctx *t = ctx;
  runner *cx = t->cx;
  for (size_t r = cx->nregs; r-- > 0;) {
    if (strlen(cx->regs[r].as) != len || memcmp(cx->regs[r].as, name, len) != 0) continue;
    weld_instance *inst = cx->regs[r].inst;
    if (!inst) return;
    for (size_t i = 0; i < cx->nmods; i++)
      if (cx->mods[i].inst == inst && !cx->mods[i].skip) cx->mods[i].skip = t->reason;
    for (size_t i = 0; i < cx->nregs; i++)
      if (cx->regs[i].inst == inst && !cx->regs[i].skip) cx->regs[i].skip = t->reason;
    return;
  }
}

static void run_command(runner *cx, const wast_command *c) {
  if (c->kind == WAST_THREAD || c->kind == WAST_WAIT) {
    wast_stats_skip(cx->st, feature_reason(WAST_FEAT_THREADS), count_commands(c, 1));
    return;
  }
  result r = {0};
  cx->soft = WAST_FEAT_NONE;
  handler fn = c->kind < sizeof handlers / sizeof handlers[0] ? handlers[c->kind] : NULL;
  /* actions on a component instance are component.c's */
  run_module *target = c->has_action ? find_module(cx, c->action.module) : NULL;
  if (target && target->comp && !target->skip) comp_outcome(&r, wast_comp_command(target->comp, c, r.reason, sizeof r.reason, &r.skip));
  else if (fn) fn(cx, c, &r);
  else fail(&r, "unknown command");
  if (r.out == OUT_FAIL && cx->soft) skip(&r, feature_reason(cx->soft));
  bool instantiates = c->kind == WAST_MODULE || c->kind == WAST_ASSERT_UNLINKABLE ||
                      c->kind == WAST_ASSERT_UNINSTANTIABLE || (c->kind == WAST_ASSERT_TRAP && c->has_module);
  if (r.out == OUT_SKIP && instantiates && !c->module.definition) {
    taint_ctx t = {cx, r.skip};
    text_wast_module_writes(cx->script, &c->module, taint, &t);
  }
  const char *what = text_wast_cmd_name(c->kind);
  switch (r.out) {
  case OUT_PASS:
    cx->st->passed++;
    if (cx->o->verbose && cx->o->log) fprintf(cx->o->log, "PASS %s:%d: %s\n", cx->name, c->line, what);
    break;
  case OUT_SKIP:
    wast_stats_skip(cx->st, r.skip, 1);
    if (cx->o->verbose && cx->o->log) fprintf(cx->o->log, "skip %s:%d: %s: %s\n", cx->name, c->line, what, r.skip);
    break;
  case OUT_FAIL:
    cx->st->failed++;
    if (cx->o->log) fprintf(cx->o->log, "FAIL %s:%d: %s: %s\n", cx->name, c->line, what, r.reason);
    break;
  }
}

bool wast_run_source(const char *src, size_t len, const char *name, const wast_run_options *o,
                     wast_run_stats *st, util_error *err) {
  memset(st, 0, sizeof *st);
  wast_script *s = text_wast_parse(src, len, err);
  if (!s) return false;
  runner cx = {.script = s, .name = name, .o = o, .st = st, .current = SIZE_MAX};
  weld_config cfg;
  weld_config_default(&cfg);
  if (o->explicit_bounds) cfg.bounds = WELD_BOUNDS_EXPLICIT;
  if (o->tier > 0) cfg.tier = (weld_tier)(o->tier - 1);
  if (o->tier_up_given) cfg.tier_up_threshold = o->tier_up_threshold;
  if (o->wasm2) cfg.standard = WELD_STANDARD_2_0;
  const char *aot = getenv("WELD_AOT");
  cx.aot = aot && strcmp(aot, "1") == 0 && (cfg.tier == WELD_TIER_BASELINE || cfg.tier == WELD_TIER_OPTIMIZED);
  cfg.allow_precompiled = cx.aot;
  cx.engine = weld_engine_new(&cfg);
  cx.store = weld_store_new(cx.engine);
  if (o->max_memory_bytes || o->max_table_elements) {
    weld_limits l;
    weld_limits_default(&l);
    if (o->max_memory_bytes) l.memory_bytes = o->max_memory_bytes;
    if (o->max_table_elements) l.table_elements = o->max_table_elements;
    weld_store_set_limits(cx.store, &l);
  }
  wast_spectest_define(cx.store, &cx.spectest);
  int edition = util_spec_edition();
  util_set_spec_edition(o->wasm2 ? 2 : 3);
  for (size_t i = 0; i < s->ncmds; i++) run_command(&cx, &s->cmds[i]);
  util_set_spec_edition(edition);

  if (o->log)
    for (size_t i = 0; i < st->nskips; i++) fprintf(o->log, "SKIP %s: %s: %u\n", name, st->skips[i].reason, st->skips[i].count);
  weld_store_free(cx.store);
  for (size_t i = 0; i < cx.nmods; i++)
    if (cx.mods[i].owns_mod) module_done(&cx, cx.mods[i].mod);
  for (size_t i = 0; i < cx.nmods; i++) wast_comp_free(cx.mods[i].comp);
  free(cx.mods);
  free(cx.regs);
  weld_engine_free(cx.engine);
  text_wast_free(s);
  return true;
}

void wast_stats_tier_reason(wast_run_stats *st, const char *reason, unsigned count) {
  for (size_t i = 0; i < st->ntier_reasons; i++)
    if (strcmp(st->tier_reasons[i].reason, reason) == 0) {
      st->tier_reasons[i].count += count;
      return;
    }
  if (st->ntier_reasons == WAST_MAX_TIER_REASONS) return;
  snprintf(st->tier_reasons[st->ntier_reasons].reason, sizeof st->tier_reasons[0].reason, "%s", reason);
  st->tier_reasons[st->ntier_reasons++].count = count;
}

bool wast_run_file(const char *path, const char *name, const wast_run_options *o, wast_run_stats *st,
                   util_error *err) {
  uint8_t *src;
  size_t len;
  if (!util_read_file(path, &src, &len, err)) return false;
  bool ok = wast_run_source((const char *)src, len, name, o, st, err);
  free(src);
  return ok;
}
