/* Digests, image manifests, the registry front (layout directory or distribution API)
 * and the local content cache. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/json.h"
#include "oci/oci_int.h"
#include "util/sha256.h"

bool oci_digest_valid(const char *d) {
  if (strncmp(d, "sha256:", 7) || strlen(d) != 71) return false;
  for (size_t i = 7; i < 71; i++)
    if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'))) return false;
  return true;
}

bool oci_digest_check(const uint8_t *bytes, size_t len, const char *digest, const char *what, util_error *err) {
  char got[OCI_DIGEST_MAX];
  util_sha256_digest(bytes, len, got);
  if (!strcmp(got, digest)) return true;
  return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: digest mismatch: expected %s, got %s", what, digest, got);
}

bool oci_tag_valid(const char *t) {
  size_t n = strlen(t);
  if (!n || n > 128) return false;
  for (size_t i = 0; i < n; i++) {
    char c = t[i];
    bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!w && (i == 0 || (c != '.' && c != '-'))) return false;
  }
  return true;
}

bool oci_repo_valid(const char *name) {
  size_t n = strlen(name);
  if (!n || n > 255) return false;
  bool comp_start = true;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    bool an = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (an) {
      comp_start = false;
      continue;
    }
    if (comp_start || i + 1 == n) return false;
    if (c == '/') {
      comp_start = true;
    } else if (c == '.' || c == '-' || c == '_') {
      /* separators: '.', '_', '__', or a run of '-' */
      if (c == '.' && !((name[i + 1] >= 'a' && name[i + 1] <= 'z') || (name[i + 1] >= '0' && name[i + 1] <= '9')))
        return false;
      if (c == '_' && name[i + 1] == '_') i++;
      else if (c == '-') while (name[i + 1] == '-') i++;
      if (i + 1 == n || name[i + 1] == '/' || name[i + 1] == '.' || name[i + 1] == '_') return false;
    } else {
      return false;
    }
  }
  return true;
}

/* ---------- manifests ---------- */

static bool copy_field(char *dst, size_t cap, const char *src, const char *what, const char *field, util_error *err) {
  if (strlen(src) >= cap) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s too long", what, field);
  strcpy(dst, src);
  return true;
}

static bool parse_descriptor(const json_value *v, oci_descriptor *d, const char *what, const char *field,
                             util_error *err) {
  if (!v || v->type != JSON_OBJECT) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s is not an object", what, field);
  const char *mt = json_get_str(v, "mediaType"), *dg = json_get_str(v, "digest");
  const json_value *sz = json_get(v, "size");
  if (!mt || !dg || !sz) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s needs mediaType, digest and size", what, field);
  if (sz->type != JSON_NUMBER || !sz->is_int || sz->i < 0)
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s size is not a non-negative integer", what, field);
  if (!oci_digest_valid(dg))
    return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s digest \"%.80s\" is not sha256:HEX", what, field, dg);
  d->size = (uint64_t)sz->i;
  return copy_field(d->media_type, sizeof d->media_type, mt, what, "mediaType", err) &&
         copy_field(d->digest, sizeof d->digest, dg, what, "digest", err);
}

bool oci_manifest_annotate(oci_manifest *m, const char *key, const char *value) {
  for (size_t i = 0; i < m->nannotations; i++)
    if (!strcmp(m->annotations[i].key, key)) {
      char *v = util_try_strdup(value);
      if (!v) return false;
      free(m->annotations[i].value);
      m->annotations[i].value = v;
      return true;
    }
  oci_annotation *a = util_try_realloc(m->annotations, (m->nannotations + 1) * sizeof *a);
  if (!a) return false;
  m->annotations = a;
  char *k = util_try_strdup(key), *v = util_try_strdup(value);
  if (!k || !v) {
    free(k), free(v);
    return false;
  }
  a[m->nannotations++] = (oci_annotation){k, v};
  return true;
}

const char *oci_manifest_annotation(const oci_manifest *m, const char *key) {
  for (size_t i = 0; i < m->nannotations; i++)
    if (!strcmp(m->annotations[i].key, key)) return m->annotations[i].value;
  return NULL;
}

void oci_manifest_free(oci_manifest *m) {
  for (size_t i = 0; i < m->nannotations; i++) free(m->annotations[i].key), free(m->annotations[i].value);
  free(m->annotations);
  free(m->layers);
  memset(m, 0, sizeof *m);
}

bool oci_manifest_parse(oci_manifest *m, const uint8_t *bytes, size_t len, const char *what, util_error *err) {
  memset(m, 0, sizeof *m);
  json_doc doc;
  if (!json_parse(&doc, (const char *)bytes, len, what, err)) {
    json_free(&doc);
    return false;
  }
  const json_value *root = doc.root;
  bool ok = false;
  const json_value *sv = json_get(root, "schemaVersion"), *layers = json_get(root, "layers");
  const char *mt = json_get_str(root, "mediaType");
  if (!root || root->type != JSON_OBJECT) {
    util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: not a JSON object", what);
  } else if (!sv || !sv->is_int || sv->i != 2) {
    util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: schemaVersion is not 2", what);
  } else if (mt && strcmp(mt, OCI_MT_MANIFEST) && strcmp(mt, OCI_MT_DOCKER_MANIFEST)) {
    util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: media type %.100s is not an image manifest", what, mt);
  } else if (!layers || layers->type != JSON_ARRAY) {
    util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: no layers array", what);
  } else if (parse_descriptor(json_get(root, "config"), &m->config, what, "config", err)) {
    snprintf(m->media_type, sizeof m->media_type, "%s", mt ? mt : OCI_MT_MANIFEST);
    const char *at = json_get_str(root, "artifactType");
    if (at) snprintf(m->artifact_type, sizeof m->artifact_type, "%s", at);
    ok = true;
    m->layers = util_try_calloc(layers->n ? layers->n : 1, sizeof *m->layers);
    if (!m->layers) ok = util_fail(err, UTIL_ERR_OOM, -1, "%s: out of memory", what);
    for (size_t i = 0; ok && i < layers->n; i++) {
      char field[32];
      snprintf(field, sizeof field, "layer %zu", i);
      ok = parse_descriptor(layers->items[i], &m->layers[i], what, field, err);
      m->nlayers = i + 1;
    }
    const json_value *ann = json_get(root, "annotations");
    if (ok && ann && ann->type == JSON_OBJECT)
      for (size_t i = 0; ok && i < ann->n; i++)
        if (ann->items[i]->type == JSON_STRING && !oci_manifest_annotate(m, ann->keys[i], ann->items[i]->s))
          ok = util_fail(err, UTIL_ERR_OOM, -1, "%s: out of memory", what);
  }
  json_free(&doc);
  if (!ok) oci_manifest_free(m);
  return ok;
}

static void write_descriptor(json_buf *b, const oci_descriptor *d) {
  json_obj_begin(b);
  json_key(b, "mediaType");
  json_str(b, d->media_type);
  json_key(b, "digest");
  json_str(b, d->digest);
  json_key(b, "size");
  json_int(b, (int64_t)d->size);
  json_obj_end(b);
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const oci_annotation *)a)->key, ((const oci_annotation *)b)->key);
}

bool oci_manifest_write(const oci_manifest *m, uint8_t **out, size_t *len, util_error *err) {
  json_buf b = {0};
  json_obj_begin(&b);
  json_key(&b, "schemaVersion");
  json_int(&b, 2);
  json_key(&b, "mediaType");
  json_str(&b, *m->media_type ? m->media_type : OCI_MT_MANIFEST);
  if (*m->artifact_type) {
    json_key(&b, "artifactType");
    json_str(&b, m->artifact_type);
  }
  json_key(&b, "config");
  write_descriptor(&b, &m->config);
  json_key(&b, "layers");
  json_arr_begin(&b);
  for (size_t i = 0; i < m->nlayers; i++) write_descriptor(&b, &m->layers[i]);
  json_arr_end(&b);
  if (m->nannotations) {
    oci_annotation *sorted = util_try_malloc(m->nannotations * sizeof *sorted);
    if (!sorted) {
      json_buf_free(&b);
      return util_fail(err, UTIL_ERR_OOM, -1, "writing a manifest: out of memory");
    }
    memcpy(sorted, m->annotations, m->nannotations * sizeof *sorted);
    qsort(sorted, m->nannotations, sizeof *sorted, by_key);
    json_key(&b, "annotations");
    json_obj_begin(&b);
    for (size_t i = 0; i < m->nannotations; i++) {
      json_key(&b, sorted[i].key);
      json_str(&b, sorted[i].value);
    }
    json_obj_end(&b);
    free(sorted);
  }
  json_obj_end(&b);
  if (b.out.oom) {
    json_buf_free(&b);
    return util_fail(err, UTIL_ERR_OOM, -1, "writing a manifest: out of memory");
  }
  *out = b.out.p;
  *len = b.out.len;
  return true;
}

void oci_sniff_media_type(const uint8_t *bytes, size_t len, char *out, size_t n) {
  json_doc doc;
  util_error e;
  util_error_clear(&e);
  const char *mt = NULL;
  if (json_parse(&doc, (const char *)bytes, len, "manifest", &e)) mt = json_get_str(doc.root, "mediaType");
  snprintf(out, n, "%s", mt ? mt : OCI_MT_MANIFEST);
  json_free(&doc);
}

/* ---------- strings ---------- */

bool oci_strings_push(char ***s, size_t *n, const char *v) {
  char *c = util_try_strdup(v);
  char **a = c ? util_try_realloc(*s, (*n + 1) * sizeof *a) : NULL;
  if (!a) {
    free(c);
    return false;
  }
  a[(*n)++] = c;
  *s = a;
  return true;
}

void oci_strings_free(char **s, size_t n) {
  for (size_t i = 0; i < n; i++) free(s[i]);
  free(s);
}

/* ---------- files ---------- */

bool oci_mkdirs(const char *path, util_error *err) {
  char buf[4096];
  if (strlen(path) >= sizeof buf) return util_fail(err, UTIL_ERR_IO, -1, "%s: path too long", path);
  strcpy(buf, path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) && errno != EEXIST) return util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", buf, strerror(errno));
    *p = '/';
  }
  if (mkdir(buf, 0755) && errno != EEXIST) return util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", buf, strerror(errno));
  return true;
}

bool oci_write_file_atomic(const char *path, const void *data, size_t len, util_error *err) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return util_fail(err, UTIL_ERR_IO, -1, "cannot write %s: %s", tmp, strerror(errno));
  const uint8_t *p = data;
  size_t left = len;
  while (left) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      close(fd);
      unlink(tmp);
      return util_fail(err, UTIL_ERR_IO, -1, "cannot write %s: %s", tmp, strerror(e));
    }
    p += w, left -= (size_t)w;
  }
  if (fsync(fd) || close(fd)) {
    unlink(tmp);
    return util_fail(err, UTIL_ERR_IO, -1, "cannot write %s: %s", tmp, strerror(errno));
  }
  if (rename(tmp, path)) {
    int e = errno;
    unlink(tmp);
    return util_fail(err, UTIL_ERR_IO, -1, "cannot rename %s to %s: %s", tmp, path, strerror(e));
  }
  return true;
}

/* ---------- the registry front ---------- */

oci_registry *oci_registry_open(const char *where, const oci_registry_opts *opts, util_error *err) {
  oci_registry *r = util_try_calloc(1, sizeof *r);
  if (!r || !(r->where = util_try_strdup(where))) {
    free(r);
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  if (opts) r->opts = *opts;
  r->remote = !strncmp(where, "http://", 7) || !strncmp(where, "https://", 8);
  bool ok = r->remote ? oci_dist_open(r, err) : oci_layout_open(r, err);
  if (!ok) {
    oci_registry_close(r);
    return NULL;
  }
  return r;
}

void oci_registry_close(oci_registry *r) {
  if (!r) return;
  if (r->remote) oci_dist_close(r);
  free(r->where);
  free(r->dir);
  free(r->base);
  free(r->ns);
  free(r->token);
  free(r);
}

bool oci_registry_is_remote(const oci_registry *r) { return r->remote; }
const char *oci_registry_where(const oci_registry *r) { return r->where; }

static bool check_repo(const char *repo, util_error *err) {
  if (oci_repo_valid(repo)) return true;
  return util_fail(err, UTIL_ERR_USAGE, -1, "\"%.100s\" is not a valid repository name", repo);
}

bool oci_list_tags(oci_registry *r, const char *repo, char ***tags, size_t *n, util_error *err) {
  *tags = NULL, *n = 0;
  if (!check_repo(repo, err)) return false;
  return r->remote ? oci_dist_tags(r, repo, tags, n, err) : oci_layout_tags(r, repo, tags, n, err);
}

bool oci_catalog(oci_registry *r, char ***repos, size_t *n, util_error *err) {
  *repos = NULL, *n = 0;
  return r->remote ? oci_dist_catalog(r, repos, n, err) : oci_layout_catalog(r, repos, n, err);
}

bool oci_get_manifest(oci_registry *r, const char *repo, const char *ref, uint8_t **bytes, size_t *len,
                      char digest[OCI_DIGEST_MAX], bool *missing, util_error *err) {
  *missing = false;
  *bytes = NULL;
  if (!check_repo(repo, err)) return false;
  if (!oci_digest_valid(ref) && !oci_tag_valid(ref))
    return util_fail(err, UTIL_ERR_USAGE, -1, "\"%.100s\" is neither a tag nor a sha256 digest", ref);
  bool ok = r->remote ? oci_dist_get_manifest(r, repo, ref, bytes, len, digest, missing, err)
                      : oci_layout_get_manifest(r, repo, ref, bytes, len, digest, missing, err);
  if (ok && oci_digest_valid(ref)) {
    char what[400];
    snprintf(what, sizeof what, "%s: manifest %s", repo, ref);
    if (!oci_digest_check(*bytes, *len, ref, what, err)) {
      free(*bytes);
      *bytes = NULL;
      return false;
    }
  }
  return ok;
}

bool oci_get_blob(oci_registry *r, const char *repo, const char *digest, uint8_t **bytes, size_t *len,
                  util_error *err) {
  *bytes = NULL;
  if (!check_repo(repo, err)) return false;
  if (!oci_digest_valid(digest)) return util_fail(err, UTIL_ERR_USAGE, -1, "\"%.100s\" is not a sha256 digest", digest);
  bool ok = r->remote ? oci_dist_get_blob(r, repo, digest, bytes, len, err)
                      : oci_layout_get_blob(r, repo, digest, bytes, len, err);
  if (!ok) return false;
  char what[400];
  snprintf(what, sizeof what, "%s: blob %s", repo, digest);
  if (!oci_digest_check(*bytes, *len, digest, what, err)) {
    free(*bytes);
    *bytes = NULL;
    return false;
  }
  return true;
}

bool oci_put_blob(oci_registry *r, const char *repo, const uint8_t *bytes, size_t len, char digest[OCI_DIGEST_MAX],
                  util_error *err) {
  if (!check_repo(repo, err)) return false;
  util_sha256_digest(bytes, len, digest);
  return r->remote ? oci_dist_put_blob(r, repo, bytes, len, digest, err)
                   : oci_layout_put_blob(r, repo, bytes, len, digest, err);
}

bool oci_put_manifest(oci_registry *r, const char *repo, const char *tag, const uint8_t *bytes, size_t len,
                      char digest[OCI_DIGEST_MAX], util_error *err) {
  if (!check_repo(repo, err)) return false;
  if (!oci_tag_valid(tag)) return util_fail(err, UTIL_ERR_USAGE, -1, "\"%.100s\" is not a valid tag", tag);
  util_sha256_digest(bytes, len, digest);
  char mt[128];
  oci_sniff_media_type(bytes, len, mt, sizeof mt);
  return r->remote ? oci_dist_put_manifest(r, repo, tag, bytes, len, mt, err)
                   : oci_layout_put_manifest(r, repo, tag, bytes, len, digest, err);
}

/* ---------- the cache ---------- */

const char *oci_cache_dir(char *buf, size_t n) {
  const char *d = getenv("WELD_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
  if (d && *d) snprintf(buf, n, "%s", d);
  else if (x && *x) snprintf(buf, n, "%s/weld", x);
  else snprintf(buf, n, "%s/.cache/weld", h && *h ? h : ".");
  return buf;
}

bool oci_cache_fetch(oci_registry *r, const char *cache, const char *repo, const char *digest, uint8_t **bytes,
                     size_t *len, util_error *err) {
  if (!oci_digest_valid(digest)) return util_fail(err, UTIL_ERR_USAGE, -1, "\"%.100s\" is not a sha256 digest", digest);
  char path[4200];
  snprintf(path, sizeof path, "%s/blobs/sha256/%s", cache, digest + 7);
  util_error e;
  util_error_clear(&e);
  if (util_read_file(path, bytes, len, &e)) {
    if (oci_digest_check(*bytes, *len, digest, path, &e)) return true;
    free(*bytes);
    unlink(path); /* damaged: fetch it again */
  } else if (e.kind == UTIL_ERR_OOM) {
    *err = e;
    return false;
  }
  if (!oci_get_blob(r, repo, digest, bytes, len, err)) return false;
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/blobs/sha256", cache);
  if (!oci_mkdirs(dir, err) || !oci_write_file_atomic(path, *bytes, *len, err)) {
    free(*bytes);
    *bytes = NULL;
    return false;
  }
  return true;
}

static bool walk(const char *dir, uint64_t *bytes, uint64_t *files, bool remove_, util_error *err) {
  DIR *d = opendir(dir);
  if (!d) {
    if (errno == ENOENT) return true;
    return util_fail(err, UTIL_ERR_IO, -1, "cannot read %s: %s", dir, strerror(errno));
  }
  struct dirent *de;
  bool ok = true;
  while (ok && (de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    struct stat st;
    if (lstat(p, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      ok = walk(p, bytes, files, remove_, err);
      if (ok && remove_ && rmdir(p)) ok = util_fail(err, UTIL_ERR_IO, -1, "cannot remove %s: %s", p, strerror(errno));
    } else {
      if (bytes) *bytes += (uint64_t)st.st_size;
      if (files) (*files)++;
      if (remove_ && unlink(p)) ok = util_fail(err, UTIL_ERR_IO, -1, "cannot remove %s: %s", p, strerror(errno));
    }
  }
  closedir(d);
  return ok;
}

bool oci_cache_usage(const char *cache, uint64_t *bytes, uint64_t *files, util_error *err) {
  char blobs[4200];
  snprintf(blobs, sizeof blobs, "%s/blobs", cache);
  *bytes = *files = 0;
  return walk(blobs, bytes, files, false, err);
}

bool oci_cache_clean(const char *cache, util_error *err) {
  char blobs[4200];
  snprintf(blobs, sizeof blobs, "%s/blobs", cache);
  if (!walk(blobs, NULL, NULL, true, err)) return false;
  if (rmdir(blobs) && errno != ENOENT) return util_fail(err, UTIL_ERR_IO, -1, "cannot remove %s: %s", blobs, strerror(errno));
  return true;
}
