/* What layout.c, dist.c and oci.c share. Private to src/oci. */
#ifndef WELD_OCI_INT_H
#define WELD_OCI_INT_H

#include "oci/oci.h"

struct oci_registry {
  bool remote;
  char *where;
  oci_registry_opts opts;
  /* a layout directory */
  char *dir;
  /* a distribution endpoint */
  char *base;  /* scheme://host[:port] */
  char *ns;    /* namespace prefix ("" or "team/") */
  char *token; /* a bearer token once one was obtained */
  void *curl;
};

bool oci_layout_open(oci_registry *r, util_error *err);
bool oci_layout_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err);
bool oci_layout_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err);
bool oci_layout_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                             char digest[OCI_DIGEST_MAX], bool *missing, util_error *err);
bool oci_layout_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                         util_error *err);
bool oci_layout_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, const char *digest,
                         util_error *err);
bool oci_layout_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                             const char *digest, util_error *err);

bool oci_dist_open(oci_registry *r, util_error *err);
void oci_dist_close(oci_registry *r);
bool oci_dist_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err);
bool oci_dist_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err);
bool oci_dist_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                           char digest[OCI_DIGEST_MAX], bool *missing, util_error *err);
bool oci_dist_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                       util_error *err);
bool oci_dist_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, const char *digest,
                       util_error *err);
bool oci_dist_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                           const char *media_type, util_error *err);

/* The "mediaType" of a manifest's JSON, or OCI_MT_MANIFEST when it has none. */
void oci_sniff_media_type(const uint8_t *bytes, size_t len, char *out, size_t n);

#endif
