/* Serialisation: a module serialised, deserialised in another store and run there; bytes
 * that are not a serialised module are refused, as are invalid binaries (wasm_module_new
 * and wasm_module_validate agree). */
#include "common.h"

static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)results;
  printf("> hello %d\n", args->data[0].of.i32);
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);

  wasm_byte_vec_t binary;
  load_binary(argv[1], &binary);
  printf("validate: %d\n", wasm_module_validate(store, &binary));
  wasm_module_t *module = wasm_module_new(store, &binary);
  CHECK(module != NULL);

  printf("Serializing module...\n");
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  CHECK(serialized.size > 0);
  wasm_module_delete(module);

  printf("Deserializing module in a new store...\n");
  wasm_store_t *store2 = wasm_store_new(engine);
  wasm_module_t *deserialized = wasm_module_deserialize(store2, &serialized);
  CHECK(deserialized != NULL);
  wasm_byte_vec_delete(&serialized);
  wasm_exporttype_vec_t ex;
  wasm_module_exports(deserialized, &ex);
  printf("exports: %zu (%.*s)\n", ex.size, (int)wasm_exporttype_name(ex.data[0])->size,
         wasm_exporttype_name(ex.data[0])->data);
  wasm_exporttype_vec_delete(&ex);

  wasm_functype_t *type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t *f = wasm_func_new(store2, type, hello);
  wasm_functype_delete(type);
  wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store2, deserialized, &imports, NULL);
  CHECK(instance != NULL);
  wasm_func_delete(f);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_val_t as[1] = {WASM_I32_VAL(21)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_EMPTY_VEC;
  printf("Calling export...\n");
  CHECK(wasm_func_call(wasm_extern_as_func(exports.data[0]), &args, &results) == NULL);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(deserialized);

  printf("Refusing what is not a module...\n");
  /* a plain binary is not a serialised module */
  printf("deserialize(binary): %s\n", wasm_module_deserialize(store, &binary) ? "module" : "none");
  /* a truncated binary is malformed */
  wasm_byte_vec_t truncated = {binary.size - 1, binary.data};
  printf("validate(truncated): %d, new: %s\n", wasm_module_validate(store, &truncated),
         wasm_module_new(store, &truncated) ? "module" : "none");
  wasm_byte_vec_t empty = WASM_EMPTY_VEC;
  printf("validate(empty): %d\n", wasm_module_validate(store, &empty));
  /* well-formed but invalid: a function declared to return an i32 whose body is empty */
  static const char invalid[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  /* header */
                                 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        /* type () -> i32 */
                                 0x03, 0x02, 0x01, 0x00,                          /* func 0: type 0 */
                                 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};             /* body: end */
  wasm_byte_vec_t inv = {sizeof invalid, (char *)invalid};
  printf("validate(invalid): %d, new: %s\n", wasm_module_validate(store, &inv),
         wasm_module_new(store, &inv) ? "module" : "none");
  inv.size = 19; /* without its code section: a declared function has no body (malformed) */
  printf("validate(no code section): %d\n", wasm_module_validate(store, &inv));
  /* the text format is not a binary */
  wasm_byte_vec_t text;
  wasm_name_new_from_string(&text, "(module)");
  printf("validate(text): %d\n", wasm_module_validate(store, &text));
  wasm_byte_vec_delete(&text);
  wasm_byte_vec_delete(&binary);

  wasm_store_delete(store2);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
