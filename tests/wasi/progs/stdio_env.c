/* args, environment, stdout/stderr, the exit code of main */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern char **environ;
int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e; e++) n++;
  printf("nenv=%d\n", n);
  printf("GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
  printf("EMPTY=[%s]\n", getenv("EMPTY") ? getenv("EMPTY") : "(unset)");
  printf("NOPE=%s\n", getenv("NOPE") ? "set" : "(unset)");
  fprintf(stderr, "to stderr\n");
  fflush(stdout);
  return argc + 40;
}
