/* A small ordinary program: stdio, files, directories, environment, clocks and
 * randomness. Its output must be the same natively and under weld. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  printf("args:");
  for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
  printf("\nGREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
  mkdir("sandbox/report", 0755);
  FILE *f = fopen("sandbox/report/squares.csv", "w");
  if (!f) { perror("fopen"); return 1; }
  for (int i = 1; i <= 20; i++) fprintf(f, "%d,%d\n", i, i * i);
  fclose(f);
  f = fopen("sandbox/report/squares.csv", "r");
  long sum = 0;
  int a, b;
  while (fscanf(f, "%d,%d", &a, &b) == 2) sum += b;
  fclose(f);
  printf("sum of squares: %ld\n", sum);
  DIR *d = opendir("sandbox/sub");
  char *names[64];
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) && n < 64)
    if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
  if (d) closedir(d);
  qsort(names, n, sizeof *names, cmp);
  for (int i = 0; i < n; i++) {
    struct stat st;
    char p[256];
    snprintf(p, sizeof p, "sandbox/sub/%s", names[i]);
    stat(p, &st);
    printf("%s %lld bytes\n", names[i], (long long)st.st_size);
    free(names[i]);
  }
  rename("sandbox/sub/f1.txt", "sandbox/report/moved.txt");
  unlink("sandbox/sub/f2.txt");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec nap = {0, 5000000};
  nanosleep(&nap, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("monotonic advanced: %s\n", (t1.tv_sec > t0.tv_sec || t1.tv_nsec > t0.tv_nsec) ? "yes" : "no");
  printf("year >= 2024: %s\n", time(NULL) >= 1704067200 ? "yes" : "no");
  unsigned char r[32];
  getentropy(r, sizeof r);
  int distinct = 0;
  for (int i = 1; i < 32; i++) distinct += r[i] != r[0];
  printf("random looks random: %s\n", distinct > 20 ? "yes" : "no");
  fprintf(stderr, "done\n");
  return 3;
}
