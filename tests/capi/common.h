/* What the C API test programs share: reading a module file and failing loudly. Only
 * wasm.h (and the C library) is used, as a program written for any runtime would. */
#ifndef CAPI_TEST_COMMON_H
#define CAPI_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      printf("FAILED at %s:%d: %s\n", __FILE__, __LINE__, #cond);                            \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

static inline void load_binary(const char *path, wasm_byte_vec_t *out) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)n);
  if (n && fread(out->data, (size_t)n, 1, f) != 1) {
    printf("cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
}

/* Loads and compiles argv[1]. */
static inline wasm_module_t *load_module(wasm_store_t *store, const char *path) {
  wasm_byte_vec_t binary;
  load_binary(path, &binary);
  wasm_module_t *m = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  CHECK(m != NULL);
  return m;
}

/* A runtime may add details after the reason the WebAssembly specification gives for a
 * trap (its test suite matches the reason as a prefix): this is that reason, or the whole
 * message when it starts with none of them. */
static inline const char *spec_reason(const char *msg) {
  static const char *const reasons[] = {
      "unreachable", "out of bounds memory access", "out of bounds table access",
      "undefined element", "uninitialized element", "indirect call type mismatch",
      "integer divide by zero", "integer overflow", "invalid conversion to integer",
      "call stack exhausted"};
  for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++) {
    size_t n = strlen(reasons[i]);
    if (strncmp(msg, reasons[i], n) == 0 && (msg[n] == '\0' || msg[n] == ' ' || msg[n] == ':'))
      return reasons[i];
  }
  return msg;
}

/* Prints a trap's message ("> MESSAGE") and deletes it. */
static inline void print_trap(wasm_trap_t *trap) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  printf("> trap: %s\n", spec_reason(msg.data));
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
}

#endif
