/* The component reader's types: value types, defined types, function types, component
 * and instance types with their declarators, core types (functions, modules), extern
 * descriptors and aliases. A type written where a type is used is defined first (as
 * its own type definition or declarator) and then used by index. */
#include <string.h>

#include "wat_component.h"

/* Keywords here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const struct { char kw[14]; uint8_t code; } prims[] = {
    {"bool", 0x7f},   {"s8", 0x7e},     {"u8", 0x7d},      {"s16", 0x7c},     {"u16", 0x7b},
    {"s32", 0x7a},    {"u32", 0x79},    {"s64", 0x78},     {"u64", 0x77},     {"f32", 0x76},
    {"float32", 0x76}, {"f64", 0x75},   {"float64", 0x75}, {"char", 0x74},    {"string", 0x73},
    {"error-context", 0x64},
};

static int prim_code(cp *p, const text_token *t) {
  for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
    if (cp_is_kw(p, t, prims[i].kw)) return prims[i].code;
  return -1;
}

static bool enter(cp *p) {
  if (p->depth >= CP_MAX_DEPTH) return cp_fail(p, cp_tok(p), "nesting too deep");
  p->depth++;
  return true;
}

/* A defined type at the cursor, emitted as a new type; its index in *idx. */
static bool hoist_deftype(cp *p, const text_token *id, uint32_t *idx) {
  text_buf b = {0};
  bool resource;
  bool ok = cp_deftype(p, &b, &resource) && cp_emit_type(p, &b) && cs_define(p, CS_TYPE, id, idx);
  text_buf_free(&b);
  return ok;
}

bool cp_valtype(cp *p, text_buf *out) {
  const text_token *t = cp_tok(p);
  int c = prim_code(p, t);
  if (c >= 0) {
    p->pos++;
    text_buf_byte(out, (uint8_t)c);
    return true;
  }
  uint32_t idx = 0;
  if (t->kind == TOK_ID || t->kind == TOK_NUM) {
    if (!cp_index(p, CS_TYPE, &idx)) return false;
  } else if (t->kind == TOK_LPAR) {
    if (!enter(p)) return false;
    bool ok = hoist_deftype(p, NULL, &idx);
    p->depth--;
    if (!ok) return false;
  } else {
    return cp_fail(p, t, "unexpected token");
  }
  text_buf_s64(out, idx); /* a non-negative s33 */
  return true;
}

/* An optional value type (before a `)` or another form named `stop`). */
static bool opt_valtype(cp *p, text_buf *out, const char *stop) {
  if (cp_tok(p)->kind == TOK_RPAR || (stop && cp_lpar_kw(p, stop))) {
    text_buf_byte(out, 0x00);
    return true;
  }
  text_buf_byte(out, 0x01);
  return cp_valtype(p, out);
}

/* Labels: `"a" "b" ...` up to `)`. */
static bool labels(cp *p, text_buf *out) {
  text_buf b = {0};
  uint32_t n = 0;
  bool ok = true;
  while (ok && cp_tok(p)->kind != TOK_RPAR) {
    ok = cp_name(p, &b);
    n++;
  }
  text_buf_u32(out, n);
  text_buf_append(out, &b);
  text_buf_free(&b);
  return ok;
}

/* `(param "n" T)* (result T)?` of a function type, after its `func` and `async`. */
static bool func_sig(cp *p, text_buf *out) {
  text_buf b = {0};
  uint32_t n = 0;
  bool ok = true;
  while (ok && cp_lpar_kw(p, "param")) {
    p->pos += 2;
    ok = cp_name(p, &b) && cp_valtype(p, &b) && cp_expect_rpar(p);
    n++;
  }
  text_buf_u32(out, n);
  text_buf_append(out, &b);
  text_buf_free(&b);
  if (!ok) return false;
  if (cp_lpar_kw(p, "result")) {
    p->pos += 2;
    text_buf_byte(out, 0x00);
    if (!cp_valtype(p, out) || !cp_expect_rpar(p)) return false;
  } else {
    text_buf_byte(out, 0x01);
    text_buf_byte(out, 0x00);
  }
  return true;
}

bool cp_deftype(cp *p, text_buf *out, bool *resource) {
  const text_token *t = cp_tok(p);
  *resource = false;
  int c = prim_code(p, t);
  if (c >= 0) {
    p->pos++;
    text_buf_byte(out, (uint8_t)c);
    return true;
  }
  if (t->kind != TOK_LPAR) return cp_fail(p, t, "unexpected token");
  const text_token *k = cp_peek(p, 1);
  p->pos += 2;
  bool ok = true;
  uint32_t idx = 0;
  if (cp_is_kw(p, k, "record")) {
    text_buf b = {0};
    uint32_t n = 0;
    while (ok && cp_tok(p)->kind != TOK_RPAR) {
      ok = cp_expect_lpar_kw(p, "field") && cp_name(p, &b) && cp_valtype(p, &b) && cp_expect_rpar(p);
      n++;
    }
    text_buf_byte(out, 0x72);
    text_buf_u32(out, n);
    text_buf_append(out, &b);
    text_buf_free(&b);
  } else if (cp_is_kw(p, k, "variant")) {
    text_buf b = {0};
    uint32_t n = 0;
    while (ok && cp_tok(p)->kind != TOK_RPAR) {
      ok = cp_expect_lpar_kw(p, "case");
      if (ok && cp_tok(p)->kind == TOK_ID) p->pos++;
      ok = ok && cp_name(p, &b) && opt_valtype(p, &b, "refines");
      if (ok && cp_lpar_kw(p, "refines")) p->pos = cp_tok(p)->match + 1;
      text_buf_byte(&b, 0x00);
      ok = ok && cp_expect_rpar(p);
      n++;
    }
    text_buf_byte(out, 0x71);
    text_buf_u32(out, n);
    text_buf_append(out, &b);
    text_buf_free(&b);
  } else if (cp_is_kw(p, k, "list")) {
    text_buf b = {0};
    ok = cp_valtype(p, &b);
    if (ok && cp_tok(p)->kind == TOK_NUM) {
      ok = cp_u32(p, &idx);
      text_buf_byte(out, 0x67);
      text_buf_append(out, &b);
      text_buf_u32(out, idx);
    } else {
      text_buf_byte(out, 0x70);
      text_buf_append(out, &b);
    }
    text_buf_free(&b);
  } else if (cp_is_kw(p, k, "tuple")) {
    text_buf b = {0};
    uint32_t n = 0;
    while (ok && cp_tok(p)->kind != TOK_RPAR) {
      ok = cp_valtype(p, &b);
      n++;
    }
    text_buf_byte(out, 0x6f);
    text_buf_u32(out, n);
    text_buf_append(out, &b);
    text_buf_free(&b);
  } else if (cp_is_kw(p, k, "flags") || cp_is_kw(p, k, "enum")) {
    text_buf_byte(out, cp_is_kw(p, k, "flags") ? 0x6e : 0x6d);
    ok = labels(p, out);
  } else if (cp_is_kw(p, k, "option")) {
    text_buf_byte(out, 0x6b);
    ok = cp_valtype(p, out);
  } else if (cp_is_kw(p, k, "result")) {
    text_buf_byte(out, 0x6a);
    ok = opt_valtype(p, out, "error");
    if (ok && cp_lpar_kw(p, "error")) {
      p->pos += 2;
      text_buf_byte(out, 0x01);
      ok = cp_valtype(p, out) && cp_expect_rpar(p);
    } else {
      text_buf_byte(out, 0x00);
    }
  } else if (cp_is_kw(p, k, "own") || cp_is_kw(p, k, "borrow")) {
    text_buf_byte(out, cp_is_kw(p, k, "own") ? 0x69 : 0x68);
    ok = cp_index(p, CS_TYPE, &idx);
    text_buf_u32(out, idx);
  } else if (cp_is_kw(p, k, "stream") || cp_is_kw(p, k, "future")) {
    text_buf_byte(out, cp_is_kw(p, k, "stream") ? 0x66 : 0x65);
    ok = opt_valtype(p, out, NULL);
  } else if (cp_is_kw(p, k, "map")) {
    text_buf_byte(out, 0x63);
    ok = cp_valtype(p, out) && cp_valtype(p, out);
  } else if (cp_is_kw(p, k, "func")) {
    text_buf_byte(out, cp_kw(p, "async") ? 0x43 : 0x40);
    ok = func_sig(p, out);
  } else if (cp_is_kw(p, k, "component") || cp_is_kw(p, k, "instance")) {
    bool comp = cp_is_kw(p, k, "component");
    text_buf_byte(out, comp ? 0x41 : 0x42);
    /* the type's own name (for outer aliases inside) is the enclosing `(type $id`'s */
    ok = cp_decls(p, comp ? CK_COMPONENT_TYPE : CK_INSTANCE_TYPE, NULL, out);
    return ok; /* cp_decls consumed the `)` */
  } else if (cp_is_kw(p, k, "resource")) {
    *resource = true;
    text_buf_byte(out, 0x3f);
    ok = cp_expect_lpar_kw(p, "rep") && (cp_kw(p, "i32") || cp_fail(p, cp_tok(p), "unexpected token")) &&
         cp_expect_rpar(p);
    text_buf_byte(out, 0x7f);
    if (ok && cp_lpar_kw(p, "dtor")) {
      p->pos += 2;
      ok = cp_ref(p, CS_CORE_FUNC, true, &idx) && cp_expect_rpar(p);
      text_buf_byte(out, 0x01);
      text_buf_u32(out, idx);
    } else {
      text_buf_byte(out, 0x00);
    }
  } else {
    return cp_fail(p, k, "unexpected token");
  }
  return ok && cp_expect_rpar(p);
}

bool cp_type_field(cp *p) {
  p->pos += 2;
  const text_token *id = cp_tok(p)->kind == TOK_ID ? &p->toks[p->pos++] : NULL;
  if (cp_lpar_kw(p, "alias")) return cp_alias_inline(p, CS_TYPE, id) && cp_expect_rpar(p);
  size_t ex = cp_skip_inline_exports(p), ex_end = p->pos;
  uint32_t idx = 0;
  if (!enter(p)) return false;
  bool ok = hoist_deftype(p, id, &idx) && cp_expect_rpar(p);
  p->depth--;
  return ok && cp_inline_exports(p, ex, ex_end, CS_TYPE, idx);
}

/* ---------- core types ------------------------------------------------------------------ */

static int core_valtype_code(cp *p, const text_token *t) {
  static const struct { char kw[10]; uint8_t code; } v[] = {
      {"i32", 0x7f}, {"i64", 0x7e}, {"f32", 0x7d}, {"f64", 0x7c}, {"v128", 0x7b}, {"funcref", 0x70}, {"externref", 0x6f},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (cp_is_kw(p, t, v[i].kw)) return v[i].code;
  return -1;
}

static bool core_valtypes(cp *p, const char *kw, text_buf *out) {
  text_buf b = {0};
  uint32_t n = 0;
  bool ok = true;
  while (ok && cp_lpar_kw(p, kw)) {
    p->pos += 2;
    if (cp_tok(p)->kind == TOK_ID && !strcmp(kw, "param")) {
      p->pos++;
      int c = core_valtype_code(p, cp_tok(p));
      if (c < 0) { ok = cp_fail(p, cp_tok(p), "unexpected token"); break; }
      text_buf_byte(&b, (uint8_t)c);
      p->pos++;
      n++;
    }
    while (ok && cp_tok(p)->kind != TOK_RPAR) {
      int c = core_valtype_code(p, cp_tok(p));
      if (c < 0) { ok = cp_fail(p, cp_tok(p), "unexpected token"); break; }
      text_buf_byte(&b, (uint8_t)c);
      p->pos++;
      n++;
    }
    ok = ok && cp_expect_rpar(p);
  }
  text_buf_u32(out, n);
  text_buf_append(out, &b);
  text_buf_free(&b);
  return ok;
}

/* `(param ...)* (result ...)*` of a core function type as 0x60 params results. */
static bool core_functype(cp *p, text_buf *out) {
  text_buf_byte(out, 0x60);
  return core_valtypes(p, "param", out) && core_valtypes(p, "result", out);
}

/* A core type use in a module type's import or export: `(type x)` or an inline
 * signature (a new type declarator). */
static bool core_func_typeuse(cp *p, uint32_t *idx) {
  if (cp_lpar_kw(p, "type")) {
    p->pos += 2;
    return cp_index(p, CS_CORE_TYPE, idx) && cp_expect_rpar(p);
  }
  text_buf b = {0};
  bool ok = core_functype(p, &b) && cp_emit_core_type(p, &b) && cs_define(p, CS_CORE_TYPE, NULL, idx);
  text_buf_free(&b);
  return ok;
}

static bool limits(cp *p, text_buf *out) {
  uint32_t min = 0, max = 0;
  if (!cp_u32(p, &min)) return false;
  bool has_max = cp_tok(p)->kind == TOK_NUM;
  if (has_max && !cp_u32(p, &max)) return false;
  text_buf_byte(out, has_max ? 1 : 0);
  text_buf_u32(out, min);
  if (has_max) text_buf_u32(out, max);
  return true;
}

/* A core import or export description `(func|table|memory|global|tag $id? ...)`. */
static bool core_desc(cp *p, text_buf *out) {
  const text_token *t = cp_tok(p);
  if (t->kind != TOK_LPAR) return cp_fail(p, t, "unexpected token");
  const text_token *k = cp_peek(p, 1);
  p->pos += 2;
  const text_token *id = cp_tok(p)->kind == TOK_ID ? &p->toks[p->pos++] : NULL;
  uint32_t idx = 0;
  bool ok;
  if (cp_is_kw(p, k, "func") || cp_is_kw(p, k, "tag")) {
    bool func = cp_is_kw(p, k, "func");
    ok = core_func_typeuse(p, &idx);
    text_buf_byte(out, func ? 0x00 : 0x04);
    if (!func) text_buf_byte(out, 0x00);
    text_buf_u32(out, idx);
    ok = ok && cs_define(p, func ? CS_CORE_FUNC : CS_CORE_TAG, id, NULL);
  } else if (cp_is_kw(p, k, "table")) {
    text_buf lim = {0};
    ok = limits(p, &lim);
    int c = ok ? core_valtype_code(p, cp_tok(p)) : -1;
    if (ok && c != 0x70 && c != 0x6f) ok = cp_fail(p, cp_tok(p), "unexpected token");
    if (ok) p->pos++;
    text_buf_byte(out, 0x01);
    text_buf_byte(out, (uint8_t)c);
    text_buf_append(out, &lim);
    text_buf_free(&lim);
    ok = ok && cs_define(p, CS_CORE_TABLE, id, NULL);
  } else if (cp_is_kw(p, k, "memory")) {
    text_buf_byte(out, 0x02);
    size_t at = out->len;
    ok = limits(p, out);
    if (ok && cp_tok(p)->kind == TOK_KEYWORD && cp_is_kw(p, cp_tok(p), "shared")) { /* threads: flags bit 1 */
      p->pos++;
      if (!out->oom && at < out->len) out->p[at] |= 2;
    }
    ok = ok && cs_define(p, CS_CORE_MEMORY, id, NULL);
  } else if (cp_is_kw(p, k, "global")) {
    bool mut = cp_lpar_kw(p, "mut");
    if (mut) p->pos += 2;
    int c = core_valtype_code(p, cp_tok(p));
    ok = c >= 0 || cp_fail(p, cp_tok(p), "unexpected token");
    p->pos++;
    if (ok && mut) ok = cp_expect_rpar(p);
    text_buf_byte(out, 0x03);
    text_buf_byte(out, (uint8_t)c);
    text_buf_byte(out, mut ? 1 : 0);
    ok = ok && cs_define(p, CS_CORE_GLOBAL, id, NULL);
  } else {
    return cp_fail(p, k, "unexpected token");
  }
  return ok && cp_expect_rpar(p);
}

/* A module type's declarators up to its `)` (consumed), as 0x50 vec(decl). */
static bool module_type(cp *p, text_buf *out) {
  cscope scope, *outer = p->sc;
  memset(&scope, 0, sizeof scope);
  scope.parent = outer;
  scope.kind = CK_MODULE_TYPE;
  scope.sec = -1;
  p->sc = &scope;
  bool ok = true;
  while (ok && cp_tok(p)->kind != TOK_RPAR) {
    text_buf b = {0};
    cp_next_field(p);
    if (cp_lpar_kw(p, "import")) {
      p->pos += 2;
      ok = cp_name(p, &b) && cp_name(p, &b) && core_desc(p, &b) && cp_expect_rpar(p) && cp_emit(p, -1, 0x00, &b);
    } else if (cp_lpar_kw(p, "export")) {
      p->pos += 2;
      ok = cp_name(p, &b) && core_desc(p, &b) && cp_expect_rpar(p) && cp_emit(p, -1, 0x03, &b);
    } else if (cp_lpar_kw(p, "type")) {
      p->pos += 2;
      const text_token *id = cp_tok(p)->kind == TOK_ID ? &p->toks[p->pos++] : NULL;
      ok = cp_expect_lpar_kw(p, "func") && core_functype(p, &b) && cp_expect_rpar(p) && cp_expect_rpar(p) &&
           cp_emit_core_type(p, &b) && cs_define(p, CS_CORE_TYPE, id, NULL);
    } else if (cp_lpar_kw(p, "alias")) {
      ok = cp_alias_field(p);
    } else {
      ok = cp_fail(p, cp_tok(p), "unexpected token");
    }
    text_buf_free(&b);
  }
  ok = ok && cp_expect_rpar(p);
  p->sc = outer;
  if (ok) {
    text_buf_byte(out, 0x50);
    text_buf_u32(out, scope.ndecls);
    text_buf_append(out, &scope.out);
  }
  cp_scope_free(&scope);
  return ok;
}

/* After `(core type $id?`: `(func ...)` or `(module ...)`, emitted and defined. */
static bool core_deftype(cp *p, const text_token *id, uint32_t *idx) {
  text_buf b = {0};
  bool ok;
  if (cp_lpar_kw(p, "func")) {
    p->pos += 2;
    ok = core_functype(p, &b) && cp_expect_rpar(p);
  } else if (cp_lpar_kw(p, "module")) {
    p->pos += 2;
    if (!enter(p)) return false;
    ok = module_type(p, &b);
    p->depth--;
  } else {
    ok = cp_fail(p, cp_tok(p), "unexpected token");
  }
  ok = ok && cp_emit_core_type(p, &b) && cs_define(p, CS_CORE_TYPE, id, idx);
  text_buf_free(&b);
  return ok;
}

bool cp_core_type_field(cp *p) {
  p->pos += 3;
  const text_token *id = cp_tok(p)->kind == TOK_ID ? &p->toks[p->pos++] : NULL;
  if (cp_lpar_kw(p, "alias")) return cp_alias_inline(p, CS_CORE_TYPE, id) && cp_expect_rpar(p);
  return core_deftype(p, id, NULL) && cp_expect_rpar(p);
}

/* ---------- type uses and extern descriptors ------------------------------------------------- */

bool cp_func_typeuse(cp *p, uint32_t *typeidx) {
  if (cp_lpar_kw(p, "type")) {
    p->pos += 2;
    return cp_index(p, CS_TYPE, typeidx) && cp_expect_rpar(p);
  }
  text_buf b = {0};
  text_buf_byte(&b, cp_kw(p, "async") ? 0x43 : 0x40);
  bool ok = func_sig(p, &b) && cp_emit_type(p, &b) && cs_define(p, CS_TYPE, NULL, typeidx);
  text_buf_free(&b);
  return ok;
}

/* The type of a component or instance extern: `(type x)` or declarators (a new type). */
/* `(type x)` (a use, not a declarator `(type $id deftype)`) at the cursor. */
static bool is_typeuse(const cp *p) {
  return cp_lpar_kw(p, "type") && (cp_peek(p, 2)->kind == TOK_ID || cp_peek(p, 2)->kind == TOK_NUM) &&
         cp_peek(p, 3)->kind == TOK_RPAR;
}

static bool comp_typeuse(cp *p, int kind, uint32_t *idx) {
  if (is_typeuse(p)) {
    p->pos += 2;
    if (!cp_index(p, CS_TYPE, idx) || !cp_expect_rpar(p)) return false;
    return cp_expect_rpar(p);
  }
  text_buf b = {0};
  text_buf_byte(&b, kind == CK_COMPONENT_TYPE ? 0x41 : 0x42);
  bool ok = cp_decls(p, kind, NULL, &b) && cp_emit_type(p, &b) && cs_define(p, CS_TYPE, NULL, idx);
  text_buf_free(&b);
  return ok;
}

bool cp_externdesc(cp *p, int sort, text_buf *out, bool define) {
  const text_token *id = define && cp_tok(p)->kind == TOK_ID ? &p->toks[p->pos++] : NULL;
  uint32_t idx = 0;
  bool ok = true, closed = false;
  switch (sort) {
  case CS_CORE_MODULE:
    if (is_typeuse(p)) {
      p->pos += 2;
      ok = cp_index(p, CS_CORE_TYPE, &idx) && cp_expect_rpar(p);
    } else {
      text_buf b = {0};
      if (!enter(p)) return false;
      ok = module_type(p, &b) && cp_emit_core_type(p, &b) && cs_define(p, CS_CORE_TYPE, NULL, &idx);
      p->depth--;
      text_buf_free(&b);
      closed = true;
    }
    text_buf_byte(out, 0x00);
    text_buf_byte(out, 0x11);
    text_buf_u32(out, idx);
    break;
  case CS_FUNC:
    ok = cp_func_typeuse(p, &idx);
    text_buf_byte(out, 0x01);
    text_buf_u32(out, idx);
    break;
  case CS_VALUE:
    text_buf_byte(out, 0x02);
    text_buf_byte(out, 0x01);
    ok = cp_valtype(p, out);
    break;
  case CS_TYPE:
    text_buf_byte(out, 0x03);
    if (cp_lpar_kw(p, "eq")) {
      p->pos += 2;
      text_buf_byte(out, 0x00);
      ok = cp_index(p, CS_TYPE, &idx) && cp_expect_rpar(p);
      text_buf_u32(out, idx);
    } else if (cp_lpar_kw(p, "sub")) {
      p->pos += 2;
      text_buf_byte(out, 0x01);
      ok = cp_kw(p, "resource") ? cp_expect_rpar(p) : cp_fail(p, cp_tok(p), "unexpected token");
    } else {
      ok = cp_fail(p, cp_tok(p), "unexpected token");
    }
    break;
  case CS_COMPONENT:
  case CS_INSTANCE:
    if (!enter(p)) return false;
    ok = comp_typeuse(p, sort == CS_COMPONENT ? CK_COMPONENT_TYPE : CK_INSTANCE_TYPE, &idx);
    p->depth--;
    closed = true;
    text_buf_byte(out, sort == CS_COMPONENT ? 0x04 : 0x05);
    text_buf_u32(out, idx);
    break;
  default: return cp_fail(p, cp_tok(p), "unexpected token");
  }
  if (ok && !closed) ok = cp_expect_rpar(p);
  return ok && (!define || cs_define(p, sort, id, NULL));
}

/* ---------- aliases -------------------------------------------------------------------- */

/* The alias target at the cursor (`export $i "n"`, `core export $i "n"`, `outer $c $t`)
 * for sort: emits the alias and defines it (named id). */
static bool alias_target(cp *p, int sort, const text_token *id) {
  const text_token *t = cp_tok(p);
  text_buf b = {0};
  uint32_t idx = 0;
  bool ok;
  bool core = cp_is_kw(p, t, "core") && cp_is_kw(p, cp_peek(p, 1), "export");
  if (core || cp_is_kw(p, t, "export")) {
    p->pos += core ? 2 : 1;
    if (core != cs_core_export(sort)) return cp_fail(p, t, "unexpected token");
    ok = cp_index(p, core ? CS_CORE_INSTANCE : CS_INSTANCE, &idx);
    cs_emit_sort(&b, sort);
    text_buf_byte(&b, core ? 0x01 : 0x00);
    text_buf_u32(&b, idx);
    ok = ok && cp_name(p, &b);
  } else if (cp_kw(p, "outer")) {
    const text_token *c = cp_tok(p);
    uint32_t ct = 0;
    cscope *s = p->sc;
    if (c->kind == TOK_ID) {
      while (s && !(s->id && s->id->idlen == c->idlen && memcmp(s->id->id, c->id, c->idlen) == 0)) {
        s = s->parent;
        ct++;
      }
      if (!s) return cp_fail(p, c, "outer component `%.*s` not found", (int)c->idlen, c->id);
      p->pos++;
    } else {
      if (!cp_u32(p, &ct)) return false;
      /* a count past the outermost scope is the validator's to reject */
      for (uint32_t i = 0; i < ct && s; i++) s = s->parent;
    }
    const text_token *x = cp_tok(p);
    if (x->kind == TOK_ID) {
      if (!s) return cp_fail(p, c, "invalid outer alias count of %u", ct);
      if (!text_names_get(&s->names[sort], x->id, x->idlen, &idx))
        return cp_fail(p, x, "unknown %s: failed to find name `%.*s`", cs_name(sort), (int)x->idlen, x->id);
      p->pos++;
    } else if (!cp_u32(p, &idx)) {
      return false;
    }
    if (sort != CS_TYPE && sort != CS_CORE_TYPE && sort != CS_CORE_MODULE && sort != CS_COMPONENT)
      return cp_fail(p, t, "outer item is not a module, type, or component");
    if (p->sc->kind == CK_MODULE_TYPE) {
      text_buf_byte(&b, 0x10);
      text_buf_byte(&b, 0x01);
    } else {
      cs_emit_sort(&b, sort);
      text_buf_byte(&b, 0x02);
    }
    text_buf_u32(&b, ct);
    text_buf_u32(&b, idx);
    ok = true;
  } else {
    return cp_fail(p, t, "unexpected token");
  }
  ok = ok && cp_emit_alias(p, &b) && cs_define(p, sort, id, NULL);
  text_buf_free(&b);
  return ok;
}

bool cp_alias_inline(cp *p, int sort, const text_token *id) {
  p->pos += 2;
  return alias_target(p, sort, id) && cp_expect_rpar(p);
}

bool cp_alias_field(cp *p) {
  size_t close = cp_tok(p)->match;
  p->pos += 2;
  size_t target = p->pos;
  /* the sort comes last: find its form */
  size_t at = p->pos;
  while (at < close && p->toks[at].kind != TOK_LPAR) at++;
  if (at >= close) return cp_fail(p, &p->toks[close], "unexpected token");
  p->pos = at + 1;
  int sort = cs_sort_kw(p, p->sc->kind != CK_MODULE_TYPE);
  if (sort < 0) return cp_fail(p, &p->toks[at + 1], "unexpected token");
  const text_token *id = cp_tok(p)->kind == TOK_ID ? &p->toks[p->pos++] : NULL;
  if (!cp_expect_rpar(p) || p->pos != close) return cp_fail(p, cp_tok(p), "unexpected token");
  size_t after = p->pos;
  p->pos = target;
  if (!alias_target(p, sort, id)) return false;
  if (p->pos != at) return cp_fail(p, cp_tok(p), "unexpected token");
  p->pos = after + 1;
  return true;
}

/* ---------- component and instance types ------------------------------------------------- */

bool cp_decls(cp *p, int kind, const text_token *id, text_buf *out) {
  if (!enter(p)) return false;
  cscope scope, *outer = p->sc;
  memset(&scope, 0, sizeof scope);
  scope.parent = outer;
  scope.kind = kind;
  scope.id = id;
  scope.sec = -1;
  p->sc = &scope;
  bool ok = true;
  while (ok && cp_tok(p)->kind != TOK_RPAR) {
    cp_next_field(p);
    if (cp_lpar_kw2(p, "core", "type")) {
      ok = cp_core_type_field(p);
    } else if (cp_lpar_kw(p, "type")) {
      ok = cp_type_field(p);
    } else if (cp_lpar_kw(p, "alias")) {
      ok = cp_alias_field(p);
    } else if (cp_lpar_kw(p, "import") && kind == CK_COMPONENT_TYPE) {
      p->pos += 2;
      ok = cp_decl_import_export(p, true);
    } else if (cp_lpar_kw(p, "export")) {
      p->pos += 2;
      ok = cp_decl_import_export(p, false);
    } else {
      ok = cp_fail(p, cp_tok(p), "unexpected token");
    }
  }
  ok = ok && cp_expect_rpar(p);
  p->sc = outer;
  p->depth--;
  if (ok) {
    text_buf_u32(out, scope.ndecls);
    text_buf_append(out, &scope.out);
  }
  cp_scope_free(&scope);
  return ok;
}
