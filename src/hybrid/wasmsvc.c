/* WebAssembly services: inside the supervisor process, each instance on its own thread in
 * its own store, every instance of a service sharing one compiled module. The policy and
 * limits are built as `weld run` builds them (src/wasi's options: the policy file, the
 * environment, then the manifest's max_memory, fuel and timeout over the policy's limits;
 * src/guard applies them to the store). A service with `listen` gets a loopback listening
 * socket, opened by the executor and handed in after the preopens as --tcplisten does;
 * the instances accept on it together. Standard output goes to the log or the next
 * service of a pipeline, standard error to the log.
 *
 * A component service (`component = "..."`) is decoded and validated once. A wasi:cli/run
 * command is instantiated per instance with WASI 0.2 (src/wasi2) over the same wasi_ctx,
 * policy and limits; it cannot take the executor's listening socket (a component opens its
 * own through wasi:sockets, under the policy's [net] grants). A wasi:http/incoming-handler
 * component (the wasi:http/proxy world) is served on its `listen` port by src/wasi2's
 * server, each request in a fresh instance under the policy and limits.
 *
 * Stopping interrupts each store (weld_store_interrupt: a call blocked in sock_accept or a
 * read wakes at once) and joins the thread. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "component/runtime.h"
#include "exec/exec.h"
#include "exec_int.h"
#include "guard/guard.h"
#include "text/text.h"
#include "wasi/wasi.h"
#include "wasi2/http_serve.h"
#include "wasi2/wasi2.h"
#include "weld.h"

/* what a service's instances share */
typedef struct wasm_shared {
  wasi_options opt; /* opt.pol: the policy every instance runs under */
  char path[PATH_MAX];
  comp_component *comp; /* a component service: decoded and validated once */
  comp_info *cinfo;
  char run_name[256]; /* its wasi:cli/run export */
  char handle_name[256]; /* or its wasi:http/incoming-handler export (an HTTP service) */
} wasm_shared;

/* Decodes and validates a component service (binary or text) and finds its wasi:cli/run. */
static bool prepare_component(hy_svc *s, wasm_shared *sh, const uint8_t *bytes, size_t len, util_error *err) {
  uint8_t *bin = NULL;
  size_t n = len;
  util_error e;
  util_error_clear(&e);
  if (!text_is_binary(bytes, len)) {
    if (!text_component_to_binary((const char *)bytes, len, &bin, &n, &e))
      return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': %s: %s", s->ms->name, sh->path, e.msg);
    bytes = bin;
  }
  sh->comp = comp_decode(bytes, n, &e);
  free(bin);
  if (!sh->comp || !comp_validate(sh->comp, &sh->cinfo, &e))
    return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': %s: %s", s->ms->name, sh->path, e.msg);
  if (wasi2_run_export(sh->cinfo, sh->run_name, sizeof sh->run_name)) {
    if (s->ms->wasm.listen)
      return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': not supported: `listen` for a wasi:cli/run component (it opens "
                       "its own socket with wasi:sockets; grant the address in its policy's [net] listen)", s->ms->name);
  } else if (w2_serve_handler(sh->cinfo, sh->handle_name, sizeof sh->handle_name)) {
    if (!s->ms->wasm.listen)
      return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': %s: a wasi:http/incoming-handler component needs `listen` "
                       "(the port weld serves it on)", s->ms->name, sh->path);
    util_error aerr;
    util_error_clear(&aerr);
    if (!w2_serve_available(&aerr)) return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': %s", s->ms->name, aerr.msg);
  } else {
    return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': %s: the component exports neither wasi:cli/run nor "
                     "wasi:http/incoming-handler", s->ms->name, sh->path);
  }
  return true;
}

static bool opt_add(wasi_options *o, const char *flag, const char *value, util_error *err) {
  char *av[3] = {(char *)flag, (char *)value, NULL};
  int i = 0;
  int r = wasi_options_parse(o, value ? 2 : 1, av, &i, err);
  return r > 0 || (r == 0 && util_fail(err, UTIL_ERR_USAGE, -1, "%s: not a WASI option", flag));
}

bool hy_wasm_prepare(hy_svc *s, util_error *err) {
  const manifest_wasm *w = &s->ms->wasm;
  const char *file = w->module ? w->module : w->component;
  bool is_comp = w->component || w->package;
  if (w->package && !s->app->fetch_package)
    return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': not supported: a package reference here (name a module or a "
                     "component file)", s->ms->name);
  wasm_shared *sh = calloc(1, sizeof *sh);
  if (!sh) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  s->module = NULL;
  wasi_options_init(&sh->opt);
  if (w->package) {
    /* fetched and composed once, into the state directory: <dir>/packages/<service>.wasm */
    char pdir[PATH_MAX];
    snprintf(pdir, sizeof pdir, "%s/packages", s->app->dir);
    if (mkdir(pdir, 0755) != 0 && errno != EEXIST) {
      free(sh);
      return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", pdir, strerror(errno));
    }
    snprintf(sh->path, sizeof sh->path, "%s/%s.wasm", pdir, s->ms->name);
    util_error e;
    util_error_clear(&e);
    if (!s->app->fetch_package(w->package, sh->path, &e)) {
      free(sh);
      return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': package %s: %s", s->ms->name, w->package, e.msg);
    }
    hy_log(s->app, "%s: package %s fetched and composed into %s", s->ms->name, w->package, sh->path);
  } else {
    snprintf(sh->path, sizeof sh->path, "%s%s%s", file[0] == '/' ? "" : s->app->base, file[0] == '/' ? "" : "/", file);
  }
  bool ok = true;
  char pol[PATH_MAX];
  if (w->policy) {
    snprintf(pol, sizeof pol, "%s%s%s", w->policy[0] == '/' ? "" : s->app->base, w->policy[0] == '/' ? "" : "/", w->policy);
    ok = opt_add(&sh->opt, "--policy", pol, err);
  }
  for (size_t i = 0; ok && i < w->nenv; i++) {
    char *kv = NULL;
    if (asprintf(&kv, "%s=%s", w->env[i].name, w->env[i].value) < 0) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    else ok = opt_add(&sh->opt, "--env", kv, err);
    free(kv);
  }
  /* the addresses of the services it may call: a component's calls go through a route of
   * the proxy (counted in weld diag) on a loopback port its policy is granted to connect to */
  uint32_t *via = calloc(s->app->nedges + 1, sizeof *via);
  if (!via) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; ok && i < s->app->nedges; i++) {
    hy_edge *e = &s->app->edges[i];
    hy_svc *t = &s->app->svcs[e->to];
    if (e->from != (int)s->index || e->kind == PLAN_PIPE || !t->port) continue;
    uint32_t port = t->port;
    if (is_comp && !e->unsupported) {
      port = 0;
      int fd = hy_listen(-1, &port, err);
      ok = fd >= 0 && hy_route_add(s->app, s, fd, t, t->port, e->kind == PLAN_HTTP, &e->stats, err);
      if (!ok) break;
      via[i] = port;
      hy_log(s->app, "%s: its calls to %s go through 127.0.0.1:%u", s->ms->name, t->ms->name, port);
    }
    char var[300], *kv = NULL;
    hy_addr_var(t->ms->name, var, sizeof var);
    if (asprintf(&kv, "%s=127.0.0.1:%u", var, port) < 0) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    else ok = opt_add(&sh->opt, "--env", kv, err);
    free(kv);
  }
  if (ok) ok = wasi_options_finish(&sh->opt, err);
  for (size_t i = 0; ok && i < s->app->nedges; i++) {
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", via[i]);
    if (via[i]) ok = policy_add_net(&sh->opt.pol, addr, POLICY_NET_CONNECT, err);
  }
  free(via);
  if (ok) {
    policy_limits *l = &sh->opt.pol.limits;
    if (w->max_memory) l->memory_bytes = w->max_memory;
    if (w->fuel) l->fuel = w->fuel;
    if (w->timeout_ns) l->timeout_ns = w->timeout_ns;
  }
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (ok) ok = util_read_file(sh->path, &bytes, &len, err);
  if (ok && is_comp) {
    ok = prepare_component(s, sh, bytes, len, err);
  } else if (ok) {
    weld_error *we = NULL;
    s->module = weld_module_new((weld_engine *)s->app->engine, bytes, len, &we);
    if (!s->module) {
      ok = util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': %s: %s", s->ms->name, sh->path, weld_error_message(we));
      weld_error_free(we);
    }
  }
  free(bytes);
  if (ok && w->listen) {
    uint32_t port = w->listen;
    s->listen_fd = hy_listen(-1, &port, err);
    if (s->listen_fd < 0) ok = false;
  }
  if (ok) {
    s->ninst = w->instances ? w->instances : 1;
    s->inst = calloc(s->ninst, sizeof *s->inst);
    if (!s->inst) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    for (uint32_t k = 0; ok && k < s->ninst; k++)
      s->inst[k] = (hy_inst){.svc = s, .index = (int)k, .mu = &s->mu, .exit_code = -1};
  }
  s->wasm_shared = sh;
  return ok;
}

typedef struct comp_arm {
  hy_inst *in;
  const policy *pol;
  wasi_ctx *ctx;
} comp_arm;

/* Each store the component makes: the guard's limits and deadline, the store WASI waits
 * wake on, and the one weld down interrupts. */
static bool comp_store(void *env, struct weld_store *store, util_error *err) {
  comp_arm *a = env;
  guard_apply((exec_store *)store, &a->pol->limits);
  if (!guard_deadline_arm((exec_store *)store, a->pol->limits.timeout_ns, err)) return false;
  wasi_ctx_set_call_store(a->ctx, (exec_store *)store);
  pthread_mutex_lock(a->in->mu);
  bool go = !a->in->svc->app->stopping;
  if (go) a->in->store = store;
  pthread_mutex_unlock(a->in->mu);
  return go || util_fail(err, UTIL_ERR_USAGE, -1, "stopped");
}

/* A component instance: wasi:cli/run's run() over WASI 0.2. */
static void run_component(hy_inst *in, wasi_ctx *ctx) {
  wasm_shared *sh = in->svc->wasm_shared;
  util_error err;
  util_error_clear(&err);
  comp_host *host = comp_host_new();
  wasi2 *w2 = NULL;
  comp_inst *inst = NULL;
  if (!host || !(w2 = wasi2_new(ctx, &err)) || !wasi2_link(w2, host, sh->cinfo, &err)) {
    snprintf(in->why, sizeof in->why, "%s", err.kind ? err.msg : "out of memory");
    goto out;
  }
  comp_arm arm = {in, &sh->opt.pol, ctx};
  comp_host_on_store(host, comp_store, &arm);
  inst = comp_instantiate(sh->comp, sh->cinfo, host, &err);
  comp_func *f = inst ? comp_inst_func(inst, sh->run_name) : NULL;
  int code;
  if (inst && !f) {
    snprintf(in->why, sizeof in->why, "its wasi:cli/run export has no function `run`");
  } else if (inst) {
    util_arena arena;
    util_arena_init(&arena);
    comp_val result;
    memset(&result, 0, sizeof result);
    if (comp_call(f, NULL, &result, &arena, &err)) in->exit_code = result.u.var.disc == 0 ? 0 : 1;
    util_arena_free(&arena);
  }
  if (err.kind == UTIL_ERR_TRAP && wasi2_exited(w2, &code)) {
    in->exit_code = code;
  } else if (err.kind != UTIL_ERR_NONE) {
    bool stopped = in->svc->app->stopping;
    in->exit_code = stopped ? 0 : err.kind == UTIL_ERR_TRAP ? 134 : 1;
    snprintf(in->why, sizeof in->why, stopped ? "stopped" : err.kind == UTIL_ERR_TRAP ? "trap: %s" : "%s", err.msg);
  }
out:
  pthread_mutex_lock(in->mu);
  in->store = NULL;
  pthread_mutex_unlock(in->mu);
  wasi_ctx_set_call_store(ctx, NULL);
  comp_inst_free(inst);
  wasi2_free(w2);
  comp_host_free(host);
}

/* An HTTP component instance: a server on the service's listening socket (each instance
 * has its own, accepting on the same socket), every request in a fresh component instance,
 * until weld down. The store of the request in flight is the one stopping interrupts. */
static bool http_store(void *env, struct weld_store *store, util_error *err) {
  hy_inst *in = env;
  pthread_mutex_lock(in->mu);
  bool go = !in->svc->app->stopping;
  if (go) in->store = store;
  pthread_mutex_unlock(in->mu);
  return go || util_fail(err, UTIL_ERR_USAGE, -1, "stopped");
}

static void http_request_end(void *env) {
  hy_inst *in = env;
  pthread_mutex_lock(in->mu);
  in->store = NULL;
  pthread_mutex_unlock(in->mu);
}

static void run_http(hy_inst *in, const int stdio[3]) {
  hy_svc *s = in->svc;
  wasm_shared *sh = s->wasm_shared;
  util_error err;
  util_error_clear(&err);
  w2_serve_config cfg = {.name = sh->path, .c = sh->comp, .info = sh->cinfo, .handle_name = sh->handle_name,
                         .pol = &sh->opt.pol, .stdio = stdio, .log_fd = s->log_fd, .on_store = http_store,
                         .on_store_env = in, .on_request_end = http_request_end};
  w2_server *srv = w2_serve_start(&cfg, s->listen_fd, NULL, &err);
  if (!srv) {
    snprintf(in->why, sizeof in->why, "%s", err.msg);
    return;
  }
  for (;;) {
    pthread_mutex_lock(in->mu);
    bool stop = s->app->stopping;
    pthread_mutex_unlock(in->mu);
    if (stop) break;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  w2_serve_stop(srv);
  in->exit_code = 0;
  snprintf(in->why, sizeof in->why, "stopped");
}

/* Runs one instance to its end; the exit code and reason land in `in`. */
static void run_instance(hy_inst *in) {
  hy_svc *s = in->svc;
  wasm_shared *sh = s->wasm_shared;
  const manifest_wasm *w = &s->ms->wasm;
  util_error err;
  util_error_clear(&err);
  /* a component makes its own stores (comp_store arms them) */
  weld_store *store = sh->comp ? NULL : weld_store_new((weld_engine *)s->app->engine);
  wasi_ctx *ctx = NULL;
  exec_func **funcs = NULL;
  weld_import *imps = NULL;
  char **argv = NULL;
  weld_trap *trap = NULL;
  weld_error *werr = NULL;
  in->exit_code = 1;
  if (!store && !sh->comp) {
    snprintf(in->why, sizeof in->why, "cannot allocate a store");
    goto out;
  }
  if (store) guard_apply((exec_store *)store, &sh->opt.pol.limits);
  if (store && !guard_deadline_arm((exec_store *)store, sh->opt.pol.limits.timeout_ns, &err)) {
    snprintf(in->why, sizeof in->why, "%s", err.msg);
    goto out;
  }
  argv = calloc(w->nargs + 2, sizeof *argv);
  if (!argv) goto oom;
  argv[0] = (char *)(w->module ? w->module : w->component ? w->component : w->package);
  for (size_t i = 0; i < w->nargs; i++) argv[i + 1] = (char *)w->args[i];
  int stdio[3] = {s->stdin_fd >= 0 ? s->stdin_fd : s->app->null_fd, s->stdout_fd >= 0 ? s->stdout_fd : s->log_fd,
                  s->log_fd};
  wasi_config wc = {.argc = (int)w->nargs + 1, .argv = argv, .sockets = &s->listen_fd,
                    .nsockets = s->listen_fd >= 0 ? 1 : 0, .stdio = stdio};
  if (!(ctx = wasi_ctx_new(&sh->opt.pol, &wc, &err))) {
    snprintf(in->why, sizeof in->why, "%s", err.msg);
    goto out;
  }
  if (sh->comp && sh->handle_name[0]) {
    run_http(in, stdio);
    goto out;
  }
  if (sh->comp) {
    run_component(in, ctx);
    goto out;
  }
  const exec_module *em = (const exec_module *)s->module;
  const wasm_module *wm = em->wasm;
  funcs = calloc(wm->nimports + 1, sizeof *funcs);
  imps = calloc(wm->nimports + 1, sizeof *imps);
  if (!funcs || !imps) goto oom;
  if (wasi_resolve_imports(ctx, (exec_store *)store, wm, funcs, &err) < 0) {
    snprintf(in->why, sizeof in->why, "%s", err.msg);
    goto out;
  }
  size_t n = 0;
  for (uint32_t i = 0; i < wm->nimports; i++)
    if (funcs[i])
      imps[n++] = (weld_import){wm->imports[i].module.str, wm->imports[i].field.str,
                                {.kind = WELD_EXTERN_FUNC, .of.func = (weld_func *)funcs[i]}};
  weld_instance *inst = weld_instance_new(store, s->module, imps, n, &trap, &werr);
  if (!inst) {
    if (!trap) snprintf(in->why, sizeof in->why, "%s", weld_error_message(werr));
    goto out;
  }
  if (n && !wasi_ctx_bind(ctx, (exec_instance *)inst, &err)) {
    snprintf(in->why, sizeof in->why, "%s", err.msg);
    goto out;
  }
  weld_func *f = weld_instance_func(inst, "_start");
  if (!f) {
    in->exit_code = 0; /* instantiating was the run */
    goto out;
  }
  pthread_mutex_lock(in->mu);
  bool go = !s->app->stopping;
  if (go) in->store = store;
  pthread_mutex_unlock(in->mu);
  if (go) trap = weld_func_call(f, NULL, 0, NULL, 0);
  pthread_mutex_lock(in->mu);
  in->store = NULL;
  pthread_mutex_unlock(in->mu);
  if (!go) in->exit_code = 0, snprintf(in->why, sizeof in->why, "stopped");
  else if (!trap) in->exit_code = 0;
  goto out;
oom:
  snprintf(in->why, sizeof in->why, "out of memory");
out:
  if (trap) {
    if (weld_trap_get_kind(trap) == WELD_TRAP_EXIT) {
      in->exit_code = weld_trap_exit_code(trap);
    } else {
      in->exit_code = 134;
      snprintf(in->why, sizeof in->why, "trap: %s", weld_trap_message(trap));
    }
    weld_trap_free(trap);
  }
  if (werr) weld_error_free(werr);
  weld_store_free(store);
  wasi_ctx_free(ctx);
  free(funcs);
  free(imps);
  free(argv);
}

static void *instance_thread(void *arg) {
  hy_inst *in = arg;
  in->why[0] = 0;
  run_instance(in);
  pthread_mutex_lock(in->mu);
  in->done = true;
  pthread_mutex_unlock(in->mu);
  uint64_t one = 1;
  if (write(in->svc->app->wake_fd, &one, sizeof one) < 0) { /* the main loop polls anyway */
  }
  return NULL;
}

bool hy_wasm_start(hy_svc *s, uint32_t k, util_error *err) {
  hy_inst *in = &s->inst[k];
  in->done = false;
  in->exit_code = -1;
  if (pthread_create(&in->thread, NULL, instance_thread, in) != 0)
    return util_fail(err, UTIL_ERR_IO, -1, "service '%s': cannot start a thread", s->ms->name);
  in->started = true;
  return true;
}

void hy_wasm_stop(hy_svc *s) {
  for (uint32_t k = 0; k < s->ninst; k++) {
    hy_inst *in = &s->inst[k];
    pthread_mutex_lock(&s->mu);
    if (in->store) weld_store_interrupt(in->store);
    pthread_mutex_unlock(&s->mu);
  }
  for (uint32_t k = 0; k < s->ninst; k++)
    if (s->inst[k].started) {
      pthread_join(s->inst[k].thread, NULL);
      s->inst[k].started = false;
    }
}

void hy_wasm_release(hy_svc *s) {
  if (s->listen_fd >= 0) close(s->listen_fd);
  s->listen_fd = -1;
  if (s->module) weld_module_free(s->module);
  s->module = NULL;
  wasm_shared *sh = s->wasm_shared;
  if (sh) {
    comp_info_free(sh->cinfo);
    if (sh->comp) comp_free(sh->comp);
    wasi_options_free(&sh->opt);
    free(sh);
  }
  s->wasm_shared = NULL;
  free(s->inst);
  s->inst = NULL;
  s->ninst = 0;
}
