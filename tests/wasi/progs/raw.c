/* preview1 calls libc does not reach directly: prestat, fd_renumber, rights, readdir with
 * cookies and a small buffer, poll_oneoff on clocks and fds, proc_raise, proc_exit */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int find_preopen(void) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) == 0) {
      char name[64] = {0};
      __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len);
      printf("preopen %d %s len %u\n", fd, name, (unsigned)ps.u.dir.pr_name_len);
      return fd;
    }
  }
  return -1;
}

int main(void) {
  int dir = find_preopen();
  __wasi_prestat_t ps;
  printf("prestat stdout: %d\n", __wasi_fd_prestat_get(1, &ps));
  printf("prestat bad: %d\n", __wasi_fd_prestat_get(99, &ps));
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, 0, "sub/data.txt", 0,
                                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &fd);
  printf("path_open: %d\n", e);
  __wasi_fdstat_t st;
  __wasi_fd_fdstat_get(fd, &st);
  printf("filetype %d\n", st.fs_filetype);
  printf("drop rights: %d\n", __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0));
  printf("regain rights: %d\n", __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0));
  __wasi_filesize_t pos;
  printf("seek without right: %d\n", __wasi_fd_seek(fd, 0, __WASI_WHENCE_END, &pos));
  __wasi_fd_t fd2;
  __wasi_path_open(dir, 0, "sub/data.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd2);
  printf("renumber: %d\n", __wasi_fd_renumber(fd, fd2));
  char buf[32] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, 7};
  __wasi_size_t n;
  printf("read renumbered: %d %.*s\n", __wasi_fd_read(fd2, &iov, 1, &n), (int)n, buf);
  printf("old fd closed: %d\n", __wasi_fd_close(fd));
  printf("renumber bad: %d\n", __wasi_fd_renumber(fd2, 77));
  __wasi_fd_close(fd2);
  /* readdir with cookies and a buffer smaller than one entry's name */
  __wasi_fd_t d;
  e = __wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &d);
  printf("open dir: %d\n", e);
  uint8_t rbuf[256];
  __wasi_dircookie_t cookie = 0;
  int names = 0;
  for (int guard = 0; guard < 100; guard++) {
    __wasi_size_t used;
    if (__wasi_fd_readdir(d, rbuf, 30, cookie, &used) != 0) break;
    if (used < 24) break;
    __wasi_dirent_t ent;
    memcpy(&ent, rbuf, sizeof ent);
    if (24 + ent.d_namlen > used) {
      /* truncated: read it again with room */
      __wasi_fd_readdir(d, rbuf, sizeof rbuf, cookie, &used);
      memcpy(&ent, rbuf, sizeof ent);
    }
    char nm[64] = {0};
    memcpy(nm, rbuf + 24, ent.d_namlen < 63 ? ent.d_namlen : 63);
    if (strcmp(nm, ".") && strcmp(nm, "..")) names++;
    cookie = ent.d_next;
  }
  printf("readdir names via cookies: %d\n", names);
  __wasi_fd_close(d);
  /* poll: stdout writable + a 10ms clock */
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 10000000;
  subs[1].userdata = 22;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[1].u.u.fd_write.file_descriptor = 1;
  __wasi_event_t ev[2];
  __wasi_size_t nev;
  e = __wasi_poll_oneoff(subs, ev, 2, &nev);
  printf("poll: %d first event userdata %llu type %d\n", e, (unsigned long long)ev[0].userdata, ev[0].type);
  e = __wasi_poll_oneoff(subs, ev, 1, &nev);
  printf("poll clock: %d n %lu userdata %llu\n", e, (unsigned long)nev, (unsigned long long)ev[0].userdata);
  printf("sched_yield: %d\n", __wasi_sched_yield());
  fflush(stdout);
  __wasi_proc_exit(3);
}
