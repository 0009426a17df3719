/* Embedding weld: load a module, give it a host function, call its exports.
 *
 * The module (examples/embed.wat, built to embed.wasm) imports `host.log_sum`, which
 * this program implements: WebAssembly hands it two numbers and a message in linear
 * memory; the host reads the message through the caller's memory and returns the sum.
 *
 *   build/weld_embed_example examples/embed.wasm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weld.h"

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *len = n;
  return buf;
}

/* host.log_sum(a: i32, b: i32, msg: i32, msg_len: i32) -> i32 */
static weld_trap *log_sum(weld_caller *caller, void *env, const weld_val *args, weld_val *results) {
  int *calls = env;
  char msg[64] = {0};
  weld_memory *mem = weld_caller_memory(caller, "memory");
  uint32_t len = (uint32_t)args[3].of.i32;
  if (!mem || len >= sizeof msg || !weld_memory_read(mem, (uint32_t)args[2].of.i32, msg, len))
    return weld_trap_new("log_sum: message out of bounds");
  (*calls)++;
  printf("host: %s %d + %d\n", msg, args[0].of.i32, args[1].of.i32);
  results[0] = WELD_I32_VAL(args[0].of.i32 + args[1].of.i32);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s embed.wasm\n", argv[0]);
    return 2;
  }
  size_t len;
  uint8_t *bytes = read_all(argv[1], &len);
  if (!bytes) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  int status = 1, calls = 0;
  weld_engine *engine = weld_engine_new(NULL);
  weld_error *err = NULL;
  weld_trap *trap = NULL;
  weld_store *store = NULL;
  weld_module *module = weld_module_new(engine, bytes, len, &err);
  free(bytes);
  if (!module) goto fail;
  store = weld_store_new(engine);

  weld_valkind params[] = {WELD_I32, WELD_I32, WELD_I32, WELD_I32}, results[] = {WELD_I32};
  weld_import imports[] = {
      {"host", "log_sum", {.kind = WELD_EXTERN_FUNC,
                           .of.func = weld_func_new(store, params, 4, results, 1, log_sum, &calls, NULL)}},
  };
  weld_instance *inst = weld_instance_new(store, module, imports, 1, &trap, &err);
  if (!inst) goto fail;

  /* add_via_host(20, 22) calls back into log_sum. */
  weld_val args[2] = {WELD_I32_VAL(20), WELD_I32_VAL(22)}, res[1];
  trap = weld_func_call(weld_instance_func(inst, "add_via_host"), args, 2, res, 1);
  if (trap) goto fail;
  printf("add_via_host(20, 22) = %d\n", res[0].of.i32);

  /* A global the module exports counts its calls. */
  weld_val count = weld_global_get(weld_instance_global(inst, "count"));
  printf("count = %d, host calls = %d\n", count.of.i32, calls);

  /* A trap comes back as a value: the store stays usable afterwards. */
  weld_val bad[2] = {WELD_I32_VAL(1), WELD_I32_VAL(0)};
  trap = weld_func_call(weld_instance_func(inst, "div"), bad, 2, res, 1);
  if (!trap) goto fail;
  printf("div(1, 0) trapped: %s (in %s)\n", weld_trap_message(trap),
         weld_trap_frame_count(trap) ? weld_trap_frame(trap, 0)->func_name : "?");
  weld_trap_free(trap);
  trap = NULL;
  status = 0;

fail:
  if (err) {
    fprintf(stderr, "error: %s\n", weld_error_message(err));
    weld_error_free(err);
  }
  if (trap) {
    fprintf(stderr, "trap: %s\n", weld_trap_message(trap));
    weld_trap_free(trap);
  }
  weld_store_free(store);
  weld_module_free(module);
  weld_engine_free(engine);
  return status;
}
