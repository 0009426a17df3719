/* A program with functions of its own under names weld uses internally (toml_parse,
 * util_fail, wasm_module_free, wasi_fd_write), with other signatures and meanings. Linked
 * with the installed libweld.a it must link (no "multiple definition"); with either
 * library, weld must still call its own functions and the program its own:
 *
 *   clash POLICY.toml        POLICY has a syntax error on line 2
 *
 * Prints what it saw and exits 0 when all is as expected. */
#include <stdio.h>
#include <string.h>

#include "weld.h"

int toml_parse(const char *s) { return (int)strlen(s); }
const char *util_fail(void) { return "the program's util_fail"; }
int wasm_module_free(int x) { return x + 1; }
int wasi_fd_write(int fd) { return -fd; }

/* (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)) */
static const uint8_t add_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f,
    0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64,
    0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b};

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: clash POLICY.toml\n");
    return 2;
  }
  int bad = 0;
  if (toml_parse("four") != 4 || strcmp(util_fail(), "the program's util_fail") != 0 ||
      wasm_module_free(1) != 2 || wasi_fd_write(3) != -3) {
    printf("the program's own functions were replaced\n");
    bad = 1;
  }

  /* weld's policy reader (its toml_parse, reporting through its util_fail). */
  weld_wasi_config cfg = {0};
  cfg.policy_file = argv[1];
  weld_error *err = NULL;
  weld_wasi *w = weld_wasi_new(&cfg, &err);
  if (w || !err) {
    printf("weld accepted a policy with a syntax error\n");
    bad = 1;
    weld_wasi_free(w);
  } else {
    printf("policy: %s\n", weld_error_message(err));
    weld_error_free(err);
    err = NULL;
  }

  /* weld's decoder, runtime and module IR (its wasm_module_free). */
  weld_engine *e = weld_engine_new(NULL);
  weld_module *m = weld_module_new(e, add_wasm, sizeof add_wasm, &err);
  weld_store *s = weld_store_new(e);
  weld_trap *trap = NULL;
  weld_instance *inst = m ? weld_instance_new(s, m, NULL, 0, &trap, &err) : NULL;
  weld_func *f = inst ? weld_instance_func(inst, "add") : NULL;
  weld_val args[2] = {WELD_I32_VAL(40), WELD_I32_VAL(2)}, res[1];
  if (!f || (trap = weld_func_call(f, args, 2, res, 1)) != NULL) {
    printf("weld could not run the module%s%s\n", err ? ": " : "", err ? weld_error_message(err) : "");
    bad = 1;
  } else {
    printf("add(40, 2) = %d\n", res[0].of.i32);
    if (res[0].of.i32 != 42) bad = 1;
  }
  if (trap) weld_trap_free(trap);
  if (err) weld_error_free(err);
  weld_store_free(s);
  weld_module_free(m);
  weld_engine_free(e);
  return bad;
}
