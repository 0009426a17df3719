/* alternate: runs several commands in turn, many rounds, and reports each one's median
 * wall-clock time and page faults, so that small differences in start-up cost can be
 * compared on a machine whose speed drifts (every round runs every command once, the
 * drift hits them alike).
 *
 *   alternate ROUNDS 'CMD ARGS...' ['CMD ARGS...' ...]
 *
 * Each command is one argument, split at spaces (no quoting); leading NAME=VALUE words
 * are set in its environment. Its standard output and standard error go to /dev/null.
 * Prints one line per command: `MEDIAN_US Q1_US Q3_US MEDIAN_FAULTS RATIO  COMMAND`,
 * where the faults are the child's minor page faults (wait4's ru_minflt, which counts the
 * fork's own too) and RATIO is its median over the first command's. Exits 1 when a
 * command could not be run or exited non-zero (its line then ends with `(exit N)`). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 64

typedef struct command {
  char *text;              /* as given, for the report */
  char *words[MAX_WORDS + 1];
  int nenv;                /* leading NAME=VALUE words */
  double *us;              /* one time per round */
  long *faults;
  int status;              /* the first non-zero exit status seen */
} command;

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int by_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static bool split(command *c) {
  char *copy = strdup(c->text);
  if (!copy) return false;
  int n = 0;
  for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
    if (n == MAX_WORDS) return false;
    c->words[n++] = w;
  }
  c->words[n] = NULL;
  c->nenv = 0;
  while (c->nenv < n && strchr(c->words[c->nenv], '=') && c->words[c->nenv][0] != '=') c->nenv++;
  return c->nenv < n;
}

/* One run: fork, exec, wait4; false when it could not be started. */
static bool run_once(command *c, int round) {
  double t0 = now_us();
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1), dup2(null, 2);
    for (int i = 0; i < c->nenv; i++) putenv(c->words[i]);
    execv(c->words[c->nenv], c->words + c->nenv);
    _exit(127);
  }
  int st;
  struct rusage ru;
  if (wait4(pid, &st, 0, &ru) != pid) return false;
  c->us[round] = now_us() - t0;
  c->faults[round] = ru.ru_minflt;
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (code && !c->status) c->status = code;
  return true;
}

int main(int argc, char **argv) {
  if (argc < 3 || atoi(argv[1]) < 1) {
    fprintf(stderr, "usage: alternate ROUNDS 'CMD ARGS...' ['CMD ARGS...' ...]\n");
    return 2;
  }
  int rounds = atoi(argv[1]), n = argc - 2;
  command *cs = calloc((size_t)n, sizeof *cs);
  if (!cs) return 2;
  for (int i = 0; i < n; i++) {
    cs[i].text = argv[2 + i];
    cs[i].us = calloc((size_t)rounds, sizeof *cs[i].us);
    cs[i].faults = calloc((size_t)rounds, sizeof *cs[i].faults);
    if (!cs[i].us || !cs[i].faults || !split(&cs[i])) {
      fprintf(stderr, "alternate: cannot use command '%s' (empty, or more than %d words)\n", cs[i].text, MAX_WORDS);
      return 2;
    }
  }
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < n; i++)
      if (!run_once(&cs[i], r)) {
        fprintf(stderr, "alternate: cannot run '%s'\n", cs[i].text);
        return 2;
      }
  int rc = 0;
  double base = 0;
  for (int i = 0; i < n; i++) {
    command *c = &cs[i];
    qsort(c->us, (size_t)rounds, sizeof *c->us, by_double);
    qsort(c->faults, (size_t)rounds, sizeof *c->faults, by_long);
    double med = c->us[rounds / 2];
    if (i == 0) base = med;
    printf("%8.0f %8.0f %8.0f %6ld %6.3f  %s", med, c->us[rounds / 4], c->us[rounds * 3 / 4], c->faults[rounds / 2],
           base > 0 ? med / base : 0.0, c->text);
    if (c->status) printf("  (exit %d)", c->status), rc = 1;
    printf("\n");
  }
  return rc;
}
