/* One module, many instances: each instance has its own globals and memory, in one store
 * and across stores; a shared module obtained on other threads runs there in stores of
 * their own. */
#include <pthread.h>

#include "common.h"

static wasm_engine_t *engine;

typedef struct instance_box {
  wasm_instance_t *instance;
  wasm_extern_vec_t exports;
} instance_box;

static void make(wasm_store_t *store, const wasm_module_t *module, int32_t id, instance_box *out) {
  wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t v = WASM_I32_VAL(id);
  wasm_global_t *g = wasm_global_new(store, gt, &v);
  wasm_globaltype_delete(gt);
  wasm_extern_t *externs[] = {wasm_global_as_extern(g)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  out->instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(out->instance != NULL);
  wasm_global_delete(g);
  wasm_instance_exports(out->instance, &out->exports);
}

static int32_t bump(instance_box *b) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(rs);
  CHECK(wasm_func_call(wasm_extern_as_func(b->exports.data[1]), &args, &results) == NULL);
  return rs[0].of.i32;
}

static void drop(instance_box *b) {
  wasm_extern_vec_delete(&b->exports);
  wasm_instance_delete(b->instance);
}

typedef struct job {
  wasm_shared_module_t *shared;
  int32_t id;
  int32_t result;
} job;

static void *thread_main(void *p) {
  job *j = p;
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = wasm_module_obtain(store, j->shared);
  CHECK(module != NULL);
  instance_box b;
  make(store, module, j->id, &b);
  for (int i = 0; i < 1000; i++) j->result = bump(&b);
  drop(&b);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  printf("Two instances in one store...\n");
  instance_box a, b;
  make(store, module, 1, &a);
  make(store, module, 2, &b);
  int32_t a1 = bump(&a), a2 = bump(&a), a3 = bump(&a);
  printf("a: %d %d %d\n", a1, a2, a3);
  printf("b: %d\n", bump(&b));
  printf("a: %d\n", bump(&a));
  CHECK(!wasm_memory_same(wasm_extern_as_memory(a.exports.data[0]), wasm_extern_as_memory(b.exports.data[0])));
  printf("memories differ: a[0..4]=%d b[0..4]=%d\n",
         *(int32_t *)wasm_memory_data(wasm_extern_as_memory(a.exports.data[0])),
         *(int32_t *)wasm_memory_data(wasm_extern_as_memory(b.exports.data[0])));

  printf("A third in another store...\n");
  wasm_store_t *store2 = wasm_store_new(engine);
  instance_box c;
  make(store2, module, 3, &c);
  printf("c: %d\n", bump(&c));
  /* an object of one store cannot be imported into another */
  wasm_extern_t *foreign_import[] = {a.exports.data[0]};
  wasm_extern_vec_t bad = WASM_ARRAY_VEC(foreign_import);
  wasm_trap_t *trap = NULL;
  CHECK(wasm_instance_new(store2, module, &bad, &trap) == NULL && trap != NULL);
  wasm_trap_delete(trap);
  printf("cross-store import refused\n");
  drop(&c);
  wasm_store_delete(store2);

  printf("Shared module on four threads...\n");
  wasm_shared_module_t *shared = wasm_module_share(module);
  pthread_t threads[4];
  job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (job){shared, 10 + i, 0};
    CHECK(pthread_create(&threads[i], NULL, thread_main, &jobs[i]) == 0);
  }
  for (int i = 0; i < 4; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    printf("thread %d: %d\n", i, jobs[i].result);
  }
  wasm_shared_module_delete(shared);

  drop(&a);
  drop(&b);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
