/* clocks, randomness, sleeping (poll_oneoff), sched_yield */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
  const char *names[] = {"realtime", "monotonic", "process", "thread"};
  for (int i = 0; i < 4; i++) {
    struct timespec r, t;
    int a = clock_getres(ids[i], &r), b = clock_gettime(ids[i], &t);
    printf("%s: res %s, time %s\n", names[i], a == 0 && (r.tv_sec > 0 || r.tv_nsec > 0) ? "ok" : "bad",
           b == 0 ? "ok" : "bad");
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timespec req = {0, 20 * 1000 * 1000};
  int s = nanosleep(&req, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  printf("nanosleep %d slept>=20ms %d\n", s, ms >= 20);
  printf("realtime plausible %d\n", time(NULL) > 1600000000);
  unsigned char buf[64];
  memset(buf, 0, sizeof buf);
  int r = getentropy(buf, sizeof buf);
  int nonzero = 0;
  for (int i = 0; i < 64; i++) nonzero += buf[i] != 0;
  printf("getentropy %d nonzero>8 %d\n", r, nonzero > 8);
  printf("sched_yield %d\n", sched_yield());
  return 0;
}
