/* The tier-difference check shared by tests/fuzz/tierdiff (a driver over modules made by
 * binaryen's `wasm-opt --translate-to-fuzz`) and tests/fuzz/fuzz_tiers.c (libFuzzer):
 * a module runs in the interpreter, in the baseline tier, and in the auto tier with
 * promotion after 2 calls and on-stack replacement looked for every 2 units of work;
 * each export is called in turn (arguments zero) and what it did is written to a trace:
 * results (NaNs as one "nan", their bits being nondeterministic), or the trap's message
 * and backtrace, the fuel it spent, and after each call the exported "hashMemory" if
 * there is one (binaryen's fuzzer exports it) or else memory 0's bytes hashed. The three
 * traces must be equal. Static functions only: each user includes it once. */
#ifndef WELD_TESTS_TIERDIFF_H
#define WELD_TESTS_TIERDIFF_H

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weld.h"

typedef struct td_trace {
  char *p;
  size_t len, cap;
  bool oom;
} td_trace;

static void td_printf(td_trace *t, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t k = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
  if (t->len + k + 1 > t->cap) {
    size_t c = t->cap ? t->cap * 2 : 4096;
    while (c < t->len + k + 1) c *= 2;
    char *q = realloc(t->p, c);
    if (!q) {
      t->oom = true;
      return;
    }
    t->p = q;
    t->cap = c;
  }
  memcpy(t->p + t->len, buf, k);
  t->len += k;
  t->p[t->len] = 0;
}

static void td_val(td_trace *t, const weld_val *v) {
  switch (v->kind) {
  case WELD_I32: td_printf(t, " i32:%d", v->of.i32); break;
  case WELD_I64: td_printf(t, " i64:%lld", (long long)v->of.i64); break;
  case WELD_F32:
    if (isnan(v->of.f32)) td_printf(t, " f32:nan");
    else td_printf(t, " f32:%a", (double)v->of.f32);
    break;
  case WELD_F64:
    if (isnan(v->of.f64)) td_printf(t, " f64:nan");
    else td_printf(t, " f64:%a", v->of.f64);
    break;
  case WELD_FUNCREF: td_printf(t, " funcref:%s", v->of.funcref ? "func" : "null"); break;
  case WELD_EXTERNREF: td_printf(t, " externref:%s", v->of.externref ? "ref" : "null"); break;
  case WELD_V128: /* every bit: the tiers share one SIMD library and its choices */
    td_printf(t, " v128:");
    for (int i = 15; i >= 0; i--) td_printf(t, "%02x", v->of.v128[i]);
    break;
  default: td_printf(t, " kind%d", (int)v->kind); break;
  }
}

static void td_trap(td_trace *t, weld_trap *tr) {
  td_printf(t, " trap \"%s\"", weld_trap_message(tr));
  /* a deep recursion stops at the same depth limit, but a native-stack limit can come
   * first for calls that leave compiled code through C (src/jit/README.md): the message
   * is the same, the depth may not be */
  if (strcmp(weld_trap_message(tr), "call stack exhausted") != 0) {
    size_t n = weld_trap_frame_count(tr);
    for (size_t i = 0; i < n; i++) {
      const weld_frame *f = weld_trap_frame(tr, i);
      td_printf(t, " [%u@0x%x#%u]", f->func_index, f->code_offset, f->depth);
    }
  }
  weld_trap_free(tr);
}

/* FNV-1a over memory 0 (when exported as "memory"). */
static uint64_t td_hash_memory(weld_instance *in) {
  weld_memory *m = weld_instance_memory(in, "memory");
  if (!m) return 0;
  uint64_t h = 1469598103934665603ull;
  const uint8_t *p = weld_memory_data(m);
  size_t n = weld_memory_size(m);
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/* over every run: functions compiled, calls that went on compiled from a loop */
static uint64_t td_compiled, td_osr;

#ifndef TD_FUEL
#define TD_FUEL 2000000u /* per call */
#endif
#define TD_MAX_VALS 64

/* Runs `bin` in one tier; the trace goes to *t. False when the module does not load or
 * instantiate (then no tier is compared: a module that loads in one loads in all). */
static bool td_run(const uint8_t *bin, size_t len, weld_tier tier, td_trace *t) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = 2;
  cfg.osr_threshold = 2;
  cfg.max_call_depth = 500;
  cfg.bounds = WELD_BOUNDS_GUARD;
  weld_engine *e = weld_engine_new(&cfg);
  if (!e) return false;
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, bin, len, &err);
  if (!m) {
    weld_error_free(err);
    weld_engine_free(e);
    return false;
  }
  bool ok = false;
  weld_store *s = weld_store_new(e);
  weld_trap *trap = NULL;
  weld_instance *in = s && !weld_module_import_count(m) ? weld_instance_new(s, m, NULL, 0, &trap, &err) : NULL;
  if (trap) {
    td_printf(t, "start");
    td_trap(t, trap);
    td_printf(t, "\n");
  }
  if (in) {
    ok = true;
    weld_func *reset = weld_instance_func(in, "hangLimitInitializer");
    weld_func *hash = weld_instance_func(in, "hashMemory");
    for (size_t i = 0; i < weld_module_export_count(m); i++) {
      const char *name;
      weld_externkind kind;
      weld_module_export(m, i, &name, &kind);
      if (kind != WELD_EXTERN_FUNC || !strcmp(name, "hangLimitInitializer")) continue;
      weld_func *f = weld_instance_func(in, name);
      if (!f) continue; /* a name with a NUL inside cannot be looked up by C string */
      size_t np = weld_func_param_count(f), nr = weld_func_result_count(f);
      if (np > TD_MAX_VALS || nr > TD_MAX_VALS) continue;
      weld_val args[TD_MAX_VALS], res[TD_MAX_VALS];
      bool skip = false;
      for (size_t k = 0; k < np; k++) {
        memset(&args[k], 0, sizeof args[k]);
        args[k].kind = weld_func_param(f, k);
        if (args[k].kind > WELD_EXTERNREF) skip = true; /* zero for numbers and v128, null */
      }
      if (skip) continue;
      /* each export twice: under the auto tier the second call may run compiled */
      for (int round = 0; round < 2; round++) {
        if (reset) {
          weld_trap *rt = weld_func_call(reset, NULL, 0, NULL, 0);
          if (rt) weld_trap_free(rt);
        }
        weld_store_set_fuel(s, TD_FUEL);
        td_printf(t, "%s:", name);
        weld_trap *tr = weld_func_call(f, args, np, res, nr);
        if (tr) {
          td_trap(t, tr);
        } else {
          for (size_t k = 0; k < nr; k++) td_val(t, &res[k]);
        }
        td_printf(t, " fuel %llu", (unsigned long long)(TD_FUEL - weld_store_get_fuel(s)));
        if (hash) {
          weld_val h[1];
          weld_store_set_fuel(s, TD_FUEL);
          weld_trap *ht = weld_func_call(hash, NULL, 0, h, 1);
          if (ht) td_trap(t, ht);
          else td_printf(t, " hash %d", h[0].of.i32);
        } else {
          td_printf(t, " mem %llx", (unsigned long long)td_hash_memory(in));
        }
        td_printf(t, "\n");
      }
    }
  }
  weld_tier_stats ts;
  weld_module_tier_stats(m, &ts);
  td_compiled += ts.compiled;
  td_osr += ts.osr_entered;
  weld_error_free(err);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
  return ok;
}

/* The first line where two traces differ, printed with `what`. */
static void td_show_diff(const char *what, const td_trace *a, const td_trace *b) {
  const char *p = a->p ? a->p : "", *q = b->p ? b->p : "";
  while (*p && *p == *q) {
    const char *ea = strchr(p, '\n'), *eb = strchr(q, '\n');
    if (!ea || !eb || ea - p != eb - q || memcmp(p, q, (size_t)(ea - p)) != 0) break;
    p = ea + 1;
    q = eb + 1;
  }
  const char *ea = strchr(p, '\n'), *eb = strchr(q, '\n');
  fprintf(stderr, "  %s:\n    interp:   %.*s\n    other:    %.*s\n", what, ea ? (int)(ea - p) : (int)strlen(p), p,
          eb ? (int)(eb - q) : (int)strlen(q), q);
}

#endif
