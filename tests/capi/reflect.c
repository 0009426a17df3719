/* Reflection: a module's imports and exports with their types, and the types of the
 * instance's export objects. */
#include "common.h"

static void print_valtype(const wasm_valtype_t *t) {
  switch (wasm_valtype_kind(t)) {
  case WASM_I32: printf("i32"); break;
  case WASM_I64: printf("i64"); break;
  case WASM_F32: printf("f32"); break;
  case WASM_F64: printf("f64"); break;
  case WASM_EXTERNREF: printf("externref"); break;
  case WASM_FUNCREF: printf("funcref"); break;
  default: printf("?"); break;
  }
}

static void print_valtypes(const wasm_valtype_vec_t *v) {
  printf("[");
  for (size_t i = 0; i < v->size; i++) {
    if (i) printf(" ");
    print_valtype(v->data[i]);
  }
  printf("]");
}

static void print_limits(const wasm_limits_t *l) {
  printf("%u", l->min);
  if (l->max != wasm_limits_max_default) printf("..%u", l->max);
}

static void print_externtype(const wasm_externtype_t *t) {
  switch (wasm_externtype_kind(t)) {
  case WASM_EXTERN_FUNC: {
    const wasm_functype_t *f = wasm_externtype_as_functype_const(t);
    printf("func ");
    print_valtypes(wasm_functype_params(f));
    printf(" -> ");
    print_valtypes(wasm_functype_results(f));
    break;
  }
  case WASM_EXTERN_GLOBAL: {
    const wasm_globaltype_t *g = wasm_externtype_as_globaltype_const(t);
    printf("global %s ", wasm_globaltype_mutability(g) == WASM_VAR ? "var" : "const");
    print_valtype(wasm_globaltype_content(g));
    break;
  }
  case WASM_EXTERN_TABLE: {
    const wasm_tabletype_t *tt = wasm_externtype_as_tabletype_const(t);
    printf("table ");
    print_limits(wasm_tabletype_limits(tt));
    printf(" ");
    print_valtype(wasm_tabletype_element(tt));
    break;
  }
  case WASM_EXTERN_MEMORY:
    printf("memory ");
    print_limits(wasm_memorytype_limits(wasm_externtype_as_memorytype_const(t)));
    break;
  }
}

static wasm_trap_t *noop(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
  return NULL;
}

static void print_name(const wasm_name_t *n) { printf("\"%.*s\"", (int)n->size, n->data); }

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);

  printf("Imports:\n");
  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  for (size_t i = 0; i < imports.size; i++) {
    printf("> ");
    print_name(wasm_importtype_module(imports.data[i]));
    printf(" ");
    print_name(wasm_importtype_name(imports.data[i]));
    printf(": ");
    print_externtype(wasm_importtype_type(imports.data[i]));
    printf("\n");
  }

  printf("Exports:\n");
  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  wasm_exporttype_vec_t copy;
  wasm_exporttype_vec_copy(&copy, &exports);
  for (size_t i = 0; i < copy.size; i++) {
    printf("> ");
    print_name(wasm_exporttype_name(copy.data[i]));
    printf(": ");
    print_externtype(wasm_exporttype_type(copy.data[i]));
    printf("\n");
  }
  wasm_exporttype_vec_delete(&copy);

  printf("Instance exports:\n");
  wasm_extern_vec_t externs;
  wasm_extern_vec_new_uninitialized(&externs, imports.size);
  /* host objects for the imports, made from the import types themselves */
  for (size_t i = 0; i < imports.size; i++) {
    const wasm_externtype_t *t = wasm_importtype_type(imports.data[i]);
    switch (wasm_externtype_kind(t)) {
    case WASM_EXTERN_TABLE:
      externs.data[i] = wasm_table_as_extern(wasm_table_new(store, wasm_externtype_as_tabletype_const(t), NULL));
      break;
    case WASM_EXTERN_MEMORY:
      externs.data[i] = wasm_memory_as_extern(wasm_memory_new(store, wasm_externtype_as_memorytype_const(t)));
      break;
    case WASM_EXTERN_GLOBAL: {
      wasm_val_t zero = WASM_I64_VAL(0);
      externs.data[i] = wasm_global_as_extern(wasm_global_new(store, wasm_externtype_as_globaltype_const(t), &zero));
      break;
    }
    default:
      externs.data[i] = NULL;
      break;
    }
  }
  /* the function import is missing: instantiation fails with a reason */
  wasm_trap_t *trap = NULL;
  CHECK(wasm_instance_new(store, module, &externs, &trap) == NULL);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  printf("missing import refused\n");
  /* a function without a callback is not made */
  wasm_functype_t *wt = wasm_functype_new_0_0();
  CHECK(wasm_func_new(store, wt, NULL) == NULL);
  /* a function of the wrong type is refused */
  externs.data[0] = wasm_func_as_extern(wasm_func_new(store, wt, noop));
  wasm_functype_delete(wt);
  CHECK(wasm_instance_new(store, module, &externs, &trap) == NULL);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  printf("wrong import type refused\n");
  wasm_extern_delete(externs.data[0]);
  /* the right one, made from the import's own type */
  externs.data[0] = wasm_func_as_extern(
      wasm_func_new(store, wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0])), noop));
  wasm_instance_t *instance = wasm_instance_new(store, module, &externs, &trap);
  CHECK(instance != NULL && trap == NULL);
  wasm_extern_vec_t out;
  wasm_instance_exports(instance, &out);
  CHECK(out.size == exports.size);
  for (size_t i = 0; i < out.size; i++) {
    printf("> ");
    print_name(wasm_exporttype_name(exports.data[i]));
    printf(": ");
    wasm_externtype_t *t = wasm_extern_type(out.data[i]);
    CHECK(wasm_externtype_kind(t) == wasm_extern_kind(out.data[i]));
    print_externtype(t);
    wasm_externtype_delete(t);
    printf("\n");
  }
  wasm_extern_vec_delete(&out);
  wasm_extern_vec_delete(&externs);
  wasm_importtype_vec_delete(&imports);
  wasm_exporttype_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
