/* Tables: type, get/set/size/grow from the host, call_indirect through entries set by the
 * module and by the host (including a host function), traps on null and out-of-range
 * entries, a host-made table. */
#include "common.h"

static wasm_func_t *call_indirect;

static wasm_trap_t *neg_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = -args->data[0].of.i32;
  return NULL;
}

static void check_call(int32_t arg, int32_t index) {
  wasm_val_t as[2] = {WASM_I32_VAL(arg), WASM_I32_VAL(index)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as), results = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(call_indirect, &args, &results);
  printf("call_indirect(%d, %d): ", arg, index);
  if (trap) {
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    printf("trap: %s\n", spec_reason(msg.data));
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
  } else {
    printf("%d\n", rs[0].of.i32);
  }
}

static void print_type(const wasm_table_t *t) {
  wasm_tabletype_t *tt = wasm_table_type(t);
  const wasm_limits_t *l = wasm_tabletype_limits(tt);
  printf("table type: %s min %u max %u\n",
         wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF ? "funcref" : "other", l->min, l->max);
  wasm_tabletype_delete(tt);
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
  wasm_table_t *table = wasm_extern_as_table(exports.data[0]);
  call_indirect = wasm_extern_as_func(exports.data[1]);
  wasm_func_t *f = wasm_extern_as_func(exports.data[2]);
  wasm_func_t *g = wasm_extern_as_func(exports.data[3]);
  CHECK(table && call_indirect && f && g);

  wasm_functype_t *neg_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *h = wasm_func_new(store, neg_type, neg_callback);
  wasm_functype_delete(neg_type);

  printf("Checking table...\n");
  print_type(table);
  printf("size %u\n", wasm_table_size(table));
  wasm_ref_t *r0 = wasm_table_get(table, 0), *r1 = wasm_table_get(table, 1), *r2 = wasm_table_get(table, 2);
  printf("get 0: %s\n", r0 ? "func" : "null");
  printf("get 1 is f: %s\n", r1 && wasm_func_same(wasm_ref_as_func(r1), f) ? "yes" : "no");
  printf("get 2 (out of range): %s\n", r2 ? "ref" : "null");
  wasm_ref_delete(r1);
  check_call(7, 0);
  check_call(7, 1);
  check_call(0, 2);

  printf("Mutating table...\n");
  printf("set 0 g: %d\n", wasm_table_set(table, 0, wasm_func_as_ref(g)));
  printf("set 2 f (out of range): %d\n", wasm_table_set(table, 2, wasm_func_as_ref(f)));
  check_call(7, 0);
  printf("set 0 null: %d\n", wasm_table_set(table, 0, NULL));
  check_call(7, 0);

  printf("Growing table...\n");
  bool ok = wasm_table_grow(table, 3, NULL);
  printf("grow 3: %d, size %u\n", ok, wasm_table_size(table));
  printf("set 4 host: %d\n", wasm_table_set(table, 4, wasm_func_as_ref(h)));
  check_call(5, 4);
  check_call(5, 3);
  ok = wasm_table_grow(table, 6, NULL);
  printf("grow 6 (past max): %d, size %u\n", ok, wasm_table_size(table));
  ok = wasm_table_grow(table, 5, wasm_func_as_ref(f));
  printf("grow 5 with f: %d, size %u\n", ok, wasm_table_size(table));
  check_call(9, 9);
  printf("grow 0: %d\n", wasm_table_grow(table, 0, NULL));
  print_type(table);

  printf("Creating stand-alone table...\n");
  wasm_limits_t limits = {5, 5};
  wasm_tabletype_t *tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_table_t *table2 = wasm_table_new(store, tt, NULL);
  CHECK(table2 != NULL);
  printf("size %u", wasm_table_size(table2));
  printf(", grow 1: %d", wasm_table_grow(table2, 1, NULL));
  printf(", grow 0: %d\n", wasm_table_grow(table2, 0, NULL));
  wasm_tabletype_delete(tt);
  wasm_table_delete(table2);

  wasm_func_delete(h);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
