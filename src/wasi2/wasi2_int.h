/* wasi2: private state shared by the files of this folder. */
#ifndef WELD_WASI2_INT_H
#define WELD_WASI2_INT_H

#include <stdint.h>
#include <string.h>

#include "../wasi/preview1.h"
#include "wasi2.h"

/* The resource types wasi2 implements. */
enum { W2_R_ERROR, W2_R_POLLABLE, W2_R_INPUT, W2_R_OUTPUT, W2_R_DESC, W2_R_DIRSTREAM, W2_R_TERM_IN, W2_R_TERM_OUT,
       /* wasi:sockets (sockets.c) */
       W2_R_NETWORK, W2_R_TCP, W2_R_UDP, W2_R_INDGRAM, W2_R_OUTDGRAM, W2_R_RESOLVE,
       /* wasi:http/types (http.c) */
       W2_R_FIELDS, W2_R_INREQ, W2_R_OUTREQ, W2_R_REQOPTS, W2_R_OUTPARAM, W2_R_INRESP, W2_R_INBODY, W2_R_FUTTRAILERS,
       W2_R_OUTRESP, W2_R_OUTBODY, W2_R_FUTRESP,
       W2_R_COUNT };

/* What a pollable waits for. */
enum { W2_POLL_READY, W2_POLL_READ, W2_POLL_WRITE, W2_POLL_CLOCK, W2_POLL_HTTP /* http.c: w2_http_ready */ };

typedef struct w2_dirent {
  char *name;
  uint8_t type;                  /* descriptor-type */
} w2_dirent;

/* One object behind a handle: the representation of every wasi2 resource is its index
 * in w->objs. */
typedef struct w2_obj {
  uint8_t res;                   /* W2_R_*; W2_R_COUNT: a free slot */
  uint32_t fd;                   /* preview1 fd: streams, descriptors, fd pollables */
  bool preopen;                  /* a descriptor get-directories gave: not closed on drop */
  bool positional;               /* a stream at `offset` (fd_pread/fd_pwrite) */
  bool append;                   /* an output stream that writes at the end of the file */
  uint64_t offset;
  uint16_t code;                 /* errors: the preview1 errno */
  uint8_t poll;                  /* pollables: W2_POLL_* */
  uint64_t deadline;             /* W2_POLL_CLOCK: CLOCK_MONOTONIC ns */
  w2_dirent *ents;               /* directory-entry-stream */
  size_t nents, pos;
  bool netfd;                    /* fd is a socket sockets.c opened (closed with its last holder) */
  struct w2_sock *sock;          /* sockets, resolve-address streams (sockets.c) */
  struct w2_h *h;                /* wasi:http objects, and streams and pollables of theirs
                                    (http.c; counted references) */
  bool ro;                       /* fields: immutable */
} w2_obj;

struct wasi2 {
  wasi_ctx *ctx;
  comp_resource *rt[W2_R_COUNT];
  w2_obj *objs;
  size_t nobjs, capobjs;
  uint8_t *mem;                  /* scratch memory the preview1 calls address */
  uint64_t memsize;
  void **binds;                  /* the env of each registered host function */
  size_t nbinds, capbinds;
  struct w2_net *net;            /* addresses granted names resolved to (sockets.c) */
  bool exited;
  int exit_code;
  struct w2_http *http;          /* wasi:http's state (http.c); NULL until used */
  char msg[512];                 /* a trap's message */
};

/* The largest read, write or random buffer one call moves. */
#define W2_MAX_IO 65536u

/* ---------- helpers (wasi2.c) ---------------------------------------------------------- */

/* The scratch memory at least n bytes long; false when out of memory. */
bool w2_scratch(wasi2 *w, uint64_t n);
/* Runs a preview1 call on the scratch memory: its errno, or -1 (w->msg set) when the call
 * could not run (the trap the host function returns). */
int w2_p1(wasi2 *w, const char *name, const uint64_t *args);
/* A trap message (printf-style) in w->msg. */
const char *w2_trap(wasi2 *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new object of resource `res` (its index in *idx); NULL when out of memory. The table
 * may move: pointers to objects are stale afterwards. */
w2_obj *w2_new(wasi2 *w, uint8_t res, uint32_t *idx);
/* The object a handle names, when it is of resource `res`; NULL otherwise. */
w2_obj *w2_get(wasi2 *w, uint8_t res, uint32_t idx);
void w2_release(wasi2 *w, uint32_t idx);

/* Values: ok / err of a result, handles, the error-code enum. */
comp_val *w2_vals(util_arena *a, uint32_t n);
static inline void w2_ok(comp_val *r, comp_val *payload) { r->u.var.disc = 0; r->u.var.p = payload; }
static inline void w2_err(comp_val *r, comp_val *payload) { r->u.var.disc = 1; r->u.var.p = payload; }
static inline void w2_handle(wasi2 *w, comp_val *v, uint8_t res, uint32_t idx) {
  v->u.h.rt = w->rt[res];
  v->u.h.rep = idx;
}
/* preview1 errno -> wasi:filesystem/types error-code (an enum case index) */
uint32_t w2_error_code(uint16_t p1errno);
/* The case names of error-code (arrays: no relocations at start-up). */
extern const char w2_error_code_names[][22];
/* result<_, error-code> from a preview1 errno; NULL or a trap (out of memory). */
const char *w2_fs_result(wasi2 *w, comp_val *r, int e, util_arena *a);

/* An out-of-memory trap. */
#define W2_OOM(w) w2_trap((w), "wasi: out of memory")

/* The host functions of one interface. */
typedef const char *(*w2_fn)(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a);
typedef struct w2_func {
  const char *name;
  w2_fn fn;
  const char *sig;               /* its type (sigs.h) */
} w2_func;

/* io.c: streams, pollables, errors, poll; fs.c: wasi:filesystem. NULL-terminated. */
extern const w2_func w2_error_funcs[], w2_poll_funcs[], w2_streams_funcs[];
extern const w2_func w2_types_funcs[], w2_preopens_funcs[];
/* A new stream on a preview1 fd (streams are objects of W2_R_INPUT / W2_R_OUTPUT). */
const char *w2_stream(wasi2 *w, comp_val *v, uint8_t res, uint32_t fd, bool positional, uint64_t offset, bool append);

/* sockets.c: wasi:sockets. w2_sock_drop runs before an object is released (closes its
 * socket when nothing else holds it); w2_sock_free frees an object's socket state;
 * w2_net_free the context's. */
extern const w2_func w2_net_network_funcs[], w2_net_instance_funcs[], w2_net_tcp_create_funcs[], w2_net_tcp_funcs[],
    w2_net_udp_create_funcs[], w2_net_udp_funcs[], w2_net_lookup_funcs[];
void w2_sock_drop(wasi2 *w, uint32_t rep);
void w2_sock_free(w2_obj *o);
void w2_net_free(wasi2 *w);
/* http.c: wasi:http. Streams and pollables of HTTP bodies and responses (o->h set) are
 * answered here; the stream functions of io.c hand them over. */
extern const w2_func w2_http_types_funcs[], w2_http_outgoing_funcs[];
int w2_http_read(wasi2 *w, uint32_t idx, uint64_t len, uint32_t *n);   /* into mem + 16 */
int w2_http_write(wasi2 *w, uint32_t idx, uint64_t n);                 /* from mem + 128 */
bool w2_http_ready(wasi2 *w, w2_obj *pollable);
const char *w2_http_subscribe(wasi2 *w, comp_val *res, uint32_t idx);
void w2_http_unref(wasi2 *w, struct w2_h *h);
void w2_http_free(wasi2 *w);
/* How long a wait on an unfinished HTTP transfer sleeps before looking again (ns). */
#define W2_HTTP_TICK 2000000ull

#endif
