/* libFuzzer target: arbitrary bytes through the component decoder and, when they decode,
 * the component validator (which validates nested core modules) and the type printer.
 * None may crash, leak or trip a sanitizer; every rejection carries a message.
 *
 * Composition (src/component/compose.c) runs here too, on two kinds of input:
 * - a component that validates is composed alone (every import passes through, its type
 *   encoded again from the resolved types, every export re-exported);
 * - an input holding the separator `WELDPLUG` is a root and its plugs (at most 3), each
 *   part a component binary (the seeds are the compositions of tests/component/compose).
 * comp_compose may refuse with one line, never with an empty one or an "internal
 * error" (what it writes must validate), and what it returns must decode and validate. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "component/compose.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "WELDPLUG"
#define MAX_PARTS 4

static void compose(const comp_compose_input *in, size_t n) {
  util_buf out = {0};
  char why[512];
  if (!comp_compose(in, n, &out, why, sizeof why)) {
    /* the message's start: names from the input may hold any words */
    if (why[0] == '\0' || strncmp(why, "internal error:", 15) == 0) {
      fprintf(stderr, "compose: %s\n", why[0] ? why : "(no message)");
      __builtin_trap();
    }
    return;
  }
  util_error err;
  comp_component *c = comp_decode(out.p, out.len, &err);
  if (!c || !comp_validate(c, NULL, &err)) __builtin_trap();
  comp_free(c);
  util_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  char buf[512];
  const uint8_t *sep = size >= 8 ? memmem(data, size, SEP, 8) : NULL;
  if (sep) {
    comp_compose_input in[MAX_PARTS];
    static const char *const names[MAX_PARTS] = {"root.wasm", "plug1.wasm", "plug2.wasm", "plug3.wasm"};
    size_t n = 0;
    const uint8_t *p = data, *end = data + size;
    while (n < MAX_PARTS) {
      const uint8_t *q = memmem(p, (size_t)(end - p), SEP, 8);
      if (!q || n == MAX_PARTS - 1) q = end;
      in[n] = (comp_compose_input){names[n], p, (size_t)(q - p)};
      n++;
      if (q == end) break;
      p = q + 8;
    }
    compose(in, n);
    return 0;
  }
  /* most mutations of a seed keep its preamble; inputs without one are given it, so the
   * fuzzer spends its time on sections */
  uint8_t *input = NULL;
  if (!comp_is_component(data, size)) {
    input = malloc(size + 8);
    if (!input) return 0;
    memcpy(input, "\0asm\x0d\0\1\0", 8);
    memcpy(input + 8, data, size);
    data = input;
    size += 8;
  }
  comp_component *c = comp_decode(data, size, &err);
  if (!c) {
    util_error_format(&err, buf, sizeof buf);
    if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0') __builtin_trap();
    free(input);
    return 0;
  }
  comp_info *info = NULL;
  bool valid = comp_validate(c, &info, &err);
  if (!valid) {
    util_error_format(&err, buf, sizeof buf);
    if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0') __builtin_trap();
  }
  if (info) {
    FILE *f = fopen("/dev/null", "w");
    if (f) {
      for (uint32_t i = 0; i < info->nimports; i++) comp_ctype_print(f, info->imports[i].type, 0);
      for (uint32_t i = 0; i < info->nexports; i++) comp_ctype_print(f, info->exports[i].type, 0);
      fclose(f);
    }
  }
  comp_info_free(info);
  comp_free(c);
  if (valid) {
    comp_compose_input one = {"root.wasm", data, size};
    compose(&one, 1);
  }
  free(input);
  return 0;
}
