/* Import and export names (the explainer's grammar): kebab-case labels, annotated plain
 * names ([constructor], [method], [static], [async] forms), interface names with a
 * semver version, and the import-only dependency, URL and integrity names. */
#include <string.h>

#include "internal.h"

typedef struct cur {
  const char *p, *end;
} cur;

static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* label ::= fragment ('-' fragment)*; a fragment is lowercase letters and digits or
 * uppercase letters and digits; the first starts with a letter. `words` allows the
 * lowercase form only (namespaces and packages). */
static bool label_at(cur *c, bool words) {
  bool first = true;
  for (;;) {
    if (c->p >= c->end) return false;
    if (first && !is_lower(*c->p) && !(is_upper(*c->p) && !words)) return false;
    bool upper = false, lower_ = false;
    const char *s = c->p;
    while (c->p < c->end && (is_digit(*c->p) || is_lower(*c->p) || is_upper(*c->p))) {
      upper |= is_upper(*c->p);
      lower_ |= is_lower(*c->p);
      c->p++;
    }
    if (c->p == s || (upper && lower_) || (upper && words)) return false;
    first = false;
    if (c->p < c->end && *c->p == '-') {
      c->p++;
      continue;
    }
    return true;
  }
}

static bool whole_label(const char *s, size_t n) {
  cur c = {s, s + n};
  return label_at(&c, false) && c.p == c.end;
}

static bool whole_words(const char *s, size_t n) {
  cur c = {s, s + n};
  return label_at(&c, true) && c.p == c.end;
}

bool comp_label_valid(const wasm_name *n) { return whole_label(n->str, n->len); }

/* <valid semver>: N.N.N, then -prerelease and +build, numbers without leading zeros.
 * NULL when valid, otherwise why (the wording names the part being read, as semver
 * parsers do: "unexpected character 'x' after minor version number"). */
static const char *sv_char(cur *c, const char *when, const char *what, char *why, size_t nwhy) {
  if (c->p >= c->end) snprintf(why, nwhy, "unexpected end of input %s %s", when, what);
  else snprintf(why, nwhy, "unexpected character '%c' %s %s", *c->p, when, what);
  return why;
}

static const char *sv_number(cur *c, const char *what, char *why, size_t nwhy) {
  const char *s = c->p;
  while (c->p < c->end && is_digit(*c->p)) c->p++;
  if (c->p == s) return sv_char(c, "while parsing", what, why, nwhy);
  if (c->p - s > 1 && *s == '0') {
    snprintf(why, nwhy, "invalid leading zero in %s", what);
    return why;
  }
  if (c->p - s > 19) {
    snprintf(why, nwhy, "value of %s exceeds u64::MAX", what);
    return why;
  }
  return NULL;
}

static const char *sv_idents(cur *c, bool prerelease, char *why, size_t nwhy) {
  const char *what = prerelease ? "pre-release identifier" : "build metadata";
  for (;;) {
    const char *s = c->p;
    bool digits = true;
    while (c->p < c->end && (is_digit(*c->p) || is_lower(*c->p) || is_upper(*c->p) || *c->p == '-')) {
      if (!is_digit(*c->p)) digits = false;
      c->p++;
    }
    if (c->p == s) {
      if (c->p < c->end && *c->p != '.' && *c->p != '+') return sv_char(c, "while parsing", what, why, nwhy);
      snprintf(why, nwhy, "empty identifier segment in %s", what);
      return why;
    }
    if (prerelease && digits && c->p - s > 1 && *s == '0') {
      snprintf(why, nwhy, "invalid leading zero in %s", what);
      return why;
    }
    if (c->p < c->end && *c->p == '.') {
      c->p++;
      continue;
    }
    return NULL;
  }
}

static const char *semver(cur *c, char *why, size_t nwhy) {
  if (c->p >= c->end) return "empty string, expected a semver version";
  /* names here are char arrays, not pointers: their tables need no relocations at start-up */
  static const char part[][21] = {"major version number", "minor version number", "patch version number"};
  const char *r;
  for (int i = 0; i < 3; i++) {
    if ((r = sv_number(c, part[i], why, nwhy))) return r;
    if (i < 2) {
      if (c->p >= c->end || *c->p != '.') return sv_char(c, "after", part[i], why, nwhy);
      c->p++;
    }
  }
  if (c->p < c->end && *c->p == '-') {
    c->p++;
    if ((r = sv_idents(c, true, why, nwhy))) return r;
  }
  if (c->p < c->end && *c->p == '+') {
    c->p++;
    if ((r = sv_idents(c, false, why, nwhy))) return r;
  }
  if (c->p < c->end) return sv_char(c, "after", "version", why, nwhy);
  return NULL;
}

static bool starts(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

static const char *not_kebab(const char *s, size_t n, char *why, size_t nwhy) {
  snprintf(why, nwhy, "`%.*s` is not in kebab case", (int)(n > 80 ? 80 : n), s);
  return why;
}

/* [constructor]r, [method]r.f, [static]r.f, and the async forms: NULL when valid. */
static const char *plain_name(const char *s, size_t n, int *ann, wasm_name *res, char *why, size_t nwhy) {
  static const struct { char p[15]; int ann; bool dotted; } forms[] = {
      {"[constructor]", COMP_ANN_CONSTRUCTOR, false}, {"[method]", COMP_ANN_METHOD, true},
      {"[static]", COMP_ANN_STATIC, true},           {"[async]", COMP_ANN_NONE, false},
      {"[async method]", COMP_ANN_METHOD, true},     {"[async static]", COMP_ANN_STATIC, true}};
  *ann = COMP_ANN_NONE;
  if (n == 0 || s[0] != '[') return whole_label(s, n) ? NULL : not_kebab(s, n, why, nwhy);
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    if (!starts(s, n, forms[i].p)) continue;
    size_t k = strlen(forms[i].p);
    const char *r = s + k;
    size_t rn = n - k;
    if (!forms[i].dotted) {
      if (!whole_label(r, rn)) return not_kebab(r, rn, why, nwhy);
      if (forms[i].ann == COMP_ANN_CONSTRUCTOR && res) *res = (wasm_name){r, (uint32_t)rn};
      *ann = forms[i].ann;
      return NULL;
    }
    const char *dot = memchr(r, '.', rn);
    if (!dot) return "failed to find `.` character";
    size_t rl = (size_t)(dot - r);
    if (!whole_label(r, rl)) return not_kebab(r, rl, why, nwhy);
    if (!whole_label(dot + 1, rn - rl - 1)) return not_kebab(dot + 1, rn - rl - 1, why, nwhy);
    if (res) *res = (wasm_name){r, (uint32_t)rl};
    *ann = forms[i].ann;
    return NULL;
  }
  return "unknown annotation in name";
}

/* interfacename ::= namespace package '/' projection ('@' semver)?, namespace ::= words ':'.
 * Nested namespaces and projections (namespace+ and projection+) are gated future syntax. */
static const char *interface_name(const char *s, size_t n, char *why, size_t nwhy) {
  const char *at = memchr(s, '@', n);
  const char *end = at ? at : s + n;
  const char *colon = memchr(s, ':', (size_t)(end - s));
  if (!colon) return not_kebab(s, (size_t)(end - s), why, nwhy); /* the ':' is after the '@' */
  if (!whole_words(s, (size_t)(colon - s))) return not_kebab(s, (size_t)(colon - s), why, nwhy);
  const char *p = colon + 1;
  const char *slash = memchr(p, '/', (size_t)(end - p));
  const char *pend = slash ? slash : end;
  if (memchr(p, ':', (size_t)(pend - p))) {
    const char *c2 = memchr(p, ':', (size_t)(pend - p));
    if (!whole_words(p, (size_t)(c2 - p))) return not_kebab(p, (size_t)(c2 - p), why, nwhy);
    return "expected `/` after package name";
  }
  if (!whole_words(p, (size_t)(pend - p))) return not_kebab(p, (size_t)(pend - p), why, nwhy);
  if (!slash) return "expected `/` after package name";
  p = slash + 1;
  const char *next = memchr(p, '/', (size_t)(end - p));
  const char *e = next ? next : end;
  if (!whole_label(p, (size_t)(e - p))) return not_kebab(p, (size_t)(e - p), why, nwhy);
  if (next) {
    snprintf(why, nwhy, "trailing characters found: `%.*s`", (int)(s + n - next > 80 ? 80 : s + n - next), next);
    return why;
  }
  if (at) {
    cur c = {at + 1, s + n};
    return semver(&c, why, nwhy);
  }
  return NULL;
}

bool comp_name_resource(const wasm_name *n, wasm_name *resource, int *annotation) {
  char why[128];
  return !plain_name(n->str, n->len, annotation, resource, why, sizeof why) && *annotation != COMP_ANN_NONE;
}

/* 'name=<' ... '>' with no '<' or '>' inside */
static bool bracketed(const char *s, size_t n, const char *prefix, size_t *used) {
  size_t k = strlen(prefix);
  if (!starts(s, n, prefix)) return false;
  const char *close = memchr(s + k, '>', n - k);
  if (!close || memchr(s + k, '<', (size_t)(close - s - k))) return false;
  *used = (size_t)(close - s) + 1;
  return true;
}

static bool hash_name(const char *s, size_t n) {
  size_t used;
  return bracketed(s, n, "integrity=<", &used) && used == n;
}

const char *comp_name_check(const wasm_name *nm, bool import, char *why, size_t nwhy) {
  const char *s = nm->str;
  size_t n = nm->len;
  int ann;
  if (import) {
    size_t used;
    if (bracketed(s, n, "unlocked-dep=<", &used) || bracketed(s, n, "locked-dep=<", &used) ||
        bracketed(s, n, "url=<", &used)) {
      if (used == n || (s[used] == ',' && hash_name(s + used + 1, n - used - 1))) return NULL;
      return "malformed dependency, URL or integrity name";
    }
    if (hash_name(s, n)) return NULL;
  }
  if (n && s[0] != '[' && memchr(s, ':', n)) return interface_name(s, n, why, nwhy);
  return plain_name(s, n, &ann, NULL, why, nwhy);
}

static char lower(char c) { return is_upper(c) ? (char)(c - 'A' + 'a') : c; }

bool comp_names_conflict(const wasm_name *a, const wasm_name *b) {
  if (a->len != b->len) return false;
  for (uint32_t i = 0; i < a->len; i++)
    if (lower(a->str[i]) != lower(b->str[i])) return false;
  return true;
}

/* The part of an import or export name that strong uniqueness compares (Explainer.md,
 * "Name uniqueness"): `[method]l.l` and `[static]l.l` stand for `l`, and every other
 * annotation but `[constructor]` is dropped; case is ignored. (The explainer's newer
 * step that also ignores hyphens is not applied: the component-model test suite keeps
 * `a1` and `a-1` apart, as the reference tools do.) */
static bool same_loose(const char *a, const char *ae, const char *b, const char *be) {
  if (ae - a != be - b) return false;
  for (; a < ae; a++, b++)
    if (lower(*a) != lower(*b)) return false;
  return true;
}

static void unique_span(const wasm_name *n, const char **start, const char **end) {
  const char *s = n->str, *e = n->str + n->len;
  *start = s;
  *end = e;
  if (n->len == 0 || s[0] != '[') return;
  const char *close = memchr(s, ']', n->len);
  if (!close) return;
  size_t plen = (size_t)(close + 1 - s);
  if (plen == 13 && memcmp(s, "[constructor]", 13) == 0) return;
  const char *rest = close + 1;
  *start = rest;
  bool method = (plen == 8 && memcmp(s, "[method]", 8) == 0) || (plen == 8 && memcmp(s, "[static]", 8) == 0);
  const char *dot = method ? memchr(rest, '.', (size_t)(e - rest)) : NULL;
  if (dot && same_loose(rest, dot, dot + 1, e)) *start = dot + 1;
}

bool comp_extern_names_conflict(const wasm_name *a, const wasm_name *b) {
  const char *as, *ae, *bs, *be;
  unique_span(a, &as, &ae);
  unique_span(b, &bs, &be);
  return same_loose(as, ae, bs, be);
}
