/* The auto tier's optimising step (src/jit/tierup.c, src/opt): a function that stays hot
 * in baseline code is compiled through LLVM and switched to.
 *
 *   opt_tierup  with compile threads 0 (the hot call compiles) and 2 (a pool in the
 *               background, waited for with jit_tierup_wait): a function called often
 *               enough ends up running LLVM code (its NATIVE entry is jit_enter_llvm) and
 *               gives the interpreter's results on many inputs; its out-of-bounds trap
 *               has the interpreter's message and backtrace; fuel still runs out in the
 *               switched code; and four threads calling while the switch happens all get
 *               the interpreter's results. Skipped, and said so, without the tier. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"
#include "text/text.h"
#include "unit.h"
#include "weld.h"

static const char wat[] =
    "(module (memory 1)\n"
    "  (func $mix (export \"mix\") (param i32) (result i32)\n"
    "    (i32.store (i32.and (local.get 0) (i32.const 0xfff0)) (i32.mul (local.get 0) (i32.const 2654435761)))\n"
    "    (i32.xor (i32.rotl (local.get 0) (i32.const 7))\n"
    "      (i32.load offset=4 (i32.and (i32.add (local.get 0) (i32.const 3)) (i32.const 0xfff0)))))\n"
    "  (func $leaf (param i32) (result i32) (i32.load offset=8 (local.get 0)))\n"
    "  (func (export \"oob\") (param i32) (result i32) (i32.add (call $leaf (local.get 0)) (i32.const 1)))\n"
    "  (func (export \"spin\") (param i32) (result i32) (local i32)\n"
    "    (loop $l (local.set 1 (i32.add (local.get 1) (call $mix (local.get 1))))\n"
    "      (br_if $l (i32.ne (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))\n"
    "    (local.get 1)))\n";

typedef struct run {
  weld_engine *e;
  weld_module *m;
  weld_store *s;
  weld_instance *i;
} run;

static bool open_run(run *r, weld_tier tier, uint32_t threads, const uint8_t *bin, size_t len) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = 2;
  cfg.tier_eager_bytes = 0; /* functions compiled one by one */
  cfg.compile_threads = threads;
  weld_error *err = NULL;
  r->e = weld_engine_new(&cfg);
  r->m = r->e ? weld_module_new(r->e, bin, len, &err) : NULL;
  if (!CHECK(r->m != NULL)) {
    weld_error_free(err);
    return false;
  }
  r->s = weld_store_new(r->e);
  weld_trap *trap = NULL;
  r->i = weld_instance_new(r->s, r->m, NULL, 0, &trap, &err);
  return CHECK(r->i != NULL);
}

static void close_run(run *r) {
  if (r->s) weld_store_free(r->s);
  if (r->m) weld_module_free(r->m);
  if (r->e) weld_engine_free(r->e);
}

static int32_t call1(run *r, const char *name, int32_t a, bool *trapped) {
  weld_val args[1] = {WELD_I32_VAL(a)}, res[1] = {{0}};
  weld_trap *t = weld_func_call(weld_instance_func(r->i, name), args, 1, res, 1);
  *trapped = t != NULL;
  if (t) weld_trap_free(t);
  return res[0].of.i32;
}

/* True when defined function k of r's module runs LLVM code now. */
static bool runs_llvm(run *r, uint32_t k) {
  const exec_module *em = (const exec_module *)(const void *)r->m;
  const exec_unit *code = __atomic_load_n(&em->codes[k].code, __ATOMIC_ACQUIRE);
  const exec_native *n;
  memcpy(&n, &code[2], sizeof n); /* the NATIVE instruction's immediate: its descriptor */
  return n->enter == jit_enter_llvm;
}

typedef struct caller {
  run *r, *ref;
  int32_t from;
  int bad;
} caller;

static void *call_many(void *p) {
  caller *c = p;
  bool t1, t2;
  for (int32_t x = c->from; x < c->from + 3000; x++)
    if (call1(c->r, "mix", x, &t1) != call1(c->ref, "mix", x, &t2) || t1 || t2) c->bad++;
  return NULL;
}

static void same_oob(run *a, run *b) {
  weld_val args[1] = {WELD_I32_VAL(65530)}, res[1];
  weld_trap *ta = weld_func_call(weld_instance_func(a->i, "oob"), args, 1, res, 1);
  weld_trap *tb = weld_func_call(weld_instance_func(b->i, "oob"), args, 1, res, 1);
  if (CHECK(ta && tb)) {
    CHECK(strcmp(weld_trap_message(ta), weld_trap_message(tb)) == 0);
    CHECK(weld_trap_frame_count(ta) == weld_trap_frame_count(tb));
    for (size_t k = 0; k < weld_trap_frame_count(ta) && k < weld_trap_frame_count(tb); k++) {
      const weld_frame *fa = weld_trap_frame(ta, k), *fb = weld_trap_frame(tb, k);
      unit_check(fa->func_index == fb->func_index && fa->code_offset == fb->code_offset, __FILE__, __LINE__,
                 "oob frame %zu: func %u at 0x%x vs func %u at 0x%x", k, fa->func_index, fa->code_offset,
                 fb->func_index, fb->code_offset);
    }
  }
  if (ta) weld_trap_free(ta);
  if (tb) weld_trap_free(tb);
}

UNIT_GROUP(opt_tierup) {
  const char *why = weld_tier_unsupported(WELD_TIER_OPTIMIZED);
  if (why || !jit_available()) {
    printf("opt_tierup: skipped: %s\n", why ? why : "no baseline tier on this machine");
    return;
  }
  uint8_t *bin;
  size_t len;
  util_error uerr;
  util_error_clear(&uerr);
  if (!CHECK(text_wat_to_binary(wat, sizeof wat - 1, "tierup", &bin, &len, &uerr))) return;
  for (uint32_t threads = 0; threads <= 2; threads += 2) {
    run ref = {0}, r = {0};
    if (open_run(&ref, WELD_TIER_INTERP, 0, bin, len) && open_run(&r, WELD_TIER_AUTO, threads, bin, len)) {
      bool t1, t2;
      int bad = 0;
      /* threshold 2: calls 1-3 interpreted, then baseline code counting 3 more entries */
      /* leaf is called by oob: once oob runs baseline code the calls are direct (not
       * counted); once oob runs LLVM code they go through leaf's entry again */
      for (int round = 0; round < 3; round++) {
        for (int32_t x = 0; x < 8; x++)
          if (call1(&r, "mix", x * 977, &t1) != call1(&ref, "mix", x * 977, &t2) || t1 || t2) bad++;
        for (int32_t x = 0; x < 8; x++) call1(&r, "oob", x, &t1);
        jit_tierup_wait((jit_module *)((const exec_module *)(const void *)r.m)->jit);
      }
      unit_check(runs_llvm(&r, 0), __FILE__, __LINE__, "threads %u: mix runs LLVM code after 24 calls", threads);
      unit_check(runs_llvm(&r, 1), __FILE__, __LINE__, "threads %u: leaf runs LLVM code", threads);
      weld_tier_stats st;
      weld_module_tier_stats(r.m, &st);
      unit_check(st.optimized >= 2 && st.opt_failed == 0, __FILE__, __LINE__, "threads %u: %u optimised, %u failed",
                 threads, st.optimized, st.opt_failed);
      /* the switched code: same results, same trap and backtrace */
      for (int32_t x = -5000; x < 5000; x += 7)
        if (call1(&r, "mix", x, &t1) != call1(&ref, "mix", x, &t2) || t1 || t2) bad++;
      unit_check(bad == 0, __FILE__, __LINE__, "threads %u: %d results differ from the interpreter's", threads, bad);
      same_oob(&ref, &r);
      /* fuel runs out in LLVM code too, at the same point as in the interpreter */
      weld_store_set_fuel(r.s, 5000);
      weld_store_set_fuel(ref.s, 5000);
      weld_val a1[1] = {WELD_I32_VAL(100000)}, res[1];
      weld_trap *ta = weld_func_call(weld_instance_func(r.i, "spin"), a1, 1, res, 1);
      weld_trap *tb = weld_func_call(weld_instance_func(ref.i, "spin"), a1, 1, res, 1);
      CHECK(ta && tb && weld_trap_get_kind(ta) == WELD_TRAP_OUT_OF_FUEL && weld_trap_get_kind(tb) == WELD_TRAP_OUT_OF_FUEL);
      CHECK(weld_store_get_fuel(r.s) == weld_store_get_fuel(ref.s));
      if (ta) weld_trap_free(ta);
      if (tb) weld_trap_free(tb);
    }
    close_run(&r);
    close_run(&ref);
  }
  /* threads calling while the switch happens (background compile) */
  run ref = {0}, r = {0};
  if (open_run(&ref, WELD_TIER_INTERP, 0, bin, len) && open_run(&r, WELD_TIER_AUTO, 2, bin, len)) {
    /* one store per thread: a store is not shared between threads */
    run rs[4], refs[4];
    caller c[4];
    pthread_t t[4];
    for (int k = 0; k < 4; k++) {
      rs[k] = r, refs[k] = ref;
      weld_trap *trap = NULL;
      weld_error *err = NULL;
      rs[k].s = weld_store_new(r.e);
      rs[k].i = weld_instance_new(rs[k].s, r.m, NULL, 0, &trap, &err);
      refs[k].s = weld_store_new(ref.e);
      refs[k].i = weld_instance_new(refs[k].s, ref.m, NULL, 0, &trap, &err);
      c[k] = (caller){&rs[k], &refs[k], k * 100000, 0};
      CHECK(pthread_create(&t[k], NULL, call_many, &c[k]) == 0);
    }
    int bad = 0;
    for (int k = 0; k < 4; k++) {
      pthread_join(t[k], NULL);
      bad += c[k].bad;
      weld_store_free(rs[k].s);
      weld_store_free(refs[k].s);
    }
    unit_check(bad == 0, __FILE__, __LINE__, "%d results differ across the switch", bad);
    jit_tierup_wait((jit_module *)((const exec_module *)(const void *)r.m)->jit);
    CHECK(runs_llvm(&r, 0));
  }
  close_run(&r);
  close_run(&ref);
  free(bin);
}
