/* wasi2: wasi:http/types — fields (headers and trailers, with the spec's forbidden names
 * and immutability), requests, responses, request options, bodies and their streams, the
 * futures of trailers, and the response-outparam. Transfers and the outgoing handler are
 * http_out.c's. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "http_int.h"
#include "http_sigs.h"
#include "sigs.h"

/* ---------- objects and references ------------------------------------------------------ */

struct w2_http *h_state(wasi2 *w) {
  if (!w->http) w->http = util_try_calloc(1, sizeof *w->http);
  return w->http;
}

void *h_ref(void *h) {
  if (h) ((struct w2_h *)h)->refs++;
  return h;
}

static void fields_free(hfields *f) {
  for (size_t i = 0; i < f->n; i++) {
    free(f->v[i].name);
    free(f->v[i].val);
  }
  free(f->v);
  free(f);
}

void w2_http_unref(wasi2 *w, struct w2_h *h) {
  if (!h || --h->refs) return;
  switch (h->kind) {
  case H_FIELDS: fields_free((hfields *)h); break;
  case H_MSG: {
    hmsg *m = (hmsg *)h;
    w2_http_unref(w, &m->headers->h);
    if (m->body) w2_http_unref(w, &m->body->h);
    free(m->method_other);
    free(m->scheme_other);
    free(m->authority);
    free(m->path);
    free(m);
    break;
  }
  case H_BODY: {
    hbody *b = (hbody *)h;
    if (b->waiting) { /* a request whose body never finished: it is never sent */
      b->waiting->reqbody = NULL;
      hxfer *x = b->waiting;
      b->waiting = NULL;
      wasi2_http_got_end(x, WASI2_HTTP_E_INTERNAL, "the request body was dropped before finish");
    }
    if (b->xfer) {
      b->xfer->body = NULL;
      if (b->xfer_ref) w2_http_unref(w, &b->xfer->h);
    }
    free(b->buf);
    free(b->errmsg);
    free(b);
    break;
  }
  case H_XFER: h_xfer_free((hxfer *)h); break;
  case H_OPTS: free(h); break;
  case H_OUTPARAM: {
    houtparam *o = (houtparam *)h;
    if (o->resp) w2_http_unref(w, &o->resp->h);
    free(o);
    break;
  }
  }
}

void w2_http_free(wasi2 *w) {
  if (!w->http) return;
  if (w->http->out) w2_http_unref(w, &w->http->out->h);
  for (size_t i = 0; i < w->http->noutv; i++) free(w->http->outv[i]);
  free(w->http->outv);
  free(w->http);
  w->http = NULL;
}

hfields *h_fields_new_empty(void) {
  hfields *f = util_try_calloc(1, sizeof *f);
  if (f) f->h = (struct w2_h){H_FIELDS, 1};
  return f;
}

hbody *h_body_new(bool outgoing) {
  hbody *b = util_try_calloc(1, sizeof *b);
  if (!b) return NULL;
  b->h = (struct w2_h){H_BODY, 1};
  b->outgoing = outgoing;
  b->err = -1;
  return b;
}

bool h_body_append(hbody *b, const void *p, size_t n) {
  if (b->pos && b->pos == b->len) b->pos = b->len = 0;
  if (b->len - b->pos + n > W2_HTTP_MAX_BODY) return false;
  if (b->len + n > b->cap) {
    if (b->pos) { /* drop what was read */
      memmove(b->buf, b->buf + b->pos, b->len - b->pos);
      b->len -= b->pos;
      b->pos = 0;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    uint8_t *nb = realloc(b->buf, cap);
    if (!nb) return false;
    b->buf = nb;
    b->cap = cap;
  }
  if (n) memcpy(b->buf + b->len, p, n);
  b->len += n;
  return true;
}

hmsg *h_msg_new(void) {
  hmsg *m = util_try_calloc(1, sizeof *m);
  if (!m) return NULL;
  m->h = (struct w2_h){H_MSG, 1};
  if (!(m->headers = h_fields_new_empty())) {
    free(m);
    return NULL;
  }
  return m;
}

const char *h_handle(wasi2 *w, comp_val *v, uint8_t res, void *h) {
  uint32_t idx;
  w2_obj *o = w2_new(w, res, &idx);
  if (!o) return W2_OOM(w);
  o->h = h_ref(h);
  w2_handle(w, v, res, idx);
  return NULL;
}

void *h_of(wasi2 *w, uint8_t res, uint32_t rep) {
  w2_obj *o = w2_get(w, res, rep);
  return o ? o->h : NULL;
}

void *h_take(wasi2 *w, uint8_t res, uint32_t rep) {
  w2_obj *o = w2_get(w, res, rep);
  if (!o || !o->h) return NULL;
  void *h = h_ref(o->h);
  w2_release(w, rep);
  return h;
}

comp_val *h_error_code(util_arena *a, int c, const char *msg) {
  comp_val *v = w2_vals(a, 3);
  if (!v) return NULL;
  v->u.var.disc = (uint32_t)c;
  if (c == 1) { /* DNS-error: rcode and info-code unknown */
    v->u.var.p = &v[1];
    comp_val *rec = w2_vals(a, 2);
    if (!rec) return NULL;
    v[1].u.seq.v = rec;
    v[1].u.seq.n = 2;
  } else if (c == WASI2_HTTP_E_INTERNAL) { /* option<string> */
    v->u.var.p = &v[1];
    if (msg) {
      v[1].u.var.disc = 1;
      v[1].u.var.p = &v[2];
      size_t n = strlen(msg);
      char *s = util_arena_try_alloc(a, n + 1);
      if (!s) return NULL;
      memcpy(s, msg, n + 1);
      v[2].u.str.s = s;
      v[2].u.str.len = (uint32_t)n;
    }
  }
  return v;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

const char *h_tick(wasi2 *w) {
  if (!w2_scratch(w, 4096)) return W2_OOM(w);
  memset(w->mem, 0, 128);
  w->mem[8] = 0;
  put32(w->mem + 16, 1); /* monotonic, relative */
  put64(w->mem + 24, W2_HTTP_TICK);
  uint64_t a[4] = {0, 64, 1, 120};
  int e = w2_p1(w, "poll_oneoff", a);
  if (e < 0) return w->msg;
  if (e) return w2_trap(w, "wasi:http: poll_oneoff failed (preview1 errno %d)", e);
  (void)get32;
  return NULL;
}

void h_step(wasi2 *w) {
  if (w->http && w->http->client) w->http->client->step(w->http->client->env);
}

/* ---------- fields --------------------------------------------------------------------- */

enum { HE_SYNTAX, HE_FORBIDDEN, HE_IMMUTABLE };

static bool name_ok(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && !strchr("!#$%&'*+-.^_`|~", c)) return false;
    if (c == 0) return false;
  }
  return true;
}

static bool value_ok(const comp_val *v, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    uint64_t c = v[i].u.u;
    if (c != '\t' && (c < 0x20 || c == 0x7f)) return false;
  }
  return true;
}

/* Headers the host manages itself (the connection, framing and proxying), which a guest
 * may neither set nor append. */
static bool forbidden(const char *s, size_t n) {
  static const char *const names[] = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                                      "proxy-connection", "te", "transfer-encoding", "upgrade", "http2-settings",
                                      "host"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && strncasecmp(names[i], s, n) == 0) return true;
  return false;
}

static bool same_name(const hdr *h, const char *s, size_t n) {
  return strlen(h->name) == n && strncasecmp(h->name, s, n) == 0;
}

bool h_fields_add(hfields *f, const char *name, size_t nlen, const uint8_t *val, size_t vlen) {
  if (f->bytes + nlen + vlen > W2_HTTP_MAX_FIELDS) return false;
  hdr h = {malloc(nlen + 1), malloc(vlen ? vlen : 1), (uint32_t)vlen};
  if (!h.name || !h.val || !UTIL_VEC_TRY_PUSH(f->v, f->n, f->cap, h)) {
    free(h.name);
    free(h.val);
    return false;
  }
  for (size_t i = 0; i < nlen; i++) h.name[i] = (char)tolower((unsigned char)name[i]);
  h.name[nlen] = 0;
  if (vlen) memcpy(h.val, val, vlen);
  f->bytes += nlen + vlen;
  return true;
}

static void fields_remove(hfields *f, const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < f->n; i++) {
    if (same_name(&f->v[i], s, n)) {
      f->bytes -= strlen(f->v[i].name) + f->v[i].vlen;
      free(f->v[i].name);
      free(f->v[i].val);
    } else {
      f->v[k++] = f->v[i];
    }
  }
  f->n = k;
}

static bool add_val(hfields *f, const char *name, size_t nlen, const comp_val *bytes, uint32_t n) {
  uint8_t *tmp = malloc(n ? n : 1);
  if (!tmp) return false;
  for (uint32_t i = 0; i < n; i++) tmp[i] = (uint8_t)bytes[i].u.u;
  bool ok = h_fields_add(f, name, nlen, tmp, n);
  free(tmp);
  return ok;
}

static const char *fields_trap(wasi2 *w) { return w2_trap(w, "wasi:http/types: not a fields handle"); }
static const char *too_big(wasi2 *w) {
  return w2_trap(w, "wasi:http/types: a fields object beyond %zu bytes (or out of memory)", W2_HTTP_MAX_FIELDS);
}

static const char *he_result(wasi2 *w, comp_val *res, util_arena *a, int e) {
  if (e < 0) {
    w2_ok(res, NULL);
    return NULL;
  }
  comp_val *p = w2_vals(a, 1);
  if (!p) return W2_OOM(w);
  p->u.var.disc = (uint32_t)e;
  w2_err(res, p);
  return NULL;
}

static const char *h_fields_new(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  hfields *f = h_fields_new_empty();
  if (!f) return W2_OOM(w);
  const char *t = h_handle(w, res, W2_R_FIELDS, f);
  w2_http_unref(w, &f->h);
  return t;
}

static const char *h_fields_from_list(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hfields *f = h_fields_new_empty();
  if (!f) return W2_OOM(w);
  int e = -1;
  for (uint32_t i = 0; i < args[0].u.seq.n && e < 0; i++) {
    const comp_val *pair = args[0].u.seq.v[i].u.seq.v;
    const char *s = pair[0].u.str.s;
    size_t n = pair[0].u.str.len;
    if (!name_ok(s, n) || !value_ok(pair[1].u.seq.v, pair[1].u.seq.n)) e = HE_SYNTAX;
    else if (forbidden(s, n)) e = HE_FORBIDDEN;
    else if (!add_val(f, s, n, pair[1].u.seq.v, pair[1].u.seq.n)) {
      w2_http_unref(w, &f->h);
      return too_big(w);
    }
  }
  const char *t = NULL;
  if (e >= 0) {
    t = he_result(w, res, a, e);
  } else {
    comp_val *h = w2_vals(a, 1);
    t = h ? h_handle(w, h, W2_R_FIELDS, f) : W2_OOM(w);
    if (!t) w2_ok(res, h);
  }
  w2_http_unref(w, &f->h);
  return t;
}

static const char *bytes_val(wasi2 *w, util_arena *a, comp_val *v, const uint8_t *p, size_t n) {
  comp_val *b = w2_vals(a, (uint32_t)n);
  if (!b) return W2_OOM(w);
  for (size_t i = 0; i < n; i++) b[i].u.u = p[i];
  v->u.seq.v = b;
  v->u.seq.n = (uint32_t)n;
  return NULL;
}

static const char *h_fields_get(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hfields *f = h_of(w, W2_R_FIELDS, args[0].u.h.rep);
  if (!f) return fields_trap(w);
  const char *s = args[1].u.str.s;
  size_t n = args[1].u.str.len, k = 0;
  for (size_t i = 0; i < f->n; i++) k += same_name(&f->v[i], s, n);
  comp_val *l = w2_vals(a, (uint32_t)k);
  if (!l) return W2_OOM(w);
  k = 0;
  for (size_t i = 0; i < f->n; i++) {
    if (!same_name(&f->v[i], s, n)) continue;
    const char *t = bytes_val(w, a, &l[k++], f->v[i].val, f->v[i].vlen);
    if (t) return t;
  }
  res->u.seq.v = l;
  res->u.seq.n = (uint32_t)k;
  return NULL;
}

static const char *h_fields_has(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hfields *f = h_of(w, W2_R_FIELDS, args[0].u.h.rep);
  if (!f) return fields_trap(w);
  res->u.b = false;
  for (size_t i = 0; i < f->n; i++) res->u.b |= same_name(&f->v[i], args[1].u.str.s, args[1].u.str.len);
  return NULL;
}

/* The checks of set, delete and append, in the spec's order: immutable, syntax, forbidden. */
static int may_change(wasi2 *w, uint32_t rep, const comp_val *name, hfields **f) {
  w2_obj *o = w2_get(w, W2_R_FIELDS, rep);
  if (!o || !o->h) return -2;
  *f = (hfields *)o->h;
  if (o->ro) return HE_IMMUTABLE;
  if (!name_ok(name->u.str.s, name->u.str.len)) return HE_SYNTAX;
  if (forbidden(name->u.str.s, name->u.str.len)) return HE_FORBIDDEN;
  return -1;
}

static const char *h_fields_set(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hfields *f;
  int e = may_change(w, args[0].u.h.rep, &args[1], &f);
  if (e == -2) return fields_trap(w);
  for (uint32_t i = 0; e < 0 && i < args[2].u.seq.n; i++)
    if (!value_ok(args[2].u.seq.v[i].u.seq.v, args[2].u.seq.v[i].u.seq.n)) e = HE_SYNTAX;
  if (e < 0) {
    fields_remove(f, args[1].u.str.s, args[1].u.str.len);
    for (uint32_t i = 0; i < args[2].u.seq.n; i++)
      if (!add_val(f, args[1].u.str.s, args[1].u.str.len, args[2].u.seq.v[i].u.seq.v, args[2].u.seq.v[i].u.seq.n))
        return too_big(w);
  }
  return he_result(w, res, a, e);
}

static const char *h_fields_delete(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hfields *f;
  int e = may_change(w, args[0].u.h.rep, &args[1], &f);
  if (e == -2) return fields_trap(w);
  if (e < 0) fields_remove(f, args[1].u.str.s, args[1].u.str.len);
  return he_result(w, res, a, e);
}

static const char *h_fields_append(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hfields *f;
  int e = may_change(w, args[0].u.h.rep, &args[1], &f);
  if (e == -2) return fields_trap(w);
  if (e < 0 && !value_ok(args[2].u.seq.v, args[2].u.seq.n)) e = HE_SYNTAX;
  if (e < 0 && !add_val(f, args[1].u.str.s, args[1].u.str.len, args[2].u.seq.v, args[2].u.seq.n)) return too_big(w);
  return he_result(w, res, a, e);
}

static const char *h_fields_entries(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hfields *f = h_of(w, W2_R_FIELDS, args[0].u.h.rep);
  if (!f) return fields_trap(w);
  comp_val *l = w2_vals(a, (uint32_t)f->n), *pairs = w2_vals(a, (uint32_t)f->n * 2);
  if (!l || !pairs) return W2_OOM(w);
  for (size_t i = 0; i < f->n; i++) {
    pairs[2 * i].u.str.s = f->v[i].name; /* lives as long as the call's result is read */
    pairs[2 * i].u.str.len = (uint32_t)strlen(f->v[i].name);
    const char *t = bytes_val(w, a, &pairs[2 * i + 1], f->v[i].val, f->v[i].vlen);
    if (t) return t;
    l[i].u.seq.v = &pairs[2 * i];
    l[i].u.seq.n = 2;
  }
  res->u.seq.v = l;
  res->u.seq.n = (uint32_t)f->n;
  return NULL;
}

static const char *h_fields_clone(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hfields *f = h_of(w, W2_R_FIELDS, args[0].u.h.rep);
  if (!f) return fields_trap(w);
  hfields *c = h_fields_new_empty();
  if (!c) return W2_OOM(w);
  for (size_t i = 0; i < f->n; i++)
    if (!h_fields_add(c, f->v[i].name, strlen(f->v[i].name), f->v[i].val, f->v[i].vlen)) {
      w2_http_unref(w, &c->h);
      return W2_OOM(w);
    }
  const char *t = h_handle(w, res, W2_R_FIELDS, c);
  w2_http_unref(w, &c->h);
  return t;
}

/* A child handle on a message's headers: immutable. */
static const char *headers_of(wasi2 *w, comp_val *res, hmsg *m) {
  const char *t = h_handle(w, res, W2_R_FIELDS, m->headers);
  if (!t) w->objs[res->u.h.rep].ro = true;
  return t;
}

/* ---------- requests and responses ------------------------------------------------------ */

static const char *str_opt(wasi2 *w, util_arena *a, comp_val *res, const char *s) {
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (!s) return NULL;
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  v->u.str.s = s; /* the message outlives the call's result */
  v->u.str.len = (uint32_t)strlen(s);
  res->u.var.disc = 1;
  res->u.var.p = v;
  return NULL;
}

static hmsg *msg(wasi2 *w, uint8_t res, uint32_t rep) { return h_of(w, res, rep); }
static const char *msg_trap(wasi2 *w, const char *what) { return w2_trap(w, "wasi:http/types: not an %s handle", what); }

static const char *method_val(wasi2 *w, util_arena *a, comp_val *res, const hmsg *m) {
  res->u.var.disc = m->method;
  res->u.var.p = NULL;
  if (m->method == 9) {
    comp_val *v = w2_vals(a, 1);
    if (!v) return W2_OOM(w);
    v->u.str.s = m->method_other;
    v->u.str.len = (uint32_t)strlen(m->method_other);
    res->u.var.p = v;
  }
  return NULL;
}

static const char *scheme_val(wasi2 *w, util_arena *a, comp_val *res, const hmsg *m) {
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (!m->has_scheme) return NULL;
  comp_val *v = w2_vals(a, 2);
  if (!v) return W2_OOM(w);
  v->u.var.disc = m->scheme;
  if (m->scheme == 2) {
    v->u.var.p = &v[1];
    v[1].u.str.s = m->scheme_other;
    v[1].u.str.len = (uint32_t)strlen(m->scheme_other);
  }
  res->u.var.disc = 1;
  res->u.var.p = v;
  return NULL;
}

/* body() / consume(): the message's body, once. */
static const char *body_once(wasi2 *w, util_arena *a, comp_val *res, hmsg *m, uint8_t rt) {
  if (m->body_taken || !m->body) {
    w2_err(res, NULL);
    return NULL;
  }
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  const char *t = h_handle(w, v, rt, m->body);
  if (t) return t;
  m->body_taken = true;
  w2_ok(res, v);
  return NULL;
}

#define IN_REQ(w, args) msg(w, W2_R_INREQ, args[0].u.h.rep)
static const char *h_incoming_request_method(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = IN_REQ(w, args);
  return m ? method_val(w, a, res, m) : msg_trap(w, "incoming-request");
}
static const char *h_incoming_request_path_with_query(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = IN_REQ(w, args);
  return m ? str_opt(w, a, res, m->path) : msg_trap(w, "incoming-request");
}
static const char *h_incoming_request_scheme(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = IN_REQ(w, args);
  return m ? scheme_val(w, a, res, m) : msg_trap(w, "incoming-request");
}
static const char *h_incoming_request_authority(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = IN_REQ(w, args);
  return m ? str_opt(w, a, res, m->authority) : msg_trap(w, "incoming-request");
}
static const char *h_incoming_request_headers(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = IN_REQ(w, args);
  return m ? headers_of(w, res, m) : msg_trap(w, "incoming-request");
}
static const char *h_incoming_request_consume(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = IN_REQ(w, args);
  return m ? body_once(w, a, res, m, W2_R_INBODY) : msg_trap(w, "incoming-request");
}

/* constructor(headers): takes the headers over (they become immutable for everyone). */
static const char *new_msg(wasi2 *w, const comp_val *args, comp_val *res, uint8_t rt, const char *what) {
  hfields *f = h_take(w, W2_R_FIELDS, args[0].u.h.rep);
  if (!f) return w2_trap(w, "wasi:http/types: %s: not a fields handle", what);
  hmsg *m = util_try_calloc(1, sizeof *m);
  hbody *b = h_body_new(true);
  if (!m || !b) {
    free(m);
    free(b);
    w2_http_unref(w, &f->h);
    return W2_OOM(w);
  }
  m->h = (struct w2_h){H_MSG, 1};
  m->headers = f;
  m->body = b;
  m->status = 200;
  const char *t = h_handle(w, res, rt, m);
  w2_http_unref(w, &m->h);
  return t;
}

#define OUT_REQ(w, args) msg(w, W2_R_OUTREQ, args[0].u.h.rep)
static const char *h_outgoing_request_new(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  return new_msg(w, args, res, W2_R_OUTREQ, "outgoing-request");
}
static const char *h_outgoing_request_body(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = OUT_REQ(w, args);
  return m ? body_once(w, a, res, m, W2_R_OUTBODY) : msg_trap(w, "outgoing-request");
}
static const char *h_outgoing_request_method(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = OUT_REQ(w, args);
  return m ? method_val(w, a, res, m) : msg_trap(w, "outgoing-request");
}
static bool token_ok(const char *s, size_t n) {
  return n > 0 && name_ok(s, n);
}
static char *dup_n(const char *s, size_t n) {
  char *c = malloc(n + 1);
  if (c) {
    memcpy(c, s, n);
    c[n] = 0;
  }
  return c;
}
static const char *h_outgoing_request_set_method(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_REQ(w, args);
  if (!m) return msg_trap(w, "outgoing-request");
  uint32_t d = args[1].u.var.disc;
  char *other = NULL;
  if (d == 9) {
    const comp_val *s = args[1].u.var.p;
    if (!token_ok(s->u.str.s, s->u.str.len)) {
      w2_err(res, NULL);
      return NULL;
    }
    if (!(other = dup_n(s->u.str.s, s->u.str.len))) return W2_OOM(w);
  }
  free(m->method_other);
  m->method = d;
  m->method_other = other;
  w2_ok(res, NULL);
  return NULL;
}
static const char *h_outgoing_request_path_with_query(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = OUT_REQ(w, args);
  return m ? str_opt(w, a, res, m->path) : msg_trap(w, "outgoing-request");
}
/* A string option into *dst when it has no byte that cannot be in a URL's part. */
static const char *set_str(wasi2 *w, const comp_val *opt, comp_val *res, char **dst, bool authority) {
  char *c = NULL;
  if (opt->u.var.disc == 1) {
    const comp_val *s = opt->u.var.p;
    for (uint32_t i = 0; i < s->u.str.len; i++) {
      unsigned char ch = (unsigned char)s->u.str.s[i];
      if (ch <= 0x20 || ch == 0x7f || (authority && strchr("/?#@", ch))) {
        w2_err(res, NULL);
        return NULL;
      }
    }
    if (!(c = dup_n(s->u.str.s, s->u.str.len))) return W2_OOM(w);
  }
  free(*dst);
  *dst = c;
  w2_ok(res, NULL);
  return NULL;
}
static const char *h_outgoing_request_set_path_with_query(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_REQ(w, args);
  return m ? set_str(w, &args[1], res, &m->path, false) : msg_trap(w, "outgoing-request");
}
static const char *h_outgoing_request_scheme(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = OUT_REQ(w, args);
  return m ? scheme_val(w, a, res, m) : msg_trap(w, "outgoing-request");
}
static const char *h_outgoing_request_set_scheme(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_REQ(w, args);
  if (!m) return msg_trap(w, "outgoing-request");
  char *other = NULL;
  const comp_val *v = args[1].u.var.disc ? args[1].u.var.p : NULL;
  if (v && v->u.var.disc == 2) {
    const comp_val *s = v->u.var.p;
    bool ok = s->u.str.len > 0 && isalpha((unsigned char)s->u.str.s[0]);
    for (uint32_t i = 0; ok && i < s->u.str.len; i++)
      ok = isalnum((unsigned char)s->u.str.s[i]) || strchr("+-.", s->u.str.s[i]);
    if (!ok) {
      w2_err(res, NULL);
      return NULL;
    }
    if (!(other = dup_n(s->u.str.s, s->u.str.len))) return W2_OOM(w);
  }
  free(m->scheme_other);
  m->has_scheme = v != NULL;
  m->scheme = v ? v->u.var.disc : 0;
  m->scheme_other = other;
  w2_ok(res, NULL);
  return NULL;
}
static const char *h_outgoing_request_authority(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = OUT_REQ(w, args);
  return m ? str_opt(w, a, res, m->authority) : msg_trap(w, "outgoing-request");
}
static const char *h_outgoing_request_set_authority(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_REQ(w, args);
  return m ? set_str(w, &args[1], res, &m->authority, true) : msg_trap(w, "outgoing-request");
}
static const char *h_outgoing_request_headers(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_REQ(w, args);
  return m ? headers_of(w, res, m) : msg_trap(w, "outgoing-request");
}

/* ---------- request-options -------------------------------------------------------------- */

static const char *h_request_options_new(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  hopts *o = util_try_calloc(1, sizeof *o);
  if (!o) return W2_OOM(w);
  o->h = (struct w2_h){H_OPTS, 1};
  const char *t = h_handle(w, res, W2_R_REQOPTS, o);
  w2_http_unref(w, &o->h);
  return t;
}
static const char *opt_get(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a, int k) {
  hopts *o = h_of(w, W2_R_REQOPTS, args[0].u.h.rep);
  if (!o) return msg_trap(w, "request-options");
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (!o->has[k]) return NULL;
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  v->u.u = o->ns[k];
  res->u.var.disc = 1;
  res->u.var.p = v;
  return NULL;
}
static const char *opt_set(wasi2 *w, const comp_val *args, comp_val *res, int k) {
  hopts *o = h_of(w, W2_R_REQOPTS, args[0].u.h.rep);
  if (!o) return msg_trap(w, "request-options");
  o->has[k] = args[1].u.var.disc == 1;
  o->ns[k] = o->has[k] ? args[1].u.var.p->u.u : 0;
  w2_ok(res, NULL);
  return NULL;
}
static const char *h_request_options_connect_timeout(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return opt_get(w, args, res, a, 0);
}
static const char *h_request_options_set_connect_timeout(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  return opt_set(w, args, res, 0);
}
static const char *h_request_options_first_byte_timeout(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return opt_get(w, args, res, a, 1);
}
static const char *h_request_options_set_first_byte_timeout(wasi2 *w, const comp_val *args, comp_val *res,
                                                            util_arena *a) {
  (void)a;
  return opt_set(w, args, res, 1);
}
static const char *h_request_options_between_bytes_timeout(wasi2 *w, const comp_val *args, comp_val *res,
                                                           util_arena *a) {
  return opt_get(w, args, res, a, 2);
}
static const char *h_request_options_set_between_bytes_timeout(wasi2 *w, const comp_val *args, comp_val *res,
                                                               util_arena *a) {
  (void)a;
  return opt_set(w, args, res, 2);
}

/* ---------- responses ------------------------------------------------------------------ */

static const char *h_response_outparam_set(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)res, (void)a;
  houtparam *o = h_take(w, W2_R_OUTPARAM, args[0].u.h.rep);
  if (!o) return msg_trap(w, "response-outparam");
  const char *t = NULL;
  if (o->state >= 0) {
    t = w2_trap(w, "wasi:http/types: response-outparam.set called twice");
  } else if (args[1].u.var.disc == 0) {
    hmsg *m = h_take(w, W2_R_OUTRESP, args[1].u.var.p->u.h.rep);
    if (!m) t = msg_trap(w, "outgoing-response");
    else {
      o->resp = m;
      o->state = 1;
    }
  } else {
    o->state = 0;
    o->ec = args[1].u.var.p->u.var.disc;
  }
  w2_http_unref(w, &o->h);
  return t;
}

#define IN_RESP(w, args) msg(w, W2_R_INRESP, args[0].u.h.rep)
static const char *h_incoming_response_status(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = IN_RESP(w, args);
  if (!m) return msg_trap(w, "incoming-response");
  res->u.u = m->status;
  return NULL;
}
static const char *h_incoming_response_headers(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = IN_RESP(w, args);
  return m ? headers_of(w, res, m) : msg_trap(w, "incoming-response");
}
static const char *h_incoming_response_consume(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = IN_RESP(w, args);
  return m ? body_once(w, a, res, m, W2_R_INBODY) : msg_trap(w, "incoming-response");
}

#define OUT_RESP(w, args) msg(w, W2_R_OUTRESP, args[0].u.h.rep)
static const char *h_outgoing_response_new(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  return new_msg(w, args, res, W2_R_OUTRESP, "outgoing-response");
}
static const char *h_outgoing_response_status_code(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_RESP(w, args);
  if (!m) return msg_trap(w, "outgoing-response");
  res->u.u = m->status;
  return NULL;
}
static const char *h_outgoing_response_set_status_code(wasi2 *w, const comp_val *args, comp_val *res,
                                                       util_arena *a) {
  (void)a;
  hmsg *m = OUT_RESP(w, args);
  if (!m) return msg_trap(w, "outgoing-response");
  uint64_t s = args[1].u.u;
  if (s < 100 || s > 999) {
    w2_err(res, NULL);
    return NULL;
  }
  m->status = (uint16_t)s;
  w2_ok(res, NULL);
  return NULL;
}
static const char *h_outgoing_response_headers(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hmsg *m = OUT_RESP(w, args);
  return m ? headers_of(w, res, m) : msg_trap(w, "outgoing-response");
}
static const char *h_outgoing_response_body(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hmsg *m = OUT_RESP(w, args);
  return m ? body_once(w, a, res, m, W2_R_OUTBODY) : msg_trap(w, "outgoing-response");
}

/* ---------- bodies and their streams ------------------------------------------------------ */

/* stream() / write(): the body's stream, once. */
static const char *stream_once(wasi2 *w, util_arena *a, comp_val *res, hbody *b, uint8_t rt) {
  if (b->stream_taken) {
    w2_err(res, NULL);
    return NULL;
  }
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  const char *t = h_handle(w, v, rt, b);
  if (t) return t;
  b->stream_taken = true;
  w2_ok(res, v);
  return NULL;
}

static const char *h_incoming_body_stream(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hbody *b = h_of(w, W2_R_INBODY, args[0].u.h.rep);
  return b ? stream_once(w, a, res, b, W2_R_INPUT) : msg_trap(w, "incoming-body");
}

static const char *h_incoming_body_finish(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hbody *b = h_take(w, W2_R_INBODY, args[0].u.h.rep);
  if (!b) return msg_trap(w, "incoming-body");
  const char *t = h_handle(w, res, W2_R_FUTTRAILERS, b);
  w2_http_unref(w, &b->h);
  return t;
}

static const char *h_future_trailers_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hbody *b = h_of(w, W2_R_FUTTRAILERS, args[0].u.h.rep);
  if (!b) return msg_trap(w, "future-trailers");
  const char *t = h_handle(w, res, W2_R_POLLABLE, b);
  if (!t) {
    w->objs[res->u.h.rep].poll = W2_POLL_HTTP;
    w->objs[res->u.h.rep].fd = 1; /* ready at the end only */
  }
  return t;
}

/* Reading the rest of a body for its trailers: the data left unread is dropped. */
static const char *h_future_trailers_get(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_FUTTRAILERS, args[0].u.h.rep);
  if (!o || !o->h) return msg_trap(w, "future-trailers");
  hbody *b = (hbody *)o->h;
  h_step(w);
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (!b->ended) return NULL;
  comp_val *v = w2_vals(a, 2);
  if (!v) return W2_OOM(w);
  res->u.var.disc = 1;
  res->u.var.p = v;
  if (o->pos) { /* got already */
    w2_err(v, NULL);
    return NULL;
  }
  o->pos = 1;
  w2_ok(v, &v[1]);
  if (b->err >= 0) {
    comp_val *ec = h_error_code(a, b->err, b->errmsg);
    if (!ec) return W2_OOM(w);
    w2_err(&v[1], ec);
  } else {
    w2_ok(&v[1], NULL); /* ok(none): no trailers are passed on */
    comp_val *none = w2_vals(a, 1);
    if (!none) return W2_OOM(w);
    v[1].u.var.p = none;
  }
  return NULL;
}

static const char *h_outgoing_body_write(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hbody *b = h_of(w, W2_R_OUTBODY, args[0].u.h.rep);
  return b ? stream_once(w, a, res, b, W2_R_OUTPUT) : msg_trap(w, "outgoing-body");
}

/* finish(this, trailers): the body is complete (trailers are not sent: HTTP/1.1 without
 * chunked framing has none); a request waiting for it starts. */
static const char *h_outgoing_body_finish(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  hbody *b = h_take(w, W2_R_OUTBODY, args[0].u.h.rep);
  if (!b) return msg_trap(w, "outgoing-body");
  if (args[1].u.var.disc == 1) {
    hfields *f = h_take(w, W2_R_FIELDS, args[1].u.var.p->u.h.rep);
    if (f) w2_http_unref(w, &f->h);
  }
  b->ended = true;
  if (b->waiting) {
    hxfer *x = b->waiting;
    b->waiting = NULL;
    h_xfer_start(x);
  }
  w2_http_unref(w, &b->h);
  w2_ok(res, NULL);
  return NULL;
}

int w2_http_read(wasi2 *w, uint32_t idx, uint64_t len, uint32_t *n) {
  *n = 0;
  hbody *b = (hbody *)w->objs[idx].h;
  if (b->h.kind != H_BODY || b->outgoing) return WASI_EBADF;
  if (len > W2_MAX_IO) len = W2_MAX_IO;
  /* a read waits for bytes or the end (as a read of a pipe does) */
  for (;;) {
    h_step(w);
    if (b->pos < b->len || b->ended) break;
    if (h_tick(w)) return -1;
  }
  if (b->pos == b->len) return b->err >= 0 ? 0x8000 | b->err : 0;
  size_t k = b->len - b->pos;
  if (k > len) k = (size_t)len;
  if (!w2_scratch(w, 16 + k)) return w2_trap(w, "wasi: out of memory"), -1;
  memcpy(w->mem + 16, b->buf + b->pos, k);
  b->pos += k;
  *n = (uint32_t)k;
  return 0;
}

int w2_http_write(wasi2 *w, uint32_t idx, uint64_t n) {
  hbody *b = (hbody *)w->objs[idx].h;
  if (b->h.kind != H_BODY || !b->outgoing || b->ended) return WASI_EPIPE;
  if (!h_body_append(b, w->mem + 128, n)) return WASI_EFBIG;
  return 0;
}

bool w2_http_ready(wasi2 *w, w2_obj *p) {
  h_step(w);
  struct w2_h *h = p->h;
  if (h->kind == H_XFER) {
    hxfer *x = (hxfer *)h;
    return x->head || x->ended;
  }
  if (h->kind == H_BODY) {
    hbody *b = (hbody *)h;
    if (b->outgoing) return true;
    return b->ended || (p->fd == 0 && b->pos < b->len);
  }
  return true;
}

const char *w2_http_subscribe(wasi2 *w, comp_val *res, uint32_t idx) {
  struct w2_h *h = w->objs[idx].h;
  const char *t = h_handle(w, res, W2_R_POLLABLE, h);
  if (!t) w->objs[res->u.h.rep].poll = W2_POLL_HTTP;
  return t;
}

/* ---------- future-incoming-response ---------------------------------------------------- */

static const char *h_future_incoming_response_subscribe(wasi2 *w, const comp_val *args, comp_val *res,
                                                        util_arena *a) {
  (void)a;
  hxfer *x = h_of(w, W2_R_FUTRESP, args[0].u.h.rep);
  return x ? w2_http_subscribe(w, res, args[0].u.h.rep) : msg_trap(w, "future-incoming-response");
}

/* none while waiting; some(ok(ok(response))) once the head arrived, some(ok(err(code)))
 * when it failed, some(err) after that. */
static const char *h_future_incoming_response_get(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  hxfer *x = h_of(w, W2_R_FUTRESP, args[0].u.h.rep);
  if (!x) return msg_trap(w, "future-incoming-response");
  h_step(w);
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (!x->head && !x->ended) return NULL;
  comp_val *v = w2_vals(a, 3);
  if (!v) return W2_OOM(w);
  res->u.var.disc = 1;
  res->u.var.p = v;
  if (x->taken) {
    w2_err(v, NULL);
    return NULL;
  }
  x->taken = true;
  w2_ok(v, &v[1]);
  if (!x->head) {
    comp_val *ec = h_error_code(a, x->err >= 0 ? x->err : WASI2_HTTP_E_INTERNAL, x->errmsg);
    if (!ec) return W2_OOM(w);
    w2_err(&v[1], ec);
    return NULL;
  }
  hmsg *m = util_try_calloc(1, sizeof *m);
  if (!m) return W2_OOM(w);
  m->h = (struct w2_h){H_MSG, 1};
  m->headers = h_ref(x->hdrs);
  m->status = x->status;
  m->body = h_ref(x->body);
  if (x->body && !x->body->xfer_ref) { /* the body holds the transfer from now on */
    x->body->xfer_ref = true;
    h_ref(x);
    hbody *b = x->body;
    w2_http_unref(w, &b->h);
  }
  const char *t = h_handle(w, &v[2], W2_R_INRESP, m);
  w2_http_unref(w, &m->h);
  if (t) return t;
  w2_ok(&v[1], &v[2]);
  return NULL;
}

/* http-error-code(io-error): the error-code behind a body stream's failure. */
static const char *h_http_error_code(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_ERROR, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:http/types: not an io-error handle");
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (!(o->code & 0x8000)) return NULL;
  comp_val *ec = h_error_code(a, o->code & 0x7fff, NULL);
  if (!ec) return W2_OOM(w);
  res->u.var.disc = 1;
  res->u.var.p = ec;
  return NULL;
}

/* ---------- the interface --------------------------------------------------------------- */

const w2_func w2_http_types_funcs[] = {
  {"[constructor]fields", h_fields_new,
   "(func (result (own (resource))))"},
  {"[static]fields.from-list", h_fields_from_list,
   "(func (param (list (tuple string (list u8)))) (result (result (own (resource)) (error " S_HE "))))"},
  {"[method]fields.get", h_fields_get,
   "(func (param (borrow (resource))) (param string) (result (list (list u8))))"},
  {"[method]fields.has", h_fields_has,
   "(func (param (borrow (resource))) (param string) (result bool))"},
  {"[method]fields.set", h_fields_set,
   "(func (param (borrow (resource))) (param string) (param (list (list u8))) (result (result (error " S_HE "))))"},
  {"[method]fields.delete", h_fields_delete,
   "(func (param (borrow (resource))) (param string) (result (result (error " S_HE "))))"},
  {"[method]fields.append", h_fields_append,
   "(func (param (borrow (resource))) (param string) (param (list u8)) (result (result (error " S_HE "))))"},
  {"[method]fields.entries", h_fields_entries,
   "(func (param (borrow (resource))) (result (list (tuple string (list u8)))))"},
  {"[method]fields.clone", h_fields_clone,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[method]incoming-request.method", h_incoming_request_method,
   "(func (param (borrow (resource))) (result " S_METHOD "))"},
  {"[method]incoming-request.path-with-query", h_incoming_request_path_with_query,
   "(func (param (borrow (resource))) (result (option string)))"},
  {"[method]incoming-request.scheme", h_incoming_request_scheme,
   "(func (param (borrow (resource))) (result (option " S_SCHEME ")))"},
  {"[method]incoming-request.authority", h_incoming_request_authority,
   "(func (param (borrow (resource))) (result (option string)))"},
  {"[method]incoming-request.headers", h_incoming_request_headers,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[method]incoming-request.consume", h_incoming_request_consume,
   "(func (param (borrow (resource))) (result (result (own (resource)))))"},
  {"[constructor]outgoing-request", h_outgoing_request_new,
   "(func (param (own (resource))) (result (own (resource))))"},
  {"[method]outgoing-request.body", h_outgoing_request_body,
   "(func (param (borrow (resource))) (result (result (own (resource)))))"},
  {"[method]outgoing-request.method", h_outgoing_request_method,
   "(func (param (borrow (resource))) (result " S_METHOD "))"},
  {"[method]outgoing-request.set-method", h_outgoing_request_set_method,
   "(func (param (borrow (resource))) (param " S_METHOD ") (result (result)))"},
  {"[method]outgoing-request.path-with-query", h_outgoing_request_path_with_query,
   "(func (param (borrow (resource))) (result (option string)))"},
  {"[method]outgoing-request.set-path-with-query", h_outgoing_request_set_path_with_query,
   "(func (param (borrow (resource))) (param (option string)) (result (result)))"},
  {"[method]outgoing-request.scheme", h_outgoing_request_scheme,
   "(func (param (borrow (resource))) (result (option " S_SCHEME ")))"},
  {"[method]outgoing-request.set-scheme", h_outgoing_request_set_scheme,
   "(func (param (borrow (resource))) (param (option " S_SCHEME ")) (result (result)))"},
  {"[method]outgoing-request.authority", h_outgoing_request_authority,
   "(func (param (borrow (resource))) (result (option string)))"},
  {"[method]outgoing-request.set-authority", h_outgoing_request_set_authority,
   "(func (param (borrow (resource))) (param (option string)) (result (result)))"},
  {"[method]outgoing-request.headers", h_outgoing_request_headers,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[constructor]request-options", h_request_options_new,
   "(func (result (own (resource))))"},
  {"[method]request-options.connect-timeout", h_request_options_connect_timeout,
   "(func (param (borrow (resource))) (result (option u64)))"},
  {"[method]request-options.set-connect-timeout", h_request_options_set_connect_timeout,
   "(func (param (borrow (resource))) (param (option u64)) (result (result)))"},
  {"[method]request-options.first-byte-timeout", h_request_options_first_byte_timeout,
   "(func (param (borrow (resource))) (result (option u64)))"},
  {"[method]request-options.set-first-byte-timeout", h_request_options_set_first_byte_timeout,
   "(func (param (borrow (resource))) (param (option u64)) (result (result)))"},
  {"[method]request-options.between-bytes-timeout", h_request_options_between_bytes_timeout,
   "(func (param (borrow (resource))) (result (option u64)))"},
  {"[method]request-options.set-between-bytes-timeout", h_request_options_set_between_bytes_timeout,
   "(func (param (borrow (resource))) (param (option u64)) (result (result)))"},
  {"[static]response-outparam.set", h_response_outparam_set,
   "(func (param (own (resource))) (param (result (own (resource)) (error " S_HEC "))))"},
  {"[method]incoming-response.status", h_incoming_response_status,
   "(func (param (borrow (resource))) (result u16))"},
  {"[method]incoming-response.headers", h_incoming_response_headers,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[method]incoming-response.consume", h_incoming_response_consume,
   "(func (param (borrow (resource))) (result (result (own (resource)))))"},
  {"[method]incoming-body.stream", h_incoming_body_stream,
   "(func (param (borrow (resource))) (result (result (own (resource)))))"},
  {"[static]incoming-body.finish", h_incoming_body_finish,
   "(func (param (own (resource))) (result (own (resource))))"},
  {"[method]future-trailers.subscribe", h_future_trailers_subscribe,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[method]future-trailers.get", h_future_trailers_get,
   "(func (param (borrow (resource))) (result (option (result (result (option (own (resource))) (error " S_HEC "))))))"},
  {"[constructor]outgoing-response", h_outgoing_response_new,
   "(func (param (own (resource))) (result (own (resource))))"},
  {"[method]outgoing-response.status-code", h_outgoing_response_status_code,
   "(func (param (borrow (resource))) (result u16))"},
  {"[method]outgoing-response.set-status-code", h_outgoing_response_set_status_code,
   "(func (param (borrow (resource))) (param u16) (result (result)))"},
  {"[method]outgoing-response.headers", h_outgoing_response_headers,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[method]outgoing-response.body", h_outgoing_response_body,
   "(func (param (borrow (resource))) (result (result (own (resource)))))"},
  {"[method]outgoing-body.write", h_outgoing_body_write,
   "(func (param (borrow (resource))) (result (result (own (resource)))))"},
  {"[static]outgoing-body.finish", h_outgoing_body_finish,
   "(func (param (own (resource))) (param (option (own (resource)))) (result (result (error " S_HEC "))))"},
  {"[method]future-incoming-response.subscribe", h_future_incoming_response_subscribe,
   "(func (param (borrow (resource))) (result (own (resource))))"},
  {"[method]future-incoming-response.get", h_future_incoming_response_get,
   "(func (param (borrow (resource))) (result (option (result (result (own (resource)) (error " S_HEC "))))))"},
  {"http-error-code", h_http_error_code,
   "(func (param (borrow (resource))) (result (option " S_HEC ")))"},
  {NULL, NULL, NULL},
};
