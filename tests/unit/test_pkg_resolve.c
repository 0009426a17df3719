/* The resolver on small registries held in memory: newest matching versions, one
 * version per compatibility class, backtracking, features and optional dependencies,
 * yanked versions, pins, and conflicts reported with their chain of requirements. */
#include <stdio.h>
#include <stdlib.h>

#include "pkg/resolve.h"
#include "unit.h"

/* A registry: "name version" entries, each with the dependency lines of its manifest. */
typedef struct entry {
  const char *name, *version, *body; /* body: [[dependency]]/[[feature]] TOML */
  bool yanked;
} entry;

typedef struct reg {
  const entry *e;
  size_t n;
  pkg_manifest ms[32];
  bool loaded[32];
  semver vers[32];
  bool yanked[32];
} reg;

static bool versions(void *ctx, const char *name, const semver **vers, const bool **yanked, size_t *n, util_error *err) {
  reg *r = ctx;
  size_t k = 0, first = 0;
  for (size_t i = 0; i < r->n; i++)
    if (!strcmp(r->e[i].name, name)) {
      if (!k) first = i;
      char why[100];
      semver_parse(r->e[i].version, &r->vers[i], why, sizeof why);
      r->yanked[i] = r->e[i].yanked;
      k++;
    }
  *vers = &r->vers[first];
  *yanked = &r->yanked[first];
  *n = k; /* entries of one name are listed together */
  return true;
}

static const pkg_manifest *manifest(void *ctx, const char *name, const semver *v, util_error *err) {
  reg *r = ctx;
  for (size_t i = 0; i < r->n; i++) {
    semver w;
    char why[100];
    semver_parse(r->e[i].version, &w, why, sizeof why);
    if (strcmp(r->e[i].name, name) || semver_cmp(&w, v)) continue;
    if (!r->loaded[i]) {
      char text[2000];
      snprintf(text, sizeof text, "[package]\nname = \"%s\"\nversion = \"%s\"\n%s", name, r->e[i].version,
               r->e[i].body ? r->e[i].body : "");
      if (!pkg_manifest_parse(&r->ms[i], text, strlen(text), name, err)) return NULL;
      r->loaded[i] = true;
    }
    return &r->ms[i];
  }
  util_fail(err, UTIL_ERR_IO, -1, "no manifest for %s", name);
  return NULL;
}

static void reg_free(reg *r) {
  for (size_t i = 0; i < r->n; i++)
    if (r->loaded[i]) pkg_manifest_free(&r->ms[i]);
}

/* Resolves root (TOML after [package]) and returns "name version[features] ..." sorted by
 * name then version, or "error: MESSAGE". */
static const char *run(const entry *e, size_t n, const char *root_body, const pkg_resolve_opts *opts, char *out,
                       size_t cap) {
  reg r;
  memset(&r, 0, sizeof r);
  r.e = e, r.n = n;
  pkg_source src = {&r, versions, manifest};
  char text[2000];
  snprintf(text, sizeof text, "[package]\nname = \"app\"\nversion = \"0.1.0\"\n%s", root_body);
  pkg_manifest root;
  util_error err;
  if (!pkg_manifest_parse(&root, text, strlen(text), "app", &err)) {
    snprintf(out, cap, "bad root: %s", err.msg);
    reg_free(&r);
    return out;
  }
  pkg_resolution res;
  if (!pkg_resolve(&root, &src, opts, &res, &err)) {
    snprintf(out, cap, "error: %s", err.msg);
  } else {
    /* sort nodes 1.. by name, version */
    size_t idx[64], m = 0;
    for (size_t i = 1; i < res.n && m < 64; i++) idx[m++] = i;
    for (size_t a = 1; a < m; a++)
      for (size_t b = a; b > 0; b--) {
        const pkg_resolved *x = &res.pkgs[idx[b - 1]], *y = &res.pkgs[idx[b]];
        int c = strcmp(x->name, y->name);
        if (c < 0 || (c == 0 && semver_cmp(&x->version, &y->version) <= 0)) break;
        size_t t = idx[b - 1];
        idx[b - 1] = idx[b];
        idx[b] = t;
      }
    size_t k = 0;
    out[0] = '\0';
    for (size_t a = 0; a < m; a++) {
      const pkg_resolved *p = &res.pkgs[idx[a]];
      char v[200];
      k += (size_t)snprintf(out + k, cap - k, "%s%s %s", a ? " " : "", p->name, semver_format(&p->version, v, sizeof v));
      for (size_t f = 0; f < p->nfeatures; f++) k += (size_t)snprintf(out + k, cap - k, "%s%s", f ? "," : "[", p->features[f]);
      if (p->nfeatures) k += (size_t)snprintf(out + k, cap - k, "]");
    }
    pkg_resolution_free(&res);
  }
  pkg_manifest_free(&root);
  reg_free(&r);
  return out;
}

#define DEP(n, v) "[[dependency]]\nname = \"" n "\"\nversion = \"" v "\"\n"
#define N(a) (sizeof(a) / sizeof *(a))

UNIT_GROUP(pkg_resolve) {
  char out[2000];
  /* newest matching versions; pre-releases and yanked versions left out */
  static const entry r1[] = {
      {"a", "1.0.0", NULL, false}, {"a", "1.4.0", NULL, false}, {"a", "1.5.0-rc.1", NULL, false},
      {"a", "1.4.1", NULL, true},  {"a", "2.0.0", NULL, false},
  };
  CHECK_STR(run(r1, N(r1), DEP("a", "^1.0"), NULL, out, sizeof out), "a 1.4.0");
  CHECK_STR(run(r1, N(r1), DEP("a", "*"), NULL, out, sizeof out), "a 2.0.0");
  CHECK_STR(run(r1, N(r1), DEP("a", ">=1.5.0-rc.1, <2"), NULL, out, sizeof out), "a 1.5.0-rc.1");
  /* a pin (weld.lock) is preferred, even yanked */
  pkg_pin pin = {"a", {0}};
  char why[64];
  semver_parse("1.4.1", &pin.version, why, sizeof why);
  pkg_resolve_opts po = {.pins = &pin, .npins = 1};
  CHECK_STR(run(r1, N(r1), DEP("a", "^1.0"), &po, out, sizeof out), "a 1.4.1");
  semver_parse("1.0.0", &pin.version, why, sizeof why);
  CHECK_STR(run(r1, N(r1), DEP("a", "^1.0"), &po, out, sizeof out), "a 1.0.0");
  /* a pin outside the requirement is ignored */
  CHECK_STR(run(r1, N(r1), DEP("a", "^1.2"), &po, out, sizeof out), "a 1.4.0");

  /* unification: b and c both need a 1.x; the newest that suits both is chosen by
   * backtracking out of a 1.4.0 that c refuses */
  static const entry r2[] = {
      {"a", "1.0.0", NULL, false}, {"a", "1.2.0", NULL, false}, {"a", "1.4.0", NULL, false},
      {"b", "1.0.0", DEP("a", "^1.0"), false}, {"c", "1.0.0", DEP("a", ">=1.0, <1.3"), false},
  };
  CHECK_STR(run(r2, N(r2), DEP("b", "1") DEP("c", "1"), NULL, out, sizeof out), "a 1.2.0 b 1.0.0 c 1.0.0");
  /* two majors may coexist, two 1.x may not */
  static const entry r3[] = {
      {"a", "1.1.0", NULL, false}, {"a", "2.3.0", NULL, false}, {"a", "0.3.1", NULL, false}, {"a", "0.4.0", NULL, false},
      {"b", "1.0.0", DEP("a", "^2"), false}, {"c", "1.0.0", DEP("a", "=1.1.0"), false},
      {"d", "1.0.0", DEP("a", "^0.3"), false}, {"e", "1.0.0", DEP("a", "^0.4"), false},
  };
  CHECK_STR(run(r3, N(r3), DEP("b", "1") DEP("c", "1") DEP("d", "1") DEP("e", "1"), NULL, out, sizeof out),
            "a 0.3.1 a 0.4.0 a 1.1.0 a 2.3.0 b 1.0.0 c 1.0.0 d 1.0.0 e 1.0.0");
  static const entry r4[] = {
      {"a", "1.1.0", NULL, false}, {"a", "1.2.0", NULL, false},
      {"b", "1.0.0", DEP("a", "=1.1.0"), false}, {"c", "1.0.0", DEP("a", "=1.2.0"), false},
  };
  CHECK_STR(run(r4, N(r4), DEP("b", "1") DEP("c", "1"), NULL, out, sizeof out),
            "error: conflict: a =1.2.0 (required by app 0.1.0 -> c 1.0.0) cannot be met: a 1.1.0 is already chosen "
            "(by app 0.1.0 -> b 1.0.0 -> a 1.1.0) and only one version per compatible range is allowed");
  CHECK_STR(run(r1, N(r1), DEP("a", "^3"), NULL, out, sizeof out),
            "error: no version of a matches ^3 (required by app 0.1.0); published: 2.0.0, 1.5.0-rc.1, 1.4.1 (yanked), "
            "1.4.0, 1.0.0");
  static const entry r5[] = {{"b", "1.0.0", DEP("zz", "1"), false}};
  CHECK_STR(run(r5, N(r5), DEP("b", "1"), NULL, out, sizeof out),
            "error: no package named \"zz\" in the registry (required by app 0.1.0 -> b 1.0.0)");

  /* features: defaults, explicit features, dep:X and X/f */
  static const entry r6[] = {
      {"log", "1.0.0", "[[feature]]\nname = \"color\"\n[[feature]]\nname = \"default\"\nenables = [\"std\"]\n[[feature]]\nname = \"std\"\n", false},
      {"fmt", "0.3.0", "[[feature]]\nname = \"unicode\"\n", false},
      {"lib", "1.0.0",
       DEP("fmt", "0.3") "[[dependency]]\nname = \"log\"\nversion = \"1\"\noptional = true\n"
       "[[feature]]\nname = \"logging\"\nenables = [\"dep:log\"]\n"
       "[[feature]]\nname = \"pretty\"\nenables = [\"fmt/unicode\", \"log/color\"]\n", false},
  };
  CHECK_STR(run(r6, N(r6), DEP("lib", "1"), NULL, out, sizeof out), "fmt 0.3.0 lib 1.0.0");
  CHECK_STR(run(r6, N(r6), "[[dependency]]\nname = \"lib\"\nversion = \"1\"\nfeatures = [\"logging\"]\n", NULL, out, sizeof out),
            "fmt 0.3.0 lib 1.0.0[logging] log 1.0.0[default,std]");
  CHECK_STR(run(r6, N(r6), "[[dependency]]\nname = \"lib\"\nversion = \"1\"\nfeatures = [\"pretty\"]\n", NULL, out, sizeof out),
            "fmt 0.3.0[unicode] lib 1.0.0[pretty] log 1.0.0[color,default,std]");
  CHECK_STR(run(r6, N(r6), "[[dependency]]\nname = \"log\"\nversion = \"1\"\ndefault-features = false\n", NULL, out, sizeof out),
            "log 1.0.0");
  CHECK_STR(run(r6, N(r6), "[[dependency]]\nname = \"log\"\nversion = \"1\"\nfeatures = [\"nope\"]\n", NULL, out, sizeof out),
            "error: log 1.0.0 has no feature \"nope\" (asked for by app 0.1.0 -> log 1)");
  /* the root's own optional dependency through its features */
  const char *root_opt = "[[dependency]]\nname = \"fmt\"\nversion = \"0.3\"\noptional = true\n"
                         "[[feature]]\nname = \"text\"\nenables = [\"dep:fmt\"]\n";
  CHECK_STR(run(r6, N(r6), root_opt, NULL, out, sizeof out), "");
  const char *feats[] = {"text"};
  pkg_resolve_opts fo = {.features = feats, .nfeatures = 1};
  CHECK_STR(run(r6, N(r6), root_opt, &fo, out, sizeof out), "fmt 0.3.0");
  /* the deepest package's bad requirement surfaces with its whole chain */
  static const entry r7[] = {
      {"x", "1.0.0", DEP("y", "^2"), false}, {"y", "2.0.0", DEP("z", "~1.5"), false}, {"z", "1.4.0", NULL, false},
  };
  CHECK_STR(run(r7, N(r7), DEP("x", "1"), NULL, out, sizeof out),
            "error: no version of z matches ~1.5 (required by app 0.1.0 -> x 1.0.0 -> y 2.0.0); published: 1.4.0");
  /* a cycle resolves (each package once) */
  static const entry r8[] = {{"p", "1.0.0", DEP("q", "1"), false}, {"q", "1.0.0", DEP("p", "1"), false}};
  CHECK_STR(run(r8, N(r8), DEP("p", "1"), NULL, out, sizeof out), "p 1.0.0 q 1.0.0");
}
