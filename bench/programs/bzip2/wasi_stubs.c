/* WASI preview1 has no file ownership or permission bits, so wasi-libc leaves out
 * fchmod and fchown. bzip2 calls them only to copy a file's attributes onto the file it
 * writes; the benchmark streams standard input to standard output, so they are never
 * reached there. Anywhere else they fail the way an unsupported call does. */
#include <errno.h>
#include <sys/types.h>

int fchmod(int fd, mode_t mode) {
  (void)fd, (void)mode;
  errno = ENOSYS;
  return -1;
}

int fchown(int fd, uid_t owner, gid_t group) {
  (void)fd, (void)owner, (void)group;
  errno = ENOSYS;
  return -1;
}
