/* JIT_TIER_AUTO's second step: a function that stays hot in baseline code is compiled by
 * the optimising tier (src/opt, through jit_opt_hooks) and switched to, in the background.
 *
 * Heat. Once the baseline tier has compiled a function (tier.c's promote), its NATIVE
 * entry is jit_tierup_enter, which takes one from the function's second count and runs
 * the baseline code; the call that uses the count up (the same threshold as the first
 * step) asks for the optimising tier. Calls between baseline-compiled functions go
 * through the callee table and are not counted, so the interruption check's slow path
 * samples too (jit_tierup_sample, once per budget grant): the baseline function it was
 * taken from asks. A function a long loop made hot asks at once, and so does one whose
 * loop an interpreted frame continued in (on-stack replacement).
 *
 * Compiling. A process-wide pool of at most JIT_MAX_COMPILE_THREADS threads takes jobs
 * (module, function) from one queue; with compile_threads 0 the call that asks compiles
 * the function itself. The threads start with the first job, not with the module: most
 * runs (a hello world, a short command) never make a function hot, and would pay for a
 * thread and its 16 MiB stack mapping at start-up for nothing. Each job lowers the one
 * function into its own LLVM module (calls to other functions go through the runtime; a
 * call_indirect may call another optimised function directly through up->code), then
 * optimises and compiles it: the lowering is the only phase that reads the weld module,
 * the LLVM phase (most of the time) works on LLVM's copy alone.
 *
 * Budget. LLVM is slow (tens of KB of bodies a second), so a pool thread starts a job only
 * once the program has run long enough to pay for it: the CPU seconds the pool's jobs took
 * so far plus the job's estimate (BUDGET_* below) must stay below BUDGET_RATIO times the
 * program's CPU seconds (the process's, less the pool's). The first job it can afford
 * starts; the others wait. A short run so never pays for LLVM code it would not live to
 * use, and a long one spends at most about a twentieth of its CPU compiling (README.md
 * measures why so little: sqlite's runs of 1.2 and 4 s of CPU were slower with a quarter).
 * WELD_TIER_UP_BUDGET=R sets the ratio, 0 turns the rule off (tests that want every hot
 * function compiled at once); a thread in jit_tierup_wait lifts it meanwhile.
 *
 * Switching. Under the module's lock: the frame size only grows (release store, as in
 * promote), the function's LLVM descriptor (ofuncs[k], entered by jit_enter_llvm) gets
 * its NATIVE stub, up->code[k] is published (release), then the function's exec_code is
 * switched to the stub with one release store. A frame running the baseline code
 * finishes in it; every call that reads the code pointer after the store enters the LLVM
 * code, which it finds complete (it was written and sealed before). Baseline callers
 * keep calling the baseline code through the callee table (its entry follows the
 * baseline tier's own convention, not LLVM's), so both versions stay mapped until the
 * module is freed. Limits hold in both: the LLVM code spends budget at every entry and
 * loop back-edge exactly as the interpreter and the baseline code do.
 *
 * Lifetime. A module being freed (jit_tierup_free) drops its queued jobs, marks its
 * running ones dead and waits, under the pool's mutex, only while a thread lowers or
 * switches for it (up->busy); a dead job's LLVM phase finishes on its own and its code is
 * released unused. At process exit (an on_exit handler, registered once LLVM is loaded so
 * that it runs before LLVM's own destructors) no job starts any more; a compile still
 * running is waited for, unless the process asked with jit_tierup_exit_abandons (the
 * command line does): then the handler flushes stdio and ends the process with _exit and
 * the exit status, rather than wait seconds for code nobody will run. README.md
 * describes the synchronisation. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jit_int.h"

/* the budget: LLVM's CPU time at most a twentieth of the program's so far; a job's cost
 * estimated as 20 ms plus 50 us per byte of body (LLVM 16 at O2 on a 2020s x86-64 core,
 * measured on lua, sqlite and bzip2), scaled by what the jobs done so far took against
 * their estimates */
#define BUDGET_RATIO 0.05
#define BUDGET_JOB_SECONDS 0.02
#define BUDGET_SECONDS_PER_BYTE 50e-6
#define BUDGET_LOAD_SECONDS 0.25 /* the first job opens libLLVM and sets LLJIT up */
#define BUDGET_GROWTH_BYTES 16384.0 /* LLVM's time per byte doubles every this many bytes
                                       of a function (its passes grow faster than linearly) */

/* The estimated CPU seconds of LLVM for a body of `bytes` (before scaling). */
static double job_estimate(uint32_t bytes) {
  double b = (double)bytes;
  return BUDGET_JOB_SECONDS + b * BUDGET_SECONDS_PER_BYTE * (1 + b / BUDGET_GROWTH_BYTES);
}

typedef struct job {
  struct job *next;
  jit_module *jm;
  uint32_t k;
  uint32_t bytes; /* the body's size, for the budget */
  bool dead;      /* its module was freed while it ran (pool mutex) */
} job;

typedef struct jit_tierup {
  const jit_opt_hooks *hooks;
  bool sync;                 /* compile_threads 0 */
  uint32_t threads;          /* compile_threads: the pool grows to this with the first job */
  jit_func *ofuncs;          /* per defined function: its LLVM descriptor once switched */
  void **code;               /* per defined function: its LLVM code (call_indirect's table) */
  void **handles;            /* per defined function: what release frees */
  _Atomic int64_t *count;    /* per defined function: calls left before it asks */
  _Atomic int *asked;        /* per defined function: 1 once asked (queued or compiled) */
  uint32_t busy;             /* pool threads lowering or switching for this module (pool mutex) */
  bool dead;                 /* being freed: no more jobs (pool mutex) */
} jit_tierup;

/* ---------- the pool ---------- */

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER, pool_idle = PTHREAD_COND_INITIALIZER;
static job *queue_head;
static job *running;         /* jobs a thread has taken, through next (pool mutex) */
static uint32_t pool_threads;
static uint32_t pool_active; /* threads with a job now */
static bool pool_stopping;   /* the process is exiting: no more jobs start */
static bool exit_abandons;   /* jit_tierup_exit_abandons was called */
static bool exit_registered; /* the on_exit handler follows LLVM's destructors */
static uint32_t waiters;     /* threads in jit_tierup_wait: the budget is lifted */
static double budget_ratio = BUDGET_RATIO; /* 0: no budget */
static double llvm_cpu;      /* CPU seconds of the pool's finished jobs, dead ones too (pool mutex) */
static double llvm_seconds;  /* of those, the jobs that made code, and their estimates */
static double llvm_estimated;

static double clock_seconds(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void) { return clock_seconds(CLOCK_MONOTONIC); }

/* Switches defined function k of jm to the code compile made (why NULL) or counts the
 * failure; dt: the seconds it took. */
static void switch_to(jit_module *jm, uint32_t k, const char *why, const jit_opt_code *out, double dt) {
  jit_tierup *up = jm->up;
  exec_module *em = jm->em;
  pthread_mutex_lock(jm->lock);
  jm->stats.opt_seconds += dt;
  if (why) {
    jm->stats.opt_failed++;
    pthread_mutex_unlock(jm->lock);
    return;
  }
  jit_func *f = &jm->funcs[k], *of = &up->ofuncs[k];
  exec_code *c = &em->codes[k];
  of->jm = jm;
  of->k = k;
  of->entry = out->entry;
  of->frame_slots = out->frame_slots;
  up->handles[k] = out->handle;
  if (out->frame_slots > c->frame_slots) __atomic_store_n(&c->frame_slots, out->frame_slots, __ATOMIC_RELEASE);
  jit_func_set_stub(of, jit_enter_llvm, f->counting.code, f->counting.code_len);
  __atomic_store_n(&up->code[k], (void *)(uintptr_t)out->entry, __ATOMIC_RELEASE);
  __atomic_store_n(&c->code, (void *)of->stub, __ATOMIC_RELEASE);
  jm->stats.optimized++;
  pthread_mutex_unlock(jm->lock);
}

/* Lowers and compiles defined function k of jm on the calling thread (compile_threads 0). */
static void compile_now(jit_module *jm, uint32_t k) {
  jit_tierup *up = jm->up;
  double t0 = now();
  jit_opt_code out = {0};
  const char *why = NULL;
  bool unguarded = false;
  bool guard = jm->guard;
  for (int pass = 0; pass < 2; pass++) {
    void *lo = up->hooks->lower(jm->em, k, guard, (void *const *)up->code, &why);
    if (!lo) break;
    why = up->hooks->finish(lo, &out, &unguarded);
    if (!why || !unguarded || !guard) break;
    guard = false; /* the fault handler's table is full: the same with explicit checks */
  }
  switch_to(jm, k, why, &out, now() - t0);
}

static void exit_handler(int status, void *arg);

/* A pool thread's job: the lowering and the switch count as the module's busy time, the
 * LLVM phase in between does not (the module may be freed meanwhile). */
static void run_job(job *j) {
  jit_module *jm = j->jm;
  jit_tierup *up = jm->up;
  const jit_opt_hooks *hooks = up->hooks;
  uint32_t k = j->k;
  bool guard = jm->guard;
  double t0 = now();
  double cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
  jit_opt_code out = {0};
  const char *why = NULL;
  for (int pass = 0; pass < 2; pass++) {
    /* up->busy is held while lowering: the module cannot go */
    void *lo = hooks->lower(jm->em, k, guard, (void *const *)up->code, &why);
    if (!lo) break; /* busy still held for the switch */
    pthread_mutex_lock(&pool_mu);
    up->busy--;
    pthread_cond_broadcast(&pool_idle);
    bool dead = j->dead;
    pthread_mutex_unlock(&pool_mu);
    if (dead) { /* being freed: up and jm may be gone */
      hooks->drop(lo);
      return;
    }
    bool unguarded = false;
    why = hooks->finish(lo, &out, &unguarded);
    pthread_mutex_lock(&pool_mu);
    if (j->dead) {
      pthread_mutex_unlock(&pool_mu);
      if (!why) hooks->release(out.handle);
      return;
    }
    up->busy++; /* the module stays until the switch is done */
    pthread_mutex_unlock(&pool_mu);
    if (!why || !unguarded || !guard) break;
    guard = false; /* the fault handler's table is full: the same with explicit checks */
  }
  double dt = now() - t0;
  switch_to(jm, k, why, &out, dt);
  pthread_mutex_lock(&pool_mu);
  up->busy--;
  if (!why) {
    llvm_seconds += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    llvm_estimated += job_estimate(j->bytes);
  }
  pthread_cond_broadcast(&pool_idle);
  pthread_mutex_unlock(&pool_mu);
}

/* The first queued job the budget affords now, unlinked (pool mutex held); NULL, with
 * *wait the seconds until the cheapest one is affordable, when none is. */
static job *take_job(double *wait) {
  /* the program's CPU time: the process's but the pool's jobs */
  double t = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - llvm_cpu;
  double scale = llvm_estimated > 0 ? llvm_seconds / llvm_estimated : 1;
  double best = -1;
  for (job **p = &queue_head; *p; p = &(*p)->next) {
    double cost = job_estimate((*p)->bytes) * scale +
                  (exit_registered ? 0 : BUDGET_LOAD_SECONDS);
    double ready = budget_ratio > 0 && !waiters ? (llvm_cpu + cost) / budget_ratio : 0;
    if (ready <= t) {
      job *j = *p;
      *p = j->next;
      return j;
    }
    if (best < 0 || ready < best) best = ready;
  }
  *wait = best - t;
  return NULL;
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&pool_mu);
  for (;;) {
    job *j = NULL;
    double wait = 0;
    while (!pool_stopping && queue_head && !(j = take_job(&wait))) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      double sec = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + wait + 0.001;
      ts.tv_sec = (time_t)sec;
      ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
      pthread_cond_timedwait(&pool_work, &pool_mu, &ts);
    }
    if (!j) {
      pthread_cond_wait(&pool_work, &pool_mu);
      continue;
    }
    j->next = running;
    running = j;
    j->jm->up->busy++; /* jit_tierup_free waits for the lowering */
    pool_active++;
    bool first = !exit_registered;
    exit_registered = true;
    pthread_mutex_unlock(&pool_mu);
    double cpu0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    /* LLVM loaded first, then the handler: on_exit handlers run in reverse order, so it
     * runs before the destructors libLLVM registered when it was opened */
    if (first && j->jm->up->hooks->load()) on_exit(exit_handler, NULL);
    run_job(j);
    double cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    pthread_mutex_lock(&pool_mu);
    llvm_cpu += cpu;
    for (job **p = &running; *p; p = &(*p)->next)
      if (*p == j) {
        *p = j->next;
        break;
      }
    free(j);
    pool_active--;
    pthread_cond_broadcast(&pool_idle);
  }
  return NULL;
}

/* At exit: no job starts any more. A job running is waited for, so no thread is inside
 * LLVM when the process's (and libLLVM's) destructors run, unless the process asked to
 * abandon it: then the process ends here, its output flushed. */
static void exit_handler(int status, void *arg) {
  (void)arg;
  pthread_mutex_lock(&pool_mu);
  pool_stopping = true;
  while (queue_head) {
    job *j = queue_head;
    queue_head = j->next;
    free(j);
  }
  if (pool_active && exit_abandons) {
    pthread_mutex_unlock(&pool_mu);
    fflush(NULL);
    _exit(status);
  }
  while (pool_active) pthread_cond_wait(&pool_idle, &pool_mu);
  pthread_mutex_unlock(&pool_mu);
}

void jit_tierup_exit_abandons(void) {
  pthread_mutex_lock(&pool_mu);
  exit_abandons = true;
  pthread_mutex_unlock(&pool_mu);
}

/* Starts pool threads up to n (never more than JIT_MAX_COMPILE_THREADS); the number
 * running (pool mutex held). */
static uint32_t pool_grow(uint32_t n) {
  if (n > JIT_MAX_COMPILE_THREADS) n = JIT_MAX_COMPILE_THREADS;
  if (!pool_threads && n) {
    if (on_exit(exit_handler, NULL) != 0) return 0;
    const char *b = getenv("WELD_TIER_UP_BUDGET");
    if (b && *b) {
      char *end;
      double r = strtod(b, &end);
      if (!*end && r >= 0) budget_ratio = r;
    }
  }
  while (pool_threads < n) {
    pthread_t t;
    pthread_attr_t a;
    if (pthread_attr_init(&a) != 0) break;
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    /* LLVM's code generation recurses: a generous stack */
    pthread_attr_setstacksize(&a, (size_t)16 << 20);
    int rc = pthread_create(&t, &a, worker, NULL);
    pthread_attr_destroy(&a);
    if (rc != 0) break;
    pool_threads++;
  }
  return pool_threads;
}

/* ---------- the module's side ---------- */

bool jit_tierup_new(jit_module *jm, const jit_options *o) {
  if (!o->opt || !o->opt->lower) return true;
  uint32_t n = jm->nfuncs;
  jit_tierup *up = calloc(1, sizeof *up);
  if (!up) return false;
  size_t m = n ? n : 1;
  up->hooks = o->opt;
  up->ofuncs = calloc(m, sizeof *up->ofuncs);
  up->code = calloc(m, sizeof *up->code);
  up->handles = calloc(m, sizeof *up->handles);
  up->count = calloc(m, sizeof *up->count);
  up->asked = calloc(m, sizeof *up->asked);
  if (!up->ofuncs || !up->code || !up->handles || !up->count || !up->asked) {
    free(up->ofuncs), free(up->code), free(up->handles), free((void *)up->count), free((void *)up->asked);
    free(up);
    return false;
  }
  for (uint32_t k = 0; k < n; k++) {
    atomic_init(&up->count[k], (int64_t)o->threshold);
    atomic_init(&up->asked[k], 0);
  }
  up->sync = o->compile_threads == 0;
  up->threads = o->compile_threads;
  jm->up = up;
  return true;
}

void jit_tierup_hot(jit_module *jm, uint32_t k) {
  jit_tierup *up = jm->up;
  if (!up || k >= jm->nfuncs) return;
  int expect = 0;
  if (!atomic_compare_exchange_strong(&up->asked[k], &expect, 1)) return;
  if (up->sync) {
    compile_now(jm, k);
    return;
  }
  job *j = malloc(sizeof *j);
  if (!j) return; /* out of memory: the function stays in baseline code */
  j->next = NULL;
  j->jm = jm;
  j->k = k;
  j->bytes = jm->em->wasm->funcs[jm->em->wasm->nfunc_imports + k].code_len;
  j->dead = false;
  pthread_mutex_lock(&pool_mu);
  if (up->dead || pool_stopping) {
    pthread_mutex_unlock(&pool_mu);
    free(j);
    return;
  }
  if (pool_grow(up->threads) == 0) { /* no thread: compiled here, as with compile_threads 0 */
    pthread_mutex_unlock(&pool_mu);
    free(j);
    compile_now(jm, k);
    return;
  }
  job **p = &queue_head;
  while (*p) p = &(*p)->next;
  *p = j;
  pthread_cond_signal(&pool_work);
  pthread_mutex_unlock(&pool_mu);
}

void jit_tierup_sample(jit_module *jm, const void *pc) {
  uintptr_t a = (uintptr_t)pc;
  for (uint32_t k = 0; k < jm->nfuncs; k++) {
    const jit_func *f = &jm->funcs[k];
    /* region is written before the state becomes JIT_COMPILED (release, tier.c) */
    if (atomic_load_explicit(&f->state, memory_order_acquire) != JIT_COMPILED) continue;
    if (a >= (uintptr_t)f->region.code && a < (uintptr_t)f->region.code + f->region.len) {
      jit_tierup_hot(jm, k);
      return;
    }
  }
}

/* A load and a store, not a locked decrement (every call from the runtime into baseline
 * code passes here: lua's calls through tables): two threads may lose a decrement, which
 * only delays the ask. The count stops at -1 once it has asked. */
void jit_tierup_count(const jit_func *f) {
  jit_module *jm = (jit_module *)f->jm;
  _Atomic int64_t *n = &jm->up->count[f->k];
  int64_t left = atomic_load_explicit(n, memory_order_relaxed);
  if (left < 0) return;
  atomic_store_explicit(n, left - 1, memory_order_relaxed);
  if (left == 0) jit_tierup_hot(jm, f->k);
}

exec_trap_kind jit_tierup_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp) {
  jit_tierup_count((const jit_func *)n);
  return jit_enter(n, th, inst, fp);
}

void jit_tierup_wait(jit_module *jm) {
  jit_tierup *up = jm->up;
  if (!up) return;
  pthread_mutex_lock(&pool_mu);
  waiters++; /* what it waits for starts now, whatever the budget */
  pthread_cond_broadcast(&pool_work);
  for (;;) {
    bool queued = false;
    for (job *j = queue_head; j && !queued; j = j->next) queued = j->jm == jm;
    for (job *j = running; j && !queued; j = j->next) queued = j->jm == jm && !j->dead;
    if (!queued && !up->busy) break;
    pthread_cond_wait(&pool_idle, &pool_mu);
  }
  waiters--;
  pthread_mutex_unlock(&pool_mu);
}

void jit_tierup_free(jit_module *jm) {
  jit_tierup *up = jm->up;
  if (!up) return;
  pthread_mutex_lock(&pool_mu);
  up->dead = true;
  for (job **p = &queue_head; *p;) {
    if ((*p)->jm == jm) {
      job *d = *p;
      *p = d->next;
      free(d);
    } else {
      p = &(*p)->next;
    }
  }
  for (job *j = running; j; j = j->next)
    if (j->jm == jm) j->dead = true; /* its LLVM phase goes on; the code is released */
  while (up->busy) pthread_cond_wait(&pool_idle, &pool_mu);
  pthread_mutex_unlock(&pool_mu);
  for (uint32_t k = 0; k < jm->nfuncs; k++)
    if (up->handles[k]) up->hooks->release(up->handles[k]);
  free(up->ofuncs);
  free(up->code);
  free(up->handles);
  free((void *)up->count);
  free((void *)up->asked);
  free(up);
  jm->up = NULL;
}
