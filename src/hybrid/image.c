/* A container's root file system from its OCI image: the manifest and config read from an
 * OCI image layout directory or pulled from a registry (src/oci's distribution client),
 * every blob checked against its digest, then the layers unpacked in order with libarchive.
 *
 * Layers are untrusted. An entry whose name climbs out (`..`) or is absolute, a hard link
 * to such a name, or a write through a symbolic link (SECURE_SYMLINKS) fails the whole
 * image with a message naming the layer and the entry; nothing is written outside the
 * root. Whiteouts (`.wh.NAME`, `.wh..wh..opq`) are applied first within each layer, to what
 * the lower layers left, as the OCI image specification asks. libarchive is opened when the
 * first image is unpacked (util/dynlib.h). */
#ifdef WELD_HAVE_ARCHIVE
#include "util/dl_archive.h"
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_int.h"
#include "util/json.h"
#include "oci/oci.h"

/* ---------- names inside a layer ---------- */

/* Normalizes an entry name to a relative path without "." components: false when it
 * climbs out ("..") or is empty. Leading "/" and "./" are dropped (tar writers use both). */
__attribute__((unused)) static bool entry_rel(const char *name, char *out, size_t n) {
  size_t o = 0;
  const char *p = name;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == 1 && p[0] == '.') {
      p += len;
      continue;
    }
    if (len == 2 && p[0] == '.' && p[1] == '.') return false;
    if (o + len + 2 > n) return false;
    if (o) out[o++] = '/';
    memcpy(out + o, p, len);
    o += len;
    p += len;
  }
  out[o] = 0;
  return o > 0;
}

/* True when every directory from rootfs down to (not including) the last component of rel
 * exists as a real directory (no symbolic link on the way). */
__attribute__((unused)) static bool real_dirs(const char *rootfs, const char *rel, bool include_last) {
  char path[PATH_MAX];
  size_t rl = strlen(rootfs);
  if (rl + strlen(rel) + 2 > sizeof path) return false;
  memcpy(path, rootfs, rl);
  const char *p = rel;
  size_t o = rl;
  for (;;) {
    const char *e = strchr(p, '/');
    if (!e && !include_last) return true;
    size_t len = e ? (size_t)(e - p) : strlen(p);
    path[o++] = '/';
    memcpy(path + o, p, len);
    o += len;
    path[o] = 0;
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    if (!e) return true;
    p = e + 1;
  }
}

#ifdef WELD_HAVE_ARCHIVE /* only the unpacking uses it */
/* Checks the directories an entry is written beneath: each one that exists must be a real
 * directory, not a symbolic link (which could lead anywhere). Missing ones are created by
 * the extraction. */
static bool parents_safe(const char *rootfs, const char *rel, const char *what, const char *name, util_error *err) {
  char path[PATH_MAX];
  size_t o = (size_t)snprintf(path, sizeof path, "%s", rootfs);
  for (const char *p = rel;;) {
    const char *e = strchr(p, '/');
    if (!e) return true;
    size_t len = (size_t)(e - p);
    if (o + len + 2 > sizeof path) return util_fail(err, UTIL_ERR_INVALID, -1, "%s: entry '%s': name too long", what, name);
    path[o++] = '/';
    memcpy(path + o, p, len);
    o += len;
    path[o] = 0;
    struct stat st;
    if (lstat(path, &st) != 0) return true;
    if (S_ISLNK(st.st_mode))
      return util_fail(err, UTIL_ERR_INVALID, -1, "%s: entry '%s' would be written through the symbolic link '%.*s'", what,
                       name, (int)(e - rel), rel);
    p = e + 1;
  }
}
#endif

/* Removes the contents of directory fd (not following links). */
static bool clear_dirfd(int fd) {
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return false;
  }
  bool ok = true;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    if (unlinkat(dirfd(d), de->d_name, 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) {
      ok = false;
      continue;
    }
    int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0 || !clear_dirfd(sub) || unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) != 0) ok = false;
  }
  closedir(d);
  return ok;
}

bool hy_rmtree(const char *path, util_error *err) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? true : util_fail(err, UTIL_ERR_IO, -1, "%s: %s", path, strerror(errno));
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path) == 0) return true;
    return util_fail(err, UTIL_ERR_IO, -1, "cannot remove %s: %s", path, strerror(errno));
  }
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || !clear_dirfd(fd) || rmdir(path) != 0)
    return util_fail(err, UTIL_ERR_IO, -1, "cannot remove %s: %s", path, strerror(errno));
  return true;
}

/* ---------- one layer ---------- */

#ifdef WELD_HAVE_ARCHIVE

static bool archive_ready(util_error *err) { return util_dynlib_need(&dl_archive_lib, "unpacking container images", err); }

static struct archive *open_layer(const uint8_t *data, size_t len) {
  struct archive *a = archive_read_new();
  if (!a) return NULL;
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
    archive_read_free(a);
    return NULL;
  }
  return a;
}

static bool whiteouts(const uint8_t *data, size_t len, const char *rootfs, const char *what, util_error *err) {
  struct archive *a = open_layer(data, len);
  if (!a) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: not a tar archive", what);
  struct archive_entry *e;
  bool ok = true;
  int r;
  char rel[PATH_MAX], path[PATH_MAX];
  while (ok && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *name = archive_entry_pathname(e);
    if (!name || !entry_rel(name, rel, sizeof rel)) continue; /* reported by the second pass */
    char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    if (strncmp(base, ".wh.", 4) != 0) continue;
    if (slash) *slash = 0;
    const char *dir = slash ? rel : "";
    if (*dir && !real_dirs(rootfs, dir, true)) continue; /* nothing below to hide */
    if (strcmp(base, ".wh..wh..opq") == 0) {
      snprintf(path, sizeof path, "%s/%s", rootfs, dir);
      int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0 && !clear_dirfd(fd)) ok = util_fail(err, UTIL_ERR_IO, -1, "%s: cannot empty %s", what, dir);
    } else {
      if (!base[4] || strchr(base + 4, '/')) continue;
      snprintf(path, sizeof path, "%s/%s%s%s", rootfs, dir, *dir ? "/" : "", base + 4);
      if (!hy_rmtree(path, err)) ok = false;
    }
  }
  if (ok && r != ARCHIVE_EOF)
    ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s", what, archive_error_string(a) ? archive_error_string(a) : "bad archive");
  archive_read_free(a);
  return ok;
}

bool hy_layer_unpack(const uint8_t *data, size_t len, const char *rootfs, const char *what, util_error *err) {
  if (!archive_ready(err)) return false;
  if (!whiteouts(data, len, rootfs, what, err)) return false;
  struct archive *a = open_layer(data, len);
  if (!a) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: not a tar archive", what);
  struct archive *w = archive_write_disk_new();
  if (!w) {
    archive_read_free(a);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                                        ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                        ARCHIVE_EXTRACT_UNLINK);
  struct archive_entry *e;
  bool ok = true;
  int r;
  char rel[PATH_MAX], full[PATH_MAX];
  char name[PATH_MAX];
  while (ok && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    /* a copy: setting the path below frees the entry's own */
    snprintf(name, sizeof name, "%s", archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
    if (!entry_rel(name, rel, sizeof rel)) {
      /* "." itself is the root: nothing to do; anything else climbing out is hostile */
      if (strcmp(name, ".") == 0 || strcmp(name, "./") == 0 || strcmp(name, "/") == 0) continue;
      ok = util_fail(err, UTIL_ERR_INVALID, -1, "%s: entry '%s' points outside the root file system", what, name);
      break;
    }
    if (!parents_safe(rootfs, rel, what, name, err)) {
      ok = false;
      break;
    }
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (strncmp(base, ".wh.", 4) == 0) continue; /* applied above */
    snprintf(full, sizeof full, "%s/%s", rootfs, rel);
    archive_entry_set_pathname(e, full);
    const char *hl = archive_entry_hardlink(e);
    if (hl) {
      char hrel[PATH_MAX], hfull[PATH_MAX];
      if (!entry_rel(hl, hrel, sizeof hrel)) {
        ok = util_fail(err, UTIL_ERR_INVALID, -1, "%s: hard link '%s' -> '%s' points outside the root file system",
                       what, name, hl);
        break;
      }
      if (!parents_safe(rootfs, hrel, what, name, err)) {
        ok = false;
        break;
      }
      snprintf(hfull, sizeof hfull, "%s/%s", rootfs, hrel);
      archive_entry_set_hardlink(e, hfull);
    }
    if (archive_write_header(w, e) != ARCHIVE_OK) {
      ok = util_fail(err, UTIL_ERR_INVALID, -1, "%s: entry '%s': %s", what, name, archive_error_string(w));
      break;
    }
    const void *buf;
    size_t n;
    la_int64_t off;
    while ((r = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK)
      if (archive_write_data_block(w, buf, n, off) != ARCHIVE_OK) {
        ok = util_fail(err, UTIL_ERR_IO, -1, "%s: entry '%s': %s", what, name, archive_error_string(w));
        break;
      }
    if (ok && r != ARCHIVE_EOF) ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: entry '%s': %s", what, name, archive_error_string(a));
    if (ok && archive_write_finish_entry(w) != ARCHIVE_OK)
      ok = util_fail(err, UTIL_ERR_IO, -1, "%s: entry '%s': %s", what, name, archive_error_string(w));
    r = ARCHIVE_OK;
  }
  if (ok && r != ARCHIVE_EOF && r != ARCHIVE_OK)
    ok = util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: %s", what, archive_error_string(a) ? archive_error_string(a) : "bad archive");
  archive_write_free(w);
  archive_read_free(a);
  return ok;
}

#else
static bool archive_ready(util_error *err) {
  return util_fail(err, UTIL_ERR_USAGE, -1, "not supported: container images (weld was built without libarchive)");
}

bool hy_layer_unpack(const uint8_t *data, size_t len, const char *rootfs, const char *what, util_error *err) {
  (void)data, (void)len, (void)rootfs;
  return util_fail(err, UTIL_ERR_USAGE, -1, "%s: not supported: container images (weld was built without libarchive)", what);
}
#endif

/* ---------- the image ---------- */

/* Where the blobs come from: an image layout directory, or a registry. */
typedef struct source {
  const char *layout; /* DIR */
  oci_registry *reg;
  char repo[512];
} source;

static bool get_blob(source *s, const char *digest, uint8_t **bytes, size_t *len, util_error *err) {
  if (s->reg) return oci_get_blob(s->reg, s->repo, digest, bytes, len, err);
  if (!oci_digest_valid(digest)) return util_fail(err, UTIL_ERR_MALFORMED, -1, "%s: invalid digest '%s'", s->layout, digest);
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/blobs/sha256/%s", s->layout, digest + 7);
  if (!util_read_file(path, bytes, len, err)) return false;
  if (!oci_digest_check(*bytes, *len, digest, path, err)) {
    free(*bytes);
    return false;
  }
  return true;
}

static bool strings_of(const json_value *arr, char ***out, size_t *n) {
  *out = NULL, *n = 0;
  if (!arr || arr->type != JSON_ARRAY) return true;
  *out = calloc(arr->n + 1, sizeof **out);
  if (!*out) return false;
  for (size_t i = 0; i < arr->n; i++)
    if (arr->items[i]->type == JSON_STRING && !((*out)[(*n)++] = strdup(arr->items[i]->s))) return false;
  return true;
}

void hy_image_config_free(hy_image_config *c) {
  for (size_t i = 0; i < c->nenv; i++) free(c->env[i]);
  for (size_t i = 0; i < c->nentrypoint; i++) free(c->entrypoint[i]);
  for (size_t i = 0; i < c->ncmd; i++) free(c->cmd[i]);
  free(c->env), free(c->entrypoint), free(c->cmd);
  memset(c, 0, sizeof *c);
}

/* The manifest a layout's index.json names by tag (or its only one), following one image
 * index level (linux/amd64 preferred). */
static bool layout_manifest(source *s, const char *tag, uint8_t **bytes, size_t *len, util_error *err) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/index.json", s->layout);
  uint8_t *data;
  size_t dlen;
  if (!util_read_file(path, &data, &dlen, err)) return false;
  json_doc doc;
  bool ok = json_parse(&doc, (const char *)data, dlen, path, err);
  free(data);
  if (!ok) return false;
  const json_value *ms = json_get(doc.root, "manifests");
  const char *digest = NULL;
  size_t count = ms && ms->type == JSON_ARRAY ? ms->n : 0;
  for (size_t i = 0; i < count; i++) {
    const char *t = json_get_str(json_get(ms->items[i], "annotations"), OCI_ANN_REF_NAME);
    if (tag ? t && !strcmp(t, tag) : count == 1) digest = json_get_str(ms->items[i], "digest");
  }
  char d[OCI_DIGEST_MAX] = "";
  if (digest) snprintf(d, sizeof d, "%s", digest);
  json_free(&doc);
  if (!d[0])
    return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", path,
                     tag ? "no image with that tag" : "holds several images: name one as DIR:TAG");
  return get_blob(s, d, bytes, len, err);
}

/* An image index: the linux/amd64 manifest (or the first). */
static bool from_index(source *s, uint8_t **bytes, size_t *len, util_error *err) {
  json_doc doc;
  if (!json_parse(&doc, (const char *)*bytes, *len, "image index", err)) return false;
  const json_value *ms = json_get(doc.root, "manifests");
  const char *digest = NULL;
  for (size_t i = 0; ms && ms->type == JSON_ARRAY && i < ms->n; i++) {
    const json_value *p = json_get(ms->items[i], "platform");
    const char *os = json_get_str(p, "os"), *arch = json_get_str(p, "architecture");
    if (!digest || (os && arch && !strcmp(os, "linux") && !strcmp(arch, "amd64")))
      digest = json_get_str(ms->items[i], "digest");
  }
  char d[OCI_DIGEST_MAX] = "";
  if (digest) snprintf(d, sizeof d, "%s", digest);
  json_free(&doc);
  free(*bytes);
  *bytes = NULL;
  if (!d[0]) return util_fail(err, UTIL_ERR_MALFORMED, -1, "image index: no manifest");
  return get_blob(s, d, bytes, len, err);
}

/* "host[:port]/repo/path:tag" (or @sha256:...) into a registry URL, a repository and a
 * reference. Loopback hosts are reached over http, others over https; an explicit
 * http:// or https:// prefix is kept. */
static bool split_ref(const char *image, char *url, size_t nu, char *repo, size_t nr, char *ref, size_t nref,
                      util_error *err) {
  const char *scheme = NULL, *p = image;
  if (!strncmp(p, "http://", 7)) scheme = "http://", p += 7;
  else if (!strncmp(p, "https://", 8)) scheme = "https://", p += 8;
  const char *slash = strchr(p, '/');
  if (!slash || slash == p) return util_fail(err, UTIL_ERR_USAGE, -1, "image '%s': expected HOST[:PORT]/REPOSITORY[:TAG]", image);
  char host[256];
  size_t hl = (size_t)(slash - p);
  if (hl >= sizeof host) return util_fail(err, UTIL_ERR_USAGE, -1, "image '%s': host too long", image);
  memcpy(host, p, hl);
  host[hl] = 0;
  if (!scheme)
    scheme = !strncmp(host, "localhost", 9) || !strncmp(host, "127.", 4) || !strncmp(host, "[::1]", 5) ? "http://" : "https://";
  snprintf(url, nu, "%s%s", scheme, host);
  const char *rest = slash + 1, *at = strchr(rest, '@'), *colon = strrchr(rest, ':');
  size_t rl;
  if (at) {
    rl = (size_t)(at - rest);
    snprintf(ref, nref, "%s", at + 1);
  } else if (colon && !strchr(colon, '/')) {
    rl = (size_t)(colon - rest);
    snprintf(ref, nref, "%s", colon + 1);
  } else {
    rl = strlen(rest);
    snprintf(ref, nref, "latest");
  }
  if (rl >= nr) return util_fail(err, UTIL_ERR_USAGE, -1, "image '%s': repository too long", image);
  memcpy(repo, rest, rl);
  repo[rl] = 0;
  return true;
}

bool hy_image_unpack(const manifest_container *k, const char *base, const char *rootfs, hy_image_config *cfg,
                     util_error *err) {
  memset(cfg, 0, sizeof *cfg);
  if (!archive_ready(err)) return false; /* before anything is fetched */
  source s = {0};
  char dir[PATH_MAX], ref[256] = "";
  uint8_t *mbytes = NULL;
  size_t mlen = 0;
  bool ok;
  if (k->layout) {
    /* DIR or DIR:TAG, relative to the manifest's directory */
    snprintf(dir, sizeof dir, "%s%s%s", k->layout[0] == '/' ? "" : base, k->layout[0] == '/' ? "" : "/", k->layout);
    char *colon = strrchr(dir, ':');
    if (colon && !strchr(colon, '/')) {
      *colon = 0;
      snprintf(ref, sizeof ref, "%s", colon + 1);
    }
    s.layout = dir;
    ok = layout_manifest(&s, ref[0] ? ref : NULL, &mbytes, &mlen, err);
  } else {
    char url[300];
    if (!split_ref(k->image, url, sizeof url, s.repo, sizeof s.repo, ref, sizeof ref, err)) return false;
    oci_registry_opts ro = {0};
    if (!(s.reg = oci_registry_open(url, &ro, err))) return false;
    char digest[OCI_DIGEST_MAX];
    bool missing = false;
    ok = oci_get_manifest(s.reg, s.repo, ref, &mbytes, &mlen, digest, &missing, err);
  }
  if (ok && mlen && memmem(mbytes, mlen, "\"manifests\"", 11)) ok = from_index(&s, &mbytes, &mlen, err);
  oci_manifest man = {0};
  if (ok) ok = oci_manifest_parse(&man, mbytes, mlen, "image manifest", err);
  free(mbytes);
  if (ok) {
    uint8_t *cb;
    size_t cl;
    if ((ok = get_blob(&s, man.config.digest, &cb, &cl, err))) {
      json_doc doc;
      if ((ok = json_parse(&doc, (const char *)cb, cl, "image config", err))) {
        const json_value *c = json_get(doc.root, "config");
        if (!strings_of(json_get(c, "Env"), &cfg->env, &cfg->nenv) ||
            !strings_of(json_get(c, "Entrypoint"), &cfg->entrypoint, &cfg->nentrypoint) ||
            !strings_of(json_get(c, "Cmd"), &cfg->cmd, &cfg->ncmd))
          ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
        const char *wd = json_get_str(c, "WorkingDir");
        if (wd) snprintf(cfg->workdir, sizeof cfg->workdir, "%s", wd);
        json_free(&doc);
      }
      free(cb);
    }
  }
  if (ok && mkdir(rootfs, 0755) != 0 && errno != EEXIST)
    ok = util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", rootfs, strerror(errno));
  for (size_t i = 0; ok && i < man.nlayers; i++) {
    uint8_t *lb;
    size_t ll;
    if (!(ok = get_blob(&s, man.layers[i].digest, &lb, &ll, err))) break;
    char what[128];
    snprintf(what, sizeof what, "layer %zu (%.19s)", i + 1, man.layers[i].digest);
    ok = hy_layer_unpack(lb, ll, rootfs, what, err);
    free(lb);
  }
  oci_manifest_free(&man);
  if (s.reg) oci_registry_close(s.reg);
  if (!ok) hy_image_config_free(cfg);
  return ok;
}
