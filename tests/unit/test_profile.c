/* The guest profiler through the embedding API: samples name the call chain that ran,
 * the folded file and the SVG are written, a cancel is not lost to a pending sample
 * request, and a profiler can be restarted on the same store. The guest runs until the
 * profiler has taken the samples the check needs (a host function asks), so no check
 * depends on how long anything takes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "exec/exec.h"
#include "unit.h"
#include "weld.h"

static const char profile_wat[] =
    "(module\n"
    "  (import \"env\" \"enough\" (func $enough (result i32)))\n"
    "  (import \"env\" \"started\" (func $started))\n"
    "  (func $inner (param i32) (result i32) (local i32)\n"
    "    (loop $l\n"
    "      (local.set 1 (i32.add (local.get 1) (local.get 0)))\n"
    "      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))\n"
    "    (local.get 1))\n"
    "  (func $outer (param i32) (result i32) (call $inner (local.get 0)))\n"
    /* runs outer -> inner until the host says the profile has enough samples */
    "  (func (export \"work\")\n"
    "    (loop $l (drop (call $outer (i32.const 100000))) (br_if $l (i32.eqz (call $enough)))))\n"
    /* up to 2^32 iterations: long enough to be cancelled, not forever */
    "  (func (export \"spin\") (local i32) (call $started)\n"
    "    (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))\n";

static weld_profiler *current;
static atomic_int started;

static weld_trap *enough(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)env, (void)args;
  res[0] = (weld_val)WELD_I32_VAL(weld_profiler_sample_count(current) >= 5);
  return NULL;
}

static weld_trap *on_started(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)env, (void)args, (void)res;
  atomic_store(&started, 1);
  return NULL;
}

typedef struct fixture {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
} fixture;

static bool setup(fixture *f) {
  memset(f, 0, sizeof *f);
  /* the default tier, with functions compiled one by one: the profiler samples them while
   * they are interpreted and the store promotes nothing while it samples (a module compiled
   * whole when made would give no samples at all: weld.h, weld_profiler_start) */
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier_eager_bytes = 0;
  f->e = weld_engine_new(&cfg);
  weld_error *err = NULL;
  f->m = weld_module_new(f->e, (const uint8_t *)profile_wat, sizeof profile_wat - 1, &err);
  if (!CHECK(f->m)) return false;
  f->s = weld_store_new(f->e);
  weld_valkind i32 = WELD_I32;
  weld_func *fe = weld_func_new(f->s, NULL, 0, &i32, 1, enough, NULL, NULL);
  weld_func *fs = weld_func_new(f->s, NULL, 0, NULL, 0, on_started, NULL, NULL);
  weld_import imps[2] = {{"env", "enough", {.kind = WELD_EXTERN_FUNC, .of.func = fe}},
                         {"env", "started", {.kind = WELD_EXTERN_FUNC, .of.func = fs}}};
  weld_trap *trap = NULL;
  f->i = weld_instance_new(f->s, f->m, imps, 2, &trap, &err);
  if (err) weld_error_free(err);
  if (trap) weld_trap_free(trap);
  return CHECK(f->i != NULL);
}

static void teardown(fixture *f) {
  weld_store_free(f->s);
  weld_module_free(f->m);
  weld_engine_free(f->e);
}

static int call(fixture *f, const char *name) {
  weld_trap *t = weld_func_call(weld_instance_func(f->i, name), NULL, 0, NULL, 0);
  if (!t) return 0;
  int k = (int)weld_trap_get_kind(t);
  weld_trap_free(t);
  return k;
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  char *buf = calloc(1, 1 << 16);
  size_t n = fread(buf, 1, (1 << 16) - 1, fp);
  buf[n] = 0;
  fclose(fp);
  return buf;
}

UNIT_GROUP(profile_samples) {
  fixture f;
  if (!setup(&f)) return;
  weld_error *err = NULL;
  current = weld_profiler_start(f.s, 100000, &err);
  if (!CHECK(current)) return;
  /* one profiler per store */
  weld_profiler *again = weld_profiler_start(f.s, 0, &err);
  CHECK(again == NULL && err != NULL);
  if (err) weld_error_free(err);
  err = NULL;
  CHECK_EQ_I64(call(&f, "work"), 0);
  weld_profiler_stop(current);
  CHECK(weld_profiler_sample_count(current) >= 5);
  char folded[] = "/tmp/weld-profile-XXXXXX";
  int fd = mkstemp(folded);
  if (!CHECK(fd >= 0)) return;
  close(fd);
  CHECK(weld_profiler_write_folded(current, folded, &err));
  char *text = slurp(folded);
  /* the loop spends its time in inner, reached from work through outer; the text's
   * $names are kept, the unnamed export is func[N] (the imports take 0 and 1) */
  CHECK(text && strstr(text, "func[4];outer;inner "));
  free(text);
  CHECK(weld_profiler_write_svg(current, folded, "t", &err));
  text = slurp(folded);
  CHECK(text && strstr(text, "<svg") && strstr(text, "</svg>"));
  free(text);
  remove(folded);
  weld_profiler_free(current);
  /* stopped and freed: the store runs unprofiled, and can be profiled again */
  current = weld_profiler_start(f.s, 100000, &err);
  if (CHECK(current)) {
    CHECK_EQ_I64(call(&f, "work"), 0);
    weld_profiler_free(current);
  }
  current = NULL;
  teardown(&f);
}

/* Cancels once the guest runs and a sample request is pending (the store's flag is
 * read directly: the moment that matters is not visible through the API). */
static void *canceller(void *arg) {
  exec_store *s = arg;
  while (!atomic_load(&started) || atomic_load(&s->interrupt) != EXEC_INTERRUPT_SAMPLE) {
    struct timespec ts = {0, 10000};
    nanosleep(&ts, NULL);
  }
  weld_store_interrupt(arg);
  return NULL;
}

/* A cancel that arrives while a sample request is pending must not be lost. */
UNIT_GROUP(profile_cancel) {
  fixture f;
  if (!setup(&f)) return;
  weld_error *err = NULL;
  current = weld_profiler_start(f.s, 1000, &err);
  if (!CHECK(current)) return;
  atomic_store(&started, 0);
  pthread_t t;
  if (!CHECK(pthread_create(&t, NULL, canceller, f.s) == 0)) return;
  CHECK_EQ_I64(call(&f, "spin"), WELD_TRAP_INTERRUPTED);
  pthread_join(t, NULL);
  weld_profiler_free(current);
  current = NULL;
  teardown(&f);
}
