/* The WASI part of the embedding API: arguments and environment reach the module,
 * proc_exit comes back as an exit trap, an unknown WASI function fails to link, a bad
 * policy file is reported, and a module without an exported memory cannot be bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "weld.h"

static const char wat[] =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $asg (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"environ_sizes_get\" (func $esg (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
    "  (import \"env\" \"seven\" (func $seven (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"argc\") (result i32) (drop (call $asg (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))\n"
    "  (func (export \"envc\") (result i32) (drop (call $esg (i32.const 0) (i32.const 4))) (i32.load (i32.const 0)))\n"
    "  (func (export \"quit\") (call $exit (call $seven))))\n";

static weld_trap *seven(weld_caller *c, void *env, const weld_val *args, weld_val *results) {
  (void)c, (void)env, (void)args;
  results[0] = WELD_I32_VAL(7);
  return NULL;
}

static int32_t call_i32(weld_instance *inst, const char *name, weld_trap **trap) {
  weld_val r[1] = {WELD_I32_VAL(-1)};
  *trap = weld_func_call(weld_instance_func(inst, name), NULL, 0, r, 1);
  return r[0].of.i32;
}

UNIT_GROUP(api_wasi) {
  weld_engine *e = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_module *m = weld_module_new(e, (const uint8_t *)wat, strlen(wat), &err);
  CHECK(m != NULL);
  if (!m) {
    weld_error_free(err);
    weld_engine_free(e);
    return;
  }
  const char *argv[] = {"prog", "a", "b"};
  const char *env[] = {"WELD_API_WASI_TEST=1"};
  weld_wasi_config cfg = {.argv = argv, .argc = 3, .env = env, .nenv = 1};
  weld_wasi *w = weld_wasi_new(&cfg, &err);
  CHECK(w != NULL);
  weld_store *s = weld_store_new(e);
  weld_import imports[8];
  long n = w ? weld_wasi_imports(w, s, m, imports, &err) : -1;
  CHECK_EQ_I64(n, 3);
  weld_valkind res[] = {WELD_I32};
  imports[n > 0 ? n : 0] = (weld_import){"env", "seven", {.kind = WELD_EXTERN_FUNC,
                                         .of.func = weld_func_new(s, NULL, 0, res, 1, seven, NULL, NULL)}};
  weld_trap *trap = NULL;
  weld_instance *inst = n == 3 ? weld_instance_new(s, m, imports, 4, &trap, &err) : NULL;
  CHECK(inst != NULL);
  if (inst && w) {
    CHECK(weld_wasi_bind(w, inst, &err));
    CHECK_EQ_I64(call_i32(inst, "argc", &trap), 3);
    CHECK(trap == NULL);
    CHECK_EQ_I64(call_i32(inst, "envc", &trap), 1);
    CHECK(trap == NULL);
    trap = weld_func_call(weld_instance_func(inst, "quit"), NULL, 0, NULL, 0);
    CHECK(trap && weld_trap_get_kind(trap) == WELD_TRAP_EXIT && weld_trap_exit_code(trap) == 7);
    weld_trap_free(trap);
    /* the store stays usable after the exit */
    CHECK_EQ_I64(call_i32(inst, "argc", &trap), 3);
    CHECK(trap == NULL);
  }
  weld_store_free(s);
  weld_wasi_free(w);

  /* an unknown WASI function is a link error naming it */
  static const char bad[] =
      "(module (import \"wasi_snapshot_preview1\" \"fd_bogus\" (func)) (memory (export \"memory\") 1))";
  weld_module *bm = weld_module_new(e, (const uint8_t *)bad, strlen(bad), &err);
  CHECK(bm != NULL);
  w = weld_wasi_new(NULL, &err);
  s = weld_store_new(e);
  err = NULL;
  CHECK(bm && w && weld_wasi_imports(w, s, bm, imports, &err) == -1);
  CHECK(err && weld_error_get_kind(err) == WELD_ERROR_LINK);
  if (err) CHECK(strstr(weld_error_message(err), "fd_bogus") != NULL);
  weld_error_free(err);
  err = NULL;
  weld_store_free(s);
  weld_wasi_free(w);
  weld_module_free(bm);

  /* a broken policy file is reported with its location */
  char path[] = "/tmp/weld-api-wasi-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    const char *text = "[limits]\nmemory = \"lots\"\n";
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    weld_wasi_config pc = {.policy_file = path};
    w = weld_wasi_new(&pc, &err);
    CHECK(w == NULL && err != NULL);
    if (err) CHECK(strstr(weld_error_message(err), ":2:") != NULL);
    weld_error_free(err);
    err = NULL;
    unlink(path);
  }
  /* an unknown profile too */
  weld_wasi_config bp = {.profile = "nonesuch"};
  w = weld_wasi_new(&bp, &err);
  CHECK(w == NULL && err != NULL);
  weld_error_free(err);
  weld_module_free(m);
  weld_engine_free(e);
}
