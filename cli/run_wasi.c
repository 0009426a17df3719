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
  /* weld_module and weld_store are the runtime's exec objects (src/exec/api.c) */
  const wasm_module *w = ((const exec_module *)mod)->wasm;
  *out = calloc(w->nimports + 1, sizeof **out);
  *n = 0;
  if (!*out) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (uint32_t i = 0; i < w->nimports; i++) {
    const wasm_import *im = &w->imports[i];
    const char *mname, *fname;
    weld_externkind kind;
    weld_module_import(mod, i, &mname, &fname, &kind);
    if (strcmp(mname, "wasi_snapshot_preview1") != 0 && strcmp(mname, "wasi_unstable") != 0)
      continue;
    if (kind != WELD_EXTERN_FUNC)
      return util_fail(err, UTIL_ERR_LINK, -1, "incompatible import type: %s.%s", mname, fname);
    exec_func *f;
    if (!wasi_resolve_import(ctx, (exec_store *)store, mname, fname, &w->types[im->u.func_type],
                             &f, err))
      return false;
    (*out)[*n] = (weld_import){mname, fname, {.kind = WELD_EXTERN_FUNC, .of.func = (weld_func *)f}};
    (*n)++;
  }
  return true;
}

bool cli_wasi_bind(wasi_ctx *ctx, weld_instance *inst, size_t nimports, util_error *err) {
  if (nimports == 0) return true;
  return wasi_ctx_bind(ctx, (exec_instance *)inst, err);
}
