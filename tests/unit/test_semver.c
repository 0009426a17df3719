/* Semantic versions (the precedence examples of semver.org 2.0.0) and Cargo's
 * requirement semantics (the tables of the Cargo book's "Specifying Dependencies"). */
#include <stdio.h>

#include "pkg/semver.h"
#include "unit.h"

static semver V(const char *s) {
  semver v;
  char why[128];
  if (!semver_parse(s, &v, why, sizeof why)) unit_check(false, __FILE__, __LINE__, "parse %s: %s", s, why);
  return v;
}

static bool matches(const char *req, const char *ver) {
  semver_req r;
  char why[128];
  if (!semver_req_parse(req, &r, why, sizeof why)) {
    unit_check(false, __FILE__, __LINE__, "parse requirement %s: %s", req, why);
    return false;
  }
  semver v = V(ver);
  return semver_req_matches(&r, &v);
}

/* Release triples compared here, apart from the code under test. */
typedef struct { unsigned long long a, b, c; } triple;
static int tcmp(triple x, triple y) {
  if (x.a != y.a) return x.a < y.a ? -1 : 1;
  if (x.b != y.b) return x.b < y.b ? -1 : 1;
  if (x.c != y.c) return x.c < y.c ? -1 : 1;
  return 0;
}

/* The Cargo book writes each requirement as a range: req := >=LO, <HI (HI 0.0.0 = none). */
static const struct {
  const char *req;
  triple lo, hi;
} book[] = {
    {"^1.2.3", {1, 2, 3}, {2, 0, 0}}, {"^1.2", {1, 2, 0}, {2, 0, 0}},   {"^1", {1, 0, 0}, {2, 0, 0}},
    {"^0.2.3", {0, 2, 3}, {0, 3, 0}}, {"^0.2", {0, 2, 0}, {0, 3, 0}},   {"^0.0.3", {0, 0, 3}, {0, 0, 4}},
    {"^0.0", {0, 0, 0}, {0, 1, 0}},   {"^0", {0, 0, 0}, {1, 0, 0}},     {"1.2.3", {1, 2, 3}, {2, 0, 0}},
    {"~1.2.3", {1, 2, 3}, {1, 3, 0}}, {"~1.2", {1, 2, 0}, {1, 3, 0}},   {"~1", {1, 0, 0}, {2, 0, 0}},
    {"*", {0, 0, 0}, {0, 0, 0}},      {"1.*", {1, 0, 0}, {2, 0, 0}},    {"1.2.*", {1, 2, 0}, {1, 3, 0}},
    {"1.x", {1, 0, 0}, {2, 0, 0}},    {"1.2.X", {1, 2, 0}, {1, 3, 0}},  {">= 1.2.0", {1, 2, 0}, {0, 0, 0}},
    {"> 1", {2, 0, 0}, {0, 0, 0}},    {"< 2", {0, 0, 0}, {2, 0, 0}},    {"= 1.2.3", {1, 2, 3}, {1, 2, 4}},
    {">= 1.2, < 1.5", {1, 2, 0}, {1, 5, 0}}, {"=1.2", {1, 2, 0}, {1, 3, 0}}, {"<=1.2", {0, 0, 0}, {1, 3, 0}},
    {">1.2", {1, 3, 0}, {0, 0, 0}},   {"~0", {0, 0, 0}, {1, 0, 0}},
};

static const triple probes[] = {{0, 0, 0}, {0, 0, 1}, {0, 0, 3}, {0, 0, 4}, {0, 1, 0}, {0, 2, 0}, {0, 2, 2},
                                {0, 2, 3}, {0, 2, 9}, {0, 3, 0}, {0, 9, 9}, {1, 0, 0}, {1, 1, 9}, {1, 2, 0},
                                {1, 2, 2}, {1, 2, 3}, {1, 2, 4}, {1, 2, 9}, {1, 3, 0}, {1, 4, 9}, {1, 5, 0},
                                {1, 9, 9}, {2, 0, 0}, {2, 0, 1}, {3, 1, 4}, {10, 0, 0}};

UNIT_GROUP(semver) {
  /* semver.org item 11: 1.0.0-alpha < 1.0.0-alpha.1 < ... < 1.0.0, and 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1 */
  static const char *const order[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                      "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",      "1.0.0",
                                      "2.0.0",        "2.1.0",         "2.1.1"};
  size_t n = sizeof order / sizeof *order;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      semver a = V(order[i]), b = V(order[j]);
      int c = semver_cmp(&a, &b), want = i < j ? -1 : i > j;
      unit_check(c == want, __FILE__, __LINE__, "cmp(%s, %s) = %d, want %d", order[i], order[j], c, want);
    }
  /* build metadata is ignored in precedence (item 10) but kept */
  semver b1 = V("1.0.0+20130313144700"), b2 = V("1.0.0+exp.sha.5114f85");
  CHECK(semver_cmp(&b1, &b2) == 0);
  char buf[300];
  CHECK_STR(semver_format(&b2, buf, sizeof buf), "1.0.0+exp.sha.5114f85");
  semver pb = V("1.0.0-alpha+001");
  CHECK_STR(semver_format(&pb, buf, sizeof buf), "1.0.0-alpha+001");
  /* malformed versions (items 2 and 9) */
  static const char *const bad[] = {"", "1", "1.2", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01",
                                    "1.2.3-a..b", "1.2.3+", "v1.2.3", "1.2.3.4", " 1.2.3", "1.2.3-a b",
                                    "99999999999999999999.0.0"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    semver v;
    char why[128];
    unit_check(!semver_parse(bad[i], &v, why, sizeof why), __FILE__, __LINE__, "\"%s\" parsed", bad[i]);
  }
  semver ok;
  char why[128];
  CHECK(semver_parse("1.0.0-0.3.7", &ok, why, sizeof why));
  CHECK(semver_parse("1.0.0-x.7.z.92", &ok, why, sizeof why));
  CHECK(semver_parse("1.0.0-x-y-z.--", &ok, why, sizeof why));
  CHECK(semver_parse("0.0.0", &ok, why, sizeof why));
  CHECK(!semver_parse("1.2", &ok, why, sizeof why) && strstr(why, "MAJOR.MINOR.PATCH"));
  /* compatibility classes */
  semver c1 = V("1.4.2"), c2 = V("0.3.1"), c3 = V("0.0.7");
  CHECK_STR(semver_compat_class(&c1, buf, sizeof buf), "1");
  CHECK_STR(semver_compat_class(&c2, buf, sizeof buf), "0.3");
  CHECK_STR(semver_compat_class(&c3, buf, sizeof buf), "0.0.7");
}

UNIT_GROUP(semver_req) {
  for (size_t i = 0; i < sizeof book / sizeof *book; i++)
    for (size_t k = 0; k < sizeof probes / sizeof *probes; k++) {
      triple p = probes[k];
      bool hi_none = !book[i].hi.a && !book[i].hi.b && !book[i].hi.c;
      bool want = tcmp(p, book[i].lo) >= 0 && (hi_none || tcmp(p, book[i].hi) < 0);
      char v[64];
      snprintf(v, sizeof v, "%llu.%llu.%llu", p.a, p.b, p.c);
      bool got = matches(book[i].req, v);
      unit_check(got == want, __FILE__, __LINE__, "\"%s\" on %s: %d, want %d", book[i].req, v, got, want);
    }
  /* pre-releases match only where a comparator names the same release with a pre-release */
  CHECK(!matches("^1.2.0", "1.3.0-beta"));
  CHECK(!matches("*", "1.0.0-alpha"));
  CHECK(!matches(">=1.0.0", "2.0.0-rc.1"));
  CHECK(matches(">=1.2.3-beta.1", "1.2.3-beta.2"));
  CHECK(matches(">=1.2.3-beta.1", "1.2.3"));
  CHECK(matches(">=1.2.3-beta.1", "1.2.4"));
  CHECK(!matches(">=1.2.3-beta.1", "1.2.4-beta"));
  CHECK(!matches(">=1.2.3-beta.1", "1.2.3-alpha"));
  CHECK(matches("^1.0.0-alpha", "1.0.0-alpha.1"));
  CHECK(matches("^1.0.0-alpha", "1.0.0"));
  CHECK(matches("^1.0.0-alpha", "1.5.0"));
  CHECK(!matches("^1.0.0-alpha", "1.5.0-beta"));
  CHECK(matches("=1.0.0-rc.1", "1.0.0-rc.1"));
  CHECK(!matches("=1.0.0-rc.1", "1.0.0-rc.2"));
  CHECK(matches("~1.2.3-rc.2", "1.2.3-rc.10"));
  CHECK(!matches("<1.0.0", "1.0.0-rc.1"));
  /* build metadata plays no part */
  CHECK(matches("=1.2.3", "1.2.3+build.5"));
  CHECK(matches("=1.2.3+other", "1.2.3"));
  /* malformed requirements */
  static const char *const bad[] = {"", "^", ">= ", "1.2,", "1.2 1.3", ">=1.*", "~1.x", "1.*.3", "01.2", "1.2-beta",
                                    "^1.2.3-", "=>1.0", ",1"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    semver_req r;
    char why[160];
    unit_check(!semver_req_parse(bad[i], &r, why, sizeof why), __FILE__, __LINE__, "\"%s\" parsed", bad[i]);
  }
  semver_req r;
  char why[160], buf[200];
  CHECK(semver_req_parse(">= 1.2 , <1.5.0", &r, why, sizeof why));
  CHECK_STR(semver_req_format(&r, buf, sizeof buf), ">=1.2, <1.5.0");
  CHECK(semver_req_parse("1.2.*", &r, why, sizeof why));
  CHECK_STR(semver_req_format(&r, buf, sizeof buf), "1.2.*");
  CHECK(semver_req_parse("0.3", &r, why, sizeof why));
  CHECK_STR(semver_req_format(&r, buf, sizeof buf), "^0.3");
}
