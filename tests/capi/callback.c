/* Host functions with and without an environment; the environment's finalizer runs when
 * the store goes. */
#include "common.h"

static void print_val(const wasm_val_t *v) {
  switch (v->kind) {
  case WASM_I32: printf("%d", v->of.i32); break;
  case WASM_I64: printf("%lld", (long long)v->of.i64); break;
  case WASM_F32: printf("%g", v->of.f32); break;
  case WASM_F64: printf("%g", v->of.f64); break;
  default: printf("ref"); break;
  }
}

static wasm_trap_t *print_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  printf("Calling back...\n> ");
  print_val(&args->data[0]);
  printf("\n");
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

static wasm_trap_t *closure_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  int i = *(int *)env;
  printf("Calling back closure...\n> %d\n", i);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = (int32_t)i;
  return NULL;
}

static void finalize_env(void *env) { printf("Finalizing env %d\n", *(int *)env); }

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  printf("Creating callback...\n");
  wasm_functype_t *print_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *print_func = wasm_func_new(store, print_type, print_callback);
  static int i = 42;
  wasm_functype_t *closure_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *closure_func = wasm_func_new_with_env(store, closure_type, closure_callback, &i, finalize_env);
  CHECK(wasm_func_param_arity(print_func) == 1 && wasm_func_result_arity(print_func) == 1);
  CHECK(wasm_func_param_arity(closure_func) == 0 && wasm_func_result_arity(closure_func) == 1);
  wasm_functype_delete(print_type);
  wasm_functype_delete(closure_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(print_func), wasm_func_as_extern(closure_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_func_delete(print_func);
  wasm_func_delete(closure_func);

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t *run_func = wasm_extern_as_func(exports.data[0]);
  CHECK(run_func != NULL);
  wasm_instance_delete(instance);

  printf("Calling export...\n");
  wasm_val_t as[2] = {WASM_I32_VAL(3), WASM_I32_VAL(4)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(run_func, &args, &results);
  CHECK(trap == NULL);
  printf("Printing result...\n> %d\n", rs[0].of.i32);

  /* a wrong argument kind is refused with a trap, not run */
  wasm_val_t bad[2] = {WASM_I64_VAL(3), WASM_I32_VAL(4)};
  wasm_val_vec_t badargs = WASM_ARRAY_VEC(bad);
  trap = wasm_func_call(run_func, &badargs, &results);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  printf("Wrong argument kind refused\n");

  wasm_extern_vec_delete(&exports);
  wasm_module_delete(module);
  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
