/* C guest bindings for a world: a header (C types for the WIT types, prototypes of the
 * imported functions and of the exported functions the user defines) and the glue that
 * lifts and lowers through the flat canonical ABI. On wasm32 the C layouts chosen here
 * (`{ptr, len}` with 4-byte size_t and pointers, `{bool tag; payload}`, structs of
 * naturally aligned fields) are the canonical ABI's memory layouts, so a value stored by
 * the glue in its return area is the C value itself. Resources: an imported one's handles
 * (`{int32_t handle}`), drop and functions; an exported one's representation (the
 * program's struct; a borrow is its pointer), own handles, the canonical built-ins
 * (resource.new/rep/drop) and the destructor export. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct bg {
  util_buf *h, *c;
  util_error *err;
  const char *world; /* the world's name in snake case */
  util_buf seen;     /* "\n"-separated names of the types already defined */
  const wit_world *w;
} bg;

static bool fail(bg *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(bg *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g->err->kind = UTIL_ERR_LIMIT;
  vsnprintf(g->err->msg, sizeof g->err->msg, fmt, ap);
  va_end(ap);
  return false;
}

static bool fail_oom(bg *g) {
  g->err->kind = UTIL_ERR_OOM;
  snprintf(g->err->msg, sizeof g->err->msg, "out of memory");
  return false;
}

/* kebab-case to snake_case */
static void snake(char *dst, size_t n, const char *s) {
  size_t i = 0;
  for (; s[i] && i + 1 < n; i++) dst[i] = s[i] == '-' ? '_' : s[i];
  dst[i] = 0;
}

/* d = a followed by b, cut to n - 1 bytes */
static void cat2(char *d, size_t n, const char *a, const char *b) {
  size_t k = 0;
  for (; *a && k + 1 < n; a++) d[k++] = *a;
  for (; *b && k + 1 < n; b++) d[k++] = *b;
  d[k] = 0;
}

static const char *prim_c(wit_tkind k) {
  /* names here are char arrays, not pointers: their tables need no relocations at start-up */
  static const char c[][9] = {"bool",     "int8_t",   "int16_t", "int32_t",  "int64_t",
                              "uint8_t",  "uint16_t", "uint32_t", "uint64_t", "float",
                              "double",   "uint32_t"};
  return k <= WIT_CHAR ? c[k] : NULL;
}
static const char *prim_w(wit_tkind k) {
  static const char w[][7] = {"bool", "s8", "s16", "s32", "s64", "u8", "u16", "u32",
                              "u64",  "f32", "f64", "char", "string"};
  return k <= WIT_STRING ? w[k] : NULL;
}

/* The mangled name of a type (`list_u32`, `option_f64`, `tuple2_s64_u8`), its C type
 * name in *ctype; defines the C type in the header the first time. */
static bool ctype(bg *g, const wit_type *t0, const char *fn, char *mangle, size_t mn, char *ct, size_t cn);

static bool seen(bg *g, const char *name) {
  size_t n = strlen(name);
  const char *p = g->seen.p ? (const char *)g->seen.p : "";
  for (const char *s = p; (s = strstr(s, name)) != NULL; s++)
    if ((s == p || s[-1] == '\n') && s[n] == '\n') return true;
  util_buf_puts(&g->seen, name);
  util_buf_puts(&g->seen, "\n");
  return false;
}

/* ---------- resources ---------------------------------------------------------------- */

/* Whether resource r belongs to an interface the world exports (the program implements
 * it) rather than one it imports. */
static bool res_exported(const bg *g, const wit_def *r) {
  for (size_t i = 0; i < g->w->nexports; i++)
    if ((g->w->exports[i].kind == WIT_ITEM_IFACE || g->w->exports[i].kind == WIT_ITEM_INLINE) &&
        g->w->exports[i].iface == r->owner)
      return true;
  return false;
}

/* The C type of a handle: an imported resource's `WORLD_own_R_t` / `WORLD_borrow_R_t`
 * (the handle's index), an exported one's `exports_WORLD_own_R_t` (an own handle's index)
 * and `exports_WORLD_R_t *` (a borrow reaching its own component is the representation). */
static bool handle_ctype(bg *g, const wit_def *r, wit_tkind kind, char *m, size_t mn, char *ct, size_t cn) {
  char nm[128];
  snake(nm, sizeof nm, r->name);
  bool ex = res_exported(g, r);
  snprintf(m, mn, "%s%s_%s", ex ? "x" : "", kind == WIT_OWN ? "own" : "borrow", nm);
  if (ex && kind == WIT_BORROW) snprintf(ct, cn, "exports_%s_%s_t *", g->world, nm);
  else snprintf(ct, cn, "%s%s_%s_%s_t", ex ? "exports_" : "", g->world, kind == WIT_OWN ? "own" : "borrow", nm);
  return true;
}

static const char *disc_c(size_t n) { return n <= 256 ? "uint8_t" : n <= 65536 ? "uint16_t" : "uint32_t"; }

/* A record, variant, enum or flags: `WORLD_NAME_t`, with constants for cases and flags. */
static bool named_ctype(bg *g, const wit_def *d, const char *fn, char *m, size_t mn, char *ct, size_t cn) {
  if (d && d->kind == WIT_D_RESOURCE) return handle_ctype(g, d, WIT_OWN, m, mn, ct, cn);
  if (!d || d->kind > WIT_D_FLAGS)
    return fail(g, "not supported: function `%s` uses the resource `%s` (handles)", fn, d ? d->name : "?");
  if (d->kind == WIT_D_FLAGS && d->nfields > 32)
    return fail(g, "not supported: flags `%s` with more than 32 flags", d->name);
  char nm[128], up[300], fm[256], fc[256];
  snake(nm, sizeof nm, d->name);
  cat2(m, mn, nm, "");
  cat2(ct, cn, g->world, "_");
  cat2(ct + strlen(ct), cn - strlen(ct), nm, "_t");
  if (seen(g, m)) return true;
  util_buf def = {0};
  size_t i;
  cat2(up, sizeof up, g->world, "_");
  cat2(up + strlen(up), sizeof up - strlen(up), nm, "");
  for (i = 0; up[i]; i++) up[i] = (char)(up[i] >= 'a' && up[i] <= 'z' ? up[i] - 32 : up[i]);
  switch (d->kind) {
  case WIT_D_RECORD:
    util_buf_puts(&def, "typedef struct {");
    for (i = 0; i < d->nfields; i++) {
      if (!ctype(g, d->fields[i].type, fn, fm, sizeof fm, fc, sizeof fc)) return util_buf_free(&def), false;
      snake(nm, sizeof nm, d->fields[i].name);
      util_buf_printf(&def, " %s %s;", fc, nm);
    }
    util_buf_printf(&def, " } %s;\n", ct);
    break;
  case WIT_D_ENUM:
  case WIT_D_FLAGS:
    util_buf_printf(&def, "typedef %s %s;\n", d->kind == WIT_D_ENUM ? disc_c(d->nfields) : d->nfields <= 8 ? "uint8_t" : d->nfields <= 16 ? "uint16_t" : "uint32_t", ct);
    for (i = 0; i < d->nfields; i++) {
      snake(nm, sizeof nm, d->fields[i].name);
      for (char *q = nm; *q; q++) *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
      if (d->kind == WIT_D_ENUM) util_buf_printf(&def, "#define %s_%s %zu\n", up, nm, i);
      else util_buf_printf(&def, "#define %s_%s (1u << %zu)\n", up, nm, i);
    }
    break;
  default: { /* variant */
    util_buf u = {0};
    for (i = 0; i < d->nfields; i++) {
      snake(nm, sizeof nm, d->fields[i].name);
      if (d->fields[i].type) {
        if (!ctype(g, d->fields[i].type, fn, fm, sizeof fm, fc, sizeof fc)) return util_buf_free(&def), util_buf_free(&u), false;
        util_buf_printf(&u, " %s %s;", fc, nm);
      }
      for (char *q = nm; *q; q++) *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
      util_buf_printf(&def, "#define %s_%s %zu\n", up, nm, i);
    }
    util_buf_printf(&def, "typedef struct { %s tag;", disc_c(d->nfields));
    if (u.len) util_buf_printf(&def, " union {%s } val;", (const char *)u.p);
    util_buf_printf(&def, " } %s;\n", ct);
    util_buf_free(&u);
    break;
  }
  }
  util_buf_put(g->h, def.p, def.len);
  util_buf_free(&def);
  return true;
}

static bool ctype(bg *g, const wit_type *t0, const char *fn, char *m, size_t mn, char *ct, size_t cn) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  if (!t) return named_ctype(g, d, fn, m, mn, ct, cn);
  if (t->kind <= WIT_CHAR) {
    snprintf(m, mn, "%s", prim_w(t->kind));
    snprintf(ct, cn, "%s", prim_c(t->kind));
    return true;
  }
  char am[256], ac[256], bm[256], bc[256];
  util_buf def = {0};
  switch (t->kind) {
  case WIT_STRING:
    snprintf(m, mn, "string");
    util_buf_printf(&def, "typedef struct { uint8_t *ptr; size_t len; } %s_string_t;\n", g->world);
    break;
  case WIT_LIST:
    if (t->fixed) return fail(g, "not supported: function `%s` uses a fixed-length list", fn);
    if (!ctype(g, t->a, fn, am, sizeof am, ac, sizeof ac)) return false;
    cat2(m, mn, "list_", am);
    util_buf_printf(&def, "typedef struct { %s *ptr; size_t len; } %s_%s_t;\n", ac, g->world, m);
    break;
  case WIT_OPTION:
    if (!ctype(g, t->a, fn, am, sizeof am, ac, sizeof ac)) return false;
    cat2(m, mn, "option_", am);
    util_buf_printf(&def, "typedef struct { bool is_some; %s val; } %s_%s_t;\n", ac, g->world, m);
    break;
  case WIT_TUPLE: {
    char buf[512];
    int k = snprintf(buf, sizeof buf, "tuple%zu", t->n);
    util_buf fields = {0};
    for (size_t i = 0; i < t->n; i++) {
      if (!ctype(g, t->elems[i], fn, am, sizeof am, ac, sizeof ac)) {
        util_buf_free(&fields);
        return false;
      }
      k += snprintf(buf + k, sizeof buf - (size_t)k, "_%s", am);
      if ((size_t)k >= sizeof buf) k = (int)sizeof buf - 1;
      util_buf_printf(&fields, " %s f%zu;", ac, i);
    }
    cat2(m, mn, buf, "");
    util_buf_printf(&def, "typedef struct {%s } %s_%s_t;\n", fields.p ? (const char *)fields.p : "", g->world, m);
    util_buf_free(&fields);
    break;
  }
  case WIT_RESULT:
    snprintf(am, sizeof am, "void");
    snprintf(bm, sizeof bm, "void");
    if (t->a && !ctype(g, t->a, fn, am, sizeof am, ac, sizeof ac)) return false;
    if (t->b && !ctype(g, t->b, fn, bm, sizeof bm, bc, sizeof bc)) return false;
    cat2(m, mn, "result_", am);
    cat2(m + strlen(m), mn - strlen(m), "_", bm);
    util_buf_puts(&def, "typedef struct { bool is_err;");
    if (t->a || t->b) {
      util_buf_puts(&def, " union {");
      if (t->a) util_buf_printf(&def, " %s ok;", ac);
      if (t->b) util_buf_printf(&def, " %s err;", bc);
      util_buf_puts(&def, " } val;");
    }
    util_buf_printf(&def, " } %s_%s_t;\n", g->world, m);
    break;
  case WIT_OWN:
  case WIT_BORROW: {
    util_buf_free(&def);
    const wit_def *r = wit_res_base(t->def);
    if (!r) return fail(g, "not supported: function `%s` uses a handle of `%s`", fn, t->name ? t->name : "?");
    return handle_ctype(g, r, t->kind, m, mn, ct, cn);
  }
  default:
    util_buf_free(&def);
    return fail(g, "not supported: function `%s` uses %s (async values and maps are not wrapped yet)", fn,
                t->kind == WIT_FUTURE ? "a future" : t->kind == WIT_STREAM ? "a stream" : t->kind == WIT_MAP ? "a map" : "an error-context");
  }
  if (strlen(m) + 1 >= mn || strlen(m) + strlen(g->world) + 4 >= cn) {
    util_buf_free(&def);
    return fail(g, "not supported: function `%s` uses a type nested too deeply for a C name", fn);
  }
  cat2(ct, cn, g->world, "_");
  cat2(ct + strlen(ct), cn - strlen(ct), m, "_t");
  if (!seen(g, m)) util_buf_put(g->h, def.p, def.len);
  util_buf_free(&def);
  return true;
}

/* The flat core types of a type (canonical ABI flattening: 'I' i32, 'J' i64, 'F' f32,
 * 'D' f64) appended to fl[FLAT_CAP], *n counting on past the room. A variant's (a
 * result's) cases share the slots after the discriminant, each slot joined. */
enum { FLAT_CAP = 40 };

static void push(char *fl, size_t *n, char c) {
  if (*n < FLAT_CAP) fl[*n] = c;
  (*n)++;
}

static char join(char a, char b) {
  if (a == b) return a;
  if ((a == 'I' && b == 'F') || (a == 'F' && b == 'I')) return 'I';
  return 'J';
}

static bool flatten(bg *g, const wit_type *t0, const char *fn, char *fl, size_t *n);

/* the joined slots of the cases of variant d, or of the two of cases[] (ok and err) */
static bool flatten_cases(bg *g, const wit_def *d, const wit_type *const *cases, const char *fn, char *jt, size_t *nj) {
  char one[FLAT_CAP];
  size_t nc = d ? d->nfields : 2;
  *nj = 0;
  for (size_t i = 0; i < nc; i++) {
    const wit_type *ct = d ? d->fields[i].type : cases[i];
    if (!ct) continue;
    size_t k = 0;
    if (!flatten(g, ct, fn, one, &k)) return false;
    for (size_t j = 0; j < k && j < FLAT_CAP; j++) jt[j] = j < *nj ? join(jt[j], one[j]) : one[j];
    if (k > *nj) *nj = k < FLAT_CAP ? k : FLAT_CAP;
  }
  return true;
}

static bool flatten(bg *g, const wit_type *t0, const char *fn, char *fl, size_t *n) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  char jt[FLAT_CAP];
  size_t nj;
  if (!t) {
    if (d && d->kind == WIT_D_RESOURCE) {
      push(fl, n, 'I');
      return true;
    }
    if (!d || d->kind > WIT_D_FLAGS) return fail(g, "not supported: function `%s` uses `%s`", fn, d ? d->name : "?");
    if (d->kind == WIT_D_RECORD) {
      for (size_t i = 0; i < d->nfields; i++)
        if (!flatten(g, d->fields[i].type, fn, fl, n)) return false;
      return true;
    }
    push(fl, n, 'I');
    if (d->kind == WIT_D_VARIANT) {
      if (!flatten_cases(g, d, NULL, fn, jt, &nj)) return false;
      for (size_t j = 0; j < nj; j++) push(fl, n, jt[j]);
    }
    return true;
  }
  switch (t->kind) {
  case WIT_S64:
  case WIT_U64: push(fl, n, 'J'); return true;
  case WIT_F32: push(fl, n, 'F'); return true;
  case WIT_F64: push(fl, n, 'D'); return true;
  case WIT_STRING:
  case WIT_LIST: push(fl, n, 'I'); push(fl, n, 'I'); return true;
  case WIT_OPTION: push(fl, n, 'I'); return flatten(g, t->a, fn, fl, n);
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++)
      if (!flatten(g, t->elems[i], fn, fl, n)) return false;
    return true;
  case WIT_RESULT: {
    const wit_type *cases[2] = {t->a, t->b};
    push(fl, n, 'I');
    if (!flatten_cases(g, NULL, cases, fn, jt, &nj)) return false;
    for (size_t j = 0; j < nj; j++) push(fl, n, jt[j]);
    return true;
  }
  default: push(fl, n, 'I'); return true;
  }
}

static const char *core_c(char f) { return f == 'J' ? "int64_t" : f == 'F' ? "float" : f == 'D' ? "double" : "int32_t"; }

/* The bit casts the glue uses for joined slots. */
static const char bitcasts[] =
    "static inline __attribute__((unused)) float __wasm_f32(int32_t x) { union { int32_t i; float f; } u = {x}; return u.f; }\n"
    "static inline __attribute__((unused)) double __wasm_f64(int64_t x) { union { int64_t i; double f; } u = {x}; return u.f; }\n"
    "static inline __attribute__((unused)) int32_t __wasm_i32f(float x) { union { float f; int32_t i; } u = {x}; return u.i; }\n"
    "static inline __attribute__((unused)) int64_t __wasm_i64d(double x) { union { double f; int64_t i; } u = {x}; return u.i; }\n";

static char want_of(const wit_type *t) {
  return t && (t->kind == WIT_S64 || t->kind == WIT_U64) ? 'J' : t && t->kind == WIT_F32 ? 'F' : t && t->kind == WIT_F64 ? 'D' : 'I';
}

/* p<k> (a slot of core type slots[k], or `want` itself without slots) as core type want */
static void rd(char *b, size_t n, const char *slots, size_t k, char want) {
  char s = slots && k < FLAT_CAP ? slots[k] : want;
  if (s == want) snprintf(b, n, "p%zu", k);
  else if (s == 'I') snprintf(b, n, "__wasm_f32(p%zu)", k);
  else if (want == 'I') snprintf(b, n, "(int32_t)p%zu", k);
  else if (want == 'F') snprintf(b, n, "__wasm_f32((int32_t)p%zu)", k);
  else snprintf(b, n, "__wasm_f64(p%zu)", k);
}

static void lift(bg *g, const wit_type *t0, const char *lv, size_t *k, int ind, const char *slots);

/* the cases of a variant (d) or a result: the discriminant in `tagv` was lifted; each
 * case's payload from the joined slots after it */
static void lift_cases(bg *g, const wit_def *d, const wit_type *const *cases, const char *lv, size_t *k, int ind,
                       const char *slots) {
  char jt[FLAT_CAP], sub[600], nm[128];
  size_t nj = 0, nc = d ? d->nfields : 2;
  flatten_cases(g, d, cases, "", jt, &nj);
  for (size_t i = 0; i < nc; i++) {
    const wit_type *ct = d ? d->fields[i].type : cases[i];
    if (!ct) continue;
    size_t kk = *k;
    if (d) {
      snake(nm, sizeof nm, d->fields[i].name);
      snprintf(sub, sizeof sub, "%s.val.%s", lv, nm);
      util_buf_printf(g->c, "%*sif (%s.tag == %zu) {\n", ind, "", lv, i);
    } else {
      snprintf(sub, sizeof sub, "%s.val.%s", lv, i ? "err" : "ok");
      util_buf_printf(g->c, "%*sif (%s%s.is_err) {\n", ind, "", i ? "" : "!", lv);
    }
    lift(g, ct, sub, &kk, ind + 2, slots);
    util_buf_printf(g->c, "%*s}\n", ind, "");
  }
  *k += nj;
}

/* C statements assigning lvalue `lv` from the flat parameters p<*k>.. (slots: their core
 * types, joined where variants share them) */
static void lift(bg *g, const wit_type *t0, const char *lv, size_t *k, int ind, const char *slots) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  char sub[512], nm[128], r[64], r2[64];
  wit_tkind hk;
  const wit_def *res = wit_handle(t0, &hk);
  if (res) {
    rd(r, sizeof r, slots, (*k)++, 'I');
    if (hk == WIT_BORROW && res_exported(g, res)) {
      snake(nm, sizeof nm, res->name);
      util_buf_printf(g->c, "%*s%s = (exports_%s_%s_t *)(uintptr_t)%s;\n", ind, "", lv, g->world, nm, r);
    } else {
      util_buf_printf(g->c, "%*s%s.handle = %s;\n", ind, "", lv, r);
    }
    return;
  }
  if (!t) {
    if (d->kind == WIT_D_RECORD) {
      for (size_t i = 0; i < d->nfields; i++) {
        snake(nm, sizeof nm, d->fields[i].name);
        snprintf(sub, sizeof sub, "%s.%s", lv, nm);
        lift(g, d->fields[i].type, sub, k, ind, slots);
      }
      return;
    }
    rd(r, sizeof r, slots, (*k)++, 'I');
    util_buf_printf(g->c, "%*s%s%s = %s;\n", ind, "", lv, d->kind == WIT_D_VARIANT ? ".tag" : "", r);
    if (d->kind == WIT_D_VARIANT) lift_cases(g, d, NULL, lv, k, ind, slots);
    return;
  }
  switch (t->kind) {
  case WIT_BOOL:
    rd(r, sizeof r, slots, (*k)++, 'I');
    util_buf_printf(g->c, "%*s%s = %s != 0;\n", ind, "", lv, r);
    return;
  case WIT_STRING:
  case WIT_LIST:
    rd(r, sizeof r, slots, *k, 'I');
    rd(r2, sizeof r2, slots, *k + 1, 'I');
    util_buf_printf(g->c, "%*s%s.ptr = (void *)(uintptr_t)%s;\n", ind, "", lv, r);
    util_buf_printf(g->c, "%*s%s.len = (size_t)%s;\n", ind, "", lv, r2);
    *k += 2;
    return;
  case WIT_OPTION:
    rd(r, sizeof r, slots, (*k)++, 'I');
    util_buf_printf(g->c, "%*s%s.is_some = %s != 0;\n", ind, "", lv, r);
    util_buf_printf(g->c, "%*sif (%s.is_some) {\n", ind, "", lv);
    snprintf(sub, sizeof sub, "%s.val", lv);
    lift(g, t->a, sub, k, ind + 2, slots);
    util_buf_printf(g->c, "%*s}\n", ind, "");
    return;
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) {
      snprintf(sub, sizeof sub, "%s.f%zu", lv, i);
      lift(g, t->elems[i], sub, k, ind, slots);
    }
    return;
  case WIT_RESULT: {
    const wit_type *cases[2] = {t->a, t->b};
    rd(r, sizeof r, slots, (*k)++, 'I');
    util_buf_printf(g->c, "%*s%s.is_err = %s != 0;\n", ind, "", lv, r);
    lift_cases(g, NULL, cases, lv, k, ind, slots);
    return;
  }
  default:
    rd(r, sizeof r, slots, (*k)++, want_of(t));
    util_buf_printf(g->c, "%*s%s = (%s)%s;\n", ind, "", lv, prim_c(t->kind), r);
    return;
  }
}

static bool has_mem(const wit_type *t0) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  if (!t) {
    if (d && (d->kind == WIT_D_RECORD || d->kind == WIT_D_VARIANT))
      for (size_t i = 0; i < d->nfields; i++)
        if (d->fields[i].type && has_mem(d->fields[i].type)) return true;
    return false;
  }
  switch (t->kind) {
  case WIT_STRING:
  case WIT_LIST: return true;
  case WIT_OPTION: return has_mem(t->a);
  case WIT_RESULT: return (t->a && has_mem(t->a)) || (t->b && has_mem(t->b));
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++)
      if (has_mem(t->elems[i])) return true;
    return false;
  default: return false;
  }
}

/* C statements freeing what `lv` (of type t) owns. */
static void free_value(bg *g, const wit_type *t0, const char *lv, int ind, int depth) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  char sub[512], nm[128];
  if (!has_mem(t0)) return;
  if (!t) {
    for (size_t i = 0; i < d->nfields; i++) {
      if (!d->fields[i].type || !has_mem(d->fields[i].type)) continue;
      snake(nm, sizeof nm, d->fields[i].name);
      if (d->kind == WIT_D_VARIANT) {
        util_buf_printf(g->c, "%*sif (%s.tag == %zu) {\n", ind, "", lv, i);
        snprintf(sub, sizeof sub, "%s.val.%s", lv, nm);
        free_value(g, d->fields[i].type, sub, ind + 2, depth);
        util_buf_printf(g->c, "%*s}\n", ind, "");
      } else {
        snprintf(sub, sizeof sub, "%s.%s", lv, nm);
        free_value(g, d->fields[i].type, sub, ind, depth);
      }
    }
    return;
  }
  switch (t->kind) {
  case WIT_STRING: util_buf_printf(g->c, "%*sif (%s.len) free(%s.ptr);\n", ind, "", lv, lv); return;
  case WIT_LIST:
    if (has_mem(t->a)) {
      util_buf_printf(g->c, "%*sfor (size_t i%d = 0; i%d < %s.len; i%d++) {\n", ind, "", depth, depth, lv, depth);
      snprintf(sub, sizeof sub, "%s.ptr[i%d]", lv, depth);
      free_value(g, t->a, sub, ind + 2, depth + 1);
      util_buf_printf(g->c, "%*s}\n", ind, "");
    }
    util_buf_printf(g->c, "%*sif (%s.len) free(%s.ptr);\n", ind, "", lv, lv);
    return;
  case WIT_OPTION:
    util_buf_printf(g->c, "%*sif (%s.is_some) {\n", ind, "", lv);
    snprintf(sub, sizeof sub, "%s.val", lv);
    free_value(g, t->a, sub, ind + 2, depth);
    util_buf_printf(g->c, "%*s}\n", ind, "");
    return;
  case WIT_RESULT:
    if (t->a && has_mem(t->a)) {
      util_buf_printf(g->c, "%*sif (!%s.is_err) {\n", ind, "", lv);
      snprintf(sub, sizeof sub, "%s.val.ok", lv);
      free_value(g, t->a, sub, ind + 2, depth);
      util_buf_printf(g->c, "%*s}\n", ind, "");
    }
    if (t->b && has_mem(t->b)) {
      util_buf_printf(g->c, "%*sif (%s.is_err) {\n", ind, "", lv);
      snprintf(sub, sizeof sub, "%s.val.err", lv);
      free_value(g, t->b, sub, ind + 2, depth);
      util_buf_printf(g->c, "%*s}\n", ind, "");
    }
    return;
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) {
      snprintf(sub, sizeof sub, "%s.f%zu", lv, i);
      free_value(g, t->elems[i], sub, ind, depth);
    }
    return;
  default: return;
  }
}

/* Flat argument expressions with their core types (FLAT_CAP at most: the callers lower
 * at most 16 parameters, or one result value). */
typedef struct fx {
  util_buf e[FLAT_CAP];
  char t[FLAT_CAP];
  size_t n;
} fx;

static void fx_free(fx *x) {
  for (size_t i = 0; i < FLAT_CAP; i++) util_buf_free(&x->e[i]);
}

static bool fx_oom(const fx *x) {
  for (size_t i = 0; i < FLAT_CAP; i++)
    if (x->e[i].oom) return true;
  return false;
}

/* `a, b, ..` */
static void fx_join(const fx *x, util_buf *o) {
  for (size_t i = 0; i < x->n && i < FLAT_CAP; i++)
    util_buf_printf(o, "%s%s", i ? ", " : "", x->e[i].p ? (const char *)x->e[i].p : "0");
}

/* One flat argument `(CT)EX`, `(COND ? (CT)EX : 0)` under a case (an inactive case's
 * values are zeros). */
static void arg(fx *o, const char *cond, char ty, const char *ex) {
  if (o->n >= FLAT_CAP) {
    o->n++;
    return;
  }
  util_buf *b = &o->e[o->n];
  o->t[o->n++] = ty;
  if (cond) util_buf_printf(b, "(%s ? (%s)%s : 0)", cond, core_c(ty), ex);
  else util_buf_printf(b, "(%s)%s", core_c(ty), ex);
}

static void lower(bg *g, const wit_type *t0, const char *ex, const char *cond, fx *o);

/* The payload slots of a variant (d) or a result (cases[]: ok, err) whose value is `ex`:
 * each slot the active case's value converted to the joined type. */
static void lower_cases(bg *g, const wit_def *d, const wit_type *const *cases, const char *ex, const char *cond, fx *o) {
  char jt[FLAT_CAP], cc[700], c2[1400], sub[600], nm[128];
  size_t nj = 0, nc = d ? d->nfields : 2;
  flatten_cases(g, d, cases, "", jt, &nj);
  util_buf slot[FLAT_CAP];
  memset(slot, 0, sizeof slot);
  for (size_t i = 0; i < nc; i++) {
    const wit_type *ct = d ? d->fields[i].type : cases[i];
    if (!ct) continue;
    if (d) {
      snake(nm, sizeof nm, d->fields[i].name);
      snprintf(sub, sizeof sub, "%s.val.%s", ex, nm);
      snprintf(cc, sizeof cc, "%s.tag == %zu", ex, i);
    } else {
      snprintf(sub, sizeof sub, "%s.val.%s", ex, i ? "err" : "ok");
      snprintf(cc, sizeof cc, "%s%s.is_err", i ? "" : "!", ex);
    }
    if (cond) snprintf(c2, sizeof c2, "(%s && %s)", cond, cc);
    else snprintf(c2, sizeof c2, "(%s)", cc);
    fx one;
    memset(&one, 0, sizeof one);
    lower(g, ct, sub, c2, &one);
    for (size_t j = 0; j < one.n && j < nj; j++) {
      const char *v = one.e[j].p ? (const char *)one.e[j].p : "0";
      char h = one.t[j], s = jt[j];
      util_buf conv = {0};
      if (h == s) util_buf_puts(&conv, v);
      else if (s == 'I') util_buf_printf(&conv, "__wasm_i32f(%s)", v);
      else if (h == 'I') util_buf_printf(&conv, "(int64_t)(uint32_t)(%s)", v);
      else if (h == 'F') util_buf_printf(&conv, "(int64_t)(uint32_t)__wasm_i32f(%s)", v);
      else util_buf_printf(&conv, "__wasm_i64d(%s)", v);
      util_buf next = {0};
      util_buf_printf(&next, "(%s ? %s : %s)", c2, conv.p ? (const char *)conv.p : "0",
                      slot[j].p ? (const char *)slot[j].p : "0");
      if (conv.oom) next.oom = true;
      util_buf_free(&conv);
      bool oom = slot[j].oom;
      util_buf_free(&slot[j]);
      slot[j] = next;
      if (oom) slot[j].oom = true;
    }
    if (fx_oom(&one))
      for (size_t j = 0; j < nj; j++) slot[j].oom = true;
    fx_free(&one);
  }
  for (size_t j = 0; j < nj; j++) {
    if (o->n < FLAT_CAP) {
      o->t[o->n] = jt[j];
      util_buf_printf(&o->e[o->n], "(%s)%s", core_c(jt[j]), slot[j].p ? (const char *)slot[j].p : "0");
      if (slot[j].oom) o->e[o->n].oom = true;
    }
    o->n++;
    util_buf_free(&slot[j]);
  }
}

/* The flat arguments of the C value `ex` (of type t): the canonical ABI's lowering of a
 * parameter. */
static void lower(bg *g, const wit_type *t0, const char *ex, const char *cond, fx *o) {
  const wit_def *d;
  const wit_type *t = wit_unalias(t0, &d);
  char sub[512], nm[128], c2[700];
  wit_tkind hk;
  const wit_def *res = wit_handle(t0, &hk);
  if (res) {
    if (hk == WIT_BORROW && res_exported(g, res)) snprintf(sub, sizeof sub, "(uintptr_t)%s", ex);
    else snprintf(sub, sizeof sub, "%s.handle", ex);
    arg(o, cond, 'I', sub);
    return;
  }
  if (!t) {
    if (d->kind == WIT_D_RECORD) {
      for (size_t i = 0; i < d->nfields; i++) {
        snake(nm, sizeof nm, d->fields[i].name);
        snprintf(sub, sizeof sub, "%s.%s", ex, nm);
        lower(g, d->fields[i].type, sub, cond, o);
      }
    } else {
      snprintf(sub, sizeof sub, d->kind == WIT_D_VARIANT ? "%s.tag" : "%s", ex);
      arg(o, cond, 'I', sub);
      if (d->kind == WIT_D_VARIANT) lower_cases(g, d, NULL, ex, cond, o);
    }
    return;
  }
  switch (t->kind) {
  case WIT_STRING:
  case WIT_LIST:
    snprintf(sub, sizeof sub, "(uintptr_t)%s.ptr", ex);
    arg(o, cond, 'I', sub);
    snprintf(sub, sizeof sub, "%s.len", ex);
    arg(o, cond, 'I', sub);
    return;
  case WIT_OPTION:
    snprintf(sub, sizeof sub, "%s.is_some", ex);
    arg(o, cond, 'I', sub);
    if (cond) snprintf(c2, sizeof c2, "(%s && %s.is_some)", cond, ex);
    else snprintf(c2, sizeof c2, "%s.is_some", ex);
    snprintf(sub, sizeof sub, "%s.val", ex);
    lower(g, t->a, sub, c2, o);
    return;
  case WIT_TUPLE:
    for (size_t i = 0; i < t->n; i++) {
      snprintf(sub, sizeof sub, "%s.f%zu", ex, i);
      lower(g, t->elems[i], sub, cond, o);
    }
    return;
  case WIT_RESULT: {
    const wit_type *cases[2] = {t->a, t->b};
    snprintf(sub, sizeof sub, "%s.is_err", ex);
    arg(o, cond, 'I', sub);
    lower_cases(g, NULL, cases, ex, cond, o);
    return;
  }
  default: arg(o, cond, want_of(t), ex); return;
  }
}

/* An exported function: the prototype the user defines and the core export wrapping it. */
static bool export_func(bg *g, const wit_func *f, const char *core_name, const char *cname) {
  if (f->kind != WIT_FUNC_PLAIN || f->async) return fail(g, "not supported: `%s` is a resource or async function", f->name);
  char m[256], rt[256], pt[256], pn[128], fl[FLAT_CAP];
  size_t nfl = 0;
  util_buf proto = {0};
  if (f->result && !ctype(g, f->result, f->name, m, sizeof m, rt, sizeof rt)) return false;
  for (size_t i = 0; i < f->nparams; i++)
    if (!ctype(g, f->params[i].type, f->name, m, sizeof m, pt, sizeof pt) ||
        !flatten(g, f->params[i].type, f->name, fl, &nfl))
      return false;
  bool pmem = nfl > 16; /* the parameters in memory the caller allocated with cabi_realloc */
  util_buf_printf(&proto, "%s exports_%s_%s(", f->result ? rt : "void", g->world, cname);
  util_buf pack = {0};
  for (size_t i = 0; i < f->nparams; i++) {
    ctype(g, f->params[i].type, f->name, m, sizeof m, pt, sizeof pt);
    snake(pn, sizeof pn, f->params[i].name);
    util_buf_printf(&proto, "%s%s %s", i ? ", " : "", pt, pn);
    util_buf_printf(&pack, " %s %s;", pt, pn);
  }
  if (!f->nparams) util_buf_puts(&proto, "void");
  util_buf_puts(&proto, ")");
  char rfl[FLAT_CAP];
  size_t nr = 0;
  if (f->result && !flatten(g, f->result, f->name, rfl, &nr)) {
    util_buf_free(&proto), util_buf_free(&pack);
    return false;
  }
  if (proto.oom || pack.oom) {
    util_buf_free(&proto), util_buf_free(&pack);
    return fail_oom(g);
  }
  util_buf_printf(g->h, "/* export %s */\n%s;\n", core_name, (const char *)proto.p);
  util_buf_free(&proto);
  /* the core export */
  util_buf_printf(g->c, "\n__attribute__((export_name(\"%s\")))\n%s __wasm_export_%s_%s(", core_name,
       nr == 0 ? "void" : nr == 1 ? core_c(rfl[0]) : "void *", g->world, cname);
  for (size_t i = 0; !pmem && i < nfl; i++) util_buf_printf(g->c, "%s%s p%zu", i ? ", " : "", core_c(fl[i]), i);
  if (pmem) util_buf_puts(g->c, "void *args");
  else if (!nfl) util_buf_puts(g->c, "void");
  util_buf_puts(g->c, ") {\n");
  if (pmem) {
    util_buf_printf(g->c, "  struct params {%s } a = *(const struct params *)args;\n  free(args);\n",
                    (const char *)pack.p);
  }
  util_buf_free(&pack);
  size_t k = 0;
  for (size_t i = 0; pmem && i < f->nparams; i++) {
    snake(pn, sizeof pn, f->params[i].name);
    ctype(g, f->params[i].type, f->name, m, sizeof m, pt, sizeof pt);
    util_buf_printf(g->c, "  %s %s = a.%s;\n", pt, pn, pn);
  }
  for (size_t i = 0; !pmem && i < f->nparams; i++) {
    snake(pn, sizeof pn, f->params[i].name);
    ctype(g, f->params[i].type, f->name, m, sizeof m, pt, sizeof pt);
    util_buf_printf(g->c, "  %s %s;\n", pt, pn);
    lift(g, f->params[i].type, pn, &k, 2, fl);
  }
  util_buf_puts(g->c, "  ");
  if (nr == 1) util_buf_printf(g->c, "%s ret = ", rt); /* one flat value: lowered as a parameter is */
  else if (nr > 1) util_buf_printf(g->c, "static %s ret;\n  ret = ", rt);
  util_buf_printf(g->c, "exports_%s_%s(", g->world, cname);
  for (size_t i = 0; i < f->nparams; i++) {
    snake(pn, sizeof pn, f->params[i].name);
    util_buf_printf(g->c, "%s%s", i ? ", " : "", pn);
  }
  util_buf_puts(g->c, ");\n");
  if (nr > 1) util_buf_puts(g->c, "  return &ret;\n");
  if (nr == 1) {
    fx one;
    memset(&one, 0, sizeof one);
    lower(g, f->result, "ret", NULL, &one);
    util_buf_puts(g->c, "  return ");
    fx_join(&one, g->c);
    util_buf_puts(g->c, ";\n");
    bool oom = fx_oom(&one);
    fx_free(&one);
    if (oom) return fail_oom(g);
  }
  util_buf_puts(g->c, "}\n");
  if (f->result && has_mem(f->result)) {
    util_buf_printf(g->c, "\n__attribute__((export_name(\"cabi_post_%s\")))\nvoid __wasm_post_%s_%s(void *p) {\n", core_name,
         g->world, cname);
    util_buf_printf(g->c, "  %s *r = p;\n", rt);
    free_value(g, f->result, "(*r)", 2, 0);
    util_buf_puts(g->c, "}\n");
  }
  return true;
}

/* An imported function: the C function the user calls, lowering its arguments to the
 * core import's flat parameters (through memory past 16) and lifting its result (through
 * a return area passed last past one flat value). */
static bool import_func(bg *g, const wit_func *f, const char *module, const char *cname) {
  if (f->kind != WIT_FUNC_PLAIN || f->async) return fail(g, "not supported: `%s` is a resource or async function", f->name);
  char m[256], rt[256], pt[256], pn[128], fl[FLAT_CAP], rfl[FLAT_CAP];
  size_t nfl = 0, nr = 0;
  if (f->result && (!ctype(g, f->result, f->name, m, sizeof m, rt, sizeof rt) ||
                    !flatten(g, f->result, f->name, rfl, &nr)))
    return false;
  for (size_t i = 0; i < f->nparams; i++)
    if (!ctype(g, f->params[i].type, f->name, m, sizeof m, pt, sizeof pt) ||
        !flatten(g, f->params[i].type, f->name, fl, &nfl))
      return false;
  bool pmem = nfl > 16;
  util_buf proto = {0}, raw = {0}, call = {0}, pack = {0};
  fx args;
  memset(&args, 0, sizeof args);
  util_buf_printf(&proto, "%s %s_%s(", f->result ? rt : "void", g->world, cname);
  util_buf_printf(&raw, "%s __wasm_import_%s_%s(", nr == 1 ? core_c(rfl[0]) : "void", g->world, cname);
  for (size_t i = 0; i < f->nparams; i++) {
    ctype(g, f->params[i].type, f->name, m, sizeof m, pt, sizeof pt);
    snake(pn, sizeof pn, f->params[i].name);
    util_buf_printf(&proto, "%s%s %s", i ? ", " : "", pt, pn);
    if (pmem) util_buf_printf(&pack, " %s %s;", pt, pn);
    else lower(g, f->params[i].type, pn, NULL, &args);
  }
  fx_join(&args, &call);
  bool args_oom = fx_oom(&args);
  fx_free(&args);
  if (!f->nparams) util_buf_puts(&proto, "void");
  util_buf_puts(&proto, ")");
  if (pmem) {
    util_buf_puts(&raw, "void *");
    util_buf_puts(&call, "&args");
  }
  for (size_t i = 0; !pmem && i < nfl; i++) util_buf_printf(&raw, "%s%s", i ? ", " : "", core_c(fl[i]));
  if (nr > 1) {
    util_buf_puts(&raw, pmem || nfl ? ", void *" : "void *");
    util_buf_puts(&call, call.len ? ", &ret" : "&ret");
  } else if (!pmem && !nfl) {
    util_buf_puts(&raw, "void");
  }
  util_buf_puts(&raw, ")");
  if (proto.oom || raw.oom || call.oom || pack.oom || args_oom) {
    util_buf_free(&proto), util_buf_free(&raw), util_buf_free(&call), util_buf_free(&pack);
    return fail_oom(g);
  }
  util_buf_printf(g->h, "/* import %s %s */\n%s;\n", module, f->name, (const char *)proto.p);
  util_buf_printf(g->c, "\n__attribute__((import_module(\"%s\"), import_name(\"%s\")))\nextern %s;\n", module, f->name,
                  (const char *)raw.p);
  util_buf_printf(g->c, "%s {\n", (const char *)proto.p);
  if (pmem) {
    util_buf_printf(g->c, "  struct {%s } args = {", (const char *)pack.p);
    for (size_t i = 0; i < f->nparams; i++) {
      snake(pn, sizeof pn, f->params[i].name);
      util_buf_printf(g->c, "%s%s", i ? ", " : "", pn);
    }
    util_buf_puts(g->c, "};\n");
  }
  const char *cl = call.p ? (const char *)call.p : "";
  if (nr == 0) {
    util_buf_printf(g->c, "  __wasm_import_%s_%s(%s);\n", g->world, cname, cl);
  } else if (nr == 1) {
    size_t k = 0;
    util_buf_printf(g->c, "  %s p0 = __wasm_import_%s_%s(%s);\n  %s ret;\n", core_c(rfl[0]), g->world, cname, cl, rt);
    lift(g, f->result, "ret", &k, 2, rfl);
    util_buf_puts(g->c, "  return ret;\n");
  } else {
    util_buf_printf(g->c, "  %s ret;\n  __wasm_import_%s_%s(%s);\n  return ret;\n", rt, g->world, cname, cl);
  }
  util_buf_puts(g->c, "}\n");
  util_buf_free(&proto), util_buf_free(&raw), util_buf_free(&call), util_buf_free(&pack);
  return true;
}

static void iface_path(char *b, size_t n, const wit_witem *it) {
  if (it->kind == WIT_ITEM_INLINE) {
    snprintf(b, n, "%s", it->name);
    return;
  }
  const wit_iface *in = it->iface;
  int k = snprintf(b, n, "%s:%s/%s", in->pkg->ns, in->pkg->name, in->name);
  if (in->pkg->version && k > 0 && (size_t)k < n) snprintf(b + k, n - (size_t)k, "@%s", in->pkg->version);
}

/* Text with `@W` (the world), `@N` (the resource in snake case), `@R` (its WIT name) and
 * `@M` (the module of its interface) replaced. */
static void tpl(util_buf *o, const char *text, const char *w, const char *n, const char *r, const char *m) {
  for (const char *p = text; *p; p++) {
    if (p[0] == '@' && (p[1] == 'W' || p[1] == 'N' || p[1] == 'R' || p[1] == 'M')) {
      util_buf_puts(o, p[1] == 'W' ? w : p[1] == 'N' ? n : p[1] == 'R' ? r : m);
      p++;
    } else {
      util_buf_put(o, p, 1);
    }
  }
}

/* An imported resource: its handle types, the drop and borrow helpers. */
static void import_res(bg *g, const wit_def *r, const char *module) {
  char nm[128], k[160];
  snake(nm, sizeof nm, r->name);
  snprintf(k, sizeof k, "own_%s", nm);
  seen(g, k);
  snprintf(k, sizeof k, "borrow_%s", nm);
  seen(g, k);
  tpl(g->h,
      "/* resource @R (imported from @M): own and borrowed handles */\n"
      "typedef struct { int32_t handle; } @W_own_@N_t;\n"
      "typedef struct { int32_t handle; } @W_borrow_@N_t;\n"
      "/* drops an own handle (the resource is destroyed when it was the last) */\n"
      "void @W_@N_drop_own(@W_own_@N_t h);\n"
      "/* a borrow of an own handle, valid while the own handle lives */\n"
      "static inline @W_borrow_@N_t @W_borrow_@N(@W_own_@N_t h) { return (@W_borrow_@N_t){h.handle}; }\n",
      g->world, nm, r->name, module);
  tpl(g->c,
      "\n__attribute__((import_module(\"@M\"), import_name(\"[resource-drop]@R\")))\n"
      "extern void __wasm_import_@W_@N_drop(int32_t);\n"
      "void @W_@N_drop_own(@W_own_@N_t h) { __wasm_import_@W_@N_drop(h.handle); }\n",
      g->world, nm, r->name, module);
}

/* An exported resource: the representation the program defines, own handles, the
 * canonical built-ins (resource.new, .rep, .drop, imported from `[export]IFACE`) and the
 * destructor export calling the program's. */
static void export_res(bg *g, const wit_def *r, const char *module) {
  char nm[128], k[160];
  snake(nm, sizeof nm, r->name);
  snprintf(k, sizeof k, "xown_%s", nm);
  seen(g, k);
  snprintf(k, sizeof k, "xborrow_%s", nm);
  seen(g, k);
  tpl(g->h,
      "/* resource @R (exported by @M): the program defines struct exports_@W_@N (the\n"
      " * representation; a borrow is a pointer to it) and exports_@W_@N_destructor, called\n"
      " * when the last handle is dropped */\n"
      "typedef struct exports_@W_@N exports_@W_@N_t;\n"
      "typedef struct { int32_t handle; } exports_@W_own_@N_t;\n"
      "/* a new own handle for rep (canon resource.new) */\n"
      "exports_@W_own_@N_t exports_@W_@N_new(exports_@W_@N_t *rep);\n"
      "/* the representation of an own handle of this component's table (canon resource.rep) */\n"
      "exports_@W_@N_t *exports_@W_@N_rep(exports_@W_own_@N_t h);\n"
      "/* drops an own handle (canon resource.drop: the destructor runs when it was the last) */\n"
      "void exports_@W_@N_drop_own(exports_@W_own_@N_t h);\n"
      "void exports_@W_@N_destructor(exports_@W_@N_t *rep);\n",
      g->world, nm, r->name, module);
  tpl(g->c,
      "\n__attribute__((import_module(\"[export]@M\"), import_name(\"[resource-new]@R\")))\n"
      "extern int32_t __wasm_resource_new_@W_@N(int32_t);\n"
      "__attribute__((import_module(\"[export]@M\"), import_name(\"[resource-rep]@R\")))\n"
      "extern int32_t __wasm_resource_rep_@W_@N(int32_t);\n"
      "__attribute__((import_module(\"[export]@M\"), import_name(\"[resource-drop]@R\")))\n"
      "extern void __wasm_resource_drop_@W_@N(int32_t);\n"
      "exports_@W_own_@N_t exports_@W_@N_new(exports_@W_@N_t *rep) {\n"
      "  return (exports_@W_own_@N_t){__wasm_resource_new_@W_@N((int32_t)(uintptr_t)rep)};\n}\n"
      "exports_@W_@N_t *exports_@W_@N_rep(exports_@W_own_@N_t h) {\n"
      "  return (exports_@W_@N_t *)(uintptr_t)__wasm_resource_rep_@W_@N(h.handle);\n}\n"
      "void exports_@W_@N_drop_own(exports_@W_own_@N_t h) { __wasm_resource_drop_@W_@N(h.handle); }\n"
      "__attribute__((export_name(\"@M#[dtor]@R\")))\n"
      "void __wasm_dtor_@W_@N(int32_t rep) { exports_@W_@N_destructor((exports_@W_@N_t *)(uintptr_t)rep); }\n",
      g->world, nm, r->name, module);
}

/* The resources an interface defines and their functions, imported or exported. */
static bool iface_res(bg *g, const wit_witem *it, const char *path, bool exp) {
  char cname[600], core[900], base[300];
  for (size_t i = 0; i < it->iface->ndefs; i++) {
    const wit_def *r = it->iface->defs[i];
    if (r->kind != WIT_D_RESOURCE || r->owner != it->iface) continue;
    if (exp) export_res(g, r, path);
    else import_res(g, r, path);
    for (size_t k = 0; k < r->nfuncs; k++) {
      const wit_func *f = &r->funcs[k];
      if (f->async) return fail(g, "not supported: `%s` of resource `%s` is async", f->name, r->name);
      wit_plain pf;
      if (!wit_res_plain(r, f, &pf)) return fail_oom(g);
      if (f->kind == WIT_FUNC_CONSTRUCTOR) snprintf(base, sizeof base, "constructor_%s", r->name);
      else snprintf(base, sizeof base, "%s_%s_%s", f->kind == WIT_FUNC_METHOD ? "method" : "static", r->name, f->name);
      snprintf(core, sizeof core, "%s_%s", it->kind == WIT_ITEM_INLINE ? it->name : it->iface->name, base);
      snake(cname, sizeof cname, core);
      bool ok;
      if (exp) {
        snprintf(core, sizeof core, "%s#%s", path, pf.name);
        ok = export_func(g, &pf.f, core, cname);
      } else {
        ok = import_func(g, &pf.f, path, cname);
      }
      free(pf.params);
      if (!ok) return false;
    }
  }
  return true;
}

bool wit_bindgen_c(const wit_world *w, util_buf *h, util_buf *c, util_error *err) {
  char world[128], guard[160], cname[384], path[256], core[700];
  snake(world, sizeof world, w->name);
  bg g = {h, c, err, world, {0}, w};
  util_error_clear(err);
  size_t i;
  for (i = 0; world[i]; i++) guard[i] = (char)(world[i] >= 'a' && world[i] <= 'z' ? world[i] - 32 : world[i]);
  guard[i] = 0;
  util_buf_printf(h, "/* Generated by weld wit bindgen for world `%s`. Exported functions take ownership of\n"
          " * their string and list arguments (free them with free()); their results' strings and\n"
          " * lists must come from malloc (the glue frees them after the caller has read them).\n"
          " * Imported functions borrow their arguments; the strings and lists of their results\n"
          " * are the caller's (malloc'd: free ptr when len is not 0). */\n",
       w->name);
  util_buf_printf(h, "#ifndef %s_BINDINGS_H\n#define %s_BINDINGS_H\n\n#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n",
       guard, guard);
  util_buf_printf(c, "/* Generated by weld wit bindgen for world `%s`. */\n#include <stdlib.h>\n\n#include \"%s.h\"\n\n", w->name, world);
  util_buf_puts(c, bitcasts);
  util_buf_puts(c, "\n__attribute__((export_name(\"cabi_realloc\")))\n"
         "void *cabi_realloc(void *old, size_t old_size, size_t align, size_t size) {\n"
         "  (void)old_size;\n"
         "  if (size == 0) return (void *)align;\n"
         "  void *p = realloc(old, size);\n"
         "  if (!p) abort();\n"
         "  return p;\n"
         "}\n");
  bool ok = true;
  for (i = 0; ok && i < w->nimports; i++) {
    const wit_witem *it = &w->imports[i];
    if (it->kind == WIT_ITEM_FUNC) {
      snake(cname, sizeof cname, it->name);
      ok = import_func(&g, it->func, "$root", cname);
    } else if (it->kind == WIT_ITEM_IFACE || it->kind == WIT_ITEM_INLINE) {
      iface_path(path, sizeof path, it);
      ok = iface_res(&g, it, path, false);
      for (size_t k = 0; ok && k < it->iface->nfuncs; k++) {
        snprintf(core, sizeof core, "%s_%s", it->kind == WIT_ITEM_INLINE ? it->name : it->iface->name,
                 it->iface->funcs[k].name);
        snake(cname, sizeof cname, core);
        ok = import_func(&g, &it->iface->funcs[k], path, cname);
      }
    }
  }
  for (i = 0; ok && i < w->nexports; i++) {
    const wit_witem *it = &w->exports[i];
    if (it->kind == WIT_ITEM_FUNC) {
      snake(cname, sizeof cname, it->name);
      ok = export_func(&g, it->func, it->name, cname);
    } else if (it->kind == WIT_ITEM_IFACE || it->kind == WIT_ITEM_INLINE) {
      iface_path(path, sizeof path, it);
      ok = iface_res(&g, it, path, true);
      for (size_t k = 0; ok && k < it->iface->nfuncs; k++) {
        snprintf(core, sizeof core, "%s_%s", it->kind == WIT_ITEM_INLINE ? it->name : it->iface->name,
                 it->iface->funcs[k].name);
        snake(cname, sizeof cname, core);
        snprintf(core, sizeof core, "%s#%s", path, it->iface->funcs[k].name);
        ok = export_func(&g, &it->iface->funcs[k], core, cname);
      }
    }
  }
  bool seen_oom = g.seen.oom;
  util_buf_free(&g.seen);
  if (!ok) return false;
  util_buf_printf(h, "\n#endif\n");
  if (h->oom || c->oom || seen_oom) {
    err->kind = UTIL_ERR_OOM;
    snprintf(err->msg, sizeof err->msg, "out of memory");
    return false;
  }
  return true;
}
