/* directories, names and links: mkdir, readdir, rename, unlink, rmdir, symlink,
 * readlink, link, and their errors */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S "sandbox/"
static void check(const char *what, int ok) { printf("%s: %s%s\n", what, ok ? "ok" : "FAIL ", ok ? "" : strerror(errno)); }
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) { printf("opendir %s: %s\n", dir, strerror(errno)); return; }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("%s:", dir);
  for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
  printf("\n");
}

int main(void) {
  check("mkdir", mkdir(S "d1", 0755) == 0);
  check("mkdir again", mkdir(S "d1", 0755) == -1 && errno == EEXIST);
  check("mkdir nested missing", mkdir(S "nope/x", 0755) == -1 && errno == ENOENT);
  for (int i = 0; i < 150; i++) {
    char p[64];
    snprintf(p, sizeof p, S "d1/file-with-a-longish-name-%03d", i);
    int fd = open(p, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) close(fd);
  }
  DIR *d = opendir(S "d1");
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) n++;
  printf("entries with dots=%d\n", n);
  rewinddir(d);
  n = 0;
  while ((e = readdir(d))) n++;
  printf("after rewind=%d\n", n);
  closedir(d);
  check("rename file", rename(S "d1/file-with-a-longish-name-000", S "renamed") == 0);
  check("rename dir", rename(S "d1", S "d2") == 0);
  check("rename missing", rename(S "nope", S "x") == -1 && errno == ENOENT);
  check("rmdir non-empty", rmdir(S "d2") == -1 && errno == ENOTEMPTY);
  for (int i = 1; i < 150; i++) {
    char p[64];
    snprintf(p, sizeof p, S "d2/file-with-a-longish-name-%03d", i);
    if (unlink(p) != 0) printf("unlink %d: %s\n", i, strerror(errno));
  }
  check("rmdir", rmdir(S "d2") == 0);
  check("unlink missing", unlink(S "d2") == -1 && errno == ENOENT);
  check("symlink", symlink("renamed", S "ln") == 0);
  char buf[64] = {0};
  check("readlink", readlink(S "ln", buf, sizeof buf) == 7 && strcmp(buf, "renamed") == 0);
  struct stat st;
  check("lstat link", lstat(S "ln", &st) == 0 && S_ISLNK(st.st_mode));
  check("stat through link", stat(S "ln", &st) == 0 && S_ISREG(st.st_mode));
  check("readlink of file", readlink(S "renamed", buf, sizeof buf) == -1 && errno == EINVAL);
  check("hard link", link(S "renamed", S "hard") == 0 && stat(S "hard", &st) == 0 && st.st_nlink == 2);
  check("unlink link", unlink(S "ln") == 0 && unlink(S "hard") == 0);
  check("unlink dir", unlink(S "sub") == -1 && (errno == EISDIR || errno == EPERM));
  check("rmdir file", rmdir(S "renamed") == -1 && errno == ENOTDIR);
  check("dangling symlink stat", symlink("nowhere", S "dang") == 0 && stat(S "dang", &st) == -1 && errno == ENOENT);
  check("lstat dangling", lstat(S "dang", &st) == 0);
  list(S);
  list(S "sub");
  return 0;
}
