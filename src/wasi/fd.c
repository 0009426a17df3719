/* wasi/fd: the fd_* calls — reads and writes with the policy's byte limits, seeking,
 * descriptor flags and rights, metadata, preopen names, directory listing with cookies,
 * renumbering and closing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_int.h"


/* Shortens the iovecs to `limit` bytes in total. */
static void clamp_iovs(struct iovec *iov, int *niov, uint64_t limit) {
  uint64_t sum = 0;
  for (int i = 0; i < *niov; i++) {
    if (sum + iov[i].iov_len >= limit) {
      iov[i].iov_len = (size_t)(limit - sum);
      *niov = iov[i].iov_len ? i + 1 : i;
      return;
    }
    sum += iov[i].iov_len;
  }
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Bytes the policy still lets this fd read (UINT64_MAX: no limit applies). */
static uint64_t read_left(wasi_ctx *c, const wasi_fd *f) {
  uint64_t left = UINT64_MAX;
  if (f->kind != WASI_FD_FILE) return left;
  if (f->count != SIZE_MAX && f->max_read != POLICY_UNLIMITED) {
    uint64_t used = c->counts[f->count].read;
    left = used >= f->max_read ? 0 : f->max_read - used;
  }
  uint64_t tot = c->pol->max_read_total;
  if (tot != POLICY_UNLIMITED) left = min64(left, c->files_read >= tot ? 0 : tot - c->files_read);
  return left;
}

static uint64_t write_left(wasi_ctx *c, const wasi_fd *f, int64_t at) {
  uint64_t left = UINT64_MAX;
  if (f->kind != WASI_FD_FILE) return left;
  if (f->max_write != POLICY_UNLIMITED) {
    if (f->count != SIZE_MAX) {
      uint64_t used = c->counts[f->count].written;
      left = used >= f->max_write ? 0 : f->max_write - used;
    }
    /* the file may not grow past the limit either */
    if (at >= 0) left = min64(left, (uint64_t)at >= f->max_write ? 0 : f->max_write - (uint64_t)at);
  }
  uint64_t tot = c->pol->max_write_total;
  if (tot != POLICY_UNLIMITED)
    left = min64(left, c->files_written >= tot ? 0 : tot - c->files_written);
  return left;
}

static bool at_eof(int fd, int64_t at) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (at < 0) at = lseek(fd, 0, SEEK_CUR);
  return at >= st.st_size;
}

/* offset < 0: at the current position */
static uint16_t read_iovs(wasi_ctx *c, wasi_fd *f, wasi_iovs *v, int64_t off, const char *call, uint32_t outp) {
  uint16_t e;
  struct iovec *iov = v->iov;
  int niov = v->n;
  uint64_t left = read_left(c, f);
  if (left < v->total) {
    if (left == 0 && !at_eof(f->host, off)) {
      return wasi_deny(c, WASI_EACCES, call, f->guest, "read limit reached");
    }
    clamp_iovs(iov, &niov, left);
  }
  if (off < 0 && niov > 0 && (e = wasi_wait_ready(c, f, POLLIN))) return e;
  ssize_t n = niov == 0 ? 0 : off >= 0 ? preadv(f->host, iov, niov, off) : readv(f->host, iov, niov);
  if (n < 0) return wasi_errno(errno);
  c->stats.bytes_read += (uint64_t)n;
  if (f->kind == WASI_FD_FILE) c->files_read += (uint64_t)n;
  if (f->count != SIZE_MAX) c->counts[f->count].read += (uint64_t)n;
  wasi_put_u32(wasi_mem(c, outp, 4), (uint32_t)n);
  return 0;
}

static uint16_t do_read(wasi_ctx *c, exec_slot *a, int64_t off, uint64_t rights, const char *call,
                        uint32_t outp) {
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), rights, &e);
  if (!f) return e;
  if (f->kind == WASI_FD_DIR) return WASI_EISDIR;
  if (!(f->ops & POLICY_OP_READ))
    return wasi_deny(c, WASI_EACCES, call, f->guest ? f->guest : "<stdin>", "not granted read");
  if (!wasi_mem(c, outp, 4)) return WASI_EFAULT;
  wasi_iovs v;
  if ((e = wasi_iovs_get(c, A32(1), A32(2), &v))) return e;
  e = read_iovs(c, f, &v, off, call, outp);
  wasi_iovs_free(&v);
  return e;
}

static uint16_t write_iovs(wasi_ctx *c, wasi_fd *f, wasi_iovs *v, int64_t off, const char *call, uint32_t outp) {
  uint16_t e;
  struct iovec *iov = v->iov;
  int niov = v->n;
  int64_t at = off;
  if (f->kind == WASI_FD_FILE && f->max_write != POLICY_UNLIMITED) {
    /* Where the bytes land: on an append fd the end of the file whatever the offset
     * (Linux appends a pwrite too), else the offset or the current position. The host
     * flag is asked, not the guest's record of it. */
    int fl = fcntl(f->host, F_GETFL);
    struct stat st;
    if (fl < 0 || (fl & O_APPEND)) {
      if (fstat(f->host, &st) != 0) return wasi_errno(errno);
      at = st.st_size;
    } else if (at < 0) {
      at = lseek(f->host, 0, SEEK_CUR);
    }
  }
  uint64_t left = write_left(c, f, at);
  if (left < v->total) {
    if (left == 0 && v->total > 0) return wasi_deny(c, WASI_EACCES, call, f->guest, "write limit reached");
    clamp_iovs(iov, &niov, left);
  }
  /* A pipe, terminal or socket that is full waits here, where the deadline and a cancel
   * can end the wait, not inside writev. */
  if (off < 0 && niov > 0 && (e = wasi_wait_ready(c, f, POLLOUT))) return e;
  ssize_t n = niov == 0 ? 0 : off >= 0 ? pwritev(f->host, iov, niov, off) : writev(f->host, iov, niov);
  if (n < 0) return wasi_errno(errno);
  c->stats.bytes_written += (uint64_t)n;
  if (f->kind == WASI_FD_FILE) c->files_written += (uint64_t)n;
  if (f->count != SIZE_MAX) c->counts[f->count].written += (uint64_t)n;
  wasi_put_u32(wasi_mem(c, outp, 4), (uint32_t)n);
  return 0;
}

static uint16_t do_write(wasi_ctx *c, exec_slot *a, int64_t off, uint64_t rights, const char *call,
                         uint32_t outp) {
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), rights, &e);
  if (!f) return e;
  if (f->kind == WASI_FD_DIR) return WASI_EISDIR;
  if (!(f->ops & POLICY_OP_WRITE)) {
    const char *name = f->guest ? f->guest : A32(0) == 1 ? "<stdout>" : "<stderr>";
    return wasi_deny(c, WASI_EACCES, call, name, "not granted write");
  }
  if (!wasi_mem(c, outp, 4)) return WASI_EFAULT;
  wasi_iovs v;
  if ((e = wasi_iovs_get(c, A32(1), A32(2), &v))) return e;
  e = write_iovs(c, f, &v, off, call, outp);
  wasi_iovs_free(&v);
  return e;
}

WASI_HOST(fd_read) { RET(do_read(WASI_CTX, a, -1, WASI_RIGHT(R_FD_READ), "fd_read", A32(3))); }
WASI_HOST(fd_write) { RET(do_write(WASI_CTX, a, -1, WASI_RIGHT(R_FD_WRITE), "fd_write", A32(3))); }

WASI_HOST(fd_pread) {
  if ((int64_t)A64(3) < 0) RET(WASI_EINVAL);
  RET(do_read(WASI_CTX, a, (int64_t)A64(3), WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_SEEK),
              "fd_pread", A32(4)));
}
WASI_HOST(fd_pwrite) {
  if ((int64_t)A64(3) < 0) RET(WASI_EINVAL);
  RET(do_write(WASI_CTX, a, (int64_t)A64(3), WASI_RIGHT(R_FD_WRITE) | WASI_RIGHT(R_FD_SEEK),
               "fd_pwrite", A32(4)));
}

WASI_HOST(fd_seek) {
  wasi_ctx *c = WASI_CTX;
  int64_t off = (int64_t)A64(1);
  uint32_t whence = A32(2);
  /* a pure position query needs only the tell right */
  uint64_t right = (off == 0 && whence == 1) ? WASI_RIGHT(R_FD_TELL) : WASI_RIGHT(R_FD_SEEK);
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), right, &e);
  if (!f) RET(e);
  if (whence > 2) RET(WASI_EINVAL);
  uint8_t *out = wasi_mem(c, A32(3), 8);
  if (!out) RET(WASI_EFAULT);
  if (f->kind == WASI_FD_DIR) RET(WASI_EBADF);
  static const int wh[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t r = lseek(f->host, off, wh[whence]);
  if (r < 0) RET(wasi_errno(errno));
  wasi_put_u64(out, (uint64_t)r);
  RET(0);
}

WASI_HOST(fd_tell) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_TELL), &e);
  if (!f) RET(e);
  uint8_t *out = wasi_mem(c, A32(1), 8);
  if (!out) RET(WASI_EFAULT);
  off_t r = lseek(f->host, 0, SEEK_CUR);
  if (r < 0) RET(wasi_errno(errno));
  wasi_put_u64(out, (uint64_t)r);
  RET(0);
}

WASI_HOST(fd_close) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), 0, &e);
  if (!f) RET(e);
  wasi_fd_release(c, f);
  RET(0);
}

WASI_HOST(fd_sync) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_SYNC), &e);
  if (!f) RET(e);
  RET(fsync(f->host) == 0 ? 0 : wasi_errno(errno));
}

WASI_HOST(fd_datasync) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_DATASYNC), &e);
  if (!f) RET(e);
  RET(fdatasync(f->host) == 0 ? 0 : wasi_errno(errno));
}

WASI_HOST(fd_advise) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_ADVISE), &e);
  if (!f) RET(e);
  static const int adv[6] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                             POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (A32(3) > 5) RET(WASI_EINVAL);
  if (f->kind == WASI_FD_DIR) RET(WASI_EBADF);
  int r = posix_fadvise(f->host, (off_t)A64(1), (off_t)A64(2), adv[A32(3)]);
  RET(wasi_errno(r));
}

/* Refuses `bytes` more than max_write_total has left (set-size growth and allocation
 * count as written bytes, so no sparse or preallocated file escapes the total). */
static uint16_t charge_total(wasi_ctx *c, const wasi_fd *f, const char *call, uint64_t bytes) {
  uint64_t tot = c->pol->max_write_total;
  if (tot == POLICY_UNLIMITED || bytes == 0) return 0;
  uint64_t left = c->files_written >= tot ? 0 : tot - c->files_written;
  if (bytes <= left) return 0;
  return wasi_deny(c, WASI_EACCES, call, f->guest, "%llu bytes beyond the write total (%llu left)",
                   (unsigned long long)bytes, (unsigned long long)left);
}

WASI_HOST(fd_allocate) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_ALLOCATE), &e);
  if (!f) RET(e);
  if (f->kind == WASI_FD_DIR) RET(WASI_EBADF);
  uint64_t off = A64(1), len = A64(2);
  if (off > INT64_MAX || len > INT64_MAX || off + len > INT64_MAX) RET(WASI_EINVAL);
  if ((e = wasi_fd_check(c, f, "fd_allocate", POLICY_OP_WRITE))) RET(e);
  if (f->max_write != POLICY_UNLIMITED && off + len > f->max_write)
    RET(wasi_deny(c, WASI_EACCES, "fd_allocate", f->guest, "beyond the write limit"));
  /* the whole range counts as written: it is what the disk may have to hold */
  if ((e = charge_total(c, f, "fd_allocate", len))) RET(e);
  int r = posix_fallocate(f->host, (off_t)off, (off_t)len);
  if (r == 0) c->files_written += len;
  RET(wasi_errno(r));
}

WASI_HOST(fd_fdstat_get) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), 0, &e);
  if (!f) RET(e);
  uint8_t *b = wasi_mem(c, A32(1), 24);
  if (!b) RET(WASI_EFAULT);
  uint16_t flags = f->fdflags;
  int fl = fcntl(f->host, F_GETFL);
  if (fl >= 0) {
    flags = (uint16_t)(flags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK));
    if (fl & O_APPEND) flags |= WASI_FDFLAG_APPEND;
    if (fl & O_NONBLOCK) flags |= WASI_FDFLAG_NONBLOCK;
  }
  memset(b, 0, 24);
  b[0] = f->filetype;
  wasi_put_u16(b + 2, flags);
  wasi_put_u64(b + 8, f->rights);
  wasi_put_u64(b + 16, f->inheriting);
  RET(0);
}

WASI_HOST(fd_fdstat_set_flags) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS), &e);
  if (!f) RET(e);
  uint32_t want = A32(1);
  if (want & ~0x1fu) RET(WASI_EINVAL);
  uint32_t sync = WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC;
  /* Linux cannot change the sync modes of an open file */
  if ((want & sync) != (f->fdflags & sync)) RET(WASI_ENOTSUP);
  int fl = fcntl(f->host, F_GETFL);
  if (fl < 0) RET(wasi_errno(errno));
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (want & WASI_FDFLAG_APPEND) fl |= O_APPEND;
  if (want & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
  if (fcntl(f->host, F_SETFL, fl) != 0) RET(wasi_errno(errno));
  f->fdflags = (uint16_t)want;
  RET(0);
}

WASI_HOST(fd_fdstat_set_rights) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), 0, &e);
  if (!f) RET(e);
  uint64_t base = A64(1), inh = A64(2);
  /* rights can only be dropped */
  if ((base & ~f->rights) || (inh & ~f->inheriting)) RET(WASI_ENOTCAPABLE);
  f->rights = base;
  f->inheriting = inh;
  RET(0);
}

WASI_HOST(fd_filestat_get) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_FILESTAT_GET), &e);
  if (!f) RET(e);
  uint8_t *b = wasi_mem(c, A32(1), 64);
  if (!b) RET(WASI_EFAULT);
  struct stat st;
  if (fstat(f->host, &st) != 0) RET(wasi_errno(errno));
  wasi_put_filestat(b, &st);
  if (f->kind == WASI_FD_STDIO || f->kind == WASI_FD_SOCKET) b[16] = f->filetype;
  RET(0);
}

WASI_HOST(fd_filestat_set_size) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_FILESTAT_SET_SIZE), &e);
  if (!f) RET(e);
  uint64_t size = A64(1);
  if (size > INT64_MAX) RET(WASI_EINVAL);
  if (f->kind != WASI_FD_FILE) RET(f->kind == WASI_FD_DIR ? WASI_EISDIR : WASI_EINVAL);
  if ((e = wasi_fd_check(c, f, "fd_filestat_set_size", POLICY_OP_WRITE))) RET(e);
  if (f->max_write != POLICY_UNLIMITED && size > f->max_write)
    RET(wasi_deny(c, WASI_EACCES, "fd_filestat_set_size", f->guest, "beyond the write limit"));
  struct stat st;
  if (fstat(f->host, &st) != 0) RET(wasi_errno(errno));
  uint64_t grow = size > (uint64_t)st.st_size ? size - (uint64_t)st.st_size : 0;
  if ((e = charge_total(c, f, "fd_filestat_set_size", grow))) RET(e);
  if (ftruncate(f->host, (off_t)size) != 0) RET(wasi_errno(errno));
  c->files_written += grow;
  RET(0);
}

WASI_HOST(fd_filestat_set_times) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_FILESTAT_SET_TIMES), &e);
  if (!f) RET(e);
  struct timespec ts[2];
  if ((e = wasi_times(A64(1), A64(2), A32(3), ts))) RET(e);
  if ((e = wasi_fd_check(c, f, "fd_filestat_set_times", POLICY_OP_WRITE))) RET(e);
  RET(futimens(f->host, ts) == 0 ? 0 : wasi_errno(errno));
}

WASI_HOST(fd_prestat_get) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), 0, &e);
  if (!f) RET(e);
  if (!f->is_preopen) RET(WASI_EBADF);
  uint8_t *b = wasi_mem(c, A32(1), 8);
  if (!b) RET(WASI_EFAULT);
  memset(b, 0, 8);
  wasi_put_u32(b + 4, (uint32_t)strlen(c->preopen_name[f->preopen]));
  RET(0);
}

WASI_HOST(fd_prestat_dir_name) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), 0, &e);
  if (!f) RET(e);
  if (!f->is_preopen) RET(WASI_EBADF);
  const char *name = c->preopen_name[f->preopen];
  size_t n = strlen(name);
  if (A32(2) < n) RET(WASI_ENAMETOOLONG);
  uint8_t *b = wasi_mem(c, A32(1), n);
  if (!b) RET(WASI_EFAULT);
  memcpy(b, name, n);
  RET(0);
}

WASI_HOST(fd_renumber) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *from = wasi_fd_get(c, A32(0), 0, &e);
  if (!from) RET(e);
  wasi_fd *to = wasi_fd_get(c, A32(1), 0, &e);
  if (!to) RET(e);
  if (from == to) RET(0);
  wasi_fd_release(c, to);
  *to = *from;
  memset(from, 0, sizeof *from);
  from->kind = WASI_FD_FREE;
  from->host = -1;
  RET(0);
}

/* ---------- fd_readdir ------------------------------------------------------------------ */

static uint16_t snapshot(wasi_fd *f) {
  for (size_t i = 0; i < f->nents; i++) free(f->ents[i].name);
  free(f->ents);
  f->ents = NULL;
  f->nents = 0;
  int dfd = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return wasi_errno(errno);
  DIR *d = fdopendir(dfd);
  if (!d) {
    int er = errno;
    close(dfd);
    return wasi_errno(er);
  }
  size_t cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    uint8_t t;
    switch (de->d_type) {
      case DT_REG: t = WASI_FILETYPE_REGULAR_FILE; break;
      case DT_DIR: t = WASI_FILETYPE_DIRECTORY; break;
      case DT_LNK: t = WASI_FILETYPE_SYMBOLIC_LINK; break;
      case DT_CHR: t = WASI_FILETYPE_CHARACTER_DEVICE; break;
      case DT_BLK: t = WASI_FILETYPE_BLOCK_DEVICE; break;
      case DT_SOCK: t = WASI_FILETYPE_SOCKET_STREAM; break;
      default: {
        struct stat st;
        t = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
                ? wasi_filetype_of(st.st_mode)
                : WASI_FILETYPE_UNKNOWN;
      }
    }
    wasi_dirent ent = {util_try_strdup(de->d_name), (uint64_t)de->d_ino, t};
    if (!ent.name || !UTIL_VEC_TRY_PUSH(f->ents, f->nents, cap, ent)) {
      /* no partial listing: the next call starts over */
      free(ent.name);
      closedir(d);
      for (size_t i = 0; i < f->nents; i++) free(f->ents[i].name);
      free(f->ents);
      f->ents = NULL;
      f->nents = 0;
      f->have_ents = false;
      return WASI_ENOMEM;
    }
  }
  closedir(d);
  f->have_ents = true;
  return 0;
}

WASI_HOST(fd_readdir) {
  wasi_ctx *c = WASI_CTX;
  uint16_t e;
  wasi_fd *f = wasi_fd_get(c, A32(0), WASI_RIGHT(R_FD_READDIR), &e);
  if (!f) RET(e);
  if (f->kind != WASI_FD_DIR) RET(WASI_ENOTDIR);
  uint32_t bufp = A32(1), buflen = A32(2), usedp = A32(4);
  uint64_t cookie = A64(3);
  if (!wasi_mem(c, bufp, buflen) || !wasi_mem(c, usedp, 4)) RET(WASI_EFAULT);
  if ((e = wasi_fd_check(c, f, "fd_readdir", POLICY_OP_LIST))) RET(e);
  /* cookie 0 starts a fresh listing; later cookies index the same snapshot, so a
   * listing stays consistent while the guest deletes what it reads */
  if (cookie == 0 || !f->have_ents)
    if ((e = snapshot(f))) RET(e);
  uint8_t *buf = wasi_mem(c, bufp, buflen);
  uint32_t used = 0;
  for (uint64_t i = cookie; i < f->nents && used < buflen; i++) {
    uint8_t hdr[24];
    size_t nl = strlen(f->ents[i].name);
    memset(hdr, 0, sizeof hdr);
    wasi_put_u64(hdr, i + 1);
    wasi_put_u64(hdr + 8, f->ents[i].ino);
    wasi_put_u32(hdr + 16, (uint32_t)nl);
    hdr[20] = f->ents[i].type;
    uint32_t k = buflen - used < 24 ? buflen - used : 24;
    memcpy(buf + used, hdr, k);
    used += k;
    if (used == buflen) break;
    k = (uint64_t)(buflen - used) < nl ? buflen - used : (uint32_t)nl;
    memcpy(buf + used, f->ents[i].name, k);
    used += k;
  }
  wasi_put_u32(wasi_mem(c, usedp, 4), used);
  RET(0);
}
