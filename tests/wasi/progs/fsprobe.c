/* fsprobe: raw preview1 calls on the first preopen (fd 3), for the sandbox's finer rules
 * (tests/wasi/run.sh, "policy on the object touched"). Each argument is OP:ARG[:ARG];
 * every step prints the preview1 errno name it got, so a case's output says exactly
 * which call was refused. Paths are relative to the preopen.
 *
 *   read:P            open for reading, read to the end: bytes read
 *   write:P:N         open for writing (no truncation), write N bytes at the start
 *   trunc:P           open with O_TRUNC (write rights)
 *   creat:P           open with O_CREAT (write rights)
 *   readdir:P         open the directory, fd_readdir: entries seen
 *   times:P           open with set-times rights, fd_filestat_set_times(mtim = 1e18)
 *   setsize:P:N       fd_filestat_set_size(N) on a write fd
 *   alloc:P:N         fd_allocate(0, N) on a write fd
 *   pwappend:P:N      open with APPEND, fd_pwrite N bytes at offset 0 in 1000-byte calls
 *   rename:A:B        path_rename
 *   link:A:B          path_link (not following)
 *   size:P            path_filestat_get: the size (or the errno)
 *   mtime:P           path_filestat_get: whether mtim is 1e18
 *   dotopen:FD        path_open(FD, ".", O_DIRECTORY, rights = FD's own rights): the type
 *   deepread:N:D:F    opens D, then D inside it, N times (one fd each), then reads F there
 *   deepwrite:N:D:F   the same, then opens F for writing */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define R(x) ((uint64_t)1 << (x))
static const uint64_t RD = R(1) | R(2) | R(5) | R(21);             /* read seek tell filestat_get */
static const uint64_t WR = R(0) | R(2) | R(6) | R(8) | R(22) | R(21); /* datasync seek write allocate set_size */
static const uint64_t DIRRIGHTS = R(14) | R(13) | R(21) | R(18);  /* readdir path_open ... */
static const uint64_t TIMES = R(23);

static const char *en(__wasi_errno_t e) {
  switch (e) {
    case 0: return "ok";
    case __WASI_ERRNO_ACCES: return "EACCES";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_NAMETOOLONG: return "ENAMETOOLONG";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_FBIG: return "EFBIG";
    case __WASI_ERRNO_NOSPC: return "ENOSPC";
    case __WASI_ERRNO_BUSY: return "EBUSY";
    case __WASI_ERRNO_AGAIN: return "EAGAIN";
    default: {
      static char b[16];
      snprintf(b, sizeof b, "errno%d", e);
      return b;
    }
  }
}

static __wasi_errno_t op(__wasi_fd_t dir, const char *p, uint16_t oflags, uint64_t rights,
                         uint16_t fdflags, __wasi_fd_t *fd) {
  return __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, oflags, rights,
                          rights | DIRRIGHTS | RD | WR | TIMES, fdflags, fd);
}

static char buf[1000];

static void do_read(__wasi_fd_t fd, const char *what) {
  uint64_t total = 0;
  __wasi_errno_t e;
  for (;;) {
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
    __wasi_size_t n;
    e = __wasi_fd_read(fd, &iov, 1, &n);
    if (e || n == 0) break;
    total += n;
  }
  printf("%s: open ok, read %s (%llu bytes)\n", what, en(e), (unsigned long long)total);
}

static void do_write(__wasi_fd_t fd, const char *what, long n, int positional) {
  uint64_t total = 0;
  __wasi_errno_t e = 0;
  memset(buf, 'x', sizeof buf);
  while ((long)total < n) {
    __wasi_ciovec_t iov = {(const uint8_t *)buf, (size_t)(n - (long)total) < sizeof buf ? (size_t)(n - (long)total) : sizeof buf};
    __wasi_size_t w;
    e = positional ? __wasi_fd_pwrite(fd, &iov, 1, 0, &w) : __wasi_fd_write(fd, &iov, 1, &w);
    if (e) break;
    total += w;
  }
  printf("%s: open ok, write %s (%llu bytes)\n", what, en(e), (unsigned long long)total);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *o = argv[i], *a = strchr(o, ':'), *b = NULL;
    if (!a) continue;
    *a++ = 0;
    if ((b = strchr(a, ':')) != NULL) *b++ = 0;
    char what[300];
    snprintf(what, sizeof what, "%s %s%s%s", o, a, b ? " " : "", b ? b : "");
    __wasi_fd_t fd = 0;
    __wasi_errno_t e;
    if (!strcmp(o, "read")) {
      if ((e = op(3, a, 0, RD, 0, &fd))) { printf("%s: open %s\n", what, en(e)); continue; }
      do_read(fd, what);
    } else if (!strcmp(o, "write") || !strcmp(o, "pwappend")) {
      int app = o[0] == 'p';
      if ((e = op(3, a, 0, WR, app ? __WASI_FDFLAGS_APPEND : 0, &fd))) { printf("%s: open %s\n", what, en(e)); continue; }
      do_write(fd, what, atol(b), app);
    } else if (!strcmp(o, "trunc") || !strcmp(o, "creat")) {
      e = op(3, a, o[0] == 't' ? __WASI_OFLAGS_TRUNC : __WASI_OFLAGS_CREAT, WR, 0, &fd);
      printf("%s: %s\n", what, en(e));
    } else if (!strcmp(o, "readdir")) {
      if ((e = op(3, a, __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, &fd))) { printf("%s: open %s\n", what, en(e)); continue; }
      uint8_t d[4096];
      __wasi_size_t used = 0;
      e = __wasi_fd_readdir(fd, d, sizeof d, 0, &used);
      int n = 0;
      for (__wasi_size_t k = 0; !e && k + 24 <= used; n++) k += 24 + *(uint32_t *)(d + k + 16);
      printf("%s: open ok, readdir %s (%d entries)\n", what, en(e), n);
    } else if (!strcmp(o, "times")) {
      if ((e = op(3, a, 0, TIMES | RD, 0, &fd))) { printf("%s: open %s\n", what, en(e)); continue; }
      e = __wasi_fd_filestat_set_times(fd, 0, 1000000000000000000ull, __WASI_FSTFLAGS_MTIM);
      printf("%s: open ok, set_times %s\n", what, en(e));
    } else if (!strcmp(o, "setsize") || !strcmp(o, "alloc")) {
      if ((e = op(3, a, 0, WR, 0, &fd))) { printf("%s: open %s\n", what, en(e)); continue; }
      uint64_t n = strtoull(b, NULL, 0);
      e = o[0] == 's' ? __wasi_fd_filestat_set_size(fd, n) : __wasi_fd_allocate(fd, 0, n);
      printf("%s: open ok, %s\n", what, en(e));
    } else if (!strcmp(o, "rename")) {
      printf("%s: %s\n", what, en(__wasi_path_rename(3, a, 3, b)));
      continue;
    } else if (!strcmp(o, "link")) {
      printf("%s: %s\n", what, en(__wasi_path_link(3, 0, a, 3, b)));
      continue;
    } else if (!strcmp(o, "size") || !strcmp(o, "mtime")) {
      __wasi_filestat_t st;
      e = __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, a, &st);
      if (e) printf("%s: %s\n", what, en(e));
      else if (o[0] == 's') printf("%s: %llu\n", what, (unsigned long long)st.size);
      else printf("%s: %s\n", what, st.mtim == 1000000000000000000ull ? "changed" : "unchanged");
      continue;
    } else if (!strcmp(o, "dotopen")) {
      __wasi_fd_t from = (__wasi_fd_t)atoi(a);
      __wasi_fdstat_t fs;
      if ((e = __wasi_fd_fdstat_get(from, &fs))) { printf("%s: fdstat %s\n", what, en(e)); continue; }
      e = __wasi_path_open(from, 0, ".", __WASI_OFLAGS_DIRECTORY, fs.fs_rights_base,
                           fs.fs_rights_inheriting, 0, &fd);
      if (e) { printf("%s: %s\n", what, en(e)); continue; }
      __wasi_fdstat_t got;
      e = __wasi_fd_fdstat_get(fd, &got);
      uint8_t d[256];
      __wasi_size_t used = 0;
      __wasi_errno_t r = __wasi_fd_readdir(fd, d, sizeof d, 0, &used);
      printf("%s: ok, %s, readdir %s\n", what,
             !e && got.fs_filetype == __WASI_FILETYPE_DIRECTORY ? "a directory" : "not a directory", en(r));
    } else if (!strcmp(o, "deepread") || !strcmp(o, "deepwrite")) {
      char *c = strchr(b, ':');
      if (!c) continue;
      *c++ = 0;
      int n = atoi(a);
      __wasi_fd_t cur = 3;
      for (int k = 0; k < n; k++) {
        __wasi_fd_t next;
        if ((e = op(cur, b, __WASI_OFLAGS_DIRECTORY, DIRRIGHTS, 0, &next))) { printf("%s: level %d %s\n", o, k, en(e)); break; }
        cur = next;
      }
      if (e) continue;
      if (o[4] == 'r') {
        if ((e = __wasi_path_open(cur, 0, c, 0, RD, 0, 0, &fd))) { printf("%s %d %s: open %s\n", o, n, c, en(e)); continue; }
        uint64_t total = 0;
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
        __wasi_size_t got = 0;
        e = __wasi_fd_read(fd, &iov, 1, &got);
        total += got;
        printf("%s %d %s: open ok, read %s (%llu bytes)\n", o, n, c, en(e), (unsigned long long)total);
      } else {
        e = __wasi_path_open(cur, 0, c, __WASI_OFLAGS_TRUNC, WR, 0, 0, &fd);
        printf("%s %d %s: %s\n", o, n, c, en(e));
      }
      continue;
    } else {
      printf("%s: unknown op\n", what);
      continue;
    }
    if (fd > 3) (void)__wasi_fd_close(fd);
  }
  return 0;
}
