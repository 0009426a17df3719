/* Component values across the embedding API (include/weld.h, weld_cval): a public value
 * checked against a resolved type and copied into a call's arena as a comp_val, and a
 * comp_val given back as a public value. The public value carries its kind, so every
 * mismatch is found before anything runs; the internal one has its type beside it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "runtime.h"
#include "weld.h"

enum { MAX_DEPTH = 100 };

int comp_public_kind(const comp_ctype *t) {
  if (!t) return 0;
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_BOOL: return WELD_CT_BOOL;
    case COMP_T_S8: return WELD_CT_S8;
    case COMP_T_U8: return WELD_CT_U8;
    case COMP_T_S16: return WELD_CT_S16;
    case COMP_T_U16: return WELD_CT_U16;
    case COMP_T_S32: return WELD_CT_S32;
    case COMP_T_U32: return WELD_CT_U32;
    case COMP_T_S64: return WELD_CT_S64;
    case COMP_T_U64: return WELD_CT_U64;
    case COMP_T_F32: return WELD_CT_F32;
    case COMP_T_F64: return WELD_CT_F64;
    case COMP_T_CHAR: return WELD_CT_CHAR;
    case COMP_T_STRING: return WELD_CT_STRING;
    default: return WELD_CT_OTHER;
    }
  case CT_RECORD: return WELD_CT_RECORD;
  case CT_VARIANT: return WELD_CT_VARIANT;
  case CT_LIST:
  case CT_FIXED_LIST: return WELD_CT_LIST;
  case CT_TUPLE: return WELD_CT_TUPLE;
  case CT_FLAGS: return WELD_CT_FLAGS;
  case CT_ENUM: return WELD_CT_ENUM;
  case CT_OPTION: return WELD_CT_OPTION;
  case CT_RESULT: return WELD_CT_RESULT;
  case CT_OWN: return WELD_CT_OWN;
  case CT_BORROW: return WELD_CT_BORROW;
  case CT_MAP: return WELD_CT_MAP;
  default: return WELD_CT_OTHER;
  }
}

static const char *kind_name(weld_ctype_kind k) {
  static const char *const names[] = {"?",     "bool",   "s8",      "u8",   "s16",  "u16",    "s32",
                                      "u32",   "s64",    "u64",     "f32",  "f64",  "char",   "string",
                                      "list",  "record", "tuple",   "variant", "enum", "option", "result",
                                      "flags", "own",    "borrow",  "map"};
  if (k == WELD_CT_OTHER) return "a type the embedding API cannot carry";
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "an unknown kind";
}

/* ---------- public to internal ---------------------------------------------------------- */

typedef struct imp {
  util_arena *arena;
  char *why;
  size_t nwhy;
  char path[160];  /* where in the value, for the message */
} imp;

static bool imp_fail(imp *c, const char *fmt, const char *a, const char *b) {
  char msg[200];
  snprintf(msg, sizeof msg, fmt, a, b);
  snprintf(c->why, c->nwhy, "%s%s%s", c->path, *c->path ? ": " : "", msg);
  return false;
}

static bool imp_value(imp *c, const comp_ctype *t, const weld_cval *in, comp_val *out, int depth);

/* A part's place in the path while it is converted. */
static bool imp_part(imp *c, const comp_ctype *t, const weld_cval *in, comp_val *out, int depth, const char *what,
                     uint64_t i) {
  size_t keep = strlen(c->path);
  char step[48];
  snprintf(step, sizeof step, i == UINT64_MAX ? "%s%s" : "%s%s %llu", keep ? ", " : "", what, (unsigned long long)i);
  if (keep + strlen(step) < sizeof c->path) strcat(c->path, step);
  bool ok = imp_value(c, t, in, out, depth + 1);
  if (ok) c->path[keep] = 0;
  return ok;
}

static bool int_fits(weld_ctype_kind k, const weld_cval *in) {
  switch (k) {
  case WELD_CT_S8: return in->of.s >= INT8_MIN && in->of.s <= INT8_MAX;
  case WELD_CT_S16: return in->of.s >= INT16_MIN && in->of.s <= INT16_MAX;
  case WELD_CT_S32: return in->of.s >= INT32_MIN && in->of.s <= INT32_MAX;
  case WELD_CT_U8: return in->of.u <= UINT8_MAX;
  case WELD_CT_U16: return in->of.u <= UINT16_MAX;
  case WELD_CT_U32: return in->of.u <= UINT32_MAX;
  default: return true;
  }
}

static bool imp_seq(imp *c, const comp_ctype *t, const weld_cval *in, comp_val *out, int depth) {
  size_t n = in->of.seq.n;
  if (n && !in->of.seq.items) return imp_fail(c, "%s with %s items but no array", kind_name(in->kind), "some");
  if (t->kind == CT_FIXED_LIST && n != t->len) return imp_fail(c, "%s%s", "a fixed-length list of another length", "");
  if ((t->kind == CT_RECORD || t->kind == CT_TUPLE) && n != t->n)
    return imp_fail(c, "%s with the wrong number of %s", kind_name(in->kind), t->kind == CT_RECORD ? "fields" : "elements");
  if (n > UINT32_MAX / sizeof(comp_val)) return imp_fail(c, "%s too long%s", kind_name(in->kind), "");
  comp_val *v = n ? util_arena_try_alloc(c->arena, n * sizeof *v) : NULL;
  if (n && !v) return imp_fail(c, "out of memory%s%s", "", "");
  const comp_ctype *el[2] = {t->a, t->b};
  comp_ctype entry = {.kind = CT_TUPLE, .n = 2, .elems = el};
  for (size_t i = 0; i < n; i++) {
    const comp_ctype *et = t->kind == CT_MAP ? &entry : (t->kind == CT_RECORD || t->kind == CT_TUPLE) ? t->elems[i] : t->a;
    const char *what = t->kind == CT_RECORD ? "field" : t->kind == CT_TUPLE ? "element" : "item";
    if (!imp_part(c, et, &in->of.seq.items[i], &v[i], depth, what, i)) return false;
  }
  out->u.seq.v = v;
  out->u.seq.n = (uint32_t)n;
  return true;
}

static bool imp_value(imp *c, const comp_ctype *t, const weld_cval *in, comp_val *out, int depth) {
  memset(out, 0, sizeof *out);
  if (depth > MAX_DEPTH) return imp_fail(c, "nested deeper than %s levels%s", "100", "");
  if (!in) return imp_fail(c, "a missing value (NULL)%s%s", "", "");
  weld_ctype_kind want = comp_public_kind(t);
  if (want == WELD_CT_OTHER) return imp_fail(c, "the type is %s%s", kind_name(want), "");
  if (in->kind != want) return imp_fail(c, "expected %s, got %s", kind_name(want), kind_name(in->kind));
  switch (want) {
  case WELD_CT_BOOL: out->u.b = in->of.b; return true;
  case WELD_CT_S8: case WELD_CT_S16: case WELD_CT_S32: case WELD_CT_S64:
  case WELD_CT_U8: case WELD_CT_U16: case WELD_CT_U32: case WELD_CT_U64:
    if (!int_fits(want, in)) return imp_fail(c, "the value is out of range for %s%s", kind_name(want), "");
    if (want == WELD_CT_S8 || want == WELD_CT_S16 || want == WELD_CT_S32 || want == WELD_CT_S64) out->u.i = in->of.s;
    else out->u.u = in->of.u;
    return true;
  case WELD_CT_F32: out->u.f32 = in->of.f32; return true;
  case WELD_CT_F64: out->u.f64 = in->of.f64; return true;
  case WELD_CT_CHAR:
    if (in->of.ch > 0x10ffff || (in->of.ch >= 0xd800 && in->of.ch <= 0xdfff))
      return imp_fail(c, "not a Unicode scalar value%s%s", "", "");
    out->u.c = in->of.ch;
    return true;
  case WELD_CT_STRING: {
    size_t n = in->of.str.len;
    if (n && !in->of.str.ptr) return imp_fail(c, "a string with a length but no bytes%s%s", "", "");
    if (n > UINT32_MAX) return imp_fail(c, "a string too long%s%s", "", "");
    if (!util_utf8_valid((const uint8_t *)in->of.str.ptr, n)) return imp_fail(c, "a string that is not UTF-8%s%s", "", "");
    char *s = util_arena_try_strndup(c->arena, n ? in->of.str.ptr : "", n);
    if (!s) return imp_fail(c, "out of memory%s%s", "", "");
    out->u.str.s = s;
    out->u.str.len = (uint32_t)n;
    return true;
  }
  case WELD_CT_LIST: case WELD_CT_MAP: case WELD_CT_RECORD: case WELD_CT_TUPLE: return imp_seq(c, t, in, out, depth);
  case WELD_CT_FLAGS:
    if (t->n < 32 && (in->of.flags >> t->n)) return imp_fail(c, "a flag bit past the type's %s%s", "flags", "");
    out->u.flags = in->of.flags;
    return true;
  case WELD_CT_ENUM:
    if (in->of.var.index >= t->n) return imp_fail(c, "no such enum case%s%s", "", "");
    out->u.var.disc = in->of.var.index;
    return true;
  case WELD_CT_VARIANT: case WELD_CT_OPTION: case WELD_CT_RESULT: {
    uint32_t d = in->of.var.index;
    const comp_ctype *pt;
    if (want == WELD_CT_VARIANT) {
      if (d >= t->n) return imp_fail(c, "no such variant case%s%s", "", "");
      pt = t->elems[d];
    } else if (want == WELD_CT_OPTION) {
      if (d > 1) return imp_fail(c, "an option's index is 0 (none) or 1 (some)%s%s", "", "");
      pt = d ? t->a : NULL;
    } else {
      if (d > 1) return imp_fail(c, "a result's index is 0 (ok) or 1 (err)%s%s", "", "");
      pt = d ? t->b : t->a;
    }
    out->u.var.disc = d;
    if (!pt) {
      if (in->of.var.payload) return imp_fail(c, "a payload for a case that has %s%s", "none", "");
      return true;
    }
    comp_val *p = util_arena_try_alloc(c->arena, sizeof *p);
    if (!p) return imp_fail(c, "out of memory%s%s", "", "");
    if (!imp_part(c, pt, in->of.var.payload, p, depth, "payload", UINT64_MAX)) return false;
    out->u.var.p = p;
    return true;
  }
  case WELD_CT_OWN: case WELD_CT_BORROW:
    if (!in->of.handle.type) return imp_fail(c, "a handle without a resource type%s%s", "", "");
    out->u.h.rt = (comp_resource *)in->of.handle.type;
    out->u.h.rep = in->of.handle.rep;
    return true;
  default: return imp_fail(c, "the type is %s%s", kind_name(want), "");
  }
}

bool comp_val_from_public(const comp_ctype *t, const weld_cval *in, util_arena *arena, comp_val *out, const char *what,
                          char *why, size_t nwhy) {
  imp c = {arena, why, nwhy, ""};
  snprintf(c.path, sizeof c.path, "%s", what);
  return imp_value(&c, t, in, out, 0);
}

/* ---------- internal to public ---------------------------------------------------------- */

bool comp_val_to_public(const comp_ctype *t, const comp_val *in, util_arena *arena, weld_cval *out) {
  memset(out, 0, sizeof *out);
  weld_ctype_kind k = comp_public_kind(t);
  out->kind = k;
  switch (k) {
  case WELD_CT_BOOL: out->of.b = in->u.b; return true;
  case WELD_CT_S8: case WELD_CT_S16: case WELD_CT_S32: case WELD_CT_S64: out->of.s = in->u.i; return true;
  case WELD_CT_U8: case WELD_CT_U16: case WELD_CT_U32: case WELD_CT_U64: out->of.u = in->u.u; return true;
  case WELD_CT_F32: out->of.f32 = in->u.f32; return true;
  case WELD_CT_F64: out->of.f64 = in->u.f64; return true;
  case WELD_CT_CHAR: out->of.ch = in->u.c; return true;
  case WELD_CT_STRING:
    out->of.str.ptr = in->u.str.s ? in->u.str.s : "";
    out->of.str.len = in->u.str.len;
    return true;
  case WELD_CT_LIST: case WELD_CT_MAP: case WELD_CT_RECORD: case WELD_CT_TUPLE: {
    uint32_t n = in->u.seq.n;
    weld_cval *v = n ? util_arena_try_alloc(arena, n * sizeof *v) : NULL;
    if (n && !v) return false;
    const comp_ctype *el[2] = {t->a, t->b};
    comp_ctype entry = {.kind = CT_TUPLE, .n = 2, .elems = el};
    for (uint32_t i = 0; i < n; i++) {
      const comp_ctype *et = t->kind == CT_MAP ? &entry : (t->kind == CT_RECORD || t->kind == CT_TUPLE) ? t->elems[i] : t->a;
      if (!comp_val_to_public(et, &in->u.seq.v[i], arena, &v[i])) return false;
    }
    out->of.seq.items = v;
    out->of.seq.n = n;
    return true;
  }
  case WELD_CT_FLAGS: out->of.flags = in->u.flags; return true;
  case WELD_CT_ENUM: out->of.var.index = in->u.var.disc; return true;
  case WELD_CT_VARIANT: case WELD_CT_OPTION: case WELD_CT_RESULT: {
    uint32_t d = in->u.var.disc;
    out->of.var.index = d;
    const comp_ctype *pt = k == WELD_CT_VARIANT ? (d < t->n ? t->elems[d] : NULL)
                         : k == WELD_CT_OPTION  ? (d ? t->a : NULL)
                                                : (d ? t->b : t->a);
    if (!pt || !in->u.var.p) return true;
    weld_cval *p = util_arena_try_alloc(arena, sizeof *p);
    if (!p) return false;
    out->of.var.payload = p;
    return comp_val_to_public(pt, in->u.var.p, arena, p);
  }
  case WELD_CT_OWN: case WELD_CT_BORROW:
    out->of.handle.type = (weld_component_resource *)in->u.h.rt;
    out->of.handle.rep = in->u.h.rep;
    return true;
  default: return true;
  }
}

const char *comp_functype_param_name(const comp_ctype *ft, uint32_t i) {
  return ft && i < ft->n && ft->names ? ft->names[i].str : NULL; /* NUL-terminated copies */
}
