/* The signature table of an engine: ids shared by the modules and host functions of one
 * engine (call_indirect across instances compares them), entries released with their
 * last holder, so a stream of modules with ever new signatures does not grow the table;
 * a module refused by the stores of another engine. Counts entries, never time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "text/text.h"
#include "unit.h"
#include "weld.h"

/* A module whose one type has n % 64 i32 parameters and n / 64 + 1 i64 results: a
 * distinct signature for every n. */
static exec_module *compile_sig(exec_typetab *tab, unsigned n) {
  char wat[4096];
  int len = snprintf(wat, sizeof wat, "(module (type (func (param");
  for (unsigned i = 0; i < n % 64; i++) len += snprintf(wat + len, sizeof wat - (size_t)len, " i32");
  len += snprintf(wat + len, sizeof wat - (size_t)len, ") (result");
  for (unsigned i = 0; i < n / 64 + 1; i++) len += snprintf(wat + len, sizeof wat - (size_t)len, " i64");
  len += snprintf(wat + len, sizeof wat - (size_t)len, "))) (func (type 0) unreachable))");
  util_error err;
  util_error_clear(&err);
  wasm_module *m = text_load_module((const uint8_t *)wat, (size_t)len, NULL, &err);
  if (!m) return NULL;
  exec_module *em = exec_module_compile(m, tab, &err);
  if (!em) wasm_module_free(m);
  return em;
}

UNIT_GROUP(typeid) {
  exec_typetab *tab = exec_typetab_new();
  if (!CHECK(tab)) return;
  /* equal signatures share an id, different ones do not */
  wasm_vtype i32 = WASM_I32, i64 = WASM_I64;
  exec_typeid a = exec_typeid_acquire(tab, 1, &i32, 1, &i64);
  exec_typeid b = exec_typeid_acquire(tab, 1, &i32, 1, &i64);
  exec_typeid c = exec_typeid_acquire(tab, 1, &i64, 1, &i32);
  CHECK(a && a == b && c && c != a);
  CHECK_EQ_U64(exec_typetab_count(tab), 2);
  exec_typeid_release(tab, a);
  CHECK_EQ_U64(exec_typetab_count(tab), 2); /* b still holds it */
  exec_typeid_release(tab, b);
  exec_typeid_release(tab, c);
  CHECK_EQ_U64(exec_typetab_count(tab), 0);

  /* 2,000 modules, each with a signature no other has, compiled and freed one after
   * another: the table never holds more than the live module's signature */
  size_t most = 0;
  bool all = true;
  for (unsigned n = 0; n < 2000; n++) {
    exec_module *em = compile_sig(tab, n);
    if (!em) {
      all = false;
      break;
    }
    size_t k = exec_typetab_count(tab);
    if (k > most) most = k;
    exec_module_free(em);
  }
  CHECK(all);
  CHECK_EQ_U64(most, 1);
  CHECK_EQ_U64(exec_typetab_count(tab), 0);
  for (unsigned n = 0; n < 300; n++) { /* 300 distinct signatures alive at once */
    static exec_module *live[300];
    live[n] = compile_sig(tab, n);
    if (n == 299) {
      CHECK_EQ_U64(exec_typetab_count(tab), 300);
      for (unsigned k = 0; k < 300; k++) exec_module_free(live[k]);
    }
  }
  CHECK_EQ_U64(exec_typetab_count(tab), 0);

  /* host functions hold their signature until their store goes */
  exec_store_config cfg = {.types = tab};
  exec_store *s = exec_store_new(&cfg);
  exec_module *em = compile_sig(tab, 3); /* (i32 i32 i32) -> i64 */
  uint8_t p3[3] = {WASM_I32, WASM_I32, WASM_I32};
  exec_func *f = exec_host_func_new(s, p3, 3, (const uint8_t[]){WASM_I64}, 1, NULL, NULL, NULL);
  CHECK(f && em && f->typeid == em->typeids[0]); /* comparable with the module's */
  exec_func *g = exec_host_func_new(s, NULL, 0, NULL, 0, NULL, NULL, NULL);
  CHECK(g && g->typeid != f->typeid);
  CHECK_EQ_U64(exec_typetab_count(tab), 2);
  exec_module_free(em);
  CHECK_EQ_U64(exec_typetab_count(tab), 2);
  exec_store_free(s);
  CHECK_EQ_U64(exec_typetab_count(tab), 0);
  exec_typetab_free(tab);

  /* through weld.h: a module runs only in stores of its own engine; call_indirect
   * between two instances of one engine compares ids of the same table */
  static const char wat[] =
      "(module (type $t (func (result i32)))\n"
      "  (import \"env\" \"tab\" (table 1 funcref))\n"
      "  (func $f (result i32) (i32.const 5)) (elem (i32.const 0) $f)\n"
      "  (func (export \"go\") (result i32) (call_indirect (type $t) (i32.const 0))))\n";
  weld_engine *e1 = weld_engine_new(NULL), *e2 = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m1 = weld_module_new(e1, (const uint8_t *)wat, strlen(wat), &err);
  if (!CHECK(m1)) return;
  weld_store *s2 = weld_store_new(e2), *s1 = weld_store_new(e1);
  weld_val nul = {.kind = WELD_FUNCREF};
  weld_import imp = {"env", "tab", {.kind = WELD_EXTERN_TABLE, .of.table = weld_table_new(s2, WELD_FUNCREF, 1, 1, nul)}};
  weld_trap *trap = NULL;
  CHECK(weld_instance_new(s2, m1, &imp, 1, &trap, &err) == NULL);
  if (CHECK(err)) {
    CHECK_PREFIX(weld_error_message(err), "module compiled by another engine");
    weld_error_free(err);
  }
  imp.item.of.table = weld_table_new(s1, WELD_FUNCREF, 1, 1, nul);
  weld_instance *i1 = weld_instance_new(s1, m1, &imp, 1, &trap, NULL);
  weld_instance *i2 = weld_instance_new(s1, m1, &imp, 1, &trap, NULL);
  weld_val r[1];
  /* i2's element segment put its own $f in the shared table; i1 calls it */
  CHECK(i1 && i2 && !weld_func_call(weld_instance_func(i1, "go"), NULL, 0, r, 1) && r[0].of.i32 == 5);
  weld_store_free(s1);
  weld_store_free(s2);
  weld_module_free(m1);
  weld_engine_free(e1);
  weld_engine_free(e2);
}
