/* HTTP/1.1 message framing, followed in both directions of one connection as its bytes
 * pass through the executor's proxy (proxy.c), so that every request is measured as one
 * call. Nothing is buffered but the line being read (a start line, a header, a chunk
 * size): bodies are only counted. It needs nothing but the C library, so the unit tests
 * and a fuzz target feed it directly.
 *
 * Framing follows RFC 9112: a request's body by Transfer-Encoding (chunked last) or
 * Content-Length, else none; a response's by the request's method (HEAD: none) and its
 * status (1xx, 204, 304: none), then Transfer-Encoding (chunked last; other codings: to the
 * end of the connection), Content-Length, else to the end of the connection. A 1xx other
 * than 101 is an interim answer (100-continue): the final one follows. 101 and a 2xx
 * answer to CONNECT turn the connection into a tunnel that belongs to that request until
 * it closes. Requests may be pipelined: answers are matched to them in order.
 *
 * A byte stream that does not follow these rules (a parse error) is not broken: the
 * parser says why once, and from then on everything left on the connection — the requests
 * not yet answered and whatever follows — is one call, ended by hf_close. */
#ifndef WELD_HYBRID_HTTPFRAME_H
#define WELD_HYBRID_HTTPFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HF_LINE_MAX 8192 /* the longest start line, header line or chunk-size line */
#define HF_PENDING 32    /* requests sent ahead of their answers (pipelining) */

typedef enum { HF_REQUEST, HF_RESPONSE } hf_dir;

/* One measured call: a request and its answer, or (fallback) what a connection carried
 * after it stopped looking like HTTP. Times are the `now` values given to hf_feed and
 * hf_close. */
typedef struct hf_call {
  uint64_t start_ns, end_ns; /* the request's first byte, the answer's last byte */
  uint64_t in, out;          /* request bytes, response bytes (interim answers included) */
  int status;                /* the final answer's status, 0 when none came */
  bool complete;             /* the final answer arrived whole */
  bool fallback;             /* the rest of a connection that stopped looking like HTTP */
} hf_call;

typedef enum {
  HF_EV_NONE,
  HF_EV_REQ_BEGIN, /* a request starts with the next byte */
  HF_EV_REQ_END,   /* a request ended with the last byte consumed */
  HF_EV_RESP_END,  /* an answer ended with the last byte consumed (`interim`: a 1xx) */
  HF_EV_ERROR,     /* the stream stopped looking like HTTP: `why`; fallback from now on */
} hf_event_kind;

typedef struct hf_event {
  hf_event_kind kind;
  int status;     /* HF_EV_RESP_END: the answer's status */
  bool interim;   /* HF_EV_RESP_END: a 1xx before the final answer */
  bool has_call;  /* this event completed a call: `call` */
  hf_call call;
  const char *why; /* HF_EV_ERROR */
} hf_event;

/* One direction's reader (internal; in the header so a connection is one plain struct). */
typedef struct hf_side {
  int state;
  uint64_t remain; /* body or chunk bytes left */
  size_t nline;
  bool overlong;   /* the line being read passed HF_LINE_MAX */
  /* the headers of the message being read */
  bool has_cl, has_te, te_chunked;
  uint64_t cl;
  int status;
  char line[HF_LINE_MAX];
} hf_side;

typedef struct hf_entry {
  uint64_t start_ns, end_ns, in, out;
  int status;
  bool head, connect, req_done, resp_done;
} hf_entry;

typedef struct hf_conn {
  hf_side req, resp;
  hf_entry q[HF_PENDING]; /* requests begun and not yet reported, oldest at q[head] */
  unsigned head, n;
  unsigned resp_at;       /* how many of them have their final answer (they come first) */
  bool req_open;          /* q's newest entry is still being sent */
  bool tunnel, failed;
  uint64_t pre_in;        /* request bytes before the next request (empty lines) */
  hf_call fb;             /* failed: the fallback call being gathered */
  bool fb_open;
  char why[128];          /* failed: why */
  uint64_t unattributed;  /* bytes in no call: empty lines at the end, answers to nothing */
} hf_conn;

void hf_init(hf_conn *c);
/* Reads bytes [p, p+n) of direction d that arrived at time now. Consumes up to the next
 * event (at least one byte when n > 0, unless the event happens before it) and returns how
 * many bytes it consumed; *ev says what happened (HF_EV_NONE: the bytes were consumed
 * without an event). Call again with the rest until everything is consumed. */
size_t hf_feed(hf_conn *c, hf_dir d, const uint8_t *p, size_t n, uint64_t now, hf_event *ev);
/* The connection ended (both ways) at time now: the calls left, one per call, oldest
 * first; false when none is left. An answer read to the end of the connection ends here. */
bool hf_close(hf_conn *c, uint64_t now, hf_call *call);

#endif
