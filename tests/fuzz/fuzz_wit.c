/* libFuzzer target: arbitrary bytes through the WIT parser and resolver. Nothing may
 * crash, leak or trip a sanitizer; a rejection is one line starting `fuzz.wit:LINE:COL: `
 * (or "out of memory"); an accepted package prints in canonical form, and that text
 * parses again and prints the same. Bytes starting with `\0asm` go to the component
 * printer instead. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wit/wit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  if (size >= 4 && memcmp(data, "\0asm", 4) == 0) {
    /* a binary: a component's world (errors carry a message) */
    util_buf o = {0};
    if (!wit_print_component(data, size, &o, &err) && err.msg[0] == '\0') __builtin_trap();
    util_buf_free(&o);
    return 0;
  }
  wit_set *s = wit_load_text("fuzz.wit", (const char *)data, size, &err);
  if (!s) {
    if (err.kind == UTIL_ERR_OOM) return 0;
    if (strncmp(err.msg, "fuzz.wit:", 9) != 0 || err.line <= 0 || err.col <= 0 || strchr(err.msg, '\n'))
      __builtin_trap();
    return 0;
  }
  util_buf a = {0}, b = {0};
  if (wit_print(s, &a)) {
    wit_set *s2 = wit_load_text("printed.wit", (const char *)a.p, a.len, &err);
    if (!s2) {
      fprintf(stderr, "printed text does not parse: %s\n%s\n", err.msg, (const char *)a.p);
      __builtin_trap();
    }
    if (wit_print(s2, &b) && (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)) {
      fprintf(stderr, "printing is not stable:\n%s\n----\n%s\n", (const char *)a.p, (const char *)b.p);
      __builtin_trap();
    }
    wit_set_free(s2);
  }
  util_buf_free(&a);
  util_buf_free(&b);
  wit_set_free(s);
  return 0;
}
