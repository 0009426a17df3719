/* policy probe: each argument is OP:PATH; prints the result of the operation.
 * OPs: read, write, append, create, mkdir, unlink, rmdir, list, stat, env, clock, random */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *res(int ok) { return ok ? "ok" : strerror(errno); }

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *op = argv[i], *path = strchr(op, ':');
    if (!path) continue;
    *path++ = 0;
    errno = 0;
    int ok = 0;
    if (!strcmp(op, "read")) {
      FILE *f = fopen(path, "r");
      char buf[4096];
      size_t n = 0, got;
      if (f) {
        while ((got = fread(buf, 1, sizeof buf, f)) > 0) n += got;
        ok = !ferror(f);
        fclose(f);
      }
      printf("read %s: %s (%zu bytes)\n", path, res(ok), n);
      continue;
    } else if (!strcmp(op, "write") || !strcmp(op, "append")) {
      int fd = open(path, O_WRONLY | (op[0] == 'a' ? O_APPEND : O_TRUNC));
      size_t total = 0;
      if (fd >= 0) {
        char buf[1000];
        memset(buf, 'x', sizeof buf);
        ssize_t w;
        ok = 1;
        for (int k = 0; k < 10; k++) {
          w = write(fd, buf, sizeof buf);
          if (w < 0) { ok = 0; break; }
          total += (size_t)w;
        }
        close(fd);
      }
      printf("%s %s: %s (%zu bytes)\n", op, path, res(ok), total);
      continue;
    } else if (!strcmp(op, "create")) {
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
      ok = fd >= 0;
      if (ok) close(fd);
    } else if (!strcmp(op, "mkdir")) ok = mkdir(path, 0755) == 0;
    else if (!strcmp(op, "unlink")) ok = unlink(path) == 0;
    else if (!strcmp(op, "rmdir")) ok = rmdir(path) == 0;
    else if (!strcmp(op, "list")) {
      DIR *d = opendir(path);
      int n = 0;
      if (d) {
        errno = 0;
        while (readdir(d)) n++;
        ok = errno == 0;
        closedir(d);
      }
    } else if (!strcmp(op, "stat")) {
      struct stat st;
      ok = stat(path, &st) == 0;
    } else if (!strcmp(op, "env")) {
      printf("env %s: %s\n", path, getenv(path) ? getenv(path) : "(unset)");
      continue;
    } else if (!strcmp(op, "clock")) {
      struct timespec ts;
      ok = clock_gettime(CLOCK_MONOTONIC, &ts) == 0;
    } else if (!strcmp(op, "openmany")) {
      int n = 0;
      for (int k = 0; k < 50; k++) if (open(path, O_RDONLY) >= 0) n++; else break;
      printf("openmany %s: %d opened (%s)\n", path, n, strerror(errno));
      continue;
    }
    printf("%s %s: %s\n", op, path, res(ok));
  }
  return 0;
}
