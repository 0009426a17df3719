/* Blocking host calls and interruption. The interpreter notices a deadline or a cancel at
 * its interruption points, but a host call sleeping in the kernel (poll_oneoff, a read
 * on an idle pipe, accept) has none. So each store has a wake-up pipe, made the first
 * time a host call blocks: raising the interrupt flag also writes one byte to it, and
 * exec_store_poll waits on the caller's fds and the pipe together.
 *
 * No wake-up is lost without any lock: the raiser stores the flag before it reads the
 * pipe's fd and writes, and the waiter publishes the pipe before it reads the flag and
 * drains the pipe before reading the flag again. Either the waiter sees the flag, or the
 * raiser sees the pipe and its byte arrives after the drain. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"

void exec_store_raise(exec_store *s, int reason) {
  if (reason == EXEC_INTERRUPT_DEADLINE) {
    atomic_store(&s->interrupt, reason);
  } else {
    /* over nothing, or over a profiler's sample request (which is no reason to stop) */
    int cur = atomic_load(&s->interrupt);
    while ((cur == 0 || cur == EXEC_INTERRUPT_SAMPLE) && !atomic_compare_exchange_weak(&s->interrupt, &cur, reason)) {
    }
  }
  int w = atomic_load(&s->wake_w) - 1;
  if (w >= 0) {
    /* full pipe: a wake-up is pending already */
    ssize_t r = write(w, "!", 1);
    (void)r;
  }
}

void exec_store_wake_close(exec_store *s) {
  int r = atomic_exchange(&s->wake_r, 0) - 1, w = atomic_exchange(&s->wake_w, 0) - 1;
  if (r >= 0) close(r);
  if (w >= 0) close(w);
}

/* Makes the pipe on first use (only the store's own thread calls this). False when the
 * process is out of fds: the caller then waits in slices instead. */
static bool wake_pipe(exec_store *s) {
  if (atomic_load(&s->wake_r)) return true;
  int p[2];
#ifdef __linux__
  if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return false; /* one call, not five */
#else
  if (pipe(p) != 0) return false;
  for (int i = 0; i < 2; i++) {
    fcntl(p[i], F_SETFD, FD_CLOEXEC);
    fcntl(p[i], F_SETFL, O_NONBLOCK);
  }
#endif
  atomic_store(&s->wake_r, p[0] + 1);
  atomic_store(&s->wake_w, p[1] + 1);
  return true;
}

static void drain(int fd) {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) {}
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Without a pipe (no fds left) the flag is re-read every slice. */
#define SLICE_NS 10000000ull

int exec_store_poll(exec_store *s, struct pollfd *fds, unsigned n, uint64_t timeout_ns,
                    exec_trap_kind *trap) {
  bool piped = wake_pipe(s);
  int wr = atomic_load(&s->wake_r) - 1;
  struct pollfd small[8], *all = n + 1 <= 8 ? small : util_try_calloc(n + 1, sizeof *all);
  if (!all) {
    errno = ENOMEM;
    return -1;
  }
  for (unsigned i = 0; i < n; i++) all[i] = fds[i];
  all[n] = (struct pollfd){.fd = piped ? wr : -1, .events = POLLIN};
  uint64_t start = mono_ns();
  int result;
  for (;;) {
    int why = atomic_load(&s->interrupt);
    if (why && why != EXEC_INTERRUPT_SAMPLE) { /* a sample waits for the interpreter */
      if (why == EXEC_INTERRUPT_CANCEL) {
        int expect = why;
        atomic_compare_exchange_strong(&s->interrupt, &expect, 0);
      }
      *trap = (exec_trap_kind)why;
      result = EXEC_POLL_INTERRUPTED;
      break;
    }
    uint64_t spent = mono_ns() - start;
    uint64_t left = timeout_ns == UINT64_MAX ? UINT64_MAX : timeout_ns > spent ? timeout_ns - spent : 0;
    uint64_t wait = piped || left < SLICE_NS ? left : SLICE_NS;
    struct timespec ts = {(time_t)(wait / 1000000000ull), (long)(wait % 1000000000ull)};
    int r = ppoll(all, n + 1, wait == UINT64_MAX ? NULL : &ts, NULL);
    if (r < 0) {
      if (errno == EINTR) continue;
      result = -1;
      break;
    }
    if (piped && all[n].revents) {
      drain(wr);
      all[n].revents = 0;
      r--;
    }
    if (r > 0) {
      result = r;
      break;
    }
    /* a wake-up with no flag raised (a cancel the interpreter already consumed) or the
     * end of a slice: look at the flag again and wait for what is left */
    if (timeout_ns != UINT64_MAX && mono_ns() - start >= timeout_ns) {
      result = 0;
      break;
    }
  }
  int saved = errno; /* ppoll's, for the caller */
  for (unsigned i = 0; i < n; i++) fds[i].revents = all[i].revents;
  if (all != small) free(all);
  errno = saved;
  return result;
}
