/* weld.lock and installing a project's dependencies.
 *
 * weld.lock records what resolution chose: every package with its exact version, the
 * digests of its OCI manifest and of its component, its features and what its
 * dependencies resolved to. `install` prefers the locked versions, refuses a registry
 * that now serves different bytes for a locked version, and with `locked` fails
 * instead of changing the file. Packages land in PROJECT/.weld/packages/NAME/VERSION/
 * component.wasm; the new tree replaces the old one only when every package was
 * fetched and verified, and weld.lock is written last, so a failure changes nothing. */
#ifndef WELD_PKG_INSTALL_H
#define WELD_PKG_INSTALL_H

#include "pkg/registry.h"

typedef struct pkg_lock_entry {
  char *name;
  semver version;
  char manifest[OCI_DIGEST_MAX]; /* "" for the root */
  char component[OCI_DIGEST_MAX];
  uint64_t size;
  char **features;
  size_t nfeatures;
  char **deps; /* "NAME VERSION" */
  size_t ndeps;
} pkg_lock_entry;

typedef struct pkg_lock {
  pkg_lock_entry *e;
  size_t n;
} pkg_lock;

/* Reads weld.lock; errors FILE:LINE:COL. A missing file is an empty lock with *exists false. */
bool pkg_lock_load(pkg_lock *lock, const char *path, bool *exists, util_error *err);
void pkg_lock_free(pkg_lock *lock);
const pkg_lock_entry *pkg_lock_find(const pkg_lock *lock, const char *name, const semver *v);

typedef struct pkg_install_opts {
  const char *project; /* the directory holding component.toml */
  bool locked;
  const char **features;
  size_t nfeatures;
  bool no_default_features;
  bool quiet;
  /* signatures: a present signature by a trusted key must verify; with require_signatures
   * every package must carry one by a trusted key */
  const pkg_pubkey *trusted;
  size_t ntrusted;
  bool require_signatures;
  /* called for every fetched and verified package before anything is installed (the
   * command line audits it against a policy); false refuses the install with *err */
  bool (*check)(void *ud, const pkg_release *rel, const uint8_t *wasm, size_t len, util_error *err);
  void *check_ud;
} pkg_install_opts;

/* Checks a release's signature against the trusted keys (install's rule above); on success
 * *signer is the key that signed it, or NULL when it is unsigned or signed by another key. */
bool pkg_check_signature(const pkg_release *rel, const pkg_pubkey *trusted, size_t ntrusted, bool required,
                         const pkg_pubkey **signer, util_error *err);

/* Resolves, fetches, verifies, installs and writes weld.lock. Prints one line per
 * package to stdout unless quiet. */
bool pkg_install(pkg_registry *reg, const pkg_install_opts *opts, util_error *err);

/* Removes a file or a directory tree; true when nothing is left. */
bool pkg_rm_tree(const char *path);

/* Checks the installed packages against weld.lock (digests of the files on disk);
 * prints "ok NAME VERSION" lines and returns false on the first mismatch. */
bool pkg_verify_installed(const char *project, size_t *checked, util_error *err);

#endif
