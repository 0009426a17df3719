/* libFuzzer target: arbitrary bytes through the decoder and, when they decode, the
 * validator. Neither may crash, leak or trip a sanitizer, whatever the input; a module
 * that decodes must also survive validation, printing, line-table lookups and freeing.
 * The same bytes also go through wasm_decode_known (a code cache hit's decode, which does
 * not walk the bodies): it must not crash either, and whatever wasm_decode accepts it
 * accepts too, with the same functions (everything outside the bodies is checked alike). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "text/text.h"
#include "util/util.h"
#include "wasm/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  char buf[512];
  wasm_module *known = wasm_decode_known(data, size, NULL, 0, WASM_FEATURES_ALL, size & 2, &err);
  if (!known) {
    util_error_format(&err, buf, sizeof buf);
    if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0') __builtin_trap();
  }
  wasm_module *m = wasm_decode(data, size, &err);
  if (m && (!known || known->nfuncs != m->nfuncs)) __builtin_trap();
  wasm_module_free(known);
  if (!m) {
    /* Every rejection carries a message; formatting it must be safe too. */
    util_error_format(&err, buf, sizeof buf);
    if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0') __builtin_trap();
    return 0;
  }
  util_error_clear(&err);
  if (!wasm_validate(m, &err)) {
    util_error_format(&err, buf, sizeof buf);
    if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0') __builtin_trap();
  }
  /* the printer, with whatever names the name section gives */
  char *text = NULL;
  size_t tlen = 0;
  FILE *f = open_memstream(&text, &tlen);
  if (f) {
    text_print_module(m, size & 1 ? TEXT_PRINT_FOLDED : TEXT_PRINT_FLAT, f, &err);
    fclose(f);
    free(text);
  }
  /* the DWARF line table (built on the first lookup) from whatever .debug_line holds */
  const char *file;
  uint32_t line, col;
  for (uint32_t off = 0; off < m->size; off += m->size / 7 + 1) {
    if (wasm_line_lookup(m, off, &file, &line, &col) && !file) __builtin_trap();
  }
  wasm_module_free(m);
  return 0;
}
