/* The component reader: the component model's text format to the component binary
 * (Binary.md, preamble version 0x0d), which the caller hands to src/component's decoder
 * and validator, as text modules go through src/wasm's. One pass: every definition is
 * encoded where it stands, and the inline forms (types written where a type is used,
 * `(func $i "f")` references to an instance's export, names of enclosing scopes' types)
 * first emit the definition they abbreviate, so the binary's index spaces grow in the
 * order the text reads. Names resolve to definitions before them (as the binary allows
 * only those). Nested core modules go to the module reader (wat.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/module.h"
#include "wat_component.h"

/* ---------- tokens ------------------------------------------------------------------ */

bool cp_fail(cp *p, const text_token *t, const char *fmt, ...) {
  if (p->err->kind != UTIL_ERR_NONE) return false;
  va_list ap;
  va_start(ap, fmt);
  util_vfail(p->err, UTIL_ERR_MALFORMED, t->start, fmt, ap);
  va_end(ap);
  p->err->line = (int)t->line;
  p->err->col = (int)t->col;
  return false;
}

bool cp_oom(cp *p) {
  if (p->err->kind != UTIL_ERR_NONE) return false;
  const text_token *t = cp_tok(p);
  util_fail(p->err, UTIL_ERR_OOM, t->start, "out of memory");
  p->err->line = (int)t->line;
  p->err->col = (int)t->col;
  return false;
}

bool cp_is_kw(const cp *p, const text_token *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == TOK_KEYWORD && t->len == n && memcmp(p->src + t->start, kw, n) == 0;
}

bool cp_kw(cp *p, const char *kw) {
  if (!cp_is_kw(p, cp_tok(p), kw)) return false;
  p->pos++;
  return true;
}

bool cp_lpar_kw(const cp *p, const char *kw) { return cp_tok(p)->kind == TOK_LPAR && cp_is_kw(p, cp_peek(p, 1), kw); }

bool cp_lpar_kw2(const cp *p, const char *kw1, const char *kw2) {
  return cp_lpar_kw(p, kw1) && cp_is_kw(p, cp_peek(p, 2), kw2);
}

bool cp_expect_rpar(cp *p) {
  if (cp_tok(p)->kind != TOK_RPAR) return cp_fail(p, cp_tok(p), "unexpected token");
  p->pos++;
  return true;
}

bool cp_expect_lpar_kw(cp *p, const char *kw) {
  if (!cp_lpar_kw(p, kw)) return cp_fail(p, cp_tok(p), "unexpected token");
  p->pos += 2;
  return true;
}

bool cp_u32(cp *p, uint32_t *out) {
  const text_token *t = cp_tok(p);
  uint64_t v;
  bool range = false;
  if (t->kind != TOK_NUM) return cp_fail(p, t, "unexpected token");
  if (!text_parse_nat(p->src + t->start, t->len, &v, &range)) return cp_fail(p, t, "unexpected token");
  if (range || v > UINT32_MAX) return cp_fail(p, t, "constant out of range");
  *out = (uint32_t)v;
  p->pos++;
  return true;
}

bool cp_name(cp *p, text_buf *out) {
  const text_token *t = cp_tok(p);
  if (t->kind != TOK_STRING) return cp_fail(p, t, "unexpected token");
  p->tmp.len = 0;
  bool ok = text_string_decode(p->src + t->start, t->len, &p->tmp);
  if (p->tmp.oom) return cp_oom(p);
  if (!ok) return cp_fail(p, t, "invalid string escape");
  if (!util_utf8_valid(p->tmp.p, p->tmp.len)) return cp_fail(p, t, "malformed UTF-8 encoding");
  text_buf_u32(out, (uint32_t)p->tmp.len);
  text_buf_bytes(out, p->tmp.p, p->tmp.len);
  p->pos++;
  return true;
}

/* ---------- index spaces ------------------------------------------------------------ */

/* Names here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const char sort_names[CS_COUNT][14] = {
    "core func", "core table", "core memory", "core global", "core tag", "core type", "core module",
    "core instance", "func", "value", "type", "component", "instance"};

const char *cs_name(int sort) { return sort >= 0 && sort < CS_COUNT ? sort_names[sort] : "?"; }

bool cs_define(cp *p, int sort, const text_token *id, uint32_t *index) {
  cscope *sc = p->sc;
  uint32_t i = sc->count[sort];
  if (i == UINT32_MAX) return cp_fail(p, cp_tok(p), "too many %s definitions", sort_names[sort]);
  if (id && id->kind == TOK_ID) {
    if (!text_names_add(&sc->names[sort], id->id, id->idlen, i)) {
      if (sc->names[sort].oom) return cp_oom(p);
      return cp_fail(p, id, "duplicate %s identifier %.*s", sort_names[sort], (int)id->idlen, id->id);
    }
    if (sc->kind == CK_COMPONENT) {
      text_buf_u32(&sc->nm[sort], i);
      text_buf_u32(&sc->nm[sort], id->idlen - 1);
      text_buf_bytes(&sc->nm[sort], id->id + 1, id->idlen - 1);
      sc->nmn[sort]++;
    }
  }
  sc->count[sort] = i + 1;
  if (index) *index = i;
  return true;
}

int cs_sort_kw(cp *p, bool core_prefix) {
  static const struct { char kw[10]; int core, plain; } kws[] = {
      {"func", CS_CORE_FUNC, CS_FUNC},       {"table", CS_CORE_TABLE, -1},   {"memory", CS_CORE_MEMORY, -1},
      {"global", CS_CORE_GLOBAL, -1},        {"tag", CS_CORE_TAG, -1},       {"type", CS_CORE_TYPE, CS_TYPE},
      {"module", CS_CORE_MODULE, -1},        {"instance", CS_CORE_INSTANCE, CS_INSTANCE},
      {"value", -1, CS_VALUE},               {"component", -1, CS_COMPONENT},
  };
  bool core = !core_prefix;
  size_t at = p->pos;
  if (core_prefix && cp_is_kw(p, cp_tok(p), "core")) {
    core = true;
    at++;
  }
  for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
    if (!cp_is_kw(p, &p->toks[at], kws[i].kw)) continue;
    int s = core ? kws[i].core : kws[i].plain;
    if (s < 0) return -1;
    p->pos = at + 1;
    return s;
  }
  return -1;
}

void cs_emit_sort(text_buf *b, int sort) {
  static const uint8_t core[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12};
  if (cs_is_core(sort)) {
    text_buf_byte(b, 0x00);
    text_buf_byte(b, core[sort]);
    return;
  }
  text_buf_byte(b, (uint8_t)(sort - CS_FUNC + 1));
}

static bool outer_sort(int sort) {
  return sort == CS_TYPE || sort == CS_CORE_TYPE || sort == CS_CORE_MODULE || sort == CS_COMPONENT;
}

/* An outer alias of index idx of sort, ct scopes out, defined here (named by id). */
static bool emit_outer_alias(cp *p, int sort, uint32_t ct, uint32_t idx, const text_token *id, uint32_t *out) {
  text_buf b = {0};
  if (p->sc->kind == CK_MODULE_TYPE) {
    text_buf_byte(&b, 0x10);
    text_buf_byte(&b, 0x01);
  } else {
    cs_emit_sort(&b, sort);
    text_buf_byte(&b, 0x02);
  }
  text_buf_u32(&b, ct);
  text_buf_u32(&b, idx);
  bool ok = cp_emit_alias(p, &b) && cs_define(p, sort, id, out);
  text_buf_free(&b);
  return ok;
}

/* The key of an implicit alias in p->tmp: the sort's number, then the name. */
static bool implicit_key(cp *p, int sort, const text_token *t) {
  p->tmp.len = 0;
  text_buf_byte(&p->tmp, (uint8_t)sort);
  text_buf_bytes(&p->tmp, t->id, t->idlen);
  return p->tmp.oom ? cp_oom(p) : true;
}

void cp_next_field(cp *p) { text_names_clear(&p->sc->implicit); }

bool cp_index(cp *p, int sort, uint32_t *out) {
  const text_token *t = cp_tok(p);
  if (t->kind != TOK_ID) return cp_u32(p, out);
  if (text_names_get(&p->sc->names[sort], t->id, t->idlen, out)) {
    p->pos++;
    return true;
  }
  if (p->sc->implicit.count) {
    if (!implicit_key(p, sort, t)) return false;
    if (text_names_get(&p->sc->implicit, (const char *)p->tmp.p, (uint32_t)p->tmp.len, out)) {
      p->pos++;
      return true;
    }
  }
  uint32_t ct = 1;
  for (cscope *s = p->sc->parent; s; s = s->parent, ct++) {
    uint32_t idx = 0;
    if (!text_names_get(&s->names[sort], t->id, t->idlen, &idx)) continue;
    if (!outer_sort(sort))
      return cp_fail(p, t, "outer item `%.*s` is not a module, type, or component", (int)t->idlen - 1, t->id + 1);
    p->pos++;
    /* later uses in the same field find the alias (not named in the name section) */
    if (!emit_outer_alias(p, sort, ct, idx, NULL, out)) return false;
    if (!implicit_key(p, sort, t)) return false;
    if (!text_names_add(&p->sc->implicit, (const char *)p->tmp.p, (uint32_t)p->tmp.len, *out) &&
        p->sc->implicit.oom)
      return cp_oom(p);
    return true;
  }
  return cp_fail(p, t, "unknown %s: failed to find name `%.*s`", sort_names[sort], (int)t->idlen, t->id);
}

/* An alias of export `name` (a string token at the cursor) of instance inst. */
static bool emit_export_alias(cp *p, int sort, uint32_t inst, const text_token *id, uint32_t *out) {
  text_buf b = {0};
  cs_emit_sort(&b, sort);
  text_buf_byte(&b, cs_core_export(sort) ? 0x01 : 0x00);
  text_buf_u32(&b, inst);
  bool ok = cp_name(p, &b) && cp_emit_alias(p, &b) && cs_define(p, sort, id, out);
  text_buf_free(&b);
  return ok;
}

bool cp_ref_inner(cp *p, int sort, uint32_t *out) {
  if (cp_peek(p, 1)->kind != TOK_STRING) return cp_index(p, sort, out) && cp_expect_rpar(p);
  int isort = cs_core_export(sort) ? CS_CORE_INSTANCE : CS_INSTANCE;
  uint32_t inst = 0;
  if (!cp_index(p, isort, &inst)) return false;
  /* `$i "a" "b"`: export b of the instance exported as a */
  while (cp_peek(p, 1)->kind == TOK_STRING)
    if (!emit_export_alias(p, isort, inst, NULL, &inst)) return false;
  return emit_export_alias(p, sort, inst, NULL, out) && cp_expect_rpar(p);
}

bool cp_ref(cp *p, int sort, bool core_prefix, uint32_t *out) {
  if (cp_tok(p)->kind != TOK_LPAR) return cp_index(p, sort, out);
  const text_token *t = cp_peek(p, 1);
  p->pos++;
  int s = cs_sort_kw(p, core_prefix);
  /* a core sort where only core sorts can be (`(instantiate (module $i "m"))`) */
  if (s < 0 && core_prefix && cs_is_core(sort)) s = cs_sort_kw(p, false);
  if (s != sort) return cp_fail(p, t, "unexpected token");
  return cp_ref_inner(p, sort, out);
}

/* ---------- emitting ---------------------------------------------------------------- */

static void flush_section(cscope *sc) {
  if (sc->sec < 0) return;
  text_buf b = {0};
  text_buf_u32(&b, sc->sec_count);
  text_buf_append(&b, &sc->sec_body);
  text_buf_byte(&sc->out, (uint8_t)sc->sec);
  text_buf_u32(&sc->out, (uint32_t)b.len);
  text_buf_append(&sc->out, &b);
  text_buf_free(&b);
  sc->sec = -1;
  sc->sec_body.len = 0;
  sc->sec_count = 0;
}

bool cp_emit(cp *p, int sec, int decl, const text_buf *body) {
  cscope *sc = p->sc;
  if (body->oom) return cp_oom(p);
  if (sc->kind != CK_COMPONENT) {
    if (decl < 0) return cp_fail(p, cp_tok(p), "unexpected token");
    text_buf_byte(&sc->out, (uint8_t)decl);
    text_buf_append(&sc->out, body);
    sc->ndecls++;
    return sc->out.oom ? cp_oom(p) : true;
  }
  if (sec < 0) return cp_fail(p, cp_tok(p), "unexpected token");
  if (sec == CSEC_CORE_MODULE || sec == CSEC_COMPONENT || sec == CSEC_START) {
    flush_section(sc);
    text_buf_byte(&sc->out, (uint8_t)sec);
    text_buf_u32(&sc->out, (uint32_t)body->len);
    text_buf_append(&sc->out, body);
  } else {
    if (sc->sec != sec) flush_section(sc);
    sc->sec = sec;
    text_buf_append(&sc->sec_body, body);
    sc->sec_count++;
  }
  return sc->out.oom || sc->sec_body.oom ? cp_oom(p) : true;
}

bool cp_emit_type(cp *p, const text_buf *body) {
  return cp_emit(p, CSEC_TYPE, p->sc->kind == CK_MODULE_TYPE ? -1 : 0x01, body);
}

bool cp_emit_core_type(cp *p, const text_buf *body) {
  return cp_emit(p, CSEC_CORE_TYPE, p->sc->kind == CK_MODULE_TYPE ? 0x01 : 0x00, body);
}

bool cp_emit_alias(cp *p, const text_buf *body) { return cp_emit(p, CSEC_ALIAS, 0x02, body); }

/* ---------- names ------------------------------------------------------------------- */

bool cp_extname(cp *p, text_buf *out) {
  text_buf name = {0}, attrs = {0};
  uint32_t n = 0, seen = 0;
  bool ok = cp_name(p, &name);
  while (ok && cp_tok(p)->kind == TOK_LPAR) {
    static const char kinds[][14] = {"implements", "versionsuffix", "external-id"};
    int k = -1;
    for (int i = 0; i < 3; i++)
      if (cp_is_kw(p, cp_peek(p, 1), kinds[i])) k = i;
    if (k < 0) break;
    if (seen & (1u << k)) {
      ok = cp_fail(p, cp_peek(p, 1), "unexpected token");
      break;
    }
    seen |= 1u << k;
    p->pos += 2;
    text_buf_byte(&attrs, (uint8_t)k);
    ok = cp_name(p, &attrs) && cp_expect_rpar(p);
    n++;
  }
  if (ok) {
    text_buf_byte(out, n ? 0x02 : 0x00);
    text_buf_append(out, &name);
    if (n) {
      text_buf_u32(out, n);
      text_buf_append(out, &attrs);
    }
  }
  text_buf_free(&name);
  text_buf_free(&attrs);
  return ok;
}

/* `(export "name" ...)` abbreviations at the cursor: skipped here, emitted by
 * inline_exports once the item has its index. */
static bool is_attr(const cp *p, size_t at) {
  const text_token *t = &p->toks[at + 1];
  return p->toks[at].kind == TOK_LPAR &&
         (cp_is_kw(p, t, "implements") || cp_is_kw(p, t, "versionsuffix") || cp_is_kw(p, t, "external-id"));
}

/* An `(export "name" attrs)` abbreviation (no item: that is an export field) at at. */
bool cp_is_inline_export(const cp *p, size_t at) {
  if (p->toks[at].kind != TOK_LPAR || !cp_is_kw(p, &p->toks[at + 1], "export") || p->toks[at + 2].kind != TOK_STRING)
    return false;
  size_t i = at + 3;
  while (is_attr(p, i)) i = p->toks[i].match + 1;
  return p->toks[i].kind == TOK_RPAR;
}

size_t cp_skip_inline_exports(cp *p) {
  size_t start = p->pos;
  while (cp_is_inline_export(p, p->pos)) p->pos = cp_tok(p)->match + 1;
  return start;
}

/* The exports are kept until the component's fields end and emitted there, after every
 * field (the reference reader's order: the indices they introduce come last). */
bool cp_inline_exports(cp *p, size_t start, size_t stop, int sort, uint32_t idx) {
  size_t save = p->pos;
  cscope *sc = p->sc;
  for (size_t at = start; at < stop; at = p->toks[at].match + 1) {
    p->pos = at + 2;
    text_buf item = {0};
    bool ok = cp_extname(p, &item) && cp_expect_rpar(p);
    cs_emit_sort(&item, sort);
    text_buf_u32(&item, idx);
    text_buf_byte(&item, 0x00);
    if (ok) {
      uint32_t n = (uint32_t)item.len;
      text_buf_byte(&sc->deferred, (uint8_t)sort);
      for (int i = 0; i < 5; i++) text_buf_byte(&sc->deferred, (uint8_t)(((n >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0)));
      text_buf_append(&sc->deferred, &item);
      if (sc->deferred.oom) ok = cp_oom(p);
    }
    text_buf_free(&item);
    if (!ok) return false;
  }
  p->pos = save;
  return true;
}

/* The deferred inline exports of the scope, in order. */
static bool emit_deferred(cp *p) {
  cscope *sc = p->sc;
  size_t at = 0;
  while (at < sc->deferred.len) {
    int sort = sc->deferred.p[at];
    uint32_t n = 0;
    for (int i = 0; i < 5; i++) n |= (uint32_t)(sc->deferred.p[at + 1 + i] & 0x7f) << (7 * i);
    text_buf b = {0};
    text_buf_bytes(&b, sc->deferred.p + at + 6, n);
    bool ok = cp_emit(p, CSEC_EXPORT, -1, &b) && cs_define(p, sort, NULL, NULL);
    text_buf_free(&b);
    if (!ok) return false;
    at += 6 + n;
  }
  return true;
}

static const text_token *opt_id(cp *p) {
  const text_token *t = cp_tok(p);
  if (t->kind != TOK_ID) return NULL;
  p->pos++;
  return t;
}

/* ---------- canonical functions ------------------------------------------------------ */

/* Canonical options up to the first form that is none. */
static bool canon_opts(cp *p, text_buf *out) {
  text_buf b = {0};
  uint32_t n = 0;
  bool ok = true;
  for (;;) {
    const text_token *t = cp_tok(p);
    uint32_t idx = 0;
    if (cp_is_kw(p, t, "string-encoding=utf8")) text_buf_byte(&b, 0);
    else if (cp_is_kw(p, t, "string-encoding=utf16")) text_buf_byte(&b, 1);
    else if (cp_is_kw(p, t, "string-encoding=latin1+utf16")) text_buf_byte(&b, 2);
    else if (cp_is_kw(p, t, "async")) text_buf_byte(&b, 6);
    else if (cp_lpar_kw(p, "memory")) {
      p->pos += 2;
      ok = cp_ref(p, CS_CORE_MEMORY, true, &idx) && cp_expect_rpar(p);
      text_buf_byte(&b, 3);
      text_buf_u32(&b, idx);
      n++;
      if (!ok) break;
      continue;
    } else if (cp_lpar_kw(p, "realloc") || cp_lpar_kw(p, "post-return") || cp_lpar_kw(p, "callback")) {
      uint8_t code = cp_is_kw(p, cp_peek(p, 1), "realloc") ? 4 : cp_is_kw(p, cp_peek(p, 1), "post-return") ? 5 : 7;
      p->pos += 2;
      ok = cp_ref(p, CS_CORE_FUNC, true, &idx) && cp_expect_rpar(p);
      text_buf_byte(&b, code);
      text_buf_u32(&b, idx);
      n++;
      if (!ok) break;
      continue;
    } else {
      break;
    }
    p->pos++;
    n++;
  }
  if (ok) {
    text_buf_u32(out, n);
    text_buf_append(out, &b);
  }
  text_buf_free(&b);
  return ok;
}

enum { IM_NONE, IM_TYPE, IM_TYPE_OPTS, IM_OPTS, IM_FLAG, IM_TYPE_FLAG, IM_CONTEXT, IM_WAIT, IM_RETURN,
       IM_INDIRECT };

/* The strings are char arrays, not pointers, so the table needs no relocations at start-up. */
static const struct builtin {
  char name[28];
  uint8_t code, imm;
  char flag[12]; /* the keyword of the boolean immediate, "" when there is none */
} builtins[] = {
    {"resource.new", 0x02, IM_TYPE, ""},            {"resource.drop", 0x03, IM_TYPE, ""},
    {"resource.rep", 0x04, IM_TYPE, ""},            {"task.cancel", 0x05, IM_NONE, ""},
    {"subtask.cancel", 0x06, IM_FLAG, "async"},     {"task.return", 0x09, IM_RETURN, ""},
    {"context.get", 0x0a, IM_CONTEXT, ""},          {"context.set", 0x0b, IM_CONTEXT, ""},
    {"thread.yield", 0x0c, IM_FLAG, "cancellable"}, {"subtask.drop", 0x0d, IM_NONE, ""},
    {"stream.new", 0x0e, IM_TYPE, ""},              {"stream.read", 0x0f, IM_TYPE_OPTS, ""},
    {"stream.write", 0x10, IM_TYPE_OPTS, ""},       {"stream.cancel-read", 0x11, IM_TYPE_FLAG, "async"},
    {"stream.cancel-write", 0x12, IM_TYPE_FLAG, "async"}, {"stream.drop-readable", 0x13, IM_TYPE, ""},
    {"stream.drop-writable", 0x14, IM_TYPE, ""},    {"future.new", 0x15, IM_TYPE, ""},
    {"future.read", 0x16, IM_TYPE_OPTS, ""},        {"future.write", 0x17, IM_TYPE_OPTS, ""},
    {"future.cancel-read", 0x18, IM_TYPE_FLAG, "async"}, {"future.cancel-write", 0x19, IM_TYPE_FLAG, "async"},
    {"future.drop-readable", 0x1a, IM_TYPE, ""},    {"future.drop-writable", 0x1b, IM_TYPE, ""},
    {"error-context.new", 0x1c, IM_OPTS, ""},       {"error-context.debug-message", 0x1d, IM_OPTS, ""},
    {"error-context.drop", 0x1e, IM_NONE, ""},      {"waitable-set.new", 0x1f, IM_NONE, ""},
    {"waitable-set.wait", 0x20, IM_WAIT, "cancellable"}, {"waitable-set.poll", 0x21, IM_WAIT, "cancellable"},
    {"waitable-set.drop", 0x22, IM_NONE, ""},       {"waitable.join", 0x23, IM_NONE, ""},
    {"backpressure.inc", 0x24, IM_NONE, ""},        {"backpressure.dec", 0x25, IM_NONE, ""},
    {"thread.index", 0x26, IM_NONE, ""},            {"thread.new-indirect", 0x27, IM_INDIRECT, ""},
    {"thread.resume-later", 0x28, IM_NONE, ""},     {"thread.suspend", 0x29, IM_FLAG, "cancellable"},
    {"thread.suspend-then-resume", 0x2a, IM_FLAG, "cancellable"},
    {"thread.yield-then-resume", 0x2b, IM_FLAG, "cancellable"},
};

/* After `canon`: the function's keyword and immediates. *lift is set for `lift`, whose
 * type index the caller appends. */
static bool canon_body(cp *p, text_buf *out, bool *lift) {
  const text_token *t = cp_tok(p);
  uint32_t idx = 0;
  *lift = false;
  if (cp_kw(p, "lift") || cp_kw(p, "lower")) {
    bool is_lift = cp_is_kw(p, t, "lift");
    text_buf_byte(out, is_lift ? 0x00 : 0x01);
    text_buf_byte(out, 0x00);
    if (!cp_ref(p, is_lift ? CS_CORE_FUNC : CS_FUNC, true, &idx)) return false;
    text_buf_u32(out, idx);
    *lift = is_lift;
    return canon_opts(p, out);
  }
  const struct builtin *b = NULL;
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    if (cp_is_kw(p, t, builtins[i].name)) b = &builtins[i];
  if (!b) return cp_fail(p, t, "unexpected token");
  p->pos++;
  text_buf_byte(out, b->code);
  switch (b->imm) {
  case IM_NONE: return true;
  case IM_TYPE:
  case IM_TYPE_OPTS:
  case IM_TYPE_FLAG:
    if (!cp_ref(p, CS_TYPE, true, &idx)) return false;
    text_buf_u32(out, idx);
    if (b->imm == IM_TYPE_OPTS) return canon_opts(p, out);
    if (b->imm == IM_TYPE_FLAG) text_buf_byte(out, cp_kw(p, b->flag) ? 1 : 0);
    return true;
  case IM_OPTS: return canon_opts(p, out);
  case IM_FLAG: text_buf_byte(out, cp_kw(p, b->flag) ? 1 : 0); return true;
  case IM_CONTEXT:
    if (!cp_kw(p, "i32")) return cp_fail(p, cp_tok(p), "unexpected token");
    text_buf_byte(out, 0x7f);
    if (!cp_u32(p, &idx)) return false;
    text_buf_u32(out, idx);
    return true;
  case IM_WAIT:
    text_buf_byte(out, cp_kw(p, b->flag) ? 1 : 0);
    if (!cp_expect_lpar_kw(p, "memory") || !cp_ref(p, CS_CORE_MEMORY, true, &idx) || !cp_expect_rpar(p)) return false;
    text_buf_u32(out, idx);
    return true;
  case IM_RETURN:
    if (cp_lpar_kw(p, "result")) {
      p->pos += 2;
      text_buf_byte(out, 0x00);
      if (!cp_valtype(p, out) || !cp_expect_rpar(p)) return false;
    } else {
      text_buf_byte(out, 0x01);
      text_buf_byte(out, 0x00);
    }
    return canon_opts(p, out);
  case IM_INDIRECT:
    if (!cp_ref(p, CS_CORE_TYPE, true, &idx)) return false;
    text_buf_u32(out, idx);
    if (!cp_ref(p, CS_CORE_TABLE, true, &idx)) return false;
    text_buf_u32(out, idx);
    return true;
  }
  return false;
}

/* `(canon ...)` where the cursor is on its `(`, inside a definition of sort (a lift in
 * `(func ...)` has its type index already): emits it; *idx is the new index. */
static bool canon_inline(cp *p, int sort, const text_token *id, bool has_type, uint32_t typeidx, uint32_t *idx) {
  const text_token *t = cp_tok(p);
  p->pos += 2;
  text_buf b = {0};
  bool lift;
  bool ok = canon_body(p, &b, &lift) && cp_expect_rpar(p);
  if (ok && lift != (sort == CS_FUNC)) ok = cp_fail(p, t, "unexpected token");
  if (ok && lift) {
    if (!has_type) ok = cp_fail(p, t, "unexpected token");
    text_buf_u32(&b, typeidx);
  }
  ok = ok && cp_emit(p, CSEC_CANON, -1, &b) && cs_define(p, sort, id, idx);
  text_buf_free(&b);
  return ok;
}

/* `(canon ...)` as a field: the defined function is the last form. */
static bool canon_field(cp *p) {
  size_t lpar = p->pos, close = cp_tok(p)->match, target = 0;
  for (size_t k = lpar + 2; k < close; k = p->toks[k].kind == TOK_LPAR ? p->toks[k].match + 1 : k + 1)
    if (p->toks[k].kind == TOK_LPAR) target = k;
  if (!target) return cp_fail(p, &p->toks[close], "unexpected token");
  /* the defined function is the last form; a lift's type use there is read first, as
   * the reference reader defines inline types before the aliases a field's references
   * make */
  p->pos = target + 1;
  int sort = cs_sort_kw(p, true);
  if (sort != CS_FUNC && sort != CS_CORE_FUNC) return cp_fail(p, &p->toks[target + 1], "unexpected token");
  const text_token *id = opt_id(p);
  uint32_t ti = 0;
  if (sort == CS_FUNC && !cp_func_typeuse(p, &ti)) return false;
  if (!cp_expect_rpar(p)) return false;
  if (p->pos != close) return cp_fail(p, cp_tok(p), "unexpected token");
  p->pos = lpar + 2;
  text_buf b = {0};
  bool lift;
  bool ok = canon_body(p, &b, &lift);
  if (ok && (p->pos != target || lift != (sort == CS_FUNC))) ok = cp_fail(p, cp_tok(p), "unexpected token");
  if (lift) text_buf_u32(&b, ti);
  ok = ok && cp_emit(p, CSEC_CANON, -1, &b) && cs_define(p, sort, id, NULL);
  if (ok) p->pos = close + 1;
  text_buf_free(&b);
  return ok;
}

/* ---------- instances ---------------------------------------------------------------- */

/* Inline exports of an instance: `(export "n" (sortkw ref))*` up to `)`, as the vector
 * of the 0x01 form. */
static bool instance_exports(cp *p, bool core, text_buf *out) {
  text_buf b = {0};
  uint32_t n = 0;
  bool ok = true;
  while (ok && cp_tok(p)->kind != TOK_RPAR) {
    if (!cp_expect_lpar_kw(p, "export")) { ok = false; break; }
    if (core) ok = cp_name(p, &b);
    else ok = cp_extname(p, &b);
    if (!ok) break;
    const text_token *t = cp_tok(p);
    if (t->kind != TOK_LPAR) { ok = cp_fail(p, t, "unexpected token"); break; }
    p->pos++;
    int sort = cs_sort_kw(p, !core);
    if (sort < 0) { ok = cp_fail(p, cp_tok(p), "unexpected token"); break; }
    uint32_t idx = 0;
    ok = cp_ref_inner(p, sort, &idx) && cp_expect_rpar(p);
    if (core) {
      static const uint8_t codes[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12};
      text_buf_byte(&b, codes[sort]);
    } else {
      cs_emit_sort(&b, sort);
    }
    text_buf_u32(&b, idx);
    n++;
  }
  if (ok) {
    text_buf_byte(out, 0x01);
    text_buf_u32(out, n);
    text_buf_append(out, &b);
  }
  text_buf_free(&b);
  return ok;
}

/* An instance of inline exports `(instance (export ...)*)` used as an argument: defined
 * here; the cursor is after `instance`. */
static bool inline_instance(cp *p, bool core, uint32_t *idx) {
  text_buf b = {0};
  bool ok = instance_exports(p, core, &b) && cp_expect_rpar(p) &&
            cp_emit(p, core ? CSEC_CORE_INSTANCE : CSEC_INSTANCE, -1, &b) &&
            cs_define(p, core ? CS_CORE_INSTANCE : CS_INSTANCE, NULL, idx);
  text_buf_free(&b);
  return ok;
}

/* `(instantiate x (with "n" ...)*)` after `instantiate`. */
static bool instantiate(cp *p, bool core, text_buf *out) {
  uint32_t idx = 0, n = 0;
  text_buf args = {0};
  bool ok = cp_ref(p, core ? CS_CORE_MODULE : CS_COMPONENT, true, &idx);
  while (ok && cp_lpar_kw(p, "with")) {
    p->pos += 2;
    ok = cp_name(p, &args);
    if (!ok) break;
    const text_token *t = cp_tok(p);
    if (t->kind != TOK_LPAR) { ok = cp_fail(p, t, "unexpected token"); break; }
    p->pos++;
    int sort = cs_sort_kw(p, !core);
    if (sort < 0 || (core && sort != CS_CORE_INSTANCE)) { ok = cp_fail(p, t, "unexpected token"); break; }
    uint32_t a = 0;
    bool inl = (sort == CS_INSTANCE || sort == CS_CORE_INSTANCE) &&
               (cp_tok(p)->kind == TOK_RPAR || cp_lpar_kw(p, "export"));
    ok = inl ? inline_instance(p, core, &a) : cp_ref_inner(p, sort, &a);
    ok = ok && cp_expect_rpar(p);
    if (core) text_buf_byte(&args, 0x12);
    else cs_emit_sort(&args, sort);
    text_buf_u32(&args, a);
    n++;
  }
  ok = ok && cp_expect_rpar(p);
  if (ok) {
    text_buf_byte(out, 0x00);
    text_buf_u32(out, idx);
    text_buf_u32(out, n);
    text_buf_append(out, &args);
  }
  text_buf_free(&args);
  return ok;
}

/* `(core? instance $id? (export "n")* ...)` with the cursor after the keyword. */
static bool instance_field(cp *p, bool core, size_t close) {
  const text_token *id = opt_id(p);
  size_t ex = core ? p->pos : cp_skip_inline_exports(p), ex_end = p->pos;
  int sort = core ? CS_CORE_INSTANCE : CS_INSTANCE;
  uint32_t idx = 0;
  text_buf b = {0};
  bool ok;
  if (!core && cp_lpar_kw(p, "import")) {
    p->pos += 2;
    ok = cp_extname(p, &b) && cp_expect_rpar(p) && cp_externdesc(p, CS_INSTANCE, &b, false) &&
         cp_emit(p, CSEC_IMPORT, -1, &b) && cs_define(p, sort, id, &idx);
    p->pos = close + 1;
  } else if (cp_lpar_kw(p, "instantiate")) {
    p->pos += 2;
    ok = instantiate(p, core, &b) && cp_expect_rpar(p) &&
         cp_emit(p, core ? CSEC_CORE_INSTANCE : CSEC_INSTANCE, -1, &b) && cs_define(p, sort, id, &idx);
  } else {
    ok = instance_exports(p, core, &b) && cp_expect_rpar(p) &&
         cp_emit(p, core ? CSEC_CORE_INSTANCE : CSEC_INSTANCE, -1, &b) && cs_define(p, sort, id, &idx);
  }
  text_buf_free(&b);
  return ok && cp_inline_exports(p, ex, ex_end, sort, idx);
}

/* ---------- scopes --------------------------------------------------------------------- */

static void scope_init(cscope *s, cscope *parent, int kind, const text_token *id) {
  memset(s, 0, sizeof *s);
  s->parent = parent;
  s->kind = kind;
  s->id = id;
  s->sec = -1;
}

void cp_scope_free(cscope *s) {
  text_names_free(&s->implicit);
  for (int i = 0; i < CS_COUNT; i++) {
    text_names_free(&s->names[i]);
    text_buf_free(&s->nm[i]);
  }
  text_buf_free(&s->out);
  text_buf_free(&s->sec_body);
  text_buf_free(&s->deferred);
}

/* The component's bytes: preamble, sections, and the component-name section when
 * anything has a $name. */
static void scope_finish(cscope *s, text_buf *out) {
  static const uint8_t preamble[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  flush_section(s);
  text_buf_bytes(out, preamble, sizeof preamble);
  text_buf_append(out, &s->out);
  bool any = s->id != NULL;
  for (int i = 0; i < CS_COUNT; i++) any = any || s->nmn[i];
  if (!any) return;
  text_buf b = {0};
  text_buf_u32(&b, 14);
  text_buf_bytes(&b, "component-name", 14);
  if (s->id) {
    text_buf sub = {0}; /* the name without its `$` */
    text_buf_u32(&sub, s->id->idlen - 1);
    text_buf_bytes(&sub, s->id->id + 1, s->id->idlen - 1);
    text_buf_byte(&b, 0x00);
    text_buf_u32(&b, (uint32_t)sub.len);
    text_buf_append(&b, &sub);
    text_buf_free(&sub);
  }
  for (int i = 0; i < CS_COUNT; i++) {
    if (!s->nmn[i]) continue;
    text_buf sub = {0};
    cs_emit_sort(&sub, i);
    text_buf_u32(&sub, s->nmn[i]);
    text_buf_append(&sub, &s->nm[i]);
    text_buf_byte(&b, 0x01);
    text_buf_u32(&b, (uint32_t)sub.len);
    text_buf_append(&b, &sub);
    text_buf_free(&sub);
  }
  text_buf_byte(out, 0x00);
  text_buf_u32(out, (uint32_t)b.len);
  text_buf_append(out, &b);
  text_buf_free(&b);
}

/* ---------- fields ---------------------------------------------------------------------- */

static bool core_module_field(cp *p, size_t close) {
  const text_token *id = opt_id(p);
  size_t ex = cp_skip_inline_exports(p), ex_end = p->pos;
  uint32_t idx = 0;
  text_buf b = {0};
  bool ok;
  if (cp_kw(p, "binary")) {
    ok = text_concat_strings(p->src, p->toks, &p->pos, close, &b, p->err);
  } else if (cp_kw(p, "quote")) {
    text_buf text = {0};
    ok = text_concat_strings(p->src, p->toks, &p->pos, close, &text, p->err) &&
         text_wat_encode((const char *)text.p, text.len, &b, p->err);
    text_buf_free(&text);
  } else {
    ok = text_encode_module_fields(p->src, p->toks, p->pos, close, id, WASM_FEATURES_ALL, &b, p->err);
  }
  p->pos = close + 1;
  ok = ok && cp_emit(p, CSEC_CORE_MODULE, -1, &b) && cs_define(p, CS_CORE_MODULE, id, &idx);
  text_buf_free(&b);
  return ok && cp_inline_exports(p, ex, ex_end, CS_CORE_MODULE, idx);
}

/* `(core func|table|memory|global|tag $id? (alias ...) | (canon ...))` */
static bool core_item_field(cp *p, int sort) {
  const text_token *id = opt_id(p);
  if (cp_lpar_kw(p, "alias")) return cp_alias_inline(p, sort, id) && cp_expect_rpar(p);
  if (sort == CS_CORE_FUNC && cp_lpar_kw(p, "canon"))
    return canon_inline(p, CS_CORE_FUNC, id, false, 0, NULL) && cp_expect_rpar(p);
  return cp_fail(p, cp_tok(p), "unexpected token");
}

static bool component_field(cp *p, size_t close) {
  const text_token *id = opt_id(p);
  size_t ex = cp_skip_inline_exports(p), ex_end = p->pos;
  if (p->depth >= CP_MAX_DEPTH) return cp_fail(p, cp_tok(p), "nesting too deep");
  p->depth++;
  cscope inner, *outer = p->sc;
  scope_init(&inner, outer, CK_COMPONENT, id);
  p->sc = &inner;
  bool ok = cp_component_fields(p, close);
  text_buf b = {0};
  if (ok) scope_finish(&inner, &b);
  p->sc = outer;
  cp_scope_free(&inner);
  p->depth--;
  p->pos = close + 1;
  uint32_t idx = 0;
  ok = ok && cp_emit(p, CSEC_COMPONENT, -1, &b) && cs_define(p, CS_COMPONENT, id, &idx);
  text_buf_free(&b);
  return ok && cp_inline_exports(p, ex, ex_end, CS_COMPONENT, idx);
}

/* `(func $id? (export "n")* ...)`: an import, an alias, or a lift. */
static bool func_field(cp *p) {
  const text_token *id = opt_id(p);
  size_t ex = cp_skip_inline_exports(p), ex_end = p->pos;
  uint32_t idx = 0;
  bool ok;
  if (cp_lpar_kw(p, "import")) {
    text_buf b = {0};
    p->pos += 2;
    ok = cp_extname(p, &b) && cp_expect_rpar(p) && cp_externdesc(p, CS_FUNC, &b, false) &&
         cp_emit(p, CSEC_IMPORT, -1, &b) && cs_define(p, CS_FUNC, id, &idx);
    text_buf_free(&b);
  } else if (cp_lpar_kw(p, "alias")) {
    ok = cp_alias_inline(p, CS_FUNC, id) && cp_expect_rpar(p);
    idx = p->sc->count[CS_FUNC] - 1;
  } else {
    uint32_t ti = 0;
    ok = cp_func_typeuse(p, &ti);
    if (ok && !cp_lpar_kw(p, "canon")) ok = cp_fail(p, cp_tok(p), "unexpected token");
    ok = ok && canon_inline(p, CS_FUNC, id, true, ti, &idx) && cp_expect_rpar(p);
  }
  return ok && cp_inline_exports(p, ex, ex_end, CS_FUNC, idx);
}

static bool start_field(cp *p) {
  text_buf b = {0}, args = {0};
  uint32_t idx, n = 0, nres = 0;
  bool ok = cp_ref(p, CS_FUNC, true, &idx);
  while (ok && cp_lpar_kw(p, "value")) {
    p->pos += 2;
    uint32_t v = 0;
    ok = cp_index(p, CS_VALUE, &v) && cp_expect_rpar(p);
    text_buf_u32(&args, v);
    n++;
  }
  while (ok && cp_lpar_kw(p, "result")) {
    p->pos += 2;
    ok = cp_expect_lpar_kw(p, "value");
    const text_token *rid = ok ? opt_id(p) : NULL;
    ok = ok && cp_expect_rpar(p) && cp_expect_rpar(p) && cs_define(p, CS_VALUE, rid, NULL);
    nres++;
  }
  ok = ok && cp_expect_rpar(p);
  text_buf_u32(&b, idx);
  text_buf_u32(&b, n);
  text_buf_append(&b, &args);
  text_buf_u32(&b, nres);
  ok = ok && cp_emit(p, CSEC_START, -1, &b);
  text_buf_free(&b);
  text_buf_free(&args);
  return ok;
}

/* `(import "n" attrs (sortkw $id? desc))` in a component, or as a declarator. */
static bool import_export_decl(cp *p, bool import) {
  text_buf b = {0};
  bool ok = cp_extname(p, &b);
  const text_token *t = cp_tok(p);
  int sort = -1;
  if (ok && t->kind == TOK_LPAR) {
    p->pos++;
    sort = cs_sort_kw(p, true);
  }
  if (ok && sort < 0) ok = cp_fail(p, t, "unexpected token");
  if (ok && cs_is_core(sort) && sort != CS_CORE_MODULE) ok = cp_fail(p, t, "unexpected token");
  ok = ok && cp_externdesc(p, sort, &b, true) && cp_expect_rpar(p);
  if (ok) ok = cp_emit(p, CSEC_IMPORT, import ? 0x03 : 0x04, &b);
  text_buf_free(&b);
  return ok;
}

static bool import_field(cp *p) {
  if (p->sc->kind == CK_COMPONENT) return import_export_decl(p, true);
  return cp_fail(p, cp_tok(p), "unexpected token");
}

/* `(export $id? "n" attrs (sortkw ref) ascription?)` of a component. */
static bool export_field(cp *p) {
  const text_token *id = opt_id(p);
  text_buf b = {0}, desc = {0};
  bool ok = cp_extname(p, &b);
  const text_token *t = cp_tok(p);
  int sort = -1;
  if (ok && t->kind == TOK_LPAR) {
    p->pos++;
    sort = cs_sort_kw(p, true);
  }
  if (ok && sort < 0) ok = cp_fail(p, t, "unexpected token");
  uint32_t idx = 0;
  /* an ascription's inline types are defined before the reference's aliases (the
   * reference reader's order): read it first */
  size_t ref = p->pos, after = ok ? p->toks[t - p->toks].match + 1 : 0;
  if (ok && p->toks[after].kind == TOK_LPAR) {
    const text_token *at = &p->toks[after];
    p->pos = after + 1;
    if (cs_sort_kw(p, true) != sort) ok = cp_fail(p, at, "unexpected token");
    text_buf_byte(&desc, 0x01);
    ok = ok && cp_externdesc(p, sort, &desc, false);
  } else {
    text_buf_byte(&desc, 0x00);
    p->pos = after;
  }
  size_t end = p->pos;
  if (ok) {
    p->pos = ref;
    ok = cp_ref_inner(p, sort, &idx);
    p->pos = end;
  }
  if (ok) {
    cs_emit_sort(&b, sort);
    text_buf_u32(&b, idx);
    text_buf_append(&b, &desc);
  }
  ok = ok && cp_expect_rpar(p) && cp_emit(p, CSEC_EXPORT, -1, &b) && cs_define(p, sort, id, NULL);
  text_buf_free(&b);
  text_buf_free(&desc);
  return ok;
}

bool cp_component_fields(cp *p, size_t end) {
  while (p->pos < end) {
    const text_token *t = cp_tok(p);
    if (t->kind != TOK_LPAR) return cp_fail(p, t, "unexpected token");
    size_t close = t->match;
    cp_next_field(p);
    bool ok;
    if (cp_lpar_kw2(p, "core", "module")) {
      p->pos += 3;
      ok = core_module_field(p, close);
    } else if (cp_lpar_kw2(p, "core", "instance")) {
      p->pos += 3;
      ok = instance_field(p, true, close);
    } else if (cp_lpar_kw2(p, "core", "type")) {
      ok = cp_core_type_field(p);
    } else if (cp_lpar_kw(p, "core")) {
      p->pos++;
      int sort = cs_sort_kw(p, true);
      if (sort < 0 || sort > CS_CORE_TAG) return cp_fail(p, cp_peek(p, 1), "unexpected token");
      ok = core_item_field(p, sort);
    } else if (cp_lpar_kw(p, "component")) {
      p->pos += 2;
      ok = component_field(p, close);
    } else if (cp_lpar_kw(p, "instance")) {
      p->pos += 2;
      ok = instance_field(p, false, close);
    } else if (cp_lpar_kw(p, "alias")) {
      ok = cp_alias_field(p);
    } else if (cp_lpar_kw(p, "type")) {
      ok = cp_type_field(p);
    } else if (cp_lpar_kw(p, "canon")) {
      ok = canon_field(p);
    } else if (cp_lpar_kw(p, "func")) {
      p->pos += 2;
      ok = func_field(p);
    } else if (cp_lpar_kw(p, "start")) {
      p->pos += 2;
      ok = start_field(p);
    } else if (cp_lpar_kw(p, "import")) {
      p->pos += 2;
      ok = import_field(p);
    } else if (cp_lpar_kw(p, "export")) {
      p->pos += 2;
      ok = export_field(p);
    } else if (cp_lpar_kw(p, "value")) {
      return cp_fail(p, cp_peek(p, 1), "not supported: value definitions");
    } else {
      return cp_fail(p, cp_peek(p, 1), "unexpected token");
    }
    if (!ok) {
      if (p->err->kind == UTIL_ERR_NONE) cp_fail(p, t, "unexpected token");
      return false;
    }
    if (p->pos != close + 1) return cp_fail(p, cp_tok(p), "unexpected token");
  }
  return emit_deferred(p);
}

/* Import and export declarators of component and instance types. */
bool cp_decl_import_export(cp *p, bool import) { return import_export_decl(p, import); }

/* ---------- entry points ------------------------------------------------------------------ */

static bool encode_fields(const char *src, const text_token *toks, size_t start, size_t end, const text_token *id,
                          text_buf *out, util_error *err) {
  cp p = {.src = src, .toks = toks, .pos = start, .err = err};
  cscope top;
  scope_init(&top, NULL, CK_COMPONENT, id);
  p.sc = &top;
  bool ok = cp_component_fields(&p, end);
  if (ok) {
    scope_finish(&top, out);
    if (out->oom) ok = cp_oom(&p);
  }
  cp_scope_free(&top);
  text_buf_free(&p.tmp);
  return ok;
}

bool text_encode_component(const char *src, const text_token *toks, size_t lpar, text_buf *out, util_error *err) {
  size_t close = toks[lpar].match;
  size_t pos = lpar + 2;
  if (toks[pos].kind == TOK_KEYWORD && toks[pos].len == 10 && memcmp(src + toks[pos].start, "definition", 10) == 0)
    pos++;
  const text_token *id = NULL;
  if (toks[pos].kind == TOK_ID) id = &toks[pos++];
  const text_token *t = &toks[pos];
  if (t->kind == TOK_KEYWORD && t->len == 6 && memcmp(src + t->start, "binary", 6) == 0) {
    pos++;
    return text_concat_strings(src, toks, &pos, close, out, err);
  }
  if (t->kind == TOK_KEYWORD && t->len == 5 && memcmp(src + t->start, "quote", 5) == 0) {
    pos++;
    text_buf text = {0};
    bool ok = text_concat_strings(src, toks, &pos, close, &text, err) &&
              text_component_encode((const char *)text.p, text.len, out, err);
    text_buf_free(&text);
    return ok;
  }
  return encode_fields(src, toks, pos, close, id, out, err);
}

bool text_component_encode(const char *src, size_t len, text_buf *out, util_error *err) {
  text_lexed lx;
  if (!text_lex(src ? src : "", src ? len : 0, &lx, err)) {
    /* the component tools' words for a bad escape */
    if (strcmp(err->msg, "illegal escape") == 0) snprintf(err->msg, sizeof err->msg, "invalid string escape");
    return false;
  }
  const text_token *t = lx.toks;
  bool ok;
  if (t[0].kind == TOK_LPAR && t[1].kind == TOK_KEYWORD && t[1].len == 9 &&
      memcmp(lx.src + t[1].start, "component", 9) == 0) {
    ok = text_encode_component(lx.src, lx.toks, 0, out, err);
    size_t after = t[0].match + 1;
    if (ok && t[after].kind != TOK_EOF) {
      util_fail(err, UTIL_ERR_MALFORMED, t[after].start, "unexpected token");
      err->line = (int)t[after].line;
      err->col = (int)t[after].col;
      ok = false;
    }
  } else {
    ok = encode_fields(lx.src, lx.toks, 0, lx.ntoks - 1, NULL, out, err);
  }
  text_lexed_free(&lx);
  return ok;
}

bool text_component_to_binary(const char *src, size_t len, uint8_t **out, size_t *outlen, util_error *err) {
  util_error_clear(err);
  text_buf b = {0};
  if (!text_component_encode(src, len, &b, err)) {
    text_buf_free(&b);
    return false;
  }
  *out = b.p ? b.p : util_try_malloc(1);
  *outlen = b.len;
  return *out ? true : util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}

/* An unreadable text is a component when it starts so: its first `(` (wherever it is),
 * blanks, then `component`. */
static bool raw_starts_component(const char *s, size_t len) {
  size_t i = 0;
  while (i < len && s[i] != '(') i++;
  if (i == len) return false;
  i++;
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return len - i >= 9 && memcmp(s + i, "component", 9) == 0;
}

static bool toks_start_component(const text_lexed *lx) {
  return lx->ntoks >= 2 && lx->toks[0].kind == TOK_LPAR && lx->toks[1].kind == TOK_KEYWORD &&
         lx->toks[1].len == 9 && memcmp(lx->src + lx->toks[1].start, "component", 9) == 0;
}

/* A text that lexes is a component when its first tokens are `(` `component`; one that does
 * not, when it starts so (raw_starts_component). Both tests read only the start, and the
 * first two tokens are the same whatever follows, so the whole text is lexed only when
 * the two tests disagree (a `(` in a comment before the first token, say): for a large
 * module that whole pass was as long as reading the module itself. */
bool text_is_component(const uint8_t *bytes, size_t len) {
  if (text_is_binary(bytes, len)) return false;
  const char *s = (const char *)bytes;
  bool raw = raw_starts_component(s, len);
  util_error e;
  text_lexed lx;
  /* an error within the first two tokens is an error of the whole text */
  if (!text_lex_first(s, len, 2, &lx, &e)) return raw;
  bool toks = toks_start_component(&lx);
  text_lexed_free(&lx);
  if (toks == raw) return toks;
  if (!text_lex(s, len, &lx, &e)) return raw;
  toks = toks_start_component(&lx);
  text_lexed_free(&lx);
  return toks;
}
