/* Multiple results: a host function with four results called from WebAssembly, and
 * WebAssembly functions with several results called from the host. */
#include <inttypes.h>

#include "common.h"

static wasm_trap_t *callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  printf("Calling back...\n> %" PRId32 " %" PRId64 " %" PRId64 " %" PRId32 "\n", args->data[0].of.i32,
         args->data[1].of.i64, args->data[2].of.i64, args->data[3].of.i32);
  /* reversed */
  wasm_val_copy(&results->data[0], &args->data[3]);
  wasm_val_copy(&results->data[1], &args->data[2]);
  wasm_val_copy(&results->data[2], &args->data[1]);
  wasm_val_copy(&results->data[3], &args->data[0]);
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  wasm_valtype_t *types[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_i64(),
                              wasm_valtype_new_i32()};
  wasm_valtype_vec_t tuple1, tuple2;
  wasm_valtype_vec_new(&tuple1, 4, types);
  wasm_valtype_vec_copy(&tuple2, &tuple1);
  wasm_functype_t *type = wasm_functype_new(&tuple1, &tuple2);
  wasm_func_t *f = wasm_func_new(store, type, callback);
  wasm_functype_delete(type);

  wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_func_delete(f);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t *g = wasm_extern_as_func(exports.data[0]);
  wasm_func_t *swap = wasm_extern_as_func(exports.data[1]);
  CHECK(wasm_func_param_arity(g) == 4 && wasm_func_result_arity(g) == 4);

  printf("Calling export...\n");
  wasm_val_t as[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3), WASM_I32_VAL(4)};
  wasm_val_t rs[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_ARRAY_VEC(rs);
  CHECK(wasm_func_call(g, &args, &results) == NULL);
  printf("Printing result...\n> %" PRId32 " %" PRId64 " %" PRId64 " %" PRId32 "\n", rs[0].of.i32, rs[1].of.i64,
         rs[2].of.i64, rs[3].of.i32);
  CHECK(rs[0].kind == WASM_I32 && rs[1].kind == WASM_I64 && rs[2].kind == WASM_I64 && rs[3].kind == WASM_I32);

  wasm_val_t sa[2] = {WASM_F32_VAL(1.5f), WASM_F64_VAL(-2.25)};
  wasm_val_t sr[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t sargs = WASM_ARRAY_VEC(sa), sres = WASM_ARRAY_VEC(sr);
  CHECK(wasm_func_call(swap, &sargs, &sres) == NULL);
  CHECK(sr[0].kind == WASM_F64 && sr[1].kind == WASM_F32);
  printf("swap: %g %g\n", sr[0].of.f64, (double)sr[1].of.f32);

  /* too little room for the results is refused */
  wasm_val_vec_t small = {1, sr};
  wasm_trap_t *trap = wasm_func_call(swap, &sargs, &small);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);

  wasm_functype_t *gt = wasm_func_type(g);
  printf("g type: %zu params, %zu results\n", wasm_functype_params(gt)->size, wasm_functype_results(gt)->size);
  wasm_functype_delete(gt);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
