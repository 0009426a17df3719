/* wasi/sandbox: resolution beneath a directory, with openat2 and with the fallback walk. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "wasi/sandbox.h"

static char top[256];

static void put(const char *rel, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", top, rel);
  FILE *f = fopen(p, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static void link_(const char *target, const char *rel) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", top, rel);
  if (symlink(target, p) != 0) perror("symlink");
}

static void build_tree(void) {
  snprintf(top, sizeof top, "/tmp/weld-sandbox-XXXXXX");
  if (!mkdtemp(top)) return;
  char p[512];
  snprintf(p, sizeof p, "%s/root", top);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/root/a", top);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/root/a/b", top);
  mkdir(p, 0755);
  put("secret", "outside");
  put("root/a/file", "inside");
  link_("a/file", "root/in");
  link_("../secret", "root/out");
  link_("/etc/passwd", "root/abs");
  link_("nothere", "root/dangling");
  link_("chain2", "root/chain1");
  link_("a/../in", "root/chain2");
  link_("loop2", "root/loop1");
  link_("loop1", "root/loop2");
  link_("..", "root/up");
  link_("../../secret", "root/a/deepout");
  link_("../file", "root/a/b/rel");
  link_("/proc/self/root", "root/procroot");
  /* the link the race swaps exists before the swapper starts, so no open finds nothing */
  link_("a/file", "root/race");
}

static void rm_tree(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", top);
}

static int open_rd(int dfd, const char *path, bool follow, char *buf, size_t n) {
  int fd;
  int rc = wasi_sandbox_open(dfd, path, O_RDONLY, 0, follow, &fd);
  if (rc) return rc;
  ssize_t r = read(fd, buf, n - 1);
  buf[r > 0 ? r : 0] = 0;
  close(fd);
  return 0;
}

typedef struct swapper {
  char dir[512];
  atomic_bool stop;
  atomic_uint flips; /* swaps done so far */
} swapper;

/* Flips root/race between a link inside and a link outside as fast as it can. */
static void *swap_links(void *arg) {
  swapper *s = arg;
  char tmp[600], dst[600];
  snprintf(dst, sizeof dst, "%s/race", s->dir);
  for (unsigned i = 0; !atomic_load(&s->stop); i++) {
    snprintf(tmp, sizeof tmp, "%s/race.tmp", s->dir);
    unlink(tmp);
    if (symlink(i & 1 ? "../secret" : "a/file", tmp) == 0) rename(tmp, dst);
    atomic_fetch_add(&s->flips, 1);
  }
  return NULL;
}

static void run_cases(const char *mode) {
  char p[512], buf[64];
  snprintf(p, sizeof p, "%s/root", top);
  int dfd = open(p, O_RDONLY | O_DIRECTORY);
  if (!unit_check(dfd >= 0, __FILE__, __LINE__, "open root (%s)", mode)) return;

  CHECK_EQ_I64(open_rd(dfd, "a/file", true, buf, sizeof buf), 0);
  CHECK_STR(buf, "inside");
  CHECK_EQ_I64(open_rd(dfd, "in", true, buf, sizeof buf), 0);
  CHECK_STR(buf, "inside");
  CHECK_EQ_I64(open_rd(dfd, "chain1", true, buf, sizeof buf), 0);
  CHECK_STR(buf, "inside");
  CHECK_EQ_I64(open_rd(dfd, "a/b/rel", true, buf, sizeof buf), 0);
  CHECK_STR(buf, "inside");
  CHECK_EQ_I64(open_rd(dfd, "a/b/../../a/./file", true, buf, sizeof buf), 0);
  CHECK_STR(buf, "inside");
  /* escapes */
  CHECK_EQ_I64(open_rd(dfd, "../secret", true, buf, sizeof buf), EXDEV);
  CHECK_EQ_I64(open_rd(dfd, "a/../../secret", true, buf, sizeof buf), EXDEV);
  CHECK_EQ_I64(open_rd(dfd, "/etc/passwd", true, buf, sizeof buf), EXDEV);
  CHECK_EQ_I64(open_rd(dfd, "out", true, buf, sizeof buf), EXDEV);
  CHECK_EQ_I64(open_rd(dfd, "abs", true, buf, sizeof buf), EXDEV);
  CHECK_EQ_I64(open_rd(dfd, "up/secret", true, buf, sizeof buf), EXDEV);
  CHECK_EQ_I64(open_rd(dfd, "a/deepout", true, buf, sizeof buf), EXDEV);
  int r = open_rd(dfd, "procroot/etc/passwd", true, buf, sizeof buf);
  CHECK(r == EXDEV || r == ELOOP);
  /* not following the last component */
  CHECK_EQ_I64(open_rd(dfd, "in", false, buf, sizeof buf), ELOOP);
  CHECK_EQ_I64(open_rd(dfd, "out", false, buf, sizeof buf), ELOOP);
  CHECK_EQ_I64(open_rd(dfd, "dangling", true, buf, sizeof buf), ENOENT);
  CHECK_EQ_I64(open_rd(dfd, "loop1", true, buf, sizeof buf), ELOOP);
  CHECK_EQ_I64(open_rd(dfd, "a/file/x", true, buf, sizeof buf), ENOTDIR);
  CHECK_EQ_I64(open_rd(dfd, "", true, buf, sizeof buf), ENOENT);
  /* creating through a dangling link beneath creates its target beneath */
  int fd;
  CHECK_EQ_I64(wasi_sandbox_open(dfd, "dangling", O_WRONLY | O_CREAT, 0644, true, &fd), 0);
  if (fd >= 0) close(fd);
  snprintf(p, sizeof p, "%s/root/nothere", top);
  CHECK(access(p, F_OK) == 0);
  unlink(p);
  /* creating through a link that leaves creates nothing outside */
  link_("../created", "root/mk");
  CHECK_EQ_I64(wasi_sandbox_open(dfd, "mk", O_WRONLY | O_CREAT, 0644, true, &fd), EXDEV);
  snprintf(p, sizeof p, "%s/created", top);
  CHECK(access(p, F_OK) != 0);
  snprintf(p, sizeof p, "%s/root/mk", top);
  unlink(p);
  /* O_PATH without follow opens the link itself */
  CHECK_EQ_I64(wasi_sandbox_open(dfd, "out", O_PATH, 0, false, &fd), 0);
  if (fd >= 0) {
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
    close(fd);
  }
  /* parents */
  int par;
  const char *base;
  char *cbuf;
  bool slash;
  CHECK_EQ_I64(wasi_sandbox_parent(dfd, "a/b/newname/", &par, &base, &cbuf, &slash), 0);
  CHECK_STR(base, "newname");
  CHECK(slash);
  if (par >= 0) close(par);
  free(cbuf);
  CHECK_EQ_I64(wasi_sandbox_parent(dfd, "up/x", &par, &base, &cbuf, &slash), EXDEV);
  CHECK_EQ_I64(wasi_sandbox_parent(dfd, "..", &par, &base, &cbuf, &slash), EXDEV);
  CHECK_EQ_I64(wasi_sandbox_parent(dfd, "out/x", &par, &base, &cbuf, &slash), EXDEV);
  CHECK_EQ_I64(wasi_sandbox_parent(dfd, "a/..", &par, &base, &cbuf, &slash), 0);
  CHECK_STR(base, "..");
  if (par >= 0) close(par);
  free(cbuf);

  /* a link swapped between inside and outside while opening: never the secret */
  swapper s;
  snprintf(s.dir, sizeof s.dir, "%s/root", top);
  atomic_store(&s.stop, false);
  atomic_store(&s.flips, 0);
  pthread_t th;
  pthread_create(&th, NULL, swap_links, &s);
  while (atomic_load(&s.flips) < 2) sched_yield();
  /* Every open either reads the file inside (the link pointed in) or is refused as an
   * escape (it pointed out); anything else — another error, or no open succeeding at
   * all — means the loop tested nothing. */
  int leaked = 0, ok = 0, refused = 0, other = 0, other_rc = 0;
  /* until both outcomes were seen often (the swapper may be descheduled for a while on a
   * busy machine), with a bound on the opens, not on time */
  for (int i = 0; i < 2000000 && (ok < 300 || refused < 300); i++) {
    int rc = open_rd(dfd, "race", true, buf, sizeof buf);
    if (rc == 0 && strcmp(buf, "outside") == 0) leaked++;
    else if (rc == 0 && strcmp(buf, "inside") == 0) ok++;
    else if (rc == EXDEV) refused++;
    else other++, other_rc = rc;
  }
  atomic_store(&s.stop, true);
  pthread_join(th, NULL);
  CHECK_EQ_I64(leaked, 0);
  unit_check(ok > 0 && refused > 0, __FILE__, __LINE__,
             "the race was not exercised (%s): %d opens inside, %d refused, %d other", mode, ok, refused,
             other);
  unit_check(other == 0, __FILE__, __LINE__, "%d opens failed otherwise (last: %s) (%s)", other,
             strerror(other_rc), mode);
  /* with the swapper stopped the link is settled: it must open or be refused */
  int last = open_rd(dfd, "race", true, buf, sizeof buf);
  CHECK(last == 0 || last == EXDEV);
  close(dfd);
}

UNIT_GROUP(wasi_sandbox) {
  build_tree();
  run_cases("openat2");
  bool was = wasi_sandbox_force_walk(true);
  CHECK(!wasi_sandbox_uses_openat2());
  run_cases("walk");
  wasi_sandbox_force_walk(was);
  rm_tree();
}
