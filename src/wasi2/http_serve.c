/* wasi2: the wasi:http/proxy server (http_serve.h). libmicrohttpd gathers each request (its
 * target with the query, headers, a body up to SERVE_MAX_BODY) on its own polling thread;
 * the component answers it in a fresh instance; the response goes back whole. */
#include "http_serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "exec/exec.h"
#include "guard/guard.h"
#include "http_curl.h"
#include "wasi/wasi.h"
#include "wasi2.h"

bool w2_serve_handler(const comp_info *info, char *name, size_t cap) {
  static const char prefix[] = "wasi:http/incoming-handler@0.2.";
  for (uint32_t i = 0; i < info->nexports; i++) {
    const comp_extern *e = &info->exports[i];
    if (!e->name || e->kind != COMP_EXT_INSTANCE) continue;
    if (strncmp(e->name->name.str, prefix, sizeof prefix - 1) != 0) continue;
    return (size_t)snprintf(name, cap, "%s#handle", e->name->name.str) < cap;
  }
  return false;
}

#ifndef WELD_HAVE_MHD

bool w2_serve_available(util_error *err) {
  return util_fail(err, UTIL_ERR_USAGE, -1,
                   "not supported: serving HTTP (this weld was built without libmicrohttpd; Debian: libmicrohttpd-dev)");
}

w2_server *w2_serve_start(const w2_serve_config *cfg, int listen_fd, const struct sockaddr_in *addr,
                          util_error *err) {
  (void)cfg, (void)listen_fd, (void)addr;
  util_fail(err, UTIL_ERR_USAGE, -1,
            "not supported: this weld was built without libmicrohttpd (Debian: libmicrohttpd-dev)");
  return NULL;
}

uint16_t w2_serve_port(const w2_server *s) {
  (void)s;
  return 0;
}

void w2_serve_stop(w2_server *s) { (void)s; }

#else
#include <arpa/inet.h>
#include "util/dl_mhd.h"

struct w2_server {
  w2_serve_config cfg;
  struct MHD_Daemon *d;
  uint16_t port;
};

bool w2_serve_available(util_error *err) { return util_dynlib_need(&dl_mhd_lib, "serving HTTP", err); }

/* One request's bytes as they arrive. */
typedef struct upload {
  char *uri; /* the request target as sent: the path and its query */
  bool started;
  uint8_t *body;
  size_t len, cap;
  bool too_big;
} upload;

#define SERVE_MAX_BODY ((size_t)64 << 20)

typedef struct header_list {
  const char **v;
  size_t n, cap;
  bool oom;
  const char *host;
} header_list;

static enum MHD_Result collect_header(void *env, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  header_list *h = env;
  if (strcasecmp(key, "host") == 0) h->host = value;
  const char *pair[2] = {key, value ? value : ""};
  for (int i = 0; i < 2; i++)
    if (!UTIL_VEC_TRY_PUSH(h->v, h->n, h->cap, pair[i])) h->oom = true;
  return MHD_YES;
}

typedef struct request_arm {
  const w2_serve_config *cfg;
  wasi_ctx *ctx;
} request_arm;

/* Each store a request makes: the policy's limits, the deadline, the store WASI's waits
 * wake on, then the caller's hook. */
static bool arm_store(void *env, struct weld_store *store, util_error *err) {
  request_arm *a = env;
  guard_apply((exec_store *)store, &a->cfg->pol->limits);
  if (!guard_deadline_arm((exec_store *)store, a->cfg->pol->limits.timeout_ns, err)) return false;
  wasi_ctx_set_call_store(a->ctx, (exec_store *)store);
  return !a->cfg->on_store || a->cfg->on_store(a->cfg->on_store_env, store, err);
}

static enum MHD_Result reply(struct MHD_Connection *con, unsigned status, const char *text) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "content-type", "text/plain");
  enum MHD_Result ok = MHD_queue_response(con, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* The headers the server itself writes from the response it sends. */
static bool framing(const char *name) {
  return strcasecmp(name, "content-length") == 0 || strcasecmp(name, "transfer-encoding") == 0 ||
         strcasecmp(name, "connection") == 0;
}

/* Runs the handler in a fresh instance on one request and queues its response. */
static enum MHD_Result handle(w2_server *s, struct MHD_Connection *con, const char *method, const char *url,
                              upload *up) {
  const w2_serve_config *cfg = &s->cfg;
  header_list hl = {0};
  MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, &hl);
  const char *full = up->uri ? up->uri : url;
  const char *failure = NULL;
  char why[600] = "";
  util_error err;
  util_error_clear(&err);
  comp_host *host = comp_host_new();
  char *argv0 = (char *)cfg->name;
  wasi_config wc = {.argc = 1, .argv = &argv0, .log_denials = cfg->log_denials, .stdio = cfg->stdio};
  wasi_ctx *wctx = wasi_ctx_new(cfg->pol, &wc, &err);
  wasi2 *w = wctx ? wasi2_new(wctx, &err) : NULL;
  /* the request's own client: its connections end with it (nothing of one request's outgoing
   * traffic is kept for the next, and a proxy between counts each call when it closes) */
  w2_curl *curl = w2_curl_new(NULL); /* none: outgoing requests fail (w2_serve_start said why) */
  comp_inst *inst = NULL;
  util_arena arena;
  util_arena_init(&arena);
  enum MHD_Result ok = MHD_NO;
  if (!host || !w || hl.oom || !full || !wasi2_link(w, host, cfg->info, &err)) {
    failure = err.msg[0] ? err.msg : "out of memory";
    goto done;
  }
  wasi2_http_set_client(w, w2_curl_client(curl));
  request_arm arm = {cfg, wctx};
  comp_host_on_store(host, arm_store, &arm);
  inst = comp_instantiate(cfg->c, cfg->info, host, &err);
  if (!inst) {
    failure = err.msg;
    goto done;
  }
  comp_func *fn = comp_inst_func(inst, cfg->handle_name);
  if (!fn) {
    failure = "the component exports no incoming-handler handle function";
    goto done;
  }
  wasi2_http_in in = {method, "http", hl.host, full, hl.v, hl.n / 2, up->body, up->len};
  comp_val args[2];
  memset(args, 0, sizeof args);
  if (!wasi2_http_incoming(w, &in, args)) {
    failure = "the component does not import wasi:http/types (or out of memory)";
    goto done;
  }
  if (!comp_call(fn, args, NULL, &arena, &err)) {
    snprintf(why, sizeof why, "trap: %s", err.msg);
    failure = why;
    goto done;
  }
  wasi2_http_out out;
  char ec[64] = "";
  int got = wasi2_http_response(w, &out, ec, sizeof ec);
  if (got < 0) {
    failure = "the handler set no response";
    goto done;
  }
  if (got == 0) {
    snprintf(why, sizeof why, "the handler answered with error-code %s", ec);
    failure = why;
    goto done;
  }
  struct MHD_Response *r =
    MHD_create_response_from_buffer(out.body_len, (void *)(out.body ? out.body : (const uint8_t *)""),
                                    MHD_RESPMEM_MUST_COPY);
  if (!r) {
    failure = "out of memory";
    goto done;
  }
  for (size_t i = 0; i < out.nheaders; i++)
    if (!framing(out.headers[2 * i])) MHD_add_response_header(r, out.headers[2 * i], out.headers[2 * i + 1]);
  ok = MHD_queue_response(con, (unsigned)out.status, r);
  MHD_destroy_response(r);
done:
  if (failure) {
    dprintf(cfg->log_fd, "weld: serve: %s %s: %s\n", method, url, failure);
    ok = reply(con, 500, "500 Internal Server Error\n");
  }
  if (wctx) wasi_ctx_set_call_store(wctx, NULL);
  comp_inst_free(inst);
  wasi2_free(w);
  w2_curl_free(curl);
  comp_host_free(host);
  wasi_ctx_free(wctx);
  util_arena_free(&arena);
  free(hl.v);
  if (cfg->on_request_end) cfg->on_request_end(cfg->on_store_env);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **state) {
  (void)version;
  w2_server *s = cls;
  upload *up = *state;
  if (!up) return MHD_NO; /* on_uri could not allocate */
  if (!up->started) {
    up->started = true;
    return MHD_YES;
  }
  if (*size) {
    if (up->len + *size > SERVE_MAX_BODY) up->too_big = true;
    else {
      if (up->len + *size > up->cap) {
        size_t cap = up->cap ? up->cap : 4096;
        while (cap < up->len + *size) cap *= 2;
        uint8_t *nb = realloc(up->body, cap);
        if (!nb) return MHD_NO;
        up->body = nb;
        up->cap = cap;
      }
      memcpy(up->body + up->len, data, *size);
      up->len += *size;
    }
    *size = 0;
    return MHD_YES;
  }
  if (up->too_big) return reply(con, 413, "413 Payload Too Large\n");
  return handle(s, con, method, url, up);
}

static void on_done(void *cls, struct MHD_Connection *con, void **state, enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)con, (void)toe;
  upload *up = *state;
  if (up) {
    free(up->uri);
    free(up->body);
    free(up);
  }
  *state = NULL;
}

/* A request's state, made when its request line arrives: libmicrohttpd hands the access
 * handler the path alone, so the target with its query is kept from here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con) {
  (void)cls, (void)con;
  upload *up = calloc(1, sizeof *up);
  if (up && !(up->uri = strdup(uri))) {
    free(up);
    up = NULL;
  }
  return up;
}

w2_server *w2_serve_start(const w2_serve_config *cfg, int listen_fd, const struct sockaddr_in *addr,
                          util_error *err) {
  if (!w2_serve_available(err)) return NULL;
  /* without libcurl a handler's outgoing requests fail: said once here, not per request */
  bool outgoing = false;
  for (uint32_t i = 0; cfg->info && i < cfg->info->nimports; i++)
    outgoing |= cfg->info->imports[i].name &&
                strncmp(cfg->info->imports[i].name->name.str, "wasi:http/outgoing-handler", 26) == 0;
  util_error cerr;
  util_error_clear(&cerr);
  w2_curl *probe = outgoing ? w2_curl_new(&cerr) : NULL;
  if (outgoing && !probe) fprintf(stderr, "weld: %s: %s (its requests will fail)\n", cfg->name ? cfg->name : "serve", cerr.msg);
  w2_curl_free(probe);
  w2_server *s = calloc(1, sizeof *s);
  if (!s) {
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  s->cfg = *cfg;
  int fd = -1;
  if (listen_fd >= 0 && (fd = dup(listen_fd)) < 0) {
    util_fail(err, UTIL_ERR_IO, -1, "cannot take the listening socket: %s", strerror(errno));
    w2_serve_stop(s);
    return NULL;
  }
  /* MHD_OPTION_LISTEN_SOCKET: the daemon closes the duplicate when it stops */
  if (fd >= 0)
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
  else
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_NOTIFY_COMPLETED,
                            on_done, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
  if (!s->d) {
    if (fd >= 0) close(fd);
    char a[INET_ADDRSTRLEN] = "?";
    if (addr) inet_ntop(AF_INET, &addr->sin_addr, a, sizeof a);
    if (fd >= 0) util_fail(err, UTIL_ERR_IO, -1, "cannot serve on the listening socket");
    else util_fail(err, UTIL_ERR_IO, -1, "cannot listen on %s:%u", a, addr ? ntohs(addr->sin_port) : 0);
    w2_serve_stop(s);
    return NULL;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  s->port = di ? di->port : addr ? ntohs(addr->sin_port) : 0;
  return s;
}

uint16_t w2_serve_port(const w2_server *s) { return s->port; }

void w2_serve_stop(w2_server *s) {
  if (!s) return;
  if (s->d) MHD_stop_daemon(s->d);
  free(s);
}

#endif
