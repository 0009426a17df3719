/* weld's extensions on wasm.h objects (weld_wasm.h): WASI linked into a wasm.h import
 * vector, fuel and memory limits set on the weld store behind a wasm_store_t, and the
 * static audit of the module behind a wasm_module_t against a policy. */
#include "weld_wasm.h"
#include "common.h"

static int32_t call_i32(wasm_func_t *f, int32_t arg, size_t nargs, const char *what) {
  wasm_val_t as[1] = {WASM_I32_VAL(arg)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {nargs, as}, results = {wasm_func_result_arity(f), rs};
  fflush(stdout);
  wasm_trap_t *trap = wasm_func_call(f, &args, &results);
  if (trap) {
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    weld_trap_kind kind = 0;
    int32_t code = 0;
    if (weld_wasm_trap_kind(trap, &kind, &code) && kind == WELD_TRAP_EXIT) {
      printf("%s: exit code %d\n", what, code);
    } else {
      /* weld.h documents the message of each kind */
      printf("%s: trap: %s (%s)\n", what, msg.data, kind == WELD_TRAP_OUT_OF_FUEL ? "out of fuel" : "other");
    }
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
    return -1;
  }
  printf("%s: %d\n", what, results.size ? rs[0].of.i32 : 0);
  return rs[0].of.i32;
}

/* Audits the module behind a wasm_module_t and prints the verdict, risk and violations. */
static void audit_line(const char *what, const wasm_module_t *module, const char *file, const char *preset) {
  weld_error *err = NULL;
  weld_audit *a = weld_audit_new(weld_wasm_module(module), file, preset, &err);
  CHECK(a != NULL);
  printf("audit (%s): passed %d, risk %s, %zu violation(s)\n", what, weld_audit_passed(a), weld_audit_risk(a),
         weld_audit_violation_count(a));
  for (size_t i = 0; i < weld_audit_violation_count(a); i++) printf("  %s\n", weld_audit_violation(a, i));
  CHECK(weld_audit_violation(a, weld_audit_violation_count(a)) == NULL);
  weld_audit_free(a);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  CHECK(weld_wasm_engine(engine) != NULL);
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  CHECK(weld_module_import_count(weld_wasm_module(module)) == 2);

  weld_wasi_config cfg = {0};
  const char *wasi_argv[] = {"weld_ext"};
  cfg.argv = wasi_argv;
  cfg.argc = 1;
  weld_error *err = NULL;
  weld_wasi *wasi = weld_wasi_new(&cfg, &err);
  CHECK(wasi != NULL);
  wasm_extern_vec_t imports;
  wasm_extern_vec_new_uninitialized(&imports, 2);
  printf("WASI imports filled: %ld\n", weld_wasm_wasi_imports(wasi, store, module, &imports, &err));
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);
  CHECK(weld_wasi_bind(wasi, weld_wasm_instance(instance), &err));
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);

  call_i32(wasm_extern_as_func(exports.data[1]), 0, 0, "greet (fd_write's errno)");

  call_i32(wasm_extern_as_func(exports.data[3]), 0, 0, "exit");

  /* a trap the host makes has no weld kind */
  wasm_message_t m;
  wasm_name_new_from_string_nt(&m, "host");
  wasm_trap_t *host = wasm_trap_new(store, &m);
  wasm_name_delete(&m);
  weld_trap_kind kind;
  printf("host trap has a weld kind: %d\n", weld_wasm_trap_kind(host, &kind, NULL));
  wasm_trap_delete(host);

  weld_store *ws = weld_wasm_store(store);
  weld_store_set_fuel(ws, 10000);
  call_i32(wasm_extern_as_func(exports.data[2]), 0, 0, "spin with 10000 fuel");

  weld_limits limits;
  weld_limits_default(&limits);
  limits.memory_bytes = 4 * 65536;
  weld_store_set_limits(ws, &limits);
  weld_store_add_fuel(ws, 1000000);
  call_i32(wasm_extern_as_func(exports.data[4]), 2, 1, "grow 2 under a 4-page limit");
  call_i32(wasm_extern_as_func(exports.data[4]), 2, 1, "grow 2 more");
  wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
  bool grown = wasm_memory_grow(memory, 2);
  printf("wasm_memory_grow 2: %d, pages %u\n", grown, wasm_memory_size(memory));
  CHECK(weld_wasm_memory(memory) != NULL);
  weld_usage usage;
  weld_store_usage(ws, &usage);
  printf("usage: grow denials %llu, stopped by %s\n", (unsigned long long)usage.grow_denials,
         usage.stopped_by ? usage.stopped_by : "nothing");

  /* the static audit of the same module (weld.h's weld_audit_*, docs/audit.md) */
  audit_line("no policy", module, NULL, NULL);
  audit_line("isolated", module, NULL, "isolated");
  FILE *pf = fopen("minimal.toml", "w");
  CHECK(pf != NULL);
  fputs("[audit]\nmax_risk = \"minimal\"\n", pf);
  fclose(pf);
  audit_line("isolated, max_risk minimal", module, "minimal.toml", "isolated");
  pf = fopen("bad.toml", "w");
  CHECK(pf != NULL);
  fputs("[audit]\nmax_risk = \"extreme\"\n", pf);
  fclose(pf);
  err = NULL;
  CHECK(weld_audit_new(weld_wasm_module(module), "bad.toml", NULL, &err) == NULL && err != NULL);
  printf("audit with a bad policy file: error names bad.toml:2: %s\n",
         strncmp(weld_error_message(err), "bad.toml:2:", 11) == 0 ? "yes" : weld_error_message(err));
  weld_error_free(err);
  weld_audit *a = weld_audit_new(weld_wasm_module(module), NULL, "isolated", NULL);
  CHECK(a != NULL);
  FILE *json = tmpfile();
  CHECK(json != NULL);
  weld_audit_print(a, json, "weld_ext.wasm", true);
  rewind(json);
  char head[64] = {0};
  CHECK(fread(head, 1, sizeof head - 1, json) > 0);
  fclose(json);
  printf("JSON report begins with schema_version: %s\n",
         strncmp(head, "{\n  \"schema_version\": 1,", strlen("{\n  \"schema_version\": 1,")) == 0 ? "yes" : head);
  weld_audit_free(a);

  wasm_extern_vec_delete(&exports);
  wasm_extern_vec_delete(&imports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  weld_wasi_free(wasi);
  wasm_engine_delete(engine);
  printf("Done.\n");
  return 0;
}
