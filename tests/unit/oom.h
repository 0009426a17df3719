/* The driver the oom group's scenarios share (test_oom_services.c, test_oom_capi.c): a
 * scenario runs once per allocation it makes, with that allocation failing. */
#ifndef WELD_TESTS_OOM_H
#define WELD_TESTS_OOM_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "util/util.h"

/* What one run of a scenario came to. */
enum { RUN_OK = 1, RUN_OOM = 0, RUN_BAD = -1 };

typedef struct scenario {
  const char *name;
  void (*setup)(void *ctx);    /* before the run, outside the count (may be NULL) */
  int (*run)(void *ctx);       /* RUN_OK, RUN_OOM or RUN_BAD (printing why) */
  void (*teardown)(void *ctx); /* after it (may be NULL) */
  bool silent_ok;              /* a failure may be absorbed (the run then succeeds) */
} scenario;

static inline int oom_one(const scenario *sc, void *ctx, unsigned long fail_at, unsigned long *made) {
  if (sc->setup) sc->setup(ctx);
  util_alloc_fail_at(fail_at);
  int r = sc->run(ctx);
  *made = util_alloc_fail_at(0);
  if (sc->teardown) sc->teardown(ctx);
  return r;
}

static inline void each_allocation(const scenario *sc, void *ctx) {
  unsigned long total;
  if (!CHECK(oom_one(sc, ctx, 0, &total) == RUN_OK)) {
    fprintf(stderr, "oom %s: the scenario fails without any injected failure\n", sc->name);
    return;
  }
  unsigned long n = 1, failed = 0, silent = 0, bad = 0;
  bool finished = false;
  for (; n < 1000000; n++) {
    unsigned long made;
    int r = oom_one(sc, ctx, n, &made);
    if (made < n) { /* nothing was failed: the run must have worked */
      finished = true;
      if (!CHECK(r == RUN_OK)) fprintf(stderr, "oom %s: fails with no failure injected\n", sc->name);
      break;
    }
    if (r == RUN_OOM) failed++;
    else if (r == RUN_OK) silent++;
    else bad++, fprintf(stderr, "oom %s: allocation %lu failed: not reported as out of memory\n", sc->name, n);
  }
  CHECK(finished);
  CHECK(failed > 0);
  CHECK_EQ_U64(bad, 0);
  if (!sc->silent_ok) CHECK_EQ_U64(silent, 0);
  fprintf(stderr, "oom %s: %lu allocations, each failed once (%lu reported out of memory, %lu absorbed)\n",
          sc->name, n - 1, failed, silent);
  unsigned long made;
  CHECK(oom_one(sc, ctx, 0, &made) == RUN_OK); /* and afterwards it works again */
}

static inline bool says_oom(const char *msg) { return msg && strstr(msg, "out of memory"); }

static inline bool write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return false;
  fputs(text, f);
  return fclose(f) == 0;
}

#endif
