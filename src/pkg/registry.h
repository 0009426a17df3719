/* Packages in OCI registries. A package NAME at VERSION is the repository NAME, tag
 * VERSION ('+' written '_', which tags cannot hold), holding a Wasm OCI artifact: the
 * config (application/vnd.wasm.config.v0+json), the component as an application/wasm
 * layer, and the package's component.toml as a second layer
 * (application/vnd.weld.package.manifest.v1+toml). The manifest carries the usual
 * org.opencontainers.image.* annotations; a yanked release carries dev.weld.yanked=true.
 * An artifact with a wasm layer and no component.toml (made by another tool) is read
 * as a package with no dependencies. */
#ifndef WELD_PKG_REGISTRY_H
#define WELD_PKG_REGISTRY_H

#include "oci/oci.h"
#include "pkg/manifest.h"
#include "pkg/resolve.h"
#include "pkg/sign.h"

#define PKG_MT_MANIFEST "application/vnd.weld.package.manifest.v1+toml"
#define PKG_ANN_YANKED "dev.weld.yanked"

typedef struct pkg_release {
  char *name;
  semver version;
  char tag[160];
  char manifest_digest[OCI_DIGEST_MAX];
  char wasm_digest[OCI_DIGEST_MAX];
  uint64_t wasm_size;
  char toml_digest[OCI_DIGEST_MAX]; /* the component.toml layer's, "" when there is none */
  char *signature, *signature_key;  /* the dev.weld.signature annotations, NULL when unsigned */
  bool is_component; /* the config says os wasip2 (or the toml is absent and the layer is a component) */
  bool yanked;
  char *description;
  pkg_manifest manifest; /* parsed from the toml layer, or made up when there is none */
} pkg_release;

typedef struct pkg_known pkg_known;

typedef struct pkg_registry {
  oci_registry *oci;
  char cache[4096];
  pkg_known *known;
  size_t nknown;
} pkg_registry;

bool pkg_registry_open(pkg_registry *reg, const char *where, const oci_registry_opts *opts, util_error *err);
void pkg_registry_close(pkg_registry *reg);
/* The resolver's view of the registry (versions with their yanked flags, manifests). */
pkg_source pkg_registry_source(pkg_registry *reg);
/* Every published version of name, newest first (none when unknown). */
bool pkg_registry_releases(pkg_registry *reg, const char *name, const pkg_release *const **out, size_t *n,
                           util_error *err);
const pkg_release *pkg_registry_release(pkg_registry *reg, const char *name, const semver *v, util_error *err);
/* The release's wasm, through the cache, checked against its digest. */
bool pkg_registry_fetch_wasm(pkg_registry *reg, const pkg_release *rel, uint8_t **bytes, size_t *len, util_error *err);

/* The tag a version is stored under, and back. */
void pkg_version_tag(const semver *v, char *buf, size_t n);
bool pkg_tag_version(const char *tag, semver *v);

/* Publishes: pushes the wasm, the toml and the config, then the manifest under the
 * version's tag, signed by key when key is not NULL. Refuses a version already published. */
bool pkg_publish(pkg_registry *reg, const pkg_manifest *m, const char *toml, size_t toml_len, const uint8_t *wasm,
                 size_t wasm_len, bool is_component, const pkg_seckey *key, char digest[OCI_DIGEST_MAX],
                 util_error *err);
/* The statement a release's signature covers (sign.h). */
void pkg_release_statement(const pkg_release *r, char *buf, size_t n);
/* Marks (or with undo, unmarks) a published version as yanked. */
bool pkg_yank(pkg_registry *reg, const char *name, const semver *v, bool undo, util_error *err);

#endif
