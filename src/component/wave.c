/* WAVE, the WebAssembly Value Encoding: component values as text, parsed against a type
 * and printed from one. `42`, `-1.5`, `nan`, `'c'`, `"str"`, `[1, 2]`, `{a: 1, b: "x"}`,
 * `(1, "a")`, `some(3)`, `none`, `ok(1)`, `err("e")`, `red` or `%red` for enum and
 * variant cases (`%` quotes a label that is also a keyword), `case(payload)`,
 * `{read, write}` for flags. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runtime.h"

typedef struct wp {
  const char *s;
  size_t n, i;
  util_arena *arena;
  util_error *err;
  unsigned depth;
} wp;

static bool fail(wp *p, const char *fmt, const char *arg) {
  char msg[200];
  snprintf(msg, sizeof msg, fmt, arg ? arg : "");
  return util_fail(p->err, UTIL_ERR_USAGE, -1, "value: %s at column %zu", msg, p->i + 1);
}
static bool oom(wp *p) { return util_fail(p->err, UTIL_ERR_OOM, -1, "out of memory"); }

static void ws(wp *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) p->i++;
}
static bool peek(wp *p, char c) {
  ws(p);
  return p->i < p->n && p->s[p->i] == c;
}
static bool eat(wp *p, char c) {
  if (!peek(p, c)) return false;
  p->i++;
  return true;
}
static bool expect(wp *p, char c) {
  char what[4] = {'`', c, '`', 0};
  return eat(p, c) || fail(p, "expected %s", what);
}

static bool label_char(char c) { return isalnum((unsigned char)c) || c == '-'; }

/* A label (with an optional leading %): its span; false when there is none. */
static bool label(wp *p, const char **l, size_t *len) {
  ws(p);
  size_t i = p->i;
  if (i < p->n && p->s[i] == '%') i++;
  size_t st = i;
  while (i < p->n && label_char(p->s[i])) i++;
  if (i == st || !isalpha((unsigned char)p->s[st])) return false;
  *l = p->s + st;
  *len = i - st;
  p->i = i;
  return true;
}

static int find_label(const comp_ctype *t, const char *l, size_t len) {
  for (uint32_t k = 0; k < t->n; k++)
    if (t->names[k].len == len && memcmp(t->names[k].str, l, len) == 0) return (int)k;
  return -1;
}

static bool value(wp *p, const comp_ctype *t, comp_val *out);

/* A number token: the longest run of number characters. */
static bool number_token(wp *p, char *buf, size_t nbuf) {
  ws(p);
  size_t st = p->i, i = p->i;
  while (i < p->n && (isalnum((unsigned char)p->s[i]) || p->s[i] == '-' || p->s[i] == '+' || p->s[i] == '.')) i++;
  if (i == st || i - st >= nbuf) return fail(p, "expected a number", NULL);
  memcpy(buf, p->s + st, i - st);
  buf[i - st] = 0;
  p->i = i;
  return true;
}

static bool integer(wp *p, uint8_t prim, comp_val *out) {
  char buf[64];
  size_t at = (ws(p), p->i);
  if (!number_token(p, buf, sizeof buf)) return false;
  bool sgn = prim == COMP_T_S8 || prim == COMP_T_S16 || prim == COMP_T_S32 || prim == COMP_T_S64;
  unsigned bits = prim == COMP_T_S8 || prim == COMP_T_U8 ? 8 : prim == COMP_T_S16 || prim == COMP_T_U16 ? 16
                : prim == COMP_T_S32 || prim == COMP_T_U32 ? 32 : 64;
  const char *q = buf;
  bool neg = *q == '-';
  if (*q == '-' || *q == '+') q++;
  if (!isdigit((unsigned char)*q)) { p->i = at; return fail(p, "expected an integer, found `%s`", buf); }
  for (const char *r = q; *r; r++)
    if (!isdigit((unsigned char)*r)) { p->i = at; return fail(p, "expected an integer, found `%s`", buf); }
  errno = 0;
  unsigned long long m = strtoull(q, NULL, 10);
  bool range = errno != ERANGE;
  if (sgn) {
    uint64_t lim = (1ull << (bits - 1)) - (neg ? 0 : 1);
    range = range && m <= lim;
    out->u.i = neg ? (int64_t)(0 - (uint64_t)m) : (int64_t)m;
  } else {
    range = range && !(neg && m != 0) && (bits == 64 || m < (1ull << bits));
    out->u.u = m;
  }
  if (!range) { p->i = at; return fail(p, "integer `%s` out of range", buf); }
  return true;
}

static bool floating(wp *p, bool f32, comp_val *out) {
  char buf[128];
  size_t at = (ws(p), p->i);
  if (!number_token(p, buf, sizeof buf)) return false;
  double d;
  if (strcmp(buf, "nan") == 0) d = NAN;
  else if (strcmp(buf, "inf") == 0) d = INFINITY;
  else if (strcmp(buf, "-inf") == 0) d = -INFINITY;
  else {
    /* digits with an optional fraction and exponent; no hex, no `infinity` */
    const char *q = buf;
    if (*q == '-') q++;
    bool digits = false;
    while (isdigit((unsigned char)*q)) q++, digits = true;
    if (*q == '.') {
      q++;
      while (isdigit((unsigned char)*q)) q++, digits = true;
    }
    if (digits && (*q == 'e' || *q == 'E')) {
      q++;
      if (*q == '-' || *q == '+') q++;
      if (!isdigit((unsigned char)*q)) digits = false;
      while (isdigit((unsigned char)*q)) q++;
    }
    if (!digits || *q) { p->i = at; return fail(p, "expected a number, found `%s`", buf); }
    d = strtod(buf, NULL);
    if (isinf(d) || (f32 && isinf((float)d))) { p->i = at; return fail(p, "number `%s` out of range", buf); }
  }
  if (f32) out->u.f32 = (float)d;
  else out->u.f64 = d;
  return true;
}

/* One character of a quoted literal (escapes decoded) as a code point. */
static bool quoted_char(wp *p, char quote, uint32_t *cp) {
  if (p->i >= p->n) return fail(p, "unterminated literal", NULL);
  unsigned char c = (unsigned char)p->s[p->i];
  if (c == '\n' || c == '\r') return fail(p, "line break in a literal", NULL);
  if (c == '\\') {
    p->i++;
    if (p->i >= p->n) return fail(p, "unterminated literal", NULL);
    char e = p->s[p->i++];
    switch (e) {
    case 'n': *cp = '\n'; return true;
    case 't': *cp = '\t'; return true;
    case 'r': *cp = '\r'; return true;
    case '\\': *cp = '\\'; return true;
    case '\'': *cp = '\''; return true;
    case '"': *cp = '"'; return true;
    case 'u': {
      if (p->i >= p->n || p->s[p->i] != '{') return fail(p, "expected `{` after \\u", NULL);
      p->i++;
      uint32_t v = 0;
      int nd = 0;
      while (p->i < p->n && isxdigit((unsigned char)p->s[p->i]) && nd < 7) {
        char h = p->s[p->i++];
        v = v * 16 + (uint32_t)(isdigit((unsigned char)h) ? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
        nd++;
      }
      if (nd == 0 || p->i >= p->n || p->s[p->i] != '}') return fail(p, "malformed \\u{...} escape", NULL);
      p->i++;
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return fail(p, "escape is not a Unicode scalar value", NULL);
      *cp = v;
      return true;
    }
    default: p->i--; return fail(p, "unknown escape", NULL);
    }
  }
  (void)quote;
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || p->i + len > p->n || !util_utf8_valid((const uint8_t *)p->s + p->i, len))
    return fail(p, "malformed UTF-8", NULL);
  uint32_t v = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
  for (size_t k = 1; k < len; k++) v = (v << 6) | ((unsigned char)p->s[p->i + k] & 0x3f);
  p->i += len;
  *cp = v;
  return true;
}

static size_t utf8_put(uint32_t cp, char *o) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

static bool string(wp *p, comp_val *out) {
  if (!expect(p, '"')) return false;
  size_t cap = p->n - p->i + 1;
  char *buf = util_arena_try_alloc(p->arena, cap);
  if (!buf) return oom(p);
  size_t len = 0;
  for (;;) {
    if (p->i >= p->n) return fail(p, "unterminated string", NULL);
    if (p->s[p->i] == '"') { p->i++; break; }
    uint32_t cp;
    if (!quoted_char(p, '"', &cp)) return false;
    len += utf8_put(cp, buf + len); /* an escape is never shorter than its encoding */
  }
  out->u.str.s = buf;
  out->u.str.len = (uint32_t)len;
  return true;
}

static bool character(wp *p, comp_val *out) {
  if (!expect(p, '\'')) return false;
  if (p->i < p->n && p->s[p->i] == '\'') return fail(p, "empty character literal", NULL);
  if (!quoted_char(p, '\'', &out->u.c)) return false;
  if (p->i >= p->n || p->s[p->i] != '\'') return fail(p, "expected `'` (one character)", NULL);
  p->i++;
  return true;
}

/* A comma-separated sequence up to `close`: calls item for each (trailing comma allowed). */
typedef bool (*item_fn)(wp *p, void *ctx, uint32_t k);
static bool sequence(wp *p, char close, item_fn item, void *ctx, uint32_t *count) {
  uint32_t k = 0;
  while (!eat(p, close)) {
    if (k > 0 && !expect(p, ',')) return false;
    if (k > 0 && eat(p, close)) break;
    if (!item(p, ctx, k++)) return false;
  }
  *count = k;
  return true;
}

typedef struct grow {
  const comp_ctype *elem;
  comp_val *v;
  uint32_t cap;
} grow;
static bool list_item(wp *p, void *ctx, uint32_t k) {
  grow *g = ctx;
  if (k == g->cap) {
    uint32_t nc = g->cap ? g->cap * 2 : 8;
    comp_val *nv = util_arena_try_alloc(p->arena, nc * sizeof *nv);
    if (!nv) return oom(p);
    if (k) memcpy(nv, g->v, k * sizeof *nv);
    g->v = nv;
    g->cap = nc;
  }
  return value(p, g->elem, &g->v[k]);
}

typedef struct rec {
  const comp_ctype *t;
  comp_val *v;
  bool *seen;
} rec;
static bool field_item(wp *p, void *ctx, uint32_t k) {
  (void)k;
  rec *r = ctx;
  const char *l;
  size_t len;
  if (!label(p, &l, &len)) return fail(p, "expected a field name", NULL);
  int f = find_label(r->t, l, len);
  char name[64];
  snprintf(name, sizeof name, "%.*s", (int)(len < 60 ? len : 60), l);
  if (f < 0) return fail(p, "no field `%s` in this record", name);
  if (r->seen[f]) return fail(p, "field `%s` given twice", name);
  r->seen[f] = true;
  if (!expect(p, ':')) return false;
  return value(p, r->t->elems[f], &r->v[f]);
}

static bool flag_item(wp *p, void *ctx, uint32_t k) {
  (void)k;
  rec *r = ctx;
  const char *l;
  size_t len;
  if (!label(p, &l, &len)) return fail(p, "expected a flag name", NULL);
  int f = find_label(r->t, l, len);
  char name[64];
  snprintf(name, sizeof name, "%.*s", (int)(len < 60 ? len : 60), l);
  if (f < 0) return fail(p, "no flag `%s` in this type", name);
  if (r->seen[f]) return fail(p, "flag `%s` given twice", name);
  r->seen[f] = true;
  r->v->u.flags |= 1u << f;
  return true;
}

typedef struct tup {
  const comp_ctype *t;
  comp_val *v;
} tup;
static bool tuple_item(wp *p, void *ctx, uint32_t k) {
  tup *u = ctx;
  if (k >= u->t->n) return fail(p, "too many tuple elements", NULL);
  return value(p, u->t->elems[k], &u->v[k]);
}

/* `case` or `case(payload)`, for variants, options and results. */
static bool case_value(wp *p, const comp_ctype *payload, comp_val *out, const char *name) {
  if (!payload) {
    if (peek(p, '(')) return fail(p, "case `%s` has no payload", name);
    out->u.var.p = NULL;
    return true;
  }
  if (!eat(p, '(')) return fail(p, "case `%s` needs a payload in parentheses", name);
  comp_val *pv = util_arena_try_alloc(p->arena, sizeof *pv);
  if (!pv) return oom(p);
  if (!value(p, payload, pv) || !expect(p, ')')) return false;
  out->u.var.p = pv;
  return true;
}

static bool value(wp *p, const comp_ctype *t, comp_val *out) {
  if (++p->depth > 100) return fail(p, "nested too deeply", NULL);
  memset(out, 0, sizeof *out);
  ws(p);
  size_t at = p->i;
  bool ok = false;
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_BOOL: {
      const char *l;
      size_t len;
      if (label(p, &l, &len) && len == 4 && memcmp(l, "true", 4) == 0) out->u.b = true, ok = true;
      else if (p->i > at && len == 5 && memcmp(l, "false", 5) == 0) out->u.b = false, ok = true;
      else { p->i = at; ok = fail(p, "expected `true` or `false`", NULL); }
      break;
    }
    case COMP_T_F32: ok = floating(p, true, out); break;
    case COMP_T_F64: ok = floating(p, false, out); break;
    case COMP_T_CHAR: ok = character(p, out); break;
    case COMP_T_STRING: ok = string(p, out); break;
    default: ok = integer(p, t->prim, out); break;
    }
    break;
  case CT_LIST:
  case CT_FIXED_LIST:
  case CT_MAP: {
    if (!expect(p, '[')) break;
    /* a map: a list of (key, value) tuples */
    comp_ctype *entry = NULL;
    if (t->kind == CT_MAP) {
      entry = util_arena_try_alloc(p->arena, sizeof *entry);
      const comp_ctype **el = util_arena_try_alloc(p->arena, 2 * sizeof *el);
      if (!entry || !el) { ok = oom(p); break; }
      el[0] = t->a;
      el[1] = t->b;
      entry->kind = CT_TUPLE;
      entry->n = 2;
      entry->elems = el;
    }
    grow g = {entry ? entry : t->a, NULL, 0};
    uint32_t n;
    if (!sequence(p, ']', list_item, &g, &n)) break;
    if (t->kind == CT_FIXED_LIST && n != t->len) {
      char want[32];
      snprintf(want, sizeof want, "%u", t->len);
      p->i = at;
      ok = fail(p, "expected a list of %s elements", want);
      break;
    }
    out->u.seq.v = g.v;
    out->u.seq.n = n;
    ok = true;
    break;
  }
  case CT_RECORD: {
    if (!expect(p, '{')) break;
    rec r = {t, util_arena_try_alloc(p->arena, t->n * sizeof(comp_val)), util_arena_try_alloc(p->arena, t->n)};
    if (!r.v || !r.seen) { ok = oom(p); break; }
    uint32_t n;
    if (!sequence(p, '}', field_item, &r, &n)) break;
    ok = true;
    for (uint32_t k = 0; k < t->n && ok; k++)
      if (!r.seen[k]) {
        /* an option field may be left out: none */
        if (t->elems[k]->kind == CT_OPTION) continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(t->names[k].len < 60 ? t->names[k].len : 60), t->names[k].str);
        ok = fail(p, "missing field `%s`", name);
      }
    out->u.seq.v = r.v;
    out->u.seq.n = t->n;
    break;
  }
  case CT_TUPLE: {
    if (!expect(p, '(')) break;
    tup u = {t, util_arena_try_alloc(p->arena, t->n * sizeof(comp_val))};
    if (!u.v) { ok = oom(p); break; }
    uint32_t n;
    if (!sequence(p, ')', tuple_item, &u, &n)) break;
    if (n != t->n) { p->i = at; ok = fail(p, "too few tuple elements", NULL); break; }
    out->u.seq.v = u.v;
    out->u.seq.n = n;
    ok = true;
    break;
  }
  case CT_FLAGS: {
    if (!expect(p, '{')) break;
    rec r = {t, out, util_arena_try_alloc(p->arena, t->n + 1)};
    if (!r.seen) { ok = oom(p); break; }
    uint32_t n;
    ok = sequence(p, '}', flag_item, &r, &n);
    break;
  }
  case CT_ENUM:
  case CT_VARIANT: {
    const char *l;
    size_t len;
    if (!label(p, &l, &len)) { ok = fail(p, "expected a case name", NULL); break; }
    int k = find_label(t, l, len);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(len < 60 ? len : 60), l);
    if (k < 0) { p->i = at; ok = fail(p, "no case `%s` in this type", name); break; }
    out->u.var.disc = (uint32_t)k;
    ok = t->kind == CT_ENUM ? (peek(p, '(') ? fail(p, "enum case `%s` has no payload", name) : true)
                            : case_value(p, t->elems[k], out, name);
    break;
  }
  case CT_OPTION:
  case CT_RESULT: {
    const char *l;
    size_t len;
    bool pct = (ws(p), p->i < p->n && p->s[p->i] == '%');
    if (!pct && label(p, &l, &len)) {
      char name[8] = "";
      if (len < sizeof name) memcpy(name, l, len);
      if (t->kind == CT_OPTION && strcmp(name, "none") == 0) { out->u.var.disc = 0; ok = !peek(p, '(') || fail(p, "`none` has no payload", NULL); break; }
      if (t->kind == CT_OPTION && strcmp(name, "some") == 0) { out->u.var.disc = 1; ok = case_value(p, t->a, out, "some"); break; }
      if (t->kind == CT_RESULT && strcmp(name, "ok") == 0) { out->u.var.disc = 0; ok = case_value(p, t->a, out, "ok"); break; }
      if (t->kind == CT_RESULT && strcmp(name, "err") == 0) { out->u.var.disc = 1; ok = case_value(p, t->b, out, "err"); break; }
    }
    p->i = at;
    ok = fail(p, t->kind == CT_OPTION ? "expected `some(...)` or `none`" : "expected `ok` or `err`", NULL);
    break;
  }
  case CT_OWN:
  case CT_BORROW: ok = fail(p, "resource handles cannot be written as values", NULL); break;
  default: ok = fail(p, "values of this type cannot be written", NULL); break;
  }
  p->depth--;
  return ok;
}

bool comp_wave_parse(const comp_ctype *t, const char *text, size_t len, util_arena *arena, comp_val *out,
                     util_error *err) {
  util_error_clear(err);
  wp p = {text, len, 0, arena, err, 0};
  if (!value(&p, t, out)) return false;
  ws(&p);
  if (p.i != p.n) return fail(&p, "unexpected text after the value", NULL);
  return true;
}

bool comp_wave_parse_call(const char *text, const char **name, util_arena *arena, util_error *err) {
  util_error_clear(err);
  size_t n = strlen(text), i = 0;
  while (i < n && text[i] != '(') i++;
  size_t e = i;
  while (e > 0 && (text[e - 1] == ' ' || text[e - 1] == '\t')) e--;
  size_t b = 0;
  while (b < e && (text[b] == ' ' || text[b] == '\t')) b++;
  if (b == e) return util_fail(err, UTIL_ERR_USAGE, -1, "value: expected a function name in `%s`", text);
  if (!(*name = util_arena_try_strndup(arena, text + b, e - b))) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  return true;
}

typedef struct argctx {
  const comp_ctype *ft;
  comp_val *v;
} argctx;
static bool arg_item(wp *p, void *ctx, uint32_t k) {
  argctx *a = ctx;
  if (k >= a->ft->n) return fail(p, "too many arguments", NULL);
  return value(p, a->ft->elems[k], &a->v[k]);
}

bool comp_wave_parse_args(const comp_ctype *ft, const char *text, util_arena *arena, comp_val **args,
                          util_error *err) {
  util_error_clear(err);
  wp p = {text, strlen(text), 0, arena, err, 0};
  while (p.i < p.n && p.s[p.i] != '(') p.i++;
  argctx a = {ft, util_arena_try_alloc(arena, (ft->n + 1) * sizeof(comp_val))};
  if (!a.v) return oom(&p);
  uint32_t n = 0;
  if (p.i < p.n) {
    p.i++;
    if (!sequence(&p, ')', arg_item, &a, &n)) return false;
  } else if (ft->n) {
    return fail(&p, "expected `(` and the arguments", NULL);
  }
  if (n < ft->n) {
    char want[48];
    snprintf(want, sizeof want, "%u, given %u", ft->n, n);
    return fail(&p, "too few arguments: the function takes %s", want);
  }
  ws(&p);
  if (p.i != p.n) return fail(&p, "unexpected text after the call", NULL);
  *args = a.v;
  return true;
}

/* ---------- printing ------------------------------------------------------------------- */

/* char arrays, not pointers: the table needs no relocations at start-up */
static const char keywords[][6] = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};

static void print_label(FILE *out, const wasm_name *l) {
  for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
    if (strlen(keywords[k]) == l->len && memcmp(keywords[k], l->str, l->len) == 0) { fputc('%', out); break; }
  fwrite(l->str, 1, l->len, out);
}

static void print_char(FILE *out, uint32_t cp, char quote) {
  switch (cp) {
  case '\n': fputs("\\n", out); return;
  case '\t': fputs("\\t", out); return;
  case '\r': fputs("\\r", out); return;
  case '\\': fputs("\\\\", out); return;
  default: break;
  }
  if (cp == (uint32_t)quote) { fputc('\\', out); fputc(quote, out); return; }
  if (cp < 0x20 || cp == 0x7f) { fprintf(out, "\\u{%x}", cp); return; }
  char b[4];
  fwrite(b, 1, utf8_put(cp, b), out);
}

/* Floats: the shortest digits that read back the same; plain notation for magnitudes in
 * [1e-5, 1e16) with at least one fractional digit ("1.0"), else d.ddde±x. */
static void print_float(FILE *out, double d, bool f32) {
  if (isnan(d)) { fputs("nan", out); return; }
  if (isinf(d)) { fputs(d < 0 ? "-inf" : "inf", out); return; }
  char buf[64];
  int prec = 1;
  for (; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    double back = strtod(buf, NULL);
    if (f32 ? (float)back == (float)d : back == d) break;
  }
  /* buf: [-]d[.ddd]e[+-]xx */
  char digits[32];
  size_t nd = 0;
  const char *q = buf;
  bool neg = *q == '-';
  if (neg) q++;
  for (; *q && *q != 'e'; q++)
    if (*q != '.') digits[nd++] = *q;
  int exp = atoi(q + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  if (neg) fputc('-', out);
  double mag = fabs(d);
  if (mag == 0 || (mag >= 1e-5 && mag < 1e16)) {
    if (exp >= 0) {
      for (int k = 0; k <= exp; k++) fputc(k < (int)nd ? digits[k] : '0', out);
      fputc('.', out);
      if ((int)nd > exp + 1) fwrite(digits + exp + 1, 1, nd - (size_t)exp - 1, out);
      else fputc('0', out);
    } else {
      fputs("0.", out);
      for (int k = 0; k < -exp - 1; k++) fputc('0', out);
      fwrite(digits, 1, nd, out);
    }
    return;
  }
  fputc(digits[0], out);
  if (nd > 1) {
    fputc('.', out);
    fwrite(digits + 1, 1, nd - 1, out);
  }
  fprintf(out, "e%d", exp);
}

void comp_wave_print(FILE *out, const comp_ctype *t, const comp_val *v) {
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_BOOL: fputs(v->u.b ? "true" : "false", out); return;
    case COMP_T_S8: case COMP_T_S16: case COMP_T_S32: case COMP_T_S64: fprintf(out, "%lld", (long long)v->u.i); return;
    case COMP_T_F32: print_float(out, v->u.f32, true); return;
    case COMP_T_F64: print_float(out, v->u.f64, false); return;
    case COMP_T_CHAR: fputc('\'', out); print_char(out, v->u.c, '\''); fputc('\'', out); return;
    case COMP_T_STRING: {
      fputc('"', out);
      const unsigned char *s = (const unsigned char *)v->u.str.s;
      for (uint32_t i = 0; i < v->u.str.len;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
        for (size_t k = 1; k < len && i + k < v->u.str.len; k++) cp = (cp << 6) | (s[i + k] & 0x3f);
        print_char(out, cp, '"');
        i += (uint32_t)len;
      }
      fputc('"', out);
      return;
    }
    default: fprintf(out, "%llu", (unsigned long long)v->u.u); return;
    }
  case CT_LIST:
  case CT_FIXED_LIST:
  case CT_MAP: {
    const comp_ctype *el[2] = {t->a, t->b};
    comp_ctype entry = {.kind = CT_TUPLE, .n = 2, .elems = el};
    fputc('[', out);
    for (uint32_t i = 0; i < v->u.seq.n; i++) {
      if (i) fputs(", ", out);
      comp_wave_print(out, t->kind == CT_MAP ? &entry : t->a, &v->u.seq.v[i]);
    }
    fputc(']', out);
    return;
  }
  case CT_RECORD: {
    fputc('{', out);
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++) {
      /* none fields are left out, as WAVE writers do */
      if (t->elems[i]->kind == CT_OPTION && v->u.seq.v[i].u.var.disc == 0) continue;
      if (!first) fputs(", ", out);
      first = false;
      print_label(out, &t->names[i]);
      fputs(": ", out);
      comp_wave_print(out, t->elems[i], &v->u.seq.v[i]);
    }
    fputc('}', out);
    return;
  }
  case CT_TUPLE:
    fputc('(', out);
    for (uint32_t i = 0; i < t->n; i++) {
      if (i) fputs(", ", out);
      comp_wave_print(out, t->elems[i], &v->u.seq.v[i]);
    }
    fputc(')', out);
    return;
  case CT_FLAGS: {
    fputc('{', out);
    bool first = true;
    for (uint32_t i = 0; i < t->n; i++)
      if (v->u.flags & (1u << i)) {
        if (!first) fputs(", ", out);
        first = false;
        print_label(out, &t->names[i]);
      }
    fputc('}', out);
    return;
  }
  case CT_ENUM: print_label(out, &t->names[v->u.var.disc]); return;
  case CT_VARIANT:
    print_label(out, &t->names[v->u.var.disc]);
    if (t->elems[v->u.var.disc]) {
      fputc('(', out);
      comp_wave_print(out, t->elems[v->u.var.disc], v->u.var.p);
      fputc(')', out);
    }
    return;
  case CT_OPTION:
    if (v->u.var.disc == 0) { fputs("none", out); return; }
    fputs("some(", out);
    comp_wave_print(out, t->a, v->u.var.p);
    fputc(')', out);
    return;
  case CT_RESULT: {
    const comp_ctype *pt = v->u.var.disc == 0 ? t->a : t->b;
    fputs(v->u.var.disc == 0 ? "ok" : "err", out);
    if (pt) {
      fputc('(', out);
      comp_wave_print(out, pt, v->u.var.p);
      fputc(')', out);
    }
    return;
  }
  case CT_OWN:
  case CT_BORROW:
    /* not a WAVE value: shown as the resource's representation */
    fprintf(out, "%s<resource rep %u>", t->kind == CT_OWN ? "own" : "borrow", v->u.h.rep);
    return;
  default: fputs("<?>", out); return;
  }
}

/* ---------- equality ------------------------------------------------------------------- */

bool comp_val_equal(const comp_ctype *t, const comp_val *a, const comp_val *b) {
  switch (t->kind) {
  case CT_PRIM:
    switch (t->prim) {
    case COMP_T_BOOL: return a->u.b == b->u.b;
    case COMP_T_S8: case COMP_T_S16: case COMP_T_S32: case COMP_T_S64: return a->u.i == b->u.i;
    case COMP_T_F32: {
      if (isnan(a->u.f32) || isnan(b->u.f32)) return isnan(a->u.f32) && isnan(b->u.f32);
      return memcmp(&a->u.f32, &b->u.f32, sizeof(float)) == 0;
    }
    case COMP_T_F64: {
      if (isnan(a->u.f64) || isnan(b->u.f64)) return isnan(a->u.f64) && isnan(b->u.f64);
      return memcmp(&a->u.f64, &b->u.f64, sizeof(double)) == 0;
    }
    case COMP_T_CHAR: return a->u.c == b->u.c;
    case COMP_T_STRING:
      return a->u.str.len == b->u.str.len && (a->u.str.len == 0 || memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0);
    default: return a->u.u == b->u.u;
    }
  case CT_LIST:
  case CT_FIXED_LIST:
  case CT_MAP: {
    if (a->u.seq.n != b->u.seq.n) return false;
    const comp_ctype *el[2] = {t->a, t->b};
    comp_ctype entry = {.kind = CT_TUPLE, .n = 2, .elems = el};
    for (uint32_t i = 0; i < a->u.seq.n; i++)
      if (!comp_val_equal(t->kind == CT_MAP ? &entry : t->a, &a->u.seq.v[i], &b->u.seq.v[i])) return false;
    return true;
  }
  case CT_RECORD:
  case CT_TUPLE:
    for (uint32_t i = 0; i < t->n; i++)
      if (!comp_val_equal(t->elems[i], &a->u.seq.v[i], &b->u.seq.v[i])) return false;
    return true;
  case CT_FLAGS: return a->u.flags == b->u.flags;
  case CT_ENUM: return a->u.var.disc == b->u.var.disc;
  case CT_VARIANT:
  case CT_OPTION:
  case CT_RESULT: {
    if (a->u.var.disc != b->u.var.disc) return false;
    const comp_ctype *pt = t->kind == CT_VARIANT ? (a->u.var.disc < t->n ? t->elems[a->u.var.disc] : NULL)
                         : t->kind == CT_OPTION  ? (a->u.var.disc ? t->a : NULL)
                                                 : (a->u.var.disc ? t->b : t->a);
    if (!pt) return true;
    if (!a->u.var.p || !b->u.var.p) return a->u.var.p == b->u.var.p;
    return comp_val_equal(pt, a->u.var.p, b->u.var.p);
  }
  case CT_OWN:
  case CT_BORROW: return a->u.h.rt == b->u.h.rt && a->u.h.rep == b->u.h.rep;
  default: return false;
  }
}
