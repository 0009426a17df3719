/* Lazy translation (src/exec/compile.c): with WELD_TRANSLATE=lazy a function gets its
 * internal code on its first call. Checked here: the answers are the WebAssembly ones
 * (written out by hand), a function never called is never translated
 * (exec_module_translated counts the translations), two threads calling the same
 * function first at once translate it once and both get the right answer, and an
 * allocation failing during a translation at call time is a trap saying so, after which
 * the call works. In the interpreter and in the auto tier (counting entries in front of
 * the lazy ones, promotion after one call). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "unit.h"
#include "util/util.h"
#include "weld.h"

/* sum(n) = n + (n-1) + ... + 1 through a loop in $add_to; $never is never called */
static const char wat[] =
    "(module\n"
    "  (func $add_to (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func $never (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))\n"
    "  (func (export \"sum\") (param i32) (result i32) (local i32)\n"
    "    (block (loop\n"
    "      (br_if 1 (i32.eqz (local.get 0)))\n"
    "      (local.set 1 (call $add_to (local.get 1) (local.get 0)))\n"
    "      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))\n"
    "      (br 0)))\n"
    "    (local.get 1)))\n";

typedef struct fx {
  weld_engine *e;
  weld_module *m;
} fx;

static bool make(fx *f, weld_tier tier) {
  memset(f, 0, sizeof *f);
  weld_config c;
  weld_config_default(&c);
  c.tier = tier;
  c.tier_eager_bytes = 0;
  c.tier_up_threshold = 1;
  f->e = weld_engine_new(&c);
  if (!CHECK(f->e != NULL)) return false;
  setenv("WELD_TRANSLATE", "lazy", 1);
  weld_error *err = NULL;
  f->m = weld_module_new(f->e, (const uint8_t *)wat, sizeof wat - 1, &err);
  unsetenv("WELD_TRANSLATE");
  if (!CHECK(f->m != NULL)) {
    if (err) weld_error_free(err);
    weld_engine_free(f->e);
    return false;
  }
  return true;
}

static void unmake(fx *f) {
  weld_module_free(f->m);
  weld_engine_free(f->e);
}

/* sum(n) in a fresh store: the result, or -1 with the trap's message in msg. */
static int64_t sum(fx *f, int32_t n, char *msg, size_t cap) {
  weld_store *s = weld_store_new(f->e);
  if (!s) return -2;
  weld_trap *trap = NULL;
  weld_error *err = NULL;
  weld_instance *i = weld_instance_new(s, f->m, NULL, 0, &trap, &err);
  int64_t r = -2;
  if (i) {
    weld_extern x = weld_instance_export(i, "sum");
    weld_val args[1] = {{.kind = WELD_I32, .of.i32 = n}}, res[1];
    weld_trap *t = weld_func_call(x.of.func, args, 1, res, 1);
    if (t) {
      if (msg) snprintf(msg, cap, "%s", weld_trap_message(t));
      weld_trap_free(t);
      r = -1;
    } else r = res[0].of.i32;
  }
  if (trap) weld_trap_free(trap);
  if (err) weld_error_free(err);
  weld_store_free(s);
  return r;
}

static const exec_module *em_of(const fx *f) { return (const exec_module *)(const void *)f->m; }

static void called_only(weld_tier tier) {
  fx f;
  if (!make(&f, tier)) return;
  CHECK_EQ_U64(exec_module_translated(em_of(&f)), 0);
  CHECK_EQ_U64((uint64_t)sum(&f, 10, NULL, 0), 55);
  CHECK_EQ_U64(exec_module_translated(em_of(&f)), 2); /* sum and $add_to, not $never */
  weld_tier_stats ts;
  weld_module_tier_stats(f.m, &ts);
  CHECK_EQ_U64(ts.translated, 2);
  CHECK_EQ_U64((uint64_t)sum(&f, 100, NULL, 0), 5050);
  CHECK_EQ_U64(exec_module_translated(em_of(&f)), 2);
  unmake(&f);
}

UNIT_GROUP(lazy_translate_called_only) {
  called_only(WELD_TIER_INTERP);
  if (!weld_tier_unsupported(WELD_TIER_AUTO)) called_only(WELD_TIER_AUTO);
}

typedef struct racer {
  fx *f;
  pthread_barrier_t *bar;
  int64_t r;
} racer;

static void *race(void *arg) {
  racer *rc = arg;
  pthread_barrier_wait(rc->bar);
  rc->r = sum(rc->f, 1000, NULL, 0);
  return NULL;
}

static void first_call_race(weld_tier tier) {
  for (int round = 0; round < 40; round++) {
    fx f;
    if (!make(&f, tier)) return;
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    racer a = {&f, &bar, 0}, b = {&f, &bar, 0};
    pthread_t ta, tb;
    bool ok = CHECK(pthread_create(&ta, NULL, race, &a) == 0);
    if (ok && !CHECK(pthread_create(&tb, NULL, race, &b) == 0)) {
      pthread_barrier_wait(&bar); /* stands in for the second thread */
      ok = false;
      pthread_join(ta, NULL);
    } else if (ok) {
      pthread_join(ta, NULL);
      pthread_join(tb, NULL);
      CHECK_EQ_U64((uint64_t)a.r, 500500);
      CHECK_EQ_U64((uint64_t)b.r, 500500);
      CHECK_EQ_U64(exec_module_translated(em_of(&f)), 2); /* each once */
    }
    pthread_barrier_destroy(&bar);
    unmake(&f);
    if (!ok) return;
  }
}

UNIT_GROUP(lazy_translate_race) {
  first_call_race(WELD_TIER_INTERP);
  if (!weld_tier_unsupported(WELD_TIER_AUTO)) first_call_race(WELD_TIER_AUTO);
}

/* Each allocation of a call that translates fails in turn: the call traps with "out of
 * memory" (or absorbs it), never anything else; then, with nothing failing, it works. */
static void oom_at_call(weld_tier tier) {
  unsigned long traps = 0;
  for (unsigned long n = 1; n < 100000; n++) {
    fx f;
    if (!make(&f, tier)) return;
    char msg[256] = "";
    util_alloc_fail_at(n);
    int64_t r = sum(&f, 10, msg, sizeof msg);
    unsigned long made = util_alloc_fail_at(0);
    if (r == -1) {
      traps++;
      if (!CHECK(strstr(msg, "out of memory") != NULL)) fprintf(stderr, "allocation %lu: trap \"%s\"\n", n, msg);
    } else if (r != -2) CHECK_EQ_U64((uint64_t)r, 55);
    CHECK_EQ_U64((uint64_t)sum(&f, 10, NULL, 0), 55); /* and then it works */
    CHECK(exec_module_translated(em_of(&f)) <= 2);
    unmake(&f);
    if (made < n) break; /* nothing failed: every allocation has had its turn */
  }
  CHECK(traps > 0); /* some failure was a translation's, reported as a trap */
}

UNIT_GROUP(lazy_translate_oom) {
  oom_at_call(WELD_TIER_INTERP);
  if (!weld_tier_unsupported(WELD_TIER_AUTO)) oom_at_call(WELD_TIER_AUTO);
}

/* exec_module_compile_known_valid (a module weld validated before: an image or a cache
 * hit) leaves each body's validation to its translation. Two functions of type
 * [] -> [i32]: the first `i32.const 7`, the second `i64.const 1` (invalid: i64 where the
 * result is i32). The ordinary compile refuses the module; the known-valid one accepts it,
 * translates nothing yet, translates the first function, and refuses the second at its
 * translation with the validator's message, so invalid code never runs. */
static const uint8_t known_valid_bin[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,             /* magic, version */
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                   /* type: [] -> [i32] */
    0x03, 0x03, 0x02, 0x00, 0x00,                               /* two functions of it */
    0x0a, 0x0b, 0x02, 0x04, 0x00, 0x41, 0x07, 0x0b,             /* code: i32.const 7 */
    0x04, 0x00, 0x42, 0x01, 0x0b};                              /*       i64.const 1 */

UNIT_GROUP(lazy_translate_known_valid) {
  util_error err;
  util_error_clear(&err);
  wasm_module *m = wasm_decode(known_valid_bin, sizeof known_valid_bin, &err);
  if (!CHECK(m != NULL)) return;
  exec_module *em = exec_module_compile_lazy(m, NULL, true, &err);
  CHECK(em == NULL);
  CHECK(strstr(err.msg, "type mismatch") != NULL);
  if (em) exec_module_free(em);
  else wasm_module_free(m);

  util_error_clear(&err);
  m = wasm_decode(known_valid_bin, sizeof known_valid_bin, &err);
  if (!CHECK(m != NULL)) return;
  em = exec_module_compile_known_valid(m, NULL, &err);
  if (!CHECK(em != NULL)) {
    wasm_module_free(m);
    return;
  }
  CHECK_EQ_U64(exec_module_translated(em), 0);
  CHECK(exec_code_translate(em, 0, &err));
  CHECK_EQ_U64(exec_module_translated(em), 1);
  util_error_clear(&err);
  CHECK(!exec_code_translate(em, 1, &err));
  CHECK(strstr(err.msg, "type mismatch") != NULL);
  CHECK_EQ_U64(exec_module_translated(em), 1);
  exec_module_free(em);
}

/* wasm_decode_known (a code cache hit: the module byte for byte one weld decoded and
 * validated before) does not walk the function bodies, and exec_module_compile_known_valid
 * does not validate them: a body is decoded and checked only when it is translated. Two
 * functions of type [] -> [i32]: `i32.const 7`, and a body whose first byte is no opcode
 * (0xff). The ordinary decoder refuses the module; the known one takes it, with each
 * body's code where its size says and the legacy exceptions flag as told; the first
 * function translates and runs, the second fails at its translation with the decoder's
 * message, so a body that is not what the cache entry promised never runs. */
static const uint8_t known_bodies_bin[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,             /* magic, version */
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                   /* type: [] -> [i32] */
    0x03, 0x03, 0x02, 0x00, 0x00,                               /* two functions of it */
    0x0a, 0x0b, 0x02, 0x04, 0x00, 0x41, 0x07, 0x0b,             /* code: i32.const 7 */
    0x04, 0x00, 0xff, 0x00, 0x0b};                              /*       0xff: no opcode */

UNIT_GROUP(lazy_translate_known_bodies) {
  util_error err;
  util_error_clear(&err);
  wasm_module *m = wasm_decode(known_bodies_bin, sizeof known_bodies_bin, &err);
  CHECK(m == NULL);
  CHECK(strstr(err.msg, "illegal opcode") != NULL);
  if (m) wasm_module_free(m);

  for (int legacy = 0; legacy < 2; legacy++) {
    util_error_clear(&err);
    m = wasm_decode_known(known_bodies_bin, sizeof known_bodies_bin, NULL, 0, WASM_FEATURES_ALL, legacy, &err);
    if (!CHECK(m != NULL)) return;
    CHECK(m->legacy_exceptions == (legacy == 1));
    CHECK_EQ_U64(m->nfuncs, 2);
    CHECK_EQ_U64(m->funcs[0].code_offset, 25);
    CHECK_EQ_U64(m->funcs[0].code_len, 3); /* 41 07 0b */
    CHECK_EQ_U64(m->funcs[1].code_offset, 30);
    CHECK_EQ_U64(m->funcs[1].code_len, 3); /* ff 00 0b */
    CHECK(m->funcs[1].code == m->bytes + 30);
    exec_module *em = exec_module_compile_known_valid(m, NULL, &err);
    if (!CHECK(em != NULL)) {
      wasm_module_free(m);
      return;
    }
    CHECK_EQ_U64(exec_module_translated(em), 0);
    CHECK(exec_code_translate(em, 0, &err));
    util_error_clear(&err);
    CHECK(!exec_code_translate(em, 1, &err));
    CHECK(strstr(err.msg, "illegal opcode") != NULL);
    CHECK_EQ_U64(exec_module_translated(em), 1);
    exec_module_free(em);
  }

  /* a body whose size does not cover its local declarations: refused */
  uint8_t bad[sizeof known_bodies_bin];
  memcpy(bad, known_bodies_bin, sizeof bad);
  bad[23] = 0x00; /* the first body's size: 0 */
  util_error_clear(&err);
  m = wasm_decode_known(bad, sizeof bad, NULL, 0, WASM_FEATURES_ALL, false, &err);
  CHECK(m == NULL && err.kind == UTIL_ERR_MALFORMED);
  if (m) wasm_module_free(m);
}
