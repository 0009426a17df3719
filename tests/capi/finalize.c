/* Host info and finalizers: attached to instances, functions, foreign objects, traps and
 * modules; shared by every reference to the same object; each finalizer runs exactly once,
 * when its object goes (store objects with their store, traps and modules with their last
 * reference). */
#include "common.h"

static int live;
static int finalized[64];

static void finalize(void *data) {
  int i = (int)(intptr_t)data;
  finalized[i]++;
  live--;
}

static void *info(int i) {
  live++;
  return (void *)(intptr_t)i;
}

static void run_in_store(wasm_store_t *store, wasm_module_t *module, int base) {
  for (int i = 0; i < 10; i++) {
    wasm_extern_vec_t imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    CHECK(instance != NULL);
    wasm_instance_set_host_info_with_finalizer(instance, info(base + i), finalize);
    CHECK(wasm_instance_get_host_info(instance) == (void *)(intptr_t)(base + i));
    wasm_instance_delete(instance);
  }
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store1 = wasm_store_new(engine);
  wasm_store_t *store2 = wasm_store_new(engine);
  wasm_module_t *module = load_module(store1, argv[1]);

  printf("Instances in store 1...\n");
  run_in_store(store1, module, 0);
  printf("Live count %d\n", live);
  printf("Instances in store 2...\n");
  run_in_store(store2, module, 10);
  printf("Live count %d\n", live);

  printf("Functions and foreign objects...\n");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store2, module, &imports, NULL);
  wasm_extern_vec_t exports, again;
  wasm_instance_exports(instance, &exports);
  wasm_func_t *f = wasm_extern_as_func(exports.data[0]);
  wasm_func_set_host_info_with_finalizer(f, info(20), finalize);
  /* the same function fetched again carries the same host info */
  wasm_instance_exports(instance, &again);
  CHECK(wasm_func_get_host_info(wasm_extern_as_func(again.data[0])) == (void *)(intptr_t)20);
  CHECK(wasm_extern_get_host_info(again.data[0]) == (void *)(intptr_t)20);
  CHECK(wasm_func_get_host_info(wasm_extern_as_func(again.data[1])) == NULL);
  wasm_ref_t *r = wasm_func_as_ref(wasm_extern_as_func(again.data[0]));
  CHECK(wasm_ref_get_host_info(r) == (void *)(intptr_t)20);
  wasm_extern_vec_delete(&again);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  wasm_foreign_t *foreign = wasm_foreign_new(store2);
  wasm_foreign_set_host_info_with_finalizer(foreign, info(21), finalize);
  wasm_foreign_t *foreign2 = wasm_foreign_copy(foreign);
  CHECK(wasm_foreign_same(foreign, foreign2));
  wasm_foreign_t *other = wasm_foreign_new(store2);
  CHECK(!wasm_foreign_same(foreign, other));
  CHECK(wasm_foreign_get_host_info(other) == NULL);
  wasm_foreign_set_host_info(other, (void *)(intptr_t)99);
  CHECK(wasm_foreign_get_host_info(other) == (void *)(intptr_t)99);
  wasm_foreign_delete(foreign);
  wasm_foreign_delete(foreign2);
  wasm_foreign_delete(other);
  printf("Live count %d\n", live);

  printf("Traps...\n");
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "t");
  wasm_trap_t *trap = wasm_trap_new(store1, &msg);
  wasm_name_delete(&msg);
  wasm_trap_set_host_info_with_finalizer(trap, info(30), finalize);
  wasm_trap_t *trap2 = wasm_trap_copy(trap);
  wasm_trap_delete(trap);
  printf("Live count %d (a copy still holds the trap)\n", live);
  wasm_trap_delete(trap2);
  printf("Live count %d\n", live);

  printf("Module...\n");
  wasm_module_set_host_info_with_finalizer(module, info(31), finalize);
  wasm_module_delete(module);
  printf("Live count %d (the stores still use the module)\n", live);

  printf("Deleting store 2...\n");
  wasm_store_delete(store2);
  printf("Live count %d\n", live);
  printf("Deleting store 1...\n");
  wasm_store_delete(store1);
  printf("Live count %d\n", live);
  for (int i = 0; i < 32; i++) CHECK(finalized[i] == ((i < 22 || i >= 30) ? 1 : 0));
  printf("each finalizer ran once\n");
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
