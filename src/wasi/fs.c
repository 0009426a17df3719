/* wasi/fs: the path_* calls. Each resolves its path beneath the directory fd it was
 * given (sandbox.c), decides on the object it found — the path named and where the object
 * really is (path.c) — and only then acts, with an *at call on a parent fd and a single
 * name, so the kernel never follows a link it was not asked to follow and nothing
 * changes before the decision. */
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
    if (e != WASI_ENOMEM) e = wasi_deny(c, e, call, r->path, "leaves its directory");
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

/* Rights that make a file fd writable on the host. */
#define WRITE_RIGHTS                                                                         \
  (WASI_RIGHT(R_FD_WRITE) | WASI_RIGHT(R_FD_DATASYNC) | WASI_RIGHT(R_FD_ALLOCATE) |         \
   WASI_RIGHT(R_FD_FILESTAT_SET_SIZE))
/* Symlinks path_open follows itself when creating through a dangling one (Linux's limit). */
#define OPEN_MAX_LINKS 40
/* A path_open step that lost a race (the object changed between the decision and the
 * open) starts over; bounded, then EAGAIN. */
#define OPEN_RETRY 0xffffu
#define OPEN_MAX_ROUNDS 64

/* One path_open: what the guest asked, and what was decided and opened. Nothing changes
 * on the host before the decision: the object is found without side effects (an O_PATH
 * handle, or the parent directory and last name of what would be created), the policy is
 * checked on it and on where it really lies, and only then is it opened, created
 * (O_EXCL, beneath that very parent) or truncated. */
typedef struct opening {
  wasi_ctx *c;
  req *r;
  uint32_t oflags;
  uint64_t rights;
  int xflags;    /* O_APPEND, O_NONBLOCK, sync flags for the host */
  bool follow;
  char *cur;     /* the path being resolved: the guest's, or a dangling link's target */
  int links;
  /* results */
  int hfd;
  struct stat st;
  uint32_t ops;
  uint64_t max_read, max_write;
  char *real;    /* the real guest path when checked, else NULL */
} opening;

static bool file_rd(uint64_t rights) { return (rights & WASI_RIGHT(R_FD_READ)) != 0; }
static bool file_wr(uint64_t rights) { return (rights & WRITE_RIGHTS) != 0; }

static int file_hflags(const opening *o, bool trunc) {
  uint64_t r = o->rights & WASI_RIGHTS_FILE;
  bool rd = file_rd(r), wr = file_wr(r) || trunc;
  return (wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY) | o->xflags;
}

/* The object exists: `obj` is an O_PATH handle on it. */
static uint16_t open_found(opening *o, int obj) {
  wasi_ctx *c = o->c;
  struct stat st;
  if (fstat(obj, &st) != 0) return wasi_errno(errno);
  if ((o->oflags & (WASI_O_CREAT | WASI_O_EXCL)) == (WASI_O_CREAT | WASI_O_EXCL)) return WASI_EEXIST;
  if (S_ISLNK(st.st_mode)) return WASI_ELOOP; /* a last component not to be followed */
  bool isdir = S_ISDIR(st.st_mode), trunc = (o->oflags & WASI_O_TRUNC) != 0;
  /* Writing, truncating or O_CREAT on a directory is EISDIR, as on the host. Other rights a directory
   * cannot have are dropped: with O_DIRECTORY, or without fd_write asked for (Rust's std
   * reopens "." with its preopen's rights, which carry fd_datasync and the like). */
  if (isdir && (trunc || (o->oflags & WASI_O_CREAT) ||
                (!(o->oflags & WASI_O_DIRECTORY) && (o->rights & WASI_RIGHT(R_FD_WRITE)))))
    return WASI_EISDIR;
  uint32_t need;
  int hflags;
  if (isdir) {
    /* reading a directory's entries is listing it; a directory fd used only as the
     * base of further path calls needs nothing here (each of those is checked) */
    need = (o->rights & WASI_RIGHT(R_FD_READDIR)) ? POLICY_OP_LIST : 0;
    hflags = O_RDONLY | O_DIRECTORY;
  } else {
    uint64_t r = o->rights & WASI_RIGHTS_FILE;
    need = (file_rd(r) ? POLICY_OP_READ : 0) | (file_wr(r) || trunc ? POLICY_OP_WRITE : 0);
    if (!need) need = POLICY_OP_READ; /* an fd that can only stat still reads metadata */
    hflags = file_hflags(o, trunc);
  }
  uint16_t e = wasi_decide(c, o->r->dir, "path_open", o->r->guest, need, obj, NULL, &o->ops,
                           &o->max_read, &o->max_write, &o->real);
  if (e) return e;
  /* Open the very object decided on: through its /proc link there is no lookup to race.
   * Without /proc, by name again, and it must still be the same file. */
  char pp[64];
  snprintf(pp, sizeof pp, "/proc/self/fd/%d", obj);
  int fd = open(pp, hflags | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    int rc = wasi_sandbox_open(o->r->dir->host, o->cur, hflags, 0, o->follow, &fd);
    if (rc) return rc == ENOENT ? OPEN_RETRY : wasi_sandbox_errno(c, rc, "path_open", o->r->guest);
  } else if (fd < 0) {
    return wasi_errno(errno);
  }
  if (fstat(fd, &o->st) != 0 || o->st.st_dev != st.st_dev || o->st.st_ino != st.st_ino) {
    close(fd);
    return OPEN_RETRY;
  }
  if (trunc && S_ISREG(o->st.st_mode) && ftruncate(fd, 0) != 0) {
    e = wasi_errno(errno);
    close(fd);
    return e;
  }
  if (trunc) fstat(fd, &o->st);
  o->hfd = fd;
  return 0;
}

/* Nothing is at the path and O_CREAT asks for a file: decide on the parent directory and
 * the last name, then create exclusively there. A dangling symlink in the last place
 * names where the kernel would create instead: its target is resolved (beneath) the same
 * way. */
static uint16_t open_create(opening *o) {
  wasi_ctx *c = o->c;
  int pfd;
  const char *base;
  char *buf;
  bool slash;
  int rc = wasi_sandbox_parent(o->r->dir->host, o->cur, &pfd, &base, &buf, &slash);
  if (rc) return wasi_sandbox_errno(c, rc, "path_open", o->r->guest);
  uint16_t e;
  struct stat ls;
  if (slash || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
    e = WASI_EISDIR;
  } else if (fstatat(pfd, base, &ls, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISLNK(ls.st_mode) || !o->follow) {
      e = OPEN_RETRY; /* it appeared meanwhile */
    } else if (o->oflags & WASI_O_EXCL) {
      e = WASI_EEXIST; /* O_CREAT|O_EXCL never follows a link */
    } else {
      char target[PATH_MAX];
      ssize_t n = readlinkat(pfd, base, target, sizeof target - 1);
      if (n < 0) e = OPEN_RETRY;
      else if (++o->links > OPEN_MAX_LINKS) e = WASI_ELOOP;
      else if (n == 0) e = WASI_ENOENT;
      else if (target[0] == '/')
        e = wasi_deny(c, WASI_ENOTCAPABLE, "path_open", o->r->guest, "creates through an absolute link");
      else {
        target[n] = 0;
        /* the link's directory (what precedes `base` in the path) + its target */
        size_t dl = base > buf ? strlen(buf) : 0;
        size_t need = dl + (size_t)n + 2;
        char *next = util_try_malloc(need);
        if (!next) {
          e = WASI_ENOMEM;
        } else {
          snprintf(next, need, "%.*s%s%s", (int)dl, buf, dl ? "/" : "", target);
          free(o->cur);
          o->cur = next;
          e = OPEN_RETRY;
        }
      }
    }
  } else if (errno != ENOENT) {
    e = wasi_errno(errno);
  } else {
    uint64_t r = o->rights & WASI_RIGHTS_FILE;
    uint32_t need = POLICY_OP_CREATE | (file_rd(r) ? POLICY_OP_READ : 0) |
                    (file_wr(r) ? POLICY_OP_WRITE : 0);
    e = wasi_decide(c, o->r->dir, "path_open", o->r->guest, need, pfd, base, &o->ops,
                    &o->max_read, &o->max_write, &o->real);
    if (!e) {
      int fd = openat(pfd, base, file_hflags(o, false) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd < 0) {
        e = (errno == EEXIST && !(o->oflags & WASI_O_EXCL)) ? OPEN_RETRY : wasi_errno(errno);
      } else if (fstat(fd, &o->st) != 0) {
        e = wasi_errno(errno);
        close(fd);
      } else {
        o->hfd = fd;
      }
    }
  }
  close(pfd);
  free(buf);
  return e;
}

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
  opening o = {.c = c, .r = &r, .oflags = oflags, .rights = rights, .hfd = -1,
               .follow = (dirflags & WASI_LOOKUP_SYMLINK_FOLLOW) != 0};
  /* Rights beyond what the directory hands down are not grantable; rights beyond what
   * the opened object can have (a directory has no fd_write) are dropped below, as
   * wasmtime and Node do: Rust's std reopens "." with the preopen's own rights. */
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
  if (fdflags & WASI_FDFLAG_APPEND) o.xflags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_DSYNC) o.xflags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) o.xflags |= O_SYNC;
  if (fdflags & WASI_FDFLAG_RSYNC) o.xflags |= O_RSYNC;
  if (fdflags & WASI_FDFLAG_NONBLOCK) o.xflags |= O_NONBLOCK;
  /* the new fd's slot and its byte counter are made before anything is opened or
   * created, so running out of memory or fds cannot follow the act; wasi_fd_alloc may
   * move the fd table, and r.dir points into it */
  uint32_t n;
  if ((e = wasi_fd_alloc(c, &n)) != 0) goto done; /* EMFILE (the table is full) or ENOMEM */
  r.dir = &c->fds[A32(0)];
  if (!wasi_count_reserve(c) || !(o.cur = util_try_strdup(r.path))) {
    e = WASI_ENOMEM;
    goto done;
  }
  e = OPEN_RETRY;
  for (int round = 0; e == OPEN_RETRY && round < OPEN_MAX_ROUNDS; round++) {
    free(o.real);
    o.real = NULL;
    int obj = -1;
    int flags = O_PATH | ((oflags & WASI_O_DIRECTORY) ? O_DIRECTORY : 0);
    int rc = wasi_sandbox_open(r.dir->host, o.cur, flags, 0, o.follow, &obj);
    if (rc == 0) {
      e = open_found(&o, obj);
      close(obj);
    } else if (rc == ENOENT && (oflags & WASI_O_CREAT) && !(oflags & WASI_O_DIRECTORY)) {
      e = open_create(&o);
    } else {
      e = wasi_sandbox_errno(c, rc, "path_open", r.guest);
    }
  }
  if (e == OPEN_RETRY) e = WASI_EAGAIN;
  if (e) goto done;
  int preopen = r.dir->preopen;
  r.dir = NULL;
  bool isdir = S_ISDIR(o.st.st_mode);
  wasi_fd *f = &c->fds[n];
  f->kind = isdir ? WASI_FD_DIR : WASI_FD_FILE;
  f->host = o.hfd;
  f->owned = true;
  f->filetype = wasi_filetype_of(o.st.st_mode);
  f->fdflags = (uint16_t)fdflags;
  f->rights = rights & (isdir ? WASI_RIGHTS_DIR : WASI_RIGHTS_FILE);
  f->inheriting = inheriting;
  f->preopen = preopen;
  /* where the object really is, when that was checked: later calls through a directory
   * fd then start from its real place */
  if (o.real) {
    f->guest = o.real;
    o.real = NULL;
  } else {
    f->guest = r.guest;
    r.guest = NULL;
  }
  f->ops = o.ops;
  f->max_read = o.max_read;
  f->max_write = o.max_write;
  f->count = (o.max_read != POLICY_UNLIMITED || o.max_write != POLICY_UNLIMITED)
                 ? wasi_count_for(c, o.hfd)
                 : SIZE_MAX;
  c->open_files++;
  wasi_put_u32(wasi_mem(c, outp, 4), n);
  e = 0;
done:
  free(o.cur);
  free(o.real);
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

/* A second name for a file must not grant more than the first: whatever read/write the
 * new name would allow, the old one must allow on the object, and the new name's byte
 * limits may not be looser than the old one's (a hard link is an alias too). */
static uint16_t link_carry(wasi_ctx *c, req *o, req *n, int ofd, const char *obase, uint32_t newops,
                           uint64_t nmr, uint64_t nmw) {
  uint32_t carry = newops & (POLICY_OP_READ | POLICY_OP_WRITE);
  uint64_t omr, omw;
  uint16_t e = wasi_decide(c, o->dir, "path_link", o->guest, carry, ofd, obase, NULL, &omr, &omw, NULL);
  if (e) return e;
  if (nmr > omr || nmw > omw)
    return wasi_deny(c, WASI_EACCES, "path_link", n->guest, "the new name would lift the byte limits of %s",
                     o->guest);
  return 0;
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
  if ((e = wasi_path_check(c, n.dir, "path_link", n.guest, POLICY_OP_CREATE, -1, NULL))) goto done;
  if ((e = get_parent(c, &n, "path_link", &np))) goto done;
  if (np.dot) {
    e = WASI_EEXIST;
    goto done;
  }
  uint32_t newops;
  uint64_t nmr, nmw;
  if ((e = wasi_decide(c, n.dir, "path_link", n.guest, POLICY_OP_CREATE, np.fd, np.base, &newops,
                       &nmr, &nmw, NULL)))
    goto done;
  int rc;
  if (A32(1) & WASI_LOOKUP_SYMLINK_FOLLOW) {
    rc = wasi_sandbox_open(o.dir->host, o.path, O_PATH, 0, true, &ofd);
    if (rc) {
      e = wasi_sandbox_errno(c, rc, "path_link", o.guest);
      goto done;
    }
    if ((e = link_carry(c, &o, &n, ofd, NULL, newops, nmr, nmw))) goto done;
    char pp[64];
    rc = linkat(AT_FDCWD, proc_fd_path(ofd, pp, sizeof pp), np.fd, np.base, AT_SYMLINK_FOLLOW);
  } else {
    if ((e = get_parent(c, &o, "path_link", &op))) goto done;
    if (op.dot) {
      e = WASI_EPERM; /* linking a directory */
      goto done;
    }
    if ((e = link_carry(c, &o, &n, op.fd, op.base, newops, nmr, nmw))) goto done;
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

/* Moving a directory moves everything beneath it without a check per name. The rule
 * (docs/policy.md): a directory may be renamed only when, at the source and at the
 * destination, on the path as named and where it really is, the rule that decides the
 * directory itself decides everything beneath it too (policy_dir_unmovable). Then the
 * delete and create checks on the two names cover every name that moves. */
static uint16_t rename_tree_check(wasi_ctx *c, req *r, parent *p, const char *role) {
  uint16_t e = 0;
  char *real = NULL;
  if (wasi_needs_real(c, r->dir->preopen) &&
      (e = wasi_real_guest(c, r->dir->preopen, p->fd, p->base, "path_rename", r->guest, &real)))
    return e;
  const char *at = r->guest, *why = policy_dir_unmovable(c->pol, r->guest);
  if (!why && real) why = policy_dir_unmovable(c->pol, at = real);
  if (why)
    e = wasi_deny(c, WASI_EACCES, "path_rename", r->guest,
                  "a directory cannot be moved as a whole: at its %s %s, %s", role, at, why);
  free(real);
  return e;
}

/* What a rename would replace: an existing object at the new name is destroyed as an
 * unlink would destroy it, so it needs `delete` there (on the name and where it really
 * is), besides the `create` the name already needed. Renaming a name onto another name
 * of the same object replaces nothing. Sets *exists. */
static uint16_t rename_replace_check(wasi_ctx *c, req *n, parent *np, const struct stat *src,
                                     bool *exists) {
  struct stat st;
  *exists = fstatat(np->fd, np->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!*exists || (src && st.st_dev == src->st_dev && st.st_ino == src->st_ino)) return 0;
  return wasi_path_check(c, n->dir, "path_rename", n->guest, POLICY_OP_DELETE, np->fd, np->base);
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
  struct stat sst;
  bool have_src = fstatat(op.fd, op.base, &sst, AT_SYMLINK_NOFOLLOW) == 0;
  if (have_src && S_ISDIR(sst.st_mode) &&
      ((e = rename_tree_check(c, &o, &op, "source")) || (e = rename_tree_check(c, &n, &np, "destination"))))
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
  /* A target that was absent when checked must still be absent when replaced:
   * RENAME_NOREPLACE makes the kernel refuse one that appeared since, and then the
   * check is made again for what is there now. */
  for (int attempt = 0;; attempt++) {
    bool exists;
    if ((e = rename_replace_check(c, &n, &np, have_src ? &sst : NULL, &exists))) goto done;
    int rc = exists ? renameat(op.fd, op.base, np.fd, np.base)
                    : renameat2(op.fd, op.base, np.fd, np.base, RENAME_NOREPLACE);
    if (rc != 0 && !exists && (errno == EINVAL || errno == ENOSYS)) {
      /* EINVAL is also a directory moved into itself; a file system without the flag
       * gets a plain rename after one more look (a narrow window, not a closed one) */
      struct stat st;
      if (fstatat(np.fd, np.base, &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
      rc = renameat(op.fd, op.base, np.fd, np.base);
    }
    if (rc == 0) break;
    if (exists || errno != EEXIST || attempt == 8) {
      e = wasi_errno(errno);
      goto done;
    }
  }
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
