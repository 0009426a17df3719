/* component.toml: a package's manifest (docs/packages.md has the format).
 *
 *   [package]      name, version, authors, description, license, component (the .wasm
 *                  file the package ships), checksum (sha256 over its [[file]] list)
 *   [[interface]]  kind = "import" | "export", name, wit (a .wit path), world
 *   [[dependency]] name, version (a Cargo requirement), optional, features,
 *                  default-features
 *   [[feature]]    name, enables (features, "dep:NAME", "NAME/FEATURE"); a feature
 *                  named "default" is on unless turned off
 *   [build]        lang, command, output
 *   [[file]]       path, sha256, size
 *
 * Every key and type is checked; errors are "FILE:LINE:COL: message". */
#ifndef WELD_PKG_MANIFEST_H
#define WELD_PKG_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/semver.h"
#include "util/toml.h"
#include "util/util.h"

typedef struct pkg_interface {
  bool is_export;
  const char *name;  /* "wasi:cli/run" or "example:greet/api" */
  const char *wit;   /* path of its .wit file, or NULL */
  const char *world; /* or NULL */
} pkg_interface;

typedef struct pkg_dep {
  const char *name;
  const char *req_text; /* as written */
  semver_req req;
  bool optional;
  bool default_features;
  const char **features;
  size_t nfeatures;
  int line, col;         /* the [[dependency]] header */
  int vline, vcol;       /* its version value */
} pkg_dep;

typedef struct pkg_feature {
  const char *name;
  const char **enables;
  size_t nenables;
} pkg_feature;

typedef struct pkg_file {
  const char *path;
  char sha256[65];
  uint64_t size;
} pkg_file;

typedef struct pkg_manifest {
  toml_doc doc; /* the strings and arrays below live in its arena */
  const char *filename;
  const char *name;
  semver version;
  const char **authors;
  size_t nauthors;
  const char *description, *license, *component;
  const char *checksum; /* "sha256:HEX" or NULL */
  pkg_interface *interfaces;
  size_t ninterfaces;
  pkg_dep *deps;
  size_t ndeps;
  pkg_feature *features;
  size_t nfeatures;
  bool has_build;
  const char *build_lang, *build_command, *build_output;
  pkg_file *files;
  size_t nfiles;
} pkg_manifest;

/* Parses text; on failure err holds "FILE:LINE:COL: message" (kind UTIL_ERR_USAGE) and
 * nothing needs freeing. On success free with pkg_manifest_free. */
bool pkg_manifest_parse(pkg_manifest *m, const char *text, size_t len, const char *filename, util_error *err);
bool pkg_manifest_load(pkg_manifest *m, const char *path, util_error *err);
void pkg_manifest_free(pkg_manifest *m);

/* A package name: lowercase ASCII letters, digits and single '-' or '_' between them,
 * starting with a letter, optionally under '/'-separated namespaces ("acme/greet");
 * it is the repository name in an OCI registry. */
bool pkg_name_valid(const char *name);

const pkg_dep *pkg_manifest_dep(const pkg_manifest *m, const char *name);
const pkg_feature *pkg_manifest_feature(const pkg_manifest *m, const char *name);

/* The package checksum: sha256 over one line "SHA256 SIZE PATH\n" per [[file]], in
 * the order of their paths (byte order), as "sha256:HEX". False when out of memory. */
bool pkg_manifest_checksum(const pkg_manifest *m, char out[72]);

#endif
