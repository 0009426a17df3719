/* wasi2: the objects behind wasi:http handles, shared by http.c (wasi:http/types) and
 * http_out.c (outgoing-handler, the client's reports, incoming requests for a server).
 * Every one is counted: a handle holds one reference, and so does each object that
 * points at another (a request at its headers and body, a body at the transfer feeding
 * it). A transfer holds its response body until the guest takes the response; from then
 * on the body holds the transfer (which goes on while the body is read), so no two
 * objects ever hold each other. */
#ifndef WELD_WASI2_HTTP_INT_H
#define WELD_WASI2_HTTP_INT_H

#include "wasi2_int.h"

enum { H_FIELDS, H_MSG, H_BODY, H_XFER, H_OPTS, H_OUTPARAM };

struct w2_h {
  uint8_t kind;                  /* H_* */
  uint32_t refs;
};

typedef struct hdr {
  char *name;                    /* lower case */
  uint8_t *val;
  uint32_t vlen;
} hdr;

typedef struct hfields {
  struct w2_h h;
  hdr *v;
  size_t n, cap;
  size_t bytes;                  /* names and values, against W2_HTTP_MAX_FIELDS */
} hfields;

typedef struct wasi2_http_xfer hxfer;

typedef struct hbody {
  struct w2_h h;
  bool outgoing;
  uint8_t *buf;                  /* outgoing: all written; incoming: received, from pos unread */
  size_t len, cap, pos;
  bool stream_taken;             /* stream() / write() gave its stream */
  bool ended;                    /* outgoing: finish called; incoming: all of it arrived */
  int err;                       /* incoming: the error-code case that ended it early, or -1 */
  char *errmsg;
  hxfer *xfer;                   /* incoming: the transfer feeding it (a reference once
                                    the response was taken, xfer_ref) */
  bool xfer_ref;
  hxfer *waiting;                /* outgoing: a transfer that starts when the body is finished */
} hbody;

typedef struct hmsg {            /* a request or a response, incoming or outgoing */
  struct w2_h h;
  hfields *headers;
  uint32_t method;               /* method variant case (9: other) */
  char *method_other;
  bool has_scheme;
  uint32_t scheme;               /* 0 HTTP, 1 HTTPS, 2 other */
  char *scheme_other;
  char *authority, *path;        /* NULL: none */
  uint16_t status;
  bool body_taken;
  hbody *body;
} hmsg;

typedef struct hopts {
  struct w2_h h;
  bool has[3];                   /* connect, first-byte, between-bytes */
  uint64_t ns[3];
} hopts;

struct wasi2_http_xfer {         /* future-incoming-response */
  struct w2_h h;
  wasi2 *w;
  void *handle;                  /* the client's, once started */
  char *method, *url;
  char **lines;                  /* "name: value" */
  size_t nlines;
  uint64_t tmo[3];
  hbody *reqbody;                /* what is sent (a reference), NULL: nothing */
  bool started, head, ended, taken;
  uint16_t status;
  hfields *hdrs;                 /* response headers (a reference) */
  hbody *body;                   /* response body: a reference until the response is taken
                                    (then the body holds the transfer instead) */
  size_t recv;                   /* bytes received, against W2_HTTP_MAX_BODY */
  int err;                       /* error-code case, -1: none */
  char *errmsg;
};

typedef struct houtparam {
  struct w2_h h;
  int state;                     /* -1 nothing set, 0 an error-code, 1 a response */
  uint32_t ec;
  hmsg *resp;                    /* a reference */
} houtparam;

struct w2_http {
  const wasi2_http_client *client;
  houtparam *out;                /* the incoming request's outparam (a reference) */
  char **outv;                   /* wasi2_http_response's strings */
  size_t noutv;
};

/* What one guest can make the host hold: one fields object's names and values, one body. */
#define W2_HTTP_MAX_FIELDS ((size_t)1 << 20)
#define W2_HTTP_MAX_BODY ((size_t)64 << 20)

/* http.c */
struct w2_http *h_state(wasi2 *w);
void *h_ref(void *h);
hfields *h_fields_new_empty(void);
bool h_fields_add(hfields *f, const char *name, size_t nlen, const uint8_t *val, size_t vlen);
hbody *h_body_new(bool outgoing);
bool h_body_append(hbody *b, const void *p, size_t n);
hmsg *h_msg_new(void);
/* A handle of resource res for a new reference to h; NULL or a trap. */
const char *h_handle(wasi2 *w, comp_val *v, uint8_t res, void *h);
/* The object a handle names (of resource res), its h; NULL when it is not one. */
void *h_of(wasi2 *w, uint8_t res, uint32_t rep);
/* An own handle the guest gave up: the object's h (a new reference), the handle freed. */
void *h_take(wasi2 *w, uint8_t res, uint32_t rep);
/* An error-code value of case c (internal-error carries msg). */
comp_val *h_error_code(util_arena *a, int c, const char *msg);
/* Waits one tick through preview1's poll_oneoff (so the run's deadline wakes it). */
const char *h_tick(wasi2 *w);
/* Lets the client move its transfers on. */
void h_step(wasi2 *w);

/* http_out.c */
void h_xfer_free(hxfer *x);
void h_xfer_start(hxfer *x);

#endif
