/* wasi/clock: clocks, randomness and the process calls (exit, raise, yield). */
#include <errno.h>
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include "wasi_int.h"

bool wasi_clock_id(uint32_t id, clockid_t *out) {
  switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

WASI_HOST(clock_res_get) {
  wasi_ctx *c = WASI_CTX;
  clockid_t id;
  if (!wasi_clock_id(A32(0), &id)) RET(WASI_EINVAL);
  uint8_t *out = wasi_mem(c, A32(1), 8);
  if (!out) RET(WASI_EFAULT);
  if (!c->pol->allow_clocks) RET(wasi_deny(c, WASI_EACCES, "clock_res_get", NULL, "clocks not granted"));
  struct timespec ts;
  if (clock_getres(id, &ts) != 0) RET(wasi_errno(errno));
  wasi_put_u64(out, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
  RET(0);
}

WASI_HOST(clock_time_get) {
  wasi_ctx *c = WASI_CTX;
  clockid_t id;
  if (!wasi_clock_id(A32(0), &id)) RET(WASI_EINVAL);
  uint8_t *out = wasi_mem(c, A32(2), 8);
  if (!out) RET(WASI_EFAULT);
  if (!c->pol->allow_clocks) RET(wasi_deny(c, WASI_EACCES, "clock_time_get", NULL, "clocks not granted"));
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) RET(wasi_errno(errno));
  wasi_put_u64(out, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
  RET(0);
}

WASI_HOST(random_get) {
  wasi_ctx *c = WASI_CTX;
  uint8_t *buf = wasi_mem(c, A32(0), A32(1));
  if (!buf) RET(WASI_EFAULT);
  if (!c->pol->allow_random) RET(wasi_deny(c, WASI_EACCES, "random_get", NULL, "randomness not granted"));
  size_t len = A32(1), done = 0;
  while (done < len) {
    /* re-read base: nothing here can grow memory, but keep the pointer fresh anyway */
    ssize_t n = getrandom(wasi_mem(c, A32(0), len) + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      RET(wasi_errno(errno));
    }
    done += (size_t)n;
  }
  RET(0);
}

WASI_HOST(proc_exit) {
  wasi_ctx *c = WASI_CTX;
  if (!c->pol->allow_exit) {
    wasi_deny(c, WASI_EACCES, "proc_exit", NULL, "exit not granted");
    snprintf(th->trap_msg, sizeof th->trap_msg, "proc_exit(%u) denied by policy", A32(0));
    return EXEC_TRAP_HOST;
  }
  /* a clean unwind to the embedder, which turns the code into the process's status */
  th->exit_code = (int32_t)A32(0);
  snprintf(th->trap_msg, sizeof th->trap_msg, "exit with code %u", A32(0));
  return EXEC_TRAP_EXIT;
}

WASI_HOST(proc_raise) {
  /* signals would act on the host process; not offered */
  RET(WASI_ENOSYS);
}

WASI_HOST(sched_yield) {
  sched_yield();
  RET(0);
}
