/* Choosing versions: from a root manifest and a source of published packages, one
 * version of each needed package per compatibility class (Cargo's rule: 1.x and 2.x
 * may both be used, two 1.x versions may not), the newest that satisfies every
 * requirement on it, with features and optional dependencies turned on as asked.
 * Yanked versions are chosen only when pinned (by weld.lock). A conflict is reported
 * with the chain of requirements that led to it. */
#ifndef WELD_PKG_RESOLVE_H
#define WELD_PKG_RESOLVE_H

#include "pkg/manifest.h"

/* Where published packages come from. `versions` lists every published version of
 * name (none for an unknown package), with yanked[i] set for yanked ones; the arrays
 * belong to the source. `manifest` returns name@version's manifest, owned by the
 * source. Both return false with err set when the source fails (not for "no such"). */
typedef struct pkg_source {
  void *ctx;
  bool (*versions)(void *ctx, const char *name, const semver **vers, const bool **yanked, size_t *n, util_error *err);
  const pkg_manifest *(*manifest)(void *ctx, const char *name, const semver *v, util_error *err);
} pkg_source;

typedef struct pkg_pin {
  const char *name;
  semver version;
} pkg_pin;

typedef struct pkg_resolved {
  const char *name;
  semver version;
  const pkg_manifest *manifest; /* the source's; the root's for node 0 */
  const char **features;        /* turned on, sorted */
  size_t nfeatures;
  size_t *deps; /* indices of the packages its dependencies resolved to */
  size_t ndeps;
  const char *chain; /* how it was first reached: "app 1.0.0 -> greet 1.2.0" */
} pkg_resolved;

typedef struct pkg_resolution {
  util_arena arena;
  pkg_resolved *pkgs; /* pkgs[0] is the root */
  size_t n;
} pkg_resolution;

typedef struct pkg_resolve_opts {
  const char **features; /* the root's features to turn on */
  size_t nfeatures;
  bool no_default_features;
  const pkg_pin *pins; /* preferred versions (weld.lock); yanked ones allowed */
  size_t npins;
  size_t max_steps; /* 0: the default bound on backtracking */
} pkg_resolve_opts;

/* On failure err says why (kind UTIL_ERR_LINK for a conflict) and out needs no freeing. */
bool pkg_resolve(const pkg_manifest *root, const pkg_source *src, const pkg_resolve_opts *opts, pkg_resolution *out,
                 util_error *err);
void pkg_resolution_free(pkg_resolution *r);

#endif
