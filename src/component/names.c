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

/* fragment ::= word | acronym; word ::= [a-z][0-9a-z]*; acronym ::= [A-Z][0-9A-Z]*.
 * A label is fragments joined by '-'. `words` allows words only (namespaces). */
static bool label_at(cur *c, bool words) {
  for (;;) {
    if (c->p >= c->end) return false;
    bool upper = is_upper(*c->p);
    if (!is_lower(*c->p) && !(upper && !words)) return false;
    c->p++;
    while (c->p < c->end && (is_digit(*c->p) || (upper ? is_upper(*c->p) : is_lower(*c->p)))) c->p++;
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

bool comp_label_valid(const wasm_name *n) { return whole_label(n->str, n->len); }

/* <valid semver>: N.N.N, then -prerelease and +build, numbers without leading zeros. */
static bool number(cur *c) {
  const char *s = c->p;
  while (c->p < c->end && is_digit(*c->p)) c->p++;
  return c->p > s && !(c->p - s > 1 && *s == '0');
}

static bool ident_list(cur *c, bool prerelease) {
  for (;;) {
    const char *s = c->p;
    bool digits = true;
    while (c->p < c->end && (is_digit(*c->p) || is_lower(*c->p) || is_upper(*c->p) || *c->p == '-')) {
      if (!is_digit(*c->p)) digits = false;
      c->p++;
    }
    if (c->p == s) return false;
    if (prerelease && digits && c->p - s > 1 && *s == '0') return false;
    if (c->p < c->end && *c->p == '.') { c->p++; continue; }
    return true;
  }
}

static bool semver(cur *c) {
  if (!number(c) || c->p >= c->end || *c->p++ != '.' || !number(c) || c->p >= c->end || *c->p++ != '.' ||
      !number(c))
    return false;
  if (c->p < c->end && *c->p == '-') { c->p++; if (!ident_list(c, true)) return false; }
  if (c->p < c->end && *c->p == '+') { c->p++; if (!ident_list(c, false)) return false; }
  return c->p == c->end;
}

/* interfacename ::= namespace+ label projection+ ('@' semver)?, namespace ::= words ':' */
static bool interface_name(const char *s, size_t n) {
  cur c = {s, s + n};
  const char *at = memchr(s, '@', n);
  cur body = {s, at ? at : s + n};
  if (!label_at(&body, true) || body.p >= body.end || *body.p != ':') return false;
  body.p++;
  while (body.p < body.end) {
    if (!label_at(&body, false)) return false;
    if (body.p < body.end && *body.p == ':') { body.p++; continue; }
    break;
  }
  int projections = 0;
  while (body.p < body.end && *body.p == '/') {
    body.p++;
    if (!label_at(&body, false)) return false;
    projections++;
  }
  if (projections == 0 || body.p != body.end) return false;
  if (!at) return true;
  c.p = at + 1;
  return semver(&c);
}

static bool starts(const char *s, size_t n, const char *prefix) {
  size_t k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

/* [constructor]r, [method]r.f, [static]r.f, and the async forms. */
static bool plain_name(const char *s, size_t n, int *ann, wasm_name *res) {
  static const struct { const char *p; int ann; bool dotted; } forms[] = {
      {"[constructor]", COMP_ANN_CONSTRUCTOR, false}, {"[method]", COMP_ANN_METHOD, true},
      {"[static]", COMP_ANN_STATIC, true},           {"[async]", COMP_ANN_NONE, false},
      {"[async method]", COMP_ANN_METHOD, true},     {"[async static]", COMP_ANN_STATIC, true}};
  *ann = COMP_ANN_NONE;
  if (n == 0 || s[0] != '[') return whole_label(s, n);
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    if (!starts(s, n, forms[i].p)) continue;
    size_t k = strlen(forms[i].p);
    const char *r = s + k;
    size_t rn = n - k;
    if (!forms[i].dotted) {
      if (!whole_label(r, rn)) return false;
      if (forms[i].ann == COMP_ANN_CONSTRUCTOR && res) *res = (wasm_name){r, (uint32_t)rn};
      *ann = forms[i].ann;
      return true;
    }
    const char *dot = memchr(r, '.', rn);
    if (!dot || !whole_label(r, (size_t)(dot - r)) || !whole_label(dot + 1, rn - (size_t)(dot - r) - 1)) return false;
    if (res) *res = (wasm_name){r, (uint32_t)(dot - r)};
    *ann = forms[i].ann;
    return true;
  }
  return false;
}

bool comp_name_resource(const wasm_name *n, wasm_name *resource, int *annotation) {
  return plain_name(n->str, n->len, annotation, resource) && *annotation != COMP_ANN_NONE;
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

const char *comp_name_check(const wasm_name *nm, bool import) {
  const char *s = nm->str;
  size_t n = nm->len;
  int ann;
  if (plain_name(s, n, &ann, NULL)) return NULL;
  if (memchr(s, ':', n) && interface_name(s, n)) return NULL;
  if (import) {
    size_t used;
    if (bracketed(s, n, "unlocked-dep=<", &used) || bracketed(s, n, "locked-dep=<", &used) ||
        bracketed(s, n, "url=<", &used)) {
      if (used == n) return NULL;
      if (s[used] == ',' && hash_name(s + used + 1, n - used - 1)) return NULL;
      return "is not a valid extern name";
    }
    if (hash_name(s, n)) return NULL;
  }
  return "is not a valid extern name";
}

static char lower(char c) { return is_upper(c) ? (char)(c - 'A' + 'a') : c; }

bool comp_names_conflict(const wasm_name *a, const wasm_name *b) {
  if (a->len != b->len) return false;
  for (uint32_t i = 0; i < a->len; i++)
    if (lower(a->str[i]) != lower(b->str[i])) return false;
  return true;
}
