/* Store identity through the embedding API: no function, table, memory, global or funcref
 * of one store may enter another, because it is freed with its own store while the other
 * would still reach it. Each case first frees the foreign store (where the API let the
 * object in, a later use would read freed memory: ASan reports it), and then checks
 * that the refusal left the receiving store working. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "weld.h"

static const char user_wat[] =
    "(module\n"
    "  (import \"env\" \"f\" (func $f (result i32)))\n"
    "  (func (export \"call\") (result i32) (call $f)))\n";

static const char refs_wat[] =
    "(module\n"
    "  (type $t (func (result i32)))\n"
    "  (table $tab (export \"tab\") 2 funcref)\n"
    "  (global $g (export \"g\") (mut funcref) (ref.null func))\n"
    "  (func $seven (export \"seven\") (result i32) (i32.const 7))\n"
    "  (func (export \"call_ref\") (param funcref) (result i32)\n"
    "    (table.set $tab (i32.const 0) (local.get 0))\n"
    "    (call_indirect (type $t) (i32.const 0)))\n"
    "  (func (export \"call_slot\") (param i32) (result i32)\n"
    "    (call_indirect (type $t) (local.get 0)))\n"
    "  (func (export \"call_global\") (result i32)\n"
    "    (table.set $tab (i32.const 1) (global.get $g))\n"
    "    (call_indirect (type $t) (i32.const 1))))\n";

static const char import_all_wat[] =
    "(module\n"
    "  (import \"env\" \"t\" (table 1 funcref))\n"
    "  (import \"env\" \"m\" (memory 1))\n"
    "  (import \"env\" \"g\" (global i32)))\n";

static const char give_wat[] =
    "(module\n"
    "  (import \"env\" \"give\" (func $give (result funcref)))\n"
    "  (func (export \"take\") (result i32) (ref.is_null (call $give))))\n";

static weld_trap *ret42(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)env, (void)args;
  res[0] = WELD_I32_VAL(42);
  return NULL;
}

static weld_func *foreign_ref; /* what give() returns */

static weld_trap *give(weld_caller *c, void *env, const weld_val *args, weld_val *res) {
  (void)c, (void)env, (void)args;
  res[0].kind = WELD_FUNCREF;
  res[0].of.funcref = foreign_ref;
  return NULL;
}

static weld_module *compile(weld_engine *e, const char *wat) {
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)wat, strlen(wat), &err);
  if (err) weld_error_free(err);
  return m;
}

static weld_instance *instantiate(weld_store *s, weld_module *m, const weld_import *imp, size_t n,
                                  char *why, size_t whylen) {
  weld_trap *trap = NULL;
  weld_error *err = NULL;
  weld_instance *i = weld_instance_new(s, m, imp, n, &trap, &err);
  if (why) why[0] = 0;
  if (err) {
    if (why) snprintf(why, whylen, "%s", weld_error_message(err));
    weld_error_free(err);
  }
  if (trap) weld_trap_free(trap);
  return i;
}

/* Calls an export taking nothing or one value and returning an i32; -1 on a trap (its
 * message copied to `why`). */
static int32_t call_i32(weld_instance *i, const char *name, const weld_val *arg, char *why,
                        size_t whylen) {
  weld_func *f = weld_instance_func(i, name);
  if (!f) return -2;
  weld_val res[1];
  weld_trap *t = weld_func_call(f, arg, arg ? 1 : 0, res, 1);
  if (t) {
    if (why) snprintf(why, whylen, "%s", weld_trap_message(t));
    weld_trap_free(t);
    return -1;
  }
  return res[0].of.i32;
}

UNIT_GROUP(store_identity) {
  weld_engine *e = weld_engine_new(NULL);
  weld_module *user = compile(e, user_wat), *refs = compile(e, refs_wat);
  weld_module *all = compile(e, import_all_wat), *takes = compile(e, give_wat);
  if (!CHECK(user && refs && all && takes)) return;
  char why[256];

  /* 1. A host function of store B imported by an instance of store A. */
  weld_store *a = weld_store_new(e), *b = weld_store_new(e);
  weld_valkind i32 = WELD_I32;
  weld_func *hb = weld_func_new(b, NULL, 0, &i32, 1, ret42, NULL, NULL);
  weld_import imp = {"env", "f", {.kind = WELD_EXTERN_FUNC, .of.func = hb}};
  weld_instance *ia = instantiate(a, user, &imp, 1, why, sizeof why);
  weld_store_free(b);
  CHECK(ia == NULL);
  CHECK_PREFIX(why, "import from another store");
  if (ia) CHECK(call_i32(ia, "call", NULL, NULL, 0) == 42); /* reads freed memory */
  /* the same import from A's own store works */
  weld_func *ha = weld_func_new(a, NULL, 0, &i32, 1, ret42, NULL, NULL);
  imp.item.of.func = ha;
  ia = instantiate(a, user, &imp, 1, NULL, 0);
  if (CHECK(ia)) CHECK(call_i32(ia, "call", NULL, NULL, 0) == 42);
  weld_store_free(a);

  /* 2. Tables, memories and globals of B imported by A. */
  a = weld_store_new(e);
  b = weld_store_new(e);
  weld_val nullf = {.kind = WELD_FUNCREF};
  weld_import imps[3] = {
      {"env", "t", {.kind = WELD_EXTERN_TABLE, .of.table = weld_table_new(a, WELD_FUNCREF, 1, 1, nullf)}},
      {"env", "m", {.kind = WELD_EXTERN_MEMORY, .of.memory = weld_memory_new(a, 1, 1)}},
      {"env", "g", {.kind = WELD_EXTERN_GLOBAL, .of.global = weld_global_new(a, WELD_I32, false, WELD_I32_VAL(1))}},
  };
  CHECK(instantiate(a, all, imps, 3, NULL, 0) != NULL);
  weld_import good[3];
  memcpy(good, imps, sizeof good);
  imps[0].item.of.table = weld_table_new(b, WELD_FUNCREF, 1, 1, nullf);
  CHECK(instantiate(a, all, imps, 3, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "import from another store");
  memcpy(imps, good, sizeof imps);
  imps[1].item.of.memory = weld_memory_new(b, 1, 1);
  CHECK(instantiate(a, all, imps, 3, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "import from another store");
  memcpy(imps, good, sizeof imps);
  imps[2].item.of.global = weld_global_new(b, WELD_I32, false, WELD_I32_VAL(1));
  CHECK(instantiate(a, all, imps, 3, why, sizeof why) == NULL);
  CHECK_PREFIX(why, "import from another store");
  weld_store_free(b);
  weld_store_free(a);

  /* 3. A funcref of B passed as an argument, stored into A's table and global. */
  a = weld_store_new(e);
  b = weld_store_new(e);
  weld_instance *ra = instantiate(a, refs, NULL, 0, NULL, 0);
  weld_instance *rb = instantiate(b, refs, NULL, 0, NULL, 0);
  if (!CHECK(ra && rb)) return;
  weld_val fb = {.kind = WELD_FUNCREF, .of.funcref = weld_instance_func(rb, "seven")};
  weld_val fa = {.kind = WELD_FUNCREF, .of.funcref = weld_instance_func(ra, "seven")};
  weld_table *ta = weld_instance_table(ra, "tab");
  weld_global *ga = weld_instance_global(ra, "g");
  CHECK(!weld_table_set(ta, 0, fb));
  CHECK(weld_table_grow(ta, 1, fb) == -1);
  CHECK(weld_table_size(ta) == 2);
  CHECK(weld_table_new(a, WELD_FUNCREF, 1, 1, fb) == NULL);
  CHECK(!weld_global_set(ga, fb));
  CHECK(weld_global_new(a, WELD_FUNCREF, true, fb) == NULL);
  int32_t r = call_i32(ra, "call_ref", &fb, why, sizeof why);
  weld_store_free(b);
  CHECK(r == -1);
  CHECK_PREFIX(why, "weld_func_call: argument 0 is a funcref from another store");
  /* nothing of B stayed in A: every slot is still null (a trap), not B's function */
  CHECK(call_i32(ra, "call_slot", &(weld_val){.kind = WELD_I32, .of.i32 = 0}, NULL, 0) == -1);
  CHECK(call_i32(ra, "call_slot", &(weld_val){.kind = WELD_I32, .of.i32 = 1}, NULL, 0) == -1);
  CHECK(call_i32(ra, "call_global", NULL, NULL, 0) == -1);
  /* A's own funcref goes everywhere */
  CHECK(weld_table_set(ta, 1, fa));
  CHECK(weld_global_set(ga, fa));
  CHECK(call_i32(ra, "call_ref", &fa, NULL, 0) == 7);
  CHECK(call_i32(ra, "call_global", NULL, NULL, 0) == 7);
  weld_val nul = {.kind = WELD_FUNCREF};
  CHECK(weld_table_set(ta, 1, nul));
  /* externref is the host's pointer: any value is accepted */
  weld_val ext = {.kind = WELD_EXTERNREF, .of.externref = &r};
  weld_table *xt = weld_table_new(a, WELD_EXTERNREF, 1, 2, ext);
  CHECK(xt && weld_table_set(xt, 0, ext) && weld_table_grow(xt, 1, ext) == 1);
  weld_store_free(a);

  /* 4. A host function of A returning a funcref of B. */
  a = weld_store_new(e);
  b = weld_store_new(e);
  rb = instantiate(b, refs, NULL, 0, NULL, 0);
  foreign_ref = rb ? weld_instance_func(rb, "seven") : NULL;
  weld_valkind fr = WELD_FUNCREF;
  weld_import gi = {"env", "give", {.kind = WELD_EXTERN_FUNC,
                                    .of.func = weld_func_new(a, NULL, 0, &fr, 1, give, NULL, NULL)}};
  weld_instance *ta2 = instantiate(a, takes, &gi, 1, NULL, 0);
  if (CHECK(ta2)) {
    CHECK(call_i32(ta2, "take", NULL, why, sizeof why) == -1);
    CHECK_PREFIX(why, "host function returned a funcref from another store");
    foreign_ref = NULL;
    CHECK(call_i32(ta2, "take", NULL, NULL, 0) == 1);
  }
  weld_store_free(b);
  weld_store_free(a);

  weld_module_free(user);
  weld_module_free(refs);
  weld_module_free(all);
  weld_module_free(takes);
  weld_engine_free(e);
}
