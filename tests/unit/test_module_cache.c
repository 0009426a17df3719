/* The engine's in-memory module cache (src/cache/mem.c through weld_module_new): the
 * same bytes on the same engine give the module compiled the first time (nothing compiled
 * again: the engine's compile counter stays), other bytes or settings do not, the budget
 * evicts least recently used first, holders free in any order (ASan and LeakSanitizer
 * check), and two threads asking at once get one module compiled once. Results of calls
 * are the WebAssembly semantics written out here. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/aot.h"
#include "cache/mem.h"
#include "unit.h"
#include "weld.h"

static weld_engine *engine(weld_tier tier, uint64_t budget, bool off) {
  weld_config c;
  weld_config_default(&c);
  c.tier = tier;
  c.module_cache_bytes = budget;
  c.module_cache_off = off;
  weld_error *err = NULL;
  weld_engine *e = weld_engine_new_err(&c, &err);
  if (!e) unit_check(false, __FILE__, __LINE__, "engine: %s", err ? weld_error_message(err) : "?");
  weld_error_free(err);
  return e;
}

/* f(x) = x + k: a different k is a different module of the same size */
static size_t wat(char *buf, size_t n, int k) {
  return (size_t)snprintf(buf, n,
                          "(module (func (export \"f\") (param i32) (result i32) local.get 0 i32.const %d i32.add)"
                          " (memory 1) (data (i32.const 0) \"cached module %d\"))",
                          k, k);
}

static weld_module *load(weld_engine *e, int k) {
  char buf[512];
  size_t len = wat(buf, sizeof buf, k);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)buf, len, &err);
  if (!m) unit_check(false, __FILE__, __LINE__, "module %d: %s", k, err ? weld_error_message(err) : "?");
  weld_error_free(err);
  return m;
}

/* f(x) through a fresh store and instance of m */
static int64_t call_f(weld_engine *e, weld_module *m, int32_t x) {
  weld_store *s = weld_store_new(e);
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_instance *i = weld_instance_new(s, m, NULL, 0, &trap, &err);
  int64_t r = -999;
  weld_func *f = i ? weld_instance_func(i, "f") : NULL;
  if (f) {
    weld_val a[1] = {WELD_I32_VAL(x)}, res[1];
    weld_trap *t = weld_func_call(f, a, 1, res, 1);
    if (!t) r = res[0].of.i32;
    weld_trap_free(t);
  }
  weld_trap_free(trap);
  weld_error_free(err);
  weld_store_free(s);
  return r;
}

static weld_module_cache_stats stats(const weld_engine *e) {
  weld_module_cache_stats st;
  weld_engine_module_cache_stats(e, &st);
  return st;
}

static void same_bytes(weld_tier tier, bool free_first_first) {
  weld_engine *e = engine(tier, 0, false);
  if (!e) return;
  weld_module *a = load(e, 5), *b = load(e, 5);
  weld_module_cache_stats st = stats(e);
  CHECK(a && a == b);
  CHECK_EQ_U64(st.compiles, 1);
  CHECK_EQ_U64(st.hits, 1);
  CHECK_EQ_U64(st.misses, 1);
  CHECK_EQ_U64(st.entries, 1);
  CHECK(st.bytes > 0 && st.max_bytes == (uint64_t)64 << 20);
  weld_tier_stats ts;
  weld_module_tier_stats(b, &ts);
  if (tier == WELD_TIER_BASELINE) CHECK_EQ_U64(ts.compiled, 1);
  /* either holder may go first; the other's module still runs */
  weld_module_free(free_first_first ? a : b);
  CHECK_EQ_I64(call_f(e, free_first_first ? b : a, 37), 42);
  weld_module_free(free_first_first ? b : a);
  /* still cached with no holder: a third request compiles nothing either */
  weld_module *c = load(e, 5);
  CHECK_EQ_I64(call_f(e, c, 1), 6);
  CHECK_EQ_U64(stats(e).compiles, 1);
  CHECK_EQ_U64(stats(e).hits, 2);
  weld_module_free(c);
  /* other bytes: a miss */
  weld_module *d = load(e, 6);
  CHECK(d && d != c);
  CHECK_EQ_U64(stats(e).compiles, 2);
  CHECK_EQ_I64(call_f(e, d, 1), 7);
  weld_module_free(d);
  weld_engine_free(e);
}

UNIT_GROUP(module_cache) {
  same_bytes(WELD_TIER_INTERP, true);
  same_bytes(WELD_TIER_INTERP, false);
  if (!weld_tier_unsupported(WELD_TIER_BASELINE)) {
    same_bytes(WELD_TIER_BASELINE, true);
    same_bytes(WELD_TIER_BASELINE, false);
    same_bytes(WELD_TIER_AUTO, true);
  }

  /* the key covers every code-affecting setting */
  {
    weld_config c, d;
    weld_config_default(&c);
    const uint8_t bytes[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    uint8_t k1[32], k2[32];
    api_module_key(&c, bytes, sizeof bytes, k1);
    d = c;
    api_module_key(&d, bytes, sizeof bytes, k2);
    CHECK(memcmp(k1, k2, 32) == 0);
    d.tier = c.tier == WELD_TIER_INTERP ? WELD_TIER_BASELINE : WELD_TIER_INTERP;
    api_module_key(&d, bytes, sizeof bytes, k2);
    CHECK(memcmp(k1, k2, 32) != 0);
    d = c;
    d.bounds = WELD_BOUNDS_EXPLICIT;
    api_module_key(&d, bytes, sizeof bytes, k2);
    CHECK(memcmp(k1, k2, 32) != 0);
    d = c;
    d.standard = WELD_STANDARD_2_0;
    api_module_key(&d, bytes, sizeof bytes, k2);
    CHECK(memcmp(k1, k2, 32) != 0);
    d = c;
    d.tier_up_threshold++;
    api_module_key(&d, bytes, sizeof bytes, k2);
    CHECK(memcmp(k1, k2, 32) != 0);
    d = c;
    d.tier_eager_bytes++;
    api_module_key(&d, bytes, sizeof bytes, k2);
    CHECK(memcmp(k1, k2, 32) != 0);
    api_module_key(&c, bytes, sizeof bytes - 1, k2);
    CHECK(memcmp(k1, k2, 32) != 0);
  }

  /* other settings, other engine: nothing shared */
  {
    weld_engine *e1 = engine(WELD_TIER_INTERP, 0, false), *e2 = engine(WELD_TIER_INTERP, 0, false);
    weld_module *a = load(e1, 1), *b = load(e2, 1);
    CHECK(a && b && a != b);
    CHECK_EQ_U64(stats(e1).compiles, 1);
    CHECK_EQ_U64(stats(e2).compiles, 1);
    CHECK_EQ_U64(stats(e2).hits, 0);
    weld_module_free(a);
    weld_module_free(b);
    weld_engine_free(e1);
    weld_engine_free(e2);
  }

  /* off: every request compiles, modules are the caller's own */
  {
    weld_engine *e = engine(WELD_TIER_INTERP, 0, true);
    weld_module *a = load(e, 2), *b = load(e, 2);
    CHECK(a && b && a != b);
    weld_module_cache_stats st;
    CHECK(!weld_engine_module_cache_stats(e, &st));
    CHECK_EQ_U64(st.compiles, 2);
    weld_module_free(b);
    CHECK_EQ_I64(call_f(e, a, 1), 3);
    weld_module_free(a);
    weld_engine_free(e);
  }

  /* a module that fails is not cached: the second request fails the same way */
  {
    weld_engine *e = engine(WELD_TIER_INTERP, 0, false);
    const char *bad = "(module (func (result i32) i64.const 1))";
    for (int i = 0; i < 2; i++) {
      weld_error *err = NULL;
      weld_module *m = weld_module_new(e, (const uint8_t *)bad, strlen(bad), &err);
      CHECK(!m && err);
      if (err) CHECK_PREFIX(weld_error_message(err), "type mismatch");
      weld_error_free(err);
    }
    CHECK_EQ_U64(stats(e).entries, 0);
    CHECK_EQ_U64(stats(e).misses, 2);
    CHECK_EQ_U64(stats(e).compiles, 0);
    weld_engine_free(e);
  }

  /* the budget: least recently used first */
  {
    weld_engine *probe = engine(WELD_TIER_INTERP, 0, false);
    weld_module_free(load(probe, 10));
    uint64_t one = stats(probe).bytes;
    weld_engine_free(probe);
    CHECK(one > 0);
    /* room for two modules of this size, not three */
    weld_engine *e = engine(WELD_TIER_INTERP, one * 2 + one / 2, false);
    weld_module_free(load(e, 10));
    weld_module_free(load(e, 11));
    CHECK_EQ_U64(stats(e).entries, 2);
    weld_module_free(load(e, 10)); /* 10 is now the most recently used */
    CHECK_EQ_U64(stats(e).hits, 1);
    weld_module_free(load(e, 12)); /* evicts 11, the least recently used */
    weld_module_cache_stats st = stats(e);
    CHECK_EQ_U64(st.evictions, 1);
    CHECK_EQ_U64(st.entries, 2);
    CHECK(st.bytes <= st.max_bytes);
    CHECK_EQ_U64(st.compiles, 3);
    weld_module *m10 = load(e, 10); /* still cached */
    CHECK_EQ_U64(stats(e).compiles, 3);
    weld_module *m11 = load(e, 11); /* evicted: compiled again, and evicts 12 */
    CHECK_EQ_U64(stats(e).compiles, 4);
    CHECK_EQ_U64(stats(e).evictions, 2);
    CHECK_EQ_I64(call_f(e, m11, 0), 11);
    CHECK_EQ_I64(call_f(e, m10, 0), 10);
    /* an evicted module a caller still holds lives on, and goes with its holder */
    weld_module *m12 = load(e, 12); /* evicts 10, held by m10 */
    CHECK_EQ_U64(stats(e).evictions, 3);
    CHECK_EQ_I64(call_f(e, m10, 1), 11);
    weld_module_free(m10);
    weld_module_free(m11);
    weld_module_free(m12);
    weld_engine_free(e);
  }

  /* a budget smaller than any module keeps none, and sharing still holds for holders
   * that got theirs from one request each: nothing outlives its holders */
  {
    weld_engine *e = engine(WELD_TIER_INTERP, 1, false);
    weld_module *a = load(e, 3), *b = load(e, 3);
    CHECK(a && b && a != b);
    CHECK_EQ_U64(stats(e).entries, 0);
    CHECK_EQ_U64(stats(e).compiles, 2);
    weld_module_free(a);
    weld_module_free(b);
    weld_engine_free(e);
  }
}

/* ---------- two threads asking for the same bytes ---------- */

typedef struct racer {
  weld_engine *e;
  pthread_barrier_t *go;
  int k;
  weld_module *m;
} racer;

static void *race(void *p) {
  racer *r = p;
  pthread_barrier_wait(r->go);
  char buf[512];
  size_t len = wat(buf, sizeof buf, r->k);
  r->m = weld_module_new(r->e, (const uint8_t *)buf, len, NULL);
  return NULL;
}

UNIT_GROUP(module_cache_threads) {
  weld_tier tiers[2] = {WELD_TIER_INTERP, WELD_TIER_BASELINE};
  for (int t = 0; t < 2; t++) {
    if (weld_tier_unsupported(tiers[t])) continue;
    weld_engine *e = engine(tiers[t], 0, false);
    if (!e) return;
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    int rounds = 50;
    for (int k = 0; k < rounds; k++) {
      racer r[2] = {{e, &go, 100 + k, NULL}, {e, &go, 100 + k, NULL}};
      pthread_t th[2];
      for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, race, &r[i]);
      for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
      CHECK(r[0].m && r[0].m == r[1].m);
      /* freed by the two threads' holders in either order */
      weld_module_free(r[k & 1].m);
      CHECK_EQ_I64(call_f(e, r[(k & 1) ^ 1].m, 1), 101 + k);
      weld_module_free(r[(k & 1) ^ 1].m);
    }
    pthread_barrier_destroy(&go);
    weld_module_cache_stats st = stats(e);
    CHECK_EQ_U64(st.compiles, (uint64_t)rounds); /* once per module, never twice */
    CHECK_EQ_U64(st.hits + st.misses, (uint64_t)rounds * 2);
    CHECK_EQ_U64(st.misses, (uint64_t)rounds);
    weld_engine_free(e);
  }
}

/* ---------- the cache itself ---------- */

static int freed;
static void count_free(void *v) {
  freed++;
  free(v);
}

UNIT_GROUP(cache_mem) {
  freed = 0;
  cache_mem *c = cache_mem_new(100, count_free);
  CHECK(c != NULL);
  if (!c) return;
  uint8_t k1[32] = {1}, k2[32] = {2}, k3[32] = {3};
  cache_mem_entry *e1, *e2, *e3, *h;
  CHECK(cache_mem_acquire(c, k1, "one", 3, &e1) == NULL && e1);
  int *v1 = malloc(sizeof *v1);
  cache_mem_fill(e1, v1, 60);
  CHECK(cache_mem_acquire(c, k1, "one", 3, &h) == v1 && h == e1);
  cache_mem_release(h);
  cache_mem_release(e1); /* the index still holds it */
  CHECK_EQ_U64(freed, 0);
  /* 60 + 60 > 100: k1 goes, freed at once (no holder) */
  CHECK(cache_mem_acquire(c, k2, "two", 3, &e2) == NULL && e2);
  cache_mem_fill(e2, malloc(sizeof(int)), 60);
  CHECK_EQ_U64(freed, 1);
  cache_mem_stats st;
  cache_mem_get_stats(c, &st);
  CHECK_EQ_U64(st.entries, 1);
  CHECK_EQ_U64(st.bytes, 63); /* the value's 60 and its data's copy */
  CHECK_EQ_U64(st.evictions, 1);
  CHECK_EQ_U64(st.hits, 1);
  CHECK_EQ_U64(st.misses, 2);
  /* the same key for other data (a collision of the key) is another entry */
  cache_mem_entry *x;
  CHECK(cache_mem_acquire(c, k2, "TWO", 3, &x) == NULL && x && x != e2);
  if (x) cache_mem_abandon(x);
  CHECK(cache_mem_acquire(c, k2, "two", 3, &h) != NULL && h == e2);
  cache_mem_release(h);
  /* abandoning a reservation leaves the key free for the next request */
  CHECK(cache_mem_acquire(c, k3, "three", 5, &e3) == NULL && e3);
  cache_mem_abandon(e3);
  CHECK(cache_mem_acquire(c, k3, "three", 5, &e3) == NULL && e3);
  cache_mem_fill(e3, malloc(sizeof(int)), 500); /* larger than the budget: not kept */
  cache_mem_get_stats(c, &st);
  CHECK_EQ_U64(st.entries, 0); /* k2 went first (older), then k3 itself */
  CHECK_EQ_U64(st.evictions, 3);
  CHECK_EQ_U64(freed, 1);      /* both still held */
  cache_mem_release(e2);
  CHECK_EQ_U64(freed, 2);
  /* the owner lets go while a value is held: it goes with its holder */
  CHECK(cache_mem_acquire(c, k1, "one", 3, &e1) == NULL && e1);
  cache_mem_fill(e1, malloc(sizeof(int)), 10);
  cache_mem_free(c);
  CHECK_EQ_U64(freed, 2);
  cache_mem_release(e3);
  CHECK_EQ_U64(freed, 3);
  cache_mem_release(e1);
  CHECK_EQ_U64(freed, 4);
}
