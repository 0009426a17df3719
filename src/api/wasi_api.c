/* The WASI part of include/weld.h: a wasi_ctx (src/wasi) built from the same options and
 * policy model as `weld run`, whose host functions are linked like any other import. */
#include <stdlib.h>
#include <string.h>

#include "weld.h"
#include "exec/exec.h"
#include "wasi/wasi.h"
#include "api_int.h"

struct weld_wasi {
  wasi_options opts;
  wasi_ctx *ctx;
};


/* Feeds one flag and its value through the same parser `weld run` uses. */
static bool option(wasi_options *o, const char *flag, const char *value, util_error *err) {
  char *argv[3] = {(char *)"weld", (char *)flag, (char *)value};
  int i = 1;
  int r = wasi_options_parse(o, value ? 3 : 2, argv, &i, err);
  if (r == 0) return util_fail(err, UTIL_ERR_USAGE, -1, "%s: not a WASI option", flag);
  return r > 0;
}

weld_wasi *weld_wasi_new(const weld_wasi_config *cfg, weld_error **err) {
  util_error e;
  util_error_clear(&e);
  weld_wasi *w = util_try_calloc(1, sizeof *w);
  if (!w) {
    util_fail(&e, UTIL_ERR_OOM, -1, "out of memory");
    if (err) *err = api_error_from(&e);
    return NULL;
  }
  wasi_options_init(&w->opts);
  bool ok = true;
  if (cfg) {
    if (ok && cfg->policy_file) ok = option(&w->opts, "--policy", cfg->policy_file, &e);
    if (ok && cfg->profile) ok = option(&w->opts, "--profile", cfg->profile, &e);
    for (size_t i = 0; ok && i < cfg->ndirs; i++) ok = option(&w->opts, "--dir", cfg->dirs[i], &e);
    for (size_t i = 0; ok && i < cfg->nenv; i++) ok = option(&w->opts, "--env", cfg->env[i], &e);
    if (ok && cfg->log_denials) ok = option(&w->opts, "--log-denials", NULL, &e);
  }
  if (ok) ok = wasi_options_finish(&w->opts, &e);
  if (ok) {
    static char *no_args[] = {(char *)"module", NULL};
    wasi_config wc = {.argc = 1, .argv = no_args, .log_denials = w->opts.log_denials};
    if (cfg && cfg->argc) {
      wc.argc = (int)cfg->argc;
      wc.argv = (char **)cfg->argv;
    }
    w->ctx = wasi_ctx_new(&w->opts.pol, &wc, &e);
    ok = w->ctx != NULL;
  }
  if (!ok) {
    if (err) *err = api_error_from(&e);
    weld_wasi_free(w);
    return NULL;
  }
  return w;
}

void weld_wasi_free(weld_wasi *w) {
  if (!w) return;
  wasi_ctx_free(w->ctx);
  wasi_options_free(&w->opts);
  free(w);
}

long weld_wasi_imports(weld_wasi *w, weld_store *s, const weld_module *m, weld_import *out,
                       weld_error **err) {
  /* weld_module and weld_store are the runtime's own objects (src/api/README.md) */
  const wasm_module *wm = ((const exec_module *)m)->wasm;
  util_error e;
  util_error_clear(&e);
  exec_func **funcs = util_try_calloc(wm->nimports + 1, sizeof *funcs);
  long n = funcs ? wasi_resolve_imports(w->ctx, (exec_store *)s, wm, funcs, &e)
                 : (util_fail(&e, UTIL_ERR_OOM, -1, "out of memory"), -1);
  if (n < 0) {
    if (err) *err = api_error_from(&e);
  } else {
    n = 0;
    for (uint32_t i = 0; i < wm->nimports; i++) {
      if (!funcs[i]) continue;
      out[n++] = (weld_import){wm->imports[i].module.str, wm->imports[i].field.str,
                               {.kind = WELD_EXTERN_FUNC, .of.func = (weld_func *)funcs[i]}};
    }
  }
  free(funcs);
  return n;
}

bool weld_wasi_bind(weld_wasi *w, weld_instance *inst, weld_error **err) {
  util_error e;
  util_error_clear(&e);
  if (wasi_ctx_bind(w->ctx, (exec_instance *)inst, &e)) return true;
  if (err) *err = api_error_from(&e);
  return false;
}
