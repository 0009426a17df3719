/* measure: runs one command and reports its wall-clock time and peak memory.
 *
 *   measure [-r COUNT] [-t] [-i STDIN_FILE] [-o STDOUT_FILE] -- COMMAND [ARGS...]
 *
 * Prints one line to standard output: `WALL_MS MAXRSS_KB STATUS`, where STATUS is the
 * exit code, or 128+N when killed by signal N, or 127 when the command could not be run.
 * The command's standard output goes to STDOUT_FILE (default /dev/null); its standard
 * error is left alone. Wall time covers fork to reap, so it includes the process's own
 * start-up; peak memory is the child's ru_maxrss from wait4. With -r the command runs
 * COUNT times one after another (for start-up costs): the time is the total, the memory
 * the largest peak, the status the first non-zero one, the output the last run's.
 *
 * With -t the command's standard output is a pseudo-terminal in raw mode (so a C library
 * flushes it line by line, as for a user at a terminal, and no byte is changed) whose
 * bytes go on to STDOUT_FILE, and the line gets a fourth and a fifth field, FIRST_MS and
 * SECOND_MS: the time from fork to the first byte of output and to the first byte of its
 * second line (of the last run), or -1 when it wrote none. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int usage(void) {
  fprintf(stderr, "usage: measure [-r COUNT] [-t] [-i STDIN_FILE] [-o STDOUT_FILE] -- COMMAND [ARGS...]\n");
  return 2;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A pseudo-terminal pair, the slave in raw mode, both close-on-exec (the child gets the
 * slave through dup2). */
static int open_pty(int *master, int *slave) {
  int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
    fprintf(stderr, "measure: no pseudo-terminal: %s\n", strerror(errno));
    return -1;
  }
  const char *name = ptsname(m);
  int s = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
  struct termios t;
  if (s < 0 || tcgetattr(s, &t) != 0) {
    fprintf(stderr, "measure: cannot open the pseudo-terminal: %s\n", strerror(errno));
    return -1;
  }
  cfmakeraw(&t);
  tcsetattr(s, TCSANOW, &t);
  *master = m;
  *slave = s;
  return 0;
}

/* Copies what the child writes to the terminal into out until every writer has closed it
 * (Linux then reads EIO); returns ms from t0 to the first byte, -1 for none, -2 on a
 * write error; *second: ms to the first byte after the first newline, -1 for none. */
static double relay(int master, int out, double t0, double *second) {
  double first = -1;
  bool newline = false; /* the first line has ended */
  char buf[65536];
  *second = -1;
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    double t = now_ms() - t0;
    if (first < 0) first = t;
    if (*second < 0) {
      const char *nl = newline ? buf : memchr(buf, '\n', (size_t)n);
      if (nl && (newline || nl + 1 < buf + n)) *second = t; /* the second line starts in this read */
      else if (nl) newline = true;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        fprintf(stderr, "measure: write: %s\n", strerror(errno));
        return -2;
      }
      off += w;
    }
  }
  return first;
}

int main(int argc, char **argv) {
  const char *in = NULL, *out = "/dev/null";
  long count = 1;
  int i = 1, tty = 0;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    if (strcmp(argv[i], "-t") == 0) {
      tty = 1;
      continue;
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
  double first = -1, second = -1;
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
    int master = -1, slave = -1;
    if (tty && open_pty(&master, &slave) != 0) return 2;
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
      fprintf(stderr, "measure: fork: %s\n", strerror(errno));
      return 2;
    }
    if (pid == 0) {
      if (in_fd >= 0 && dup2(in_fd, 0) < 0) _exit(127);
      if (dup2(tty ? slave : out_fd, 1) < 0) _exit(127);
      execvp(argv[i], argv + i);
      fprintf(stderr, "measure: cannot run %s: %s\n", argv[i], strerror(errno));
      _exit(127);
    }
    if (tty) {
      close(slave);
      first = relay(master, out_fd, t0, &second);
      close(master);
      if (first == -2) return 2;
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
  if (tty)
    printf("%.3f %ld %d %.3f %.3f\n", wall, peak, code, first, second);
  else
    printf("%.3f %ld %d\n", wall, peak, code);
  return 0;
}
