/* wasi/fs: the path_* calls. Each resolves its path beneath the directory fd it was
 * given (sandbox.c), checks the policy on the guest path (path.c), then acts with an *at
 * call on a parent fd and a single name, so the kernel never follows a link it was not
 * asked to follow. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "wasi_int.h"

typedef struct req {
  wasi_fd *dir;
  char *path;  /* as the guest gave it */
  char *guest; /* normalized guest path */
} req;

static void req_free(req *r) {
  free(r->path);
  free(r->guest);
  r->path = r->guest = NULL;
}

static uint16_t req_begin(wasi_ctx *c, uint32_t fd, uint64_t right, uint32_t ptr, uint32_t len,
                          const char *call, req *r) {
  memset(r, 0, sizeof *r);
  uint16_t e;
  r->dir = wasi_fd_get(c, fd, right, &e);
  if (!r->dir) return e;
  if (r->dir->kind != WASI_FD_DIR) return WASI_ENOTDIR;
  if ((e = wasi_path_arg(c, ptr, len, &r->path)) != 0) return e;
  if ((e = wasi_guest_join(r->dir->guest, r->path, &r->guest)) != 0) {
    e = wasi_deny(c, e, call, r->path, "leaves its directory");
    req_free(r);
    return e;
  }
  return 0;
}

/* Parent fd + last name of a request; *dot is set for "." / "..". */
typedef struct parent {
  int fd;
  const char *base;
  char *buf;
  bool slash, dot;
} parent;

static uint16_t get_parent(wasi_ctx *c, req *r, const char *call, parent *p) {
  int rc = wasi_sandbox_parent(r->dir->host, r->path, &p->fd, &p->base, &p->buf, &p->slash);
  if (rc) return wasi_sandbox_errno(c, rc, call, r->guest);
  p->dot = strcmp(p->base, ".") == 0 || strcmp(p->base, "..") == 0;
  return 0;
}

static void parent_free(parent *p) {
  if (p->fd >= 0) close(p->fd);
  free(p->buf);
  p->fd = -1;
  p->buf = NULL;
}

static void put_filestat(uint8_t *b, const struct stat *st) {
  memset(b, 0, 64);
  wasi_put_u64(b + 0, (uint64_t)st->st_dev);
  wasi_put_u64(b + 8, (uint64_t)st->st_ino);
  b[16] = wasi_filetype_of(st->st_mode);
  wasi_put_u64(b + 24, (uint64_t)st->st_nlink);
  wasi_put_u64(b + 32, (uint64_t)st->st_size);
  wasi_put_u64(b + 40, (uint64_t)st->st_atim.tv_sec * 1000000000ull + (uint64_t)st->st_atim.tv_nsec);
  wasi_put_u64(b + 48, (uint64_t)st->st_mtim.tv_sec * 1000000000ull + (uint64_t)st->st_mtim.tv_nsec);
  wasi_put_u64(b + 56, (uint64_t)st->st_ctim.tv_sec * 1000000000ull + (uint64_t)st->st_ctim.tv_nsec);
}

void wasi_put_filestat(uint8_t *b, const struct stat *st) { put_filestat(b, st); }

uint16_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
  if (fst & ~0xfu) return WASI_EINVAL;
  if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) return WASI_EINVAL;
  if ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) return WASI_EINVAL;
  ts[0].tv_sec = 0;
  ts[0].tv_nsec = UTIME_OMIT;
  ts[1] = ts[0];
  if (fst & WASI_FST_ATIM_NOW) ts[0].tv_nsec = UTIME_NOW;
  else if (fst & WASI_FST_ATIM) {
    ts[0].tv_sec = (time_t)(atim / 1000000000ull);
    ts[0].tv_nsec = (long)(atim % 1000000000ull);
  }
  if (fst & WASI_FST_MTIM_NOW) ts[1].tv_nsec = UTIME_NOW;
  else if (fst & WASI_FST_MTIM) {
    ts[1].tv_sec = (time_t)(mtim / 1000000000ull);
    ts[1].tv_nsec = (long)(mtim % 1000000000ull);
  }
  return 0;
}

static const char *proc_fd_path(int fd, char *buf, size_t n) {
  snprintf(buf, n, "/proc/self/fd/%d", fd);
  return buf;
}

/* ---------- path_open --------------------------------------------------------------------- */

#define READ_RIGHTS (WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_READDIR))
#define WRITE_RIGHTS                                                                         \
  (WASI_RIGHT(R_FD_WRITE) | WASI_RIGHT(R_FD_DATASYNC) | WASI_RIGHT(R_FD_ALLOCATE) |         \
   WASI_RIGHT(R_FD_FILESTAT_SET_SIZE))

WASI_HOST(path_open) {
  wasi_ctx *c = WASI_CTX;
  uint32_t dirflags = A32(1), oflags = A32(4), fdflags = A32(7), outp = A32(8);
  uint64_t rights = A64(5), inheriting = A64(6);
  uint64_t need_right = WASI_RIGHT(R_PATH_OPEN);
  if (oflags & WASI_O_CREAT) need_right |= WASI_RIGHT(R_PATH_CREATE_FILE);
  if (oflags & WASI_O_TRUNC) need_right |= WASI_RIGHT(R_PATH_FILESTAT_SET_SIZE);
  if (oflags & ~0xfu || fdflags & ~0x1fu) RET(WASI_EINVAL);
  uint8_t *out = wasi_mem(c, outp, 4);
  if (!out) RET(WASI_EFAULT);
  req r;
  uint16_t e = req_begin(c, A32(0), need_right, A32(2), A32(3), "path_open", &r);
  if (e) RET(e);
  /* rights beyond what the directory hands down are not grantable */
  if ((rights & ~r.dir->inheriting) || (inheriting & ~r.dir->inheriting)) {
    e = WASI_ENOTCAPABLE;
    goto done;
  }
  uint64_t max_open = c->pol->max_open_files;
  if (max_open != POLICY_UNLIMITED && c->open_files >= max_open) {
    e = wasi_deny(c, WASI_EMFILE, "path_open", r.guest, "open-file limit (%llu) reached",
                  (unsigned long long)max_open);
    goto done;
  }
  bool rd = (rights & READ_RIGHTS) != 0, wr = (rights & WRITE_RIGHTS) != 0;
  int flags = wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & WASI_O_DIRECTORY) flags |= O_DIRECTORY;
  if (oflags & WASI_O_EXCL) flags |= O_EXCL;
  if (oflags & WASI_O_TRUNC) flags |= O_TRUNC;
  if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;
  if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
  if (fdflags & WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
  bool follow = (dirflags & WASI_LOOKUP_SYMLINK_FOLLOW) != 0;
  uint64_t max_read, max_write;
  uint32_t ops = wasi_path_ops(c, r.guest, &max_read, &max_write);
  /* checks that must precede the open because the open itself has effects */
  uint32_t pre = 0;
  if (oflags & WASI_O_TRUNC) pre |= POLICY_OP_WRITE;
  if (wr && (oflags & WASI_O_CREAT)) pre |= POLICY_OP_WRITE;
  if (pre && (e = wasi_path_check(c, r.dir, "path_open", r.guest, pre, -1, NULL))) goto done;
  int hfd = -1, rc;
  if (oflags & WASI_O_CREAT) {
    if (ops & POLICY_OP_CREATE) {
      rc = wasi_sandbox_open(r.dir->host, r.path, flags | O_CREAT, 0666, follow, &hfd);
    } else {
      /* without the create grant an existing file may still be opened */
      rc = wasi_sandbox_open(r.dir->host, r.path, flags & ~O_EXCL, 0, follow, &hfd);
      if (rc == 0 && (oflags & WASI_O_EXCL)) {
        close(hfd);
        hfd = -1;
        rc = EEXIST;
      } else if (rc == ENOENT) {
        e = wasi_deny(c, WASI_EACCES, "path_open", r.guest, "not granted create");
        goto done;
      }
    }
  } else {
    rc = wasi_sandbox_open(r.dir->host, r.path, flags, 0, follow, &hfd);
  }
  if (rc) {
    e = wasi_sandbox_errno(c, rc, "path_open", r.guest);
    goto done;
  }
  struct stat st;
  if (fstat(hfd, &st) != 0) {
    e = wasi_errno(errno);
    close(hfd);
    goto done;
  }
  bool isdir = S_ISDIR(st.st_mode);
  uint32_t need = isdir ? 0 : (rd ? POLICY_OP_READ : 0) | (wr ? POLICY_OP_WRITE : 0);
  if ((e = wasi_path_check(c, r.dir, "path_open", r.guest, need, hfd, NULL))) {
    close(hfd);
    goto done;
  }
  uint32_t n = wasi_fd_alloc(c);
  if (n == UINT32_MAX) {
    close(hfd);
    e = WASI_EMFILE;
    goto done;
  }
  wasi_fd *f = &c->fds[n];
  f->kind = isdir ? WASI_FD_DIR : WASI_FD_FILE;
  f->host = hfd;
  f->owned = true;
  f->filetype = wasi_filetype_of(st.st_mode);
  f->fdflags = (uint16_t)fdflags;
  f->rights = rights & (isdir ? WASI_RIGHTS_DIR : WASI_RIGHTS_FILE);
  f->inheriting = inheriting;
  f->preopen = r.dir->preopen;
  f->guest = r.guest;
  r.guest = NULL;
  f->ops = ops;
  f->max_read = max_read;
  f->max_write = max_write;
  f->count = (max_read != POLICY_UNLIMITED || max_write != POLICY_UNLIMITED)
                 ? wasi_count_for(c, hfd)
                 : SIZE_MAX;
  c->open_files++;
  wasi_put_u32(wasi_mem(c, outp, 4), n);
  e = 0;
done:
  req_free(&r);
  RET(e);
}

/* ---------- directories, links, names --------------------------------------------------- */

WASI_HOST(path_create_directory) {
  wasi_ctx *c = WASI_CTX;
  req r;
  parent p = {.fd = -1};
  uint16_t e = req_begin(c, A32(0), WASI_RIGHT(R_PATH_CREATE_DIRECTORY), A32(1), A32(2),
                         "path_create_directory", &r);
  if (e) RET(e);
  if ((e = wasi_path_check(c, r.dir, "path_create_directory", r.guest, POLICY_OP_CREATE, -1,
                           NULL)))
    goto done;
  if ((e = get_parent(c, &r, "path_create_directory", &p))) goto done;
  if (p.dot) {
    e = WASI_EEXIST;
    goto done;
  }
  if ((e = wasi_path_check(c, r.dir, "path_create_directory", r.guest, POLICY_OP_CREATE, p.fd,
                           p.base)))
    goto done;
  e = mkdirat(p.fd, p.base, 0777) == 0 ? 0 : wasi_errno(errno);
done:
  parent_free(&p);
  req_free(&r);
  RET(e);
}

WASI_HOST(path_filestat_get) {
  wasi_ctx *c = WASI_CTX;
  uint8_t *buf = wasi_mem(c, A32(4), 64);
  if (!buf) RET(WASI_EFAULT);
  req r;
  parent p = {.fd = -1};
  uint16_t e = req_begin(c, A32(0), WASI_RIGHT(R_PATH_FILESTAT_GET), A32(2), A32(3),
                         "path_filestat_get", &r);
  if (e) RET(e);
  struct stat st;
  if ((e = wasi_path_check(c, r.dir, "path_filestat_get", r.guest, POLICY_OP_READ, -1, NULL)))
    goto done;
  if (A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW) {
    int fd;
    int rc = wasi_sandbox_open(r.dir->host, r.path, O_PATH, 0, true, &fd);
    if (rc) {
      e = wasi_sandbox_errno(c, rc, "path_filestat_get", r.guest);
      goto done;
    }
    e = wasi_path_check(c, r.dir, "path_filestat_get", r.guest, POLICY_OP_READ, fd, NULL);
    if (!e) e = fstat(fd, &st) == 0 ? 0 : wasi_errno(errno);
    close(fd);
  } else {
    if ((e = get_parent(c, &r, "path_filestat_get", &p))) goto done;
    if ((e = wasi_path_check(c, r.dir, "path_filestat_get", r.guest, POLICY_OP_READ, p.fd,
                             p.dot ? NULL : p.base)))
      goto done;
    int rc = p.dot ? fstat(p.fd, &st) : fstatat(p.fd, p.base, &st, AT_SYMLINK_NOFOLLOW);
    e = rc == 0 ? 0 : wasi_errno(errno);
    if (!e && p.slash && !S_ISDIR(st.st_mode)) e = WASI_ENOTDIR;
  }
  if (!e) put_filestat(wasi_mem(c, A32(4), 64), &st);
done:
  parent_free(&p);
  req_free(&r);
  RET(e);
}

WASI_HOST(path_filestat_set_times) {
  wasi_ctx *c = WASI_CTX;
  struct timespec ts[2];
  uint16_t e = wasi_times(A64(4), A64(5), A32(6), ts);
  if (e) RET(e);
  req r;
  parent p = {.fd = -1};
  e = req_begin(c, A32(0), WASI_RIGHT(R_PATH_FILESTAT_SET_TIMES), A32(2), A32(3),
                "path_filestat_set_times", &r);
  if (e) RET(e);
  if ((e = wasi_path_check(c, r.dir, "path_filestat_set_times", r.guest, POLICY_OP_WRITE, -1,
                           NULL)))
    goto done;
  if (A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW) {
    int fd;
    int rc = wasi_sandbox_open(r.dir->host, r.path, O_PATH, 0, true, &fd);
    if (rc) {
      e = wasi_sandbox_errno(c, rc, "path_filestat_set_times", r.guest);
      goto done;
    }
    e = wasi_path_check(c, r.dir, "path_filestat_set_times", r.guest, POLICY_OP_WRITE, fd, NULL);
    char pp[64];
    /* the magic link names exactly the object resolved beneath */
    if (!e) e = utimensat(AT_FDCWD, proc_fd_path(fd, pp, sizeof pp), ts, 0) == 0 ? 0 : wasi_errno(errno);
    close(fd);
  } else {
    if ((e = get_parent(c, &r, "path_filestat_set_times", &p))) goto done;
    if ((e = wasi_path_check(c, r.dir, "path_filestat_set_times", r.guest, POLICY_OP_WRITE, p.fd,
                             p.dot ? NULL : p.base)))
      goto done;
    char pp[64];
    int rc = p.dot ? utimensat(AT_FDCWD, proc_fd_path(p.fd, pp, sizeof pp), ts, 0)
                   : utimensat(p.fd, p.base, ts, AT_SYMLINK_NOFOLLOW);
    e = rc == 0 ? 0 : wasi_errno(errno);
  }
done:
  parent_free(&p);
  req_free(&r);
  RET(e);
}

WASI_HOST(path_link) {
  wasi_ctx *c = WASI_CTX;
  req o, n;
  parent op = {.fd = -1}, np = {.fd = -1};
  int ofd = -1;
  uint16_t e = req_begin(c, A32(0), WASI_RIGHT(R_PATH_LINK_SOURCE), A32(2), A32(3), "path_link",
                         &o);
  if (e) RET(e);
  if ((e = req_begin(c, A32(4), WASI_RIGHT(R_PATH_LINK_TARGET), A32(5), A32(6), "path_link",
                     &n))) {
    req_free(&o);
    RET(e);
  }
  /* a new name must not grant more than the old one did */
  uint32_t newops = wasi_path_ops(c, n.guest, NULL, NULL);
  uint32_t carry = newops & (POLICY_OP_READ | POLICY_OP_WRITE);
  if ((e = wasi_path_check(c, n.dir, "path_link", n.guest, POLICY_OP_CREATE, -1, NULL))) goto done;
  if ((e = wasi_path_check(c, o.dir, "path_link", o.guest, carry, -1, NULL))) goto done;
  if ((e = get_parent(c, &n, "path_link", &np))) goto done;
  if (np.dot) {
    e = WASI_EEXIST;
    goto done;
  }
  if ((e = wasi_path_check(c, n.dir, "path_link", n.guest, POLICY_OP_CREATE, np.fd, np.base)))
    goto done;
  int rc;
  if (A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW) {
    rc = wasi_sandbox_open(o.dir->host, o.path, O_PATH, 0, true, &ofd);
    if (rc) {
      e = wasi_sandbox_errno(c, rc, "path_link", o.guest);
      goto done;
    }
    if ((e = wasi_path_check(c, o.dir, "path_link", o.guest, carry, ofd, NULL))) goto done;
    char pp[64];
    rc = linkat(AT_FDCWD, proc_fd_path(ofd, pp, sizeof pp), np.fd, np.base, AT_SYMLINK_FOLLOW);
  } else {
    if ((e = get_parent(c, &o, "path_link", &op))) goto done;
    if (op.dot) {
      e = WASI_EPERM; /* linking a directory */
      goto done;
    }
    if ((e = wasi_path_check(c, o.dir, "path_link", o.guest, carry, op.fd, op.base))) goto done;
    rc = linkat(op.fd, op.base, np.fd, np.base, 0);
  }
  e = rc == 0 ? 0 : wasi_errno(errno);
done:
  if (ofd >= 0) close(ofd);
  parent_free(&op);
  parent_free(&np);
  req_free(&o);
  req_free(&n);
  RET(e);
}

WASI_HOST(path_readlink) {
  wasi_ctx *c = WASI_CTX;
  uint32_t bufp = A32(3), buflen = A32(4), usedp = A32(5);
  if (!wasi_mem(c, bufp, buflen) || !wasi_mem(c, usedp, 4)) RET(WASI_EFAULT);
  req r;
  parent p = {.fd = -1};
  uint16_t e = req_begin(c, A32(0), WASI_RIGHT(R_PATH_READLINK), A32(1), A32(2), "path_readlink",
                         &r);
  if (e) RET(e);
  if ((e = wasi_path_check(c, r.dir, "path_readlink", r.guest, POLICY_OP_READ, -1, NULL))) goto done;
  if ((e = get_parent(c, &r, "path_readlink", &p))) goto done;
  if (p.dot) {
    e = WASI_EINVAL;
    goto done;
  }
  if ((e = wasi_path_check(c, r.dir, "path_readlink", r.guest, POLICY_OP_READ, p.fd, p.base)))
    goto done;
  char target[PATH_MAX];
  ssize_t len = readlinkat(p.fd, p.base, target, sizeof target);
  if (len < 0) {
    e = wasi_errno(errno);
    goto done;
  }
  /* the spec leaves a short buffer to truncation; the caller sees bufused == buf_len */
  uint32_t k = (uint32_t)len < buflen ? (uint32_t)len : buflen;
  memcpy(wasi_mem(c, bufp, buflen), target, k);
  wasi_put_u32(wasi_mem(c, usedp, 4), k);
done:
  parent_free(&p);
  req_free(&r);
  RET(e);
}

static uint16_t remove_name(wasi_ctx *c, exec_slot *a, uint64_t right, const char *call, bool dir) {
  req r;
  parent p = {.fd = -1};
  uint16_t e = req_begin(c, A32(0), right, A32(1), A32(2), call, &r);
  if (e) return e;
  if ((e = wasi_path_check(c, r.dir, call, r.guest, POLICY_OP_DELETE, -1, NULL))) goto done;
  if ((e = get_parent(c, &r, call, &p))) goto done;
  if (p.dot) {
    e = dir ? (strcmp(p.base, ".") == 0 ? WASI_EINVAL : WASI_ENOTEMPTY) : WASI_EISDIR;
    goto done;
  }
  if ((e = wasi_path_check(c, r.dir, call, r.guest, POLICY_OP_DELETE, p.fd, p.base))) goto done;
  if (!dir && p.slash) {
    struct stat st;
    if (fstatat(p.fd, p.base, &st, AT_SYMLINK_NOFOLLOW) != 0) e = wasi_errno(errno);
    else e = S_ISDIR(st.st_mode) ? WASI_EISDIR : WASI_ENOTDIR;
    goto done;
  }
  e = unlinkat(p.fd, p.base, dir ? AT_REMOVEDIR : 0) == 0 ? 0 : wasi_errno(errno);
done:
  parent_free(&p);
  req_free(&r);
  return e;
}

WASI_HOST(path_remove_directory) {
  RET(remove_name(WASI_CTX, a, WASI_RIGHT(R_PATH_REMOVE_DIRECTORY), "path_remove_directory", true));
}
WASI_HOST(path_unlink_file) {
  RET(remove_name(WASI_CTX, a, WASI_RIGHT(R_PATH_UNLINK_FILE), "path_unlink_file", false));
}

WASI_HOST(path_rename) {
  wasi_ctx *c = WASI_CTX;
  req o, n;
  parent op = {.fd = -1}, np = {.fd = -1};
  uint16_t e = req_begin(c, A32(0), WASI_RIGHT(R_PATH_RENAME_SOURCE), A32(1), A32(2),
                         "path_rename", &o);
  if (e) RET(e);
  if ((e = req_begin(c, A32(3), WASI_RIGHT(R_PATH_RENAME_TARGET), A32(4), A32(5), "path_rename",
                     &n))) {
    req_free(&o);
    RET(e);
  }
  if ((e = wasi_path_check(c, o.dir, "path_rename", o.guest, POLICY_OP_DELETE, -1, NULL))) goto done;
  if ((e = wasi_path_check(c, n.dir, "path_rename", n.guest, POLICY_OP_CREATE, -1, NULL))) goto done;
  if ((e = get_parent(c, &o, "path_rename", &op))) goto done;
  if ((e = get_parent(c, &n, "path_rename", &np))) goto done;
  if (op.dot || np.dot) {
    e = WASI_EBUSY;
    goto done;
  }
  if ((e = wasi_path_check(c, o.dir, "path_rename", o.guest, POLICY_OP_DELETE, op.fd, op.base)))
    goto done;
  if ((e = wasi_path_check(c, n.dir, "path_rename", n.guest, POLICY_OP_CREATE, np.fd, np.base)))
    goto done;
  if (op.slash || np.slash) {
    struct stat st;
    if (fstatat(op.fd, op.base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      e = wasi_errno(errno);
      goto done;
    }
    if (!S_ISDIR(st.st_mode)) {
      e = WASI_ENOTDIR;
      goto done;
    }
  }
  e = renameat(op.fd, op.base, np.fd, np.base) == 0 ? 0 : wasi_errno(errno);
done:
  parent_free(&op);
  parent_free(&np);
  req_free(&o);
  req_free(&n);
  RET(e);
}

WASI_HOST(path_symlink) {
  wasi_ctx *c = WASI_CTX;
  char *target = NULL;
  uint16_t e = wasi_path_arg(c, A32(0), A32(1), &target);
  if (e) RET(e);
  req r;
  parent p = {.fd = -1};
  if ((e = req_begin(c, A32(2), WASI_RIGHT(R_PATH_SYMLINK), A32(3), A32(4), "path_symlink", &r))) {
    free(target);
    RET(e);
  }
  /* The target is stored as text and only ever resolved beneath, so a link pointing out
   * is harmless; an absolute target is refused up front because it could never work. */
  if (target[0] == '/') {
    e = wasi_deny(c, WASI_ENOTCAPABLE, "path_symlink", target, "absolute link target");
    goto done;
  }
  if ((e = wasi_path_check(c, r.dir, "path_symlink", r.guest, POLICY_OP_CREATE, -1, NULL))) goto done;
  if ((e = get_parent(c, &r, "path_symlink", &p))) goto done;
  if (p.dot) {
    e = WASI_EEXIST;
    goto done;
  }
  if ((e = wasi_path_check(c, r.dir, "path_symlink", r.guest, POLICY_OP_CREATE, p.fd, p.base)))
    goto done;
  e = symlinkat(target, p.fd, p.base) == 0 ? 0 : wasi_errno(errno);
done:
  parent_free(&p);
  req_free(&r);
  free(target);
  RET(e);
}
