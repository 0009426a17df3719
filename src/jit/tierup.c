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
 * (module, function) from one queue in order; with compile_threads 0 the call that asks
 * compiles the function itself. The threads start with the first job, not with the
 * module: most runs (a hello world, a short command) never make a function hot, and
 * would pay for a thread and its 16 MiB stack mapping at start-up for nothing. Each job lowers the one function into its own LLVM
 * module (calls to other functions go through the runtime; a call_indirect may call
 * another optimised function directly through up->code).
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
 * Lifetime. A module being freed (jit_tierup_free) drops its queued jobs and waits,
 * under the pool's mutex, until no thread is compiling for it; only then is its code
 * released. README.md describes the synchronisation. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jit_int.h"

typedef struct job {
  struct job *next;
  jit_module *jm;
  uint32_t k;
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
  uint32_t busy;             /* pool threads compiling for this module (pool mutex) */
  bool dead;                 /* being freed: no more jobs (pool mutex) */
} jit_tierup;

/* ---------- the pool ---------- */

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER, pool_idle = PTHREAD_COND_INITIALIZER;
static job *queue_head, *queue_tail;
static uint32_t pool_threads;
static uint32_t pool_active; /* threads compiling now */
static bool pool_stopping;   /* the process is exiting: no more jobs start */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Compiles defined function k of jm through the hooks and switches to it. */
static void compile_and_switch(jit_module *jm, uint32_t k) {
  jit_tierup *up = jm->up;
  exec_module *em = jm->em;
  double t0 = now();
  jit_opt_code out = {0};
  const char *why = up->hooks->compile(em, k, jm->guard, (void *const *)up->code, &out);
  double dt = now() - t0;
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
  of->entry = out.entry;
  of->frame_slots = out.frame_slots;
  up->handles[k] = out.handle;
  if (out.frame_slots > c->frame_slots) __atomic_store_n(&c->frame_slots, out.frame_slots, __ATOMIC_RELEASE);
  jit_func_set_stub(of, jit_enter_llvm, f->counting.code, f->counting.code_len);
  __atomic_store_n(&up->code[k], (void *)(uintptr_t)out.entry, __ATOMIC_RELEASE);
  __atomic_store_n(&c->code, (void *)of->stub, __ATOMIC_RELEASE);
  jm->stats.optimized++;
  pthread_mutex_unlock(jm->lock);
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&pool_mu);
  for (;;) {
    while (!queue_head || pool_stopping) pthread_cond_wait(&pool_work, &pool_mu);
    job *j = queue_head;
    queue_head = j->next;
    if (!queue_head) queue_tail = NULL;
    jit_module *jm = j->jm;
    uint32_t k = j->k;
    free(j);
    jm->up->busy++; /* jit_tierup_free waits for this to come back to 0 */
    pool_active++;
    pthread_mutex_unlock(&pool_mu);
    compile_and_switch(jm, k);
    pthread_mutex_lock(&pool_mu);
    jm->up->busy--;
    pool_active--;
    pthread_cond_broadcast(&pool_idle);
  }
  return NULL;
}

/* At exit: no job starts any more and the ones running finish first, so no thread is
 * inside LLVM when the process's (and libLLVM's) destructors run. */
static void pool_stop(void) {
  pthread_mutex_lock(&pool_mu);
  pool_stopping = true;
  while (queue_head) {
    job *j = queue_head;
    queue_head = j->next;
    free(j);
  }
  queue_tail = NULL;
  while (pool_active) pthread_cond_wait(&pool_idle, &pool_mu);
  pthread_mutex_unlock(&pool_mu);
}

/* Starts pool threads up to n (never more than JIT_MAX_COMPILE_THREADS); the number
 * running (pool mutex held). */
static uint32_t pool_grow(uint32_t n) {
  if (n > JIT_MAX_COMPILE_THREADS) n = JIT_MAX_COMPILE_THREADS;
  if (!pool_threads && n && atexit(pool_stop) != 0) return 0;
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
  if (!o->opt || !o->opt->compile) return true;
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
    compile_and_switch(jm, k);
    return;
  }
  job *j = malloc(sizeof *j);
  if (!j) return; /* out of memory: the function stays in baseline code */
  j->next = NULL;
  j->jm = jm;
  j->k = k;
  pthread_mutex_lock(&pool_mu);
  if (up->dead || pool_stopping) {
    pthread_mutex_unlock(&pool_mu);
    free(j);
    return;
  }
  if (pool_grow(up->threads) == 0) { /* no thread: compiled here, as with compile_threads 0 */
    pthread_mutex_unlock(&pool_mu);
    free(j);
    compile_and_switch(jm, k);
    return;
  }
  if (queue_tail) queue_tail->next = j;
  else queue_head = j;
  queue_tail = j;
  pthread_cond_signal(&pool_work);
  pthread_mutex_unlock(&pool_mu);
}

void jit_tierup_sample(jit_module *jm, const void *pc) {
  uintptr_t a = (uintptr_t)pc;
  for (uint32_t k = 0; k < jm->nfuncs; k++) {
    const jit_func *f = &jm->funcs[k];
    /* map is written before the state becomes JIT_COMPILED (release, tier.c) */
    if (atomic_load_explicit(&f->state, memory_order_acquire) != JIT_COMPILED) continue;
    if (a >= (uintptr_t)f->map && a < (uintptr_t)f->map + f->map_len) {
      jit_tierup_hot(jm, k);
      return;
    }
  }
}

void jit_tierup_count(const jit_func *f) {
  jit_module *jm = (jit_module *)f->jm;
  if (atomic_fetch_sub_explicit(&jm->up->count[f->k], 1, memory_order_relaxed) == 0) jit_tierup_hot(jm, f->k);
}

exec_trap_kind jit_tierup_enter(const exec_native *n, exec_thread *th, exec_instance *inst, exec_slot *fp) {
  jit_tierup_count((const jit_func *)n);
  return jit_enter(n, th, inst, fp);
}

void jit_tierup_wait(jit_module *jm) {
  jit_tierup *up = jm->up;
  if (!up) return;
  pthread_mutex_lock(&pool_mu);
  for (;;) {
    bool queued = false;
    for (job *j = queue_head; j && !queued; j = j->next) queued = j->jm == jm;
    if (!queued && !up->busy) break;
    pthread_cond_wait(&pool_idle, &pool_mu);
  }
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
  queue_tail = NULL;
  for (job *j = queue_head; j; j = j->next) queue_tail = j;
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
