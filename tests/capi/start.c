/* A start function that traps: instantiation returns NULL and hands back the trap, with
 * the frames of the start function; the store stays usable. */
#include "common.h"

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  printf("instance: %s\n", instance ? "made" : "none");
  CHECK(trap != NULL);
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  printf("trap: %s\n", spec_reason(msg.data));
  wasm_byte_vec_delete(&msg);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  printf("trace:");
  for (size_t i = 0; i < trace.size; i++) printf(" func %u", wasm_frame_func_index(trace.data[i]));
  printf("\n");
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  /* without a trap pointer it just fails */
  CHECK(wasm_instance_new(store, module, &imports, NULL) == NULL);
  printf("again without a trap pointer: none\n");

  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
