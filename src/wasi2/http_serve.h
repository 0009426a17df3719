/* wasi2: an HTTP server (libmicrohttpd) whose requests are answered by a component's
 * wasi:http/incoming-handler export — the wasi:http/proxy world. Serves `weld serve` and the
 * executor's HTTP component services (src/hybrid/wasmsvc.c); in the weld command's
 * weld_http library beside the libcurl client (libweld links neither).
 *
 * The component is decoded and validated by the caller, once. Each request runs in a fresh
 * instance of it with a fresh wasi_ctx under the given policy: every store it makes gets the
 * policy's limits and a deadline (the `timeout`, per request), and a trap, a handler that sets
 * no response, or an error-code answers 500 with the reason written to the log. */
#ifndef WELD_WASI2_HTTP_SERVE_H
#define WELD_WASI2_HTTP_SERVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "component/runtime.h"
#include "policy/policy.h"

/* True when this weld was built with libmicrohttpd and can open it (it is opened on first
 * use, util/dynlib.h); otherwise false with why in err ("serving HTTP needs
 * libmicrohttpd.so.12: ..." or "not supported: ..."). */
bool w2_serve_available(util_error *err);

/* The `wasi:http/incoming-handler@0.2.x#handle` export of a validated component into
 * name; false when it exports no such interface. */
bool w2_serve_handler(const comp_info *info, char *name, size_t cap);

typedef struct w2_serve_config {
  const char *name;          /* the guest's argv[0], and the log's name for it */
  comp_component *c;         /* decoded and validated; the caller keeps it alive */
  comp_info *info;
  const char *handle_name;   /* from w2_serve_handler */
  const policy *pol;
  bool log_denials;
  const int *stdio;          /* the guest's stdin, stdout, stderr; NULL: the process's */
  int log_fd;                /* where request failures are written (2 for stderr) */
  /* called for each store a request makes, after the limits are armed (the executor keeps
   * the store to interrupt it); false refuses the request with err */
  comp_store_hook on_store;
  void *on_store_env;
  /* called when a request ends (its stores are gone) */
  void (*on_request_end)(void *env);
} w2_serve_config;

typedef struct w2_server w2_server;

/* Starts serving on listen_fd (a bound, listening socket the server takes a duplicate of),
 * or, with listen_fd < 0, on a socket bound to *addr. The config is copied (the strings and
 * the component are not). NULL with err on failure. */
w2_server *w2_serve_start(const w2_serve_config *cfg, int listen_fd, const struct sockaddr_in *addr,
                          util_error *err);
/* The port it listens on. */
uint16_t w2_serve_port(const w2_server *s);
/* Stops accepting, waits for the requests in flight, frees it. NULL is fine. */
void w2_serve_stop(w2_server *s);

#endif
