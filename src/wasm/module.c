/* Ownership of the module IR: everything but the module struct itself lives in its
 * arena, so freeing is one arena release. */
#include <stdlib.h>

#include "module.h"

void wasm_module_free(wasm_module *m) {
  if (!m) return;
  wasm_line_table_free(m);
  util_arena_free(&m->arena);
  free(m->owned);
  util_unmap_file(m->mapped, m->mapped_len);
  free(m);
}
