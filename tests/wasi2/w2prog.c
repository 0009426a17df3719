/* The guest of tests/wasi2/run.sh: one program, one mode per run (the first argument),
 * built with wasi-libc for wasm32-wasi and run three ways (as a preview1 core module, and
 * as a WASI 0.2 component under weld and under Node.js). It prints only what every way
 * must agree on. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A refusal by the sandbox or the policy reads the same, whichever ABI carried it. */
static const char *why(int e) {
  if (e == EACCES || e == ENOTCAPABLE || e == EPERM) return "denied";
  if (e == ENOENT) return "no-entry";
  if (e == EEXIST) return "exists";
  if (e == ENOTDIR) return "not-directory";
  if (e == EISDIR) return "is-directory";
  if (e == ENOTEMPTY) return "not-empty";
  return strerror(e);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, why(errno));
    return;
  }
  char *names[256];
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < 256) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    names[n] = malloc(strlen(de->d_name) + 3);
    sprintf(names[n], "%s%s", de->d_name, de->d_type == DT_DIR ? "/" : "");
    n++;
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof *names, cmp);
  printf("list %s:", path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}

static uint32_t sum(const unsigned char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static void show_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("read %s: %s\n", path, why(errno));
    return;
  }
  static unsigned char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  printf("read %s: %zu bytes, fnv %08x", path, n, sum(buf, n));
  if (n < 64) printf(" \"%.*s\"", (int)n, buf);
  printf("\n");
}

static int files(void) {
  show_file("data/a.txt");
  /* a larger write than one stream call carries */
  FILE *f = fopen("data/b.txt", "wb");
  if (!f) return printf("create data/b.txt: %s\n", why(errno)), 1;
  for (int i = 0; i < 20000; i++) fprintf(f, "line %05d\n", i);
  fclose(f);
  show_file("data/b.txt");
  f = fopen("data/b.txt", "ab");
  fputs("appended\n", f);
  fclose(f);
  struct stat st;
  if (stat("data/b.txt", &st) == 0) printf("stat data/b.txt: size %lld, %s\n", (long long)st.st_size,
                                          S_ISREG(st.st_mode) ? "regular" : "other");
  int fd = open("data/b.txt", O_RDONLY);
  char small[12] = {0};
  if (fd >= 0 && pread(fd, small, 10, 110) == 10) printf("pread at 110: \"%.10s\"\n", small);
  if (fd >= 0 && lseek(fd, -9, SEEK_END) >= 0 && read(fd, small, 8) == 8) printf("tail: \"%.8s\"\n", small);
  if (fd >= 0) close(fd);
  printf("mkdir data/sub: %s\n", mkdir("data/sub", 0755) == 0 ? "ok" : why(errno));
  printf("mkdir data/sub again: %s\n", mkdir("data/sub", 0755) == 0 ? "ok" : why(errno));
  printf("rename b.txt -> sub/c.txt: %s\n", rename("data/b.txt", "data/sub/c.txt") == 0 ? "ok" : why(errno));
  list("data");
  list("data/sub");
  /* a directory opened and used as the base of further calls */
  int dir = open("data/sub", O_RDONLY | O_DIRECTORY);
  printf("open data/sub as a directory: %s\n", dir >= 0 ? "ok" : why(errno));
  if (dir >= 0) {
    int g = openat(dir, "d.txt", O_CREAT | O_WRONLY | O_EXCL, 0644);
    printf("openat sub, d.txt: %s\n", g >= 0 ? "ok" : why(errno));
    if (g >= 0) {
      printf("write through it: %zd\n", write(g, "via the directory\n", 18));
      close(g);
    }
    printf("fstatat sub, d.txt: %s\n", fstatat(dir, "d.txt", &st, 0) == 0 && st.st_size == 18 ? "18 bytes" : why(errno));
    list("data/sub");
    printf("unlinkat sub, d.txt: %s\n", unlinkat(dir, "d.txt", 0) == 0 ? "ok" : why(errno));
    close(dir);
  }
  printf("stat data/b.txt: %s\n", stat("data/b.txt", &st) == 0 ? "exists" : why(errno));
  printf("rmdir data/sub (not empty): %s\n", rmdir("data/sub") == 0 ? "ok" : why(errno));
  printf("unlink data/sub/c.txt: %s\n", unlink("data/sub/c.txt") == 0 ? "ok" : why(errno));
  printf("rmdir data/sub: %s\n", rmdir("data/sub") == 0 ? "ok" : why(errno));
  printf("unlink data/missing: %s\n", unlink("data/missing") == 0 ? "ok" : why(errno));
  printf("open data/a.txt/x: %s\n", open("data/a.txt/x", O_RDONLY) >= 0 ? "ok" : why(errno));
  list("data");
  return 0;
}

/* What the sandbox and the policy refuse (run with data/ granted read-only, a secret
 * beside it and a symlink inside pointing out). */
static int deny(void) {
  show_file("data/a.txt");
  show_file("data/../secret.txt");
  show_file("data/escape");
  show_file("data/inner");
  FILE *f = fopen("data/new.txt", "w");
  printf("create data/new.txt: %s\n", f ? "ok" : why(errno));
  if (f) fclose(f);
  f = fopen("data/a.txt", "a");
  printf("append data/a.txt: %s\n", f ? "ok" : why(errno));
  if (f) fclose(f);
  printf("unlink data/a.txt: %s\n", unlink("data/a.txt") == 0 ? "ok" : why(errno));
  printf("mkdir data/d: %s\n", mkdir("data/d", 0755) == 0 ? "ok" : why(errno));
  list("data");
  show_file("data/a.txt");
  return 0;
}

/* Opens and closes the same file many times: under a policy's max_open_files, only a
 * host that closes what the guest drops gets through. */
static int reopen(void) {
  int n = 0;
  for (int i = 0; i < 50; i++) {
    FILE *f = fopen("data/a.txt", "r");
    if (!f) {
      printf("open %d: %s\n", i, why(errno));
      break;
    }
    char c;
    n += fread(&c, 1, 1, f) == 1;
    fclose(f);
  }
  printf("%d opens and reads\n", n);
  return 0;
}

static int64_t ns(clockid_t c) {
  struct timespec ts;
  if (clock_gettime(c, &ts) != 0) return -1;
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int clocks(void) {
  int64_t wall = ns(CLOCK_REALTIME);
  printf("realtime after 2020: %s\n", wall > 1577836800ll * 1000000000ll ? "yes" : "no");
  int64_t t1 = ns(CLOCK_MONOTONIC);
  struct timespec d = {0, 30 * 1000000};
  int r = nanosleep(&d, NULL);
  int64_t t2 = ns(CLOCK_MONOTONIC);
  printf("nanosleep: %d, monotonic advanced at least 30 ms: %s\n", r, t2 - t1 >= 30000000 ? "yes" : "no");
  struct timespec res;
  printf("resolution: %s\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec || res.tv_nsec) ? "ok" : "none");
  time_t now = time(NULL);
  printf("time(): %s\n", now > 1577836800 ? "ok" : "wrong");
  return 0;
}

static int randomness(void) {
  unsigned char a[32], b[32];
  if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) return printf("getentropy: %s\n", why(errno)), 1;
  int zero = 1;
  for (size_t i = 0; i < sizeof a; i++) zero &= a[i] == 0;
  printf("getentropy: %s\n", !zero && memcmp(a, b, sizeof a) != 0 ? "two different non-zero draws" : "suspicious");
  uint32_t x = arc4random();
  (void)x;
  printf("arc4random: ok\n");
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "args") == 0) {
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
  }
  if (strcmp(mode, "tty") == 0) { /* isatty() of stdio, on stdout or (tty err) stderr */
    int fd = argc > 2 && strcmp(argv[2], "err") == 0 ? 2 : 1;
    dprintf(fd, "isatty: stdin %d stdout %d stderr %d\n", isatty(0), isatty(1), isatty(2));
    return 0;
  }
  if (strcmp(mode, "env") == 0) {
    const char *a = getenv("W2_A"), *m = getenv("W2_MISSING");
    printf("W2_A=%s\nW2_MISSING=%s\n", a ? a : "(unset)", m ? m : "(unset)");
    int n = 0;
    for (char **e = environ; *e; e++) n += strncmp(*e, "W2_", 3) == 0;
    printf("W2_* variables: %d\n", n);
    return 0;
  }
  if (strcmp(mode, "exit") == 0) {
    printf("exiting with %s\n", argc > 2 ? argv[2] : "0");
    fflush(stdout);
    exit(argc > 2 ? atoi(argv[2]) : 0);
  }
  if (strcmp(mode, "cat") == 0) {
    static char buf[8192];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) total += fwrite(buf, 1, n, stdout);
    fprintf(stderr, "cat: %zu bytes\n", total);
    return 0;
  }
  if (strcmp(mode, "files") == 0) return files();
  if (strcmp(mode, "deny") == 0) return deny();
  if (strcmp(mode, "reopen") == 0) return reopen();
  if (strcmp(mode, "clocks") == 0) return clocks();
  if (strcmp(mode, "random") == 0) return randomness();
  fprintf(stderr, "w2prog: unknown mode '%s'\n", mode);
  return 2;
}
