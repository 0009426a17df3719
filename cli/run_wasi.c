/* `weld run`'s WASI side: the flags, the context, and binding the module's
 * wasi_snapshot_preview1 imports to it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exec/exec.h"
#include "wasi/wasi.h"
#include "weld.h"

bool cli_wasi_imports(wasi_ctx *ctx, weld_store *store, const weld_module *mod, weld_import **out,
                      size_t *n, util_error *err) {
  /* weld_module and weld_store are the runtime's exec objects (src/api/README.md) */
  const wasm_module *w = ((const exec_module *)mod)->wasm;
  *n = 0;
  *out = calloc(w->nimports + 1, sizeof **out);
  exec_func **funcs = calloc(w->nimports + 1, sizeof *funcs);
  if (!*out || !funcs) {
    free(funcs);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  bool ok = wasi_resolve_imports(ctx, (exec_store *)store, w, funcs, err) >= 0;
  for (uint32_t i = 0; ok && i < w->nimports; i++) {
    if (!funcs[i]) continue;
    (*out)[(*n)++] = (weld_import){w->imports[i].module.str, w->imports[i].field.str,
                                   {.kind = WELD_EXTERN_FUNC, .of.func = (weld_func *)funcs[i]}};
  }
  free(funcs);
  return ok;
}

bool cli_wasi_bind(wasi_ctx *ctx, weld_instance *inst, size_t nimports, util_error *err) {
  if (nimports == 0) return true;
  return wasi_ctx_bind(ctx, (exec_instance *)inst, err);
}
