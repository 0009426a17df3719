/* wasi2: WASI 0.2 host interfaces (wasi:cli, wasi:io, wasi:clocks, wasi:random,
 * wasi:filesystem) for component instances (src/component), answered through the preview1
 * context of src/wasi: the same sandbox, policy decisions, byte limits and denial log.
 * See README.md. Depends on src/component, src/wasi, src/policy, src/util. */
#ifndef WELD_WASI2_H
#define WELD_WASI2_H

#include <stdbool.h>

#include "../component/runtime.h"
#include "../wasi/wasi.h"

typedef struct wasi2 wasi2;

/* A WASI 0.2 host over a preview1 context (borrowed: it must outlive the host). NULL with
 * an OOM error when out of memory. */
wasi2 *wasi2_new(wasi_ctx *ctx, util_error *err);
void wasi2_free(wasi2 *w);

/* Registers, in `host`, the functions and resources of every WASI 0.2 interface
 * (`wasi:NS/NAME@0.2.x`) the component imports (info from comp_validate) that wasi2
 * implements. Interfaces and functions it does not implement are left out: instantiating
 * then fails with "not supported: ...". False only when out of memory. */
bool wasi2_link(wasi2 *w, comp_host *host, const comp_info *info, util_error *err);

/* The name of the component's `wasi:cli/run@0.2.x` export (`wasi:cli/run@0.2.N#run`, for
 * comp_inst_func) into buf; false when it exports none. */
bool wasi2_run_export(const comp_info *info, char *buf, size_t n);

/* After a call that trapped: true when the trap was the guest's wasi:cli/exit (*code: its
 * status), false otherwise. */
bool wasi2_exited(const wasi2 *w, int *code);

/* ---------- wasi:http (http.c) ------------------------------------------------------------ */

/* An outgoing request as the HTTP client sees it: every string NUL-terminated. */
typedef struct wasi2_http_req {
  const char *method;            /* "GET", ... */
  const char *url;               /* scheme://authority/path?query */
  const char *const *headers;    /* "name: value" lines */
  size_t nheaders;
  const uint8_t *body;
  size_t body_len;
  uint64_t connect_timeout_ns, first_byte_timeout_ns, between_bytes_timeout_ns; /* 0: none */
} wasi2_http_req;

/* One transfer in flight; the client reports on it through wasi2_http_got_*. */
typedef struct wasi2_http_xfer wasi2_http_xfer;

/* The client that performs outgoing requests (src/wasi2/http_curl.c with libcurl; the
 * library itself links none). */
typedef struct wasi2_http_client {
  /* Starts a transfer; its handle, or NULL with a message when it cannot start. */
  void *(*start)(void *env, wasi2_http_xfer *x, const wasi2_http_req *r, char *msg, size_t nmsg);
  /* Moves every transfer on without waiting, reporting what happened. */
  void (*step)(void *env);
  /* Ends a transfer (its handle); no report follows. */
  void (*cancel)(void *env, void *handle);
  void *env;
} wasi2_http_client;

/* The client outgoing-handler.handle uses (borrowed); without one, it answers
 * internal-error "not supported". */
void wasi2_http_set_client(wasi2 *w, const wasi2_http_client *c);

/* What a client reports: the status, each header (the status comes first and a new
 * status drops the headers before it), the end of the head, body bytes, and the end:
 * error < 0 a success, else a wasi:http error-code case (WASI2_HTTP_E_*) with a message. */
void wasi2_http_got_status(wasi2_http_xfer *x, uint16_t status);
bool wasi2_http_got_header(wasi2_http_xfer *x, const char *name, size_t nlen, const char *val, size_t vlen);
void wasi2_http_got_head(wasi2_http_xfer *x);
bool wasi2_http_got_data(wasi2_http_xfer *x, const void *p, size_t n);
void wasi2_http_got_end(wasi2_http_xfer *x, int error, const char *msg);
enum {
  WASI2_HTTP_E_DNS_ERROR = 1, WASI2_HTTP_E_DEST_UNAVAILABLE = 3, WASI2_HTTP_E_CONN_REFUSED = 6,
  WASI2_HTTP_E_CONN_TERMINATED = 7, WASI2_HTTP_E_CONN_TIMEOUT = 8, WASI2_HTTP_E_TLS_PROTOCOL = 12,
  WASI2_HTTP_E_TLS_CERTIFICATE = 13, WASI2_HTTP_E_DENIED = 15, WASI2_HTTP_E_URI_INVALID = 19,
  WASI2_HTTP_E_RESPONSE_INCOMPLETE = 25, WASI2_HTTP_E_RESPONSE_TIMEOUT = 33, WASI2_HTTP_E_PROTOCOL = 35,
  WASI2_HTTP_E_INTERNAL = 38,
};

/* An incoming request for wasi:http/incoming-handler.handle: args[0] (the incoming-request)
 * and args[1] (the response-outparam) become handles of w. Header names and values are
 * taken as given (pairs in headers[0..2n)); false when out of memory. */
typedef struct wasi2_http_in {
  const char *method, *scheme, *authority, *path_with_query;
  const char *const *headers;    /* name, value, name, value, ... */
  size_t nheaders;
  const uint8_t *body;
  size_t body_len;
} wasi2_http_in;
bool wasi2_http_incoming(wasi2 *w, const wasi2_http_in *in, comp_val args[2]);

/* After the handler returned: the response it set. 1: a response (status, headers as
 * name/value pairs, body: all it wrote; valid until wasi2_free), 0: it set an error-code
 * (its name in *why), -1: it set nothing. */
typedef struct wasi2_http_out {
  uint16_t status;
  const char *const *headers;    /* name, value, ... (values may hold any byte but NUL) */
  size_t nheaders;
  const uint8_t *body;
  size_t body_len;
} wasi2_http_out;
int wasi2_http_response(wasi2 *w, wasi2_http_out *out, char *why, size_t nwhy);

#endif
