/* wasi/poll: poll_oneoff — clock subscriptions (relative or absolute, any preview1
 * clock) and fd read/write readiness, waited for together — and the wait every other
 * call that could block makes first (wasi_wait_ready). Every wait goes through
 * exec_store_poll, so the store's deadline and cancellation wake it. Regular files are
 * always ready, as POSIX says.
 *
 * Clock subscriptions are turned into CLOCK_MONOTONIC due times when read (an absolute
 * one by its distance from its own clock's now; a CPU-time clock's duration counts as
 * wall time, since sleeping does not advance it), and an event is reported for each one
 * whose due time has passed when the wait ends — not for the others. Absolute
 * subscriptions read the clock they name, so they are refused (EACCES, logged) when the
 * policy denies clocks: compared with a ready fd or a relative timer they would answer
 * "is it later than T yet?", and a binary search recovers the time. Relative ones reveal
 * nothing and are served. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_int.h"

#define SUB_SIZE 48
#define EVENT_SIZE 32
#define MAX_SUBS 4096
#define SUBCLOCK_ABSTIME 1

typedef struct sub {
  uint64_t userdata;
  uint8_t tag;         /* 0 clock, 1 fd_read, 2 fd_write */
  uint64_t due;        /* clock: when it fires, CLOCK_MONOTONIC ns */
  int pollidx;         /* index in the pollfd array, or -1 */
  uint16_t error;      /* an error found while reading the subscription */
  bool regular;        /* a regular file: ready at once */
  int host;
} sub;

static uint64_t now_on(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t add_sat(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

/* Waits on the calling store (so its deadline and cancellation wake us); without one — a
 * host function called outside the trampoline — a plain ppoll. */
static int wait_on(wasi_ctx *c, struct pollfd *pfds, unsigned n, uint64_t timeout_ns,
                   exec_trap_kind *trap) {
  if (c->th && c->th->store) return exec_store_poll(c->th->store, pfds, n, timeout_ns, trap);
  if (!c->th && c->call_store) return exec_store_poll(c->call_store, pfds, n, timeout_ns, trap);
  struct timespec ts = {(time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull)};
  int r;
  do r = ppoll(pfds, n, timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
  while (r < 0 && errno == EINTR);
  return r;
}

uint16_t wasi_wait_ready(wasi_ctx *c, wasi_fd *f, short events) {
  if (f->fdflags & WASI_FDFLAG_NONBLOCK) return 0;
  /* never blocks: known from the fd's file type, read when it was opened (the type of
   * an open file never changes) */
  if (f->filetype == WASI_FILETYPE_REGULAR_FILE || f->filetype == WASI_FILETYPE_DIRECTORY ||
      f->filetype == WASI_FILETYPE_BLOCK_DEVICE)
    return 0;
  struct pollfd p = {.fd = f->host, .events = events};
  exec_trap_kind k = EXEC_OK;
  if (wait_on(c, &p, 1, UINT64_MAX, &k) == EXEC_POLL_INTERRUPTED) {
    c->trap = k;
    return WASI_EINTR;
  }
  return 0;
}

static void put_event(uint8_t *out, const sub *s, uint16_t error, uint64_t nbytes, uint16_t flags) {
  memset(out, 0, EVENT_SIZE);
  wasi_put_u64(out, s->userdata);
  wasi_put_u16(out + 8, error);
  out[10] = s->tag;
  wasi_put_u64(out + 16, nbytes);
  wasi_put_u16(out + 24, flags);
}

WASI_HOST(poll_oneoff) {
  wasi_ctx *c = WASI_CTX;
  uint32_t inp = A32(0), outp = A32(1), n = A32(2), neventsp = A32(3);
  if (n == 0) RET(WASI_EINVAL);
  if (n > MAX_SUBS) RET(WASI_ENOTSUP);
  if (!wasi_mem(c, inp, (uint64_t)n * SUB_SIZE) || !wasi_mem(c, outp, (uint64_t)n * EVENT_SIZE) ||
      !wasi_mem(c, neventsp, 4))
    RET(WASI_EFAULT);
  sub *subs = util_try_calloc(n, sizeof *subs);
  struct pollfd *pfds = util_try_calloc(n, sizeof *pfds);
  if (!subs || !pfds) {
    free(subs);
    free(pfds);
    RET(WASI_ENOMEM);
  }
  int npfd = 0;
  bool have_clock = false, ready_now = false;
  uint64_t start = now_on(CLOCK_MONOTONIC), earliest = UINT64_MAX;
  const uint8_t *in = wasi_mem(c, inp, (uint64_t)n * SUB_SIZE);
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *p = in + (size_t)i * SUB_SIZE;
    sub *s = &subs[i];
    s->userdata = wasi_get_u64(p);
    s->tag = p[8];
    s->pollidx = -1;
    if (s->tag == 0) {
      uint32_t id = wasi_get_u32(p + 16);
      uint64_t timeout = wasi_get_u64(p + 24);
      uint16_t flags = wasi_get_u16(p + 40);
      clockid_t clock;
      if (!wasi_clock_id(id, &clock)) {
        s->error = WASI_EINVAL;
        ready_now = true;
        continue;
      }
      uint64_t left = timeout;
      if (flags & SUBCLOCK_ABSTIME) {
        if (!c->pol->allow_clocks) {
          s->error = wasi_deny(c, WASI_EACCES, "poll_oneoff", NULL,
                               "absolute clock subscription: clocks not granted");
          ready_now = true;
          continue;
        }
        uint64_t now = now_on(clock);
        left = timeout > now ? timeout - now : 0;
      }
      s->due = add_sat(start, left);
      if (s->due < earliest) earliest = s->due;
      have_clock = true;
    } else if (s->tag == 1 || s->tag == 2) {
      uint16_t e;
      wasi_fd *f = wasi_fd_get(c, wasi_get_u32(p + 16), WASI_RIGHT(R_POLL_FD_READWRITE), &e);
      if (!f) {
        s->error = e;
        ready_now = true;
        continue;
      }
      if (!(f->ops & (s->tag == 1 ? POLICY_OP_READ : POLICY_OP_WRITE)) && f->kind != WASI_FD_DIR) {
        s->error = wasi_deny(c, WASI_EACCES, "poll_oneoff", f->guest, "not granted %s",
                             s->tag == 1 ? "read" : "write");
        ready_now = true;
        continue;
      }
      s->host = f->host;
      struct stat st;
      if (fstat(f->host, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
        s->regular = true;
        ready_now = true;
        continue;
      }
      s->pollidx = npfd;
      pfds[npfd].fd = f->host;
      pfds[npfd].events = s->tag == 1 ? POLLIN : POLLOUT;
      npfd++;
    } else {
      s->error = WASI_EINVAL;
      ready_now = true;
    }
  }
  if (!ready_now && npfd == 0 && !have_clock) {
    /* nothing can ever fire */
    free(subs);
    free(pfds);
    RET(WASI_EINVAL);
  }
  int pr = 0, perr = 0;
  uint64_t end;
  for (;;) {
    end = now_on(CLOCK_MONOTONIC);
    uint64_t wait_ns = ready_now || earliest <= end ? 0 : earliest == UINT64_MAX ? UINT64_MAX : earliest - end;
    exec_trap_kind k = EXEC_OK;
    pr = wait_on(c, pfds, (unsigned)npfd, wait_ns, &k);
    perr = errno;
    end = now_on(CLOCK_MONOTONIC);
    if (pr == EXEC_POLL_INTERRUPTED) {
      free(subs);
      free(pfds);
      c->trap = k;
      RET(WASI_EINTR);
    }
    if (pr != 0 || ready_now || earliest <= end) break;
  }
  uint16_t err = pr < 0 ? wasi_errno(perr) : 0;
  uint32_t nev = 0;
  uint8_t *out = wasi_mem(c, outp, (uint64_t)n * EVENT_SIZE);
  for (uint32_t i = 0; i < n && !err; i++) {
    sub *s = &subs[i];
    uint8_t *ev = out + (size_t)nev * EVENT_SIZE;
    if (s->error) {
      put_event(ev, s, s->error, 0, 0);
      nev++;
    } else if (s->tag == 0) {
      if (s->due <= end) {
        put_event(ev, s, 0, 0, 0);
        nev++;
      }
    } else if (s->regular) {
      uint64_t nbytes = 0;
      if (s->tag == 1) {
        struct stat st;
        off_t pos = lseek(s->host, 0, SEEK_CUR);
        if (fstat(s->host, &st) == 0 && pos >= 0 && st.st_size > pos)
          nbytes = (uint64_t)(st.st_size - pos);
      }
      put_event(ev, s, 0, nbytes, 0);
      nev++;
    } else if (s->pollidx >= 0 && pfds[s->pollidx].revents) {
      short re = pfds[s->pollidx].revents;
      uint64_t nbytes = 0;
      int avail = 0;
      if (s->tag == 1 && ioctl(s->host, FIONREAD, &avail) == 0 && avail > 0) nbytes = (uint64_t)avail;
      uint16_t e = (re & POLLNVAL) ? WASI_EBADF : (re & POLLERR) && !(re & (POLLIN | POLLOUT)) ? WASI_EIO : 0;
      put_event(ev, s, e, nbytes, (re & POLLHUP) ? 1 : 0);
      nev++;
    }
  }
  free(subs);
  free(pfds);
  if (err) RET(err);
  wasi_put_u32(wasi_mem(c, neventsp, 4), nev);
  RET(0);
}
