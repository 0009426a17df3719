/* Resolved component types: primitives, matching (with resource substitution), the
 * Canonical ABI's flattening, and printing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static UTIL_COLD_BSS comp_ctype prims[0x80];
static comp_ctype error_context = {.kind = CT_ERROR_CONTEXT, .prim = COMP_T_ERROR_CONTEXT};

const comp_ctype *ct_prim(uint8_t code) {
  if (code == COMP_T_ERROR_CONTEXT) {
    error_context.size = error_context.align = error_context.size64 = error_context.align64 = 4;
    return &error_context;
  }
  comp_ctype *t = &prims[code & 0x7f];
  /* written once per code with the same values, so concurrent first calls agree */
  t->kind = CT_PRIM;
  t->prim = code;
  t->needs_memory = code == COMP_T_STRING;
  switch (code) {
  case COMP_T_BOOL: case COMP_T_S8: case COMP_T_U8: t->size = t->align = 1; break;
  case COMP_T_S16: case COMP_T_U16: t->size = t->align = 2; break;
  case COMP_T_S64: case COMP_T_U64: case COMP_T_F64: t->size = t->align = 8; break;
  case COMP_T_STRING: t->size = 8; t->align = 4; break;
  default: t->size = t->align = 4; break;
  }
  t->size64 = code == COMP_T_STRING ? 16 : t->size;
  t->align64 = code == COMP_T_STRING ? 8 : t->align;
  return t;
}

/* ---------- the Canonical ABI's memory layout ------------------------------------- */

static uint64_t align_to(uint64_t x, uint32_t a) { return a ? (x + a - 1) / a * a : x; }
static uint64_t sat(uint64_t x) { return x > (1ull << 40) ? (1ull << 40) : x; }

/* A type's size and alignment in a 32-bit (w64 false) or 64-bit memory: strings and lists
 * are a pointer and a length, 8 or 16 bytes. */
static uint64_t size_of(const comp_ctype *t, bool w64) { return w64 ? t->size64 : t->size; }
static uint32_t align_of(const comp_ctype *t, bool w64) { return w64 ? t->align64 : t->align; }

/* a variant's: discriminant by case count, payloads at the largest payload alignment */
static void variant_layout(const comp_ctype *const *cases, uint32_t n, bool w64, uint64_t *size, uint32_t *align) {
  uint32_t disc = n <= 256 ? 1 : n <= 65536 ? 2 : 4;
  uint32_t ca = 1;
  uint64_t cs = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!cases[i]) continue;
    if (align_of(cases[i], w64) > ca) ca = align_of(cases[i], w64);
    if (size_of(cases[i], w64) > cs) cs = size_of(cases[i], w64);
  }
  *align = disc > ca ? disc : ca;
  *size = sat(align_to(align_to(disc, ca) + cs, *align));
}

static void layout(const comp_ctype *t, bool w64, uint64_t *size, uint32_t *align) {
  switch (t->kind) {
  case CT_RECORD:
  case CT_TUPLE: {
    uint64_t s = 0;
    uint32_t a = 1;
    for (uint32_t i = 0; i < t->n; i++) {
      s = sat(align_to(s, align_of(t->elems[i], w64)) + size_of(t->elems[i], w64));
      if (align_of(t->elems[i], w64) > a) a = align_of(t->elems[i], w64);
    }
    *align = a;
    *size = sat(align_to(s, a));
    return;
  }
  case CT_VARIANT: variant_layout(t->elems, t->n, w64, size, align); return;
  case CT_ENUM: *size = *align = t->n <= 256 ? 1 : t->n <= 65536 ? 2 : 4; return;
  case CT_OPTION: {
    const comp_ctype *cases[2] = {NULL, t->a};
    variant_layout(cases, 2, w64, size, align);
    return;
  }
  case CT_RESULT: {
    const comp_ctype *cases[2] = {t->a, t->b};
    variant_layout(cases, 2, w64, size, align);
    return;
  }
  case CT_FLAGS: *size = *align = t->n <= 8 ? 1 : t->n <= 16 ? 2 : 4; return;
  case CT_FIXED_LIST:
    *align = align_of(t->a, w64);
    *size = sat(size_of(t->a, w64) * t->len);
    return;
  case CT_LIST:
  case CT_MAP:
    *size = w64 ? 16 : 8;
    *align = w64 ? 8 : 4;
    return;
  default: *size = *align = 4; return; /* handles, stream, future */
  }
}

void ct_layout(comp_ctype *t) {
  layout(t, false, &t->size, &t->align);
  layout(t, true, &t->size64, &t->align64);
}

/* ---------- substitution ------------------------------------------------------------ */

const comp_ctype *ct_subst_find(const ct_subst *s, uint32_t rid) {
  if (!s) return NULL;
  for (uint32_t i = 0; i < s->n; i++)
    if (s->from[i] == rid) return s->to[i];
  return NULL;
}

bool ct_subst_add(ct_subst *s, uint32_t rid, const comp_ctype *to) {
  if (s->n == s->cap) {
    uint32_t nc = s->cap ? s->cap * 2 : 8;
    uint32_t *f = util_try_realloc(s->from, nc * sizeof *f);
    if (!f) return false;
    s->from = f;
    const comp_ctype **t = util_try_realloc((void *)s->to, nc * sizeof *t);
    if (!t) return false;
    s->to = t;
    s->cap = nc;
  }
  s->from[s->n] = rid;
  s->to[s->n++] = to;
  return true;
}

void ct_subst_free(ct_subst *s) {
  free(s->from);
  free((void *)s->to);
  memset(s, 0, sizeof *s);
}

/* The resource r stands for under s (r itself when unbound). */
static const comp_ctype *resolve_resource(const comp_ctype *r, ct_subst *s) {
  const comp_ctype *to = ct_subst_find(s, r->rid);
  return to ? to : r;
}

static bool names_eq(const wasm_name *a, const wasm_name *b) {
  return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
}

static const ct_extern *find_extern(const ct_extern *v, uint32_t n, const wasm_name *name) {
  for (uint32_t i = 0; i < n; i++)
    if (names_eq(&v[i].name, name)) return &v[i];
  return NULL;
}

static bool why_set(char *why, size_t n, const char *msg) {
  if (why && n && !why[0]) snprintf(why, n, "%s", msg);
  return false;
}

__attribute__((format(printf, 3, 4))) static bool why_fmt(char *why, size_t n, const char *fmt, ...) {
  if (why && n && !why[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
  }
  return false;
}

/* Puts "CONTEXT: " before the reason a nested match gave (the chain reads outside in:
 * "type mismatch in record field `x`: expected u32, found tuple"). */
__attribute__((format(printf, 3, 4))) static bool why_in(char *why, size_t n, const char *fmt, ...) {
  if (!why || !n) return false;
  char ctx[160], inner[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx, sizeof ctx, fmt, ap);
  va_end(ap);
  snprintf(inner, sizeof inner, "%s", why);
  if (inner[0]) snprintf(why, n, "%s: %s", ctx, inner);
  else snprintf(why, n, "%s", ctx);
  return false;
}

static const char *kind_name(int k) {
  /* names here are char arrays, not pointers: their tables need no relocations at start-up */
  static const char names[][18] = {"primitive", "record", "variant", "list", "fixed-length list", "tuple",
                                   "flags", "enum", "option", "result", "own", "borrow", "stream", "future",
                                   "map", "error-context", "func", "component", "instance", "resource",
                                   "core func", "core module"};
  return k >= 0 && k <= CT_CORE_MODULE ? names[k] : "?";
}

static const char *prim_name(uint8_t c);

/* What a type is, in a mismatch: a primitive by its name, the rest by their kind. */
static const char *type_desc(const comp_ctype *t) {
  return t->kind == CT_PRIM ? prim_name(t->prim) : kind_name(t->kind);
}

static const char *core_kind_name(int k) {
  static const char names[][7] = {"func", "table", "memory", "global", "tag"};
  return k >= 0 && k <= WASM_EXTERN_TAG ? names[k] : "?";
}

bool ct_core_func_eq(const wasm_functype *a, const wasm_functype *b) {
  return a->nparams == b->nparams && a->nresults == b->nresults &&
         (a->nparams == 0 || memcmp(a->params, b->params, a->nparams * sizeof *a->params) == 0) &&
         (a->nresults == 0 || memcmp(a->results, b->results, a->nresults * sizeof *a->results) == 0);
}

/* "(func (param i32) (result i64))" into buf */
static const char *core_func_text(const wasm_functype *ft, char *buf, size_t n) {
  size_t o = (size_t)snprintf(buf, n, "(func");
  for (int part = 0; part < 2; part++) {
    uint32_t cnt = part ? ft->nresults : ft->nparams;
    const wasm_vtype *v = part ? ft->results : ft->params;
    if (!cnt) continue;
    if (o < n) o += (size_t)snprintf(buf + o, n - o, " (%s", part ? "result" : "param");
    for (uint32_t i = 0; i < cnt && o < n; i++) o += (size_t)snprintf(buf + o, n - o, " %s", wasm_valtype_name(v[i]));
    if (o < n) o += (size_t)snprintf(buf + o, n - o, ")");
  }
  if (o < n) snprintf(buf + o, n - o, ")");
  return buf;
}

static bool limits_match(const wasm_limits *a, const wasm_limits *b) {
  if (a->min < b->min) return false;
  if (!b->has_max) return true;
  return a->has_max && a->max <= b->max;
}

/* a is what is given, b what is expected. */
bool ct_match_core_extern(const ct_core_extern *a, const ct_core_extern *b, char *why, size_t n) {
  if (a->kind != b->kind) return why_fmt(why, n, "expected %s, found %s", core_kind_name(b->kind), core_kind_name(a->kind));
  switch (a->kind) {
  case WASM_EXTERN_FUNC: {
    if (!a->func || !b->func) return true; /* a built-in whose core type is not modelled */
    if (ct_core_func_eq(&a->func->ft, &b->func->ft)) return true;
    char e[128], f[128];
    return why_fmt(why, n, "type mismatch: expected: %s, found: %s", core_func_text(&b->func->ft, e, sizeof e),
                   core_func_text(&a->func->ft, f, sizeof f));
  }
  case WASM_EXTERN_TAG:
    return (a->func && b->func && ct_core_func_eq(&a->func->ft, &b->func->ft)) || why_set(why, n, "mismatch in tag type");
  case WASM_EXTERN_TABLE:
    if (a->table.elem != b->table.elem)
      return why_fmt(why, n, "expected table element type %s, found %s", wasm_valtype_name(b->table.elem),
                     wasm_valtype_name(a->table.elem));
    return limits_match(&a->table.limits, &b->table.limits) || why_set(why, n, "mismatch in table limits");
  case WASM_EXTERN_MEMORY:
    if (a->memory.limits.shared != b->memory.limits.shared) return why_set(why, n, "mismatch in the shared flag for memories");
    return limits_match(&a->memory.limits, &b->memory.limits) || why_set(why, n, "mismatch in memory limits");
  default:
    if (a->global.type != b->global.type)
      return why_fmt(why, n, "expected global type %s, found %s", wasm_valtype_name(b->global.type),
                     wasm_valtype_name(a->global.type));
    return a->global.mut == b->global.mut || why_set(why, n, "mismatch in global mutability");
  }
}

/* The field or case names of a record, variant, flags or enum type, as the messages say. */
static bool match_at(const comp_ctype *a, const comp_ctype *b, ct_subst *s, char *why, size_t n, unsigned depth);

static bool match_fields(const comp_ctype *a, const comp_ctype *b, ct_subst *s, char *why, size_t n, unsigned depth) {
  switch (a->kind) {
  case CT_FLAGS:
  case CT_ENUM:
    if (a->n != b->n) return why_set(why, n, a->kind == CT_FLAGS ? "mismatch in flags elements" : "mismatch in enum elements");
    for (uint32_t i = 0; i < a->n; i++)
      if (!names_eq(&a->names[i], &b->names[i]))
        return why_set(why, n, a->kind == CT_FLAGS ? "mismatch in flags elements" : "mismatch in enum elements");
    return true;
  case CT_RECORD:
    if (a->n != b->n) return why_fmt(why, n, "expected %u fields, found %u", b->n, a->n);
    for (uint32_t i = 0; i < a->n; i++) {
      if (!names_eq(&a->names[i], &b->names[i]))
        return why_fmt(why, n, "expected field name `%s`, found `%s`", b->names[i].str, a->names[i].str);
      if (!match_at(a->elems[i], b->elems[i], s, why, n, depth + 1))
        return why_in(why, n, "type mismatch in record field `%s`", a->names[i].str);
    }
    return true;
  case CT_VARIANT:
    if (a->n != b->n) return why_fmt(why, n, "expected %u cases, found %u", b->n, a->n);
    for (uint32_t i = 0; i < a->n; i++) {
      if (!names_eq(&a->names[i], &b->names[i]))
        return why_fmt(why, n, "expected case named `%s`, found `%s`", b->names[i].str, a->names[i].str);
      if (!a->elems) continue;
      if (b->elems[i] && !a->elems[i])
        return why_fmt(why, n, "expected case `%s` to have a type, found none", b->names[i].str);
      if (!b->elems[i] && a->elems[i]) return why_fmt(why, n, "expected case `%s` to have no type", b->names[i].str);
      if (a->elems[i] && !match_at(a->elems[i], b->elems[i], s, why, n, depth + 1))
        return why_in(why, n, "type mismatch in variant case `%s`", a->names[i].str);
    }
    return true;
  default: /* tuple */
    if (a->n != b->n) return why_fmt(why, n, "expected %u types, found %u", b->n, a->n);
    for (uint32_t i = 0; i < a->n; i++)
      if (!match_at(a->elems[i], b->elems[i], s, why, n, depth + 1))
        return why_in(why, n, "type mismatch in tuple field %u", i);
    return true;
  }
}

/* depth 0 is a defined type as a whole, deeper ones are value types inside one: a
 * primitive expected at the top is "primitive", inside it is named. */
static bool match_at(const comp_ctype *a, const comp_ctype *b, ct_subst *s, char *why, size_t n, unsigned depth) {
  if (a == b && (!s || s->n == 0)) return true;
  if (b->kind == CT_RESOURCE) {
    if (a->kind != CT_RESOURCE) return why_set(why, n, "expected resource");
    const comp_ctype *rb = resolve_resource(b, s);
    if (resolve_resource(a, s)->rid == rb->rid) return true;
    return why_set(why, n, "resource types are not the same");
  }
  if (a->kind != b->kind) {
    const char *want = b->kind == CT_PRIM && depth > 0 ? prim_name(b->prim) : kind_name(b->kind);
    return why_fmt(why, n, "expected %s, found %s", want, type_desc(a));
  }
  switch (a->kind) {
  case CT_PRIM:
    return a->prim == b->prim ||
           why_fmt(why, n, "expected primitive `%s` found primitive `%s`", prim_name(b->prim), prim_name(a->prim));
  case CT_ERROR_CONTEXT: return true;
  case CT_RECORD:
  case CT_VARIANT:
  case CT_TUPLE:
  case CT_FLAGS:
  case CT_ENUM: return match_fields(a, b, s, why, n, depth);
  case CT_FIXED_LIST:
    if (a->len != b->len) return why_fmt(why, n, "expected list of length %u, found %u", b->len, a->len);
    /* fallthrough */
  case CT_LIST:
  case CT_OPTION:
  case CT_OWN:
  case CT_BORROW:
  case CT_STREAM:
  case CT_FUTURE:
  case CT_MAP:
    if (!a->a != !b->a || !a->b != !b->b) return why_set(why, n, "mismatched optional types");
    /* no context for element types: the chain stays short enough to keep the reason */
    return (!a->a || match_at(a->a, b->a, s, why, n, depth + 1)) && (!a->b || match_at(a->b, b->b, s, why, n, depth + 1));
  case CT_RESULT:
    if (b->a && !a->a) return why_set(why, n, "expected ok type, but found none");
    if (!b->a && a->a) return why_set(why, n, "expected ok type to not be present");
    if (b->b && !a->b) return why_set(why, n, "expected err type, but found none");
    if (!b->b && a->b) return why_set(why, n, "expected err type to not be present");
    if (a->a && !match_at(a->a, b->a, s, why, n, depth + 1)) return why_in(why, n, "type mismatch in ok variant");
    if (a->b && !match_at(a->b, b->b, s, why, n, depth + 1)) return why_in(why, n, "type mismatch in err variant");
    return true;
  case CT_FUNC:
    if (a->async != b->async) return why_set(why, n, b->async ? "expected an async function" : "expected a sync function");
    if (a->n != b->n) return why_fmt(why, n, "expected %u parameters, found %u", b->n, a->n);
    for (uint32_t i = 0; i < a->n; i++) {
      if (!names_eq(&a->names[i], &b->names[i]))
        return why_fmt(why, n, "expected parameter named `%s`, found `%s`", b->names[i].str, a->names[i].str);
      if (!match_at(a->elems[i], b->elems[i], s, why, n, 1))
        return why_in(why, n, "type mismatch in function parameter `%s`", a->names[i].str);
    }
    /* the suite's wording names the given function's result as "expected" here */
    if (!b->a && a->a) return why_set(why, n, "expected a result, found none");
    if (b->a && !a->a) return why_set(why, n, "expected no result, found one");
    return !a->a || match_at(a->a, b->a, s, why, n, 1) || why_in(why, n, "type mismatch with result type");
  case CT_INSTANCE:
    /* a may export more than b asks for */
    for (uint32_t i = 0; i < b->nexports; i++) {
      const ct_extern *e = find_extern(a->exports, a->nexports, &b->exports[i].name);
      if (!e) return why_fmt(why, n, "missing expected export `%s`", b->exports[i].name.str);
      if (e->kind != b->exports[i].kind)
        return why_fmt(why, n, "type mismatch in instance export `%s`: expected %s, found %s", b->exports[i].name.str,
                       comp_extern_kind_name(b->exports[i].kind), comp_extern_kind_name(e->kind));
      const comp_ctype *want = b->exports[i].type;
      if (s && e->kind == COMP_EXT_TYPE && want->kind == CT_RESOURCE && want->rid >= s->fresh_lo &&
          want->rid < s->fresh_hi && !ct_subst_find(s, want->rid)) {
        /* an abstract resource of an imported instance's type: the given one takes its place */
        if (e->type->kind != CT_RESOURCE) return why_set(why, n, "expected resource");
        if (!ct_subst_add(s, want->rid, resolve_resource(e->type, s))) return why_set(why, n, "out of memory");
        continue;
      }
      if (!match_at(e->type, want, s, why, n, 0))
        return why_in(why, n, "type mismatch in instance export `%s`", b->exports[i].name.str);
    }
    return true;
  case CT_COMPONENT: {
    /* a may import less and export more. Each type's abstract resources are its own:
     * a's imported resources take the expected type's imports' place, and the expected
     * type's exported resources the given ones' (bindings local to this match). */
    ct_subst local = {0};
    ct_subst *u = s ? s : &local;
    uint32_t mark = u->n;
    bool ok = true;
    for (uint32_t i = 0; ok && i < a->nimports; i++) {
      const ct_extern *ai = &a->imports[i];
      const ct_extern *e = find_extern(b->imports, b->nimports, &ai->name);
      if (!e) {
        ok = why_fmt(why, n, "missing expected import `%s`", ai->name.str);
      } else if (e->kind == COMP_EXT_TYPE && ai->kind == COMP_EXT_TYPE && ai->type->kind == CT_RESOURCE &&
                 e->type->kind == CT_RESOURCE && !ct_subst_find(u, ai->type->rid)) {
        if (!ct_subst_add(u, ai->type->rid, resolve_resource(e->type, u))) ok = why_set(why, n, "out of memory");
      } else if (e->kind != ai->kind) {
        ok = why_fmt(why, n, "type mismatch in import `%s`: expected %s, found %s", ai->name.str,
                     comp_extern_kind_name(ai->kind), comp_extern_kind_name(e->kind));
      } else if (!match_at(e->type, ai->type, u, why, n, 0)) {
        ok = why_in(why, n, "type mismatch in import `%s`", ai->name.str);
      }
    }
    for (uint32_t i = 0; ok && i < b->nexports; i++) {
      const ct_extern *be = &b->exports[i];
      const ct_extern *e = find_extern(a->exports, a->nexports, &be->name);
      if (!e) {
        ok = why_fmt(why, n, "missing expected export `%s`", be->name.str);
      } else if (e->kind == COMP_EXT_TYPE && be->kind == COMP_EXT_TYPE && be->type->kind == CT_RESOURCE &&
                 e->type->kind == CT_RESOURCE && !ct_subst_find(u, be->type->rid) &&
                 resolve_resource(e->type, u)->rid != be->type->rid) {
        if (!ct_subst_add(u, be->type->rid, resolve_resource(e->type, u))) ok = why_set(why, n, "out of memory");
      } else if (e->kind != be->kind) {
        ok = why_fmt(why, n, "type mismatch in export `%s`: expected %s, found %s", be->name.str,
                     comp_extern_kind_name(be->kind), comp_extern_kind_name(e->kind));
      } else if (!match_at(e->type, be->type, u, why, n, 0)) {
        ok = why_in(why, n, "type mismatch in export `%s`", be->name.str);
      }
    }
    u->n = mark;
    if (u == &local) ct_subst_free(&local);
    return ok;
  }
  case CT_CORE_FUNC: {
    if (ct_core_func_eq(&a->ft, &b->ft)) return true;
    char e[128], f[128];
    return why_fmt(why, n, "type mismatch: expected: %s, found: %s", core_func_text(&b->ft, e, sizeof e),
                   core_func_text(&a->ft, f, sizeof f));
  }
  case CT_CORE_MODULE:
    /* the given module may import less (each of its imports must be offered) and export more */
    for (uint32_t i = 0; i < a->ncimports; i++) {
      const ct_core_extern *ai = &a->cimports[i], *bi = NULL;
      for (uint32_t j = 0; j < b->ncimports && !bi; j++)
        if (names_eq(&b->cimports[j].module, &ai->module) && names_eq(&b->cimports[j].name, &ai->name)) bi = &b->cimports[j];
      if (!bi) return why_fmt(why, n, "missing expected import `%s::%s`", ai->module.str, ai->name.str);
      if (!ct_match_core_extern(bi, ai, why, n))
        return why_in(why, n, "type mismatch in import `%s::%s`", ai->module.str, ai->name.str);
    }
    for (uint32_t i = 0; i < b->ncexports; i++) {
      const ct_core_extern *be = &b->cexports[i], *ae = NULL;
      for (uint32_t j = 0; j < a->ncexports && !ae; j++)
        if (names_eq(&a->cexports[j].name, &be->name)) ae = &a->cexports[j];
      if (!ae) return why_fmt(why, n, "missing expected export `%s`", be->name.str);
      if (!ct_match_core_extern(ae, be, why, n)) return why_in(why, n, "type mismatch in export `%s`", be->name.str);
    }
    return true;
  default: return true;
  }
}

bool ct_match(const comp_ctype *a, const comp_ctype *b, ct_subst *s, char *why, size_t n) {
  return match_at(a, b, s, why, n, 0);
}

/* ---------- applying a substitution ------------------------------------------------ */

static bool mentions(const comp_ctype *t, ct_subst *s, unsigned depth) {
  if (!t || depth > 200) return false;
  if (t->kind != CT_RESOURCE && t->rid && ct_subst_find(s, t->rid)) return true;
  switch (t->kind) {
  case CT_RESOURCE:
    return ct_subst_find(s, t->rid) || (t->rid >= s->fresh_lo && t->rid < s->fresh_hi);
  case CT_PRIM:
  case CT_ERROR_CONTEXT:
  case CT_CORE_FUNC:
  case CT_CORE_MODULE: return false;
  default: break;
  }
  if (mentions(t->a, s, depth + 1) || mentions(t->b, s, depth + 1)) return true;
  if (t->elems)
    for (uint32_t i = 0; i < t->n; i++)
      if (mentions(t->elems[i], s, depth + 1)) return true;
  for (uint32_t i = 0; i < t->nimports; i++)
    if (mentions(t->imports[i].type, s, depth + 1)) return true;
  for (uint32_t i = 0; i < t->nexports; i++)
    if (mentions(t->exports[i].type, s, depth + 1)) return true;
  return false;
}

static const comp_ctype *apply(const comp_ctype *t, ct_subst *s, unsigned depth);

static bool apply_externs(ct_extern **v, uint32_t n, ct_subst *s, unsigned depth) {
  if (n == 0) return true;
  ct_extern *c = util_arena_try_alloc(s->arena, n * sizeof *c);
  if (!c) return false;
  for (uint32_t i = 0; i < n; i++) {
    c[i] = (*v)[i];
    if (!(c[i].type = apply(c[i].type, s, depth + 1))) return false;
  }
  *v = c;
  return true;
}

static const comp_ctype *apply(const comp_ctype *t, ct_subst *s, unsigned depth) {
  if (!t || !mentions(t, s, 0)) return t;
  if (t->kind != CT_RESOURCE && t->rid) {
    /* a defined type imported with `eq`: the instantiation's argument stands for it */
    const comp_ctype *to = ct_subst_find(s, t->rid);
    if (to) return to;
  }
  if (t->kind == CT_RESOURCE) {
    const comp_ctype *to = ct_subst_find(s, t->rid);
    if (to) return to;
    /* created inside the component being instantiated: a new type per instance */
    comp_ctype *f = util_arena_try_alloc(s->arena, sizeof *f);
    if (!f) return NULL;
    *f = *t;
    f->rid = (*s->next_rid)++;
    if (!ct_subst_add(s, t->rid, f)) return NULL;
    return f;
  }
  comp_ctype *c = util_arena_try_alloc(s->arena, sizeof *c);
  if (!c) return NULL;
  *c = *t;
  if (t->a && !(c->a = apply(t->a, s, depth + 1))) return NULL;
  if (t->b && !(c->b = apply(t->b, s, depth + 1))) return NULL;
  if (t->elems) {
    const comp_ctype **e = util_arena_try_alloc(s->arena, (t->n ? t->n : 1) * sizeof *e);
    if (!e) return NULL;
    for (uint32_t i = 0; i < t->n; i++)
      if (t->elems[i] && !(e[i] = apply(t->elems[i], s, depth + 1))) return NULL;
    c->elems = e;
  }
  if (!apply_externs(&c->imports, c->nimports, s, depth) || !apply_externs(&c->exports, c->nexports, s, depth))
    return NULL;
  return c;
}

const comp_ctype *ct_apply(const comp_ctype *t, ct_subst *s) { return apply(t, s, 0); }

/* ---------- the Canonical ABI's flattening ----------------------------------------- */

enum { MAX_FLAT_PARAMS = 16, MAX_FLAT_ASYNC_PARAMS = 4, MAX_FLAT_RESULTS = 1 };

typedef struct flat {
  uint8_t *v;
  uint32_t n, max; /* n counts beyond max; only the first max are stored */
} flat;

static void push(flat *f, uint8_t t) {
  if (f->n < f->max) f->v[f->n] = t;
  f->n++;
}

static uint8_t join(uint8_t a, uint8_t b) {
  if (a == b) return a;
  if ((a == WASM_I32 && b == WASM_F32) || (a == WASM_F32 && b == WASM_I32)) return WASM_I32;
  return WASM_I64;
}

static void flatten(const comp_ctype *t, flat *f) {
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_S64: case COMP_T_U64: push(f, WASM_I64); return;
    case COMP_T_F32: push(f, WASM_F32); return;
    case COMP_T_F64: push(f, WASM_F64); return;
    case COMP_T_STRING: push(f, WASM_I32); push(f, WASM_I32); return;
    default: push(f, WASM_I32); return;
    }
  case CT_LIST:
  case CT_MAP: push(f, WASM_I32); push(f, WASM_I32); return;
  case CT_FIXED_LIST:
    for (uint32_t i = 0; i < t->len && f->n <= f->max; i++) flatten(t->a, f);
    return;
  case CT_RECORD:
  case CT_TUPLE:
    for (uint32_t i = 0; i < t->n; i++) flatten(t->elems[i], f);
    return;
  case CT_FLAGS:
  case CT_ENUM:
  case CT_OWN:
  case CT_BORROW:
  case CT_STREAM:
  case CT_FUTURE:
  case CT_ERROR_CONTEXT: push(f, WASM_I32); return;
  case CT_VARIANT:
  case CT_OPTION:
  case CT_RESULT: {
    /* the discriminant, then each position joined across the cases */
    const comp_ctype *cases[2];
    const comp_ctype **cv = cases;
    uint32_t nc;
    if (t->kind == CT_VARIANT) { cv = t->elems; nc = t->n; }
    else if (t->kind == CT_OPTION) { cases[0] = NULL; cases[1] = t->a; nc = 2; }
    else { cases[0] = t->a; cases[1] = t->b; nc = 2; }
    push(f, WASM_I32);
    uint32_t base = f->n;
    uint8_t joined[64];
    uint32_t nj = 0;
    for (uint32_t i = 0; i < nc; i++) {
      if (!cv[i]) continue;
      uint8_t tmp[64];
      flat g = {tmp, 0, 64};
      flatten(cv[i], &g);
      for (uint32_t k = 0; k < g.n && k < 64; k++) {
        if (k < nj) joined[k] = join(joined[k], tmp[k]);
        else joined[nj++] = tmp[k];
      }
      if (g.n > 64) nj = 65; /* longer than any signature that matters: just count */
    }
    (void)base;
    for (uint32_t k = 0; k < nj && k < 64; k++) push(f, joined[k]);
    if (nj > 64) f->n += nj - 64;
    return;
  }
  default: return;
  }
}

uint32_t ct_flatten(const comp_ctype *t, uint8_t *out, uint32_t max) {
  flat f = {out, 0, max};
  flatten(t, &f);
  return f.n;
}

bool ct_flatten_func(const comp_ctype *ft, bool lift, bool async, bool callback, util_arena *arena,
                     wasm_functype *out) {
  uint8_t params[MAX_FLAT_PARAMS + 2], results[MAX_FLAT_RESULTS + 1];
  flat p = {params, 0, MAX_FLAT_PARAMS + 1};
  for (uint32_t i = 0; i < ft->n; i++) flatten(ft->elems[i], &p);
  flat r = {results, 0, MAX_FLAT_RESULTS + 1};
  if (ft->a) flatten(ft->a, &r);
  uint32_t np = p.n, nr = r.n;
  if (!async) {
    if (np > MAX_FLAT_PARAMS) { params[0] = WASM_I32; np = 1; }
    if (nr > MAX_FLAT_RESULTS) {
      if (lift) { results[0] = WASM_I32; nr = 1; }
      else { params[np < MAX_FLAT_PARAMS + 1 ? np : MAX_FLAT_PARAMS + 1] = WASM_I32; np++; nr = 0; }
    }
  } else if (lift) {
    if (np > MAX_FLAT_PARAMS) { params[0] = WASM_I32; np = 1; }
    if (callback) { results[0] = WASM_I32; nr = 1; }
    else nr = 0;
  } else {
    if (np > MAX_FLAT_ASYNC_PARAMS) { params[0] = WASM_I32; np = 1; }
    if (nr > 0) params[np++] = WASM_I32;
    results[0] = WASM_I32;
    nr = 1;
  }
  /* core value types are 32-bit words (module.h's wasm_vtype) */
  wasm_vtype *pv = util_arena_try_alloc(arena, (np ? np : 1) * sizeof *pv);
  wasm_vtype *rv = util_arena_try_alloc(arena, (nr ? nr : 1) * sizeof *rv);
  if (!pv || !rv) return false;
  for (uint32_t i = 0; i < np; i++) pv[i] = params[i];
  for (uint32_t i = 0; i < nr; i++) rv[i] = results[i];
  *out = (wasm_functype){np, nr, pv, rv};
  return true;
}

/* ---------- printing ----------------------------------------------------------------- */

static const char *prim_name(uint8_t c) {
  static const char names[][7] = {"string", "char", "f64", "f32", "u64", "s64", "u32",
                                  "s32", "u16", "s16", "u8", "s8", "bool"};
  if (c == COMP_T_ERROR_CONTEXT) return "error-context";
  return c >= COMP_T_STRING && c <= COMP_T_BOOL ? names[c - COMP_T_STRING] : "?";
}

static void print_name(FILE *out, const wasm_name *n) {
  fputc('"', out);
  for (uint32_t i = 0; i < n->len; i++) {
    unsigned char ch = (unsigned char)n->str[i];
    if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f) fprintf(out, "\\%02x", ch);
    else fputc(ch, out);
  }
  fputc('"', out);
}

void comp_ctype_print(FILE *out, const comp_ctype *t, int depth) {
  if (!t) { fputs("?", out); return; }
  if (depth > 8) { fputs("...", out); return; }
  switch (t->kind) {
  case CT_PRIM:
  case CT_ERROR_CONTEXT: fputs(prim_name(t->prim), out); return;
  case CT_RECORD:
  case CT_VARIANT:
    fputs(t->kind == CT_RECORD ? "(record" : "(variant", out);
    for (uint32_t i = 0; i < t->n; i++) {
      fputs(t->kind == CT_RECORD ? " (field " : " (case ", out);
      print_name(out, &t->names[i]);
      if (t->elems[i]) { fputc(' ', out); comp_ctype_print(out, t->elems[i], depth + 1); }
      fputc(')', out);
    }
    fputc(')', out);
    return;
  case CT_FLAGS:
  case CT_ENUM:
    fputs(t->kind == CT_FLAGS ? "(flags" : "(enum", out);
    for (uint32_t i = 0; i < t->n; i++) { fputc(' ', out); print_name(out, &t->names[i]); }
    fputc(')', out);
    return;
  case CT_TUPLE:
    fputs("(tuple", out);
    for (uint32_t i = 0; i < t->n; i++) { fputc(' ', out); comp_ctype_print(out, t->elems[i], depth + 1); }
    fputc(')', out);
    return;
  case CT_LIST:
  case CT_OPTION:
  case CT_OWN:
  case CT_BORROW:
  case CT_STREAM:
  case CT_FUTURE: {
    static const char kw[][7] = {[CT_LIST] = "list", [CT_OPTION] = "option", [CT_OWN] = "own",
                                 [CT_BORROW] = "borrow", [CT_STREAM] = "stream", [CT_FUTURE] = "future"};
    fprintf(out, "(%s", kw[t->kind]);
    if (t->a) { fputc(' ', out); comp_ctype_print(out, t->a, depth + 1); }
    fputc(')', out);
    return;
  }
  case CT_FIXED_LIST:
    fputs("(list ", out);
    comp_ctype_print(out, t->a, depth + 1);
    fprintf(out, " %u)", t->len);
    return;
  case CT_MAP:
    fputs("(map ", out);
    comp_ctype_print(out, t->a, depth + 1);
    fputc(' ', out);
    comp_ctype_print(out, t->b, depth + 1);
    fputc(')', out);
    return;
  case CT_RESULT:
    fputs("(result", out);
    if (t->a) { fputc(' ', out); comp_ctype_print(out, t->a, depth + 1); }
    if (t->b) { fputs(" (error ", out); comp_ctype_print(out, t->b, depth + 1); fputc(')', out); }
    fputc(')', out);
    return;
  case CT_RESOURCE: fprintf(out, "(resource %u)", t->rid); return;
  case CT_FUNC:
    fputs(t->async ? "(func async" : "(func", out);
    for (uint32_t i = 0; i < t->n; i++) {
      fputs(" (param ", out);
      print_name(out, &t->names[i]);
      fputc(' ', out);
      comp_ctype_print(out, t->elems[i], depth + 1);
      fputc(')', out);
    }
    if (t->a) { fputs(" (result ", out); comp_ctype_print(out, t->a, depth + 1); fputc(')', out); }
    fputc(')', out);
    return;
  case CT_COMPONENT:
  case CT_INSTANCE:
    fputs(t->kind == CT_COMPONENT ? "(component" : "(instance", out);
    for (int pass = 0; pass < 2; pass++) {
      const ct_extern *v = pass ? t->exports : t->imports;
      uint32_t n = pass ? t->nexports : t->nimports;
      for (uint32_t i = 0; i < n; i++) {
        fprintf(out, " (%s ", pass ? "export" : "import");
        print_name(out, &v[i].name);
        fprintf(out, " (%s ", comp_extern_kind_name(v[i].kind));
        comp_ctype_print(out, v[i].type, depth + 1);
        fputs("))", out);
      }
    }
    fputc(')', out);
    return;
  case CT_CORE_FUNC:
    fputs("(core func", out);
    if (t->ft.nparams) {
      fputs(" (param", out);
      for (uint32_t i = 0; i < t->ft.nparams; i++) fprintf(out, " %s", wasm_valtype_name(t->ft.params[i]));
      fputc(')', out);
    }
    if (t->ft.nresults) {
      fputs(" (result", out);
      for (uint32_t i = 0; i < t->ft.nresults; i++) fprintf(out, " %s", wasm_valtype_name(t->ft.results[i]));
      fputc(')', out);
    }
    fputc(')', out);
    return;
  case CT_CORE_MODULE:
    fprintf(out, "(core module (%u imports) (%u exports))", t->ncimports, t->ncexports);
    return;
  default: fputs("?", out); return;
  }
}

const char *comp_extern_kind_name(uint8_t kind) {
  static const char names[][12] = {"core module", "func", "value", "type", "component", "instance"};
  return kind <= COMP_EXT_INSTANCE ? names[kind] : "?";
}
