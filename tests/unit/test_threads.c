/* The threads proposal through the embedding API, where the scripts do not reach: the
 * trap kinds and messages of atomics and wait; a wait's sleep ended by a cancel from
 * another thread and by the store's deadline (its trap, not "timed-out"); a finite wait
 * that times out sleeps at least its timeout; host-made shared memories and import
 * matching; and the printer's round trip of shared memories and every atomic
 * instruction. Each check runs in the interpreter and in the baseline compiler. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/text.h"
#include "unit.h"
#include "wasm/module.h"
#include "weld.h"

static const char threads_wat[] =
    "(module\n"
    "  (memory (export \"mem\") 1 1 shared)\n"
    "  (memory $u 1)\n"
    "  (func (export \"wait32\") (param i32 i32 i64) (result i32)\n"
    "    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"wait_unshared\") (result i32)\n"
    "    (memory.atomic.wait64 $u (i32.const 0) (i64.const 0) (i64.const 0)))\n"
    "  (func (export \"notify\") (param i32 i32) (result i32) (memory.atomic.notify (local.get 0) (local.get 1)))\n"
    "  (func (export \"rmw\") (param i32 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1)))\n"
    ")\n";

typedef struct fx {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
} fx;

static bool setup(fx *f, weld_tier tier) {
  memset(f, 0, sizeof *f);
  weld_config c;
  weld_config_default(&c);
  c.tier = tier;
  f->e = weld_engine_new(&c);
  weld_error *err = NULL;
  f->m = weld_module_new(f->e, (const uint8_t *)threads_wat, sizeof threads_wat - 1, &err);
  if (!CHECK(f->m != NULL)) {
    if (err) weld_error_free(err);
    return false;
  }
  f->s = weld_store_new(f->e);
  weld_trap *trap = NULL;
  f->i = weld_instance_new(f->s, f->m, NULL, 0, &trap, &err);
  return CHECK(f->i != NULL);
}

static void teardown(fx *f) {
  weld_store_free(f->s);
  weld_module_free(f->m);
  weld_engine_free(f->e);
}

/* Calls `name` with up to three arguments (i32, i32, i64); returns the trap kind (-1:
 * none) with its message in msg, the i32 result in *r. */
static int call(fx *f, const char *name, int32_t a0, int32_t a1, int64_t a2, int32_t *r, char *msg, size_t cap) {
  weld_extern x = weld_instance_export(f->i, name);
  if (!CHECK(x.kind == WELD_EXTERN_FUNC)) return -2;
  weld_val args[3] = {{.kind = WELD_I32, .of.i32 = a0}, {.kind = WELD_I32, .of.i32 = a1},
                      {.kind = WELD_I64, .of.i64 = a2}};
  weld_val res[1];
  weld_trap *t = weld_func_call(x.of.func, args, weld_func_param_count(x.of.func), res, 1);
  if (t) {
    int k = (int)weld_trap_get_kind(t);
    if (msg) snprintf(msg, cap, "%s", weld_trap_message(t));
    weld_trap_free(t);
    return k;
  }
  if (r) *r = res[0].of.i32;
  return -1;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const weld_tier tiers[] = {WELD_TIER_INTERP, WELD_TIER_BASELINE};

static bool tier_runs(weld_tier t) { return weld_tier_unsupported(t) == NULL; }

UNIT_GROUP(threads_traps) {
  for (size_t k = 0; k < sizeof tiers / sizeof tiers[0]; k++) {
    if (!tier_runs(tiers[k])) continue;
    fx f;
    if (!setup(&f, tiers[k])) return;
    char msg[256] = "";
    int32_t r = -7;
    /* memory 0 holds zeros: a wait for 1 finds 0 ("not-equal", 1) */
    CHECK_EQ_I64(call(&f, "wait32", 0, 1, -1, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 1);
    /* a wait for 0 with timeout 0: "timed-out" (2) at once */
    CHECK_EQ_I64(call(&f, "wait32", 0, 0, 0, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 2);
    CHECK_EQ_I64(call(&f, "notify", 0, 5, 0, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 0);
    CHECK_EQ_I64(call(&f, "wait32", 6, 0, 0, &r, msg, sizeof msg), WELD_TRAP_UNALIGNED_ATOMIC);
    CHECK_STR(msg, "unaligned atomic");
    CHECK_EQ_I64(call(&f, "rmw", 2, 1, 0, &r, msg, sizeof msg), WELD_TRAP_UNALIGNED_ATOMIC);
    CHECK_EQ_I64(call(&f, "rmw", 65536, 1, 0, &r, msg, sizeof msg), WELD_TRAP_MEMORY_OOB);
    CHECK_STR(msg, "out of bounds memory access");
    CHECK_EQ_I64(call(&f, "wait_unshared", 0, 0, 0, &r, msg, sizeof msg), WELD_TRAP_EXPECTED_SHARED);
    CHECK_STR(msg, "expected shared memory");
    /* no timeout and a matching value: nothing could notify, so it traps */
    CHECK_EQ_I64(call(&f, "wait32", 0, 0, -1, &r, msg, sizeof msg), WELD_TRAP_WAIT_FOREVER);
    CHECK(strstr(msg, "memory.atomic.wait without a timeout would block forever") == msg);
    /* rmw.add: 0 + 5, then 5 + 7 (the old value returns) */
    CHECK_EQ_I64(call(&f, "rmw", 8, 5, 0, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 0);
    CHECK_EQ_I64(call(&f, "rmw", 8, 7, 0, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 5);
    /* fuel bounds a wait's sleep: 1 unit per 1,024 ns of timeout, charged before it.
     * 10 s is 9,765,625 units: more than 1,000 */
    weld_store_set_fuel(f.s, 1000);
    CHECK_EQ_I64(call(&f, "wait32", 0, 0, 10ll * 1000000000ll, &r, msg, sizeof msg), WELD_TRAP_OUT_OF_FUEL);
    /* 1,024,000 ns is 1,000 units (and the call's own entry one more) */
    weld_store_set_fuel(f.s, 5000);
    CHECK_EQ_I64(call(&f, "wait32", 0, 0, 1024000, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 2);
    uint64_t left = weld_store_get_fuel(f.s);
    CHECK(left <= 4000 && left >= 3990);
    weld_extern mem = weld_instance_export(f.i, "mem");
    if (CHECK(mem.kind == WELD_EXTERN_MEMORY)) {
      CHECK(weld_memory_is_shared(mem.of.memory));
      CHECK_EQ_U64(weld_memory_data(mem.of.memory)[8], 12);
    }
    teardown(&f);
  }
}

static atomic_int waiting;

static void *canceller(void *arg) {
  weld_store *s = arg;
  struct timespec ts = {0, 20000000}; /* the call is (about to be) asleep in its wait */
  while (!atomic_load(&waiting)) nanosleep(&ts, NULL);
  nanosleep(&ts, NULL);
  weld_store_interrupt(s);
  return NULL;
}

UNIT_GROUP(threads_wait_interrupted) {
  for (size_t k = 0; k < sizeof tiers / sizeof tiers[0]; k++) {
    if (!tier_runs(tiers[k])) continue;
    fx f;
    if (!setup(&f, tiers[k])) return;
    int32_t r = -7;
    char msg[256] = "";
    /* a finite wait sleeps out its timeout (20 ms), then "timed-out" */
    uint64_t t0 = now_ns();
    CHECK_EQ_I64(call(&f, "wait32", 0, 0, 20000000, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 2);
    CHECK(now_ns() - t0 >= 20000000ull);
    /* a cancel from another thread ends a 10-minute wait with its trap (were the sleep
     * not interruptible, the call would return 2 after the timeout and fail here) */
    atomic_store(&waiting, 1);
    pthread_t th;
    if (CHECK(pthread_create(&th, NULL, canceller, f.s) == 0)) {
      CHECK_EQ_I64(call(&f, "wait32", 0, 0, 600ll * 1000000000ll, &r, msg, sizeof msg), WELD_TRAP_INTERRUPTED);
      pthread_join(th, NULL);
    }
    atomic_store(&waiting, 0);
    /* the store's deadline ends one too */
    CHECK(weld_store_set_deadline(f.s, 30 * 1000000ull));
    CHECK_EQ_I64(call(&f, "wait32", 0, 0, 600ll * 1000000000ll, &r, msg, sizeof msg), WELD_TRAP_DEADLINE);
    CHECK(weld_store_set_deadline(f.s, 0));
    /* and the store goes on */
    CHECK_EQ_I64(call(&f, "wait32", 0, 1, 0, &r, msg, sizeof msg), -1);
    CHECK_EQ_I64(r, 1);
    teardown(&f);
  }
}

UNIT_GROUP(threads_host_memory) {
  weld_engine *e = weld_engine_new(NULL);
  weld_store *s = weld_store_new(e);
  /* a shared memory has a maximum */
  CHECK(weld_memory_new_shared(s, 1, UINT64_MAX) == NULL);
  weld_memory *sh = weld_memory_new_shared(s, 1, 2);
  weld_memory *plain = weld_memory_new(s, 1, 2);
  CHECK(sh && weld_memory_is_shared(sh));
  CHECK(plain && !weld_memory_is_shared(plain));
  static const char imp_shared[] = "(module (import \"h\" \"m\" (memory 1 2 shared)))";
  static const char imp_plain[] = "(module (import \"h\" \"m\" (memory 1 2)))";
  const char *wats[2] = {imp_shared, imp_plain};
  for (int w = 0; w < 2; w++) {
    weld_error *err = NULL;
    weld_module *m = weld_module_new(e, (const uint8_t *)wats[w], strlen(wats[w]), &err);
    if (!CHECK(m != NULL)) {
      if (err) weld_error_free(err);
      continue;
    }
    for (int give = 0; give < 2; give++) {
      weld_import im = {.module = "h", .name = "m", .item = {.kind = WELD_EXTERN_MEMORY}};
      im.item.of.memory = give == 0 ? sh : plain;
      weld_trap *trap = NULL;
      weld_instance *i = weld_instance_new(s, m, &im, 1, &trap, &err);
      /* a shared import takes only the shared memory, an unshared one only the other */
      CHECK((i != NULL) == (w == give));
      if (!i && err) {
        CHECK(strstr(weld_error_message(err), "incompatible import type") != NULL);
        weld_error_free(err);
        err = NULL;
      }
      if (trap) weld_trap_free(trap);
    }
    weld_module_free(m);
  }
  weld_store_free(s);
  weld_engine_free(e);
}

/* text -> module -> printed text -> the same binary, in both print styles */
UNIT_GROUP(threads_print) {
  static const char wat[] =
      "(module (memory 1 2 shared) (memory $b i64 1 1 shared)"
      " (func (param i32 i64) (result i64)"
      "  (drop (memory.atomic.notify offset=4 (local.get 0) (i32.const 1)))"
      "  (drop (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))"
      "  (drop (memory.atomic.wait64 $b (local.get 1) (i64.const 0) (i64.const -1)))"
      "  (atomic.fence)"
      "  (drop (i32.atomic.load8_u (local.get 0))) (drop (i64.atomic.load32_u offset=8 (local.get 0)))"
      "  (i32.atomic.store16 (local.get 0) (i32.const 3)) (i64.atomic.store $b (local.get 1) (i64.const 3))"
      "  (drop (i32.atomic.rmw.xor (local.get 0) (i32.const 1)))"
      "  (drop (i64.atomic.rmw16.xchg_u (local.get 0) (i64.const 1)))"
      "  (drop (i32.atomic.rmw8.cmpxchg_u (local.get 0) (i32.const 1) (i32.const 2)))"
      "  (i64.atomic.rmw32.cmpxchg_u $b (local.get 1) (i64.const 1) (i64.const 2))))";
  util_error err;
  util_error_clear(&err);
  uint8_t *bin = NULL;
  size_t binlen = 0;
  if (!CHECK(text_wat_to_binary(wat, sizeof wat - 1, NULL, &bin, &binlen, &err))) return;
  for (int style = TEXT_PRINT_FLAT; style <= TEXT_PRINT_FOLDED; style++) {
    wasm_module *m = wasm_decode(bin, binlen, &err);
    if (!CHECK(m != NULL)) break;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    bool ok = f && text_print_module(m, (text_print_style)style, f, &err);
    if (f) fclose(f);
    wasm_module_free(m);
    CHECK(ok && out && strstr(out, "1 2 shared") && strstr(out, "i64 1 1 shared") && strstr(out, "atomic.fence") &&
          strstr(out, "i64.atomic.rmw32.cmpxchg_u"));
    uint8_t *again = NULL;
    size_t againlen = 0;
    CHECK(ok && out && text_wat_to_binary(out, len, NULL, &again, &againlen, &err));
    CHECK(again && againlen == binlen && memcmp(again, bin, binlen) == 0);
    free(again);
    free(out);
  }
  free(bin);
}
