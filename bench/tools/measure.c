/* measure: runs one command and reports its wall-clock time and peak memory.
 *
 *   measure [-r COUNT] [-i STDIN_FILE] [-o STDOUT_FILE] -- COMMAND [ARGS...]
 *
 * Prints one line to standard output: `WALL_MS MAXRSS_KB STATUS`, where STATUS is the
 * exit code, or 128+N when killed by signal N, or 127 when the command could not be run.
 * The command's standard output goes to STDOUT_FILE (default /dev/null); its standard
 * error is left alone. Wall time covers fork to reap, so it includes the process's own
 * start-up; peak memory is the child's ru_maxrss from wait4. With -r the command runs
 * COUNT times one after another (for start-up costs): the time is the total, the memory
 * the largest peak, the status the first non-zero one, the output the last run's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int usage(void) {
  fprintf(stderr, "usage: measure [-r COUNT] [-i STDIN_FILE] [-o STDOUT_FILE] -- COMMAND [ARGS...]\n");
  return 2;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  const char *in = NULL, *out = "/dev/null";
  long count = 1;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc) return usage();
    if (strcmp(argv[i], "-i") == 0) {
      in = argv[++i];
    } else if (strcmp(argv[i], "-r") == 0) {
      char *end;
      count = strtol(argv[++i], &end, 10);
      if (*end || count < 1 || count > 1000000) return usage();
    } else if (strcmp(argv[i], "-o") == 0) {
      out = argv[++i];
    } else {
      return usage();
    }
  }
  if (i >= argc) return usage();
  int in_fd = -1;
  if (in && (in_fd = open(in, O_RDONLY | O_CLOEXEC)) < 0) {
    fprintf(stderr, "measure: cannot open %s: %s\n", in, strerror(errno));
    return 2;
  }
  fflush(stdout);
  double start = now_ms();
  long peak = 0;
  int code = 0;
  for (long run = 0; run < count; run++) {
    int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      fprintf(stderr, "measure: cannot open %s: %s\n", out, strerror(errno));
      return 2;
    }
    if (in_fd >= 0 && lseek(in_fd, 0, SEEK_SET) < 0) {
      fprintf(stderr, "measure: cannot rewind %s: %s\n", in, strerror(errno));
      return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
      fprintf(stderr, "measure: fork: %s\n", strerror(errno));
      return 2;
    }
    if (pid == 0) {
      if (in_fd >= 0 && dup2(in_fd, 0) < 0) _exit(127);
      if (dup2(out_fd, 1) < 0) _exit(127);
      execvp(argv[i], argv + i);
      fprintf(stderr, "measure: cannot run %s: %s\n", argv[i], strerror(errno));
      _exit(127);
    }
    close(out_fd);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
      if (errno != EINTR) {
        fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
        return 2;
      }
    }
    int c = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 0) code = c;
    if (ru.ru_maxrss > peak) peak = ru.ru_maxrss;
  }
  double wall = now_ms() - start;
  printf("%.3f %ld %d\n", wall, peak, code);
  return 0;
}
