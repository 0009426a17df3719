/* The GC heap and its collector (src/exec/gc.c): layouts, the reference encoding, what
 * survives a collection (host handles, globals, tables, frames through the stack maps)
 * and what does not (garbage, cycles), the allocation trigger, the heap limit and the
 * stress mode. Frames are exercised through real modules whose host functions collect
 * in the middle of a call. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/gc.h"
#include "unit.h"
#include "weld.h"

static exec_gc_layout *struct_layout(exec_store *s, exec_typeid id, uint32_t n, const uint8_t *st) {
  return exec_gc_layout_get(s, id, EXEC_GC_STRUCT, n, st);
}

static void set_ref(exec_gc_obj *o, uint32_t off, exec_slot r) { memcpy(exec_gc_data(o) + off, &r, 8); }
static exec_slot get_ref(exec_gc_obj *o, uint32_t off) {
  exec_slot r;
  memcpy(&r, exec_gc_data(o) + off, 8);
  return r;
}

UNIT_GROUP(gc_layout) {
  exec_store *s = exec_store_new(NULL);
  if (!CHECK(s)) return;
  /* natural alignment, packed fields in 1 and 2 bytes, v128 at 8 */
  const uint8_t st[] = {EXEC_GC_I8, EXEC_GC_I64, EXEC_GC_I16, EXEC_GC_REF, EXEC_GC_F32, EXEC_GC_V128, EXEC_GC_I8};
  exec_gc_layout *l = struct_layout(s, 100, 7, st);
  if (!CHECK(l)) return;
  CHECK_EQ_U64(l->offsets[0], 0);
  CHECK_EQ_U64(l->offsets[1], 8);
  CHECK_EQ_U64(l->offsets[2], 16);
  CHECK_EQ_U64(l->offsets[3], 24);
  CHECK_EQ_U64(l->offsets[4], 32);
  CHECK_EQ_U64(l->offsets[5], 40);
  CHECK_EQ_U64(l->offsets[6], 56);
  CHECK_EQ_U64(l->size, 57);
  CHECK_EQ_U64(l->nrefs, 1);
  CHECK_EQ_U64(l->ref_offsets[0], 24);
  /* one layout per type id */
  CHECK(struct_layout(s, 100, 7, st) == l);
  const uint8_t e16 = EXEC_GC_I16;
  exec_gc_layout *a = exec_gc_layout_get(s, 101, EXEC_GC_ARRAY, 1, &e16);
  if (!CHECK(a)) return;
  CHECK_EQ_U64(a->size, 2);
  CHECK(!a->elem_ref);

  /* packed loads extend as asked, stores truncate */
  exec_gc_obj *o = exec_gc_new_struct(s, l, false);
  if (!CHECK(o)) return;
  exec_slot v = 0x1ff, out = 0;
  exec_gc_store(EXEC_GC_I8, exec_gc_data(o), &v);
  exec_gc_load(EXEC_GC_I8, exec_gc_data(o), true, &out);
  CHECK_EQ_U64((uint32_t)out, 0xffffffffu);
  exec_gc_load(EXEC_GC_I8, exec_gc_data(o), false, &out);
  CHECK_EQ_U64(out, 0xff);
  v = 0x18000;
  exec_gc_store(EXEC_GC_I16, exec_gc_data(o) + 16, &v);
  exec_gc_load(EXEC_GC_I16, exec_gc_data(o) + 16, true, &out);
  CHECK_EQ_U64((uint32_t)out, 0xffff8000u);
  /* fields start zeroed: null references */
  CHECK_EQ_U64(get_ref(o, 24), 0);

  /* i31: 31 bits, signed and unsigned views */
  CHECK(exec_ref_is_i31(exec_i31_new(0)));
  CHECK_EQ_U64(exec_i31_get_u(exec_i31_new(0x7fffffffu)), 0x7fffffffu);
  CHECK_EQ_I64(exec_i31_get_s(exec_i31_new(0x7fffffffu)), -1);
  CHECK_EQ_I64(exec_i31_get_s(exec_i31_new(0x40000000u)), -0x40000000);
  CHECK_EQ_I64(exec_i31_get_s(exec_i31_new(0x3fffffffu)), 0x3fffffff);
  CHECK_EQ_U64(exec_i31_get_u(exec_i31_new(0xffffffffu)), 0x7fffffffu); /* wraps to 31 bits */
  CHECK(exec_gc_obj_of(exec_i31_new(5)) == NULL && exec_gc_obj_of(0) == NULL);
  CHECK(exec_gc_obj_of(exec_gc_ref(o)) == o);

  /* host boxes give back exactly the host's pointer, odd or not */
  exec_slot b;
  void *back = NULL;
  CHECK(exec_gc_box(s, (void *)(uintptr_t)3, &b) && b && !exec_ref_is_i31(b));
  CHECK(exec_gc_unbox(b, &back) && back == (void *)(uintptr_t)3);
  CHECK(exec_gc_box(s, NULL, &b) && b == 0);
  CHECK(exec_gc_unbox(0, &back) && back == NULL);
  CHECK(!exec_gc_unbox(exec_gc_ref(o), &back));
  CHECK(!exec_gc_unbox(exec_i31_new(1), &back));
  exec_store_free(s);
}

UNIT_GROUP(gc_collect) {
  exec_store *s = exec_store_new(NULL);
  if (!CHECK(s)) return;
  const uint8_t st[] = {EXEC_GC_I32, EXEC_GC_REF, EXEC_GC_REF};
  exec_gc_layout *node = struct_layout(s, 200, 3, st);
  const uint8_t er = EXEC_GC_REF;
  exec_gc_layout *arr = exec_gc_layout_get(s, 201, EXEC_GC_ARRAY, 1, &er);
  if (!CHECK(node && arr)) return;
  uint32_t r1 = node->offsets[1], r2 = node->offsets[2];

  /* nothing rooted: everything goes, and the byte count returns to zero */
  for (int i = 0; i < 10; i++) CHECK(exec_gc_new_struct(s, node, false));
  CHECK_EQ_U64(exec_gc_count(s), 10);
  CHECK(s->usage.gc_bytes > 0);
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 0);
  CHECK_EQ_U64(s->usage.gc_bytes, 0);
  CHECK(s->usage.peak_gc_bytes >= 10 * sizeof(exec_gc_obj));

  /* a handle keeps a graph alive: struct -> array -> structs, an i31 and a cycle */
  exec_gc_obj *root = exec_gc_new_struct(s, node, false);
  exec_gc_obj *a = exec_gc_new_array(s, arr, 4, false);
  exec_gc_obj *x = exec_gc_new_struct(s, node, false);
  exec_gc_obj *y = exec_gc_new_struct(s, node, false);
  exec_gc_obj *garbage = exec_gc_new_struct(s, node, false);
  if (!CHECK(root && a && x && y && garbage)) return;
  set_ref(root, r1, exec_gc_ref(a));
  set_ref(a, 0, exec_gc_ref(x));
  set_ref(a, 8, exec_i31_new(77));
  set_ref(a, 24, exec_gc_ref(y));
  set_ref(x, r1, exec_gc_ref(y));
  set_ref(y, r2, exec_gc_ref(x)); /* cycle x <-> y */
  set_ref(garbage, r1, exec_gc_ref(root)); /* points in, is not pointed at */
  uint32_t h = exec_gc_root_new(s, exec_gc_ref(root));
  CHECK(h != UINT32_MAX);
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 4);
  CHECK(get_ref(a, 8) == exec_i31_new(77));
  CHECK(exec_gc_root_get(s, h) == exec_gc_ref(root));
  /* the cycle alone, unrooted, is collected */
  set_ref(root, r1, 0);
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 1);
  exec_gc_root_free(s, h);
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 0);
  /* freed handles are reused */
  uint32_t h2 = exec_gc_root_new(s, exec_i31_new(1));
  CHECK_EQ_U64(h2, h);
  exec_gc_root_free(s, h2);

  /* a long list (deeper than any recursion could go) survives whole */
  exec_gc_obj *head = NULL;
  for (int i = 0; i < 200000; i++) {
    exec_gc_obj *n = exec_gc_new_struct(s, node, false);
    if (!n) break;
    set_ref(n, r1, head ? exec_gc_ref(head) : 0);
    head = n;
  }
  h = exec_gc_root_new(s, exec_gc_ref(head));
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 200000);
  exec_gc_root_free(s, h);
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 0);

  /* globals and tables of the any/extern hierarchies are roots; funcref ones are not read */
  exec_global *g = exec_global_new(s, WASM_EXTERNREF, true);
  exec_gc_obj *kept = exec_gc_new_struct(s, node, false);
  if (!CHECK(g && kept)) return;
  g->val[0] = exec_gc_ref(kept);
  exec_table *t = exec_table_new(WASM_EXTERNREF, 3, 3, true, NULL);
  if (!CHECK(t)) return;
  util_error e;
  util_error_clear(&e);
  CHECK(UTIL_VEC_TRY_PUSH(s->tables, s->ntables, s->captables, t));
  exec_gc_obj *in_table = exec_gc_new_struct(s, node, false);
  t->elems[1] = (void *)(uintptr_t)exec_gc_ref(in_table);
  t->elems[2] = (void *)(uintptr_t)exec_i31_new(3);
  exec_gc_new_struct(s, node, false); /* garbage */
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 2);
  g->val[0] = 0;
  t->elems[1] = NULL;
  exec_gc_collect(s);
  CHECK_EQ_U64(exec_gc_count(s), 0);
  exec_store_free(s);
}

UNIT_GROUP(gc_trigger) {
  /* collections start by volume: a loop of garbage keeps the heap near the threshold */
  exec_store *s = exec_store_new(NULL);
  if (!CHECK(s)) return;
  const uint8_t st[] = {EXEC_GC_I64, EXEC_GC_I64, EXEC_GC_I64, EXEC_GC_I64};
  exec_gc_layout *l = struct_layout(s, 300, 4, st);
  if (!CHECK(l)) return;
  int failed = 0;
  for (int i = 0; i < 200000; i++) failed += exec_gc_new_struct(s, l, true) == NULL;
  CHECK_EQ_I64(failed, 0);
  CHECK(s->usage.gc_collections > 0);
  CHECK(s->usage.peak_gc_bytes <= EXEC_GC_MIN_THRESHOLD);
  /* without may_collect nothing is collected */
  uint64_t before = s->usage.gc_collections;
  for (int i = 0; i < 100000; i++) exec_gc_new_struct(s, l, false);
  CHECK_EQ_U64(s->usage.gc_collections, before);

  /* the limit: after a collection, an allocation past it fails and says so */
  exec_gc_collect(s);
  s->limits.gc_heap_bytes = 10 * (sizeof(exec_gc_obj) + 32);
  uint32_t h[20];
  int made = 0;
  for (int i = 0; i < 20; i++) {
    exec_gc_obj *o = exec_gc_new_struct(s, l, true);
    if (!o) break;
    h[made++] = exec_gc_root_new(s, exec_gc_ref(o));
  }
  CHECK_EQ_I64(made, 10);
  CHECK(s->gc->failed_limit);
  CHECK(s->usage.stopped_by == EXEC_LIMIT_GC_HEAP);
  CHECK_STR(exec_limit_name(s->usage.stopped_by), "gc-heap");
  /* freeing one makes room again (the allocation collects first) */
  exec_gc_root_free(s, h[0]);
  CHECK(exec_gc_new_struct(s, l, true) != NULL);
  /* an array whose size overflows is refused, not wrapped */
  const uint8_t e64 = EXEC_GC_I64;
  exec_gc_layout *big = exec_gc_layout_get(s, 301, EXEC_GC_ARRAY, 1, &e64);
  CHECK(exec_gc_new_array(s, big, UINT32_MAX, true) == NULL);
  exec_store_free(s);

  /* stress: every allocation that may collect does */
  exec_store_config cfg = {.gc_stress = true};
  s = exec_store_new(&cfg);
  if (!CHECK(s)) return;
  l = struct_layout(s, 300, 4, st);
  for (int i = 0; i < 50; i++) exec_gc_new_struct(s, l, true);
  CHECK_EQ_U64(s->usage.gc_collections, 50);
  CHECK_EQ_U64(exec_gc_count(s), 1);
  exec_store_free(s);
}

/* ---------- frames: host functions collect in the middle of WebAssembly calls ---------- */

static int check_failures, checks_done;

static void *host_ref(int32_t i) { return (void *)(uintptr_t)(i * 8 + 3); }

static weld_trap *h_mk(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c;
  (void)env;
  res[0].kind = WELD_EXTERNREF;
  res[0].of.externref = host_ref(args[0].of.i32);
  return NULL;
}

static weld_trap *h_check(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c;
  (void)env;
  (void)res;
  checks_done++;
  if (args[0].of.externref != host_ref(args[1].of.i32)) {
    fprintf(stderr, "gc_frames: value %d lost (got %p)\n", args[1].of.i32, args[0].of.externref);
    check_failures++;
  }
  return NULL;
}

static weld_trap *h_live(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)env;
  (void)args;
  exec_store *s = (exec_store *)weld_caller_store(c);
  exec_gc_collect(s);
  res[0].kind = WELD_I32;
  res[0].of.i32 = (int32_t)exec_gc_count(s);
  return NULL;
}

static const char frames_wat[] =
    "(module\n"
    "  (import \"h\" \"live\" (func $live (result i32)))\n"
    "  (import \"h\" \"mk\" (func $mk (param i32) (result externref)))\n"
    "  (import \"h\" \"check\" (func $check (param externref i32)))\n"
    "  (global $g (mut externref) (ref.null extern))\n"
    "  (table $t 4 externref)\n"
    "  (func $inner (param $p externref) (result externref) (local $l externref)\n"
    "    (local.set $l (call $mk (i32.const 11)))\n"
    "    (drop (call $live))\n"
    "    (call $check (local.get $l) (i32.const 11))\n"
    "    (call $check (local.get $p) (i32.const 10))\n"
    "    (local.get $l))\n"
    "  (func (export \"run\") (param $q externref) (result i32) (local $a externref) (local $n i32)\n"
    "    (local.set $a (call $mk (i32.const 10)))\n"
    "    (call $mk (i32.const 12))\n"              /* an operand below the next calls */
    "    (drop (call $live))\n"
    "    (drop (call $inner (local.get $a)))\n"
    "    (global.set $g (call $mk (i32.const 13)))\n"
    "    (table.set $t (i32.const 2) (call $mk (i32.const 14)))\n"
    "    (drop (call $mk (i32.const 15)))\n"       /* garbage */
    "    (local.set $n (call $live))\n"
    "    (call $check (global.get $g) (i32.const 13))\n"
    "    (call $check (table.get $t (i32.const 2)) (i32.const 14))\n"
    "    (call $check (local.get $a) (i32.const 10))\n"
    "    (call $check (local.get $q) (i32.const 9))\n"
    "    (call $check (i32.const 12))\n"           /* the operand pushed at the start */
    "    (local.get $n)))\n";

static void run_frames(weld_tier tier, uint32_t threshold) {
  weld_config cfg;
  weld_config_default(&cfg);
  cfg.tier = tier;
  cfg.tier_up_threshold = threshold;
  cfg.tier_eager_bytes = 0; /* functions compiled one by one */
  weld_engine *e = weld_engine_new(&cfg);
  weld_store *s = weld_store_new(e);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)frames_wat, strlen(frames_wat), &err);
  if (!CHECK(m)) {
    if (err) fprintf(stderr, "%s\n", weld_error_message(err));
    return;
  }
  const weld_valkind i32[] = {WELD_I32}, ext[] = {WELD_EXTERNREF}, ext_i32[] = {WELD_EXTERNREF, WELD_I32};
  weld_import imps[3] = {
      {"h", "live", {.kind = WELD_EXTERN_FUNC, .of.func = weld_func_new(s, NULL, 0, i32, 1, h_live, NULL, NULL)}},
      {"h", "mk", {.kind = WELD_EXTERN_FUNC, .of.func = weld_func_new(s, i32, 1, ext, 1, h_mk, NULL, NULL)}},
      {"h", "check", {.kind = WELD_EXTERN_FUNC, .of.func = weld_func_new(s, ext_i32, 2, NULL, 0, h_check, NULL, NULL)}},
  };
  weld_trap *trap = NULL;
  weld_instance *inst = weld_instance_new(s, m, imps, 3, &trap, &err);
  if (!CHECK(inst)) return;
  weld_func *run = weld_instance_func(inst, "run");
  check_failures = checks_done = 0;
  weld_val arg = {.kind = WELD_EXTERNREF, .of.externref = host_ref(9)}, res;
  trap = weld_func_call(run, &arg, 1, &res, 1);
  CHECK(trap == NULL);
  CHECK_EQ_I64(check_failures, 0);
  CHECK_EQ_I64(checks_done, 7);
  /* alive at the last collection: q (9), a (10), the operand (12), g (13), t[2] (14);
   * 11 (dropped after inner) and 15 (dropped at once) were collected */
  CHECK_EQ_I64(res.of.i32, 5);
  /* after the call only the global and the table keep theirs */
  exec_gc_collect((exec_store *)s);
  CHECK_EQ_U64(exec_gc_count((const exec_store *)s), 2);
  weld_usage u;
  weld_store_usage(s, &u);
  CHECK(u.gc_collections >= 3 && u.peak_gc_bytes >= 7 * sizeof(exec_gc_obj));
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
}

UNIT_GROUP(gc_frames) {
  run_frames(WELD_TIER_INTERP, 0);
  /* the baseline tier keeps these functions interpreted (they hold references across
   * calls), so the same roots are found */
  run_frames(WELD_TIER_BASELINE, 0);
  /* the auto tier: each function starts behind a counting entry, and while the count
   * lasts the entry declines and the interpreter runs the internal code behind it; the
   * collector must read those frames' positions against the internal code, not the
   * entry (threshold 0 compiles at the first call, which these functions refuse) */
  if (!weld_tier_unsupported(WELD_TIER_AUTO)) {
    run_frames(WELD_TIER_AUTO, 1);
    run_frames(WELD_TIER_AUTO, 2);
    run_frames(WELD_TIER_AUTO, 0);
  }
}

/* ---------- the embedding API: anyref values as rooted handles ---------- */

static const char api_wat[] =
    "(module\n"
    "  (type $s (struct (field i32)))\n"
    "  (global $g (export \"g\") (mut anyref) (ref.null any))\n"
    "  (func (export \"mk\") (param i32) (result anyref) (struct.new $s (local.get 0)))\n"
    "  (func (export \"i31\") (param i32) (result anyref) (ref.i31 (local.get 0)))\n"
    "  (func (export \"get\") (param anyref) (result i32)\n"
    "    (struct.get $s 0 (ref.cast (ref $s) (local.get 0))))\n"
    "  (func (export \"internalize\") (param externref) (result anyref) (any.convert_extern (local.get 0)))\n"
    "  (func (export \"churn\") (param i32)\n"
    "    (loop $l (drop (struct.new $s (local.get 0)))\n"
    "      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))\n";

static weld_val call1(weld_instance *inst, const char *name, weld_val arg, bool *ok) {
  weld_val res;
  memset(&res, 0, sizeof res);
  weld_trap *trap = weld_func_call(weld_instance_func(inst, name), &arg, 1, &res, 1);
  *ok = trap == NULL;
  if (trap) weld_trap_free(trap);
  return res;
}

UNIT_GROUP(gc_api) {
  weld_engine *e = weld_engine_new(NULL);
  weld_store *s = weld_store_new(e);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)api_wat, strlen(api_wat), &err);
  if (!CHECK(m)) return;
  weld_trap *trap = NULL;
  weld_instance *inst = weld_instance_new(s, m, NULL, 0, &trap, &err);
  if (!CHECK(inst)) return;
  CHECK(weld_func_result(weld_instance_func(inst, "mk"), 0) == WELD_ANYREF);
  bool ok;
  weld_val st = call1(inst, "mk", WELD_I32_VAL(42), &ok);
  CHECK(ok && st.kind == WELD_ANYREF && st.of.anyref);
  CHECK(weld_ref_get_kind(s, st.of.anyref) == WELD_REF_STRUCT);
  /* the handle keeps the struct alive through collections, however many */
  weld_val none = call1(inst, "churn", WELD_I32_VAL(100000), &ok);
  (void)none;
  weld_store_gc(s);
  weld_val got = call1(inst, "get", st, &ok);
  CHECK(ok && got.of.i32 == 42);
  /* i31 values and host pointers */
  weld_val i = call1(inst, "i31", WELD_I32_VAL(-1), &ok);
  CHECK(ok && weld_ref_get_kind(s, i.of.anyref) == WELD_REF_I31);
  CHECK_EQ_U64(weld_ref_i31_value(s, i.of.anyref), 0x7fffffffu);
  weld_val x = {.kind = WELD_EXTERNREF, .of.externref = (void *)(uintptr_t)5};
  weld_val h = call1(inst, "internalize", x, &ok);
  CHECK(ok && weld_ref_get_kind(s, h.of.anyref) == WELD_REF_HOST && weld_ref_host(s, h.of.anyref) == (void *)(uintptr_t)5);
  weld_ref *h2 = weld_ref_new_host(s, (void *)(uintptr_t)5);
  CHECK(weld_ref_same(s, h.of.anyref, h2) && !weld_ref_same(s, h.of.anyref, st.of.anyref));
  /* a wrong cast traps with the spec's message */
  weld_val arg = {.kind = WELD_ANYREF, .of.anyref = i.of.anyref};
  trap = weld_func_call(weld_instance_func(inst, "get"), &arg, 1, &got, 1);
  CHECK(trap && weld_trap_get_kind(trap) == WELD_TRAP_CAST);
  if (trap) {
    CHECK_STR(weld_trap_message(trap), "cast failure");
    weld_trap_free(trap);
  }
  /* globals take and give handles */
  weld_global *g = weld_instance_export(inst, "g").of.global;
  CHECK(weld_global_set(g, st));
  weld_ref_release(s, st.of.anyref);
  weld_store_gc(s);
  weld_val gv = weld_global_get(g);
  CHECK(gv.kind == WELD_ANYREF && weld_ref_get_kind(s, gv.of.anyref) == WELD_REF_STRUCT);
  got = call1(inst, "get", gv, &ok);
  CHECK(ok && got.of.i32 == 42);
  /* released handles and a cleared global let the object go */
  weld_ref_release(s, gv.of.anyref);
  weld_ref_release(s, i.of.anyref);
  weld_ref_release(s, h.of.anyref);
  weld_ref_release(s, h2);
  weld_val null = {.kind = WELD_ANYREF};
  CHECK(weld_global_set(g, null));
  weld_store_gc(s);
  CHECK_EQ_U64(exec_gc_count((const exec_store *)s), 0);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
}
