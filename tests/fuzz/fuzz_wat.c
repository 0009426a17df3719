/* libFuzzer target: arbitrary bytes through the text reader (module and WAST script).
 * Neither may crash, leak or trip a sanitizer; every rejection carries a message and a
 * position; text that encodes must produce bytes the decoder survives. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "text/text.h"
#include "text/wast.h"
#include "wasm/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  uint8_t *bin;
  size_t n;
  if (text_wat_to_binary((const char *)data, size, "fuzz", &bin, &n, &err)) {
    wasm_module *m = wasm_decode(bin, n, &err);
    if (m) {
      util_error_clear(&err);
      wasm_validate(m, &err);
      wasm_module_free(m);
    }
    free(bin);
  } else if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0' || err.line <= 0) {
    __builtin_trap();
  }
  wast_script *s = text_wast_parse((const char *)data, size, &err);
  if (s) {
    for (size_t i = 0; i < s->ncmds; i++) {
      if (!s->cmds[i].has_module) continue;
      if (text_wast_module_bytes(s, &s->cmds[i].module, &bin, &n, &err)) free(bin);
    }
    text_wast_free(s);
  } else if (err.msg[0] == '\0') {
    __builtin_trap();
  }
  return 0;
}
