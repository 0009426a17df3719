/* Component commands of the component model's scripts. A `(component ...)` is encoded
 * (text) by src/text's component reader, decoded and validated by src/component, and
 * instantiated with comp_instantiate, each instance in a store of its own. An invoke
 * writes the script's values (src/text's wast_cval) in WAVE, the runtime's value
 * notation, parses each against the parameter's type (comp_wave_parse) and calls the
 * export (comp_call); an expected result is parsed against the result type the same way
 * and compared with comp_val_equal. Traps are reported with the runtime's message, which
 * must contain the script's (the reference tools' rule for component scripts). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "component.h"
#include "component/component.h"
#include "component/runtime.h"

/* A decoded and validated component, shared by the definition and its instances. */
typedef struct shared_def {
  comp_component *c;
  comp_info *info;
  unsigned refs;
} shared_def;

struct wast_comp {
  shared_def *def;
  comp_inst *inst;       /* NULL for a definition, or when instantiation failed */
  const char *skip;      /* instantiation needs a feature weld lacks: the reason */
};

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* ---------- skip reasons -------------------------------------------------------------------- */

static const char ASYNC[] = "not supported: the component model's async ABI and its built-ins (WASI 0.3)";
static const char START[] = "not supported: component start definitions";
static const char WASI2[] = "not supported: WASI 0.2 imports";
static const char HOST[] = "not supported: importing modules, components or values from the host";
static const char DEEP[] = "not supported: values or instances nested too deeply";
static const char OTHER[] = "not supported: a component feature weld lacks at run time";
static const char FEATURE[] = "component model: uses a feature weld does not support (values, GC core types)";
static const char REGISTERED_IMPORTS[] = "not supported: a component importing from the script (register)";

const char *wast_comp_unsupported(const char *msg) {
  if (strstr(msg, "async") || strstr(msg, "thread") || strstr(msg, "error-context")) return ASYNC;
  if (strstr(msg, "start definitions")) return START;
  if (strstr(msg, "WASI 0.2")) return WASI2;
  if (strstr(msg, "from the host")) return HOST;
  if (strstr(msg, "nested deeper")) return DEEP;
  return OTHER;
}

/* ---------- loading ------------------------------------------------------------------------- */

void wast_comp_load_module(const wast_script *s, const wast_module *m, wast_comp_load *out) {
  memset(out, 0, sizeof *out);
  uint8_t *bytes;
  size_t len;
  util_error ue;
  if (!text_wast_module_bytes(s, m, &bytes, &len, &ue)) {
    /* core modules inside may use syntax of a proposal weld does not read */
    int feature = m->form == WAST_MOD_TEXT ? text_wast_module_feature(s, m) : WAST_FEAT_NONE;
    if (text_wast_feature_is_syntax(feature)) {
      out->status = WAST_COMP_UNSUPPORTED;
      out->feature = feature;
      return;
    }
    if (starts_with(ue.msg, "not supported")) {
      out->status = WAST_COMP_UNSUPPORTED;
      out->skip = FEATURE;
      return;
    }
    out->status = WAST_COMP_TEXT;
    out->kind = ue.kind == UTIL_ERR_OOM ? UTIL_ERR_OOM : UTIL_ERR_MALFORMED;
    snprintf(out->msg, sizeof out->msg, "%s", ue.msg);
    return;
  }
  comp_info *info = NULL;
  comp_component *c = comp_decode(bytes, len, &ue);
  free(bytes);
  if (c && !comp_validate(c, &info, &ue)) {
    comp_info_free(info);
    info = NULL;
  }
  if (ue.kind == UTIL_ERR_NONE) {
    shared_def *d = util_try_calloc(1, sizeof *d);
    wast_comp *wc = d ? util_try_calloc(1, sizeof *wc) : NULL;
    if (!wc) {
      free(d);
      comp_info_free(info);
      comp_free(c);
      out->status = WAST_COMP_REJECTED;
      out->kind = UTIL_ERR_OOM;
      snprintf(out->msg, sizeof out->msg, "out of memory");
      return;
    }
    *d = (shared_def){c, info, 1};
    wc->def = d;
    out->status = WAST_COMP_LOADED;
    out->comp = wc;
    return;
  }
  comp_free(c);
  if (ue.kind == UTIL_ERR_LIMIT && starts_with(ue.msg, "not supported")) {
    out->status = WAST_COMP_UNSUPPORTED;
    out->skip = FEATURE;
    return;
  }
  out->status = WAST_COMP_REJECTED;
  out->kind = ue.kind;
  snprintf(out->msg, sizeof out->msg, "%s", ue.msg);
}

void wast_comp_free(wast_comp *wc) {
  if (!wc) return;
  comp_inst_free(wc->inst);
  if (wc->def && --wc->def->refs == 0) {
    comp_info_free(wc->def->info);
    comp_free(wc->def->c);
    free(wc->def);
  }
  free(wc);
}

const char *wast_comp_skip(const wast_comp *wc) { return wc->skip; }

/* ---------- instantiation ------------------------------------------------------------------- */

typedef enum { INST_OK, INST_LINK, INST_TRAP, INST_SKIP, INST_OOM } inst_status;

static inst_status instantiate(wast_comp *def, wast_comp **out, char *msg, size_t nmsg, const char **skip) {
  *out = util_try_calloc(1, sizeof **out);
  if (!*out) {
    snprintf(msg, nmsg, "out of memory");
    return INST_OOM;
  }
  (*out)->def = def->def;
  def->def->refs++;
  util_error err;
  (*out)->inst = comp_instantiate(def->def->c, def->def->info, NULL, &err);
  if ((*out)->inst) return INST_OK;
  snprintf(msg, nmsg, "%s", err.msg);
  switch (err.kind) {
  case UTIL_ERR_TRAP:
    /* a start function calling a built-in weld does not run */
    if (starts_with(err.msg, "not supported")) {
      (*out)->skip = *skip = wast_comp_unsupported(err.msg);
      return INST_SKIP;
    }
    return INST_TRAP;
  case UTIL_ERR_LINK:
    /* the script has no way to give a component imports but `register`, which weld
     * does not link components with */
    if (starts_with(err.msg, "unsatisfied import")) {
      (*out)->skip = *skip = REGISTERED_IMPORTS;
      return INST_SKIP;
    }
    return INST_LINK;
  case UTIL_ERR_LIMIT:
    if (starts_with(err.msg, "not supported")) {
      (*out)->skip = *skip = wast_comp_unsupported(err.msg);
      return INST_SKIP;
    }
    return INST_LINK;
  default: return err.kind == UTIL_ERR_OOM ? INST_OOM : INST_LINK;
  }
}

int wast_comp_instantiate(wast_comp *def, wast_comp **out, char *why, size_t nwhy, const char **skip) {
  char msg[400];
  switch (instantiate(def, out, msg, sizeof msg, skip)) {
  case INST_OK: return WAST_COMP_PASS;
  case INST_SKIP: return WAST_COMP_SKIP;
  case INST_TRAP: snprintf(why, nwhy, "trapped while instantiating: %s", msg); return WAST_COMP_FAIL;
  case INST_LINK: snprintf(why, nwhy, "link error: %s", msg); return WAST_COMP_FAIL;
  case INST_OOM: break;
  }
  snprintf(why, nwhy, "%s", msg);
  return WAST_COMP_FAIL;
}

/* The reference tools write every trap as "wasm trap: MESSAGE"; core traps in their
 * words, which are weld's in other words. */
static bool trap_matches(const char *msg, const char *text) {
  static const struct { const char *script, *weld; } same[] = {
      {"wasm `unreachable` instruction executed", "unreachable"},
  };
  if (starts_with(text, "wasm trap: ")) text += strlen("wasm trap: ");
  if (strstr(msg, text)) return true;
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
    if (strcmp(text, same[i].script) == 0 && starts_with(msg, same[i].weld)) return true;
  return false;
}

int wast_comp_expect_failure(wast_comp *def, bool want_trap, const char *text, char *why, size_t nwhy,
                             const char **skip) {
  const char *want = want_trap ? "a trap" : "a link error";
  char msg[400];
  wast_comp *inst = NULL;
  inst_status st = instantiate(def, &inst, msg, sizeof msg, skip);
  wast_comp_free(inst);
  switch (st) {
  case INST_SKIP: return WAST_COMP_SKIP;
  case INST_OK: snprintf(why, nwhy, "instantiated, expected %s \"%s\"", want, text); return WAST_COMP_FAIL;
  case INST_OOM: snprintf(why, nwhy, "%s", msg); return WAST_COMP_FAIL;
  case INST_LINK:
  case INST_TRAP:
    if ((st == INST_TRAP) != want_trap) {
      snprintf(why, nwhy, "expected %s \"%s\", got %s \"%s\"", want, text, st == INST_TRAP ? "a trap" : "a link error", msg);
      return WAST_COMP_FAIL;
    }
    if (!trap_matches(msg, text)) {
      snprintf(why, nwhy, "expected \"%s\", got \"%s\"", text, msg);
      return WAST_COMP_FAIL;
    }
    return WAST_COMP_PASS;
  }
  return WAST_COMP_FAIL;
}

/* ---------- script values in WAVE ----------------------------------------------------------- */

static void put(text_buf *b, const char *s) { text_buf_bytes(b, s, strlen(s)); }

static void put_float(text_buf *b, bool f32, uint64_t bits, uint8_t nan) {
  double d;
  if (f32) {
    uint32_t u = (uint32_t)bits;
    float f;
    memcpy(&f, &u, 4);
    d = f;
  } else {
    memcpy(&d, &bits, 8);
  }
  if (nan || isnan(d)) return put(b, "nan");
  if (isinf(d)) return put(b, d < 0 ? "-inf" : "inf");
  /* 17 digits read back as the same double, and a float's value is a double's */
  char s[40];
  snprintf(s, sizeof s, "%.17g", d);
  put(b, s);
}

/* A quoted literal: UTF-8 kept, the quote, backslash and control characters escaped. */
static void put_quoted(text_buf *b, const char *s, uint32_t len, char quote) {
  text_buf_byte(b, (uint8_t)quote);
  for (uint32_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == (unsigned char)quote || c == '\\') {
      text_buf_byte(b, '\\');
      text_buf_byte(b, c);
    } else if (c < 0x20 || c == 0x7f) {
      char e[12];
      snprintf(e, sizeof e, "\\u{%x}", c);
      put(b, e);
    } else {
      text_buf_byte(b, c);
    }
  }
  text_buf_byte(b, (uint8_t)quote);
}

/* A label: `%` and the label (the `%` makes any label a label, keywords included). */
static void put_label(text_buf *b, wast_name l) {
  text_buf_byte(b, '%');
  text_buf_bytes(b, l.s, l.len);
}

static void put_payload(text_buf *b, const wast_cval *v);

void wast_comp_cval_wave(text_buf *b, const wast_cval *v) {
  char s[40];
  switch (v->kind) {
  case WAST_CV_BOOL: put(b, v->bits ? "true" : "false"); return;
  case WAST_CV_S8: case WAST_CV_S16: case WAST_CV_S32: case WAST_CV_S64:
    snprintf(s, sizeof s, "%lld", (long long)(int64_t)v->bits);
    put(b, s);
    return;
  case WAST_CV_U8: case WAST_CV_U16: case WAST_CV_U32: case WAST_CV_U64:
    snprintf(s, sizeof s, "%llu", (unsigned long long)v->bits);
    put(b, s);
    return;
  case WAST_CV_F32: case WAST_CV_F64: put_float(b, v->kind == WAST_CV_F32, v->bits, v->nan); return;
  case WAST_CV_CHAR:
    snprintf(s, sizeof s, "'\\u{%x}'", (unsigned)v->bits);
    put(b, s);
    return;
  case WAST_CV_STRING: put_quoted(b, v->str.s, v->str.len, '"'); return;
  case WAST_CV_LIST:
  case WAST_CV_TUPLE:
  case WAST_CV_RECORD:
    text_buf_byte(b, v->kind == WAST_CV_LIST ? '[' : v->kind == WAST_CV_TUPLE ? '(' : '{');
    for (uint32_t i = 0; i < v->n; i++) {
      if (i) put(b, ", ");
      if (v->kind == WAST_CV_RECORD) {
        put_label(b, v->labels[i]);
        put(b, ": ");
      }
      wast_comp_cval_wave(b, &v->items[i]);
    }
    text_buf_byte(b, v->kind == WAST_CV_LIST ? ']' : v->kind == WAST_CV_TUPLE ? ')' : '}');
    return;
  case WAST_CV_VARIANT:
  case WAST_CV_ENUM:
    put_label(b, v->str);
    put_payload(b, v);
    return;
  case WAST_CV_FLAGS:
    text_buf_byte(b, '{');
    for (uint32_t i = 0; i < v->n; i++) {
      if (i) put(b, ", ");
      put_label(b, v->labels[i]);
    }
    text_buf_byte(b, '}');
    return;
  case WAST_CV_OPTION:
    put(b, v->n ? "some" : "none");
    put_payload(b, v);
    return;
  case WAST_CV_RESULT:
    put(b, v->err ? "err" : "ok");
    put_payload(b, v);
    return;
  }
}

static void put_payload(text_buf *b, const wast_cval *v) {
  if (!v->n) return;
  text_buf_byte(b, '(');
  wast_comp_cval_wave(b, &v->items[0]);
  text_buf_byte(b, ')');
}

/* A script argument or result in WAVE: NULL with the skip reason (static) in *skip, or
 * false with a failure in why. */
static bool value_wave(const wast_value *v, text_buf *b, const char **skip, char *why, size_t nwhy) {
  switch (v->kind) {
  case WAST_V_COMPONENT:
    if (!v->comp) {
      *skip = "not supported: script values written as option.const or result.const";
      return false;
    }
    wast_comp_cval_wave(b, v->comp);
    break;
  case WAST_V_F32: put_float(b, true, v->u.i32, v->nan[0]); break;
  case WAST_V_F64: put_float(b, false, v->u.i64, v->nan[0]); break;
  default:
    snprintf(why, nwhy, "not a component value (a core value: i32.const, ref.null, ...)");
    return false;
  }
  if (b->oom) {
    snprintf(why, nwhy, "out of memory");
    return false;
  }
  return true;
}

/* Parses a script value as a value of type t. */
static int script_value(const wast_value *v, const comp_ctype *t, util_arena *arena, comp_val *out, const char *what,
                        char *why, size_t nwhy, const char **skip) {
  text_buf b = {0};
  if (!value_wave(v, &b, skip, why, nwhy)) {
    text_buf_free(&b);
    return *skip ? WAST_COMP_SKIP : WAST_COMP_FAIL;
  }
  util_error err;
  bool ok = comp_wave_parse(t, (const char *)b.p, b.len, arena, out, &err);
  if (!ok) snprintf(why, nwhy, "%s `%.*s` does not fit the type: %s", what, (int)(b.len < 200 ? b.len : 200), (const char *)b.p, err.msg);
  text_buf_free(&b);
  return ok ? WAST_COMP_PASS : WAST_COMP_FAIL;
}

/* ---------- actions ------------------------------------------------------------------------- */

typedef struct call {
  comp_func *f;
  const comp_ctype *rt;  /* the result type, or NULL */
  comp_val result;
  bool trapped;
  char msg[400];         /* the trap */
} call;

static int invoke(wast_comp *wc, const wast_action *a, util_arena *arena, call *cl, char *why, size_t nwhy,
                  const char **skip) {
  memset(cl, 0, sizeof *cl);
  if (wc->skip) {
    *skip = wc->skip;
    return WAST_COMP_SKIP;
  }
  if (!wc->inst) {
    snprintf(why, nwhy, wc->def && !wc->inst ? "action on a component that is not instantiated" : "action on no component");
    return WAST_COMP_FAIL;
  }
  if (a->get) {
    *skip = "not supported: `get` on a component (component values are not implemented)";
    return WAST_COMP_SKIP;
  }
  char name[256];
  if (a->field_len >= sizeof name || memchr(a->field, 0, a->field_len)) {
    snprintf(why, nwhy, "no exported function of that name");
    return WAST_COMP_FAIL;
  }
  memcpy(name, a->field, a->field_len);
  name[a->field_len] = 0;
  cl->f = comp_inst_func(wc->inst, name);
  if (!cl->f) {
    snprintf(why, nwhy, "no exported function \"%s\"", name);
    return WAST_COMP_FAIL;
  }
  const comp_ctype *ft = comp_func_type(cl->f);
  uint32_t np = comp_functype_nparams(ft);
  cl->rt = comp_functype_result(ft);
  if (a->nargs != np) {
    snprintf(why, nwhy, "\"%s\" takes %u arguments, the script gives %u", name, np, a->nargs);
    return WAST_COMP_FAIL;
  }
  comp_val *args = util_arena_try_alloc(arena, (np ? np : 1) * sizeof *args);
  if (!args) {
    snprintf(why, nwhy, "out of memory");
    return WAST_COMP_FAIL;
  }
  for (uint32_t i = 0; i < np; i++) {
    char what[32];
    snprintf(what, sizeof what, "argument %u", i);
    int o = script_value(&a->args[i], comp_functype_param(ft, i), arena, &args[i], what, why, nwhy, skip);
    if (o != WAST_COMP_PASS) return o;
  }
  util_error err;
  if (comp_call(cl->f, args, &cl->result, arena, &err)) return WAST_COMP_PASS;
  if (starts_with(err.msg, "not supported")) {
    /* a value or built-in the runtime lacks (some report it as a trap); a trap leaves
     * the instance unusable, so the script's later commands on it are skipped too */
    *skip = wast_comp_unsupported(err.msg);
    if (err.kind == UTIL_ERR_TRAP) wc->skip = *skip;
    return WAST_COMP_SKIP;
  }
  if (err.kind == UTIL_ERR_TRAP) {
    cl->trapped = true;
    snprintf(cl->msg, sizeof cl->msg, "%s", err.msg);
    return WAST_COMP_PASS;
  }
  snprintf(why, nwhy, "%s", err.msg);
  return WAST_COMP_FAIL;
}

/* A value printed in WAVE into buf (cut at its size). */
static void wave_text(const comp_ctype *t, const comp_val *v, char *buf, size_t n) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f) {
    comp_wave_print(f, t, v);
    fclose(f);
  }
  snprintf(buf, n, "%s", text ? text : "?");
  free(text);
}

static int assert_return(wast_comp *wc, const wast_command *c, util_arena *arena, char *why, size_t nwhy,
                         const char **skip) {
  call cl;
  int o = invoke(wc, &c->action, arena, &cl, why, nwhy, skip);
  if (o != WAST_COMP_PASS) return o;
  if (cl.trapped) {
    snprintf(why, nwhy, "trapped: %s", cl.msg);
    return WAST_COMP_FAIL;
  }
  uint32_t got = cl.rt ? 1 : 0;
  if (c->nresults != got) {
    snprintf(why, nwhy, "expected %u results, the function has %u", c->nresults, got);
    return WAST_COMP_FAIL;
  }
  if (!got) return WAST_COMP_PASS;
  comp_val want;
  o = script_value(&c->results[0], cl.rt, arena, &want, "the expected result", why, nwhy, skip);
  if (o != WAST_COMP_PASS) return o;
  if (comp_val_equal(cl.rt, &want, &cl.result)) return WAST_COMP_PASS;
  char ws[200], gs[200];
  wave_text(cl.rt, &want, ws, sizeof ws);
  wave_text(cl.rt, &cl.result, gs, sizeof gs);
  snprintf(why, nwhy, "expected %s, got %s", ws, gs);
  return WAST_COMP_FAIL;
}

int wast_comp_command(wast_comp *wc, const wast_command *c, char *why, size_t nwhy, const char **skip) {
  util_arena arena;
  util_arena_init(&arena);
  call cl;
  int o;
  switch (c->kind) {
  case WAST_ASSERT_RETURN: o = assert_return(wc, c, &arena, why, nwhy, skip); break;
  case WAST_ACTION:
    o = invoke(wc, &c->action, &arena, &cl, why, nwhy, skip);
    if (o == WAST_COMP_PASS && cl.trapped) {
      snprintf(why, nwhy, "trapped: %s", cl.msg);
      o = WAST_COMP_FAIL;
    }
    break;
  case WAST_ASSERT_TRAP: {
    const char *text = c->text ? c->text : "";
    o = invoke(wc, &c->action, &arena, &cl, why, nwhy, skip);
    if (o != WAST_COMP_PASS) break;
    if (!cl.trapped) {
      snprintf(why, nwhy, "expected trap \"%s\", but the call returned", text);
      o = WAST_COMP_FAIL;
    } else if (!trap_matches(cl.msg, text)) {
      snprintf(why, nwhy, "expected trap \"%s\", got \"%s\"", text, cl.msg);
      o = WAST_COMP_FAIL;
    }
    break;
  }
  default:
    *skip = "not supported: this command on a component (assert_exhaustion, assert_exception)";
    o = WAST_COMP_SKIP;
    break;
  }
  util_arena_free(&arena);
  return o;
}
