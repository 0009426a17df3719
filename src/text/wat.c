/* The module reader: text module fields to binary sections. Two passes over the fields:
 * the first assigns every index space its names (so fields may refer forward) and reads
 * the explicit type definitions; the second encodes. The bytes then go through the one
 * decoder (src/wasm/decode.c), so there is a single definition of a module. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../wasm/module.h"
#include "../wasm/proposals.h"
#include "wat.h"

/* Names here are char arrays, not pointers, so their tables need no relocations at start-up. */
static const char space_names[SPACE_COUNT][7] = {"type", "func", "table", "memory", "global", "elem", "data", "tag"};
static const char def_names[SPACE_COUNT][9] = {"type", "function", "table", "memory", "global", "elem", "data", "tag"};

bool wat_fail(wat *w, const text_token *t, const char *fmt, ...) {
  if (w->err->kind != UTIL_ERR_NONE) return false;
  va_list ap;
  va_start(ap, fmt);
  util_vfail(w->err, UTIL_ERR_MALFORMED, t->start, fmt, ap);
  va_end(ap);
  /* the reference reader lexes a reserved token as an unknown operator */
  if (t->kind == TOK_RESERVED && strcmp(w->err->msg, "unexpected token") == 0)
    snprintf(w->err->msg, sizeof w->err->msg, "unknown operator");
  w->err->line = (int)t->line;
  w->err->col = (int)t->col;
  /* a keyword of a proposal after 3.0 (or the one opening the form where reading
   * stopped): say which, after the spec's wording */
  uintptr_t at = (uintptr_t)t, first = (uintptr_t)w->toks; /* t may be another array's token */
  if (at >= first && at <= (uintptr_t)(w->toks + w->end) && (at - first) % sizeof *t == 0) {
    size_t k = (at - first) / sizeof *t;
    int p = text_token_proposal(w->src, w->toks, k, 0);
    if (p == WASM_PROPOSAL_NONE && t->kind == TOK_LPAR && k < w->end) p = text_token_proposal(w->src, w->toks, k + 1, 0);
    wasm_proposal_note(w->err, (wasm_proposal)p);
  }
  return false;
}

bool wat_oom(wat *w, const text_token *t) {
  if (w->err->kind != UTIL_ERR_NONE) return false;
  util_fail(w->err, UTIL_ERR_OOM, t->start, "out of memory");
  w->err->line = (int)t->line;
  w->err->col = (int)t->col;
  return false;
}

bool wat_is_kw(const text_token *t, const char *src, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == TOK_KEYWORD && t->len == n && memcmp(src + t->start, kw, n) == 0;
}

bool wat_is_lpar_kw(const wat *w, const char *kw) {
  return wat_tok(w)->kind == TOK_LPAR && wat_is_kw(wat_peek(w, 1), w->src, kw);
}

static bool wat_is_lpar_kw_at(const wat *w, size_t k, const char *kw) {
  return wat_peek(w, k)->kind == TOK_LPAR && wat_is_kw(wat_peek(w, k + 1), w->src, kw);
}

bool wat_expect(wat *w, int kind) {
  if (wat_tok(w)->kind != kind) return wat_fail(w, wat_tok(w), "unexpected token");
  w->pos++;
  return true;
}

bool wat_expect_rpar(wat *w) { return wat_expect(w, TOK_RPAR); }

bool wat_u32(wat *w, uint32_t *out) {
  const text_token *t = wat_tok(w);
  uint64_t v;
  bool range = false;
  if (t->kind != TOK_NUM) return wat_fail(w, t, "unexpected token");
  if (!text_parse_nat(w->src + t->start, t->len, &v, &range)) return wat_fail(w, t, "unknown operator");
  if (range || v > UINT32_MAX) return wat_fail(w, t, "i32 constant out of range");
  *out = (uint32_t)v;
  w->pos++;
  return true;
}

bool wat_index(wat *w, int space, uint32_t *out) {
  const text_token *t = wat_tok(w);
  if (t->kind == TOK_ID) {
    if (!text_names_get(&w->names[space], t->id, t->idlen, out))
      return wat_fail(w, t, "unknown %s %.*s", space_names[space], (int)t->idlen, t->id);
    w->pos++;
    return true;
  }
  return wat_u32(w, out);
}

/* Where a type is expected: a keyword the text format does not have at all is named, as
 * the reference reader's lexer does ("unknown operator anyfunc"); a known one in the wrong
 * place is an unexpected token. */
static bool type_expected(wat *w, const text_token *t) {
  static const char known[][14] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref", "anyref",
                                   "eqref", "i31ref", "structref", "arrayref", "nullref", "nullfuncref",
                                   "nullexternref", "exnref", "nullexnref", "any", "eq", "i31", "struct",
                                   "array", "none", "nofunc", "noextern", "noexn", "field", "sub", "rec",
                                   "final", "i8", "i16",
                                   "func", "extern", "param", "result", "local", "type", "export",
                                   "import", "then", "else", "item", "offset", "mut", "table",
                                   "memory", "global", "elem", "data", "start", "module", "declare"};
  if (t->kind != TOK_KEYWORD || text_opcode_by_name(w->src + t->start, t->len) >= 0)
    return wat_fail(w, t, "unexpected token");
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (wat_is_kw(t, w->src, known[i])) return wat_fail(w, t, "unexpected token");
  return wat_fail(w, t, "unknown operator %.*s", (int)(t->len > 64 ? 64 : t->len), w->src + t->start);
}

/* The abstract heap types by name, and their nullable references' shorthands. */
static const struct { char heap[9], ref[14]; uint8_t code; } abstract_heaps[] = {
    {"func", "funcref", WASM_HEAP_FUNC},         {"extern", "externref", WASM_HEAP_EXTERN},
    {"exn", "exnref", WASM_HEAP_EXN},            {"any", "anyref", WASM_HEAP_ANY},
    {"eq", "eqref", WASM_HEAP_EQ},               {"i31", "i31ref", WASM_HEAP_I31},
    {"struct", "structref", WASM_HEAP_STRUCT},   {"array", "arrayref", WASM_HEAP_ARRAY},
    {"none", "nullref", WASM_HEAP_NONE},         {"noextern", "nullexternref", WASM_HEAP_NOEXTERN},
    {"nofunc", "nullfuncref", WASM_HEAP_NOFUNC}, {"noexn", "nullexnref", WASM_HEAP_NOEXN}};
enum { NABSTRACT = sizeof abstract_heaps / sizeof abstract_heaps[0] };

/* A shorthand reference type keyword (funcref, anyref, ...) at t: its type, else 0. */
static uint32_t ref_shorthand(const wat *w, const text_token *t) {
  for (size_t i = 0; i < NABSTRACT; i++)
    if (wat_is_kw(t, w->src, abstract_heaps[i].ref)) return abstract_heaps[i].code;
  return 0;
}

bool wat_heaptype(wat *w, uint32_t *out) {
  const text_token *t = wat_tok(w);
  size_t a = 0;
  while (a < NABSTRACT && !wat_is_kw(t, w->src, abstract_heaps[a].heap)) a++;
  if (a < NABSTRACT) *out = abstract_heaps[a].code;
  else if (t->kind == TOK_ID || t->kind == TOK_NUM) {
    uint32_t x;
    if (!wat_index(w, SPACE_TYPE, &x)) return false;
    if (x > WASM_MAX_TYPE_INDEX) return wat_fail(w, t, "type index beyond this implementation's limit");
    *out = WASM_HEAP_INDEX + x;
    return true;
  } else return wat_fail(w, t, "unexpected token");
  w->pos++;
  return true;
}

/* `(ref null? ht)` at the cursor */
static bool ref_form(wat *w, uint32_t *out) {
  w->pos += 2;
  bool nullable = false;
  if (wat_is_kw(wat_tok(w), w->src, "null")) {
    nullable = true;
    w->pos++;
  }
  uint32_t h = 0;
  if (!wat_heaptype(w, &h) || !wat_expect_rpar(w)) return false;
  *out = wasm_reftype(nullable, h);
  return true;
}

bool wat_reftype(wat *w, uint32_t *out) {
  const text_token *t = wat_tok(w);
  if (wat_is_lpar_kw(w, "ref")) return ref_form(w, out);
  if (!(*out = ref_shorthand(w, t))) return type_expected(w, t);
  w->pos++;
  return true;
}

void wat_emit_heaptype(text_buf *out, uint32_t h) {
  if (h >= WASM_HEAP_INDEX) text_buf_s64(out, (int64_t)(h - WASM_HEAP_INDEX));
  else text_buf_byte(out, (uint8_t)h);
}

void wat_emit_valtype(text_buf *out, uint32_t t) {
  if (t < 0x100) {
    text_buf_byte(out, (uint8_t)t);
    return;
  }
  text_buf_byte(out, (uint8_t)(t & 0xff));
  wat_emit_heaptype(out, wasm_ref_heap(t));
}

bool wat_valtype(wat *w, uint32_t *out) {
  static const struct { char n[5]; uint8_t t; } vt[] = {
      {"i32", 0x7f}, {"i64", 0x7e}, {"f32", 0x7d}, {"f64", 0x7c}, {"v128", 0x7b}};
  if (wat_is_lpar_kw(w, "ref")) return ref_form(w, out);
  const text_token *t = wat_tok(w);
  if ((*out = ref_shorthand(w, t))) {
    w->pos++;
    return true;
  }
  for (size_t i = 0; i < sizeof vt / sizeof vt[0]; i++) {
    if (wat_is_kw(t, w->src, vt[i].n)) {
      *out = vt[i].t;
      w->pos++;
      return true;
    }
  }
  return type_expected(w, t);
}

/* ---------- function types ---------------------------------------------------------------- */

/* Parameter and result lists are collected as wasm_vtype words in a text_buf. */
static void vt_push(text_buf *b, uint32_t t) { text_buf_bytes(b, (const uint8_t *)&t, sizeof t); }
static uint32_t vt_count(const text_buf *b) { return (uint32_t)(b->len / sizeof(uint32_t)); }
static uint32_t vt_at(const text_buf *b, uint32_t i) {
  uint32_t t;
  memcpy(&t, b->p + (size_t)i * sizeof t, sizeof t);
  return t;
}

static bool same_type(const wat_functype *f, const text_buf *p, const text_buf *r) {
  return f->np == vt_count(p) && f->nr == vt_count(r) && (p->len == 0 || memcmp(f->params, p->p, p->len) == 0) &&
         (r->len == 0 || memcmp(f->results, r->p, r->len) == 0);
}

/* Appends the type; its index in *x. False (nothing added) when out of memory. */
static bool add_type(wat *w, const text_buf *p, const text_buf *r, uint32_t *x) {
  wat_functype f;
  memset(&f, 0, sizeof f);
  f.params = util_try_malloc(p->len + 1);
  f.results = util_try_malloc(r->len + 1);
  f.np = vt_count(p);
  f.nr = vt_count(r);
  f.final = true; /* a plain (func ...) */
  size_t cap = w->types_cap;
  if (!f.params || !f.results || w->ntypes == UINT32_MAX || !UTIL_VEC_TRY_PUSH(w->types, w->ntypes, cap, f)) {
    free(f.params);
    free(f.results);
    return false;
  }
  w->types_cap = (uint32_t)cap;
  if (p->len) memcpy(f.params, p->p, p->len);
  if (r->len) memcpy(f.results, r->p, r->len);
  *x = w->ntypes - 1;
  return true;
}

/* One entry of a name map: index, then the identifier without its `$`. */
static void name_entry(text_buf *b, uint32_t index, const char *id, uint32_t len) {
  text_buf_u32(b, index);
  text_buf_u32(b, len - 1);
  text_buf_bytes(b, id + 1, len - 1);
}

void wat_note_block(wat *w, const char *label, uint32_t len) {
  uint32_t ordinal = w->fn_nblocks++;
  if (!label) return;
  name_entry(&w->fn_labels, ordinal, label, len);
  w->fn_nlabels++;
}

static bool add_local(wat *w, const text_token *id, uint32_t t) {
  if (id && !text_names_add(&w->locals, id->id, id->idlen, w->nlocals))
    return w->locals.oom ? wat_oom(w, id) : wat_fail(w, id, "duplicate local %.*s", (int)id->idlen, id->id);
  if (id) {
    name_entry(&w->fn_locals, w->nlocals, id->id, id->idlen);
    w->fn_nlocals++;
  }
  if (!UTIL_VEC_TRY_PUSH(w->local_types, w->nlocals, w->local_types_cap, t)) return wat_oom(w, wat_tok(w));
  return true;
}

/* (param ...)* (result ...)*; bind: 0 = names are an error, 1 = names become locals,
 * 2 = names are allowed and ignored. */
static bool params_results(wat *w, text_buf *p, text_buf *r, int bind) {
  while (wat_is_lpar_kw(w, "param")) {
    w->pos += 2;
    const text_token *id = wat_tok(w);
    if (id->kind == TOK_ID) {
      if (bind == 0) return wat_fail(w, id, "unexpected token");
      w->pos++;
      uint32_t t = 0;
      if (!wat_valtype(w, &t)) return false;
      vt_push(p, t);
      if (bind == 1 && !add_local(w, id, t)) return false;
    } else {
      while (wat_tok(w)->kind != TOK_RPAR) {
        uint32_t t = 0;
        if (!wat_valtype(w, &t)) return false;
        vt_push(p, t);
        if (bind == 1 && !add_local(w, NULL, t)) return false;
      }
    }
    if (!wat_expect_rpar(w)) return false;
  }
  while (wat_is_lpar_kw(w, "result")) {
    w->pos += 2;
    while (wat_tok(w)->kind != TOK_RPAR) {
      uint32_t t = 0;
      if (!wat_valtype(w, &t)) return false;
      vt_push(r, t);
    }
    w->pos++;
  }
  if (wat_is_lpar_kw(w, "param")) return wat_fail(w, wat_tok(w), "unexpected token");
  return true;
}

static bool typeuse_bind(wat *w, uint32_t *typeidx, int bind, bool block, int64_t *bt) {
  bool explicit = false;
  uint32_t x = 0;
  const text_token *at = wat_tok(w);
  if (wat_is_lpar_kw(w, "type")) {
    w->pos += 2;
    at = wat_tok(w);
    if (!wat_index(w, SPACE_TYPE, &x) || !wat_expect_rpar(w)) return false;
    explicit = true;
  }
  text_buf p = {0}, r = {0};
  bool ok = params_results(w, &p, &r, bind);
  if (ok && (p.oom || r.oom)) ok = wat_oom(w, at);
  if (ok && explicit) {
    if (x >= w->ntypes) {
      if (p.len || r.len) ok = wat_fail(w, at, "unknown type");
    } else if (p.len || r.len) {
      if (w->types[x].kind != WASM_TYPE_FUNC || !same_type(&w->types[x], &p, &r)) ok = wat_fail(w, at, "inline function type");
    } else if (bind == 1) {
      for (uint32_t i = 0; ok && i < w->types[x].np; i++) ok = add_local(w, NULL, w->types[x].params[i]);
    }
  } else if (ok && block && p.len == 0 && vt_count(&r) <= 1) {
    *bt = r.len ? -(int64_t)vt_at(&r, 0) : -64;
    text_buf_free(&p);
    text_buf_free(&r);
    return true;
  } else if (ok) {
    x = UINT32_MAX;
    for (uint32_t i = 0; i < w->ntypes; i++) {
      if (wat_type_reusable(&w->types[i]) && same_type(&w->types[i], &p, &r)) { x = i; break; }
    }
    if (x == UINT32_MAX && !add_type(w, &p, &r, &x)) ok = wat_oom(w, at);
  }
  text_buf_free(&p);
  text_buf_free(&r);
  if (typeidx) *typeidx = x;
  if (bt) {
    /* a block type naming a type without parameters and with at most one result is
     * written in the short form, as other tools do */
    *bt = x;
    if (ok && x < w->ntypes && w->types[x].kind == WASM_TYPE_FUNC && w->types[x].np == 0 && w->types[x].nr <= 1)
      *bt = w->types[x].nr ? -(int64_t)w->types[x].results[0] : -64;
  }
  return ok;
}

bool wat_typeuse(wat *w, uint32_t *typeidx, bool bind) { return typeuse_bind(w, typeidx, bind ? 1 : 0, false, NULL); }

bool wat_blocktype(wat *w, int64_t *bt) { return typeuse_bind(w, NULL, 0, true, bt); }

/* ---------- the first pass ------------------------------------------------------------------ */

static bool add_name(wat *w, int space) {
  const text_token *t = wat_tok(w);
  uint32_t idx = w->counts[space]++;
  if (t->kind != TOK_ID) return true;
  if (!text_names_add(&w->names[space], t->id, t->idlen, idx))
    return w->names[space].oom ? wat_oom(w, t)
                               : wat_fail(w, t, "duplicate %s %.*s", space_names[space], (int)t->idlen, t->id);
  name_entry(&w->nm_space[space], idx, t->id, t->idlen);
  w->nm_count[space]++;
  w->pos++;
  return true;
}

static int space_of_kw(const text_token *t, const char *src) {
  if (wat_is_kw(t, src, "func")) return SPACE_FUNC;
  if (wat_is_kw(t, src, "table")) return SPACE_TABLE;
  if (wat_is_kw(t, src, "memory")) return SPACE_MEM;
  if (wat_is_kw(t, src, "global")) return SPACE_GLOBAL;
  if (wat_is_kw(t, src, "tag")) return SPACE_TAG;
  return -1;
}

static bool first_pass(wat *w, size_t start, size_t end) {
  int first_def = -1; /* the kind of the first definition, for "import after ..." */
  /* Type names first: a reference type may name a type defined further on (the
   * validator then rejects it as an unknown type, with the spec's wording). */
  for (w->pos = start; w->pos < end && wat_tok(w)->kind == TOK_LPAR;) {
    size_t close = wat_tok(w)->match;
    if (wat_is_kw(wat_peek(w, 1), w->src, "type")) {
      w->pos += 2;
      if (!add_name(w, SPACE_TYPE)) return false;
    } else if (wat_is_kw(wat_peek(w, 1), w->src, "rec")) {
      /* (rec (type $t ...)*) */
      for (w->pos += 2; w->pos < close && wat_is_lpar_kw(w, "type");) {
        size_t tclose = wat_tok(w)->match;
        w->pos += 2;
        if (!add_name(w, SPACE_TYPE)) return false;
        w->pos = tclose + 1;
      }
    }
    w->pos = close + 1;
  }
  for (w->pos = start; w->pos < end;) {
    const text_token *open = wat_tok(w);
    if (open->kind != TOK_LPAR) {
      /* the fields before it are still read, so their errors come first */
      w->stop = w->pos;
      return true;
    }
    size_t close = open->match;
    const text_token *kw = wat_peek(w, 1);
    w->pos += 2;
    int space = space_of_kw(kw, w->src);
    if (wat_is_kw(kw, w->src, "type")) {
      if (wat_tok(w)->kind == TOK_ID) w->pos++; /* named above */
      if (!wat_type_def(w)) return false;
      w->nexplicit_types = w->ntypes;
    } else if (wat_is_kw(kw, w->src, "rec")) {
      if (!wat_rec_def(w)) return false;
      w->nexplicit_types = w->ntypes;
    } else if (space >= 0) {
      if (!add_name(w, space)) return false;
      bool imported = false;
      while (wat_tok(w)->kind == TOK_LPAR && w->pos < close) {
        const text_token *sub = wat_peek(w, 1);
        if (wat_is_kw(sub, w->src, "import")) imported = true;
        else if (wat_is_kw(sub, w->src, "elem") && space == SPACE_TABLE) w->counts[SPACE_ELEM]++;
        else if (wat_is_kw(sub, w->src, "data") && space == SPACE_MEM) w->counts[SPACE_DATA]++;
        else if (!wat_is_kw(sub, w->src, "export")) break;
        w->pos = wat_tok(w)->match + 1;
      }
      if (space == SPACE_TABLE) {
        /* (table funcref (elem ...)): the elem comes after the reference type */
        size_t k = w->pos;
        if (wat_is_lpar_kw(w, "ref")) k = wat_tok(w)->match;
        else if (wat_tok(w)->kind != TOK_KEYWORD) k = close;
        if (k + 2 < close && w->toks[k + 1].kind == TOK_LPAR && wat_is_kw(&w->toks[k + 2], w->src, "elem"))
          w->counts[SPACE_ELEM]++;
      }
      if (imported && first_def >= 0)
        return wat_fail(w, kw, "import after %s", def_names[first_def]);
      if (!imported && first_def < 0) first_def = space;
    } else if (wat_is_kw(kw, w->src, "import")) {
      size_t k = w->pos;
      if (w->toks[k].kind != TOK_STRING || w->toks[k + 1].kind != TOK_STRING || w->toks[k + 2].kind != TOK_LPAR)
        return wat_fail(w, &w->toks[k], "unexpected token");
      w->pos = k + 3;
      space = space_of_kw(wat_tok(w), w->src);
      if (space < 0) return wat_fail(w, wat_tok(w), "unexpected token");
      if (first_def >= 0) return wat_fail(w, kw, "import after %s", def_names[first_def]);
      w->pos++;
      if (!add_name(w, space)) return false;
    } else if (wat_is_kw(kw, w->src, "elem")) {
      if (!add_name(w, SPACE_ELEM)) return false;
    } else if (wat_is_kw(kw, w->src, "data")) {
      if (!add_name(w, SPACE_DATA)) return false;
    } else if (!wat_is_kw(kw, w->src, "export") && !wat_is_kw(kw, w->src, "start")) {
      return wat_fail(w, kw, kw->kind == TOK_KEYWORD ? "unknown operator" : "unexpected token");
    }
    w->pos = close + 1;
  }
  return true;
}

/* ---------- the second pass ----------------------------------------------------------------- */

typedef struct sections {
  text_buf import, func, table, mem, global, export, start, elem, code, data, tag;
  uint32_t nimport, nfunc, ntable, nmem, nglobal, nexport, nelem, ncode, ndata, ntag;
  bool has_start;
} sections;

static bool name_string(wat *w, text_buf *out) {
  const text_token *t = wat_tok(w);
  if (t->kind != TOK_STRING) return wat_fail(w, t, "unexpected token");
  w->tmp.len = 0;
  text_string_decode(w->src + t->start, t->len, &w->tmp);
  if (w->tmp.oom) return wat_oom(w, t);
  if (!util_utf8_valid(w->tmp.p, w->tmp.len)) return wat_fail(w, t, "malformed UTF-8 encoding");
  text_buf_u32(out, (uint32_t)w->tmp.len);
  text_buf_bytes(out, w->tmp.p, w->tmp.len);
  w->pos++;
  return true;
}

/* Inline (export "name")* of a definition. */
static bool inline_exports(wat *w, sections *s, uint8_t kind, uint32_t index) {
  while (wat_is_lpar_kw(w, "export")) {
    w->pos += 2;
    if (!name_string(w, &s->export)) return false;
    text_buf_byte(&s->export, kind);
    text_buf_u32(&s->export, index);
    s->nexport++;
    if (!wat_expect_rpar(w)) return false;
  }
  return true;
}

/* (import "m" "n") of an inline import; writes the two names. */
static bool inline_import(wat *w, sections *s) {
  w->pos += 2;
  if (!name_string(w, &s->import) || !name_string(w, &s->import)) return false;
  s->nimport++;
  return wat_expect_rpar(w);
}

/* A u64 bound of a 64-bit memory or table. */
static bool wat_u64(wat *w, uint64_t *out) {
  const text_token *t = wat_tok(w);
  bool range = false;
  if (t->kind != TOK_NUM || !text_parse_nat(w->src + t->start, t->len, out, &range))
    return wat_fail(w, t, "unexpected token");
  if (range) return wat_fail(w, t, "i64 constant out of range");
  w->pos++;
  return true;
}

/* Limits, after an optional index type: `i64` makes them 64-bit (flags bit 2). */
static bool limits_at(wat *w, text_buf *out, bool *is64) {
  *is64 = false;
  if (wat_tok(w)->kind == TOK_KEYWORD && (wat_is_kw(wat_tok(w), w->src, "i64") || wat_is_kw(wat_tok(w), w->src, "i32"))) {
    *is64 = wat_is_kw(wat_tok(w), w->src, "i64");
    w->pos++;
  }
  /* 3.0 reads every bound as a u64 (the validator holds a 32-bit memory or table to its
   * range); 2.0's grammar has u32 bounds */
  if (*is64 || (w->features & WASM_FEATURE_MEMORY64)) {
    uint64_t min = 0, max = 0;
    if (!wat_u64(w, &min)) return false;
    bool has_max = wat_tok(w)->kind == TOK_NUM;
    if (has_max && !wat_u64(w, &max)) return false;
    text_buf_byte(out, (has_max ? 1 : 0) | (*is64 ? 4 : 0));
    text_buf_u64(out, min);
    if (has_max) text_buf_u64(out, max);
    return true;
  }
  uint32_t min = 0, max = 0;
  if (!wat_u32(w, &min)) return false;
  if (wat_tok(w)->kind == TOK_NUM) {
    if (!wat_u32(w, &max)) return false;
    text_buf_byte(out, 1);
    text_buf_u32(out, min);
    text_buf_u32(out, max);
  } else {
    text_buf_byte(out, 0);
    text_buf_u32(out, min);
  }
  return true;
}

static bool limits(wat *w, text_buf *out) {
  bool is64;
  return limits_at(w, out, &is64);
}

/* A memory type: limits, then `shared` for a shared memory (threads: flags bit 1). */
static bool memtype(wat *w, text_buf *out) {
  size_t at = out->len;
  if (!limits(w, out)) return false;
  if (wat_tok(w)->kind == TOK_KEYWORD && wat_is_kw(wat_tok(w), w->src, "shared") && (w->features & WASM_FEATURE_THREADS)) {
    w->pos++;
    if (!out->oom && at < out->len) out->p[at] |= 2;
  }
  return true;
}

static bool tabletype(wat *w, text_buf *out) {
  text_buf lim = {0};
  uint32_t rt = 0;
  bool ok = limits(w, &lim) && wat_reftype(w, &rt);
  if (ok) {
    wat_emit_valtype(out, rt);
    text_buf_append(out, &lim);
  }
  text_buf_free(&lim);
  return ok;
}

static bool globaltype(wat *w, text_buf *out) {
  uint32_t t;
  if (wat_is_lpar_kw(w, "mut")) {
    w->pos += 2;
    if (!wat_valtype(w, &t) || !wat_expect_rpar(w)) return false;
    wat_emit_valtype(out, t);
    text_buf_byte(out, 1);
    return true;
  }
  if (!wat_valtype(w, &t)) return false;
  wat_emit_valtype(out, t);
  text_buf_byte(out, 0);
  return true;
}

static void reset_func(wat *w) {
  text_names_clear(&w->locals);
  w->nlocals = 0;
  w->nlabels = 0;
  w->fn_locals.len = w->fn_labels.len = 0;
  w->fn_nlocals = w->fn_nlabels = w->fn_nblocks = 0;
}

/* The finished function's local and label names join the module's. */
static void keep_func_names(wat *w, uint32_t index) {
  if (w->fn_nlocals) {
    text_buf_u32(&w->nm_locals, index);
    text_buf_u32(&w->nm_locals, w->fn_nlocals);
    text_buf_append(&w->nm_locals, &w->fn_locals);
    w->nm_nlocal_funcs++;
  }
  if (w->fn_nlabels) {
    text_buf_u32(&w->nm_labels, index);
    text_buf_u32(&w->nm_labels, w->fn_nlabels);
    text_buf_append(&w->nm_labels, &w->fn_labels);
    w->nm_nlabel_funcs++;
  }
}

static bool func_field(wat *w, sections *s) {
  uint32_t index = w->next[SPACE_FUNC]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  if (!inline_exports(w, s, 0, index)) return false;
  reset_func(w);
  if (wat_is_lpar_kw(w, "import")) {
    if (!inline_import(w, s)) return false;
    uint32_t x;
    if (!typeuse_bind(w, &x, 2, false, NULL)) return false;
    text_buf_byte(&s->import, 0);
    text_buf_u32(&s->import, x);
    return true;
  }
  uint32_t x;
  if (!typeuse_bind(w, &x, 1, false, NULL)) return false;
  text_buf_u32(&s->func, x);
  s->nfunc++;
  uint32_t nparams = w->nlocals;
  while (wat_is_lpar_kw(w, "local")) {
    w->pos += 2;
    const text_token *id = wat_tok(w);
    if (id->kind == TOK_ID) {
      w->pos++;
      uint32_t t = 0;
      if (!wat_valtype(w, &t) || !add_local(w, id, t)) return false;
    } else {
      while (wat_tok(w)->kind != TOK_RPAR) {
        uint32_t t = 0;
        if (!wat_valtype(w, &t) || !add_local(w, NULL, t)) return false;
      }
    }
    if (!wat_expect_rpar(w)) return false;
  }
  text_buf body = {0};
  /* locals as runs of one type */
  uint32_t runs = 0;
  for (uint32_t i = nparams; i < w->nlocals; i++)
    if (i == nparams || w->local_types[i] != w->local_types[i - 1]) runs++;
  text_buf_u32(&body, runs);
  for (uint32_t i = nparams; i < w->nlocals;) {
    uint32_t j = i;
    while (j < w->nlocals && w->local_types[j] == w->local_types[i]) j++;
    text_buf_u32(&body, j - i);
    wat_emit_valtype(&body, w->local_types[i]);
    i = j;
  }
  bool ok = wat_instrs(w, &body);
  if (ok && wat_tok(w)->kind != TOK_RPAR) ok = wat_fail(w, wat_tok(w), "unexpected token");
  if (ok) {
    text_buf_byte(&body, 0x0b);
    text_buf_u32(&s->code, (uint32_t)body.len);
    text_buf_append(&s->code, &body);
    s->ncode++;
    keep_func_names(w, index);
  }
  text_buf_free(&body);
  return ok;
}

static void i32_const_zero(text_buf *out) {
  text_buf_byte(out, 0x41);
  text_buf_byte(out, 0);
  text_buf_byte(out, 0x0b);
}

/* An element list: `func? idx*`, or a reference type and expressions. Expressions that
 * are all `ref.func x` of type funcref are encoded as plain function indices, the
 * shorter form (and the one other tools emit). */
typedef struct elemlist {
  bool exprs;
  uint32_t type;
  uint32_t n;
  text_buf items;   /* encoded expressions, or function indices */
  text_buf funcs;   /* function indices while every expression is ref.func */
  bool all_ref_func;
} elemlist;

static void note_expr(elemlist *el, const uint8_t *e, size_t len) {
  if (!el->all_ref_func) return;
  if (len < 3 || e[0] != 0xd2 || e[len - 1] != 0x0b) { el->all_ref_func = false; return; }
  util_reader r = {e + 1, e + 1, e + len - 1, 0};
  uint32_t x;
  util_error ignore;
  util_error_clear(&ignore);
  if (!util_read_u32(&r, &x, &ignore) || !util_reader_eof(&r)) { el->all_ref_func = false; return; }
  text_buf_u32(&el->funcs, x);
}

static bool elem_list(wat *w, elemlist *el, bool allow_bare) {
  el->type = 0x70;
  el->exprs = false;
  el->all_ref_func = true;
  const text_token *t = wat_tok(w);
  if (wat_is_kw(t, w->src, "func")) {
    w->pos++;
  } else if (t->kind == TOK_KEYWORD || wat_is_lpar_kw(w, "ref")) {
    if (!wat_reftype(w, &el->type)) return false;
    el->exprs = true;
  } else if (!allow_bare && t->kind != TOK_RPAR) {
    return wat_fail(w, t, "unexpected token");
  }
  if (!el->exprs) {
    while (wat_tok(w)->kind != TOK_RPAR) {
      uint32_t x;
      if (!wat_index(w, SPACE_FUNC, &x)) return false;
      text_buf_u32(&el->items, x);
      el->n++;
    }
    return true;
  }
  while (wat_tok(w)->kind == TOK_LPAR) {
    size_t close = wat_tok(w)->match;
    size_t mark = el->items.len;
    if (wat_is_lpar_kw(w, "item")) {
      w->pos += 2;
      if (!wat_const_expr(w, &el->items)) return false;
      w->pos = close + 1;
    } else {
      if (!wat_folded_one(w, &el->items)) return false;
      text_buf_byte(&el->items, 0x0b);
    }
    note_expr(el, el->items.p + mark, el->items.len - mark);
    el->n++;
  }
  if (wat_tok(w)->kind != TOK_RPAR) return wat_fail(w, wat_tok(w), "unexpected token");
  /* Function indices are the shorter form, and the one other tools write, but in 3.0
   * they make the segment's type (ref func) where funcref was written. That only
   * matters to a module that has typed references; others get the short form. */
  if (el->type == WASM_FUNCREF && el->all_ref_func && !w->typed_refs) {
    el->exprs = false;
    text_buf tmp = el->items;
    el->items = el->funcs;
    el->funcs = tmp;
  }
  return true;
}

static void elemlist_free(elemlist *el) {
  text_buf_free(&el->items);
  text_buf_free(&el->funcs);
}

/* Writes one element segment. mode: 0 active, 1 passive, 2 declarative. */
static void emit_elem(sections *s, int mode, uint32_t table, const text_buf *offset, const elemlist *el) {
  uint8_t flags;
  if (mode == 0) flags = (table != 0 || (el->exprs && el->type != 0x70)) ? 2 : 0;
  else flags = mode == 1 ? 1 : 3;
  if (el->exprs) flags |= 4;
  text_buf_byte(&s->elem, flags);
  if (mode == 0 && (flags & 2)) text_buf_u32(&s->elem, table);
  if (mode == 0) text_buf_append(&s->elem, offset);
  if (flags & 3) {
    if (el->exprs) wat_emit_valtype(&s->elem, el->type);
    else text_buf_byte(&s->elem, 0x00);
  }
  text_buf_u32(&s->elem, el->n);
  if (el->funcs.oom) s->elem.oom = true; /* it decided the form */
  text_buf_append(&s->elem, &el->items);
  s->nelem++;
}

static bool table_field(wat *w, sections *s) {
  uint32_t index = w->next[SPACE_TABLE]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  if (!inline_exports(w, s, 1, index)) return false;
  if (wat_is_lpar_kw(w, "import")) {
    if (!inline_import(w, s)) return false;
    text_buf_byte(&s->import, 1);
    return tabletype(w, &s->import);
  }
  bool is64 = false;
  bool at_kw = wat_is_kw(wat_tok(w), w->src, "i64") || wat_is_kw(wat_tok(w), w->src, "i32");
  if (at_kw && (wat_peek(w, 1)->kind == TOK_KEYWORD || wat_is_lpar_kw_at(w, 1, "ref"))) {
    is64 = wat_is_kw(wat_tok(w), w->src, "i64");
    w->pos++;
    at_kw = false;
  }
  if ((wat_tok(w)->kind == TOK_KEYWORD && !at_kw) || wat_is_lpar_kw(w, "ref")) {
    uint32_t rt = 0;
    if (!wat_reftype(w, &rt)) return false;
    if (!wat_is_lpar_kw(w, "elem")) return wat_fail(w, wat_tok(w), "unexpected token");
    size_t close = wat_tok(w)->match;
    w->pos += 2;
    elemlist el = {0};
    bool ok;
    if (wat_tok(w)->kind == TOK_LPAR) {
      /* expressions of the table's type */
      const text_token *t = wat_tok(w);
      (void)t;
      el.type = rt;
      el.exprs = true;
      el.all_ref_func = true;
      ok = true;
      while (ok && wat_tok(w)->kind == TOK_LPAR) {
        size_t c = wat_tok(w)->match, mark = el.items.len;
        if (wat_is_lpar_kw(w, "item")) {
          w->pos += 2;
          ok = wat_const_expr(w, &el.items);
          w->pos = c + 1;
        } else {
          ok = wat_folded_one(w, &el.items);
          text_buf_byte(&el.items, 0x0b);
        }
        if (ok) note_expr(&el, el.items.p + mark, el.items.len - mark);
        el.n++;
      }
      if (ok && rt == WASM_FUNCREF && el.all_ref_func) {
        el.exprs = false;
        text_buf tmp = el.items;
        el.items = el.funcs;
        el.funcs = tmp;
      }
    } else {
      ok = elem_list(w, &el, true);
      if (ok && !el.exprs && rt != WASM_FUNCREF) {
        /* the segment takes the table's type: function indices become ref.func items */
        text_buf items = {0};
        const uint8_t *ip = el.items.p; /* NULL for an empty list: no pointer arithmetic on it */
        util_reader r = {ip, ip, ip ? ip + el.items.len : ip, 0};
        util_error ignore;
        util_error_clear(&ignore);
        for (uint32_t k = 0; k < el.n; k++) {
          uint32_t x = 0;
          util_read_u32(&r, &x, &ignore);
          text_buf_byte(&items, 0xd2);
          text_buf_u32(&items, x);
          text_buf_byte(&items, 0x0b);
        }
        text_buf_free(&el.items);
        el.items = items;
        el.exprs = true;
        el.type = rt;
      }
    }
    if (ok && w->pos != close) ok = wat_fail(w, wat_tok(w), "unexpected token");
    if (ok) {
      text_buf off = {0};
      if (is64) { text_buf_byte(&off, 0x42); text_buf_byte(&off, 0); text_buf_byte(&off, 0x0b); }
      else i32_const_zero(&off);
      emit_elem(s, 0, index, &off, &el);
      text_buf_free(&off);
      wat_emit_valtype(&s->table, rt);
      text_buf_byte(&s->table, is64 ? 5 : 1);
      text_buf_u32(&s->table, el.n);
      text_buf_u32(&s->table, el.n);
      s->ntable++;
      w->next[SPACE_ELEM]++;
      w->pos = close + 1;
    }
    elemlist_free(&el);
    return ok;
  }
  s->ntable++;
  /* 3.0: an expression after the table type gives the elements' initial value */
  text_buf tt = {0};
  bool ok = tabletype(w, &tt);
  if (ok && wat_tok(w)->kind != TOK_RPAR) {
    text_buf_byte(&s->table, 0x40);
    text_buf_byte(&s->table, 0x00);
    text_buf_bytes(&s->table, tt.p, tt.len);
    ok = wat_const_expr(w, &s->table);
  } else if (ok) {
    text_buf_bytes(&s->table, tt.p, tt.len);
  }
  text_buf_free(&tt);
  return ok;
}

static bool data_strings(wat *w, text_buf *out) {
  w->tmp.len = 0;
  while (wat_tok(w)->kind == TOK_STRING) {
    const text_token *t = wat_tok(w);
    text_string_decode(w->src + t->start, t->len, &w->tmp);
    w->pos++;
  }
  if (wat_tok(w)->kind != TOK_RPAR) return wat_fail(w, wat_tok(w), "unexpected token");
  if (w->tmp.oom) return wat_oom(w, wat_tok(w));
  text_buf_u32(out, (uint32_t)w->tmp.len);
  text_buf_bytes(out, w->tmp.p, w->tmp.len);
  return true;
}

static bool memory_field(wat *w, sections *s) {
  uint32_t index = w->next[SPACE_MEM]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  if (!inline_exports(w, s, 2, index)) return false;
  if (wat_is_lpar_kw(w, "import")) {
    if (!inline_import(w, s)) return false;
    text_buf_byte(&s->import, 2);
    return memtype(w, &s->import);
  }
  bool is64 = false;
  if (wat_tok(w)->kind == TOK_KEYWORD && wat_is_kw(wat_tok(w), w->src, "i64") && wat_is_lpar_kw_at(w, 1, "data")) {
    is64 = true;
    w->pos++;
  }
  if (wat_is_lpar_kw(w, "data")) {
    size_t close = wat_tok(w)->match;
    w->pos += 2;
    if (index == 0) text_buf_byte(&s->data, 0);
    else { text_buf_byte(&s->data, 2); text_buf_u32(&s->data, index); }
    if (is64) { text_buf_byte(&s->data, 0x42); text_buf_byte(&s->data, 0); text_buf_byte(&s->data, 0x0b); }
    else i32_const_zero(&s->data);
    if (!data_strings(w, &s->data)) return false;
    uint64_t pages = (w->tmp.len + 65535) / 65536;
    text_buf_byte(&s->mem, is64 ? 5 : 1);
    text_buf_u32(&s->mem, (uint32_t)pages);
    text_buf_u32(&s->mem, (uint32_t)pages);
    s->nmem++;
    s->ndata++;
    w->next[SPACE_DATA]++;
    w->pos = close + 1;
    return true;
  }
  s->nmem++;
  return memtype(w, &s->mem);
}

static bool global_field(wat *w, sections *s) {
  uint32_t index = w->next[SPACE_GLOBAL]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  if (!inline_exports(w, s, 3, index)) return false;
  if (wat_is_lpar_kw(w, "import")) {
    if (!inline_import(w, s)) return false;
    text_buf_byte(&s->import, 3);
    return globaltype(w, &s->import);
  }
  s->nglobal++;
  reset_func(w);
  return globaltype(w, &s->global) && wat_const_expr(w, &s->global);
}

/* (tag id? (export ...)* (import ...)? typeuse): attribute 0 (an exception) and a type. */
static bool tag_field(wat *w, sections *s) {
  uint32_t index = w->next[SPACE_TAG]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  if (!inline_exports(w, s, WASM_EXTERN_TAG, index)) return false;
  text_buf *out = &s->tag;
  if (wat_is_lpar_kw(w, "import")) {
    if (!inline_import(w, s)) return false;
    out = &s->import;
    text_buf_byte(out, WASM_EXTERN_TAG);
  } else {
    s->ntag++;
  }
  uint32_t x;
  reset_func(w);
  if (!typeuse_bind(w, &x, 2, false, NULL)) return false;
  text_buf_byte(out, 0);
  text_buf_u32(out, x);
  return true;
}

static bool import_field(wat *w, sections *s) {
  if (!name_string(w, &s->import) || !name_string(w, &s->import)) return false;
  s->nimport++;
  size_t close = wat_tok(w)->match;
  w->pos++;
  int space = space_of_kw(wat_tok(w), w->src);
  w->pos++;
  w->next[space]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  bool ok;
  switch (space) {
  case SPACE_FUNC: {
    uint32_t x;
    reset_func(w);
    ok = typeuse_bind(w, &x, 2, false, NULL);
    text_buf_byte(&s->import, 0);
    text_buf_u32(&s->import, x);
    break;
  }
  case SPACE_TABLE: text_buf_byte(&s->import, 1); ok = tabletype(w, &s->import); break;
  case SPACE_MEM: text_buf_byte(&s->import, 2); ok = memtype(w, &s->import); break;
  case SPACE_TAG: {
    uint32_t x;
    reset_func(w);
    ok = typeuse_bind(w, &x, 2, false, NULL);
    text_buf_byte(&s->import, WASM_EXTERN_TAG);
    text_buf_byte(&s->import, 0);
    text_buf_u32(&s->import, x);
    break;
  }
  default: text_buf_byte(&s->import, 3); ok = globaltype(w, &s->import); break;
  }
  if (ok && w->pos != close) return wat_fail(w, wat_tok(w), "unexpected token");
  w->pos = close + 1;
  return ok;
}

static bool export_field(wat *w, sections *s) {
  if (!name_string(w, &s->export)) return false;
  if (wat_tok(w)->kind != TOK_LPAR) return wat_fail(w, wat_tok(w), "unexpected token");
  w->pos++;
  int space = space_of_kw(wat_tok(w), w->src);
  if (space < 0) return wat_fail(w, wat_tok(w), "unexpected token");
  w->pos++;
  uint32_t x;
  if (!wat_index(w, space, &x) || !wat_expect_rpar(w)) return false;
  text_buf_byte(&s->export, space == SPACE_TAG ? WASM_EXTERN_TAG : (uint8_t)(space - SPACE_FUNC));
  text_buf_u32(&s->export, x);
  s->nexport++;
  return true;
}

/* An offset: (offset instr*) or one folded instruction. */
static bool offset_expr(wat *w, text_buf *out) {
  if (wat_is_lpar_kw(w, "offset")) {
    size_t close = wat_tok(w)->match;
    w->pos += 2;
    if (!wat_const_expr(w, out)) return false;
    w->pos = close + 1;
    return true;
  }
  if (wat_tok(w)->kind != TOK_LPAR) return wat_fail(w, wat_tok(w), "unexpected token");
  if (!wat_folded_one(w, out)) return false;
  text_buf_byte(out, 0x0b);
  return true;
}

static bool elem_field(wat *w, sections *s) {
  w->next[SPACE_ELEM]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  reset_func(w);
  elemlist el = {0};
  bool ok;
  if (wat_is_kw(wat_tok(w), w->src, "declare")) {
    w->pos++;
    ok = elem_list(w, &el, false);
    if (ok) emit_elem(s, 2, 0, NULL, &el);
  } else if ((wat_tok(w)->kind == TOK_LPAR && !wat_is_lpar_kw(w, "ref")) ||
             (wat_tok(w)->kind == TOK_NUM && wat_peek(w, 1)->kind == TOK_LPAR) ||
             (wat_tok(w)->kind == TOK_ID && wat_peek(w, 1)->kind == TOK_LPAR)) {
    uint32_t table = 0;
    text_buf off = {0};
    ok = true;
    if (wat_tok(w)->kind != TOK_LPAR) ok = wat_index(w, SPACE_TABLE, &table);
    else if (wat_is_lpar_kw(w, "table")) {
      w->pos += 2;
      ok = wat_index(w, SPACE_TABLE, &table) && wat_expect_rpar(w);
    }
    ok = ok && offset_expr(w, &off) && elem_list(w, &el, true);
    if (ok) emit_elem(s, 0, table, &off, &el);
    text_buf_free(&off);
  } else {
    ok = elem_list(w, &el, false);
    if (ok) emit_elem(s, 1, 0, NULL, &el);
  }
  elemlist_free(&el);
  return ok;
}

static bool data_field(wat *w, sections *s) {
  w->next[SPACE_DATA]++;
  if (wat_tok(w)->kind == TOK_ID) w->pos++;
  reset_func(w);
  s->ndata++;
  if (wat_tok(w)->kind == TOK_STRING || wat_tok(w)->kind == TOK_RPAR) {
    text_buf_byte(&s->data, 1);
    return data_strings(w, &s->data);
  }
  uint32_t mem = 0;
  if (wat_tok(w)->kind == TOK_NUM || wat_tok(w)->kind == TOK_ID) {
    if (!wat_index(w, SPACE_MEM, &mem)) return false;
  } else if (wat_is_lpar_kw(w, "memory")) {
    w->pos += 2;
    if (!wat_index(w, SPACE_MEM, &mem) || !wat_expect_rpar(w)) return false;
  }
  if (mem == 0) text_buf_byte(&s->data, 0);
  else { text_buf_byte(&s->data, 2); text_buf_u32(&s->data, mem); }
  return offset_expr(w, &s->data) && data_strings(w, &s->data);
}

/* Whether an append to one of the module's buffers ran out of memory. */
static bool any_oom(const wat *w, const sections *s) {
  const text_buf *bufs[] = {&s->import, &s->func, &s->table, &s->mem, &s->global, &s->export, &s->start,
                            &s->elem, &s->code, &s->data, &w->nm_locals, &w->nm_labels, &w->fn_locals,
                            &w->fn_labels, &w->scratch, &w->tmp};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    if (bufs[i]->oom) return true;
  for (int i = 0; i < SPACE_COUNT; i++)
    if (w->nm_space[i].oom) return true;
  return false;
}

static bool second_pass(wat *w, size_t start, size_t end, sections *s) {
  for (w->pos = start; w->pos < end;) {
    size_t close = wat_tok(w)->match;
    const text_token *kw = wat_peek(w, 1);
    w->pos += 2;
    bool ok = true;
    if (wat_is_kw(kw, w->src, "type") || wat_is_kw(kw, w->src, "rec")) ok = true;
    else if (wat_is_kw(kw, w->src, "func")) ok = func_field(w, s);
    else if (wat_is_kw(kw, w->src, "table")) ok = table_field(w, s);
    else if (wat_is_kw(kw, w->src, "memory")) ok = memory_field(w, s);
    else if (wat_is_kw(kw, w->src, "global")) ok = global_field(w, s);
    else if (wat_is_kw(kw, w->src, "tag")) ok = tag_field(w, s);
    else if (wat_is_kw(kw, w->src, "import")) ok = import_field(w, s);
    else if (wat_is_kw(kw, w->src, "export")) ok = export_field(w, s);
    else if (wat_is_kw(kw, w->src, "elem")) ok = elem_field(w, s);
    else if (wat_is_kw(kw, w->src, "data")) ok = data_field(w, s);
    else if (wat_is_kw(kw, w->src, "start")) {
      if (s->has_start) return wat_fail(w, kw, "multiple start sections");
      s->has_start = true;
      uint32_t x;
      ok = wat_index(w, SPACE_FUNC, &x);
      text_buf_u32(&s->start, x);
    }
    if (!ok) return false;
    if (any_oom(w, s)) return wat_oom(w, kw);
    if (!wat_is_kw(kw, w->src, "type") && !wat_is_kw(kw, w->src, "rec") && !wat_is_kw(kw, w->src, "import") &&
        w->pos != close)
      return wat_fail(w, wat_tok(w), "unexpected token");
    w->pos = close + 1;
  }
  return true;
}

static void section(text_buf *out, uint8_t id, uint32_t count, const text_buf *body, bool vec) {
  if (vec && count == 0) return;
  text_buf head = {0};
  if (vec) text_buf_u32(&head, count);
  text_buf_byte(out, id);
  text_buf_u32(out, (uint32_t)(head.len + body->len));
  text_buf_append(out, &head);
  text_buf_append(out, body);
  text_buf_free(&head);
}

/* The `name` custom section (the spec's appendix and the extended-name-section
 * subsections): the module's, functions', locals', labels', types', tables', memories',
 * globals', element and data segments' identifiers, so that backtraces and `weld print`
 * of a text module keep them. Nothing when the text has no identifiers. */
static void name_section(wat *w, text_buf *out) {
  /* subsection id per index space, in the order they are written */
  static const struct { uint8_t id; int space; } order[] = {
      {4, SPACE_TYPE}, {5, SPACE_TABLE}, {6, SPACE_MEM}, {7, SPACE_GLOBAL}, {8, SPACE_ELEM}, {9, SPACE_DATA}};
  text_buf body = {0}, sub = {0};
  static const char name[] = "name";
  text_buf_u32(&body, 4);
  text_buf_bytes(&body, name, 4);
  size_t empty = body.len;
  if (w->module_id) {
    text_buf_u32(&sub, w->module_id->idlen - 1);
    text_buf_bytes(&sub, w->module_id->id + 1, w->module_id->idlen - 1);
    section(&body, 0, 0, &sub, false);
    sub.len = 0;
  }
  section(&body, 1, w->nm_count[SPACE_FUNC], &w->nm_space[SPACE_FUNC], true);
  section(&body, 2, w->nm_nlocal_funcs, &w->nm_locals, true);
  section(&body, 3, w->nm_nlabel_funcs, &w->nm_labels, true);
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    section(&body, order[i].id, w->nm_count[order[i].space], &w->nm_space[order[i].space], true);
  if (body.len > empty || body.oom) section(out, 0, 0, &body, false);
  text_buf_free(&body);
  text_buf_free(&sub);
}

/* Encodes the module fields in tokens [start, end). */
static bool encode_fields(const char *src, const text_token *toks, size_t start, size_t end,
                          const text_token *module_id, uint32_t features, text_buf *out, util_error *err) {
  wat w;
  memset(&w, 0, sizeof w);
  w.features = features;
  w.module_id = module_id;
  w.src = src;
  w.toks = toks;
  w.end = end;
  w.err = err;
  sections s;
  memset(&s, 0, sizeof s);
  w.stop = end;
  for (size_t k = start; k + 1 < end && !w.typed_refs; k++)
    w.typed_refs = toks[k].kind == TOK_LPAR && wat_is_kw(&toks[k + 1], src, "ref");
  bool ok = first_pass(&w, start, end) && second_pass(&w, start, w.stop, &s);
  if (ok && w.stop < end) ok = wat_fail(&w, &toks[w.stop], "unexpected token");
  if (ok) {
    static const uint8_t magic[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    text_buf_bytes(out, magic, 8);
    wat_emit_types(&w, out);
    section(out, 2, s.nimport, &s.import, true);
    section(out, 3, s.nfunc, &s.func, true);
    section(out, 4, s.ntable, &s.table, true);
    section(out, 5, s.nmem, &s.mem, true);
    section(out, 13, s.ntag, &s.tag, true);
    section(out, 6, s.nglobal, &s.global, true);
    section(out, 7, s.nexport, &s.export, true);
    if (s.has_start) section(out, 8, 0, &s.start, false);
    section(out, 9, s.nelem, &s.elem, true);
    /* A data count section only when code names data segments and there are some:
     * without segments the module is invalid anyway ("unknown data segment"). */
    if (w.uses_data_count && s.ndata > 0) {
      text_buf dc = {0};
      text_buf_u32(&dc, s.ndata);
      section(out, 12, 0, &dc, false);
      text_buf_free(&dc);
    }
    section(out, 10, s.ncode, &s.code, true);
    section(out, 11, s.ndata, &s.data, true);
    name_section(&w, out);
    if (out->oom || any_oom(&w, &s)) ok = wat_oom(&w, &toks[end]);
  }
  text_buf *bufs[] = {&s.import, &s.func, &s.table, &s.mem, &s.global, &s.export, &s.start, &s.elem, &s.code, &s.data, &s.tag};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) text_buf_free(bufs[i]);
  for (int i = 0; i < SPACE_COUNT; i++) text_names_free(&w.names[i]);
  wat_types_free(&w);
  text_names_free(&w.locals);
  for (int i = 0; i < SPACE_COUNT; i++) text_buf_free(&w.nm_space[i]);
  text_buf *nbufs[] = {&w.nm_locals, &w.nm_labels, &w.fn_locals, &w.fn_labels};
  for (size_t i = 0; i < sizeof nbufs / sizeof nbufs[0]; i++) text_buf_free(nbufs[i]);
  free(w.local_types);
  free(w.labels);
  text_buf_free(&w.scratch);
  text_buf_free(&w.tmp);
  return ok;
}

bool text_concat_strings(const char *src, const text_token *toks, size_t *pos, size_t end, text_buf *out,
                         util_error *err) {
  for (; *pos < end; (*pos)++) {
    const text_token *t = &toks[*pos];
    if (t->kind != TOK_STRING) {
      util_fail(err, UTIL_ERR_MALFORMED, t->start, "unexpected token");
      err->line = (int)t->line;
      err->col = (int)t->col;
      return false;
    }
    text_string_decode(src + t->start, t->len, out);
    if (out->oom) {
      util_fail(err, UTIL_ERR_OOM, t->start, "out of memory");
      err->line = (int)t->line;
      err->col = (int)t->col;
      return false;
    }
  }
  return true;
}

bool text_encode_module_fields(const char *src, const text_token *toks, size_t start, size_t end,
                               const text_token *module_id, uint32_t features, text_buf *out, util_error *err) {
  return encode_fields(src, toks, start, end, module_id, features, out, err);
}

bool text_encode_module(const char *src, const text_token *toks, size_t lpar, text_buf *out, util_error *err) {
  return text_encode_module_features(src, toks, lpar, WASM_FEATURES_ALL, out, err);
}

bool text_encode_module_features(const char *src, const text_token *toks, size_t lpar, uint32_t features,
                                 text_buf *out, util_error *err) {
  size_t close = toks[lpar].match;
  size_t pos = lpar + 2; /* after `(module`; 3.0 scripts write `module definition $id` */
  if (wat_is_kw(&toks[pos], src, "definition")) pos++;
  const text_token *module_id = NULL;
  if (toks[pos].kind == TOK_ID) module_id = &toks[pos++];
  const text_token *t = &toks[pos];
  if (wat_is_kw(t, src, "binary")) {
    pos++;
    return text_concat_strings(src, toks, &pos, close, out, err);
  }
  if (wat_is_kw(t, src, "quote")) {
    pos++;
    text_buf text = {0};
    bool ok = text_concat_strings(src, toks, &pos, close, &text, err);
    if (ok) ok = text_wat_encode_features((const char *)text.p, text.len, features, out, err);
    text_buf_free(&text);
    return ok;
  }
  return encode_fields(src, toks, pos, close, module_id, features, out, err);
}

bool text_wat_encode(const char *src, size_t len, text_buf *out, util_error *err) {
  return text_wat_encode_features(src, len, WASM_FEATURES_ALL, out, err);
}

bool text_wat_encode_features(const char *src, size_t len, uint32_t features, text_buf *out, util_error *err) {
  text_lexed lx;
  if (!text_lex(src ? src : "", src ? len : 0, &lx, err)) return false;
  bool ok;
  const text_token *t = lx.toks;
  if (t[0].kind == TOK_LPAR && wat_is_kw(&t[1], lx.src, "module")) {
    ok = text_encode_module_features(lx.src, lx.toks, 0, features, out, err);
    size_t after = t[0].match + 1;
    if (ok && t[after].kind != TOK_EOF) {
      util_fail(err, UTIL_ERR_MALFORMED, t[after].start, "unexpected token");
      err->line = (int)t[after].line;
      err->col = (int)t[after].col;
      ok = false;
    }
  } else if (t[0].kind == TOK_LPAR && wat_is_kw(&t[1], lx.src, "component")) {
    /* a component in the text format, where a module is needed: as the decoder says it
     * of a binary component */
    util_fail(err, UTIL_ERR_MALFORMED, t[1].start,
              "is a WebAssembly component (component model); this needs a core module (not supported for "
              "components yet)");
    err->line = (int)t[1].line;
    err->col = (int)t[1].col;
    ok = false;
  } else {
    ok = encode_fields(lx.src, lx.toks, 0, lx.ntoks - 1, NULL, features, out, err);
  }
  text_lexed_free(&lx);
  return ok;
}

bool text_wat_to_binary(const char *src, size_t len, const char *filename, uint8_t **out, size_t *outlen,
                        util_error *err) {
  (void)filename;
  util_error_clear(err);
  text_buf b = {0};
  if (!text_wat_encode(src, len, &b, err)) {
    text_buf_free(&b);
    return false;
  }
  *out = b.p ? b.p : util_try_malloc(1);
  *outlen = b.len;
  return *out ? true : util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}

bool text_is_binary(const uint8_t *bytes, size_t len) {
  /* Text is what starts, after white space and comments, with `(`; anything else
   * (including an empty input) goes to the decoder, whose message fits it better. */
  size_t i = 0;
  while (i < len) {
    uint8_t c = bytes[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
    else if (c == ';' && i + 1 < len && bytes[i + 1] == ';') {
      while (i < len && bytes[i] != '\n') i++;
    } else if (c == '(' && i + 1 < len && bytes[i + 1] == ';') {
      int depth = 0;
      do {
        if (i + 1 < len && bytes[i] == '(' && bytes[i + 1] == ';') { depth++; i += 2; }
        else if (i + 1 < len && bytes[i] == ';' && bytes[i + 1] == ')') { depth--; i += 2; }
        else i++;
      } while (depth > 0 && i < len);
    } else {
      return c != '(';
    }
  }
  return true;
}

wasm_module *text_load_module(const uint8_t *bytes, size_t len, const char *filename, util_error *err) {
  return text_load_module_features(bytes, len, filename, WASM_FEATURES_ALL, err);
}

wasm_module *text_load_module_features(const uint8_t *bytes, size_t len, const char *filename, uint32_t features,
                                       util_error *err) {
  if (text_is_binary(bytes, len)) return wasm_decode_features(bytes, len, features, err);
  uint8_t *bin;
  size_t n;
  if (!text_wat_to_binary((const char *)bytes, len, filename, &bin, &n, err)) return NULL;
  wasm_module *m = wasm_decode_features(bin, n, features, err);
  free(bin);
  return m;
}
