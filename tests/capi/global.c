/* Globals: host-made globals imported, the module's own exported; read and written from
 * the host and from WebAssembly; types and mutability. */
#include <string.h>

#include "common.h"

static wasm_extern_vec_t exports;

static wasm_func_t *func_at(size_t i) { return wasm_extern_as_func(exports.data[i]); }
static wasm_global_t *global_at(size_t i) { return wasm_extern_as_global(exports.data[i]); }

static float call_f32(size_t i) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(rs);
  CHECK(wasm_func_call(func_at(i), &args, &results) == NULL);
  CHECK(rs[0].kind == WASM_F32);
  return rs[0].of.f32;
}

static long long call_i64(size_t i) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(rs);
  CHECK(wasm_func_call(func_at(i), &args, &results) == NULL);
  CHECK(rs[0].kind == WASM_I64);
  return (long long)rs[0].of.i64;
}

static void call_set(size_t i, wasm_val_t v) {
  wasm_val_t as[1] = {v};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(func_at(i), &args, &results) == NULL);
}

static float get_f32(const wasm_global_t *g) {
  wasm_val_t v;
  wasm_global_get(g, &v);
  CHECK(v.kind == WASM_F32);
  return v.of.f32;
}

static long long get_i64(const wasm_global_t *g) {
  wasm_val_t v;
  wasm_global_get(g, &v);
  CHECK(v.kind == WASM_I64);
  return (long long)v.of.i64;
}

static void print_type(const char *what, const wasm_global_t *g) {
  wasm_globaltype_t *t = wasm_global_type(g);
  wasm_valkind_t k = wasm_valtype_kind(wasm_globaltype_content(t));
  printf("%s: %s %s\n", what, wasm_globaltype_mutability(t) == WASM_VAR ? "var" : "const",
         k == WASM_F32 ? "f32" : k == WASM_I64 ? "i64" : "other");
  wasm_globaltype_delete(t);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  printf("Creating globals...\n");
  wasm_globaltype_t *const_f32_type = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_CONST);
  wasm_globaltype_t *const_i64_type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_CONST);
  wasm_globaltype_t *var_f32_type = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
  wasm_globaltype_t *var_i64_type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t v1 = WASM_F32_VAL(1), v2 = WASM_I64_VAL(2), v3 = WASM_F32_VAL(3), v4 = WASM_I64_VAL(4);
  wasm_global_t *const_f32_import = wasm_global_new(store, const_f32_type, &v1);
  wasm_global_t *const_i64_import = wasm_global_new(store, const_i64_type, &v2);
  wasm_global_t *var_f32_import = wasm_global_new(store, var_f32_type, &v3);
  wasm_global_t *var_i64_import = wasm_global_new(store, var_i64_type, &v4);
  /* a value of the wrong kind makes no global */
  CHECK(wasm_global_new(store, const_f32_type, &v2) == NULL);
  wasm_globaltype_delete(const_f32_type);
  wasm_globaltype_delete(const_i64_type);
  wasm_globaltype_delete(var_f32_type);
  wasm_globaltype_delete(var_i64_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_global_as_extern(const_f32_import), wasm_global_as_extern(const_i64_import),
                              wasm_global_as_extern(var_f32_import), wasm_global_as_extern(var_i64_import)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_module_delete(module);

  wasm_instance_exports(instance, &exports);
  CHECK(exports.size == 14);
  wasm_global_t *const_f32_export = global_at(0), *const_i64_export = global_at(1);
  wasm_global_t *var_f32_export = global_at(2), *var_i64_export = global_at(3);
  CHECK(wasm_extern_kind(exports.data[0]) == WASM_EXTERN_GLOBAL);
  CHECK(wasm_extern_as_func(exports.data[0]) == NULL);

  print_type("const f32 import", const_f32_import);
  print_type("var i64 import", var_i64_import);
  print_type("const i64 export", const_i64_export);
  print_type("var f32 export", var_f32_export);

  printf("Accessing globals...\n");
  printf("initial: %g %lld %g %lld | %g %lld %g %lld\n", get_f32(const_f32_import),
         get_i64(const_i64_import), get_f32(var_f32_import), get_i64(var_i64_import),
         get_f32(const_f32_export), get_i64(const_i64_export), get_f32(var_f32_export),
         get_i64(var_i64_export));
  printf("from wasm: %g %lld %g %lld %g %lld\n", call_f32(4), call_i64(5), call_f32(6), call_i64(7),
         call_f32(8), call_i64(9));

  /* host writes are seen by WebAssembly */
  wasm_val_t v33 = WASM_F32_VAL(33), v34 = WASM_I64_VAL(34), v37 = WASM_F32_VAL(37), v38 = WASM_I64_VAL(38);
  wasm_global_set(var_f32_import, &v33);
  wasm_global_set(var_i64_import, &v34);
  wasm_global_set(var_f32_export, &v37);
  wasm_global_set(var_i64_export, &v38);
  printf("after host set: %g %lld %g %lld\n", call_f32(6), call_i64(7), call_f32(8), call_i64(9));

  /* WebAssembly writes are seen by the host */
  call_set(10, (wasm_val_t)WASM_F32_VAL(73));
  call_set(11, (wasm_val_t)WASM_I64_VAL(74));
  call_set(12, (wasm_val_t)WASM_F32_VAL(77));
  call_set(13, (wasm_val_t)WASM_I64_VAL(78));
  printf("after wasm set: %g %lld %g %lld\n", get_f32(var_f32_import), get_i64(var_i64_import),
         get_f32(var_f32_export), get_i64(var_i64_export));

  /* an immutable global keeps its value */
  wasm_val_t v99 = WASM_F32_VAL(99);
  wasm_global_set(const_f32_export, &v99);
  printf("const after set: %g\n", get_f32(const_f32_export));

  /* the same global reached twice is the same reference */
  wasm_extern_vec_t again;
  wasm_instance_exports(instance, &again);
  CHECK(wasm_global_same(wasm_extern_as_global(again.data[2]), var_f32_export));
  CHECK(!wasm_global_same(wasm_extern_as_global(again.data[3]), var_f32_export));
  wasm_extern_vec_delete(&again);
  printf("identity ok\n");

  wasm_global_delete(const_f32_import);
  wasm_global_delete(const_i64_import);
  wasm_global_delete(var_f32_import);
  wasm_global_delete(var_i64_import);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
