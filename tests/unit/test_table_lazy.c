/* Lazy table initialisation (src/exec/table.c): an active element segment of function
 * indices is not copied into its table at instantiation; each element becomes its
 * function reference when first read or written. These groups check both halves: what
 * the program and the host see is the WebAssembly semantics (element j of the segment is
 * function j % 10, which returns 100 + j % 10; written out here, not taken from weld),
 * and what is materialised is only what was touched (the table's `materialised` counter
 * and exec_table_pending). Every group runs in each tier the build has and with and
 * without the instance pool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "unit.h"
#include "weld.h"

#define NSEG 1000u  /* elements the active segment covers: [0, NSEG) */
#define NTAB 3000u  /* the table's initial size: [NSEG, NTAB) stays null; over 16 KiB, so a released pool slot is cleared page by page (pool.c) */

static char *module_a(void) {
  size_t cap = 64 * 1024, n = 0;
  char *w = malloc(cap);
  if (!w) return NULL;
  n += (size_t)snprintf(w + n, cap - n,
                        "(module (type $t (func (result i32)))\n"
                        "  (table $tab (export \"tab\") %u 4000 funcref)\n",
                        NTAB);
  for (int k = 0; k < 10; k++)
    n += (size_t)snprintf(w + n, cap - n, "  (func $f%d (export \"f%d\") (result i32) (i32.const %d))\n", k, k,
                          100 + k);
  n += (size_t)snprintf(w + n, cap - n, "  (elem (table $tab) (i32.const 0) func");
  for (unsigned j = 0; j < NSEG; j++) n += (size_t)snprintf(w + n, cap - n, " $f%u", j % 10);
  snprintf(w + n, cap - n,
           ")\n"
           "  (elem $p func $f9 $f8 $f7)\n"
           "  (func (export \"call\") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))\n"
           "  (func (export \"is_null\") (param i32) (result i32) (ref.is_null (table.get $tab (local.get 0))))\n"
           "  (func (export \"set_null\") (param i32) (table.set $tab (local.get 0) (ref.null func)))\n"
           "  (func (export \"copy\") (param i32 i32 i32)\n"
           "    (table.copy $tab $tab (local.get 0) (local.get 1) (local.get 2)))\n"
           "  (func (export \"fill_null\") (param i32 i32) (table.fill $tab (local.get 0) (ref.null func) (local.get 1)))\n"
           "  (func (export \"init\") (param i32 i32 i32) (table.init $tab $p (local.get 0) (local.get 1) (local.get 2)))\n"
           "  (func (export \"grow\") (param i32) (result i32) (table.grow $tab (ref.null func) (local.get 0))))\n");
  return w;
}

/* Imports A's table and puts five functions of its own (200..204) at 200. */
static const char module_b[] =
    "(module (type $t (func (result i32)))\n"
    "  (import \"env\" \"tab\" (table $tab 1010 funcref))\n"
    "  (func $g0 (result i32) (i32.const 200)) (func $g1 (result i32) (i32.const 201))\n"
    "  (func $g2 (result i32) (i32.const 202)) (func $g3 (result i32) (i32.const 203))\n"
    "  (func $g4 (result i32) (i32.const 204))\n"
    "  (elem (table $tab) (i32.const 200) func $g0 $g1 $g2 $g3 $g4)\n"
    "  (func (export \"call\") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))\n";

/* Imports the table, puts one function (300) at 300, then traps on a segment out of
 * bounds: the first segment's write stays (the spec's semantics). */
static const char module_c[] =
    "(module (import \"env\" \"tab\" (table $tab 1010 funcref))\n"
    "  (func $h (result i32) (i32.const 300))\n"
    "  (elem (table $tab) (i32.const 300) func $h $h)\n"
    "  (elem (table $tab) (i32.const 5000) func $h))\n";

typedef struct {
  weld_engine *e;
  weld_module *a, *b, *c;
  const char *name;
} setup;

static bool open_setup(setup *st, weld_tier tier, bool pooling) {
  memset(st, 0, sizeof *st);
  weld_config c;
  weld_config_default(&c);
  c.tier = tier;
  c.tier_up_threshold = 0;
  c.tier_eager_bytes = 0; /* functions compiled one by one */
  c.stack_bytes = 64 << 10;
  if (pooling) {
    c.pooling = true;
    c.pool.memory_slots = 4;
    c.pool.memory_slot_bytes = 1 << 20;
    c.pool.guard_bytes = 65536;
    c.pool.table_slots = 8;
    c.pool.table_elements = 8000;
  }
  weld_error *err = NULL;
  st->e = weld_engine_new_err(&c, &err);
  if (!unit_check(st->e != NULL, __FILE__, __LINE__, "engine: %s", err ? weld_error_message(err) : "?")) {
    weld_error_free(err);
    return false;
  }
  char *wa = module_a();
  const char *src[3] = {wa, module_b, module_c};
  weld_module **dst[3] = {&st->a, &st->b, &st->c};
  for (int k = 0; k < 3; k++) {
    *dst[k] = src[k] ? weld_module_new(st->e, (const uint8_t *)src[k], strlen(src[k]), &err) : NULL;
    if (!unit_check(*dst[k] != NULL, __FILE__, __LINE__, "module %c: %s", 'a' + k, err ? weld_error_message(err) : "?")) {
      weld_error_free(err);
      free(wa);
      return false;
    }
  }
  free(wa);
  return true;
}

static void close_setup(setup *st) {
  weld_module_free(st->a);
  weld_module_free(st->b);
  weld_module_free(st->c);
  weld_engine_free(st->e);
}

static weld_instance *inst(weld_store *s, weld_module *m, weld_table *tab, char *why, size_t cap) {
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_import im = {"env", "tab", {.kind = WELD_EXTERN_TABLE, .of.table = tab}};
  weld_instance *i = weld_instance_new(s, m, tab ? &im : NULL, tab ? 1 : 0, &trap, &err);
  if (why) snprintf(why, cap, "%s", trap ? weld_trap_message(trap) : err ? weld_error_message(err) : "");
  weld_trap_free(trap);
  weld_error_free(err);
  return i;
}

/* Calls `name` with up to three i32 arguments; -1000 on a trap (its message in *why). */
static int64_t call(weld_instance *i, const char *name, int nargs, int32_t a0, int32_t a1, int32_t a2, char *why) {
  weld_func *f = weld_instance_func(i, name);
  if (!f) return -999;
  weld_val args[3] = {WELD_I32_VAL(a0), WELD_I32_VAL(a1), WELD_I32_VAL(a2)}, res[1];
  weld_trap *t = weld_func_call(f, args, (size_t)nargs, res, weld_func_result_count(f));
  if (t) {
    if (why) snprintf(why, 128, "%s", weld_trap_message(t));
    weld_trap_free(t);
    return -1000;
  }
  return weld_func_result_count(f) ? res[0].of.i32 : 0;
}

static int64_t call_at(weld_instance *i, uint32_t j) { return call(i, "call", 1, (int32_t)j, 0, 0, NULL); }

static uint64_t materialised(weld_table *t) { return ((exec_table *)t)->materialised; }
static uint64_t pending(weld_table *t) { return exec_table_pending((exec_table *)t); }

typedef void (*scenario)(setup *st);

/* Untouched elements stay unmaterialised; call_indirect and table.get materialise the
 * one element they read, once; elements outside the segment stay null. */
static void sc_touch(setup *st) {
  weld_store *s = weld_store_new(st->e);
  weld_instance *i = inst(s, st->a, NULL, NULL, 0);
  weld_table *t = i ? weld_instance_table(i, "tab") : NULL;
  if (!unit_check(t != NULL, __FILE__, __LINE__, "%s: instance", st->name)) goto out;
  CHECK_EQ_U64(materialised(t), 0);
  CHECK_EQ_U64(pending(t), NSEG);
  CHECK_EQ_I64(call_at(i, 5), 105);
  CHECK_EQ_I64(call_at(i, 5), 105);
  CHECK_EQ_U64(materialised(t), 1);
  CHECK_EQ_U64(pending(t), NSEG - 1);
  CHECK_EQ_I64(call(i, "is_null", 1, 17, 0, 0, NULL), 0);
  CHECK_EQ_U64(materialised(t), 2);
  CHECK_EQ_I64(call_at(i, 17), 107);
  CHECK_EQ_U64(materialised(t), 2);
  char why[128] = "";
  CHECK_EQ_I64(call(i, "call", 1, (int32_t)NSEG, 0, 0, why), -1000); /* null: past the segment */
  CHECK_PREFIX(why, "uninitialized element");
  CHECK_EQ_I64(call(i, "is_null", 1, (int32_t)NSEG + 3, 0, 0, NULL), 1);
  CHECK_EQ_I64(call(i, "call", 1, (int32_t)NTAB, 0, 0, why), -1000);
  CHECK_PREFIX(why, "undefined element");
  CHECK_EQ_U64(materialised(t), 2);
  /* every element read once: all materialised, and each is its function */
  bool all = true;
  for (uint32_t j = 0; j < NSEG; j++) all &= call_at(i, j) == 100 + j % 10;
  CHECK(all);
  CHECK_EQ_U64(materialised(t), NSEG);
  CHECK_EQ_U64(pending(t), 0);
out:
  weld_store_free(s);
}

/* Writes over due elements win over the segment: table.set, table.fill, table.init, and
 * table.copy in both directions (a due source is read as its function). */
static void sc_write(setup *st) {
  weld_store *s = weld_store_new(st->e);
  weld_instance *i = inst(s, st->a, NULL, NULL, 0);
  weld_table *t = i ? weld_instance_table(i, "tab") : NULL;
  if (!unit_check(t != NULL, __FILE__, __LINE__, "%s: instance", st->name)) goto out;
  char why[128] = "";
  call(i, "set_null", 1, 3, 0, 0, NULL);
  CHECK_EQ_I64(call(i, "is_null", 1, 3, 0, 0, NULL), 1);
  CHECK_EQ_I64(call(i, "call", 1, 3, 0, 0, why), -1000);
  CHECK_PREFIX(why, "uninitialized element");
  CHECK_EQ_I64(call_at(i, 4), 104); /* the neighbours are untouched */
  call(i, "fill_null", 2, 20, 5, 0, NULL);
  bool nulls = true;
  for (uint32_t j = 20; j < 25; j++) nulls &= call(i, "is_null", 1, (int32_t)j, 0, 0, NULL) == 1;
  CHECK(nulls);
  CHECK_EQ_I64(call_at(i, 25), 105);
  CHECK_EQ_I64(call_at(i, 19), 109);
  /* copy 10 due elements from 30 to 500 (also due), then 1000..1009 (null) over 600.. */
  uint64_t before = pending(t);
  call(i, "copy", 3, 500, 30, 10, NULL);
  CHECK_EQ_U64(pending(t), before - 20); /* the source and the destination, nothing else */
  bool ok = true;
  for (uint32_t j = 0; j < 10; j++) ok &= call_at(i, 500 + j) == 100 + j;
  CHECK(ok);
  CHECK_EQ_I64(call_at(i, 510), 100); /* just past the copy: the segment's */
  call(i, "copy", 3, 600, (int32_t)NSEG, 10, NULL);
  nulls = true;
  for (uint32_t j = 600; j < 610; j++) nulls &= call(i, "is_null", 1, (int32_t)j, 0, 0, NULL) == 1;
  CHECK(nulls);
  /* overlapping copy within due elements: 700..719 -> 705..724 */
  call(i, "copy", 3, 705, 700, 20, NULL);
  ok = true;
  for (uint32_t j = 0; j < 20; j++) ok &= call_at(i, 705 + j) == 100 + (700 + j) % 10;
  CHECK(ok && call_at(i, 704) == 104);
  /* table.init from the passive segment ($f9 $f8 $f7) over due elements */
  call(i, "init", 3, 800, 0, 3, NULL);
  CHECK(call_at(i, 800) == 109 && call_at(i, 801) == 108 && call_at(i, 802) == 107 && call_at(i, 803) == 103);
  /* a trapping copy (out of bounds) changes nothing */
  CHECK_EQ_I64(call(i, "copy", 3, 900, (int32_t)NTAB - 5, 10, why), -1000);
  CHECK_PREFIX(why, "out of bounds table access");
  CHECK_EQ_I64(call_at(i, 900), 100);
  /* grown elements are null, the due ones still their functions */
  CHECK_EQ_I64(call(i, "grow", 1, 100, 0, 0, NULL), NTAB);
  CHECK_EQ_I64(call(i, "is_null", 1, (int32_t)NTAB + 50, 0, 0, NULL), 1);
  CHECK_EQ_I64(call_at(i, 950), 100);
out:
  weld_store_free(s);
}

/* The host's reads and writes: weld_table_get materialises (a due element is its function,
 * the same handle weld_instance_func gives), weld_table_set wins over the segment. */
static void sc_host(setup *st) {
  weld_store *s = weld_store_new(st->e);
  weld_instance *i = inst(s, st->a, NULL, NULL, 0);
  weld_table *t = i ? weld_instance_table(i, "tab") : NULL;
  if (!unit_check(t != NULL, __FILE__, __LINE__, "%s: instance", st->name)) goto out;
  weld_val v;
  CHECK(weld_table_get(t, 13, &v) && v.kind == WELD_FUNCREF && v.of.funcref == weld_instance_func(i, "f3"));
  CHECK_EQ_U64(materialised(t), 1);
  CHECK(weld_table_get(t, NSEG + 1, &v) && v.of.funcref == NULL);
  CHECK(weld_table_set(t, 14, (weld_val){.kind = WELD_FUNCREF}));
  CHECK(weld_table_get(t, 14, &v) && v.of.funcref == NULL);
  CHECK_EQ_U64(materialised(t), 1);
  CHECK_EQ_U64(pending(t), NSEG - 2);
  CHECK(weld_table_set(t, 15, (weld_val){.kind = WELD_FUNCREF, .of.funcref = weld_instance_func(i, "f9")}));
  CHECK_EQ_I64(call_at(i, 15), 109);
  CHECK_EQ_I64(call_at(i, 16), 106);
out:
  weld_store_free(s);
}

/* A table shared by instances: B's segment over A's due elements wins (recorded after
 * A's), each instance sees the other's writes, and a failed instantiation's earlier
 * segment stays in the table. */
static void sc_shared(setup *st) {
  weld_store *s = weld_store_new(st->e);
  weld_instance *a = inst(s, st->a, NULL, NULL, 0);
  weld_table *t = a ? weld_instance_table(a, "tab") : NULL;
  if (!unit_check(t != NULL, __FILE__, __LINE__, "%s: instance", st->name)) goto out;
  CHECK_EQ_I64(call_at(a, 201), 101); /* materialised from A's segment before B comes */
  weld_instance *b = inst(s, st->b, t, NULL, 0);
  if (!unit_check(b != NULL, __FILE__, __LINE__, "%s: instance b", st->name)) goto out;
  CHECK_EQ_U64(materialised(t), 1);
  CHECK_EQ_U64(pending(t), NSEG - 1 + 1); /* 201 due again, now B's */
  bool ok = true;
  for (uint32_t j = 0; j < 5; j++) ok &= call_at(a, 200 + j) == 200 + j && call_at(b, 200 + j) == 200 + j;
  CHECK(ok);
  CHECK(call_at(a, 199) == 109 && call_at(b, 205) == 105);
  call(a, "set_null", 1, 206, 0, 0, NULL);
  char why[128] = "";
  CHECK_EQ_I64(call(b, "call", 1, 206, 0, 0, why), -1000);
  CHECK_PREFIX(why, "uninitialized element");
  CHECK(inst(s, st->c, t, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "out of bounds table access");
  weld_val v;
  CHECK(weld_table_get(t, 300, &v) && v.of.funcref != NULL);
  CHECK(call_at(a, 300) == 300 && call_at(b, 301) == 300 && call_at(a, 302) == 102);
out:
  weld_store_free(s);
}

/* Many instances, one after another (reusing pooled slots): each starts with every
 * segment element due and reads the right functions. */
static void sc_reuse(setup *st) {
  for (int round = 0; round < 3; round++) {
    weld_store *s = weld_store_new(st->e);
    weld_instance *i = inst(s, st->a, NULL, NULL, 0);
    weld_table *t = i ? weld_instance_table(i, "tab") : NULL;
    if (unit_check(t != NULL, __FILE__, __LINE__, "%s: instance", st->name)) {
      CHECK_EQ_U64(pending(t), NSEG);
      CHECK_EQ_I64(call(i, "is_null", 1, (int32_t)NSEG + round, 0, 0, NULL), 1);
      CHECK_EQ_I64(call_at(i, (uint32_t)(7 + round)), 100 + (7 + round) % 10);
      call(i, "copy", 3, (int32_t)NSEG, 0, 10, NULL); /* writes past the segment, for the next round */
      CHECK_EQ_I64(call_at(i, NSEG + 2), 102);
    }
    weld_store_free(s);
  }
}

static void run_all(scenario sc) {
  static const weld_tier tiers[] = {WELD_TIER_INTERP, WELD_TIER_BASELINE, WELD_TIER_AUTO, WELD_TIER_OPTIMIZED};
  static const char *names[] = {"interp", "baseline", "auto", "optimized"};
  for (int k = 0; k < 4; k++) {
    if (weld_tier_unsupported(tiers[k])) continue;
    for (int pooling = 0; pooling < 2; pooling++) {
      setup st;
      if (!open_setup(&st, tiers[k], pooling)) {
        close_setup(&st);
        continue;
      }
      char name[64];
      snprintf(name, sizeof name, "%s%s", names[k], pooling ? " pooled" : "");
      st.name = name;
      sc(&st);
      close_setup(&st);
    }
  }
}

UNIT_GROUP(table_lazy_touch) { run_all(sc_touch); }
UNIT_GROUP(table_lazy_write) { run_all(sc_write); }
UNIT_GROUP(table_lazy_host) { run_all(sc_host); }
UNIT_GROUP(table_lazy_shared) { run_all(sc_shared); }
UNIT_GROUP(table_lazy_reuse) { run_all(sc_reuse); }

/* More segments than a table records (64): the first 64 stay due, the rest are copied at
 * once, and a later segment still wins over an earlier due one. */
UNIT_GROUP(table_lazy_many_segments) {
  size_t cap = 16 * 1024, n = 0;
  char *w = malloc(cap);
  if (!w) return;
  n += (size_t)snprintf(w + n, cap - n, "(module (type $t (func (result i32))) (table (export \"tab\") 100 funcref)\n");
  for (int k = 0; k < 10; k++) n += (size_t)snprintf(w + n, cap - n, "(func $f%d (result i32) (i32.const %d))\n", k, 100 + k);
  for (int k = 0; k < 70; k++) n += (size_t)snprintf(w + n, cap - n, "(elem (i32.const %d) func $f%d)\n", k, k % 10);
  snprintf(w + n, cap - n,
           "(elem (i32.const 3) func $f9 $f9)\n"
           "(func (export \"call\") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))\n");
  for (int pooling = 0; pooling < 2; pooling++) {
    weld_config c;
    weld_config_default(&c);
    c.tier = WELD_TIER_INTERP;
    c.pooling = pooling;
    c.pool.memory_slots = 2;
    c.pool.memory_slot_bytes = 1 << 20;
    c.pool.guard_bytes = 65536;
    c.pool.table_slots = 2;
    c.pool.table_elements = 1000;
    weld_engine *e = weld_engine_new(&c);
    weld_module *m = e ? weld_module_new(e, (const uint8_t *)w, strlen(w), NULL) : NULL;
    weld_store *s = m ? weld_store_new(e) : NULL;
    weld_instance *i = s ? inst(s, m, NULL, NULL, 0) : NULL;
    weld_table *t = i ? weld_instance_table(i, "tab") : NULL;
    if (unit_check(t != NULL, __FILE__, __LINE__, "many segments (pool %d): instance", pooling)) {
      CHECK_EQ_U64(pending(t), 64 - 2); /* 3 and 4 taken back by the last segment */
      bool ok = true;
      for (uint32_t k = 0; k < 70; k++) ok &= call_at(i, k) == (k == 3 || k == 4 ? 109 : 100 + k % 10);
      CHECK(ok);
      CHECK_EQ_U64(materialised(t), 62);
    }
    weld_store_free(s);
    weld_module_free(m);
    weld_engine_free(e);
  }
  free(w);
}
