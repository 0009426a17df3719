/* The compiled-code cache (cache.h): one file per entry, DIR/KEY.cwasm; the entry's
 * modification time is its last use. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/sha256.h"

#ifndef WELD_VERSION
#define WELD_VERSION "0"
#endif

const char *cache_default_dir(char *buf, size_t n) {
  const char *d = getenv("WELD_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
  if (d && *d) snprintf(buf, n, "%s/code", d);
  else if (x && *x) snprintf(buf, n, "%s/weld/code", x);
  else snprintf(buf, n, "%s/.cache/weld/code", h && *h ? h : ".");
  return buf;
}

void cache_key(const uint8_t *module, size_t len, uint64_t features, const char *settings, char out[65]) {
  util_sha256 s;
  util_sha256_init(&s);
  char head[512];
  /* the build too: a rebuilt weld of the same version may compile differently */
  int n = snprintf(head, sizeof head, "weld %s\nbuild %s\nfeatures %llx\n%s\n", WELD_VERSION, util_build_id(),
                   (unsigned long long)features, settings);
  util_sha256_update(&s, head, (size_t)n);
  util_sha256_update(&s, module, len);
  uint8_t d[32];
  util_sha256_final(&s, d);
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static bool key_ok(const char *key) { return strlen(key) == 64 && strspn(key, "0123456789abcdef") == 64; }

bool cache_get(const char *dir, const char *key, const uint8_t **bytes, size_t *len) {
  if (!key_ok(key)) return false;
  char path[4200];
  snprintf(path, sizeof path, "%s/%s.cwasm", dir, key);
  util_error e;
  util_error_clear(&e);
  /* mapped, not read: an entry of megabytes read into fresh memory costs a page fault per
   * 4 KiB (and a copy) before any of it is used */
  int64_t mtime;
  if (!util_map_file_mtime(path, bytes, len, &mtime, &e)) return false;
  /* used now: the least recently used goes first. Recency is kept to the minute: an entry
   * touched less than CACHE_TOUCH_SECONDS ago is not touched again (on the benchmarks' VM
   * the first utimensat of a file costs 25-45 us, a tenth of a warm hello's start) */
  int64_t now = (int64_t)time(NULL);
  if (now - mtime >= CACHE_TOUCH_SECONDS || now < mtime) utimensat(AT_FDCWD, path, NULL, 0);
  return true;
}

void cache_release(const uint8_t *bytes, size_t len) { util_unmap_file(bytes, len); }

void cache_remove(const char *dir, const char *key) {
  if (!key_ok(key)) return;
  char path[4200];
  snprintf(path, sizeof path, "%s/%s.cwasm", dir, key);
  unlink(path);
}

static bool mkdirs(const char *dir, util_error *err) {
  char p[4200];
  snprintf(p, sizeof p, "%s", dir);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0755) && errno != EEXIST) return util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", p, strerror(errno));
    *s = '/';
  }
  if (mkdir(p, 0755) && errno != EEXIST) return util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", p, strerror(errno));
  return true;
}

bool cache_put(const char *dir, const char *key, const uint8_t *bytes, size_t len, uint64_t max_bytes, util_error *err) {
  if (!key_ok(key)) return util_fail(err, UTIL_ERR_USAGE, -1, "bad cache key");
  if (!mkdirs(dir, err)) return false;
  char tmp[4200], path[4200];
  static unsigned serial;
  snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-%u-%s", dir, (long)getpid(), serial++, key);
  snprintf(path, sizeof path, "%s/%s.cwasm", dir, key);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return util_fail(err, UTIL_ERR_IO, -1, "cannot write %s: %s", tmp, strerror(errno));
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, bytes + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      close(fd);
      unlink(tmp);
      return util_fail(err, UTIL_ERR_IO, -1, "cannot write %s: %s", tmp, strerror(e));
    }
    done += (size_t)w;
  }
  if (close(fd) || rename(tmp, path)) {
    int e = errno;
    unlink(tmp);
    return util_fail(err, UTIL_ERR_IO, -1, "cannot store %s: %s", path, strerror(e));
  }
  cache_stats removed;
  return cache_evict(dir, max_bytes, &removed, err);
}

typedef struct entry {
  char name[80];
  uint64_t bytes;
  struct timespec used;
} entry;

static int older(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->used.tv_sec != y->used.tv_sec) return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
  if (x->used.tv_nsec != y->used.tv_nsec) return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* The entries (and, with `stale`, removes temporary files older than an hour). */
static bool list(const char *dir, entry **out, size_t *n, bool stale, util_error *err) {
  *out = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) {
    if (errno == ENOENT) return true;
    return util_fail(err, UTIL_ERR_IO, -1, "cannot read %s: %s", dir, strerror(errno));
  }
  size_t cap = 0;
  struct dirent *de;
  time_t now = time(NULL);
  while ((de = readdir(d))) {
    char path[4200];
    size_t nl = strlen(de->d_name);
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    struct stat st;
    if (strncmp(de->d_name, ".tmp-", 5) == 0) {
      if (stale && stat(path, &st) == 0 && now - st.st_mtime > 3600) unlink(path);
      continue;
    }
    if (nl != 70 || strcmp(de->d_name + 64, ".cwasm") != 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      entry *e = realloc(*out, cap * sizeof *e);
      if (!e) {
        closedir(d);
        free(*out);
        *out = NULL;
        return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      }
      *out = e;
    }
    entry *e = &(*out)[(*n)++];
    memcpy(e->name, de->d_name, nl + 1); /* 70 bytes and its NUL: checked above */
    e->bytes = (uint64_t)st.st_size;
    e->used = st.st_mtim;
  }
  closedir(d);
  return true;
}

bool cache_info(const char *dir, cache_stats *out, util_error *err) {
  entry *v;
  size_t n;
  memset(out, 0, sizeof *out);
  if (!list(dir, &v, &n, false, err)) return false;
  for (size_t i = 0; i < n; i++) out->entries++, out->bytes += v[i].bytes;
  free(v);
  return true;
}

bool cache_evict(const char *dir, uint64_t max_bytes, cache_stats *removed, util_error *err) {
  entry *v;
  size_t n;
  memset(removed, 0, sizeof *removed);
  if (!list(dir, &v, &n, true, err)) return false;
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) total += v[i].bytes;
  if (total > max_bytes) qsort(v, n, sizeof *v, older);
  for (size_t i = 0; i < n && total > max_bytes; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, v[i].name);
    /* another process may have removed it first: either way it is gone */
    if (unlink(path) == 0 || errno == ENOENT) {
      total -= v[i].bytes;
      removed->entries++;
      removed->bytes += v[i].bytes;
    }
  }
  free(v);
  return true;
}
