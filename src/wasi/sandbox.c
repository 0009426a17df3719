/* wasi/sandbox: beneath-a-directory path resolution (see sandbox.h for the contract). */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../util/util.h"

/* Symlinks followed in one resolution before giving up with ELOOP (Linux's limit). */
#define SANDBOX_MAX_LINKS 40
/* Directory depth the walk can hold fds for. */
#define SANDBOX_MAX_DEPTH 256

static atomic_bool force_walk;
/* 0 unknown, 1 openat2 works, -1 ENOSYS seen */
static atomic_int have_openat2;

bool wasi_sandbox_force_walk(bool on) { return atomic_exchange(&force_walk, on); }

bool wasi_sandbox_uses_openat2(void) {
  return !atomic_load(&force_walk) && atomic_load(&have_openat2) >= 0;
}

static int try_openat2(int dirfd, const char *path, int flags, mode_t mode, int *out) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)flags;
  /* the kernel rejects a mode without O_CREAT/O_TMPFILE */
  how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  /* EAGAIN: a rename raced with the lookup; the kernel asks us to retry. */
  for (int attempt = 0; attempt < 64; attempt++) {
    long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (r >= 0) {
      *out = (int)r;
      return 0;
    }
    if (errno != EAGAIN) return errno;
  }
  return EAGAIN;
}

/* ---------- the fallback walk ---------------------------------------------------------- */

typedef struct walk {
  int fds[SANDBOX_MAX_DEPTH]; /* fds[0] is the caller's dirfd (not owned) */
  int depth;                  /* index of the current directory */
} walk;

static void walk_release(walk *w) {
  for (int i = 1; i <= w->depth; i++) close(w->fds[i]);
  w->depth = 0;
}

/* Replaces the text of the current component plus everything after it: rest = target +
 * "/" + after. Returns ENAMETOOLONG when it does not fit. */
static int splice_link(char *rest, size_t cap, const char *target, size_t tlen, const char *after) {
  size_t alen = strlen(after);
  if (tlen + 1 + alen + 1 > cap) return ENAMETOOLONG;
  memmove(rest + tlen + (alen ? 1 : 0), after, alen + 1);
  memcpy(rest, target, tlen);
  if (alen) rest[tlen] = '/';
  return 0;
}

/* One symlink met on the walk: `n` and `err` are readlinkat's result and errno. Counts it
 * against the link budget, refuses empty and absolute targets (an absolute target would
 * leave the tree: EXDEV, mapped to ENOTCAPABLE by the caller) and splices the target in
 * front of what remains of the path. */
static int follow_link(ssize_t n, int err, int *links, const char *target, char *rest, size_t cap,
                       const char *after) {
  if (n < 0) return err;
  if (++*links > SANDBOX_MAX_LINKS) return ELOOP;
  if (n == 0) return ENOENT;
  if (target[0] == '/') return EXDEV;
  return splice_link(rest, cap, target, (size_t)n, after);
}

/* Moves what remains of the path (from *cur) to the start of the buffer before a link
 * is spliced in: the components walked so far are held as fds, not text, so a chain of
 * long link targets needs room for one remaining path at a time, as in the kernel.
 * Returns the moved `after`. */
static char *drop_walked(char *rest, char **cur, char *after) {
  size_t off = (size_t)(*cur - rest);
  if (off == 0) return after;
  memmove(rest, *cur, strlen(*cur) + 1);
  *cur = rest;
  return after - off;
}

static int walk_open(int dirfd, const char *path, int flags, mode_t mode, bool follow, int *out) {
  size_t plen = strlen(path);
  if (plen == 0) return ENOENT;
  if (path[0] == '/') return EXDEV;
  size_t cap = plen + PATH_MAX + 2;
  char *rest = util_try_malloc(cap);
  if (!rest) return ENOMEM;
  memcpy(rest, path, plen + 1);
  if (plen && path[plen - 1] == '/') {
    /* "dir/" names a directory and follows a final symlink, as POSIX says */
    follow = true;
    if (!(flags & O_CREAT)) flags |= O_DIRECTORY;
  }
  walk w = {.depth = 0};
  w.fds[0] = dirfd;
  int links = 0, rc = 0;
  char *cur = rest;
  char target[PATH_MAX + 1];
  for (;;) {
    while (*cur == '/') cur++;
    if (*cur == 0) {
      /* the path ended on a directory we already hold ("a/." or "a/..") */
      int fd = openat(w.fds[w.depth], ".", (flags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_CLOEXEC);
      if (fd < 0) rc = errno;
      else *out = fd;
      break;
    }
    char *end = strchr(cur, '/');
    size_t clen = end ? (size_t)(end - cur) : strlen(cur);
    char *after = end ? end + 1 : cur + clen;
    while (*after == '/') after++;
    bool last = *after == 0;
    char comp[NAME_MAX + 1];
    if (clen > NAME_MAX) {
      rc = ENAMETOOLONG;
      break;
    }
    memcpy(comp, cur, clen);
    comp[clen] = 0;
    if (strcmp(comp, ".") == 0) {
      cur = after;
      continue;
    }
    if (strcmp(comp, "..") == 0) {
      if (w.depth == 0) {
        rc = EXDEV;
        break;
      }
      close(w.fds[w.depth--]);
      cur = after;
      continue;
    }
    int at = w.fds[w.depth];
    if (!last) {
      int fd = openat(at, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        rc = errno;
        break;
      }
      struct stat st;
      if (fstat(fd, &st) != 0) {
        rc = errno;
        close(fd);
        break;
      }
      if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
        int e = errno; /* before close() can change it */
        close(fd);
        after = drop_walked(rest, &cur, after);
        if ((rc = follow_link(n, e, &links, target, cur, cap, after)) != 0) break;
        continue;
      }
      if (!S_ISDIR(st.st_mode)) {
        close(fd);
        rc = ENOTDIR;
        break;
      }
      if (w.depth + 1 >= SANDBOX_MAX_DEPTH) {
        close(fd);
        rc = ENAMETOOLONG;
        break;
      }
      w.fds[++w.depth] = fd;
      cur = after;
      continue;
    }
    /* the last component: never let the kernel follow a link here */
    int fd = openat(at, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
    int e = fd < 0 ? errno : 0;
    bool is_link = false;
    if (fd >= 0 && (flags & O_PATH)) {
      struct stat st;
      if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) is_link = true;
    } else if (fd < 0 && (e == ELOOP || e == EMLINK || e == ENOTDIR || e == EEXIST)) {
      struct stat st;
      if (fstatat(at, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) is_link = true;
    }
    if (is_link && follow && !((flags & O_CREAT) && (flags & O_EXCL))) {
      if (fd >= 0) close(fd);
      ssize_t n = readlinkat(at, comp, target, sizeof target - 1);
      int le = errno;
      after = drop_walked(rest, &cur, after);
      if ((rc = follow_link(n, le, &links, target, cur, cap, after)) != 0) break;
      continue;
    }
    if (fd < 0) {
      rc = (is_link && !follow && e != EEXIST) ? ELOOP : e;
      break;
    }
    *out = fd;
    break;
  }
  walk_release(&w);
  free(rest);
  return rc;
}

int wasi_sandbox_open(int dirfd, const char *path, int flags, mode_t mode, bool follow, int *out) {
  *out = -1;
  if (path[0] == 0) return ENOENT;
  if (path[0] == '/') return EXDEV;
  if (!atomic_load(&force_walk) && atomic_load(&have_openat2) >= 0) {
    int f = flags | O_CLOEXEC;
    if (!follow) f |= O_NOFOLLOW;
    int rc = try_openat2(dirfd, path, f, mode, out);
    if (rc != ENOSYS) {
      atomic_store(&have_openat2, 1);
      return rc;
    }
    atomic_store(&have_openat2, -1);
  }
  return walk_open(dirfd, path, flags, mode, follow, out);
}

int wasi_sandbox_parent(int dirfd, const char *path, int *parent, const char **base, char **buf,
                        bool *trailing_slash) {
  *parent = -1;
  *base = NULL;
  *buf = NULL;
  *trailing_slash = false;
  size_t n = strlen(path);
  if (n == 0) return ENOENT;
  if (path[0] == '/') return EXDEV;
  char *copy = util_try_malloc(n + 3);
  if (!copy) return ENOMEM;
  memcpy(copy, path, n + 1);
  while (n > 1 && copy[n - 1] == '/') {
    copy[--n] = 0;
    *trailing_slash = true;
  }
  char *slash = strrchr(copy, '/');
  const char *name = slash ? slash + 1 : copy;
  int rc;
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
    /* the whole path is a directory; make sure it is beneath */
    rc = wasi_sandbox_open(dirfd, copy, O_PATH | O_DIRECTORY, 0, true, parent);
  } else if (slash) {
    *slash = 0;
    rc = wasi_sandbox_open(dirfd, copy[0] ? copy : "/", O_PATH | O_DIRECTORY, 0, true, parent);
  } else {
    rc = wasi_sandbox_open(dirfd, ".", O_PATH | O_DIRECTORY, 0, true, parent);
  }
  if (rc != 0) {
    free(copy);
    return rc;
  }
  *base = name;
  *buf = copy;
  return 0;
}

bool wasi_sandbox_fd_path(int fd, char *buf, size_t n) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t r = readlink(link, buf, n - 1);
  if (r < 0) return false;
  if ((size_t)r >= n - 1) {
    errno = ENAMETOOLONG;
    return false;
  }
  buf[r] = 0;
  return buf[0] == '/';
}
