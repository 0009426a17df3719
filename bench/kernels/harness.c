/* Native (and WASI) driver for one kernel: `KERNEL N` prints run(N). The wasm32 build
 * has no driver: the host calls the exported `run` directly. */
#include <stdio.h>
#include <stdlib.h>
#include "kernel.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s N\n", argv[0]);
    return 2;
  }
  char *end;
  long n = strtol(argv[1], &end, 10);
  if (*end || n < 0 || n > 1000000000L) {
    fprintf(stderr, "%s: bad N '%s'\n", argv[0], argv[1]);
    return 2;
  }
  printf("%d\n", run((int)n));
  return 0;
}
