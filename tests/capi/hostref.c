/* References: host objects (foreign) passed into WebAssembly as externref through
 * calls, globals and tables come back as the same reference with their host info; a
 * funcref made by WebAssembly is a function the host can call. */
#include "common.h"

static wasm_extern_vec_t exports;
static int callbacks;

static wasm_trap_t *identity(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  callbacks++;
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

static wasm_func_t *fn(size_t i) { return wasm_extern_as_func(exports.data[i]); }

/* Calls export i with up to two arguments and returns its first result (owned). */
static wasm_val_t call(size_t i, const wasm_val_t *a, size_t na) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {na, (wasm_val_t *)a}, results = {wasm_func_result_arity(fn(i)), rs};
  wasm_trap_t *trap = wasm_func_call(fn(i), &args, &results);
  CHECK(trap == NULL);
  return rs[0];
}

static void check_same(const char *what, wasm_val_t v, const wasm_foreign_t *expect) {
  CHECK(v.kind == WASM_EXTERNREF);
  const wasm_foreign_t *got = v.of.ref ? wasm_ref_as_foreign(v.of.ref) : NULL;
  printf("%s: %s", what, !v.of.ref ? "null" : wasm_foreign_same(got, expect) ? "same" : "different");
  if (got) printf(" (host info %d)", (int)(intptr_t)wasm_foreign_get_host_info(got));
  printf("\n");
  wasm_val_delete(&v);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_functype_t *type = wasm_functype_new_1_1(wasm_valtype_new_externref(), wasm_valtype_new_externref());
  wasm_func_t *f = wasm_func_new(store, type, identity);
  wasm_functype_delete(type);
  wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_func_delete(f);
  wasm_instance_exports(instance, &exports);
  CHECK(exports.size == 9);

  wasm_foreign_t *host1 = wasm_foreign_new(store), *host2 = wasm_foreign_new(store);
  wasm_foreign_set_host_info(host1, (void *)1);
  wasm_foreign_set_host_info(host2, (void *)2);
  wasm_val_t r1 = WASM_REF_VAL(wasm_foreign_as_ref(host1)), r2 = WASM_REF_VAL(wasm_foreign_as_ref(host2));
  wasm_val_t null = WASM_REF_VAL(NULL);

  printf("Through a host function...\n");
  check_same("call(host1)", call(2, &r1, 1), host1);
  check_same("call(null)", call(2, &null, 1), host1);
  printf("callbacks: %d\n", callbacks);

  printf("Through a global...\n");
  check_same("global initially", call(4, NULL, 0), host1);
  call(3, &r2, 1);
  check_same("global after set host2", call(4, NULL, 0), host2);
  wasm_global_t *g = wasm_extern_as_global(exports.data[0]);
  wasm_val_t gv;
  wasm_global_get(g, &gv);
  check_same("wasm_global_get", gv, host2);
  wasm_global_set(g, &r1);
  check_same("global after wasm_global_set host1", call(4, NULL, 0), host1);

  printf("Through a table...\n");
  wasm_val_t args[2] = {WASM_I32_VAL(3), r2};
  call(5, args, 2);
  wasm_val_t i3 = WASM_I32_VAL(3), i4 = WASM_I32_VAL(4);
  check_same("table.get 3", call(6, &i3, 1), host2);
  check_same("table.get 4", call(6, &i4, 1), host2);
  wasm_table_t *t = wasm_extern_as_table(exports.data[1]);
  CHECK(wasm_table_set(t, 4, wasm_foreign_as_ref(host1)));
  check_same("table.get 4 after wasm_table_set", call(6, &i4, 1), host1);
  wasm_ref_t *tr = wasm_table_get(t, 3);
  CHECK(tr && wasm_foreign_same(wasm_ref_as_foreign(tr), host2));
  wasm_ref_delete(tr);

  printf("is_null...\n");
  wasm_val_t n1 = call(7, &r1, 1), n2 = call(7, &null, 1);
  printf("is_null(host1)=%d is_null(null)=%d\n", n1.of.i32, n2.of.i32);

  printf("A funcref from WebAssembly...\n");
  wasm_val_t fr = call(8, NULL, 0);
  CHECK(fr.kind == WASM_FUNCREF && fr.of.ref != NULL);
  wasm_func_t *seven = wasm_ref_as_func(fr.of.ref);
  CHECK(seven != NULL && wasm_ref_as_foreign(fr.of.ref) == NULL);
  wasm_val_t sr[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, sres = WASM_ARRAY_VEC(sr);
  CHECK(wasm_func_call(seven, &none, &sres) == NULL);
  printf("calling it: %d\n", sr[0].of.i32);
  wasm_val_t copy;
  wasm_val_copy(&copy, &fr);
  CHECK(wasm_ref_same(copy.of.ref, fr.of.ref));
  wasm_val_delete(&copy);
  wasm_val_delete(&fr);

  /* a foreign object is not a function: refused as a funcref argument */
  wasm_val_t notfunc = {.kind = WASM_FUNCREF, .of = {.ref = wasm_foreign_as_ref(host1)}};
  wasm_functype_t *ft = wasm_functype_new_1_0(wasm_valtype_new_funcref());
  wasm_func_t *takes = wasm_func_new(store, ft, identity);
  wasm_functype_delete(ft);
  wasm_val_vec_t bad = {1, &notfunc}, nores = WASM_EMPTY_VEC;
  wasm_trap_t *trap = wasm_func_call(takes, &bad, &nores);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  wasm_func_delete(takes);
  printf("foreign as funcref refused\n");

  wasm_foreign_delete(host1);
  wasm_foreign_delete(host2);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
