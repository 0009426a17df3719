/* wasi2: wasi:http/outgoing-handler (a request becomes a transfer of the embedder's HTTP
 * client, once the policy grants its host), the client's reports on a transfer, and the
 * two ends of wasi:http/incoming-handler for a server: the request handed to the guest
 * and the response it set. */
#include <stdio.h>
#include <stdlib.h>

#include "../policy/policy.h"
#include "http_int.h"
#include "http_sigs.h"
#include "sigs.h"

void wasi2_http_set_client(wasi2 *w, const wasi2_http_client *c) {
  struct w2_http *s = h_state(w);
  if (s) s->client = c;
}

/* ---------- transfers ------------------------------------------------------------------ */

void h_xfer_free(hxfer *x) {
  wasi2 *w = x->w;
  if (x->handle && !x->ended && w->http && w->http->client) w->http->client->cancel(w->http->client->env, x->handle);
  if (x->reqbody) {
    if (x->reqbody->waiting == x) x->reqbody->waiting = NULL;
    w2_http_unref(w, &x->reqbody->h);
  }
  if (x->body) { /* held until the response was taken */
    x->body->xfer = NULL;
    w2_http_unref(w, &x->body->h);
  }
  if (x->hdrs) w2_http_unref(w, &x->hdrs->h);
  for (size_t i = 0; i < x->nlines; i++) free(x->lines[i]);
  free(x->lines);
  free(x->method);
  free(x->url);
  free(x->errmsg);
  free(x);
}

void h_xfer_start(hxfer *x) {
  wasi2 *w = x->w;
  const wasi2_http_client *c = w->http ? w->http->client : NULL;
  if (x->started || x->ended) return;
  x->started = true;
  if (!c) {
    wasi2_http_got_end(x, WASI2_HTTP_E_INTERNAL, "not supported: outgoing HTTP requests (no HTTP client: weld was built without libcurl or could not open it)");
    return;
  }
  wasi2_http_req r = {x->method, x->url, (const char *const *)x->lines, x->nlines,
                      x->reqbody ? x->reqbody->buf : NULL, x->reqbody ? x->reqbody->len : 0,
                      x->tmo[0], x->tmo[1], x->tmo[2]};
  char msg[256] = "";
  x->handle = c->start(c->env, x, &r, msg, sizeof msg);
  if (!x->handle) wasi2_http_got_end(x, WASI2_HTTP_E_INTERNAL, msg[0] ? msg : "the HTTP client could not start");
}

void wasi2_http_got_status(wasi2_http_xfer *x, uint16_t status) {
  if (x->head) return;
  x->status = status;
  hfields *f = x->hdrs;
  for (size_t i = 0; f && i < f->n; i++) {
    free(f->v[i].name);
    free(f->v[i].val);
  }
  if (f) f->n = f->bytes = 0;
}

bool wasi2_http_got_header(wasi2_http_xfer *x, const char *name, size_t nlen, const char *val, size_t vlen) {
  if (x->head || !x->hdrs) return true;
  if (!h_fields_add(x->hdrs, name, nlen, (const uint8_t *)val, vlen)) {
    wasi2_http_got_end(x, 26 /* HTTP-response-header-section-size */, NULL);
    return false;
  }
  return true;
}

void wasi2_http_got_head(wasi2_http_xfer *x) { x->head = true; }

bool wasi2_http_got_data(wasi2_http_xfer *x, const void *p, size_t n) {
  x->head = true;
  x->recv += n;
  if (!x->body) return true; /* nobody reads it any more */
  if (!h_body_append(x->body, p, n)) {
    wasi2_http_got_end(x, WASI2_HTTP_E_INTERNAL, "response body beyond what weld holds unread (64 MiB)");
    return false;
  }
  return true;
}

void wasi2_http_got_end(wasi2_http_xfer *x, int error, const char *msg) {
  if (x->ended) return;
  x->ended = true;
  x->err = error;
  if (error >= 0 && msg) x->errmsg = strdup(msg);
  if (x->body && !x->body->ended) {
    x->body->ended = true;
    x->body->err = x->head ? error : -1;
    if (x->head && error >= 0 && msg) x->body->errmsg = strdup(msg);
  }
}

/* ---------- outgoing-handler.handle ----------------------------------------------------- */

/* The method cases; the strings are arrays, so the table needs no relocations at start-up. */
static const char methods[][8] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

/* host and port of an authority (host, host:port, [v6]:port) into host[]; false when
 * malformed. */
static bool split_authority(const char *auth, bool tls, char *host, size_t nhost, uint32_t *port) {
  const char *end = auth + strlen(auth), *colon = NULL;
  if (*auth == '@' || strchr(auth, '@')) return false;
  if (*auth == '[') {
    const char *rb = strchr(auth, ']');
    if (!rb) return false;
    if ((size_t)(rb - auth - 1) >= nhost) return false;
    memcpy(host, auth + 1, (size_t)(rb - auth - 1));
    host[rb - auth - 1] = 0;
    if (rb[1] == ':') colon = rb + 1;
    else if (rb[1]) return false;
  } else {
    colon = strrchr(auth, ':');
    size_t hl = (size_t)((colon ? colon : end) - auth);
    if (hl == 0 || hl >= nhost) return false;
    memcpy(host, auth, hl);
    host[hl] = 0;
  }
  *port = tls ? 443 : 80;
  if (colon) {
    char *e;
    unsigned long p = strtoul(colon + 1, &e, 10);
    if (e == colon + 1 || *e || p == 0 || p > 65535) return false;
    *port = (uint32_t)p;
  }
  return true;
}

static const char *deny(wasi2 *w, comp_val *res, util_arena *a, int c, const char *msg) {
  comp_val *ec = h_error_code(a, c, msg);
  if (!ec) return W2_OOM(w);
  w2_err(res, ec);
  return NULL;
}

static const char *handle_err(wasi2 *w, comp_val *res, util_arena *a, hmsg *m, hopts *o, int c, const char *msg) {
  w2_http_unref(w, &m->h);
  if (o) w2_http_unref(w, &o->h);
  return deny(w, res, a, c, msg);
}

static const char *outgoing_handle(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = h_take(w, W2_R_OUTREQ, args[0].u.h.rep);
  if (!m) return w2_trap(w, "wasi:http/outgoing-handler.handle: not an outgoing-request handle");
  hopts *o = args[1].u.var.disc == 1 ? h_take(w, W2_R_REQOPTS, args[1].u.var.p->u.h.rep) : NULL;
  if (args[1].u.var.disc == 1 && !o) {
    w2_http_unref(w, &m->h);
    return w2_trap(w, "wasi:http/outgoing-handler.handle: not a request-options handle");
  }
  if (m->has_scheme && m->scheme == 2)
    return handle_err(w, res, a, m, o, WASI2_HTTP_E_PROTOCOL, NULL); /* only http and https */
  bool tls = !m->has_scheme || m->scheme == 1;
  char host[256];
  uint32_t port;
  if (!m->authority || !split_authority(m->authority, tls, host, sizeof host, &port))
    return handle_err(w, res, a, m, o, WASI2_HTTP_E_URI_INVALID, NULL);
  if (!policy_net_allowed(wasi_ctx_policy(w->ctx), host, port, POLICY_NET_CONNECT)) {
    char why[320];
    snprintf(why, sizeof why, "network connect to %s:%u not granted", host, port);
    wasi_ctx_deny(w->ctx, "wasi:http/outgoing-handler.handle", m->authority, why);
    return handle_err(w, res, a, m, o, WASI2_HTTP_E_DENIED, NULL);
  }
  hxfer *x = util_try_calloc(1, sizeof *x);
  if (!x) {
    w2_http_unref(w, &m->h);
    if (o) w2_http_unref(w, &o->h);
    return W2_OOM(w);
  }
  x->h = (struct w2_h){H_XFER, 1};
  x->w = w;
  x->err = -1;
  const char *path = m->path ? m->path : "/";
  size_t ul = strlen(m->authority) + strlen(path) + 16;
  x->url = malloc(ul);
  x->method = strdup(m->method == 9 ? m->method_other : methods[m->method < 9 ? m->method : 0]);
  x->hdrs = h_fields_new_empty();
  x->body = h_body_new(false);
  x->lines = util_try_calloc(m->headers->n ? m->headers->n : 1, sizeof *x->lines);
  bool ok = x->url && x->method && x->hdrs && x->body && x->lines;
  if (ok) snprintf(x->url, ul, "%s://%s%s%s", tls ? "https" : "http", m->authority, path[0] == '/' ? "" : "/", path);
  for (size_t i = 0; ok && i < m->headers->n; i++) {
    const hdr *h = &m->headers->v[i];
    char *line = malloc(strlen(h->name) + h->vlen + 3);
    if (!line) {
      ok = false;
      break;
    }
    size_t nl = strlen(h->name);
    memcpy(line, h->name, nl);
    memcpy(line + nl, ": ", 2);
    memcpy(line + nl + 2, h->val, h->vlen);
    line[nl + 2 + h->vlen] = 0;
    x->lines[x->nlines++] = line;
  }
  if (ok && o)
    for (int k = 0; k < 3; k++) x->tmo[k] = o->has[k] ? (o->ns[k] ? o->ns[k] : 1) : 0;
  if (ok) {
    x->body->xfer = x;
    /* the body the guest took is sent once finished; one never taken is empty */
    if (m->body_taken && m->body) x->reqbody = h_ref(m->body);
  }
  w2_http_unref(w, &m->h);
  if (o) w2_http_unref(w, &o->h);
  comp_val *v = ok ? w2_vals(a, 1) : NULL;
  if (!v) {
    w2_http_unref(w, &x->h);
    return W2_OOM(w);
  }
  if (x->reqbody && !x->reqbody->ended) x->reqbody->waiting = x;
  else h_xfer_start(x);
  /* the future holds the body (through the response it gives) until it is taken */
  const char *t = h_handle(w, v, W2_R_FUTRESP, x);
  w2_http_unref(w, &x->h);
  if (t) return t;
  w2_ok(res, v);
  return NULL;
}

const w2_func w2_http_outgoing_funcs[] = {
  {"handle", outgoing_handle,
   "(func (param (own (resource))) (param (option (own (resource)))) (result (result (own (resource)) (error " S_HEC
   "))))"},
  {NULL, NULL, NULL},
};

/* ---------- incoming-handler: the server's side --------------------------------------- */

static uint32_t method_case(const char *m) {
  for (uint32_t i = 0; i < 9; i++)
    if (strcmp(methods[i], m) == 0) return i;
  return 9;
}

bool wasi2_http_incoming(wasi2 *w, const wasi2_http_in *in, comp_val args[2]) {
  struct w2_http *s = h_state(w);
  if (!s || !w->rt[W2_R_INREQ] || !w->rt[W2_R_OUTPARAM]) return false;
  hmsg *m = h_msg_new();
  houtparam *o = util_try_calloc(1, sizeof *o);
  bool ok = m && o && (m->body = h_body_new(false));
  if (ok) {
    o->h = (struct w2_h){H_OUTPARAM, 1};
    o->state = -1;
    m->method = method_case(in->method);
    m->method_other = m->method == 9 ? strdup(in->method) : NULL;
    m->has_scheme = true;
    m->scheme = strcmp(in->scheme, "https") == 0 ? 1 : 0;
    m->authority = in->authority ? strdup(in->authority) : NULL;
    m->path = strdup(in->path_with_query);
    ok = (m->method != 9 || m->method_other) && (!in->authority || m->authority) && m->path;
    for (size_t i = 0; ok && i < in->nheaders; i++)
      ok = h_fields_add(m->headers, in->headers[2 * i], strlen(in->headers[2 * i]),
                        (const uint8_t *)in->headers[2 * i + 1], strlen(in->headers[2 * i + 1]));
    ok = ok && h_body_append(m->body, in->body, in->body_len);
    if (ok) m->body->ended = true;
  }
  uint32_t ri = 0, oi = 0;
  w2_obj *ro = ok ? w2_new(w, W2_R_INREQ, &ri) : NULL;
  if (ro) ro->h = h_ref(m);
  w2_obj *oo = ro ? w2_new(w, W2_R_OUTPARAM, &oi) : NULL;
  if (oo) oo->h = h_ref(o);
  if (ro && !oo) w2_release(w, ri);
  if (oo) {
    if (s->out) w2_http_unref(w, &s->out->h);
    s->out = h_ref(o);
    w2_handle(w, &args[0], W2_R_INREQ, ri);
    w2_handle(w, &args[1], W2_R_OUTPARAM, oi);
  }
  if (m) w2_http_unref(w, &m->h);
  if (o) w2_http_unref(w, &o->h);
  return oo != NULL;
}

/* The error-code cases; the strings are arrays, so the table needs no relocations at
 * start-up. */
static const char ec_names[][35] = {
  "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable", "destination-IP-prohibited",
  "destination-IP-unroutable", "connection-refused", "connection-terminated", "connection-timeout",
  "connection-read-timeout", "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
  "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied", "HTTP-request-length-required",
  "HTTP-request-body-size", "HTTP-request-method-invalid", "HTTP-request-URI-invalid", "HTTP-request-URI-too-long",
  "HTTP-request-header-section-size", "HTTP-request-header-size", "HTTP-request-trailer-section-size",
  "HTTP-request-trailer-size", "HTTP-response-incomplete", "HTTP-response-header-section-size",
  "HTTP-response-header-size", "HTTP-response-body-size", "HTTP-response-trailer-section-size",
  "HTTP-response-trailer-size", "HTTP-response-transfer-coding", "HTTP-response-content-coding",
  "HTTP-response-timeout", "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
  "internal-error"};

int wasi2_http_response(wasi2 *w, wasi2_http_out *out, char *why, size_t nwhy) {
  memset(out, 0, sizeof *out);
  houtparam *o = w->http ? w->http->out : NULL;
  if (!o || o->state < 0) return -1;
  if (o->state == 0) {
    snprintf(why, nwhy, "%s", o->ec < sizeof ec_names / sizeof ec_names[0] ? ec_names[o->ec] : "?");
    return 0;
  }
  hmsg *m = o->resp;
  struct w2_http *s = w->http;
  for (size_t i = 0; i < s->noutv; i++) free(s->outv[i]);
  free(s->outv);
  s->noutv = 0;
  s->outv = util_try_calloc(m->headers->n * 2 + 1, sizeof *s->outv);
  if (!s->outv) return snprintf(why, nwhy, "out of memory"), 0;
  for (size_t i = 0; i < m->headers->n; i++) {
    const hdr *h = &m->headers->v[i];
    char *v = malloc(h->vlen + 1);
    char *n = strdup(h->name);
    if (!v || !n) {
      free(v);
      free(n);
      return snprintf(why, nwhy, "out of memory"), 0;
    }
    memcpy(v, h->val, h->vlen);
    v[h->vlen] = 0;
    s->outv[s->noutv++] = n;
    s->outv[s->noutv++] = v;
  }
  out->status = m->status;
  out->headers = (const char *const *)s->outv;
  out->nheaders = s->noutv / 2;
  if (m->body) {
    out->body = m->body->buf;
    out->body_len = m->body->len;
  }
  return 1;
}
