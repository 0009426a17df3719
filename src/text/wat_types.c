/* Type definitions of the text format: function types, and GC's struct and array types,
 * `sub`/`sub final` declarations and `rec` groups, encoded to the type section. */
#include <stdlib.h>
#include <string.h>

#include "../wasm/module.h"
#include "wat.h"

typedef struct vtbuf {
  uint32_t *v;
  uint8_t *mut;
  size_t n, cap, capm;
  bool oom;
} vtbuf;

static void vt_add(vtbuf *b, uint32_t t, bool mut) {
  size_t n = b->n;
  if (!UTIL_VEC_TRY_PUSH(b->v, n, b->cap, t) || !UTIL_VEC_TRY_PUSH(b->mut, b->n, b->capm, (uint8_t)mut)) b->oom = true;
}

bool wat_type_reusable(const wat_functype *f) {
  return f->kind == WASM_TYPE_FUNC && f->final && f->nsupers == 0 && !(f->in_rec && f->rec_len != 1);
}

static bool push_type(wat *w, wat_functype *f) {
  size_t cap = w->types_cap;
  if (w->ntypes == UINT32_MAX || !UTIL_VEC_TRY_PUSH(w->types, w->ntypes, cap, *f)) return false;
  w->types_cap = (uint32_t)cap;
  return true;
}

/* A storage type: a value type, i8 or i16. */
static bool storage_type(wat *w, uint32_t *out) {
  const text_token *t = wat_tok(w);
  if (wat_is_kw(t, w->src, "i8") || wat_is_kw(t, w->src, "i16")) {
    *out = wat_is_kw(t, w->src, "i8") ? WASM_PACKED_I8 : WASM_PACKED_I16;
    w->pos++;
    return true;
  }
  return wat_valtype(w, out);
}

/* A field type: a storage type or `(mut storagetype)`. */
static bool field_type(wat *w, uint32_t *out, bool *mut) {
  *mut = false;
  if (wat_is_lpar_kw(w, "mut")) {
    w->pos += 2;
    *mut = true;
    return storage_type(w, out) && wat_expect_rpar(w);
  }
  return storage_type(w, out);
}

/* (func ...), (struct (field ...)*), (array fieldtype) at the cursor, into f. */
static bool comp_type(wat *w, wat_functype *f) {
  const text_token *at = wat_tok(w);
  if (at->kind != TOK_LPAR) return wat_fail(w, at, "unexpected token");
  size_t close = at->match;
  const text_token *kw = wat_peek(w, 1);
  w->pos += 2;
  vtbuf a = {0}, b = {0};
  bool ok = true;
  if (wat_is_kw(kw, w->src, "func")) {
    f->kind = WASM_TYPE_FUNC;
    if (wat_tok(w)->kind == TOK_ID) w->pos++;
    /* (param $x? t*) and (result t*), names allowed and ignored */
    while (ok && wat_is_lpar_kw(w, "param")) {
      w->pos += 2;
      if (wat_tok(w)->kind == TOK_ID) {
        w->pos++;
        uint32_t t = 0;
        ok = wat_valtype(w, &t);
        vt_add(&a, t, false);
      } else {
        while (ok && wat_tok(w)->kind != TOK_RPAR) {
          uint32_t t = 0;
          ok = wat_valtype(w, &t);
          vt_add(&a, t, false);
        }
      }
      ok = ok && wat_expect_rpar(w);
    }
    while (ok && wat_is_lpar_kw(w, "result")) {
      w->pos += 2;
      while (ok && wat_tok(w)->kind != TOK_RPAR) {
        uint32_t t = 0;
        ok = wat_valtype(w, &t);
        vt_add(&b, t, false);
      }
      ok = ok && wat_expect_rpar(w);
    }
  } else if (wat_is_kw(kw, w->src, "struct")) {
    f->kind = WASM_TYPE_STRUCT;
    if (wat_tok(w)->kind == TOK_ID) w->pos++;
    while (ok && wat_is_lpar_kw(w, "field")) {
      w->pos += 2;
      const text_token *id = wat_tok(w);
      if (id->kind == TOK_ID) {
        w->pos++;
        if (!text_names_add(&f->fnames, id->id, id->idlen, (uint32_t)a.n))
          ok = f->fnames.oom ? wat_oom(w, id) : wat_fail(w, id, "duplicate field %.*s", (int)id->idlen, id->id);
        uint32_t t = 0;
        bool mut = false;
        ok = ok && field_type(w, &t, &mut);
        vt_add(&a, t, mut);
      } else {
        while (ok && wat_tok(w)->kind != TOK_RPAR) {
          uint32_t t = 0;
          bool mut = false;
          ok = field_type(w, &t, &mut);
          vt_add(&a, t, mut);
        }
      }
      ok = ok && wat_expect_rpar(w);
    }
  } else if (wat_is_kw(kw, w->src, "array")) {
    f->kind = WASM_TYPE_ARRAY;
    if (wat_tok(w)->kind == TOK_ID) w->pos++;
    uint32_t t = 0;
    bool mut = false;
    ok = field_type(w, &t, &mut);
    vt_add(&a, t, mut);
  } else {
    ok = wat_fail(w, kw, "unexpected token");
  }
  if (ok && (a.oom || b.oom)) ok = wat_oom(w, at);
  if (ok && w->pos != close) ok = wat_fail(w, wat_tok(w), "unexpected token");
  if (ok) {
    if (f->kind == WASM_TYPE_FUNC) {
      f->params = a.v;
      f->np = (uint32_t)a.n;
      f->results = b.v;
      f->nr = (uint32_t)b.n;
      a.v = NULL;
      b.v = NULL;
    } else {
      f->ftypes = a.v;
      f->fmut = a.mut;
      f->nfields = (uint32_t)a.n;
      a.v = NULL;
      a.mut = NULL;
    }
  }
  free(a.v);
  free(a.mut);
  free(b.v);
  free(b.mut);
  w->pos = close + 1;
  return ok;
}

static void type_free(wat_functype *f) {
  free(f->params);
  free(f->results);
  free(f->supers);
  free(f->ftypes);
  free(f->fmut);
  text_names_free(&f->fnames);
}

/* The definition after `(type $id?`: a composite type or `(sub final? x* comptype)`. */
bool wat_type_def(wat *w) {
  wat_functype f;
  memset(&f, 0, sizeof f);
  f.final = true;
  bool ok = true;
  if (wat_is_lpar_kw(w, "sub")) {
    size_t close = wat_tok(w)->match;
    w->pos += 2;
    f.sub = true;
    f.final = false;
    if (wat_is_kw(wat_tok(w), w->src, "final")) {
      f.final = true;
      w->pos++;
    }
    vtbuf s = {0};
    while (ok && (wat_tok(w)->kind == TOK_ID || wat_tok(w)->kind == TOK_NUM)) {
      uint32_t x;
      ok = wat_index(w, SPACE_TYPE, &x);
      vt_add(&s, x, false);
    }
    f.supers = s.v;
    f.nsupers = (uint32_t)s.n;
    free(s.mut);
    if (ok && s.oom) ok = wat_oom(w, wat_tok(w));
    ok = ok && comp_type(w, &f);
    if (ok && w->pos != close) ok = wat_fail(w, wat_tok(w), "unexpected token");
    if (ok) w->pos = close + 1;
  } else {
    ok = comp_type(w, &f);
  }
  ok = ok && wat_expect_rpar(w);
  if (ok && !push_type(w, &f)) ok = wat_oom(w, wat_tok(w));
  if (!ok) type_free(&f);
  return ok;
}

/* After `(rec`: (type ...)* and the closing `)`. */
bool wat_rec_def(wat *w) {
  uint32_t first = w->ntypes;
  while (wat_is_lpar_kw(w, "type")) {
    w->pos += 2;
    if (wat_tok(w)->kind == TOK_ID) w->pos++; /* named in the first pass */
    if (!wat_type_def(w)) return false;
    w->types[w->ntypes - 1].in_rec = true;
  }
  if (!wat_expect_rpar(w)) return false;
  /* an empty group defines no type and is left out of the encoding */
  if (w->ntypes > first) w->types[first].rec_len = w->ntypes - first;
  return true;
}

static void emit_field(text_buf *out, uint32_t t, bool mut) {
  if (wasm_is_packed(t)) text_buf_byte(out, (uint8_t)t);
  else wat_emit_valtype(out, t);
  text_buf_byte(out, mut ? 1 : 0);
}

static void emit_subtype(const wat_functype *f, text_buf *out) {
  if (f->sub) {
    text_buf_byte(out, f->final ? 0x4f : 0x50);
    text_buf_u32(out, f->nsupers);
    for (uint32_t k = 0; k < f->nsupers; k++) text_buf_u32(out, f->supers[k]);
  }
  switch (f->kind) {
  case WASM_TYPE_FUNC:
    text_buf_byte(out, 0x60);
    text_buf_u32(out, f->np);
    for (uint32_t k = 0; k < f->np; k++) wat_emit_valtype(out, f->params[k]);
    text_buf_u32(out, f->nr);
    for (uint32_t k = 0; k < f->nr; k++) wat_emit_valtype(out, f->results[k]);
    break;
  case WASM_TYPE_STRUCT:
    text_buf_byte(out, 0x5f);
    text_buf_u32(out, f->nfields);
    for (uint32_t k = 0; k < f->nfields; k++) emit_field(out, f->ftypes[k], f->fmut[k]);
    break;
  default:
    text_buf_byte(out, 0x5e);
    emit_field(out, f->ftypes[0], f->fmut[0]);
    break;
  }
}

/* The type section (id 1) with its vector of recursion groups; nothing without types. */
void wat_emit_types(const wat *w, text_buf *out) {
  text_buf body = {0};
  uint32_t groups = 0;
  for (uint32_t i = 0; i < w->ntypes;) {
    const wat_functype *f = &w->types[i];
    groups++;
    if (f->in_rec) {
      text_buf_byte(&body, 0x4e);
      text_buf_u32(&body, f->rec_len);
      for (uint32_t k = 0; k < f->rec_len; k++) emit_subtype(&w->types[i + k], &body);
      i += f->rec_len;
      continue;
    }
    emit_subtype(f, &body);
    i++;
  }
  if (groups) {
    text_buf_byte(out, 1);
    text_buf sizes = {0};
    text_buf_u32(&sizes, groups);
    text_buf_u32(out, (uint32_t)(sizes.len + body.len));
    text_buf_append(out, &sizes);
    text_buf_append(out, &body);
    text_buf_free(&sizes);
  }
  if (body.oom) out->oom = true;
  text_buf_free(&body);
}

void wat_types_free(wat *w) {
  for (uint32_t i = 0; i < w->ntypes; i++) type_free(&w->types[i]);
  free(w->types);
  w->types = NULL;
  w->ntypes = 0;
}

bool wat_field_index(wat *w, uint32_t type, uint32_t *out) {
  const text_token *t = wat_tok(w);
  if (t->kind == TOK_ID) {
    if (type >= w->ntypes || !text_names_get(&w->types[type].fnames, t->id, t->idlen, out))
      return wat_fail(w, t, "unknown field %.*s", (int)t->idlen, t->id);
    w->pos++;
    return true;
  }
  return wat_u32(w, out);
}
