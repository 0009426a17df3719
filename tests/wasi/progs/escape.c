/* escapes: every one must fail with the right errno and leave the host untouched.
 * Runs with the preopen "sandbox"; the runner puts "secret" next to it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *ename(int e) {
  switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EACCES: return "EACCES";
    case ELOOP: return "ELOOP";
    case EPERM: return "EPERM";
    case EXDEV: return "EXDEV";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    default: return strerror(e);
  }
}

static void try_open(const char *path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  char buf[16] = {0};
  if (fd >= 0) {
    read(fd, buf, 15);
    close(fd);
  }
  printf("open %-28s %s%s%s\n", path, fd >= 0 ? "OPENED " : ename(errno), fd >= 0 ? buf : "", "");
}

static int raw_open(int dir, const char *path, int follow, int oflags) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, oflags,
                                      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (e == 0) __wasi_fd_close(fd);
  return e;
}

int main(void) {
  try_open("sandbox/../secret", O_RDONLY);
  try_open("sandbox/sub/../../secret", O_RDONLY);
  try_open("/etc/passwd", O_RDONLY);
  try_open("/proc/self/environ", O_RDONLY);
  try_open("sandbox/out_link", O_RDONLY);
  try_open("sandbox/abs_link", O_RDONLY);
  try_open("sandbox/up_link/secret", O_RDONLY);
  try_open("sandbox/chain_out", O_RDONLY);
  try_open("sandbox/proc_link/etc/passwd", O_RDONLY);
  try_open("sandbox/dangling_out", O_WRONLY | O_CREAT);
  try_open("sandbox/in_link", O_RDONLY);
  try_open("sandbox/chain_in", O_RDONLY);
  /* raw calls: what the libc would never send */
  int dir = 3;
  printf("raw ../secret %s\n", ename(raw_open(dir, "../secret", 1, 0)));
  printf("raw /etc/passwd %s\n", ename(raw_open(dir, "/etc/passwd", 1, 0)));
  printf("raw out_link nofollow %s\n", ename(raw_open(dir, "out_link", 0, 0)));
  printf("raw sub/../.. %s\n", ename(raw_open(dir, "sub/../..", 1, 0)));
  printf("raw create via out_link %s\n", ename(raw_open(dir, "dangling_out", 1, __WASI_OFLAGS_CREAT)));
  printf("raw mkdir ../made %s\n", ename(__wasi_path_create_directory(dir, "../made")));
  printf("raw mkdir up_link/made %s\n", ename(__wasi_path_create_directory(dir, "up_link/made")));
  printf("raw unlink ../secret %s\n", ename(__wasi_path_unlink_file(dir, "../secret")));
  printf("raw unlink up_link/secret %s\n", ename(__wasi_path_unlink_file(dir, "up_link/secret")));
  printf("raw rename in->../moved %s\n", ename(__wasi_path_rename(dir, "sub/data.txt", dir, "../moved")));
  printf("raw link ../secret %s\n", ename(__wasi_path_link(dir, 0, "../secret", dir, "hl")));
  printf("raw link follow out_link %s\n", ename(__wasi_path_link(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "out_link", dir, "hl2")));
  printf("raw symlink abs %s\n", ename(__wasi_path_symlink("/etc/passwd", dir, "newabs")));
  __wasi_filestat_t fs;
  printf("raw stat ../secret %s\n", ename(__wasi_path_filestat_get(dir, 0, "../secret", &fs)));
  printf("raw stat follow out_link %s\n", ename(__wasi_path_filestat_get(dir, 1, "out_link", &fs)));
  printf("raw set times follow out_link %s\n", ename(__wasi_path_filestat_set_times(dir, 1, "out_link", 0, 0, __WASI_FSTFLAGS_MTIM_NOW)));
  uint8_t buf[64];
  __wasi_size_t used;
  printf("raw readlink ../x %s\n", ename(__wasi_path_readlink(dir, "../secret", buf, sizeof buf, &used)));
  printf("raw readlink out_link %s\n", ename(__wasi_path_readlink(dir, "out_link", buf, sizeof buf, &used)));
  /* a symlink the guest makes that points out does not lead out */
  printf("raw symlink rel-out %s\n", ename(__wasi_path_symlink("../secret", dir, "made_out")));
  printf("raw open made_out %s\n", ename(raw_open(dir, "made_out", 1, 0)));
  /* race: the runner swaps sandbox/race between inside and outside */
  int leaked = 0, opened = 0;
  for (int i = 0; i < 3000; i++) {
    __wasi_fd_t fd;
    if (__wasi_path_open(dir, 1, "race", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd) == 0) {
      char b[16] = {0};
      __wasi_iovec_t iov = {(uint8_t *)b, 15};
      __wasi_size_t n;
      __wasi_fd_read(fd, &iov, 1, &n);
      if (strstr(b, "SECRET")) leaked++;
      opened++;
      __wasi_fd_close(fd);
    }
  }
  printf("race leaked %d (opened some: %d)\n", leaked, opened > 0);
  return 0;
}
