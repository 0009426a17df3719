/* Memories: data, data_size, size, grow from the host; loads and stores from WebAssembly,
 * out-of-bounds accesses trap; a host-made memory. */
#include "common.h"

static wasm_func_t *size_func, *load_func, *store_func;

static void call(wasm_func_t *f, const char *what, int32_t a, int32_t b, size_t nargs) {
  wasm_val_t as[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {nargs, as}, results = {wasm_func_result_arity(f), rs};
  wasm_trap_t *trap = wasm_func_call(f, &args, &results);
  printf("%s", what);
  if (nargs >= 1) printf("(0x%x", (unsigned)a);
  if (nargs == 2) printf(", %d", b);
  printf("%s: ", nargs ? ")" : "()");
  if (trap) {
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    printf("trap: %s\n", spec_reason(msg.data));
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
  } else if (results.size) {
    printf("%d\n", rs[0].of.i32);
  } else {
    printf("ok\n");
  }
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  CHECK(exports.size == 4);
  wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
  size_func = wasm_extern_as_func(exports.data[1]);
  load_func = wasm_extern_as_func(exports.data[2]);
  store_func = wasm_extern_as_func(exports.data[3]);
  CHECK(memory && size_func && load_func && store_func);

  printf("Checking memory...\n");
  wasm_memorytype_t *mt = wasm_memory_type(memory);
  printf("type: min %u max %u\n", wasm_memorytype_limits(mt)->min, wasm_memorytype_limits(mt)->max);
  wasm_memorytype_delete(mt);
  printf("size %u pages, data_size 0x%zx\n", wasm_memory_size(memory), wasm_memory_data_size(memory));
  byte_t *data = wasm_memory_data(memory);
  printf("data[0]=%d data[0x1000]=%d data[0x1003]=%d data[0x1ffff]=%d\n", data[0], data[0x1000],
         data[0x1003], data[0x1ffff]);
  call(size_func, "size", 0, 0, 0);
  call(load_func, "load", 0, 0, 1);
  call(load_func, "load", 0x1000, 0, 1);
  call(load_func, "load", 0x1003, 0, 1);
  call(load_func, "load", 0x1ffff, 0, 1);
  call(load_func, "load", 0x20000, 0, 1);

  printf("Mutating memory...\n");
  data[0x1003] = 5;
  call(load_func, "load", 0x1003, 0, 1);
  call(store_func, "store", 0x1002, 6, 2);
  printf("data[0x1002]=%d\n", wasm_memory_data(memory)[0x1002]);
  call(store_func, "store", 0x20000, 0, 2);

  printf("Growing memory...\n");
  printf("grow 1: %d\n", wasm_memory_grow(memory, 1));
  printf("size %u pages, data_size 0x%zx\n", wasm_memory_size(memory), wasm_memory_data_size(memory));
  call(load_func, "load", 0x20000, 0, 1);
  call(store_func, "store", 0x20000, 7, 2);
  call(load_func, "load", 0x30000, 0, 1);
  call(store_func, "store", 0x30000, 0, 2);
  printf("grow 1 (past max): %d\n", wasm_memory_grow(memory, 1));
  printf("grow 0: %d\n", wasm_memory_grow(memory, 0));
  call(size_func, "size", 0, 0, 0);

  printf("Creating stand-alone memory...\n");
  wasm_limits_t limits = {5, 5};
  wasm_memorytype_t *memorytype = wasm_memorytype_new(&limits);
  wasm_memory_t *memory2 = wasm_memory_new(store, memorytype);
  CHECK(memory2 != NULL);
  printf("size %u", wasm_memory_size(memory2));
  printf(", grow 1: %d", wasm_memory_grow(memory2, 1));
  printf(", grow 0: %d\n", wasm_memory_grow(memory2, 0));
  wasm_memorytype_delete(memorytype);
  wasm_memory_delete(memory2);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
