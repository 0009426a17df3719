/* Runs the registered unit-test groups (all, or those named as arguments). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

typedef struct {
  const char *name;
  unit_group_fn fn;
} unit_group;

static unit_group *groups;
static size_t ngroups, capgroups;
static unsigned long passed, failed;
static const char *current;

void unit_register(const char *name, unit_group_fn fn) {
  if (ngroups == capgroups) {
    capgroups = capgroups ? capgroups * 2 : 16;
    groups = realloc(groups, capgroups * sizeof *groups);
    if (!groups) abort();
  }
  groups[ngroups++] = (unit_group){name, fn};
}

bool unit_check(bool ok, const char *file, int line, const char *fmt, ...) {
  if (ok) {
    passed++;
    return true;
  }
  failed++;
  fprintf(stderr, "FAIL [%s] %s:%d: ", current, file, line);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return false;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const unit_group *)a)->name, ((const unit_group *)b)->name);
}

int main(int argc, char **argv) {
  qsort(groups, ngroups, sizeof *groups, by_name); /* constructor order is link order */
  for (size_t i = 0; i < ngroups; i++) {
    bool wanted = argc < 2;
    for (int a = 1; a < argc; a++) wanted |= strcmp(argv[a], groups[i].name) == 0;
    if (!wanted) continue;
    current = groups[i].name;
    unsigned long f0 = failed;
    groups[i].fn();
    if (failed == f0) fprintf(stderr, "ok   %s\n", current);
  }
  free(groups);
  printf("%lu passed, %lu failed\n", passed, failed);
  return failed ? 1 : 0;
}
