#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  const char *g = getenv("GREETING");
  printf("argc=%d greeting=%s\n", argc, g ? g : "(none)");
  for (int i = 0; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
  return 0;
}
