/* files: create, write, read, seek/tell, pread/pwrite, append, truncate, allocate, stat,
 * times, sync, advise, fdstat flags */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S "sandbox/"
static void check(const char *what, int ok) { printf("%s: %s%s%s\n", what, ok ? "ok" : "FAIL ", ok ? "" : strerror(errno), ""); }

int main(void) {
  int fd = open(S "f.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check("open", fd >= 0);
  check("write", write(fd, "hello, world\n", 13) == 13);
  check("tell", lseek(fd, 0, SEEK_CUR) == 13);
  check("seek set", lseek(fd, 7, SEEK_SET) == 7);
  char buf[64] = {0};
  check("read", read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);
  check("seek end", lseek(fd, -1, SEEK_END) == 12);
  check("pwrite", pwrite(fd, "HELLO", 5, 0) == 5);
  memset(buf, 0, sizeof buf);
  check("pread", pread(fd, buf, 13, 0) == 13 && strcmp(buf, "HELLO, world\n") == 0);
  check("pos after pread", lseek(fd, 0, SEEK_CUR) == 12);
  struct stat st;
  check("fstat", fstat(fd, &st) == 0 && st.st_size == 13 && S_ISREG(st.st_mode));
  check("ftruncate", ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
  check("fallocate", posix_fallocate(fd, 0, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100);
  check("ftruncate back", ftruncate(fd, 5) == 0);
  check("fsync", fsync(fd) == 0);
  check("fdatasync", fdatasync(fd) == 0);
  check("fadvise", posix_fadvise(fd, 0, 5, POSIX_FADV_SEQUENTIAL) == 0);
  struct timespec ts[2] = {{1000000, 5}, {2000000, 7}};
  check("futimens", futimens(fd, ts) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 2000000);
  check("close", close(fd) == 0);
  check("close again fails EBADF", close(fd) == -1 && errno == EBADF);
  /* append */
  fd = open(S "f.txt", O_WRONLY | O_APPEND);
  check("open append", fd >= 0);
  check("append write", write(fd, "++", 2) == 2);
  int fl = fcntl(fd, F_GETFL);
  check("append flag", (fl & O_APPEND) != 0);
  check("clear append", fcntl(fd, F_SETFL, fl & ~O_APPEND) == 0 && (fcntl(fd, F_GETFL) & O_APPEND) == 0);
  close(fd);
  FILE *f = fopen(S "f.txt", "r");
  memset(buf, 0, sizeof buf);
  check("content", f && fread(buf, 1, sizeof buf, f) == 7 && strcmp(buf, "HELLO++") == 0);
  if (f) fclose(f);
  /* stdio buffering with many lines */
  f = fopen(S "lines.txt", "w");
  for (int i = 0; i < 1000; i++) fprintf(f, "line %d\n", i);
  fclose(f);
  f = fopen(S "lines.txt", "r");
  int count = 0;
  while (fgets(buf, sizeof buf, f)) count++;
  fclose(f);
  printf("lines=%d\n", count);
  check("stat path", stat(S "lines.txt", &st) == 0 && st.st_size == 8890);
  check("utimensat", utimensat(AT_FDCWD, S "lines.txt", ts, 0) == 0 && stat(S "lines.txt", &st) == 0 && st.st_atim.tv_sec == 1000000);
  /* errors */
  check("O_EXCL on existing", open(S "f.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 && errno == EEXIST);
  check("missing", open(S "nope.txt", O_RDONLY) == -1 && errno == ENOENT);
  check("dir as file for write", open(S "sub", O_WRONLY) == -1 && errno == EISDIR);
  check("O_DIRECTORY on file", open(S "f.txt", O_RDONLY | O_DIRECTORY) == -1 && errno == ENOTDIR);
  check("read existing fixture", (f = fopen(S "sub/data.txt", "r")) != NULL && fgets(buf, sizeof buf, f) && strcmp(buf, "fixture data\n") == 0);
  if (f) fclose(f);
  return 0;
}
