/* isatty() of the three standard streams, printed on the first one that is not
 * /dev/null's: tests/wasi/run.sh runs it natively and under weld with the streams on
 * /dev/null, a pipe, a file and a terminal (script(1)), and compares. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int fd = argc > 1 && strcmp(argv[1], "err") == 0 ? 2 : 1;
  dprintf(fd, "isatty: stdin %d stdout %d stderr %d\n", isatty(0), isatty(1), isatty(2));
  return 0;
}
