/* The `spectest` host module the conformance scripts import: print functions that print
 * nothing the scripts check, four globals of value 666, funcref tables of 10..20
 * (`table`, and `table64` with 64-bit indices) and a memory of 1..2 pages (the reference interpreter's definitions). */
#include <string.h>

#include "spectest.h"

static weld_trap *print_fn(weld_caller *c, void *env, const weld_val *args, weld_val *results) {
  (void)c, (void)env, (void)args, (void)results;
  return NULL;
}

void wast_spectest_define(weld_store *s, wast_spectest *out) {
  /* names and parameters are arrays, not pointers: the table needs no relocations at start-up */
  static const struct {
    char name[14];
    weld_valkind params[2];
    size_t n;
  } prints[] = {
      {"print", {0}, 0},
      {"print_i32", {WELD_I32}, 1},
      {"print_i64", {WELD_I64}, 1},
      {"print_f32", {WELD_F32}, 1},
      {"print_f64", {WELD_F64}, 1},
      {"print_i32_f32", {WELD_I32, WELD_F32}, 2},
      {"print_f64_f64", {WELD_F64, WELD_F64}, 2},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++) {
    weld_import *im = &out->items[n++];
    im->module = "spectest";
    im->name = prints[i].name;
    im->item.kind = WELD_EXTERN_FUNC;
    im->item.of.func = weld_func_new(s, prints[i].params, prints[i].n, NULL, 0, print_fn, NULL, NULL);
  }
  struct {
    const char *name;
    weld_val v;
  } globals[] = {
      {"global_i32", WELD_I32_VAL(666)},
      {"global_i64", WELD_I64_VAL(666)},
      {"global_f32", WELD_F32_VAL(666.6f)},
      {"global_f64", WELD_F64_VAL(666.6)},
  };
  for (size_t i = 0; i < 4; i++) {
    weld_import *im = &out->items[n++];
    im->module = "spectest";
    im->name = globals[i].name;
    im->item.kind = WELD_EXTERN_GLOBAL;
    im->item.of.global = weld_global_new(s, globals[i].v.kind, false, globals[i].v);
  }
  weld_import *t = &out->items[n++];
  t->module = "spectest";
  t->name = "table";
  t->item.kind = WELD_EXTERN_TABLE;
  t->item.of.table = weld_table_new(s, WELD_FUNCREF, 10, 20, (weld_val){.kind = WELD_FUNCREF});
  weld_import *t64 = &out->items[n++];
  t64->module = "spectest";
  t64->name = "table64";
  t64->item.kind = WELD_EXTERN_TABLE;
  t64->item.of.table = weld_table_new_i64(s, WELD_FUNCREF, 10, 20, (weld_val){.kind = WELD_FUNCREF});
  weld_import *m = &out->items[n++];
  m->module = "spectest";
  m->name = "memory";
  m->item.kind = WELD_EXTERN_MEMORY;
  m->item.of.memory = weld_memory_new(s, 1, 2);
  weld_import *sm = &out->items[n++]; /* the threads scripts' shared memory */
  sm->module = "spectest";
  sm->name = "shared_memory";
  sm->item.kind = WELD_EXTERN_MEMORY;
  sm->item.of.memory = weld_memory_new_shared(s, 1, 2);
  out->n = n;
}
