/* The embedding API for components (include/weld.h, "components"): lifetimes and error
 * reporting over src/component's runtime (decode, validate, instantiate, call) and its
 * conversions of values (src/component/embed.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "component/component.h"
#include "component/runtime.h"
#include "text/text.h"
#include "weld.h"

struct weld_component {
  comp_component *c;
  comp_info *info;
};

typedef struct host_fn {
  weld_component_host_fn fn;
  void *env;
  struct host_fn *next;
} host_fn;

typedef struct host_drop {
  void (*drop)(void *env, uint32_t rep);
  void *env;
  struct host_drop *next;
} host_drop;

struct weld_component_linker {
  comp_host *host;
  host_fn *fns;                  /* the adapters' environments, freed with the linker */
  host_drop *drops;
  weld_component_store_fn on_store;
  void *store_env;
};

struct weld_component_func {
  comp_func *f;
  weld_component_instance *inst;
  weld_component_func *next;
};

struct weld_component_instance {
  comp_inst *inst;
  util_arena results;            /* the last call's result */
  weld_component_func *funcs;    /* handed out, freed with the instance */
};

static bool set_err(weld_error **err, util_err_kind kind, const char *msg) {
  if (err) {
    util_error e;
    util_error_clear(&e);
    util_fail(&e, kind, -1, "%s", msg);
    *err = api_error_from(&e);
  }
  return false;
}

static void put_err(weld_error **err, const util_error *e) {
  if (err) *err = api_error_from(e);
}

/* ---------- components ---------------------------------------------------------------- */

weld_component *weld_component_new(const uint8_t *bytes, size_t len, weld_error **err) {
  if (err) *err = NULL;
  if (!bytes && len) {
    set_err(err, UTIL_ERR_USAGE, "weld_component_new: no bytes");
    return NULL;
  }
  util_error e;
  util_error_clear(&e);
  uint8_t *bin = NULL;
  size_t n = len;
  if (!text_is_binary(bytes, len)) {
    if (!text_component_to_binary((const char *)bytes, len, &bin, &n, &e)) {
      put_err(err, &e);
      return NULL;
    }
    bytes = bin;
  }
  weld_component *c = calloc(1, sizeof *c);
  if (!c) {
    free(bin);
    set_err(err, UTIL_ERR_OOM, "out of memory");
    return NULL;
  }
  c->c = comp_decode(bytes, n, &e);
  free(bin);
  if (!c->c || !comp_validate(c->c, &c->info, &e)) {
    put_err(err, &e);
    weld_component_free(c);
    return NULL;
  }
  return c;
}

void weld_component_free(weld_component *c) {
  if (!c) return;
  comp_info_free(c->info);
  if (c->c) comp_free(c->c);
  free(c);
}

size_t weld_component_export_count(const weld_component *c) { return c && c->info ? c->info->nexports : 0; }
size_t weld_component_import_count(const weld_component *c) { return c && c->info ? c->info->nimports : 0; }

static const char *extern_name(const comp_extern *v, uint32_t n, size_t i) {
  return i < n && v[i].name ? v[i].name->name.str : NULL;
}
const char *weld_component_export_name(const weld_component *c, size_t i) {
  return c && c->info ? extern_name(c->info->exports, c->info->nexports, i) : NULL;
}
const char *weld_component_import_name(const weld_component *c, size_t i) {
  return c && c->info ? extern_name(c->info->imports, c->info->nimports, i) : NULL;
}

/* ---------- the linker ------------------------------------------------------------------ */

weld_component_linker *weld_component_linker_new(void) {
  weld_component_linker *l = calloc(1, sizeof *l);
  if (l && !(l->host = comp_host_new())) {
    free(l);
    return NULL;
  }
  return l;
}

void weld_component_linker_free(weld_component_linker *l) {
  if (!l) return;
  comp_host_free(l->host);
  while (l->fns) {
    host_fn *next = l->fns->next;
    free(l->fns);
    l->fns = next;
  }
  while (l->drops) {
    host_drop *next = l->drops->next;
    free(l->drops);
    l->drops = next;
  }
  free(l);
}

void *weld_component_scratch_alloc(weld_component_scratch *s, size_t n) {
  return s ? util_arena_try_alloc((util_arena *)s, n ? n : 1) : NULL;
}

/* A host function behind comp_host: arguments out as public values, the result back in,
 * checked against the function's type. */
static const char *call_host(void *env, const comp_ctype *ft, const comp_val *args, comp_val *result, util_arena *arena) {
  host_fn *h = env;
  uint32_t n = comp_functype_nparams(ft);
  weld_cval *pub = util_arena_try_alloc(arena, (n ? n : 1) * sizeof *pub);
  if (!pub) return "out of memory";
  for (uint32_t i = 0; i < n; i++)
    if (!comp_val_to_public(comp_functype_param(ft, i), &args[i], arena, &pub[i])) return "out of memory";
  weld_cval out;
  memset(&out, 0, sizeof out);
  const char *trap = h->fn(h->env, pub, n, &out, (weld_component_scratch *)arena);
  if (trap) {
    char *copy = util_arena_try_strndup(arena, trap, strlen(trap));
    return copy ? copy : "out of memory";
  }
  const comp_ctype *rt = comp_functype_result(ft);
  if (!rt) return NULL;
  char why[300];
  if (comp_val_from_public(rt, &out, arena, result, "the host function's result", why, sizeof why)) return NULL;
  char *msg = util_arena_try_strndup(arena, why, strlen(why));
  return msg ? msg : "out of memory";
}

bool weld_component_linker_define_func(weld_component_linker *l, const char *iface, const char *name,
                                       weld_component_host_fn fn, void *env) {
  if (!l || !name || !fn) return false;
  host_fn *h = calloc(1, sizeof *h);
  if (!h) return false;
  *h = (host_fn){fn, env, l->fns};
  l->fns = h;
  return comp_host_func(l->host, iface, name, call_host, h);
}

static void call_drop(void *env, uint32_t rep) {
  host_drop *d = env;
  if (d->drop) d->drop(d->env, rep);
}

weld_component_resource *weld_component_linker_define_resource(weld_component_linker *l, const char *iface,
                                                               const char *name, void (*drop)(void *env, uint32_t rep),
                                                               void *env) {
  if (!l || !iface || !name) return NULL;
  host_drop *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  *d = (host_drop){drop, env, l->drops};
  l->drops = d;
  return (weld_component_resource *)comp_host_resource(l->host, iface, name, NULL, call_drop, d);
}

static bool store_hook(void *env, struct weld_store *store, util_error *err) {
  (void)err;
  const weld_component_linker *l = env;
  l->on_store(l->store_env, store);
  return true;
}

void weld_component_linker_on_store(weld_component_linker *l, weld_component_store_fn fn, void *env) {
  if (!l) return;
  l->on_store = fn;
  l->store_env = env;
  comp_host_on_store(l->host, fn ? store_hook : NULL, l);
}

/* ---------- instances and calls -------------------------------------------------------- */

weld_component_instance *weld_component_instantiate(const weld_component *c, const weld_component_linker *l,
                                                    weld_error **err) {
  if (err) *err = NULL;
  if (!c) {
    set_err(err, UTIL_ERR_USAGE, "weld_component_instantiate: no component");
    return NULL;
  }
  weld_component_instance *in = calloc(1, sizeof *in);
  if (!in) {
    set_err(err, UTIL_ERR_OOM, "out of memory");
    return NULL;
  }
  util_arena_init(&in->results);
  util_error e;
  util_error_clear(&e);
  in->inst = comp_instantiate(c->c, c->info, l ? l->host : NULL, &e);
  if (!in->inst) {
    put_err(err, &e);
    weld_component_instance_free(in);
    return NULL;
  }
  return in;
}

void weld_component_instance_free(weld_component_instance *in) {
  if (!in) return;
  if (in->inst) comp_inst_free(in->inst);
  util_arena_free(&in->results);
  while (in->funcs) {
    weld_component_func *next = in->funcs->next;
    free(in->funcs);
    in->funcs = next;
  }
  free(in);
}

weld_component_func *weld_component_instance_func(weld_component_instance *in, const char *name) {
  if (!in || !name) return NULL;
  comp_func *f = comp_inst_func(in->inst, name);
  if (!f) return NULL;
  for (weld_component_func *w = in->funcs; w; w = w->next)
    if (w->f == f) return w;
  weld_component_func *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  *w = (weld_component_func){f, in, in->funcs};
  in->funcs = w;
  return w;
}

size_t weld_component_func_param_count(const weld_component_func *f) {
  return f ? comp_functype_nparams(comp_func_type(f->f)) : 0;
}
const char *weld_component_func_param_name(const weld_component_func *f, size_t i) {
  return f && i < UINT32_MAX ? comp_functype_param_name(comp_func_type(f->f), (uint32_t)i) : NULL;
}
weld_ctype_kind weld_component_func_param_kind(const weld_component_func *f, size_t i) {
  if (!f || i >= weld_component_func_param_count(f)) return 0;
  return (weld_ctype_kind)comp_public_kind(comp_functype_param(comp_func_type(f->f), (uint32_t)i));
}
bool weld_component_func_has_result(const weld_component_func *f) {
  return f && comp_functype_result(comp_func_type(f->f)) != NULL;
}
weld_ctype_kind weld_component_func_result_kind(const weld_component_func *f) {
  return f ? (weld_ctype_kind)comp_public_kind(comp_functype_result(comp_func_type(f->f))) : 0;
}

/* The outcome of a runtime call: a trap goes to *trap, anything else to *err. */
static bool call_failed(const util_error *e, weld_trap **trap, weld_error **err) {
  if (e->kind == UTIL_ERR_TRAP) {
    if (trap) *trap = weld_trap_new(e->msg);
  } else {
    put_err(err, e);
  }
  return false;
}

bool weld_component_call(weld_component_func *f, const weld_cval *args, size_t nargs, weld_cval *result,
                         weld_trap **trap, weld_error **err) {
  if (trap) *trap = NULL;
  if (err) *err = NULL;
  if (!f) return set_err(err, UTIL_ERR_USAGE, "weld_component_call: no function");
  const comp_ctype *ft = comp_func_type(f->f);
  uint32_t np = comp_functype_nparams(ft);
  if (nargs != np) {
    char msg[120];
    snprintf(msg, sizeof msg, "weld_component_call: the function takes %u argument(s), %zu given", np, nargs);
    return set_err(err, UTIL_ERR_USAGE, msg);
  }
  weld_component_instance *in = f->inst;
  util_arena_free(&in->results);
  util_arena_init(&in->results);
  util_arena call;
  util_arena_init(&call);
  comp_val *vals = util_arena_try_alloc(&call, (np ? np : 1) * sizeof *vals);
  if (!vals) {
    util_arena_free(&call);
    return set_err(err, UTIL_ERR_OOM, "out of memory");
  }
  for (uint32_t i = 0; i < np; i++) {
    char what[40], why[300];
    snprintf(what, sizeof what, "argument %u", i);
    if (!comp_val_from_public(comp_functype_param(ft, i), &args[i], &call, &vals[i], what, why, sizeof why)) {
      util_arena_free(&call);
      return set_err(err, UTIL_ERR_USAGE, why);
    }
  }
  comp_val out;
  memset(&out, 0, sizeof out);
  util_error e;
  util_error_clear(&e);
  bool ok = comp_call(f->f, vals, &out, &call, &e);
  if (!ok) {
    util_arena_free(&call);
    return call_failed(&e, trap, err);
  }
  const comp_ctype *rt = comp_functype_result(ft);
  if (rt && result && !comp_val_to_public(rt, &out, &in->results, result)) ok = set_err(err, UTIL_ERR_OOM, "out of memory");
  util_arena_free(&call);
  return ok;
}

bool weld_component_call_wave(weld_component_instance *in, const char *call, char **result_text, weld_trap **trap,
                              weld_error **err) {
  if (trap) *trap = NULL;
  if (err) *err = NULL;
  if (result_text) *result_text = NULL;
  if (!in || !call) return set_err(err, UTIL_ERR_USAGE, "weld_component_call_wave: no instance or call");
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (!out) return set_err(err, UTIL_ERR_OOM, "out of memory");
  util_error e;
  util_error_clear(&e);
  bool ok = comp_invoke(in->inst, call, out, &e);
  fclose(out);
  if (!ok) {
    free(text);
    return call_failed(&e, trap, err);
  }
  if (len && text[len - 1] == '\n') text[--len] = 0;
  if (result_text) *result_text = text;
  else free(text);
  return true;
}
