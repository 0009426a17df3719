/* The proxy's HTTP/1.1 framing (src/hybrid/httpframe.c): conversations written by hand as
 * steps (the bytes of one message, or of a piece of one, in one direction), each saying
 * where a message ends and to which call its bytes belong. Every conversation is fed byte by
 * byte, whole, and in random splits (the same direction's steps joined, so boundaries fall
 * inside a read); the events must come at the hand-written boundaries and the calls must
 * carry exactly their steps' bytes, statuses and (byte by byte, where the time is the
 * byte's position) the first request byte's and the last answer byte's times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hybrid/httpframe.h"
#include "unit.h"

enum { NONE, END, INTERIM, ERROR, TUNNEL };

typedef struct {
  char dir;       /* 'q' request bytes, 'r' response bytes */
  const char *s;
  int ev;         /* what ends with this step's last byte */
  int status;     /* of an answer's END/INTERIM/TUNNEL */
  int call;       /* the call its bytes belong to (-1: none) */
  bool begin;     /* a request begins in this step (after any empty lines) */
} step;

typedef struct {
  int status;
  bool complete, fallback, at_close; /* at_close: ended by hf_close */
} want_call;

typedef struct {
  const char *name;
  step steps[16];
  want_call calls[8];
  int ncalls;
} conv;

#define Q(s, ev, call, begin) {'q', s, ev, 0, call, begin}
#define R(s, ev, st, call) {'r', s, ev, st, call, false}

static const conv convs[] = {
    {"keep-alive with Content-Length",
     {Q("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", END, 0, true), R("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", END, 200, 0),
      Q("POST /b HTTP/1.1\r\nContent-Length: 11\r\nHost: x\r\n\r\nhello world", END, 1, true),
      R("HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n", END, 201, 1),
      Q("GET /c HTTP/1.1\r\n\r\n", END, 2, true), R("HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\nbad", END, 500, 2)},
     {{200, true, false, false}, {201, true, false, false}, {500, true, false, false}},
     3},
    {"chunked both ways, extensions and trailers",
     {Q("POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", NONE, 0, true), Q("4;x=y\r\nWiki\r\n", NONE, 0, false),
      Q("5\r\npedia\r\n0\r\n\r\n", END, 0, false),
      R("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", NONE, 0, 0),
      R("1a\r\nabcdefghijklmnopqrstuvwxyz\r\n", NONE, 0, 0), R("A \r\n0123456789\r\n0\r\nX-Sum: 1\r\nX-More: 2\r\n\r\n", END, 200, 0),
      Q("GET / HTTP/1.1\r\n\r\n", END, 1, true), R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", END, 200, 1)},
     {{200, true, false, false}, {200, true, false, false}},
     2},
    {"answers without a body: HEAD, 204, 304",
     {Q("HEAD / HTTP/1.1\r\n\r\n", END, 0, true), R("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", END, 200, 0),
      Q("DELETE /x HTTP/1.1\r\n\r\n", END, 1, true), R("HTTP/1.1 204 No Content\r\n\r\n", END, 204, 1),
      Q("GET /y HTTP/1.1\r\nIf-None-Match: \"a\"\r\n\r\n", END, 2, true),
      R("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n", END, 304, 2)},
     {{200, true, false, false}, {204, true, false, false}, {304, true, false, false}},
     3},
    {"100-continue",
     {Q("PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", NONE, 0, true),
      R("HTTP/1.1 100 Continue\r\n\r\n", INTERIM, 100, 0), Q("data", END, 0, false),
      R("HTTP/1.1 102 Processing\r\n\r\n", INTERIM, 102, 0), R("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", END, 200, 0)},
     {{200, true, false, false}},
     1},
    {"pipelined requests, answered in order",
     {Q("GET /1 HTTP/1.1\r\n\r\n", END, 0, true), Q("POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", END, 1, true),
      Q("\r\nGET /3 HTTP/1.1\r\n\r\n", END, 2, true), R("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", END, 200, 0),
      R("HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy", END, 503, 1),
      R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n", END, 200, 2)},
     {{200, true, false, false}, {503, true, false, false}, {200, true, false, false}},
     3},
    {"an answer read to the end of the connection",
     {Q("GET / HTTP/1.0\r\n\r\n", END, 0, true), R("HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n", NONE, 0, 0),
      R("the body, to the end\n", NONE, 0, 0)},
     {{200, true, false, true}},
     1},
    {"a request the connection's end leaves unanswered",
     {Q("GET /a HTTP/1.1\r\n\r\n", END, 0, true), R("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", END, 200, 0),
      Q("GET /b HTTP/1.1\r\n\r\n", END, 1, true), R("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", NONE, 0, 1)},
     {{200, true, false, false}, {0, false, false, true}},
     2},
    {"an early answer before the request's body ends",
     {Q("POST /big HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc", NONE, 0, true),
      R("HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n", END, 413, 0), Q("def", END, 0, false)},
     {{413, true, false, false}},
     1},
    {"an upgrade: the tunnel belongs to its request",
     {Q("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", END, 0, true),
      R("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", TUNNEL, 101, 0), Q("\x81\x02hi", NONE, 0, false),
      R("\x81\x05hello, not HTTP\r\n\r\n", NONE, 0, 0)},
     {{101, true, false, true}},
     1},
    {"CONNECT answered 200: a tunnel",
     {Q("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", END, 0, true), R("HTTP/1.1 200 OK\r\n\r\n", TUNNEL, 200, 0),
      Q("\x16\x03\x01 client hello", NONE, 0, false), R("\x16\x03\x03 server hello", NONE, 0, 0)},
     {{200, true, false, true}},
     1},
    {"TLS after a request: the rest is one call",
     {Q("GET / HTTP/1.1\r\n\r\n", END, 0, true), R("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", END, 200, 0),
      Q("", ERROR, 1, false), Q("\x16\x03\x01\x02\x01\x01\x01\x01\xfc\x03\x03 random\n", NONE, 1, false), Q("more", NONE, 1, false),
      R("\x15\x03\x03\x01\x02\x02\x28", NONE, 0, 1)},
     {{200, true, false, false}, {0, false, true, true}},
     2},
    {"an answer that is not HTTP: the request joins the fallback call",
     {Q("GET / HTTP/1.1\r\n\r\n", END, 0, true), R("", ERROR, 0, 0), R("\x17\x03\x03 binary\n", NONE, 0, 0)},
     {{0, false, true, true}},
     1},
    {"letters, then not a request line",
     {Q("hello there\n", ERROR, 0, true), Q("GET / HTTP/1.1\r\n\r\n", NONE, 0, false), R("HTTP/1.1 400 Bad\r\n\r\n", NONE, 0, 0)},
     {{0, false, true, true}},
     1},
    {"a bad chunk size: the unanswered request joins the fallback call",
     {Q("GET / HTTP/1.1\r\n\r\n", END, 0, true), R("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", NONE, 0, 0),
      R("zz\r\n", ERROR, 0, 0), R("whatever\r\n", NONE, 0, 0)},
     {{0, false, true, true}},
     1},
    {"Content-Lengths that disagree",
     {Q("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n", ERROR, 0, true), Q("\r\nabcd", NONE, 0, false)},
     {{0, false, true, true}},
     1},
    {"the same Content-Length twice, as a list",
     {Q("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc", END, 0, true),
      R("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", END, 200, 0)},
     {{200, true, false, false}},
     1},
    {"a request with an unknown Transfer-Encoding",
     {Q("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", ERROR, 0, true), Q("abc", NONE, 0, false)},
     {{0, false, true, true}},
     1},
    {"an answer to no request",
     {R("", ERROR, 0, 0), R("HTTP/1.1 200 OK\r\n\r\n", NONE, 0, 0)},
     {{0, false, true, true}},
     1},
    {"HTTP/2's preface",
     {Q("PRI * HTTP/2.0\r\n", ERROR, 0, true), Q("\r\nSM\r\n\r\n", NONE, 0, false)},
     {{0, false, true, true}},
     1},
    {"a folded header",
     {Q("GET / HTTP/1.1\r\nX-A: 1\r\n", NONE, 0, true), Q(" 2\r\n", ERROR, 0, false)},
     {{0, false, true, true}},
     1},
};

typedef struct {
  int kind, status;
  bool interim, has_call;
  uint64_t off; /* bytes of that direction before the event */
  char dir;
} got_ev;

typedef struct {
  got_ev ev[80];
  int nev;
  hf_call calls[16];
  int ncalls;
  uint64_t off[2];
} run;

static void feed(hf_conn *c, run *rn, char dir, const uint8_t *p, size_t n, uint64_t now) {
  hf_dir d = dir == 'q' ? HF_REQUEST : HF_RESPONSE;
  while (n) {
    hf_event ev;
    size_t k = hf_feed(c, d, p, n, now, &ev);
    p += k, n -= k;
    rn->off[d] += k;
    if (ev.kind != HF_EV_NONE && rn->nev < 80)
      rn->ev[rn->nev++] = (got_ev){ev.kind, ev.status, ev.interim, ev.has_call, rn->off[d], dir};
    if (ev.has_call && rn->ncalls < 16) rn->calls[rn->ncalls++] = ev.call;
    if (ev.kind == HF_EV_ERROR) CHECK(ev.why && ev.why[0]);
    if (!k && ev.kind == HF_EV_NONE) {
      CHECK(!"hf_feed made no progress");
      return;
    }
  }
}

static int nsteps(const conv *cv) {
  int n = 0;
  while (n < 16 && cv->steps[n].s) n++;
  return n;
}

/* mode 0: byte by byte (now = the byte's position); 1: each direction's run whole; 2+: random splits */
static void check_conv(const conv *cv, int mode, unsigned *seed) {
  hf_conn *c = malloc(sizeof *c);
  if (!c) return;
  hf_init(c);
  run *rn = calloc(1, sizeof *rn);
  int ns = nsteps(cv);
  uint64_t pos = 0;
  for (int i = 0; i < ns;) {
    /* the run of steps in the same direction */
    int j = i;
    size_t len = 0;
    while (j < ns && cv->steps[j].dir == cv->steps[i].dir) len += strlen(cv->steps[j++].s);
    uint8_t *buf = malloc(len + 1);
    size_t o = 0;
    for (int k = i; k < j; k++) {
      memcpy(buf + o, cv->steps[k].s, strlen(cv->steps[k].s));
      o += strlen(cv->steps[k].s);
    }
    for (size_t at = 0; at < len;) {
      size_t piece = mode == 0 ? 1 : mode == 1 ? len - at : 1 + (size_t)(rand_r(seed) % (unsigned)(len - at));
      feed(c, rn, cv->steps[i].dir, buf + at, piece, pos + at);
      at += piece;
    }
    pos += len;
    free(buf);
    i = j;
  }
  hf_call call;
  while (rn->ncalls < 16 && hf_close(c, pos, &call)) rn->calls[rn->ncalls++] = call;
  CHECK(!hf_close(c, pos, &call));

  /* the events, at the hand-written boundaries */
  got_ev want[64];
  int nw = 0;
  uint64_t off[2] = {0, 0}, g = 0, first[8], last[8];
  uint64_t win[8] = {0}, wout[8] = {0};
  for (int k = 0; k < 8; k++) first[k] = UINT64_MAX, last[k] = 0;
  for (int i = 0; i < ns; i++) {
    const step *s = &cv->steps[i];
    int d = s->dir == 'q' ? 0 : 1;
    size_t n = strlen(s->s), lead = 0;
    while (s->begin && lead < n && (s->s[lead] == '\r' || s->s[lead] == '\n')) lead++;
    if (s->begin) want[nw++] = (got_ev){HF_EV_REQ_BEGIN, 0, false, false, off[d] + lead, 'q'};
    if (s->call >= 0) {
      if (first[s->call] == UINT64_MAX) first[s->call] = g + lead;
      if (d == 0) win[s->call] += n;
      else wout[s->call] += n, last[s->call] = g + n - 1;
    }
    off[d] += n, g += n;
    if (s->ev == END) want[nw++] = (got_ev){d ? HF_EV_RESP_END : HF_EV_REQ_END, s->status, false, false, off[d], s->dir};
    else if (s->ev == INTERIM) want[nw++] = (got_ev){HF_EV_RESP_END, s->status, true, false, off[d], s->dir};
    else if (s->ev == TUNNEL) want[nw++] = (got_ev){HF_EV_RESP_END, s->status, false, false, off[d], s->dir};
    else if (s->ev == ERROR) want[nw++] = (got_ev){HF_EV_ERROR, 0, false, false, off[d], s->dir};
  }
  bool same = nw == rn->nev;
  for (int k = 0; same && k < nw; k++)
    same = want[k].kind == rn->ev[k].kind && want[k].off == rn->ev[k].off && want[k].dir == rn->ev[k].dir &&
           want[k].status == rn->ev[k].status && want[k].interim == rn->ev[k].interim;
  if (!unit_check(same, __FILE__, __LINE__, "%s (mode %d): %d events, want %d", cv->name, mode, rn->nev, nw)) {
    for (int k = 0; k < rn->nev; k++)
      fprintf(stderr, "  got  %c kind %d at %llu status %d%s\n", rn->ev[k].dir, rn->ev[k].kind,
              (unsigned long long)rn->ev[k].off, rn->ev[k].status, rn->ev[k].interim ? " interim" : "");
    for (int k = 0; k < nw; k++)
      fprintf(stderr, "  want %c kind %d at %llu status %d%s\n", want[k].dir, want[k].kind, (unsigned long long)want[k].off,
              want[k].status, want[k].interim ? " interim" : "");
  }
  /* the calls: their bytes, statuses and times */
  unit_check(rn->ncalls == cv->ncalls, __FILE__, __LINE__, "%s (mode %d): %d calls, want %d", cv->name, mode, rn->ncalls,
             cv->ncalls);
  uint64_t total = 0;
  for (int k = 0; k < rn->ncalls && k < cv->ncalls; k++) {
    const hf_call *h = &rn->calls[k];
    const want_call *w = &cv->calls[k];
    total += h->in + h->out;
    unit_check(h->in == win[k] && h->out == wout[k] && h->status == w->status && h->complete == w->complete &&
                   h->fallback == w->fallback,
               __FILE__, __LINE__, "%s (mode %d) call %d: in %llu out %llu status %d complete %d fallback %d, want %llu %llu %d %d %d",
               cv->name, mode, k, (unsigned long long)h->in, (unsigned long long)h->out, h->status, h->complete, h->fallback,
               (unsigned long long)win[k], (unsigned long long)wout[k], w->status, w->complete, w->fallback);
    if (mode == 0) {
      uint64_t end = w->at_close ? pos : last[k];
      unit_check(h->start_ns == first[k] && h->end_ns == end, __FILE__, __LINE__, "%s call %d: times %llu..%llu, want %llu..%llu",
                 cv->name, k, (unsigned long long)h->start_ns, (unsigned long long)h->end_ns, (unsigned long long)first[k],
                 (unsigned long long)end);
    }
  }
  /* every byte is in one call, or said to be in none */
  unit_check(total + c->unattributed == pos, __FILE__, __LINE__, "%s (mode %d): %llu bytes in calls, %llu in none, of %llu",
             cv->name, mode, (unsigned long long)total, (unsigned long long)c->unattributed, (unsigned long long)pos);
  free(rn);
  free(c);
}

UNIT_GROUP(httpframe) {
  unsigned seed = 12345;
  for (size_t i = 0; i < sizeof convs / sizeof convs[0]; i++)
    for (int mode = 0; mode < 12; mode++) check_conv(&convs[i], mode, &seed);

  /* a line longer than the parser keeps: the fallback, not a crash */
  size_t n = HF_LINE_MAX + 100;
  char *big = malloc(n + 64);
  if (!big) return;
  memcpy(big, "GET /", 5);
  memset(big + 5, 'a', n - 5);
  memcpy(big + n, " HTTP/1.1\r\n\r\n", 14);
  hf_conn *c = malloc(sizeof *c);
  if (!c) {
    free(big);
    return;
  }
  hf_init(c);
  run *rn = calloc(1, sizeof *rn);
  feed(c, rn, 'q', (const uint8_t *)big, n + 13, 0);
  CHECK(rn->nev == 2 && rn->ev[0].kind == HF_EV_REQ_BEGIN && rn->ev[1].kind == HF_EV_ERROR && rn->ev[1].off == n + 11);
  hf_call call;
  CHECK(hf_close(c, 1, &call) && call.fallback && call.in == n + 13 && !hf_close(c, 1, &call));

  /* more requests ahead of their answers than it keeps: the fallback */
  hf_init(c);
  memset(rn, 0, sizeof *rn);
  for (int k = 0; k < HF_PENDING + 1; k++) feed(c, rn, 'q', (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, 0);
  CHECK(rn->nev == 2 * HF_PENDING + 1 && rn->ev[rn->nev - 1].kind == HF_EV_ERROR);
  CHECK(hf_close(c, 1, &call) && call.fallback && call.in == 18u * (HF_PENDING + 1) && !hf_close(c, 1, &call));

  /* a connection that carried nothing: no call */
  hf_init(c);
  CHECK(!hf_close(c, 1, &call));
  free(rn);
  free(c);
  free(big);
}
