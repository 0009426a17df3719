/* wasi2: wasi:io — errors, input and output streams over preview1 fds, pollables and
 * poll (preview1's poll_oneoff, which the store's deadline wakes). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sigs.h"
#include "wasi2_int.h"

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint64_t host_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------- wasi:io/error -------------------------------------------------------------- */

static const char *error_debug(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_ERROR, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:io/error: not an error handle");
  char buf[96];
  int n = snprintf(buf, sizeof buf, "%s (preview1 errno %u)", w2_error_code_names[w2_error_code(o->code)], o->code);
  char *s = util_arena_try_alloc(a, (size_t)n + 1);
  if (!s) return W2_OOM(w);
  memcpy(s, buf, (size_t)n + 1);
  res->u.str.s = s;
  res->u.str.len = (uint32_t)n;
  return NULL;
}

const w2_func w2_error_funcs[] = {{"[method]error.to-debug-string", error_debug, S_FN(S_P(S_BORROW), S_R("string"))},
    {NULL, NULL, NULL}};

/* ---------- streams -------------------------------------------------------------------- */

const char *w2_stream(wasi2 *w, comp_val *v, uint8_t res, uint32_t fd, bool positional, uint64_t offset, bool append) {
  uint32_t idx;
  w2_obj *o = w2_new(w, res, &idx);
  if (!o) return W2_OOM(w);
  o->fd = fd;
  o->positional = positional;
  o->offset = offset;
  o->append = append;
  w2_handle(w, v, res, idx);
  return NULL;
}

/* err(stream-error): last-operation-failed with an error resource for a preview1 errno,
 * or closed (e == 0). */
static const char *stream_fail(wasi2 *w, comp_val *res, util_arena *a, int e) {
  comp_val *se = w2_vals(a, 2);
  if (!se) return W2_OOM(w);
  if (e == 0) {
    se->u.var.disc = 1; /* closed */
  } else {
    uint32_t idx;
    w2_obj *o = w2_new(w, W2_R_ERROR, &idx);
    if (!o) return W2_OOM(w);
    o->code = (uint16_t)e;
    se->u.var.disc = 0;
    se->u.var.p = &se[1];
    w2_handle(w, &se[1], W2_R_ERROR, idx);
  }
  w2_err(res, se);
  return NULL;
}

/* Reads up to len bytes into the scratch memory at offset 16: *n bytes, or an errno. */
static int read_some(wasi2 *w, uint32_t idx, uint64_t len, uint32_t *n) {
  w2_obj *o = &w->objs[idx];
  if (o->h) return w2_http_read(w, idx, len, n);
  if (len > W2_MAX_IO) len = W2_MAX_IO;
  if (!w2_scratch(w, 16 + len)) return w2_trap(w, "wasi: out of memory"), -1;
  put32(w->mem, 16);
  put32(w->mem + 4, (uint32_t)len);
  int e;
  if (o->positional) {
    uint64_t a[5] = {o->fd, 0, 1, o->offset, 8};
    e = w2_p1(w, "fd_pread", a);
  } else {
    uint64_t a[4] = {o->fd, 0, 1, 8};
    e = w2_p1(w, "fd_read", a);
  }
  if (e) return e;
  *n = get32(w->mem + 8);
  if (*n > len) *n = (uint32_t)len;
  w->objs[idx].offset += *n;
  return 0;
}

static const char *input_read(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t idx = args[0].u.h.rep, n = 0;
  if (!w2_get(w, W2_R_INPUT, idx)) return w2_trap(w, "wasi:io/streams: not an input-stream");
  uint64_t len = args[1].u.u;
  if (len == 0) {
    w2_ok(res, w2_vals(a, 1));
    return res->u.var.p ? NULL : W2_OOM(w);
  }
  int e = read_some(w, idx, len, &n);
  if (e < 0) return w->msg;
  if (e || n == 0) return stream_fail(w, res, a, e);
  comp_val *list = w2_vals(a, 1), *bytes = w2_vals(a, n);
  if (!list || !bytes) return W2_OOM(w);
  for (uint32_t i = 0; i < n; i++) bytes[i].u.u = w->mem[16 + i];
  list->u.seq.v = bytes;
  list->u.seq.n = n;
  w2_ok(res, list);
  return NULL;
}

/* wait_ready comes later in this file: the non-blocking read of a socket asks it first */
static const char *wait_ready(wasi2 *w, const uint32_t *reps, uint32_t n, bool once, bool *ready);

/* `read` must not block: on a socket with nothing to read it answers an empty list (on
 * other streams it reads as blocking-read does, see README.md). */
static const char *input_read_now(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_INPUT, args[0].u.h.rep);
  if (o && o->netfd && args[1].u.u) {
    uint32_t fd = o->fd, p;
    w2_obj *q = w2_new(w, W2_R_POLLABLE, &p);
    if (!q) return W2_OOM(w);
    q->poll = W2_POLL_READ;
    q->fd = fd;
    bool ready = false;
    const char *t = wait_ready(w, &p, 1, true, &ready);
    w2_release(w, p);
    if (t) return t;
    if (!ready) {
      w2_ok(res, w2_vals(a, 1));
      return res->u.var.p ? NULL : W2_OOM(w);
    }
  }
  return input_read(w, args, res, a);
}

static const char *input_skip(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t idx = args[0].u.h.rep, n = 0;
  if (!w2_get(w, W2_R_INPUT, idx)) return w2_trap(w, "wasi:io/streams: not an input-stream");
  comp_val *count = w2_vals(a, 1);
  if (!count) return W2_OOM(w);
  if (args[1].u.u) {
    int e = read_some(w, idx, args[1].u.u, &n);
    if (e < 0) return w->msg;
    if (e || n == 0) return stream_fail(w, res, a, e);
  }
  count->u.u = n;
  w2_ok(res, count);
  return NULL;
}

/* Writes n bytes (at offset 128 of the scratch memory) to an output stream, all of them
 * or up to an error. */
static int write_all(wasi2 *w, uint32_t idx, uint64_t n) {
  if (w->objs[idx].h) return w2_http_write(w, idx, n);
  uint64_t done = 0;
  while (done < n) {
    w2_obj *o = &w->objs[idx];
    put32(w->mem, (uint32_t)(128 + done));
    put32(w->mem + 4, (uint32_t)(n - done));
    int e;
    if (o->append) {
      /* at the end of the file as it is now */
      uint64_t st[2] = {o->fd, 64};
      e = w2_p1(w, "fd_filestat_get", st);
      if (e) return e;
      o->offset = get64(w->mem + 64 + 32);
    }
    if (o->positional || o->append) {
      uint64_t a[5] = {o->fd, 0, 1, o->offset, 8};
      e = w2_p1(w, "fd_pwrite", a);
    } else if (o->netfd) { /* a socket: a peer that went away is EPIPE, not SIGPIPE */
      uint64_t a[5] = {o->fd, 0, 1, 0, 8};
      e = w2_p1(w, "sock_send", a);
    } else {
      uint64_t a[4] = {o->fd, 0, 1, 8};
      e = w2_p1(w, "fd_write", a);
    }
    if (e) return e;
    uint32_t k = get32(w->mem + 8);
    if (k == 0) return WASI_EIO;
    w->objs[idx].offset += k;
    done += k;
  }
  return 0;
}

static const char *output_write(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t idx = args[0].u.h.rep;
  if (!w2_get(w, W2_R_OUTPUT, idx)) return w2_trap(w, "wasi:io/streams: not an output-stream");
  uint32_t n = args[1].u.seq.n;
  if (!w2_scratch(w, 128 + (uint64_t)n)) return W2_OOM(w);
  for (uint32_t i = 0; i < n; i++) w->mem[128 + i] = (uint8_t)args[1].u.seq.v[i].u.u;
  int e = write_all(w, idx, n);
  if (e < 0) return w->msg;
  if (e) return stream_fail(w, res, a, e);
  w2_ok(res, NULL);
  return NULL;
}

static const char *output_write_zeroes(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t idx = args[0].u.h.rep;
  if (!w2_get(w, W2_R_OUTPUT, idx)) return w2_trap(w, "wasi:io/streams: not an output-stream");
  uint64_t left = args[1].u.u;
  while (left) {
    uint64_t k = left > W2_MAX_IO ? W2_MAX_IO : left;
    if (!w2_scratch(w, 128 + k)) return W2_OOM(w);
    memset(w->mem + 128, 0, k);
    int e = write_all(w, idx, k);
    if (e < 0) return w->msg;
    if (e) return stream_fail(w, res, a, e);
    left -= k;
  }
  w2_ok(res, NULL);
  return NULL;
}

static const char *output_check_write(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  if (!w2_get(w, W2_R_OUTPUT, args[0].u.h.rep)) return w2_trap(w, "wasi:io/streams: not an output-stream");
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  v->u.u = W2_MAX_IO;
  w2_ok(res, v);
  return NULL;
}

/* Writes go straight to the host: there is nothing to flush. */
static const char *output_flush(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  if (!w2_get(w, W2_R_OUTPUT, args[0].u.h.rep)) return w2_trap(w, "wasi:io/streams: not an output-stream");
  w2_ok(res, NULL);
  return NULL;
}

static const char *output_splice(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t out = args[0].u.h.rep, in = args[1].u.h.rep, n = 0;
  if (!w2_get(w, W2_R_OUTPUT, out) || !w2_get(w, W2_R_INPUT, in))
    return w2_trap(w, "wasi:io/streams: splice needs an output-stream and an input-stream");
  comp_val *count = w2_vals(a, 1);
  if (!count) return W2_OOM(w);
  if (args[2].u.u) {
    int e = read_some(w, in, args[2].u.u, &n);
    if (e < 0) return w->msg;
    if (e || n == 0) return stream_fail(w, res, a, e);
    if (!w2_scratch(w, 128 + (uint64_t)n)) return W2_OOM(w);
    memmove(w->mem + 128, w->mem + 16, n);
    e = write_all(w, out, n);
    if (e < 0) return w->msg;
    if (e) return stream_fail(w, res, a, e);
  }
  count->u.u = n;
  w2_ok(res, count);
  return NULL;
}

static const char *subscribe(wasi2 *w, comp_val *res, uint32_t idx, uint8_t kind) {
  if (w->objs[idx].h) return w2_http_subscribe(w, res, idx);
  uint32_t fd = w->objs[idx].fd;
  /* a file is always ready; a pipe, terminal or socket when the host says so */
  bool plain = w->objs[idx].positional || w->objs[idx].append;
  uint32_t p;
  w2_obj *o = w2_new(w, W2_R_POLLABLE, &p);
  if (!o) return W2_OOM(w);
  o->poll = plain ? W2_POLL_READY : kind;
  o->fd = fd;
  o->netfd = w->objs[idx].netfd;
  w2_handle(w, res, W2_R_POLLABLE, p);
  return NULL;
}

static const char *input_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  if (!w2_get(w, W2_R_INPUT, args[0].u.h.rep)) return w2_trap(w, "wasi:io/streams: not an input-stream");
  return subscribe(w, res, args[0].u.h.rep, W2_POLL_READ);
}

static const char *output_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  if (!w2_get(w, W2_R_OUTPUT, args[0].u.h.rep)) return w2_trap(w, "wasi:io/streams: not an output-stream");
  return subscribe(w, res, args[0].u.h.rep, W2_POLL_WRITE);
}

const w2_func w2_streams_funcs[] = {
  {"[method]input-stream.read", input_read_now, S_FN(S_P(S_BORROW) S_P("u64"), S_ST("(list u8)"))},
  {"[method]input-stream.blocking-read", input_read, S_FN(S_P(S_BORROW) S_P("u64"), S_ST("(list u8)"))},
  {"[method]input-stream.skip", input_skip, S_FN(S_P(S_BORROW) S_P("u64"), S_ST("u64"))},
  {"[method]input-stream.blocking-skip", input_skip, S_FN(S_P(S_BORROW) S_P("u64"), S_ST("u64"))},
  {"[method]input-stream.subscribe", input_subscribe, S_FN(S_P(S_BORROW), S_R(S_OWN))},
  {"[method]output-stream.check-write", output_check_write, S_FN(S_P(S_BORROW), S_ST("u64"))},
  {"[method]output-stream.write", output_write, S_FN(S_P(S_BORROW) S_P("(list u8)"), S_ST0)},
  {"[method]output-stream.blocking-write-and-flush", output_write, S_FN(S_P(S_BORROW) S_P("(list u8)"), S_ST0)},
  {"[method]output-stream.flush", output_flush, S_FN(S_P(S_BORROW), S_ST0)},
  {"[method]output-stream.blocking-flush", output_flush, S_FN(S_P(S_BORROW), S_ST0)},
  {"[method]output-stream.subscribe", output_subscribe, S_FN(S_P(S_BORROW), S_R(S_OWN))},
  {"[method]output-stream.write-zeroes", output_write_zeroes, S_FN(S_P(S_BORROW) S_P("u64"), S_ST0)},
  {"[method]output-stream.blocking-write-zeroes-and-flush", output_write_zeroes, S_FN(S_P(S_BORROW) S_P("u64"), S_ST0)},
  {"[method]output-stream.splice", output_splice, S_FN(S_P(S_BORROW) S_P(S_BORROW) S_P("u64"), S_ST("u64"))},
  {"[method]output-stream.blocking-splice", output_splice, S_FN(S_P(S_BORROW) S_P(S_BORROW) S_P("u64"), S_ST("u64"))},
  {NULL, NULL, NULL},
};

/* ---------- wasi:io/poll --------------------------------------------------------------- */

/* Waits until at least one of the pollables is ready (or, with `once`, only checks): sets
 * ready[i]. Fd pollables and clocks go to preview1's poll_oneoff: its waits wake for the
 * run's deadline, and a relative clock is allowed whatever the policy says of clocks. */
static const char *wait_ready(wasi2 *w, const uint32_t *reps, uint32_t n, bool once, bool *ready) {
  uint64_t now = host_monotonic();
  bool any = false;
  for (uint32_t i = 0; i < n; i++) {
    w2_obj *o = w2_get(w, W2_R_POLLABLE, reps[i]);
    if (!o) return w2_trap(w, "wasi:io/poll: not a pollable");
    ready[i] = o->poll == W2_POLL_READY || (o->poll == W2_POLL_CLOCK && o->deadline <= now) ||
               (o->poll == W2_POLL_HTTP && w2_http_ready(w, o));
    any |= ready[i];
  }
  if (any) return NULL;
  uint64_t need = (uint64_t)n * 48 + 48 + (uint64_t)(n + 1) * 32 + 8;
  if (!w2_scratch(w, need)) return W2_OOM(w);
  memset(w->mem, 0, need);
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) {
    w2_obj *o = &w->objs[reps[i]];
    uint8_t *s = w->mem + (uint64_t)k * 48;
    put64(s, i);
    if (o->poll == W2_POLL_CLOCK) {
      s[8] = 0;
      put32(s + 16, 1); /* monotonic */
      put64(s + 24, o->deadline - now);
    } else if (o->poll == W2_POLL_HTTP) { /* a transfer: look again after a tick */
      put64(s, UINT64_MAX - 1);
      s[8] = 0;
      put32(s + 16, 1);
      put64(s + 24, W2_HTTP_TICK);
    } else {
      s[8] = o->poll == W2_POLL_READ ? 1 : 2;
      put32(s + 16, o->fd);
    }
    k++;
  }
  if (once) { /* a zero timeout: only what is ready now */
    uint8_t *s = w->mem + (uint64_t)k * 48;
    put64(s, UINT64_MAX);
    s[8] = 0;
    put32(s + 16, 1);
    k++;
  }
  uint64_t out = (uint64_t)k * 48, nev = out + (uint64_t)k * 32;
  uint64_t a[4] = {0, out, k, nev};
  int e = w2_p1(w, "poll_oneoff", a);
  if (e < 0) return w->msg;
  if (e) return w2_trap(w, "wasi:io/poll: poll_oneoff failed (preview1 errno %d)", e);
  uint32_t got = get32(w->mem + nev);
  for (uint32_t j = 0; j < got && j < k; j++) {
    uint64_t ud = get64(w->mem + out + (uint64_t)j * 32);
    if (ud < n) ready[ud] = true;
  }
  return NULL;
}

static const char *poll_list(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t n = args[0].u.seq.n;
  if (n == 0) return w2_trap(w, "wasi:io/poll.poll: an empty list of pollables");
  uint32_t *reps = malloc(sizeof *reps * n);
  bool *ready = calloc(n, sizeof *ready);
  if (!reps || !ready) {
    free(reps);
    free(ready);
    return W2_OOM(w);
  }
  for (uint32_t i = 0; i < n; i++) reps[i] = args[0].u.seq.v[i].u.h.rep;
  const char *t = NULL;
  bool any = false;
  while (!t && !any) {
    t = wait_ready(w, reps, n, false, ready);
    for (uint32_t i = 0; !t && i < n; i++) any |= ready[i];
  }
  comp_val *l = t ? NULL : w2_vals(a, n);
  uint32_t m = 0;
  for (uint32_t i = 0; l && i < n; i++)
    if (ready[i]) l[m++].u.u = i;
  free(reps);
  free(ready);
  if (t) return t;
  if (!l) return W2_OOM(w);
  res->u.seq.v = l;
  res->u.seq.n = m;
  return NULL;
}

static const char *pollable_ready(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  uint32_t rep = args[0].u.h.rep;
  bool ready = false;
  const char *t = wait_ready(w, &rep, 1, true, &ready);
  res->u.b = ready;
  return t;
}

static const char *pollable_block(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)res, (void)a;
  uint32_t rep = args[0].u.h.rep;
  bool ready = false;
  const char *t = NULL;
  while (!t && !ready) t = wait_ready(w, &rep, 1, false, &ready);
  return t;
}

const w2_func w2_poll_funcs[] = {
  {"poll", poll_list, S_FN(S_P("(list " S_BORROW ")"), S_R("(list u32)"))},
    {"[method]pollable.ready", pollable_ready, S_FN(S_P(S_BORROW), S_R("bool"))},
    {"[method]pollable.block", pollable_block, S_FN(S_P(S_BORROW), "")},
  {NULL, NULL, NULL}};
