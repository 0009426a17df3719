/* The resource guard through the embedding API: fuel run out, topped up and the call
 * repeated; a call cancelled from another thread; deadlines (sticky until re-armed, and a
 * store freed with its deadline armed); memory, table, instance and depth limits; the
 * usage report. No check depends on how long anything takes. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "text/text.h"
#include "unit.h"
#include "weld.h"

static const char guard_wat[] =
    "(module\n"
    "  (import \"env\" \"started\" (func $started))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (table 1 funcref)\n"
    "  (global $done (mut i32) (i32.const 0))\n"
    /* counts the global up to 100000, one step per iteration: resumable state */
    "  (func (export \"count\") (result i32)\n"
    "    (block $out (loop $l\n"
    "      (br_if $out (i32.ge_u (global.get $done) (i32.const 100000)))\n"
    "      (global.set $done (i32.add (global.get $done) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (global.get $done))\n"
    "  (func (export \"spin\") (call $started) (loop $l (br $l)))\n"
    "  (func $rec (export \"rec\") (call $rec))\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    "  (func (export \"tgrow\") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))\n"
    /* fills [0, n) with 7 (both arguments are n) */
    "  (func (export \"fill\") (param i32 i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0)))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))\n";

static atomic_int spin_started;

static weld_trap *on_started(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)env, (void)args, (void)res;
  atomic_store(&spin_started, 1);
  return NULL;
}

typedef struct fixture {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
  weld_func *started;
} fixture;

static bool setup(fixture *f, const weld_limits *lim) {
  memset(f, 0, sizeof *f);
  uint8_t *bin;
  size_t len;
  util_error err;
  util_error_clear(&err);
  if (!CHECK(text_wat_to_binary(guard_wat, sizeof guard_wat - 1, "guard", &bin, &len, &err)))
    return false;
  f->e = weld_engine_new(NULL);
  weld_error *werr = NULL;
  f->m = weld_module_new(f->e, bin, len, &werr);
  free(bin);
  if (!CHECK(f->m)) return false;
  f->s = weld_store_new(f->e);
  if (lim) weld_store_set_limits(f->s, lim);
  f->started = weld_func_new(f->s, NULL, 0, NULL, 0, on_started, NULL, NULL);
  weld_import imp = {"env", "started", {.kind = WELD_EXTERN_FUNC, .of.func = f->started}};
  weld_trap *trap = NULL;
  f->i = weld_instance_new(f->s, f->m, &imp, 1, &trap, &werr);
  if (werr) weld_error_free(werr);
  if (trap) weld_trap_free(trap);
  return CHECK(f->i != NULL);
}

static void teardown(fixture *f) {
  weld_store_free(f->s);
  weld_module_free(f->m);
  weld_engine_free(f->e);
}

/* Calls export `name`; returns the trap kind (0 = none) and the first i32 result. */
static int call(fixture *f, const char *name, int32_t a, int32_t *result) {
  weld_func *fn = weld_instance_func(f->i, name);
  if (!fn) return -1;
  weld_val args[2] = {WELD_I32_VAL(a), WELD_I32_VAL(a)}, res[1] = {WELD_I32_VAL(0)};
  weld_trap *t = weld_func_call(fn, args, weld_func_param_count(fn), res, 1);
  if (result) *result = res[0].of.i32;
  if (!t) return 0;
  int k = (int)weld_trap_get_kind(t);
  weld_trap_free(t);
  return k;
}

UNIT_GROUP(guard_fuel) {
  fixture f;
  if (!setup(&f, NULL)) return;
  weld_store_set_fuel(f.s, 1000);
  int32_t r = 0;
  CHECK_EQ_I64(call(&f, "count", 0, &r), WELD_TRAP_OUT_OF_FUEL);
  CHECK_EQ_U64(weld_store_get_fuel(f.s), 0);
  /* add fuel and call again until the work is done: the state survives every stop */
  int stops = 1, k;
  while ((k = call(&f, "count", 0, &r)) == WELD_TRAP_OUT_OF_FUEL && stops < 1000) {
    weld_store_add_fuel(f.s, 5000);
    stops++;
  }
  CHECK_EQ_I64(k, 0);
  CHECK_EQ_I64(r, 100000);
  CHECK(stops > 10);
  weld_usage u;
  weld_store_usage(f.s, &u);
  CHECK(u.fuel_enabled);
  /* one unit per iteration (100000) and per call entry */
  CHECK(u.fuel_consumed >= 100000 && u.fuel_consumed <= 100000 + 2 * (uint64_t)stops + 2);
  CHECK_STR(u.stopped_by, "fuel");
  /* bulk work pays by size before it writes: a 64 KiB fill costs 1024 units (plus the
   * call's entry), so with 1000 left it stops with memory untouched, and runs once
   * topped up */
  uint8_t *mem = weld_memory_data(weld_instance_memory(f.i, "memory"));
  weld_store_set_fuel(f.s, 1000);
  CHECK_EQ_I64(call(&f, "fill", 65536, NULL), WELD_TRAP_OUT_OF_FUEL);
  CHECK(mem[0] == 0 && mem[65535] == 0);
  weld_store_set_fuel(f.s, 1025);
  CHECK_EQ_I64(call(&f, "fill", 65536, NULL), 0);
  CHECK(mem[0] == 7 && mem[65535] == 7);
  CHECK_EQ_U64(weld_store_get_fuel(f.s), 0);
  /* a call that needs no more fuel than there is runs and leaves the rest */
  weld_store_set_fuel(f.s, 10);
  CHECK_EQ_I64(call(&f, "add", 20, &r), 0);
  CHECK_EQ_I64(r, 40);
  CHECK_EQ_U64(weld_store_get_fuel(f.s), 9);
  teardown(&f);
}

static void *canceller(void *arg) {
  weld_store *s = arg;
  while (!atomic_load(&spin_started)) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  weld_store_interrupt(s);
  return NULL;
}

UNIT_GROUP(guard_cancel) {
  fixture f;
  if (!setup(&f, NULL)) return;
  atomic_store(&spin_started, 0);
  pthread_t t;
  if (!CHECK(pthread_create(&t, NULL, canceller, f.s) == 0)) return;
  CHECK_EQ_I64(call(&f, "spin", 0, NULL), WELD_TRAP_INTERRUPTED);
  pthread_join(t, NULL);
  /* the store is still usable, and a cancel stops one call only */
  int32_t r = 0;
  CHECK_EQ_I64(call(&f, "add", 2, &r), 0);
  CHECK_EQ_I64(r, 4);
  CHECK_EQ_I64(call(&f, "count", 0, &r), 0);
  /* a cancel raised while nothing runs stops the next call at once */
  weld_store_interrupt(f.s);
  CHECK_EQ_I64(call(&f, "spin", 0, NULL), WELD_TRAP_INTERRUPTED);
  CHECK_EQ_I64(call(&f, "add", 1, &r), 0);
  teardown(&f);
}

UNIT_GROUP(guard_deadline) {
  fixture f;
  if (!setup(&f, NULL)) return;
  CHECK(weld_store_set_deadline(f.s, 20 * 1000000ull));
  CHECK_EQ_I64(call(&f, "spin", 0, NULL), WELD_TRAP_DEADLINE);
  /* the deadline has passed: later calls stop too, until it is re-armed or cleared */
  CHECK_EQ_I64(call(&f, "spin", 0, NULL), WELD_TRAP_DEADLINE);
  weld_usage u;
  weld_store_usage(f.s, &u);
  CHECK_STR(u.stopped_by, "deadline");
  CHECK(weld_store_set_deadline(f.s, 0));
  int32_t r = 0;
  CHECK_EQ_I64(call(&f, "add", 5, &r), 0);
  CHECK_EQ_I64(r, 10);
  /* a far deadline does not disturb a finite call */
  CHECK(weld_store_set_deadline(f.s, 3600ull * 1000000000ull));
  CHECK_EQ_I64(call(&f, "count", 0, &r), 0);
  /* a cancel and a deadline: whichever comes first is the reason */
  CHECK(weld_store_set_deadline(f.s, 1000000ull));
  CHECK_EQ_I64(call(&f, "spin", 0, NULL), WELD_TRAP_DEADLINE);
  teardown(&f);
  /* a store freed while its deadline is armed is never touched again */
  for (int k = 0; k < 20; k++) {
    fixture g;
    if (!setup(&g, NULL)) return;
    CHECK(weld_store_set_deadline(g.s, (uint64_t)(k % 3) * 100000ull + 1));
    teardown(&g);
  }
  struct timespec ts = {0, 5000000};
  nanosleep(&ts, NULL);
}

UNIT_GROUP(guard_limits) {
  weld_limits lim;
  weld_limits_default(&lim);
  CHECK_EQ_U64(lim.memory_bytes, WELD_UNLIMITED);
  /* four pages of memory and the table's (at most) ten 8-byte elements: tables count in
   * the instance's memory total */
  lim.memory_bytes = 4 * 65536 + 10 * 8;
  lim.table_elements = 10;
  lim.max_call_depth = 50;
  lim.max_instances = 1;
  fixture f;
  if (!setup(&f, &lim)) return;
  int32_t r = 0;
  CHECK_EQ_I64(call(&f, "grow", 3, &r), 0);
  CHECK_EQ_I64(r, 1);
  CHECK_EQ_I64(call(&f, "grow", 1, &r), 0);
  CHECK_EQ_I64(r, -1); /* as the spec allows */
  CHECK_EQ_I64(call(&f, "tgrow", 9, &r), 0);
  CHECK_EQ_I64(r, 1);
  CHECK_EQ_I64(call(&f, "tgrow", 1, &r), 0);
  CHECK_EQ_I64(r, -1);
  CHECK_EQ_I64(call(&f, "rec", 0, NULL), WELD_TRAP_STACK_EXHAUSTED);
  weld_usage u;
  weld_store_usage(f.s, &u);
  CHECK_EQ_U64(u.peak_memory_bytes, 4 * 65536);
  CHECK_EQ_U64(u.peak_table_elements, 10);
  CHECK_EQ_U64(u.grow_denials, 2);
  CHECK_STR(u.stopped_by, "stack");
  /* the host's own grows and new memories are held to the same limit */
  weld_memory *mem = weld_instance_memory(f.i, "memory");
  CHECK_EQ_I64(weld_memory_grow(mem, 1), -1);
  CHECK(weld_memory_new(f.s, 5, 10) == NULL);
  weld_memory *small = weld_memory_new(f.s, 1, 10);
  CHECK(small != NULL);
  /* the instance's table holds all 10 elements the store may have: a host table of one
   * more is refused (the limit holds over all the store's tables) */
  weld_val null_ref = {.kind = WELD_FUNCREF, .of.funcref = NULL};
  CHECK(weld_table_new(f.s, WELD_FUNCREF, 1, 10, null_ref) == NULL);
  /* one instance per store: the second is refused with a LIMIT error */
  weld_import imp = {"env", "started", {.kind = WELD_EXTERN_FUNC, .of.func = f.started}};
  weld_trap *trap = NULL;
  weld_error *err = NULL;
  CHECK(weld_instance_new(f.s, f.m, &imp, 1, &trap, &err) == NULL);
  if (CHECK(err != NULL)) {
    CHECK_EQ_I64(weld_error_get_kind(err), WELD_ERROR_LIMIT);
    CHECK_PREFIX(weld_error_message(err), "instance limit reached");
    weld_error_free(err);
  }
  weld_store_usage(f.s, &u);
  CHECK_STR(u.stopped_by, "instances");
  CHECK_EQ_U64(u.limit_denials, 3); /* the memory and the table above, and the instance */
  /* the stopped calls left the store usable */
  CHECK_EQ_I64(call(&f, "add", 21, &r), 0);
  CHECK_EQ_I64(r, 42);
  /* trap instead of -1 when asked */
  weld_limits got;
  weld_store_get_limits(f.s, &got);
  CHECK_EQ_U64(got.memory_bytes, 4 * 65536 + 10 * 8);
  CHECK_EQ_U64(got.max_call_depth, 50);
  got.trap_on_grow_failure = true;
  weld_store_set_limits(f.s, &got);
  CHECK_EQ_I64(call(&f, "grow", 1, &r), WELD_TRAP_LIMIT);
  CHECK_EQ_I64(call(&f, "tgrow", 1, &r), WELD_TRAP_LIMIT);
  weld_store_usage(f.s, &u);
  CHECK_STR(u.stopped_by, "table");
  teardown(&f);

  /* a declared minimum above the limit fails before anything is allocated */
  weld_limits_default(&lim);
  lim.memory_bytes = 65535;
  fixture g;
  memset(&g, 0, sizeof g);
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(guard_wat, sizeof guard_wat - 1, "guard", &bin, &len, &uerr))) return;
  g.e = weld_engine_new(NULL);
  g.m = weld_module_new(g.e, bin, len, &err);
  free(bin);
  g.s = weld_store_new(g.e);
  weld_store_set_limits(g.s, &lim);
  g.started = weld_func_new(g.s, NULL, 0, NULL, 0, on_started, NULL, NULL);
  imp.item.of.func = g.started;
  err = NULL;
  CHECK(weld_instance_new(g.s, g.m, &imp, 1, &trap, &err) == NULL);
  if (CHECK(err != NULL)) {
    CHECK_EQ_I64(weld_error_get_kind(err), WELD_ERROR_LIMIT);
    CHECK_PREFIX(weld_error_message(err), "memory 0: declared minimum of 65536 bytes exceeds the memory limit");
    weld_error_free(err);
  }
  teardown(&g);
}

/* ---------- blocking host calls ------------------------------------------------------------ */

/* A WASI call asleep in the kernel (poll_oneoff on a one-hour timer) is woken by a cancel
 * from another thread and by the store's deadline; the store stays usable. Nothing here
 * measures time: without the wake-up the call would sleep for an hour and the harness's
 * safety net would fail the run. */
static const char sleep_wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"poll_oneoff\" (func $poll (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"env\" \"started\" (func $started))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"sleep\") (param $ns i64) (result i32)\n"
    "    (i64.store (i32.const 0) (i64.const 1))\n"
    "    (i32.store (i32.const 16) (i32.const 1))\n"
    "    (i64.store (i32.const 24) (local.get $ns))\n"
    "    (call $started)\n"
    "    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))\n";

static void *late_canceller(void *arg) {
  weld_store *s = arg;
  while (!atomic_load(&spin_started)) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  /* give the call time to reach the kernel, so the wake-up path is what ends it */
  struct timespec ts = {0, 50000000};
  nanosleep(&ts, NULL);
  weld_store_interrupt(s);
  return NULL;
}

static int call_sleep(weld_instance *inst, int64_t ns, int32_t *result) {
  weld_val args[1] = {WELD_I64_VAL(ns)}, res[1] = {WELD_I32_VAL(-1)};
  weld_trap *t = weld_func_call(weld_instance_func(inst, "sleep"), args, 1, res, 1);
  *result = res[0].of.i32;
  if (!t) return 0;
  int k = (int)weld_trap_get_kind(t);
  weld_trap_free(t);
  return k;
}

UNIT_GROUP(guard_blocking) {
  weld_engine *e = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)sleep_wat, sizeof sleep_wat - 1, &err);
  weld_wasi_config cfg = {0};
  weld_wasi *w = weld_wasi_new(&cfg, &err);
  weld_store *s = weld_store_new(e);
  weld_import imports[2];
  long n = m && w ? weld_wasi_imports(w, s, m, imports, &err) : -1;
  weld_instance *inst = NULL;
  CHECK_EQ_I64(n, 1);
  if (n == 1) {
    imports[1] = (weld_import){"env", "started", {.kind = WELD_EXTERN_FUNC,
                               .of.func = weld_func_new(s, NULL, 0, NULL, 0, on_started, NULL, NULL)}};
    weld_trap *trap = NULL;
    inst = weld_instance_new(s, m, imports, 2, &trap, &err);
    if (trap) weld_trap_free(trap);
  }
  if (CHECK(inst != NULL) && CHECK(weld_wasi_bind(w, inst, &err))) {
    int32_t r = -1;
    /* a cancel from another thread */
    atomic_store(&spin_started, 0);
    pthread_t t;
    if (CHECK(pthread_create(&t, NULL, late_canceller, s) == 0)) {
      CHECK_EQ_I64(call_sleep(inst, 3600ll * 1000000000ll, &r), WELD_TRAP_INTERRUPTED);
      pthread_join(t, NULL);
    }
    /* the cancel is spent: a short sleep completes */
    CHECK_EQ_I64(call_sleep(inst, 1000000, &r), 0);
    CHECK_EQ_I64(r, 0);
    /* the deadline */
    CHECK(weld_store_set_deadline(s, 50 * 1000000ull));
    CHECK_EQ_I64(call_sleep(inst, 3600ll * 1000000000ll, &r), WELD_TRAP_DEADLINE);
    weld_usage u;
    weld_store_usage(s, &u);
    CHECK_STR(u.stopped_by, "deadline");
    CHECK(weld_store_set_deadline(s, 0));
    CHECK_EQ_I64(call_sleep(inst, 1000, &r), 0);
  }
  if (err) weld_error_free(err);
  weld_store_free(s);
  weld_wasi_free(w);
  weld_module_free(m);
  weld_engine_free(e);
}
