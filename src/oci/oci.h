/* OCI: content-addressed blobs, image manifests, and the two places they live — an
 * image-layout directory (the OCI Image Layout specification: oci-layout, index.json,
 * blobs/sha256/HEX) and a registry speaking the OCI distribution API v2 over HTTP
 * (libcurl). Packages are stored as Wasm OCI artifacts: a config of media type
 * application/vnd.wasm.config.v0+json and an application/wasm layer.
 *
 * Every blob and manifest read is checked against its sha256 digest before it is
 * returned; a mismatch is an error naming both digests. */
#ifndef WELD_OCI_H
#define WELD_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define OCI_MT_WASM_CONFIG "application/vnd.wasm.config.v0+json"
#define OCI_MT_WASM "application/wasm"
#define OCI_ANN_REF_NAME "org.opencontainers.image.ref.name"

#define OCI_DIGEST_MAX 72 /* "sha256:" + 64 hex digits + NUL */

/* "sha256:" and 64 lowercase hex digits (the only algorithm weld writes or accepts). */
bool oci_digest_valid(const char *digest);
/* Checks bytes against digest; on a mismatch err says "WHAT: digest mismatch: expected
 * D1, got D2" (kind UTIL_ERR_MALFORMED). */
bool oci_digest_check(const uint8_t *bytes, size_t len, const char *digest, const char *what, util_error *err);
/* A tag as the distribution spec allows: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
bool oci_tag_valid(const char *tag);
/* A repository name: path components of [a-z0-9]+ joined by '.', '_', '__' or '-'+. */
bool oci_repo_valid(const char *name);

typedef struct oci_descriptor {
  char media_type[128];
  char digest[OCI_DIGEST_MAX];
  uint64_t size;
} oci_descriptor;

typedef struct oci_annotation {
  char *key, *value;
} oci_annotation;

typedef struct oci_manifest {
  char media_type[128];
  char artifact_type[128];
  oci_descriptor config;
  oci_descriptor *layers;
  size_t nlayers;
  oci_annotation *annotations;
  size_t nannotations;
} oci_manifest;

/* Reads an image manifest (schemaVersion 2; OCI or Docker v2 media type). Errors name
 * what: "WHAT: ...". */
bool oci_manifest_parse(oci_manifest *m, const uint8_t *bytes, size_t len, const char *what, util_error *err);
/* Writes m as compact JSON (keys in a fixed order, so equal manifests are equal bytes).
 * *out is malloc'd. */
bool oci_manifest_write(const oci_manifest *m, uint8_t **out, size_t *len, util_error *err);
void oci_manifest_free(oci_manifest *m);
const char *oci_manifest_annotation(const oci_manifest *m, const char *key);
/* Adds or replaces an annotation; false when out of memory. */
bool oci_manifest_annotate(oci_manifest *m, const char *key, const char *value);

/* ---------- registries ---------------------------------------------------------------- */

/* A registry: a directory holding one image layout per repository (DIR/NAME/oci-layout,
 * index.json, blobs/), or a distribution API endpoint (http:// or https:// URL, an optional
 * path after the host is a namespace prefixed to every repository name). */
typedef struct oci_registry oci_registry;

typedef struct oci_registry_opts {
  const char *username, *password; /* basic credentials, also used for a bearer token */
  size_t chunk_size;               /* blob uploads in chunks of this size; 0: in one request */
  bool verbose;                    /* progress of long transfers on stderr */
} oci_registry_opts;

oci_registry *oci_registry_open(const char *where, const oci_registry_opts *opts, util_error *err);
/* Credentials for the registry at url from a Docker-style client configuration,
 * $DOCKER_CONFIG/config.json or ~/.docker/config.json: the `auths` entry whose key names
 * the URL's host[:port] (bare, or as an http(s):// URL), its `auth` (base64 USER:PASSWORD)
 * or `username` and `password`. *found is false when there is no file or no entry. A
 * malformed file, or credentials kept by a credential helper (weld does not run them),
 * is an error. */
bool oci_docker_credentials(const char *url, char *user, size_t un, char *pass, size_t pn, bool *found, util_error *err);
void oci_registry_close(oci_registry *r);
bool oci_registry_is_remote(const oci_registry *r);
const char *oci_registry_where(const oci_registry *r);

/* Tags of repo (none when the repository does not exist); free with oci_strings_free. */
bool oci_list_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err);
/* Repositories (the distribution API's catalog where the registry offers it). */
bool oci_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err);
void oci_strings_free(char **s, size_t n);
/* Appends a copy of v; false when out of memory. */
bool oci_strings_push(char ***s, size_t *n, const char *v);

/* The manifest ref points to (a tag or a digest), its bytes checked against the digest
 * asked for or the one the registry reports; *digest receives the computed one. When
 * there is no such manifest, *missing is set (and err says so), so a caller can tell
 * "not there" from "broken". */
bool oci_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                      char digest[OCI_DIGEST_MAX], bool *missing, util_error *err);
/* A blob, checked against its digest. */
bool oci_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                  util_error *err);
/* Stores a blob (skipped when already present); *digest receives its digest. */
bool oci_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, char digest[OCI_DIGEST_MAX],
                  util_error *err);
/* Stores a manifest under tag (replacing what the tag named). */
bool oci_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                      char digest[OCI_DIGEST_MAX], util_error *err);

/* ---------- the local content cache ------------------------------------------------------- */

/* DIR/blobs/sha256/HEX, written atomically, checked on every read. dir NULL: $WELD_CACHE_DIR,
 * else $XDG_CACHE_HOME/weld, else $HOME/.cache/weld. */
const char *oci_cache_dir(char *buf, size_t n);
/* The blob from the cache if present and intact (a damaged copy is deleted and reported
 * as absent), else from the registry, then kept in the cache. */
bool oci_cache_fetch(oci_registry *r, const char *cache, const char *repo, const char *digest, uint8_t **bytes,
                     size_t *len, util_error *err);
/* Bytes and files in the cache's blobs/; clean removes them (and nothing else). */
bool oci_cache_usage(const char *cache, uint64_t *bytes, uint64_t *files, util_error *err);
bool oci_cache_clean(const char *cache, util_error *err);

/* Internal, shared by layout.c and dist.c. */
bool oci_mkdirs(const char *path, util_error *err);
bool oci_write_file_atomic(const char *path, const void *data, size_t len, util_error *err);

#endif
