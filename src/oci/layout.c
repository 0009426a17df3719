/* A registry directory: one OCI image layout per repository, DIR/NAME/ with oci-layout,
 * index.json (tags are the org.opencontainers.image.ref.name annotations of its
 * manifests) and blobs/sha256/HEX. The layout `skopeo copy oci:DIR/NAME:TAG` reads and
 * writes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json.h"
#include "oci/oci_int.h"

#define LAYOUT_FILE "{\"imageLayoutVersion\":\"1.0.0\"}"

bool oci_layout_open(oci_registry *r, util_error *err) {
  size_t n = strlen(r->where);
  while (n > 1 && r->where[n - 1] == '/') n--;
  r->dir = util_try_malloc(n + 1);
  if (!r->dir) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  memcpy(r->dir, r->where, n);
  r->dir[n] = '\0';
  struct stat st;
  if (!stat(r->dir, &st) && !S_ISDIR(st.st_mode))
    return util_fail(err, UTIL_ERR_USAGE, -1, "registry %s is not a directory", r->dir);
  return true;
}

static void repo_path(const oci_registry *r, const char *repo, const char *rest, char *buf, size_t n) {
  snprintf(buf, n, "%s/%s%s%s", r->dir, repo, rest ? "/" : "", rest ? rest : "");
}

/* index.json of repo; *exists false (and true returned) when the repository has none. */
static bool read_index(oci_registry *r, const char *repo, json_doc *doc, bool *exists, util_error *err) {
  char path[4200];
  repo_path(r, repo, "index.json", path, sizeof path);
  uint8_t *data;
  size_t len;
  util_error e;
  util_error_clear(&e);
  doc->root = NULL;
  util_arena_init(&doc->arena);
  if (!util_read_file(path, &data, &len, &e)) {
    if (access(path, F_OK) && errno == ENOENT) {
      *exists = false;
      return true;
    }
    *err = e;
    return false;
  }
  *exists = true;
  util_arena_free(&doc->arena);
  bool ok = json_parse(doc, (const char *)data, len, path, err);
  free(data);
  if (ok) {
    const json_value *m = json_get(doc->root, "manifests");
    if (!m || m->type != JSON_ARRAY) ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: no manifests array", path);
    for (size_t i = 0; ok && i < m->n; i++)
      if (m->items[i]->type != JSON_OBJECT || !json_get_str(m->items[i], "digest") ||
          !oci_digest_valid(json_get_str(m->items[i], "digest")))
        ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: manifest %zu has no valid sha256 digest", path, i);
  }
  return ok;
}

static const char *ref_name(const json_value *desc) {
  return json_get_str(json_get(desc, "annotations"), OCI_ANN_REF_NAME);
}

bool oci_layout_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err) {
  json_doc doc;
  bool exists;
  bool ok = read_index(r, repo, &doc, &exists, err);
  if (ok && exists) {
    const json_value *m = json_get(doc.root, "manifests");
    for (size_t i = 0; ok && i < m->n; i++) {
      const char *t = ref_name(m->items[i]);
      if (t && !oci_strings_push(tags, n, t)) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
  }
  json_free(&doc);
  if (!ok) oci_strings_free(*tags, *n), *tags = NULL, *n = 0;
  return ok;
}

static bool scan(const char *root, const char *rel, char ***repos, size_t *n, int depth, util_error *err) {
  char path[4200];
  snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
  char probe[4300];
  snprintf(probe, sizeof probe, "%s/oci-layout", path);
  if (*rel && !access(probe, F_OK) && !oci_strings_push(repos, n, rel)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  if (depth > 8) return true;
  DIR *d = opendir(path);
  if (!d) return true;
  struct dirent *de;
  bool ok = true;
  while (ok && (de = readdir(d))) {
    if (de->d_name[0] == '.' || !strcmp(de->d_name, "blobs")) continue;
    char sub[4200], full[8400];
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    if (!lstat(full, &st) && S_ISDIR(st.st_mode)) ok = scan(root, sub, repos, n, depth + 1, err);
  }
  closedir(d);
  return ok;
}

static int by_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

bool oci_layout_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err) {
  if (!scan(r->dir, "", repos, n, 0, err)) {
    oci_strings_free(*repos, *n), *repos = NULL, *n = 0;
    return false;
  }
  if (*n) qsort(*repos, *n, sizeof **repos, by_str);
  return true;
}

static bool read_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len, bool *missing,
                      util_error *err) {
  char path[4200], rest[100];
  snprintf(rest, sizeof rest, "blobs/sha256/%s", digest + 7);
  repo_path(r, repo, rest, path, sizeof path);
  if (access(path, F_OK) && errno == ENOENT) {
    if (missing) *missing = true;
    return util_fail(err, UTIL_ERR_IO, -1, "%s: blob %s is not in the registry (%s)", repo, digest, r->dir);
  }
  return util_read_file(path, bytes, len, err);
}

bool oci_layout_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                             char digest[OCI_DIGEST_MAX], bool *missing, util_error *err) {
  if (oci_digest_valid(ref)) {
    snprintf(digest, OCI_DIGEST_MAX, "%s", ref);
    return read_blob(r, repo, ref, bytes, len, missing, err);
  }
  json_doc doc;
  bool exists;
  if (!read_index(r, repo, &doc, &exists, err)) {
    json_free(&doc);
    return false;
  }
  const json_value *found = NULL;
  if (exists) {
    const json_value *m = json_get(doc.root, "manifests");
    for (size_t i = 0; i < m->n; i++) {
      const char *t = ref_name(m->items[i]);
      if (t && !strcmp(t, ref)) found = m->items[i];
    }
  }
  if (!found) {
    json_free(&doc);
    *missing = true;
    return util_fail(err, UTIL_ERR_IO, -1, "%s:%s: no such manifest in %s", repo, ref, r->dir);
  }
  snprintf(digest, OCI_DIGEST_MAX, "%s", json_get_str(found, "digest"));
  json_free(&doc);
  if (!read_blob(r, repo, digest, bytes, len, NULL, err)) return false;
  char what[300];
  snprintf(what, sizeof what, "%s:%s: manifest", repo, ref);
  if (!oci_digest_check(*bytes, *len, digest, what, err)) {
    free(*bytes);
    *bytes = NULL;
    return false;
  }
  return true;
}

bool oci_layout_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                         util_error *err) {
  return read_blob(r, repo, digest, bytes, len, NULL, err);
}

static bool ensure_layout(oci_registry *r, const char *repo, util_error *err) {
  char path[4200];
  repo_path(r, repo, "blobs/sha256", path, sizeof path);
  if (!oci_mkdirs(path, err)) return false;
  repo_path(r, repo, "oci-layout", path, sizeof path);
  if (access(path, F_OK) && !oci_write_file_atomic(path, LAYOUT_FILE, strlen(LAYOUT_FILE), err)) return false;
  return true;
}

bool oci_layout_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, const char *digest,
                         util_error *err) {
  if (!ensure_layout(r, repo, err)) return false;
  char path[4200], rest[100];
  snprintf(rest, sizeof rest, "blobs/sha256/%s", digest + 7);
  repo_path(r, repo, rest, path, sizeof path);
  uint8_t *old;
  size_t oldlen;
  util_error e;
  util_error_clear(&e);
  if (util_read_file(path, &old, &oldlen, &e)) {
    bool same = oci_digest_check(old, oldlen, digest, path, &e);
    free(old);
    if (same) return true; /* present and intact */
  }
  return oci_write_file_atomic(path, bytes, len, err);
}

bool oci_layout_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                             const char *digest, util_error *err) {
  if (!oci_layout_put_blob(r, repo, bytes, len, digest, err)) return false;
  json_doc doc;
  bool exists;
  if (!read_index(r, repo, &doc, &exists, err)) {
    json_free(&doc);
    return false;
  }
  char mt[128];
  oci_sniff_media_type(bytes, len, mt, sizeof mt);
  json_buf b = {0};
  json_obj_begin(&b);
  json_key(&b, "schemaVersion");
  json_int(&b, 2);
  json_key(&b, "mediaType");
  json_str(&b, OCI_MT_INDEX);
  json_key(&b, "manifests");
  json_arr_begin(&b);
  if (exists) {
    const json_value *m = json_get(doc.root, "manifests");
    for (size_t i = 0; i < m->n; i++) {
      const char *t = ref_name(m->items[i]);
      if (t && !strcmp(t, tag)) continue; /* the tag moves */
      json_value_write(&b, m->items[i]);
    }
  }
  json_obj_begin(&b);
  json_key(&b, "mediaType");
  json_str(&b, mt);
  json_key(&b, "digest");
  json_str(&b, digest);
  json_key(&b, "size");
  json_int(&b, (int64_t)len);
  json_key(&b, "annotations");
  json_obj_begin(&b);
  json_key(&b, OCI_ANN_REF_NAME);
  json_str(&b, tag);
  json_obj_end(&b);
  json_obj_end(&b);
  json_arr_end(&b);
  json_obj_end(&b);
  json_free(&doc);
  if (b.out.oom) {
    json_buf_free(&b);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  char path[4200];
  repo_path(r, repo, "index.json", path, sizeof path);
  bool ok = oci_write_file_atomic(path, b.out.p, b.out.len, err);
  json_buf_free(&b);
  return ok;
}
