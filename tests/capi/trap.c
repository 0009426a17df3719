/* Traps: one made by a host function (message kept), ones raised by WebAssembly (the
 * spec's reason, the frame where it happened and the trace of calls), and traps made by
 * the host directly.
 * The offsets in trap.out are read from `wasm-objdump -d` of trap.wasm: a module offset is
 * the trapping (or calling) instruction's, a function offset counts from the start of the
 * function's body (its locals), which wasm-objdump prints beside `func[N]`. */
#include "common.h"

static wasm_store_t *store;

static wasm_trap_t *fail_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)env;
  (void)args;
  (void)results;
  printf("Calling back...\n");
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "callback abort");
  wasm_trap_t *trap = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  return trap;
}

static void print_frame(const char *what, const wasm_frame_t *f, const wasm_instance_t *expect) {
  printf("%s: func %u, module offset 0x%zx, func offset 0x%zx, instance %s\n", what,
         wasm_frame_func_index(f), wasm_frame_module_offset(f), wasm_frame_func_offset(f),
         wasm_instance_same(wasm_frame_instance(f), expect) ? "ours" : "other");
}

static void check(wasm_trap_t *trap, const wasm_instance_t *instance) {
  CHECK(trap != NULL);
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  CHECK(msg.size > 0 && msg.data[msg.size - 1] == '\0');
  printf("> %s\n", spec_reason(msg.data));
  wasm_byte_vec_delete(&msg);
  wasm_frame_t *origin = wasm_trap_origin(trap);
  if (origin) {
    print_frame("origin", origin, instance);
    wasm_frame_delete(origin);
  } else {
    printf("origin: none\n");
  }
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  printf("trace: %zu frames\n", trace.size);
  for (size_t i = 0; i < trace.size; i++) {
    char what[32];
    snprintf(what, sizeof what, "  frame %zu", i);
    print_frame(what, trace.data[i], instance);
  }
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);
}

static wasm_trap_t *call(wasm_func_t *f, int32_t arg, size_t nargs) {
  wasm_val_t as[1] = {WASM_I32_VAL(arg)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {nargs, as}, results = {wasm_func_result_arity(f), rs};
  return wasm_func_call(f, &args, &results);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  wasm_functype_t *type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *fail = wasm_func_new_with_env(store, type, fail_callback, NULL, NULL);
  wasm_functype_delete(type);
  wasm_extern_t *externs[] = {wasm_func_as_extern(fail)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  wasm_func_delete(fail);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  CHECK(exports.size == 3);

  printf("Calling export 0 (host trap)...\n");
  check(call(wasm_extern_as_func(exports.data[0]), 0, 0), instance);
  printf("Calling export 1 (divide by zero)...\n");
  check(call(wasm_extern_as_func(exports.data[1]), 0, 1), instance);
  printf("Calling export 1 (overflow is not: 1 / -1)...\n");
  CHECK(call(wasm_extern_as_func(exports.data[1]), -1, 1) == NULL);
  printf("Calling export 2 (unreachable)...\n");
  check(call(wasm_extern_as_func(exports.data[2]), 0, 0), instance);

  printf("A trap made by the host...\n");
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "made here");
  wasm_trap_t *t = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  wasm_trap_t *copy = wasm_trap_copy(t);
  CHECK(wasm_trap_same(t, copy));
  wasm_trap_delete(copy);
  check(t, instance);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
