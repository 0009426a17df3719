/* libFuzzer target: arbitrary bytes through the component decoder and, when they decode,
 * the component validator (which validates nested core modules) and the type printer.
 * None may crash, leak or trip a sanitizer; every rejection carries a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/component.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  char buf[512];
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
  if (!comp_validate(c, &info, &err)) {
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
  free(input);
  return 0;
}
