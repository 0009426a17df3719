/* The WAST script reader: commands, actions, constants and result patterns. */
#include <stdlib.h>
#include <string.h>

#include "wast.h"
#include "../wasm/module.h"

typedef struct sp {
  wast_script *s;
  const char *src;
  const text_token *toks;
  size_t pos;
  util_error *err;
  unsigned depth; /* open (thread and (either forms */
} sp;

/* (thread and (either nest by recursion here and in the runner; scripts nest them once
 * or twice, so a small bound keeps hostile scripts off the C stack. */
#define WAST_MAX_NESTING 100

static const text_token *tok(const sp *p) { return &p->toks[p->pos]; }

static bool fail(sp *p, const text_token *t, const char *msg) {
  if (p->err->kind == UTIL_ERR_NONE) {
    util_fail(p->err, UTIL_ERR_MALFORMED, t->start, "%s", msg);
    p->err->line = (int)t->line;
    p->err->col = (int)t->col;
  }
  return false;
}

static bool oom(sp *p, const text_token *t) {
  if (p->err->kind == UTIL_ERR_NONE) {
    util_fail(p->err, UTIL_ERR_OOM, t->start, "out of memory");
    p->err->line = (int)t->line;
    p->err->col = (int)t->col;
  }
  return false;
}

static bool is_kw(const sp *p, const text_token *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == TOK_KEYWORD && t->len == n && memcmp(p->src + t->start, kw, n) == 0;
}

static bool lpar_kw(const sp *p, const char *kw) { return tok(p)->kind == TOK_LPAR && is_kw(p, &p->toks[p->pos + 1], kw); }

static bool expect_rpar(sp *p) {
  if (tok(p)->kind != TOK_RPAR) return fail(p, tok(p), "unexpected token");
  p->pos++;
  return true;
}

static wast_name opt_id(sp *p) {
  wast_name n = {NULL, 0};
  if (tok(p)->kind == TOK_ID) {
    n.s = tok(p)->id;
    n.len = tok(p)->idlen;
    p->pos++;
  }
  return n;
}

/* A decoded string in the arena (NUL-terminated). */
static bool string(sp *p, uint8_t **out, uint32_t *len) {
  const text_token *t = tok(p);
  if (t->kind != TOK_STRING) return fail(p, t, "unexpected token");
  text_buf b = {0};
  text_string_decode(p->src + t->start, t->len, &b);
  *out = b.oom ? NULL : util_arena_try_alloc(&p->s->arena, b.len + 1);
  if (!*out) {
    text_buf_free(&b);
    return oom(p, t);
  }
  if (b.len) memcpy(*out, b.p, b.len);
  *len = (uint32_t)b.len;
  text_buf_free(&b);
  p->pos++;
  return true;
}

/* (module ...) or (component ...) in any form; the tokens stay where they are. */
static bool module(sp *p, wast_module *m) {
  if (lpar_kw(p, "component")) m->component = true;
  else if (!lpar_kw(p, "module")) return fail(p, tok(p), "unexpected token");
  m->lpar = p->pos;
  size_t close = tok(p)->match;
  p->pos += 2;
  if (is_kw(p, tok(p), "definition")) { m->definition = true; p->pos++; }
  m->id = opt_id(p);
  if (is_kw(p, tok(p), "binary")) m->form = WAST_MOD_BINARY;
  else if (is_kw(p, tok(p), "quote")) m->form = WAST_MOD_QUOTE;
  else m->form = WAST_MOD_TEXT;
  p->pos = close + 1;
  return true;
}

/* Names here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const struct { char name[6]; unsigned lanes, bits; bool fl; } shapes[] = {
    {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
    {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};

static bool number(sp *p, unsigned bits, bool fl, bool patterns, uint64_t *v, uint8_t *nan) {
  const text_token *t = tok(p);
  const char *s = p->src + t->start;
  bool range = false, ok;
  if (nan) *nan = WAST_NAN_NONE;
  if (fl && patterns && is_kw(p, t, "nan:canonical")) { *nan = WAST_NAN_CANONICAL; p->pos++; return true; }
  if (fl && patterns && is_kw(p, t, "nan:arithmetic")) { *nan = WAST_NAN_ARITHMETIC; p->pos++; return true; }
  if (t->kind != TOK_NUM && t->kind != TOK_KEYWORD) return fail(p, t, "unexpected token");
  if (!fl) ok = text_parse_int(s, t->len, bits, v, &range);
  else if (bits == 32) {
    uint32_t u = 0;
    ok = text_parse_f32(s, t->len, &u, &range);
    *v = u;
  } else ok = text_parse_f64(s, t->len, v, &range);
  if (TEXT_NUM_OOM(ok, range)) return oom(p, t);
  if (!ok) return fail(p, t, "unknown operator");
  if (range) return fail(p, t, "constant out of range");
  p->pos++;
  return true;
}

static bool value(sp *p, wast_value *v, bool result);

static bool value_list(sp *p, wast_value **out, uint32_t *n, bool result) {
  size_t count = 0;
  for (size_t k = p->pos; p->toks[k].kind == TOK_LPAR; k = p->toks[k].match + 1) count++;
  *out = util_arena_try_alloc(&p->s->arena, (count ? count : 1) * sizeof **out);
  if (!*out) return oom(p, tok(p));
  *n = (uint32_t)count;
  for (size_t i = 0; i < count; i++)
    if (!value(p, &(*out)[i], result)) return false;
  return true;
}

/* ---------- component-level values ------------------------------------------------------- */

static const struct { char kw[14]; int8_t kind; } cval_forms[] = {
    {"bool.const", WAST_CV_BOOL},     {"s8.const", WAST_CV_S8},         {"u8.const", WAST_CV_U8},
    {"s16.const", WAST_CV_S16},       {"u16.const", WAST_CV_U16},       {"s32.const", WAST_CV_S32},
    {"u32.const", WAST_CV_U32},       {"s64.const", WAST_CV_S64},       {"u64.const", WAST_CV_U64},
    {"f32.const", WAST_CV_F32},       {"f64.const", WAST_CV_F64},       {"char.const", WAST_CV_CHAR},
    {"str.const", WAST_CV_STRING},    {"list.const", WAST_CV_LIST},     {"record.const", WAST_CV_RECORD},
    {"tuple.const", WAST_CV_TUPLE},   {"variant.const", WAST_CV_VARIANT}, {"enum.const", WAST_CV_ENUM},
    {"flags.const", WAST_CV_FLAGS},   {"option.none", WAST_CV_OPTION},  {"option.some", WAST_CV_OPTION},
    {"result.ok", WAST_CV_RESULT},    {"result.err", WAST_CV_RESULT},
    /* forms whose contents are not read: kept as a value without contents */
    {"option.const", -1},             {"result.const", -1},
};

/* The entry of cval_forms for a keyword token, or -1. f32.const and f64.const are
 * component values only inside another (top level: core values). */
static int cval_form(const sp *p, const text_token *t, bool nested) {
  for (size_t i = 0; i < sizeof cval_forms / sizeof cval_forms[0]; i++)
    if (is_kw(p, t, cval_forms[i].kw)) {
      if (!nested && (cval_forms[i].kind == WAST_CV_F32 || cval_forms[i].kind == WAST_CV_F64)) return -1;
      return (int)i;
    }
  return -1;
}

static void *arena_array(sp *p, size_t n, size_t size) {
  void *a = util_arena_try_alloc(&p->s->arena, (n ? n : 1) * size);
  if (!a) oom(p, tok(p));
  return a;
}

/* An integer of a component type: unsigned ones refuse a sign, signed ones their range. */
static bool cval_int(sp *p, int kind, uint64_t *out) {
  const text_token *t = tok(p);
  static const unsigned bits[] = {[WAST_CV_S8] = 8, [WAST_CV_U8] = 8, [WAST_CV_S16] = 16, [WAST_CV_U16] = 16,
                                  [WAST_CV_S32] = 32, [WAST_CV_U32] = 32, [WAST_CV_S64] = 64, [WAST_CV_U64] = 64};
  bool sgn = kind == WAST_CV_S8 || kind == WAST_CV_S16 || kind == WAST_CV_S32 || kind == WAST_CV_S64;
  unsigned b = bits[kind];
  if (t->kind != TOK_NUM) return fail(p, t, "unexpected token");
  const char *s = p->src + t->start;
  bool neg = s[0] == '-';
  uint64_t v = 0;
  bool range = false;
  if (!text_parse_int(s, t->len, b, &v, &range)) return fail(p, t, "unknown operator");
  if (range) return fail(p, t, "constant out of range");
  uint64_t mask = b == 64 ? ~0ull : (1ull << b) - 1;
  v &= mask;
  uint64_t top = 1ull << (b - 1);
  if (!sgn && neg && v != 0) return fail(p, t, "constant out of range");
  if (sgn && !neg && (v & top)) return fail(p, t, "constant out of range");
  if (sgn && (v & top)) v |= ~mask; /* sign-extended */
  *out = v;
  p->pos++;
  return true;
}

/* A string token's decoded bytes in the arena. */
static bool cval_string(sp *p, wast_name *out) {
  uint8_t *b;
  uint32_t n;
  if (!string(p, &b, &n)) return false;
  out->s = (const char *)b;
  out->len = n;
  return true;
}

/* One Unicode scalar value from UTF-8 bytes that util_utf8_valid accepted: its length. */
static uint32_t utf8_scalar(const uint8_t *s, uint32_t *cp) {
  uint8_t c = s[0];
  uint32_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
  uint32_t v = len == 1 ? c : len == 2 ? c & 0x1fu : len == 3 ? c & 0x0fu : c & 0x07u;
  for (uint32_t k = 1; k < len; k++) v = (v << 6) | (s[k] & 0x3fu);
  *cp = v;
  return len;
}

static bool cval_paren(sp *p, wast_cval *v, bool result);

/* The parenthesised values up to the next `)`. */
static bool cval_list(sp *p, wast_cval *v, bool result) {
  size_t count = 0;
  for (size_t k = p->pos; p->toks[k].kind == TOK_LPAR; k = p->toks[k].match + 1) count++;
  if (!(v->items = arena_array(p, count, sizeof *v->items))) return false;
  v->n = (uint32_t)count;
  for (size_t i = 0; i < count; i++)
    if (!cval_paren(p, &v->items[i], result)) return false;
  return true;
}

/* An optional parenthesised payload (variant, option, result). */
static bool cval_payload(sp *p, wast_cval *v, bool result, bool required) {
  if (tok(p)->kind != TOK_LPAR) return required ? fail(p, tok(p), "unexpected token") : true;
  if (!(v->items = arena_array(p, 1, sizeof *v->items))) return false;
  v->n = 1;
  return cval_paren(p, v->items, result);
}

/* The contents of a value after its keyword `t` (form i of cval_forms), up to (not
 * including) the `)` that closes it. */
static bool cval_body(sp *p, const text_token *t, int i, wast_cval *v, bool result) {
  memset(v, 0, sizeof *v);
  if (cval_forms[i].kind < 0) return fail(p, t, "unexpected token"); /* only at the top level */
  int kind = cval_forms[i].kind;
  v->kind = (uint8_t)kind;
  if (p->depth >= WAST_MAX_NESTING) return fail(p, t, "nesting too deep (more than 100 levels of values)");
  p->depth++;
  bool ok = false;
  switch (kind) {
  case WAST_CV_BOOL:
    if (is_kw(p, tok(p), "true")) v->bits = 1;
    else if (!is_kw(p, tok(p), "false")) { ok = fail(p, tok(p), "unexpected token"); break; }
    p->pos++;
    ok = true;
    break;
  case WAST_CV_S8: case WAST_CV_U8: case WAST_CV_S16: case WAST_CV_U16:
  case WAST_CV_S32: case WAST_CV_U32: case WAST_CV_S64: case WAST_CV_U64:
    ok = cval_int(p, kind, &v->bits);
    break;
  case WAST_CV_F32:
  case WAST_CV_F64:
    ok = number(p, kind == WAST_CV_F32 ? 32 : 64, true, result, &v->bits, &v->nan);
    break;
  case WAST_CV_CHAR:
  case WAST_CV_STRING: {
    const text_token *at = tok(p);
    if (!cval_string(p, &v->str)) break;
    if (!util_utf8_valid((const uint8_t *)v->str.s, v->str.len)) { ok = fail(p, at, "malformed UTF-8 encoding"); break; }
    if (kind == WAST_CV_CHAR) {
      uint32_t cp = 0;
      if (v->str.len == 0 || utf8_scalar((const uint8_t *)v->str.s, &cp) != v->str.len) {
        ok = fail(p, at, "a char.const needs exactly one character");
        break;
      }
      v->bits = cp;
      v->str = (wast_name){NULL, 0};
    }
    ok = true;
    break;
  }
  case WAST_CV_LIST:
  case WAST_CV_TUPLE:
    ok = cval_list(p, v, result);
    break;
  case WAST_CV_RECORD: {
    size_t count = 0;
    for (size_t k = p->pos; p->toks[k].kind == TOK_LPAR; k = p->toks[k].match + 1) count++;
    v->items = arena_array(p, count, sizeof *v->items);
    v->labels = v->items ? arena_array(p, count, sizeof *v->labels) : NULL;
    if (!v->labels) break;
    v->n = (uint32_t)count;
    ok = true;
    for (size_t k = 0; k < count && ok; k++) {
      /* (field "label" V) with V parenthesised or bare up to the field's `)` */
      if (!lpar_kw(p, "field")) { ok = fail(p, tok(p), "unexpected token"); break; }
      p->pos += 2;
      ok = cval_string(p, &v->labels[k]);
      if (!ok) break;
      if (tok(p)->kind == TOK_LPAR) {
        ok = cval_paren(p, &v->items[k], result);
      } else {
        const text_token *kt = tok(p);
        int f = cval_form(p, kt, true);
        if (f < 0) { ok = fail(p, kt, "unexpected token"); break; }
        p->pos++;
        ok = cval_body(p, kt, f, &v->items[k], result);
      }
      ok = ok && expect_rpar(p);
    }
    break;
  }
  case WAST_CV_VARIANT:
    ok = cval_string(p, &v->str) && cval_payload(p, v, result, false);
    break;
  case WAST_CV_ENUM:
    ok = cval_string(p, &v->str);
    break;
  case WAST_CV_FLAGS: {
    size_t count = 0;
    for (size_t k = p->pos; p->toks[k].kind == TOK_STRING; k++) count++;
    if (!(v->labels = arena_array(p, count, sizeof *v->labels))) break;
    v->n = (uint32_t)count;
    ok = true;
    for (size_t k = 0; k < count && ok; k++) ok = cval_string(p, &v->labels[k]);
    break;
  }
  case WAST_CV_OPTION:
    ok = is_kw(p, t, "option.none") || cval_payload(p, v, result, true);
    break;
  case WAST_CV_RESULT:
    v->err = is_kw(p, t, "result.err");
    ok = cval_payload(p, v, result, false);
    break;
  }
  p->depth--;
  return ok;
}

/* A parenthesised component value `(kw ...)`. */
static bool cval_paren(sp *p, wast_cval *v, bool result) {
  if (tok(p)->kind != TOK_LPAR) return fail(p, tok(p), "unexpected token");
  const text_token *t = &p->toks[p->pos + 1];
  int f = cval_form(p, t, true);
  if (f < 0) return fail(p, t, "unexpected token");
  p->pos += 2;
  return cval_body(p, t, f, v, result) && expect_rpar(p);
}

static bool value(sp *p, wast_value *v, bool result) {
  if (tok(p)->kind != TOK_LPAR) return fail(p, tok(p), "unexpected token");
  size_t close = tok(p)->match;
  p->pos++;
  const text_token *t = tok(p);
  memset(v, 0, sizeof *v);
  p->pos++;
  uint64_t x = 0;
  int form = cval_form(p, t, false);
  if (form >= 0) {
    v->kind = WAST_V_COMPONENT;
    v->heap.s = p->src + t->start;
    v->heap.len = t->len;
    if (cval_forms[form].kind < 0) {
      p->pos = close; /* contents not read */
    } else {
      if (!(v->comp = arena_array(p, 1, sizeof *v->comp))) return false;
      if (!cval_body(p, t, form, v->comp, result)) return false;
    }
  } else if (is_kw(p, t, "i32.const")) {
    v->kind = WAST_V_I32;
    if (!number(p, 32, false, false, &x, NULL)) return false;
    v->u.i32 = (uint32_t)x;
  } else if (is_kw(p, t, "i64.const")) {
    v->kind = WAST_V_I64;
    if (!number(p, 64, false, false, &x, NULL)) return false;
    v->u.i64 = x;
  } else if (is_kw(p, t, "f32.const")) {
    v->kind = WAST_V_F32;
    if (!number(p, 32, true, result, &x, &v->nan[0])) return false;
    v->u.i32 = (uint32_t)x;
  } else if (is_kw(p, t, "f64.const")) {
    v->kind = WAST_V_F64;
    if (!number(p, 64, true, result, &x, &v->nan[0])) return false;
    v->u.i64 = x;
  } else if (is_kw(p, t, "v128.const")) {
    v->kind = WAST_V_V128;
    int s = -1;
    for (int i = 0; i < 6; i++)
      if (is_kw(p, tok(p), shapes[i].name)) s = i;
    if (s < 0) return fail(p, tok(p), "unexpected token");
    p->pos++;
    v->shape = (uint8_t)s;
    for (unsigned i = 0; i < shapes[s].lanes; i++) {
      uint8_t nan = 0;
      if (tok(p)->kind == TOK_RPAR) return fail(p, tok(p), "wrong number of lane literals");
      if (!number(p, shapes[s].bits, shapes[s].fl, result, &x, &nan)) return false;
      if (shapes[s].fl) v->nan[i] = nan;
      for (unsigned b = 0; b < shapes[s].bits / 8; b++)
        v->u.v128[i * shapes[s].bits / 8 + b] = (uint8_t)(x >> (8 * b));
    }
  } else if (is_kw(p, t, "ref.null")) {
    v->kind = WAST_V_REF_NULL;
    if (tok(p)->kind == TOK_KEYWORD || tok(p)->kind == TOK_ID) {
      v->heap.s = p->src + tok(p)->start;
      v->heap.len = tok(p)->len;
      p->pos++;
    }
  } else if (is_kw(p, t, "ref.extern") || is_kw(p, t, "ref.host")) {
    v->kind = is_kw(p, t, "ref.extern") ? WAST_V_REF_EXTERN : WAST_V_REF_HOST;
    if (tok(p)->kind == TOK_NUM) {
      if (!number(p, 32, false, false, &x, NULL)) return false;
      v->u.i32 = (uint32_t)x;
      v->has_payload = true;
    } else if (!result) {
      return fail(p, tok(p), "unexpected token");
    }
  } else if (result && is_kw(p, t, "ref.func")) {
    v->kind = WAST_V_REF_FUNC;
  } else if (result && t->kind == TOK_KEYWORD && t->len > 4 && memcmp(p->src + t->start, "ref.", 4) == 0) {
    v->kind = WAST_V_REF_OTHER;
    v->heap.s = p->src + t->start + 4;
    v->heap.len = t->len - 4;
  } else if (result && is_kw(p, t, "either")) {
    v->kind = WAST_V_EITHER;
    if (p->depth >= WAST_MAX_NESTING) return fail(p, t, "nesting too deep (more than 100 levels of either)");
    p->depth++;
    bool ok = value_list(p, &v->alts, &v->nalts, true);
    p->depth--;
    if (!ok) return false;
  } else {
    return fail(p, t, "unexpected token");
  }
  return expect_rpar(p);
}

static bool action(sp *p, wast_action *a) {
  const text_token *t = &p->toks[p->pos + 1];
  if (tok(p)->kind != TOK_LPAR || !(is_kw(p, t, "invoke") || is_kw(p, t, "get")))
    return fail(p, tok(p), "unexpected token");
  a->get = is_kw(p, t, "get");
  a->line = (int)tok(p)->line;
  p->pos += 2;
  a->module = opt_id(p);
  if (!string(p, &a->field, &a->field_len)) return false;
  if (!value_list(p, &a->args, &a->nargs, false)) return false;
  return expect_rpar(p);
}

static bool message(sp *p, wast_command *c) {
  uint8_t *m;
  uint32_t n;
  if (!string(p, &m, &n)) return false;
  c->text = (const char *)m;
  return true;
}

static bool command(sp *p, wast_command *c);

static bool commands(sp *p, size_t close, wast_command **out, uint32_t *n) {
  size_t count = 0;
  for (size_t k = p->pos; k < close && p->toks[k].kind == TOK_LPAR; k = p->toks[k].match + 1) count++;
  *out = util_arena_try_alloc(&p->s->arena, (count ? count : 1) * sizeof **out);
  if (!*out) return oom(p, tok(p));
  *n = (uint32_t)count;
  for (size_t i = 0; i < count; i++)
    if (!command(p, &(*out)[i])) return false;
  return true;
}

static bool command(sp *p, wast_command *c) {
  memset(c, 0, sizeof *c);
  const text_token *open = tok(p);
  if (open->kind != TOK_LPAR) return fail(p, open, "unexpected token");
  const text_token *t = &p->toks[p->pos + 1];
  c->line = (int)open->line;
  c->col = (int)open->col;
  c->first_tok = p->pos;
  size_t close = open->match;
  if (is_kw(p, t, "module") || is_kw(p, t, "component")) {
    const text_token *n = &p->toks[p->pos + 2];
    if (is_kw(p, n, "instance")) {
      c->kind = WAST_MODULE_INSTANCE;
      c->module.component = is_kw(p, t, "component");
      p->pos += 3;
      c->name = opt_id(p);
      c->ref = opt_id(p);
      return expect_rpar(p);
    }
    c->kind = WAST_MODULE;
    c->has_module = true;
    return module(p, &c->module);
  }
  if (is_kw(p, t, "invoke") || is_kw(p, t, "get")) {
    c->kind = WAST_ACTION;
    c->has_action = true;
    return action(p, &c->action);
  }
  p->pos += 2;
  if (is_kw(p, t, "register")) {
    c->kind = WAST_REGISTER;
    uint8_t *s;
    uint32_t n;
    if (!string(p, &s, &n)) return false;
    c->name.s = (const char *)s;
    c->name.len = n;
    c->ref = opt_id(p);
    return expect_rpar(p);
  }
  if (is_kw(p, t, "assert_return")) {
    c->kind = WAST_ASSERT_RETURN;
    c->has_action = true;
    return action(p, &c->action) && value_list(p, &c->results, &c->nresults, true) && expect_rpar(p);
  }
  if (is_kw(p, t, "assert_trap")) {
    c->kind = WAST_ASSERT_TRAP;
    if (lpar_kw(p, "module") || lpar_kw(p, "component")) {
      c->has_module = true;
      if (!module(p, &c->module)) return false;
    } else {
      c->has_action = true;
      if (!action(p, &c->action)) return false;
    }
    return message(p, c) && expect_rpar(p);
  }
  if (is_kw(p, t, "assert_exhaustion") || is_kw(p, t, "assert_exception") || is_kw(p, t, "assert_suspension")) {
    c->kind = is_kw(p, t, "assert_exhaustion")   ? WAST_ASSERT_EXHAUSTION
              : is_kw(p, t, "assert_exception") ? WAST_ASSERT_EXCEPTION
                                                 : WAST_ASSERT_SUSPENSION;
    c->has_action = true;
    if (!action(p, &c->action)) return false;
    if (c->kind != WAST_ASSERT_EXCEPTION && !message(p, c)) return false;
    return expect_rpar(p);
  }
  static const struct { char kw[24]; uint8_t kind; } mod_asserts[] = {
      {"assert_malformed", WAST_ASSERT_MALFORMED}, {"assert_invalid", WAST_ASSERT_INVALID},
      {"assert_unlinkable", WAST_ASSERT_UNLINKABLE}, {"assert_uninstantiable", WAST_ASSERT_UNINSTANTIABLE},
      {"assert_malformed_custom", WAST_ASSERT_MALFORMED_CUSTOM}, {"assert_invalid_custom", WAST_ASSERT_INVALID_CUSTOM}};
  for (size_t i = 0; i < sizeof mod_asserts / sizeof mod_asserts[0]; i++) {
    if (is_kw(p, t, mod_asserts[i].kw)) {
      c->kind = mod_asserts[i].kind;
      c->has_module = true;
      return module(p, &c->module) && message(p, c) && expect_rpar(p);
    }
  }
  if (is_kw(p, t, "thread")) {
    c->kind = WAST_THREAD;
    c->name = opt_id(p);
    /* (shared (module $m))* are the modules it may use */
    while (lpar_kw(p, "shared")) p->pos = tok(p)->match + 1;
    if (p->depth >= WAST_MAX_NESTING) return fail(p, t, "nesting too deep (more than 100 levels of thread)");
    p->depth++;
    bool ok = commands(p, close, &c->sub, &c->nsub);
    p->depth--;
    return ok && expect_rpar(p);
  }
  if (is_kw(p, t, "wait")) {
    c->kind = WAST_WAIT;
    c->name = opt_id(p);
    return expect_rpar(p);
  }
  return fail(p, t, t->kind == TOK_KEYWORD ? "unknown command" : "unexpected token");
}

wast_script *text_wast_parse(const char *src, size_t len, util_error *err) {
  util_error_clear(err);
  wast_script *s = util_try_calloc(1, sizeof *s);
  if (s) {
    util_arena_init(&s->arena);
    s->src = len < SIZE_MAX ? util_try_malloc(len + 1) : NULL;
  }
  if (!s || !s->src) {
    text_wast_free(s);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  if (len) memcpy(s->src, src, len);
  s->src[len] = 0;
  if (!text_lex(s->src, len, &s->lx, err)) {
    text_wast_free(s);
    return NULL;
  }
  sp p = {s, s->src, s->lx.toks, 0, err, 0};
  /* A script that is one bare module (fields without `(module`) is that module. */
  const text_token *t0 = &p.toks[0];
  if (t0->kind == TOK_LPAR) {
    const text_token *k = &p.toks[1];
    static const char *const fields[] = {"func", "type", "import", "export", "table", "memory",
                                         "global", "elem", "data", "start"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
      if (is_kw(&p, k, fields[i])) {
        wast_command c = {0};
        c.kind = WAST_MODULE;
        c.line = 1;
        c.col = 1;
        c.has_module = true;
        c.module.lpar = SIZE_MAX; /* the whole text */
        c.first_tok = 0;
        if (!UTIL_VEC_TRY_PUSH(s->cmds, s->ncmds, s->cap, c)) {
          oom(&p, t0);
          text_wast_free(s);
          return NULL;
        }
        return s;
      }
    }
  }
  while (tok(&p)->kind != TOK_EOF) {
    wast_command c;
    const text_token *at = tok(&p);
    if (!command(&p, &c) || !UTIL_VEC_TRY_PUSH(s->cmds, s->ncmds, s->cap, c)) {
      oom(&p, at); /* the push failed (a failed command has its error already) */
      text_wast_free(s);
      return NULL;
    }
  }
  return s;
}

void text_wast_free(wast_script *s) {
  if (!s) return;
  util_arena_free(&s->arena);
  text_lexed_free(&s->lx);
  free(s->src);
  free(s->cmds);
  free(s);
}

bool text_wast_module_bytes(const wast_script *s, const wast_module *m, uint8_t **out, size_t *len,
                            util_error *err) {
  return text_wast_module_bytes_features(s, m, WASM_FEATURES_ALL, out, len, err);
}

bool text_wast_module_bytes_features(const wast_script *s, const wast_module *m, uint32_t features, uint8_t **out,
                                     size_t *len, util_error *err) {
  util_error_clear(err);
  text_buf b = {0};
  bool ok = m->lpar == SIZE_MAX ? text_wat_encode_features(s->src, s->lx.len, features, &b, err)
            : m->component      ? text_encode_component(s->src, s->lx.toks, m->lpar, &b, err)
                                : text_encode_module_features(s->src, s->lx.toks, m->lpar, features, &b, err);
  if (!ok) {
    text_buf_free(&b);
    return false;
  }
  *out = b.p ? b.p : util_try_malloc(1);
  *len = b.len;
  return *out ? true : util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}

const char *text_wast_cmd_name(int kind) {
  static const char names[][24] = {"module", "module instance", "register", "action", "assert_return",
                                   "assert_trap", "assert_exhaustion", "assert_exception", "assert_malformed",
                                   "assert_invalid", "assert_unlinkable", "assert_uninstantiable", "thread",
                                   "wait", "assert_malformed_custom", "assert_invalid_custom",
                                   "assert_suspension"};
  return kind >= 0 && kind < (int)(sizeof names / sizeof names[0]) ? names[kind] : "?";
}
