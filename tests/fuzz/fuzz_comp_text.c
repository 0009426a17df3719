/* libFuzzer target: arbitrary bytes through the component text reader, as a component
 * (`(component ...)` or bare component fields) and as a script whose component commands
 * are encoded. Nothing may crash, leak or trip a sanitizer; every rejection carries a
 * message and a line; bytes the reader produces go through the component decoder and
 * validator, which must survive them too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "component/component.h"
#include "text/text.h"
#include "text/wast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *bin, size_t n) {
  util_error err;
  comp_component *c = comp_decode(bin, n, &err);
  if (!c) {
    if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0') __builtin_trap();
    return;
  }
  comp_info *info = NULL;
  if (!comp_validate(c, &info, &err) && (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0')) __builtin_trap();
  comp_info_free(info);
  comp_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  util_error err;
  uint8_t *bin;
  size_t n;
  if (text_component_to_binary((const char *)data, size, &bin, &n, &err)) {
    check(bin, n);
    free(bin);
  } else if (err.kind == UTIL_ERR_NONE || err.msg[0] == '\0' || (err.kind != UTIL_ERR_OOM && err.line <= 0)) {
    __builtin_trap();
  }
  wast_script *s = text_wast_parse((const char *)data, size, &err);
  if (!s) return 0;
  for (size_t i = 0; i < s->ncmds; i++) {
    const wast_command *c = &s->cmds[i];
    if (!c->has_module || !c->module.component) continue;
    if (text_wast_module_bytes(s, &c->module, &bin, &n, &err)) {
      check(bin, n);
      free(bin);
    }
  }
  text_wast_free(s);
  return 0;
}
