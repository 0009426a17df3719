/* Deadlines: one process-wide timer thread sleeps until the earliest armed deadline and
 * raises the interrupt flag of each store whose deadline has passed. The interpreter only
 * looks at that flag at its interruption points (once per budget grant), so running code
 * never reads a clock. Stores are few per process in practice; a linear scan of the armed
 * list on each wake-up is cheaper than keeping a heap in order. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "guard.h"
#include "weld.h"

typedef struct armed {
  exec_store *store;
  uint64_t at; /* CLOCK_MONOTONIC ns */
} armed;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static bool started;
static armed *list;
static size_t nlist, caplist;

uint64_t guard_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *timer_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  for (;;) {
    uint64_t now = guard_now_ns(), next = UINT64_MAX;
    for (size_t i = 0; i < nlist;) {
      if (list[i].at <= now) {
        /* Under the lock: a store being freed waits for us in guard_forget. Raising also
         * wakes a host call blocked in the kernel (exec_store_poll). */
        exec_store_raise(list[i].store, EXEC_INTERRUPT_DEADLINE);
        list[i] = list[--nlist];
      } else {
        if (list[i].at < next) next = list[i].at;
        i++;
      }
    }
    if (next == UINT64_MAX) {
      pthread_cond_wait(&wake, &lock);
    } else {
      struct timespec ts = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
      pthread_cond_timedwait(&wake, &lock, &ts);
    }
  }
  return NULL;
}

/* Caller holds the lock. */
static void unlist(exec_store *s) {
  for (size_t i = 0; i < nlist; i++) {
    if (list[i].store == s) {
      list[i] = list[--nlist];
      return;
    }
  }
}

static void guard_forget(exec_store *s) {
  pthread_mutex_lock(&lock);
  unlist(s);
  pthread_mutex_unlock(&lock);
}

/* Caller holds the lock. */
static bool start_timer(util_error *err) {
  if (started) return true;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&wake, &ca);
  pthread_condattr_destroy(&ca);
  pthread_t t;
  int rc = pthread_create(&t, NULL, timer_main, NULL);
  if (rc != 0) {
    pthread_cond_destroy(&wake);
    return util_fail(err, UTIL_ERR_OOM, -1, "cannot start the deadline timer thread (error %d)", rc);
  }
  pthread_detach(t);
  started = true;
  return true;
}

bool guard_deadline_arm(exec_store *s, uint64_t timeout_ns, util_error *err) {
  pthread_mutex_lock(&lock);
  /* room first, so running out of memory leaves the store's deadline as it was */
  if (timeout_ns && !util_vec_try_grow((void **)&list, &caplist, nlist, sizeof *list)) {
    pthread_mutex_unlock(&lock);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  unlist(s);
  /* a passed deadline no longer applies; a pending cancel does */
  int expect = EXEC_INTERRUPT_DEADLINE;
  atomic_compare_exchange_strong(&s->interrupt, &expect, 0);
  if (timeout_ns == 0) {
    pthread_mutex_unlock(&lock);
    return true;
  }
  if (!start_timer(err)) {
    pthread_mutex_unlock(&lock);
    return false;
  }
  uint64_t now = guard_now_ns();
  uint64_t at = timeout_ns > UINT64_MAX - now ? UINT64_MAX - 1 : now + timeout_ns;
  list[nlist++] = (armed){s, at}; /* room was made above */
  s->on_free = guard_forget;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
  return true;
}

bool weld_store_set_deadline(weld_store *s, uint64_t timeout_ns) {
  util_error err;
  util_error_clear(&err);
  return guard_deadline_arm((exec_store *)s, timeout_ns, &err);
}
