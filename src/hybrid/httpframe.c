/* HTTP/1.1 framing followed as bytes pass (see httpframe.h): a small state machine per
 * direction, a queue of the requests sent and not yet reported, and the bytes of each
 * counted to the request they belong to. */
#include "hybrid/httpframe.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
  S_START,      /* between messages */
  S_LINE1,      /* the request line or the status line */
  S_HEADERS,    /* header lines up to the empty one */
  S_BODY_LEN,   /* remain bytes of a Content-Length body */
  S_CHUNK_SIZE, /* a chunk-size line */
  S_CHUNK_DATA, /* remain bytes of chunk data */
  S_CHUNK_END,  /* the CRLF after chunk data */
  S_TRAILERS,   /* trailer lines after the last chunk, up to the empty one */
  S_EOF,        /* a response body that ends with the connection */
};

#define CL_MAX UINT64_C(1000000000000000000) /* a Content-Length or chunk size beyond: not HTTP we follow */

void hf_init(hf_conn *c) { memset(c, 0, sizeof *c); }

static hf_entry *at(hf_conn *c, unsigned k) { return &c->q[(c->head + k) % HF_PENDING]; }

/* Counts k bytes of direction d to the request they belong to. */
static void add(hf_conn *c, hf_dir d, uint64_t k) {
  if (d == HF_REQUEST) {
    if (c->req_open) at(c, c->n - 1)->in += k;
    else c->pre_in += k;
  } else {
    if (c->resp_at < c->n) at(c, c->resp_at)->out += k;
    else c->unattributed += k;
  }
}

static hf_call call_of(const hf_entry *e, uint64_t now) {
  return (hf_call){.start_ns = e->start_ns, .end_ns = e->resp_done ? e->end_ns : now, .in = e->in, .out = e->out,
                   .status = e->resp_done ? e->status : 0, .complete = e->resp_done};
}

/* The oldest entry, reported: it has both its request and its final answer. */
static void pop(hf_conn *c, hf_event *ev, uint64_t now) {
  ev->has_call = true;
  ev->call = call_of(at(c, 0), now);
  c->head = (c->head + 1) % HF_PENDING;
  c->n--;
  c->resp_at--;
}

/* The stream stopped looking like HTTP: everything not reported becomes one call. */
static size_t fail(hf_conn *c, hf_event *ev, size_t consumed, uint64_t now, const char *why) {
  c->failed = true;
  snprintf(c->why, sizeof c->why, "%s", why);
  hf_call fb = {.start_ns = c->n ? at(c, 0)->start_ns : now, .in = c->pre_in, .fallback = true};
  for (unsigned k = 0; k < c->n; k++) {
    fb.in += at(c, k)->in, fb.out += at(c, k)->out;
    if (!fb.status && at(c, k)->resp_done) fb.status = at(c, k)->status;
  }
  c->fb = fb;
  c->fb_open = true;
  c->n = c->resp_at = 0;
  c->pre_in = 0;
  c->req_open = false;
  ev->kind = HF_EV_ERROR;
  ev->why = c->why;
  return consumed;
}

static bool tchar(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool digit(char ch) { return ch >= '0' && ch <= '9'; }

/* "METHOD SP target SP HTTP/1.x"; sets the entry's HEAD and CONNECT. */
static const char *request_line(hf_conn *c, const char *l, size_t n) {
  size_t m = 0;
  while (m < n && tchar((unsigned char)l[m])) m++;
  if (!m || m >= n || l[m] != ' ') return "not an HTTP request line";
  size_t t = m + 1, e = t;
  while (e < n && (unsigned char)l[e] > ' ' && l[e] != 0x7f) e++;
  if (e == t || e >= n || l[e] != ' ') return "not an HTTP request line";
  const char *v = l + e + 1;
  if (n - (e + 1) != 8 || memcmp(v, "HTTP/1.", 7) != 0 || !digit(v[7])) return "not an HTTP/1.x request line";
  hf_entry *en = at(c, c->n - 1);
  en->head = m == 4 && !memcmp(l, "HEAD", 4);
  en->connect = m == 7 && !memcmp(l, "CONNECT", 7);
  return NULL;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]". */
static const char *status_line(hf_side *s, const char *l, size_t n) {
  if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || !digit(l[7]) || l[8] != ' ' || !digit(l[9]) || !digit(l[10]) ||
      !digit(l[11]) || (n > 12 && l[12] != ' ') || l[9] == '0')
    return "not an HTTP/1.x status line";
  s->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
  return NULL;
}

static bool name_is(const char *l, size_t n, const char *want) { return strlen(want) == n && !strncasecmp(l, want, n); }

/* One header line: Content-Length and Transfer-Encoding are read, others only checked for
 * the name: value shape. */
static const char *header_line(hf_side *s, const char *l, size_t n, bool trailer) {
  if (l[0] == ' ' || l[0] == '\t') return "a folded header line";
  size_t m = 0;
  while (m < n && tchar((unsigned char)l[m])) m++;
  if (!m || m >= n || l[m] != ':') return "not an HTTP header line";
  if (trailer) return NULL;
  const char *v = l + m + 1, *end = l + n;
  if (name_is(l, m, "content-length")) {
    /* 1*DIGIT, or a list of the same value ("42, 42") */
    const char *p = v;
    for (;;) {
      while (p < end && (*p == ' ' || *p == '\t')) p++;
      if (p == end || !digit(*p)) return "a Content-Length that is not a number";
      uint64_t x = 0;
      while (p < end && digit(*p)) {
        x = x * 10 + (uint64_t)(*p++ - '0');
        if (x > CL_MAX) return "a Content-Length too large";
      }
      if (s->has_cl && s->cl != x) return "Content-Lengths that disagree";
      s->has_cl = true, s->cl = x;
      while (p < end && (*p == ' ' || *p == '\t')) p++;
      if (p == end) break;
      if (*p++ != ',') return "a Content-Length that is not a number";
    }
  } else if (name_is(l, m, "transfer-encoding")) {
    /* the codings in order: chunked must come last to frame the body */
    const char *p = v;
    while (p < end) {
      while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
      if (p == end) break;
      const char *tk = p;
      while (p < end && tchar((unsigned char)*p)) p++;
      if (p == tk) return "a Transfer-Encoding that is not a list of codings";
      s->has_te = true;
      s->te_chunked = name_is(tk, (size_t)(p - tk), "chunked");
      while (p < end && *p != ',') p++; /* parameters */
    }
  }
  return NULL;
}

/* The message of direction d ended with the last byte consumed. */
static void msg_end(hf_conn *c, hf_dir d, hf_side *s, uint64_t now, hf_event *ev) {
  s->state = S_START;
  if (d == HF_REQUEST) {
    hf_entry *e = at(c, c->n - 1);
    e->req_done = true;
    c->req_open = false;
    ev->kind = HF_EV_REQ_END;
    if (e->resp_done && !c->tunnel) pop(c, ev, now);
  } else {
    hf_entry *e = at(c, c->resp_at);
    e->resp_done = true, e->status = s->status, e->end_ns = now;
    c->resp_at++;
    ev->kind = HF_EV_RESP_END;
    ev->status = s->status;
    if (e->req_done) pop(c, ev, now);
  }
}

static void reset_headers(hf_side *s) { s->has_cl = s->has_te = s->te_chunked = false, s->cl = 0, s->status = 0; }

/* The empty line after the headers of direction d. Returns an error or NULL. */
static const char *headers_end(hf_conn *c, hf_dir d, hf_side *s, uint64_t now, hf_event *ev) {
  if (d == HF_REQUEST) {
    if (s->has_te) {
      if (!s->te_chunked) return "a request whose Transfer-Encoding does not end in chunked";
      s->state = S_CHUNK_SIZE;
    } else if (s->has_cl && s->cl) {
      s->state = S_BODY_LEN, s->remain = s->cl;
    } else {
      msg_end(c, d, s, now, ev);
    }
    return NULL;
  }
  hf_entry *e = at(c, c->resp_at);
  int st = s->status;
  if (st == 101 || (e->connect && st / 100 == 2)) {
    /* a tunnel: the rest of the connection belongs to this request */
    c->tunnel = true;
    e->resp_done = true, e->status = st;
    c->resp_at++;
    ev->kind = HF_EV_RESP_END;
    ev->status = st;
    return NULL;
  }
  if (st / 100 == 1) {
    s->state = S_START;
    ev->kind = HF_EV_RESP_END;
    ev->status = st;
    ev->interim = true;
    return NULL;
  }
  if (e->head || st == 204 || st == 304) msg_end(c, d, s, now, ev);
  else if (s->has_te) s->state = s->te_chunked ? S_CHUNK_SIZE : S_EOF;
  else if (s->has_cl) {
    if (s->cl) s->state = S_BODY_LEN, s->remain = s->cl;
    else msg_end(c, d, s, now, ev);
  } else s->state = S_EOF;
  return NULL;
}

/* A chunk-size line: 1*HEXDIG, then optional whitespace and extensions. */
static const char *chunk_size(hf_side *s, const char *l, size_t n) {
  size_t i = 0;
  uint64_t x = 0;
  for (; i < n; i++) {
    char ch = l[i];
    int v = digit(ch) ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
    if (v < 0) break;
    x = x * 16 + (uint64_t)v;
    if (x > CL_MAX) return "a chunk size too large";
  }
  if (!i) return "not a chunk size";
  while (i < n && (l[i] == ' ' || l[i] == '\t')) i++;
  if (i < n && l[i] != ';') return "not a chunk size";
  s->remain = x;
  s->state = x ? S_CHUNK_DATA : S_TRAILERS;
  return NULL;
}

/* A complete line of direction d (without its line end) in state s->state. */
static const char *line_done(hf_conn *c, hf_dir d, hf_side *s, uint64_t now, hf_event *ev) {
  if (s->overlong) return "a line longer than 8192 bytes";
  size_t n = s->nline;
  if (n && s->line[n - 1] == '\r') n--;
  const char *l = s->line, *why = NULL;
  switch (s->state) {
  case S_LINE1:
    why = d == HF_REQUEST ? request_line(c, l, n) : status_line(s, l, n);
    if (!why) s->state = S_HEADERS;
    return why;
  case S_HEADERS:
    return n ? header_line(s, l, n, false) : headers_end(c, d, s, now, ev);
  case S_TRAILERS:
    if (n) return header_line(s, l, n, true);
    msg_end(c, d, s, now, ev);
    return NULL;
  case S_CHUNK_SIZE:
    return chunk_size(s, l, n);
  case S_CHUNK_END:
    if (n) return "no line end after chunk data";
    s->state = S_CHUNK_SIZE;
    return NULL;
  }
  return "internal: a line in a state without lines";
}

size_t hf_feed(hf_conn *c, hf_dir d, const uint8_t *p, size_t n, uint64_t now, hf_event *ev) {
  memset(ev, 0, sizeof *ev);
  if (!n) return 0;
  if (c->failed) {
    if (d == HF_REQUEST) c->fb.in += n;
    else c->fb.out += n;
    return n;
  }
  if (c->tunnel) {
    /* the tunnel's request is the newest answered one */
    hf_entry *e = at(c, c->resp_at - 1);
    if (d == HF_REQUEST) e->in += n;
    else e->out += n;
    return n;
  }
  hf_side *s = d == HF_REQUEST ? &c->req : &c->resp;
  size_t i = 0;
  while (i < n) {
    switch (s->state) {
    case S_START:
      if (p[i] == '\r' || p[i] == '\n') { /* empty lines between messages */
        add(c, d, 1);
        i++;
        continue;
      }
      /* a binary protocol (TLS starts with 0x16) is told at its first byte, not at a line end
       * it may never send */
      if (d == HF_REQUEST ? !tchar(p[i]) : p[i] != 'H')
        return fail(c, ev, i, now, d == HF_REQUEST ? "not an HTTP request" : "not an HTTP answer");
      reset_headers(s);
      s->nline = 0, s->overlong = false;
      if (d == HF_REQUEST) {
        if (c->n == HF_PENDING) return fail(c, ev, i, now, "more than 32 requests sent ahead of their answers");
        *at(c, c->n) = (hf_entry){.start_ns = now, .in = c->pre_in};
        c->pre_in = 0;
        c->n++;
        c->req_open = true;
        s->state = S_LINE1;
        ev->kind = HF_EV_REQ_BEGIN;
        return i;
      }
      if (c->resp_at >= c->n) return fail(c, ev, i, now, "an answer before any request");
      s->state = S_LINE1;
      continue;
    case S_BODY_LEN:
    case S_CHUNK_DATA: {
      uint64_t k = s->remain < n - i ? s->remain : n - i;
      add(c, d, k);
      i += (size_t)k;
      s->remain -= k;
      if (s->remain) continue;
      if (s->state == S_CHUNK_DATA) {
        s->state = S_CHUNK_END;
        s->nline = 0, s->overlong = false;
        continue;
      }
      msg_end(c, d, s, now, ev);
      return i;
    }
    case S_EOF:
      add(c, d, n - i);
      return n;
    default: { /* a line */
      const uint8_t *nl = memchr(p + i, '\n', n - i);
      size_t k = nl ? (size_t)(nl - (p + i)) : n - i;
      size_t room = sizeof s->line - s->nline;
      if (k > room) s->overlong = true, k = room > k ? k : room;
      memcpy(s->line + s->nline, p + i, k);
      s->nline += k;
      size_t took = nl ? (size_t)(nl - (p + i)) + 1 : n - i;
      add(c, d, took);
      i += took;
      if (!nl) continue;
      const char *why = line_done(c, d, s, now, ev);
      s->nline = 0, s->overlong = false;
      if (why) return fail(c, ev, i, now, why);
      if (ev->kind != HF_EV_NONE) return i;
      if (c->tunnel) { /* what follows in this read is the tunnel's */
        if (i < n) add(c, d, n - i);
        return n;
      }
    }
    }
  }
  return i;
}

bool hf_close(hf_conn *c, uint64_t now, hf_call *call) {
  if (c->failed) {
    if (!c->fb_open) return false;
    c->fb_open = false;
    *call = c->fb;
    call->end_ns = now;
    return true;
  }
  if (c->resp.state == S_EOF && c->resp_at < c->n) {
    /* an answer read to the end of the connection ends here */
    hf_entry *e = at(c, c->resp_at);
    e->resp_done = true, e->status = c->resp.status, e->end_ns = now;
    c->resp_at++;
    c->resp.state = S_START;
  }
  if (c->tunnel) { /* the tunnel ends with the connection */
    at(c, c->resp_at - 1)->end_ns = now;
    c->tunnel = false;
  }
  c->unattributed += c->pre_in;
  c->pre_in = 0;
  if (!c->n) return false;
  *call = call_of(at(c, 0), now);
  c->head = (c->head + 1) % HF_PENDING;
  c->n--;
  if (c->resp_at) c->resp_at--;
  if (!c->n) c->req_open = false;
  return true;
}
