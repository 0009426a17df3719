/* The instance pool through the embedding API (src/exec/pool.c): a reused memory or
 * table slot reads zero, copy-on-write images give every instance the module's data and
 * keep instances' writes apart, grow stays within a slot, an exhausted pool refuses with
 * a LIMIT error and recovers, a failed instantiation does not show data segments that
 * were not due, and one compiled module serves every instance. The expected values are
 * the WebAssembly semantics written out here (zeroed memory, the data segments' bytes),
 * the same answers the unpooled engine gives (checked side by side). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "weld.h"

static weld_engine *pooled(uint32_t slots, uint64_t slot_bytes, uint64_t guard, uint32_t tables, uint32_t elems) {
  weld_config c;
  weld_config_default(&c);
  c.stack_bytes = 64 << 10;
  c.pooling = true;
  c.pool.memory_slots = slots;
  c.pool.memory_slot_bytes = slot_bytes;
  c.pool.guard_bytes = guard;
  c.pool.table_slots = tables;
  c.pool.table_elements = elems;
  c.pool.copy_on_write = true;
  weld_error *err = NULL;
  weld_engine *e = weld_engine_new_err(&c, &err);
  if (!e) {
    unit_check(false, __FILE__, __LINE__, "engine: %s", err ? weld_error_message(err) : "?");
    weld_error_free(err);
  }
  return e;
}

static weld_module *load(weld_engine *e, const char *wat) {
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)wat, strlen(wat), &err);
  if (!m) {
    unit_check(false, __FILE__, __LINE__, "module: %s", err ? weld_error_message(err) : "?");
    weld_error_free(err);
  }
  return m;
}

static weld_instance *inst_new(weld_store *s, weld_module *m, const weld_import *im, size_t n, char *why, size_t cap) {
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_instance *i = weld_instance_new(s, m, im, n, &trap, &err);
  if (why) snprintf(why, cap, "%s", trap ? weld_trap_message(trap) : err ? weld_error_message(err) : "");
  weld_trap_free(trap);
  weld_error_free(err);
  return i;
}

static int64_t call1(weld_instance *i, const char *name, int32_t a, int32_t b, int nargs) {
  weld_func *f = weld_instance_func(i, name);
  if (!f) return -999;
  weld_val args[2] = {WELD_I32_VAL(a), WELD_I32_VAL(b)}, res[1];
  weld_trap *t = weld_func_call(f, args, (size_t)nargs, res, weld_func_result_count(f));
  if (t) {
    weld_trap_free(t);
    return -1000;
  }
  return weld_func_result_count(f) ? res[0].of.i32 : 0;
}

static const char mem_wat[] =
    "(module (memory (export \"mem\") 1 8)\n"
    "  (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))\n";

UNIT_GROUP(pool_reuse) {
  weld_engine *e = pooled(2, 8 * 65536, 65536, 2, 100);
  if (!e) return;
  weld_module *m = load(e, mem_wat);
  if (!m) return;
  for (int round = 0; round < 3; round++) {
    weld_store *s = weld_store_new(e);
    weld_instance *i = inst_new(s, m, NULL, 0, NULL, 0);
    CHECK(i != NULL);
    if (!i) break;
    /* what an earlier round wrote is gone: a fresh memory reads zero */
    CHECK_EQ_I64(call1(i, "load", 1000, 0, 1), 0);
    CHECK_EQ_I64(call1(i, "grow", 2, 0, 1), 1);
    CHECK_EQ_I64(call1(i, "load", 65536 + 100, 0, 1), 0);
    call1(i, "store", 1000, 77 + round, 2);
    call1(i, "store", 65536 + 100, 5, 2);
    CHECK_EQ_I64(call1(i, "load", 1000, 0, 1), 77 + round);
    /* the maximum (8 pages) and the slot (8 pages) bound grow; past them -1 */
    CHECK_EQ_I64(call1(i, "grow", 5, 0, 1), 3);
    CHECK_EQ_I64(call1(i, "grow", 1, 0, 1), -1);
    /* out of bounds still traps */
    CHECK_EQ_I64(call1(i, "load", 8 * 65536 - 2, 0, 1), -1000);
    weld_store_free(s);
  }
  /* the memory shrank back to its minimum: the pages grown last round are closed */
  weld_store *s = weld_store_new(e);
  weld_instance *i = inst_new(s, m, NULL, 0, NULL, 0);
  CHECK(i != NULL);
  if (i) CHECK_EQ_I64(call1(i, "load", 65536 + 100, 0, 1), -1000);
  weld_store_free(s);
  weld_pool_stats st;
  CHECK(weld_engine_pool_stats(e, &st));
  CHECK_EQ_U64(st.memories_in_use, 0);
  CHECK(st.reused >= 3);
  weld_module_free(m);
  weld_engine_free(e);
}

/* keep_resident: a small released memory is cleared by hand and stays mapped; the next
 * instance must still read zero everywhere, and grown pages must close again. */
UNIT_GROUP(pool_keep_resident) {
  weld_config c;
  weld_config_default(&c);
  c.stack_bytes = 64 << 10;
  c.pooling = true;
  c.pool.memory_slots = 1;
  c.pool.memory_slot_bytes = 8 * 65536;
  c.pool.guard_bytes = 65536;
  c.pool.table_slots = 1;
  c.pool.table_elements = 16;
  c.pool.keep_resident = 4 * 65536;
  weld_engine *e = weld_engine_new(&c);
  if (!CHECK(e != NULL)) return;
  weld_module *m = load(e, mem_wat);
  if (!m) return;
  for (int round = 0; round < 3; round++) {
    weld_store *s = weld_store_new(e);
    weld_instance *i = inst_new(s, m, NULL, 0, NULL, 0);
    if (!CHECK(i != NULL)) break;
    CHECK_EQ_I64(call1(i, "load", 1000, 0, 1), 0);
    CHECK_EQ_I64(call1(i, "load", 65536 - 4, 0, 1), 0);
    CHECK_EQ_I64(call1(i, "load", 65536, 0, 1), -1000);
    call1(i, "store", 1000, 9, 2);
    call1(i, "store", 65536 - 4, 9, 2);
    /* round 1 grows past keep_resident: that release discards instead */
    if (round == 1) CHECK_EQ_I64(call1(i, "grow", 5, 0, 1), 1);
    else CHECK_EQ_I64(call1(i, "grow", 1, 0, 1), 1);
    call1(i, "store", 65536 + 8, 9, 2);
    weld_store_free(s);
  }
  weld_module_free(m);
  weld_engine_free(e);
}

static const char data_wat[] =
    "(module (memory (export \"mem\") 2)\n"
    "  (data (i32.const 16) \"hello\")\n"
    "  (data (i32.const 70000) \"world!\")\n"
    "  (data (i32.const 18) \"LL\")\n" /* later segments overwrite earlier ones */
    "  (func (export \"load8\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
    "  (func (export \"store8\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))\n";

static bool reads(weld_instance *i, uint32_t at, const char *want) {
  for (size_t k = 0; want[k]; k++)
    if (call1(i, "load8", (int32_t)(at + k), 0, 1) != (unsigned char)want[k]) return false;
  return true;
}

UNIT_GROUP(pool_image) {
  weld_engine *e = pooled(4, 4 * 65536, 65536, 4, 100);
  if (!e) return;
  weld_module *m = load(e, data_wat);
  if (!m) return;
  weld_store *a = weld_store_new(e), *b = weld_store_new(e);
  weld_instance *ia = inst_new(a, m, NULL, 0, NULL, 0), *ib = inst_new(b, m, NULL, 0, NULL, 0);
  CHECK(ia && ib);
  if (!ia || !ib) return;
  CHECK(reads(ia, 16, "heLLo"));
  CHECK(reads(ia, 70000, "world!"));
  CHECK_EQ_I64(call1(ia, "load8", 15, 0, 1), 0);
  CHECK_EQ_I64(call1(ia, "load8", 21, 0, 1), 0);
  /* a write lands in the writer's copy only */
  call1(ia, "store8", 16, 'J', 2);
  call1(ia, "store8", 70000, 'W', 2);
  CHECK(reads(ia, 16, "JeLLo"));
  CHECK(reads(ib, 16, "heLLo"));
  CHECK(reads(ib, 70000, "world!"));
  weld_store_free(a);
  /* the slot comes back with the image restored */
  a = weld_store_new(e);
  ia = inst_new(a, m, NULL, 0, NULL, 0);
  CHECK(ia && reads(ia, 16, "heLLo") && reads(ia, 70000, "world!"));
  weld_pool_stats st;
  weld_engine_pool_stats(e, &st);
  CHECK_EQ_U64(st.images, 1);
  CHECK(st.image_hits >= 1);
  /* another module in a slot that held the image sees only its own data */
  weld_store_free(a);
  weld_module *plain = load(e, mem_wat);
  a = weld_store_new(e);
  weld_instance *ip = plain ? inst_new(a, plain, NULL, 0, NULL, 0) : NULL;
  CHECK(ip != NULL);
  if (ip) {
    CHECK_EQ_I64(call1(ip, "load", 16, 0, 1), 0);
    CHECK_EQ_I64(call1(ip, "load", 20, 0, 1), 0);
    CHECK_EQ_I64(call1(ip, "grow", 1, 0, 1), 1);
    CHECK_EQ_I64(call1(ip, "load", 70000, 0, 1), 0);
  }
  weld_store_free(a);
  weld_store_free(b);
  weld_module_free(plain);
  /* the module goes before its last slot: the slot keeps the image alive until another
   * module takes it (ASan would see a use after free) */
  a = weld_store_new(e);
  ia = inst_new(a, m, NULL, 0, NULL, 0);
  CHECK(ia && reads(ia, 16, "heLLo"));
  weld_store_free(a);
  weld_module_free(m);
  plain = load(e, mem_wat);
  for (int k = 0; k < 4 && plain; k++) {
    a = weld_store_new(e);
    ip = inst_new(a, plain, NULL, 0, NULL, 0);
    CHECK(ip && call1(ip, "load", 16, 0, 1) == 0);
    weld_store_free(a);
  }
  weld_module_free(plain);
  weld_engine_free(e);
}

/* Offsets that are not constants (a global), and data into an imported memory: copied
 * as always, no image. */
UNIT_GROUP(pool_no_image) {
  weld_engine *e = pooled(4, 4 * 65536, 65536, 4, 100);
  if (!e) return;
  weld_module *m = load(e,
                        "(module (import \"env\" \"g\" (global i32)) (memory (export \"mem\") 1)\n"
                        "  (data (global.get 0) \"abc\")\n"
                        "  (func (export \"load8\") (param i32) (result i32) (i32.load8_u (local.get 0))))\n");
  if (!m) return;
  weld_store *s = weld_store_new(e);
  weld_global *g = weld_global_new(s, WELD_I32, false, WELD_I32_VAL(100));
  weld_import im = {"env", "g", {.kind = WELD_EXTERN_GLOBAL, .of.global = g}};
  weld_instance *i = inst_new(s, m, &im, 1, NULL, 0);
  CHECK(i && reads(i, 100, "abc"));
  weld_pool_stats st;
  weld_engine_pool_stats(e, &st);
  CHECK_EQ_U64(st.images, 0);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
}

UNIT_GROUP(pool_limits) {
  { /* a pool that cannot be reserved: no engine, the reason, and nothing left behind (the
     * cache directory's copy was leaked on this path; LeakSanitizer checks it) */
    weld_config c;
    weld_config_default(&c);
    c.pooling = true;
    c.pool.memory_slots = UINT32_MAX;
    c.pool.memory_slot_bytes = 1ull << 32;
    c.pool.guard_bytes = 1ull << 32;
    c.cache_dir = "/nonexistent/weld-cache";
    weld_error *err = NULL;
    CHECK(weld_engine_new_err(&c, &err) == NULL);
    CHECK(err != NULL);
    if (err) CHECK_PREFIX(weld_error_message(err), "instance pool: ");
    weld_error_free(err);
  }
  weld_engine *e = pooled(2, 4 * 65536, 65536, 1, 16);
  if (!e) return;
  weld_module *m = load(e, mem_wat);
  weld_module *big = load(e, "(module (memory 5))");
  weld_module *tab = load(e, "(module (table (export \"t\") 20 funcref))");
  if (!m || !big || !tab) return;
  char why[256];
  weld_store *s = weld_store_new(e);
  CHECK(inst_new(s, big, NULL, 0, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "memory of 5 pages exceeds the instance pool's memory slot (4 pages)");
  CHECK(inst_new(s, tab, NULL, 0, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "table of 20 elements exceeds the instance pool's table slot (16 elements)");
  weld_store *s1 = weld_store_new(e), *s2 = weld_store_new(e), *s3 = weld_store_new(e);
  CHECK(inst_new(s1, m, NULL, 0, NULL, 0) != NULL);
  CHECK(inst_new(s2, m, NULL, 0, NULL, 0) != NULL);
  CHECK(inst_new(s3, m, NULL, 0, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "instance pool exhausted: all 2 memory slots are in use");
  weld_store_free(s1);
  weld_instance *i = inst_new(s3, m, NULL, 0, why, sizeof why);
  CHECK(i != NULL);
  if (i) CHECK_EQ_I64(call1(i, "load", 0, 0, 1), 0);
  weld_pool_stats st;
  weld_engine_pool_stats(e, &st);
  CHECK(st.exhausted >= 1);
  weld_store_free(s);
  weld_store_free(s2);
  weld_store_free(s3);
  weld_module_free(m);
  weld_module_free(big);
  weld_module_free(tab);
  weld_engine_free(e);
}

static const char table_wat[] =
    "(module (table $t (export \"t\") 4 16 funcref)\n"
    "  (func $f (result i32) (i32.const 42))\n"
    "  (elem declare func $f)\n"
    "  (func (export \"set\") (param i32) (table.set $t (local.get 0) (ref.func $f)))\n"
    "  (func (export \"isnull\") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))\n"
    "  (func (export \"grow\") (param i32) (result i32) (table.grow $t (ref.func $f) (local.get 0))))\n";

UNIT_GROUP(pool_tables) {
  weld_engine *e = pooled(2, 65536, 65536, 2, 16);
  if (!e) return;
  weld_module *m = load(e, table_wat);
  if (!m) return;
  for (int round = 0; round < 2; round++) {
    weld_store *s = weld_store_new(e);
    weld_instance *i = inst_new(s, m, NULL, 0, NULL, 0);
    CHECK(i != NULL);
    if (!i) break;
    for (int k = 0; k < 4; k++) CHECK_EQ_I64(call1(i, "isnull", k, 0, 1), 1);
    call1(i, "set", 3, 0, 1);
    CHECK_EQ_I64(call1(i, "isnull", 3, 0, 1), 0);
    CHECK_EQ_I64(call1(i, "grow", 10, 0, 1), 4);
    CHECK_EQ_I64(call1(i, "isnull", 13, 0, 1), 0);
    CHECK_EQ_I64(call1(i, "grow", 3, 0, 1), -1); /* 17 > the maximum of 16 */
    CHECK_EQ_I64(call1(i, "isnull", 14, 0, 1), -1000);
    weld_store_free(s);
  }
  weld_module_free(m);
  weld_engine_free(e);
}

/* An element segment traps after an earlier one put a function reading the module's
 * memory into an imported table: the data segments never ran, so the function must see
 * zeros, as without a pool. */
static const char elem_trap_wat[] =
    "(module (import \"env\" \"t\" (table 1 funcref)) (memory 1)\n"
    "  (func $peek (result i32) (i32.load8_u (i32.const 8)))\n"
    "  (elem (i32.const 0) $peek)\n"
    "  (elem (i32.const 5) $peek)\n"
    "  (data (i32.const 8) \"x\"))\n";

static int64_t elem_trap_peek(weld_engine *e) {
  weld_module *m = load(e, elem_trap_wat);
  if (!m) return -2;
  weld_store *s = weld_store_new(e);
  weld_table *t = weld_table_new(s, WELD_FUNCREF, 1, 1, (weld_val){.kind = WELD_FUNCREF});
  weld_import im = {"env", "t", {.kind = WELD_EXTERN_TABLE, .of.table = t}};
  char why[256];
  weld_instance *i = inst_new(s, m, &im, 1, why, sizeof why);
  CHECK(i == NULL);
  CHECK_PREFIX(why, "out of bounds table access");
  weld_val v;
  int64_t r = -3;
  if (weld_table_get(t, 0, &v) && v.of.funcref) {
    weld_val res[1];
    weld_trap *tr = weld_func_call(v.of.funcref, NULL, 0, res, 1);
    r = tr ? -4 : res[0].of.i32;
    weld_trap_free(tr);
  }
  weld_store_free(s);
  weld_module_free(m);
  return r;
}

UNIT_GROUP(pool_failed_instance) {
  weld_engine *plain = weld_engine_new(NULL);
  weld_engine *e = pooled(2, 65536, 65536, 2, 16);
  if (!e || !plain) return;
  CHECK_EQ_I64(elem_trap_peek(plain), 0);
  CHECK_EQ_I64(elem_trap_peek(e), 0);
  /* and the slot, reused by the same module, is clean again */
  CHECK_EQ_I64(elem_trap_peek(e), 0);
  weld_engine_free(e);
  weld_engine_free(plain);
}

/* One compiled module for every instance: the tier compiled it once, when made, and
 * instantiating a hundred times compiles nothing more; under the baseline tier and a
 * guarded slot an out-of-bounds access still traps (the fault lands in the slot's guard). */
UNIT_GROUP(pool_shared_code) {
  weld_config c;
  weld_config_default(&c);
  c.tier = weld_tier_unsupported(WELD_TIER_BASELINE) ? WELD_TIER_INTERP : WELD_TIER_BASELINE;
  c.stack_bytes = 64 << 10;
  c.pooling = true;
  c.pool.memory_slots = 4;
  c.pool.table_slots = 4;
  c.pool.copy_on_write = true;
  weld_engine *e = weld_engine_new(&c);
  if (!CHECK(e != NULL)) return;
  weld_module *m = load(e, mem_wat);
  if (!m) return;
  weld_tier_stats before, after;
  weld_module_tier_stats(m, &before);
  for (int k = 0; k < 100; k++) {
    weld_store *s = weld_store_new(e);
    weld_instance *i = inst_new(s, m, NULL, 0, NULL, 0);
    CHECK(i != NULL);
    if (i) {
      call1(i, "store", 4 * k, k, 2);
      CHECK_EQ_I64(call1(i, "load", 4 * k, 0, 1), k);
      CHECK_EQ_I64(call1(i, "load", 65536, 0, 1), -1000);
    }
    weld_store_free(s);
  }
  weld_module_tier_stats(m, &after);
  CHECK_EQ_U64(after.compiled, before.compiled);
  CHECK_EQ_U64(after.code_bytes, before.code_bytes);
  if (c.tier == WELD_TIER_BASELINE) CHECK_EQ_U64(before.compiled, before.functions);
  weld_module_free(m);
  weld_engine_free(e);
}

/* ---------- density: 10,000 live instances of one small module ------------------------- */

/* Proportional set size of this process, in KiB (smaps_rollup), or -1. */
static long pss_kib(void) {
  FILE *f = fopen("/proc/self/smaps_rollup", "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Pss: %ld kB", &v) == 1) break;
  fclose(f);
  return v;
}

static const char small_wat[] =
    "(module (memory 1 1)\n"
    "  (data (i32.const 0) \"\\01\\02\\03\\04weld density\")\n"
    "  (func (export \"run\") (param i32) (result i32)\n"
    "    (i32.store (i32.const 1024) (local.get 0))\n"
    "    (i32.add (i32.mul (local.get 0) (i32.const 3))\n"
    "             (i32.add (i32.load (i32.const 0)) (i32.load8_u (i32.const 4)))))\n"
    "  (func (export \"get\") (result i32) (i32.load (i32.const 1024))))\n";

#define DENSITY_N 10000

/* Every instance must answer its own computation, keep what it wrote apart from the
 * others, and cost little memory: the code, the data page and the pool are shared, so
 * what remains per instance is its store, its instance records and the one page it
 * writes. The bound is generous (64 KiB, 256 KiB in a sanitizer build, whose allocator
 * pads every block) against about 20 KiB measured (bench/RESULTS.md). */
UNIT_GROUP(pool_density) {
  weld_engine *e = pooled(DENSITY_N + 1, 65536, 65536, 1, 1);
  if (!e) return;
  weld_module *m = load(e, small_wat);
  if (!m) return;
  weld_store **stores = calloc(DENSITY_N, sizeof *stores);
  weld_instance **insts = calloc(DENSITY_N, sizeof *insts);
  if (!CHECK(stores && insts)) return;
  /* one instance first, so one-time costs (the image, lazily made tables) are not counted */
  weld_store *warm = weld_store_new(e);
  CHECK(inst_new(warm, m, NULL, 0, NULL, 0) != NULL);
  long before = pss_kib();
  int wrong = 0, failed = 0;
  /* 0x04030201 is the data's first word, 'w' its fifth byte */
  const int32_t base = 0x04030201 + 'w';
  for (int k = 0; k < DENSITY_N; k++) {
    stores[k] = weld_store_new(e);
    insts[k] = stores[k] ? inst_new(stores[k], m, NULL, 0, NULL, 0) : NULL;
    if (!insts[k]) {
      failed++;
      continue;
    }
    if (call1(insts[k], "run", k, 0, 1) != (int32_t)(3 * k + base)) wrong++;
  }
  long after = pss_kib();
  CHECK_EQ_U64(failed, 0);
  CHECK_EQ_U64(wrong, 0);
  /* each instance still holds its own value */
  int mixed = 0;
  for (int k = 0; k < DENSITY_N; k++)
    if (insts[k] && call1(insts[k], "get", 0, 0, 0) != k) mixed++;
  CHECK_EQ_U64(mixed, 0);
  weld_pool_stats st;
  weld_engine_pool_stats(e, &st);
  CHECK_EQ_U64(st.memories_in_use, DENSITY_N + 1);
  CHECK_EQ_U64(st.images, 1);
  if (before >= 0 && after >= 0) {
    long per = (after - before) * 1024 / DENSITY_N;
    long bound = 64 * 1024;
#if defined(__SANITIZE_ADDRESS__)
    bound = 256 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    bound = 256 * 1024;
#endif
#endif
    unit_check(per <= bound, __FILE__, __LINE__, "PSS per instance %ld bytes <= %ld", per, bound);
    printf("pool_density: %d instances, PSS %ld -> %ld KiB, %ld bytes per instance\n", DENSITY_N, before, after, per);
  } else {
    unit_check(false, __FILE__, __LINE__, "no /proc/self/smaps_rollup: cannot measure PSS");
  }
  for (int k = 0; k < DENSITY_N; k++) weld_store_free(stores[k]);
  weld_store_free(warm);
  weld_engine_pool_stats(e, &st);
  CHECK_EQ_U64(st.memories_in_use, 0);
  free(stores);
  free(insts);
  weld_module_free(m);
  weld_engine_free(e);
}
