/* Semantic Versioning 2.0.0 and Cargo's requirement semantics (see semver.h). */
#include <stdio.h>
#include <string.h>

#include "semver.h"

static bool fail(char *why, size_t n, const char *msg) {
  if (n) snprintf(why, n, "%s", msg);
  return false;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A numeric part: digits, no leading zero, fits in 64 bits. */
static bool parse_num(const char **sp, uint64_t *out, const char *what, char *why, size_t n) {
  const char *s = *sp;
  if (!is_digit(*s)) {
    if (n) snprintf(why, n, "expected the %s number", what);
    return false;
  }
  if (s[0] == '0' && is_digit(s[1])) {
    if (n) snprintf(why, n, "the %s number has a leading zero", what);
    return false;
  }
  uint64_t v = 0;
  for (; is_digit(*s); s++) {
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10) {
      if (n) snprintf(why, n, "the %s number is too large", what);
      return false;
    }
    v = v * 10 + d;
  }
  *out = v;
  *sp = s;
  return true;
}

/* Dot-separated identifiers up to a character that is not part of them; numeric
 * identifiers of the pre-release must not have leading zeros. */
static bool parse_idents(const char **sp, char *out, bool pre, char *why, size_t n) {
  const char *s = *sp, *start = s;
  for (;;) {
    const char *id = s;
    bool numeric = true;
    while (is_ident_char(*s)) numeric &= is_digit(*s), s++;
    if (s == id) return fail(why, n, pre ? "empty pre-release identifier" : "empty build identifier");
    if (pre && numeric && s - id > 1 && id[0] == '0')
      return fail(why, n, "a numeric pre-release identifier has a leading zero");
    if (*s != '.') break;
    s++;
  }
  if ((size_t)(s - start) >= SEMVER_TEXT_MAX)
    return fail(why, n, pre ? "pre-release too long" : "build metadata too long");
  memcpy(out, start, (size_t)(s - start));
  out[s - start] = '\0';
  *sp = s;
  return true;
}

bool semver_parse(const char *s, semver *v, char *why, size_t n) {
  memset(v, 0, sizeof *v);
  if (!*s) return fail(why, n, "empty version");
  if (!parse_num(&s, &v->major, "major", why, n)) return false;
  if (*s != '.') return fail(why, n, "expected MAJOR.MINOR.PATCH");
  s++;
  if (!parse_num(&s, &v->minor, "minor", why, n)) return false;
  if (*s != '.') return fail(why, n, "expected MAJOR.MINOR.PATCH");
  s++;
  if (!parse_num(&s, &v->patch, "patch", why, n)) return false;
  if (*s == '-') {
    s++;
    if (!parse_idents(&s, v->pre, true, why, n)) return false;
  }
  if (*s == '+') {
    s++;
    if (!parse_idents(&s, v->build, false, why, n)) return false;
  }
  if (*s) {
    if (n) snprintf(why, n, "unexpected character '%c' in version", *s);
    return false;
  }
  return true;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* Pre-release precedence (spec item 11): a release ranks above any pre-release; then
 * identifier by identifier, numeric ones numerically and below alphanumeric ones,
 * alphanumeric ones in ASCII order, and a longer list above its prefix. */
static int cmp_pre(const char *a, const char *b) {
  if (!*a || !*b) return !*a && !*b ? 0 : !*a ? 1 : -1;
  for (;;) {
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    bool na = true, nb = true;
    for (size_t i = 0; i < la; i++) na &= is_digit(a[i]);
    for (size_t i = 0; i < lb; i++) nb &= is_digit(b[i]);
    int c;
    if (na && nb) {
      c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la); /* no leading zeros: longer is larger */
    } else if (na != nb) {
      c = na ? -1 : 1;
    } else {
      c = memcmp(a, b, la < lb ? la : lb);
      if (!c && la != lb) c = la < lb ? -1 : 1;
    }
    if (c) return c < 0 ? -1 : 1;
    a += la, b += lb;
    if (!*a || !*b) return !*a && !*b ? 0 : !*a ? -1 : 1;
    a++, b++;
  }
}

int semver_cmp(const semver *a, const semver *b) {
  int c = cmp_u64(a->major, b->major);
  if (!c) c = cmp_u64(a->minor, b->minor);
  if (!c) c = cmp_u64(a->patch, b->patch);
  if (!c) c = cmp_pre(a->pre, b->pre);
  return c;
}

const char *semver_format(const semver *v, char *buf, size_t n) {
  snprintf(buf, n, "%llu.%llu.%llu%s%s%s%s", (unsigned long long)v->major, (unsigned long long)v->minor,
           (unsigned long long)v->patch, *v->pre ? "-" : "", v->pre, *v->build ? "+" : "", v->build);
  return buf;
}

const char *semver_compat_class(const semver *v, char *buf, size_t n) {
  if (v->major) snprintf(buf, n, "%llu", (unsigned long long)v->major);
  else if (v->minor) snprintf(buf, n, "0.%llu", (unsigned long long)v->minor);
  else snprintf(buf, n, "0.0.%llu", (unsigned long long)v->patch);
  return buf;
}

/* ---------- requirements ------------------------------------------------------------------ */

static bool is_wild(int c) { return c == '*' || c == 'x' || c == 'X'; }
static void skip_space(const char **s) {
  while (**s == ' ' || **s == '\t') (*s)++;
}

static bool parse_comparator(const char **sp, semver_comparator *c, char *why, size_t n) {
  const char *s = *sp;
  memset(c, 0, sizeof *c);
  bool explicit_op = true;
  if (s[0] == '>' && s[1] == '=') c->op = SEMVER_OP_GE, s += 2;
  else if (s[0] == '<' && s[1] == '=') c->op = SEMVER_OP_LE, s += 2;
  else if (s[0] == '>') c->op = SEMVER_OP_GT, s++;
  else if (s[0] == '<') c->op = SEMVER_OP_LT, s++;
  else if (s[0] == '=') c->op = SEMVER_OP_EXACT, s++;
  else if (s[0] == '~') c->op = SEMVER_OP_TILDE, s++;
  else if (s[0] == '^') c->op = SEMVER_OP_CARET, s++;
  else c->op = SEMVER_OP_CARET, explicit_op = false;
  skip_space(&s);
  if (is_wild(*s)) {
    if (explicit_op && c->op != SEMVER_OP_EXACT) return fail(why, n, "a wildcard cannot follow an operator other than =");
    c->op = SEMVER_OP_WILDCARD;
    s++;
    *sp = s;
    return true;
  }
  uint64_t *parts[3] = {&c->major, &c->minor, &c->patch};
  bool *has[3] = {&c->has_major, &c->has_minor, &c->has_patch};
  static const char names[3][6] = {"major", "minor", "patch"};
  for (int i = 0; i < 3; i++) {
    if (i) {
      if (*s != '.') break;
      s++;
      if (is_wild(*s)) {
        if (explicit_op && c->op != SEMVER_OP_EXACT)
          return fail(why, n, "a wildcard cannot follow an operator other than =");
        c->op = SEMVER_OP_WILDCARD;
        s++;
        if (*s == '.' && i < 2) {
          s++;
          if (!is_wild(*s)) return fail(why, n, "a number cannot follow a wildcard");
          s++;
        }
        *sp = s;
        return true;
      }
    }
    if (!parse_num(&s, parts[i], names[i], why, n)) return false;
    *has[i] = true;
  }
  if (*s == '-') {
    if (!c->has_patch) return fail(why, n, "a pre-release needs MAJOR.MINOR.PATCH before it");
    s++;
    if (!parse_idents(&s, c->pre, true, why, n)) return false;
  }
  if (*s == '+') { /* build metadata is allowed and ignored */
    char build[SEMVER_TEXT_MAX];
    s++;
    if (!parse_idents(&s, build, false, why, n)) return false;
  }
  *sp = s;
  return true;
}

bool semver_req_parse(const char *s, semver_req *r, char *why, size_t n) {
  memset(r, 0, sizeof *r);
  skip_space(&s);
  if (!*s) return fail(why, n, "empty version requirement");
  for (;;) {
    if (r->n == SEMVER_REQ_MAX) return fail(why, n, "too many comparators in a version requirement");
    if (!parse_comparator(&s, &r->c[r->n], why, n)) return false;
    r->n++;
    skip_space(&s);
    if (!*s) return true;
    if (*s != ',') {
      if (n) snprintf(why, n, "unexpected character '%c' in version requirement (comparators are separated by commas)", *s);
      return false;
    }
    s++;
    skip_space(&s);
    if (!*s) return fail(why, n, "a comma must be followed by a comparator");
  }
}

static bool m_exact(const semver_comparator *c, const semver *v) {
  if (v->major != c->major) return false;
  if (c->has_minor && v->minor != c->minor) return false;
  if (c->has_patch && v->patch != c->patch) return false;
  return strcmp(v->pre, c->pre) == 0;
}

static bool m_greater(const semver_comparator *c, const semver *v) {
  if (v->major != c->major) return v->major > c->major;
  if (!c->has_minor) return false;
  if (v->minor != c->minor) return v->minor > c->minor;
  if (!c->has_patch) return false;
  if (v->patch != c->patch) return v->patch > c->patch;
  return cmp_pre(v->pre, c->pre) > 0;
}

static bool m_less(const semver_comparator *c, const semver *v) {
  if (v->major != c->major) return v->major < c->major;
  if (!c->has_minor) return false;
  if (v->minor != c->minor) return v->minor < c->minor;
  if (!c->has_patch) return false;
  if (v->patch != c->patch) return v->patch < c->patch;
  return cmp_pre(v->pre, c->pre) < 0;
}

static bool m_tilde(const semver_comparator *c, const semver *v) {
  if (v->major != c->major) return false;
  if (c->has_minor && v->minor != c->minor) return false;
  if (c->has_patch && v->patch != c->patch) return v->patch > c->patch;
  return cmp_pre(v->pre, c->pre) >= 0;
}

static bool m_caret(const semver_comparator *c, const semver *v) {
  if (v->major != c->major) return false;
  if (!c->has_minor) return true;
  if (!c->has_patch) return c->major > 0 ? v->minor >= c->minor : v->minor == c->minor;
  if (c->major > 0) {
    if (v->minor != c->minor) return v->minor > c->minor;
    if (v->patch != c->patch) return v->patch > c->patch;
  } else if (c->minor > 0) {
    if (v->minor != c->minor) return false;
    if (v->patch != c->patch) return v->patch > c->patch;
  } else if (v->minor != c->minor || v->patch != c->patch) {
    return false;
  }
  return cmp_pre(v->pre, c->pre) >= 0;
}

static bool comparator_matches(const semver_comparator *c, const semver *v) {
  switch (c->op) {
  case SEMVER_OP_EXACT: return m_exact(c, v);
  case SEMVER_OP_GT: return m_greater(c, v);
  case SEMVER_OP_GE: return m_exact(c, v) || m_greater(c, v);
  case SEMVER_OP_LT: return m_less(c, v);
  case SEMVER_OP_LE: return m_exact(c, v) || m_less(c, v);
  case SEMVER_OP_TILDE: return m_tilde(c, v);
  case SEMVER_OP_CARET: return m_caret(c, v);
  case SEMVER_OP_WILDCARD: return !c->has_major || m_exact(c, v);
  }
  return false;
}

bool semver_req_matches(const semver_req *r, const semver *v) {
  for (size_t i = 0; i < r->n; i++)
    if (!comparator_matches(&r->c[i], v)) return false;
  if (!*v->pre) return true;
  /* A pre-release is considered only when a comparator names its exact release. */
  for (size_t i = 0; i < r->n; i++) {
    const semver_comparator *c = &r->c[i];
    if (c->has_patch && *c->pre && c->major == v->major && c->minor == v->minor && c->patch == v->patch) return true;
  }
  return false;
}

const char *semver_req_format(const semver_req *r, char *buf, size_t n) {
  static const char ops[][3] = {"=", ">", ">=", "<", "<=", "~", "^", ""};
  size_t k = 0;
  if (n) buf[0] = '\0';
  for (size_t i = 0; i < r->n && k < n; i++) {
    const semver_comparator *c = &r->c[i];
    int w;
    if (c->op == SEMVER_OP_WILDCARD) {
      if (!c->has_major) w = snprintf(buf + k, n - k, "%s*", i ? ", " : "");
      else if (!c->has_minor) w = snprintf(buf + k, n - k, "%s%llu.*", i ? ", " : "", (unsigned long long)c->major);
      else
        w = snprintf(buf + k, n - k, "%s%llu.%llu.*", i ? ", " : "", (unsigned long long)c->major,
                     (unsigned long long)c->minor);
    } else {
      char ver[SEMVER_TEXT_MAX + 80];
      if (!c->has_minor) snprintf(ver, sizeof ver, "%llu", (unsigned long long)c->major);
      else if (!c->has_patch)
        snprintf(ver, sizeof ver, "%llu.%llu", (unsigned long long)c->major, (unsigned long long)c->minor);
      else
        snprintf(ver, sizeof ver, "%llu.%llu.%llu%s%s", (unsigned long long)c->major, (unsigned long long)c->minor,
                 (unsigned long long)c->patch, *c->pre ? "-" : "", c->pre);
      w = snprintf(buf + k, n - k, "%s%s%s", i ? ", " : "", ops[c->op], ver);
    }
    if (w < 0) break;
    k += (size_t)w;
  }
  return buf;
}
