/* wasi2: wasi:sockets — network, instance-network, tcp-create-socket, tcp,
 * udp-create-socket, udp, ip-name-lookup — on host sockets, decided by the run's policy.
 *
 * Every host socket is non-blocking and lives in the preview1 context's fd table
 * (wasi_ctx_add_socket): it counts against the open-file limit, is closed through
 * fd_close, and its byte streams are preview1 fds, so reads, writes and the waits of
 * wasi:io/poll (poll_oneoff) are preview1's, woken by the run's deadline. What only the
 * network has is decided here: bind, listen and connect only to the endpoints the policy
 * grants (`[net] listen` / `connect`, policy_net_allowed), names resolved only when a
 * grant names them; a refusal is `access-denied`, logged as preview1's are. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sigs.h"
#include "wasi2_int.h"

/* wasi:sockets/network error-code, by case index */
enum { SE_UNKNOWN, SE_ACCESS_DENIED, SE_NOT_SUPPORTED, SE_INVALID_ARGUMENT, SE_OUT_OF_MEMORY, SE_TIMEOUT,
       SE_CONCURRENCY_CONFLICT, SE_NOT_IN_PROGRESS, SE_WOULD_BLOCK, SE_INVALID_STATE, SE_NEW_SOCKET_LIMIT,
       SE_ADDRESS_NOT_BINDABLE, SE_ADDRESS_IN_USE, SE_REMOTE_UNREACHABLE, SE_CONNECTION_REFUSED,
       SE_CONNECTION_RESET, SE_CONNECTION_ABORTED, SE_DATAGRAM_TOO_LARGE, SE_NAME_UNRESOLVABLE,
       SE_TEMPORARY_RESOLVER_FAILURE, SE_PERMANENT_RESOLVER_FAILURE };

/* TCP states (the spec's state machine) */
enum { TS_UNBOUND, TS_BIND_STARTED, TS_BOUND, TS_LISTEN_STARTED, TS_LISTENING, TS_CONNECT_STARTED,
       TS_CONNECTING, TS_CONNECTED, TS_CONNECT_FAILED };
/* UDP states */
enum { US_UNBOUND, US_BIND_STARTED, US_BOUND };

/* One address a granted name resolved to in this run: connecting to it is decided by the
 * name as well as by the literal. */
typedef struct w2_resolved {
  uint8_t family;                /* 0 ipv4, 1 ipv6 */
  uint8_t addr[16];
  char *name;
} w2_resolved;

struct w2_net {
  w2_resolved *v;
  size_t n, cap;
};

struct w2_sock {
  uint8_t family;                /* 0 ipv4, 1 ipv6 */
  uint8_t state;
  bool udp;
  int host;                      /* host fd (the preview1 fd owns it) */
  int connect_errno;             /* a finished connect's failure */
  bool streams;                  /* udp: stream() was called */
  uint32_t backlog;
  /* resolve-address-stream */
  struct sockaddr_storage *addrs;
  size_t naddrs, pos;
  uint8_t resolve_error;         /* an error to give instead of addresses; 0 none */
};

static uint32_t sock_errno(int e) {
  switch (e) {
  case EACCES: case EPERM: return SE_ACCESS_DENIED;
  case EAFNOSUPPORT: case EOPNOTSUPP: case EPROTONOSUPPORT: return SE_NOT_SUPPORTED;
  case EINVAL: case EDESTADDRREQ: return SE_INVALID_ARGUMENT;
  case ENOMEM: case ENOBUFS: return SE_OUT_OF_MEMORY;
  case ETIMEDOUT: return SE_TIMEOUT;
  case EAGAIN: return SE_WOULD_BLOCK;
  case EISCONN: case ENOTCONN: case EALREADY: return SE_INVALID_STATE;
  case EMFILE: case ENFILE: return SE_NEW_SOCKET_LIMIT;
  case EADDRNOTAVAIL: return SE_ADDRESS_NOT_BINDABLE;
  case EADDRINUSE: return SE_ADDRESS_IN_USE;
  case EHOSTUNREACH: case ENETUNREACH: case ENETDOWN: return SE_REMOTE_UNREACHABLE;
  case ECONNREFUSED: return SE_CONNECTION_REFUSED;
  case ECONNRESET: case EPIPE: return SE_CONNECTION_RESET;
  case ECONNABORTED: return SE_CONNECTION_ABORTED;
  case EMSGSIZE: return SE_DATAGRAM_TOO_LARGE;
  default: return SE_UNKNOWN;
  }
}

/* preview1 errno (a stream's error) -> error-code, for network-error-code */
static bool p1_sock_errno(uint16_t e, uint32_t *code) {
  switch (e) {
  case WASI_ECONNRESET: case WASI_EPIPE: *code = SE_CONNECTION_RESET; return true;
  case WASI_ECONNABORTED: *code = SE_CONNECTION_ABORTED; return true;
  case WASI_ECONNREFUSED: *code = SE_CONNECTION_REFUSED; return true;
  case WASI_ETIMEDOUT: *code = SE_TIMEOUT; return true;
  case WASI_EHOSTUNREACH: case WASI_ENETUNREACH: case WASI_ENETDOWN: *code = SE_REMOTE_UNREACHABLE; return true;
  case WASI_EACCES: case WASI_ENOTCAPABLE: *code = SE_ACCESS_DENIED; return true;
  case WASI_ENOTCONN: *code = SE_INVALID_STATE; return true;
  default: return false;
  }
}

/* ---------- results -------------------------------------------------------------------- */

static const char *err_code(wasi2 *w, comp_val *res, util_arena *a, uint32_t code) {
  comp_val *p = w2_vals(a, 1);
  if (!p) return W2_OOM(w);
  p->u.var.disc = code;
  w2_err(res, p);
  return NULL;
}

static const char *ok_unit(wasi2 *w, comp_val *res) {
  (void)w;
  w2_ok(res, NULL);
  return NULL;
}

static const char *ok_u(wasi2 *w, comp_val *res, util_arena *a, uint64_t v) {
  comp_val *p = w2_vals(a, 1);
  if (!p) return W2_OOM(w);
  p->u.u = v;
  w2_ok(res, p);
  return NULL;
}

/* ---------- addresses ------------------------------------------------------------------ */

/* ip-socket-address (a variant of records) -> sockaddr; false when malformed. */
static bool to_sockaddr(const comp_val *v, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  const comp_val *r = v->u.var.p;
  if (!r || r->u.seq.n < 2) return false;
  if (v->u.var.disc == 0) {
    struct sockaddr_in *s = (struct sockaddr_in *)ss;
    s->sin_family = AF_INET;
    s->sin_port = htons((uint16_t)r->u.seq.v[0].u.u);
    const comp_val *t = &r->u.seq.v[1];
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)t->u.seq.v[i].u.u;
    memcpy(&s->sin_addr, b, 4);
    *len = sizeof *s;
  } else {
    if (r->u.seq.n < 4) return false;
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons((uint16_t)r->u.seq.v[0].u.u);
    s->sin6_flowinfo = htonl((uint32_t)r->u.seq.v[1].u.u);
    const comp_val *t = &r->u.seq.v[2];
    for (int i = 0; i < 8; i++) {
      uint16_t x = (uint16_t)t->u.seq.v[i].u.u;
      s->sin6_addr.s6_addr[2 * i] = (uint8_t)(x >> 8);
      s->sin6_addr.s6_addr[2 * i + 1] = (uint8_t)x;
    }
    s->sin6_scope_id = (uint32_t)r->u.seq.v[3].u.u;
    *len = sizeof *s;
  }
  return true;
}

/* ip-address (no port) into v */
static const char *ip_val(wasi2 *w, util_arena *a, comp_val *v, const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
    comp_val *t = w2_vals(a, 5);
    if (!t) return W2_OOM(w);
    const uint8_t *b = (const uint8_t *)&s->sin_addr;
    for (int i = 0; i < 4; i++) t[1 + i].u.u = b[i];
    t[0].u.seq.v = &t[1];
    t[0].u.seq.n = 4;
    v->u.var.disc = 0;
    v->u.var.p = &t[0];
  } else {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
    comp_val *t = w2_vals(a, 9);
    if (!t) return W2_OOM(w);
    for (int i = 0; i < 8; i++)
      t[1 + i].u.u = (uint16_t)(s->sin6_addr.s6_addr[2 * i] << 8 | s->sin6_addr.s6_addr[2 * i + 1]);
    t[0].u.seq.v = &t[1];
    t[0].u.seq.n = 8;
    v->u.var.disc = 1;
    v->u.var.p = &t[0];
  }
  return NULL;
}

/* ip-socket-address into v */
static const char *sockaddr_val(wasi2 *w, util_arena *a, comp_val *v, const struct sockaddr_storage *ss) {
  comp_val ip = {0};
  const char *t = ip_val(w, a, &ip, ss);
  if (t) return t;
  bool v4 = ss->ss_family == AF_INET;
  comp_val *r = w2_vals(a, 5);
  if (!r) return W2_OOM(w);
  comp_val *f = &r[1];
  if (v4) {
    f[0].u.u = ntohs(((const struct sockaddr_in *)ss)->sin_port);
    f[1] = *ip.u.var.p;
    r->u.seq.n = 2;
  } else {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
    f[0].u.u = ntohs(s->sin6_port);
    f[1].u.u = ntohl(s->sin6_flowinfo);
    f[2] = *ip.u.var.p;
    f[3].u.u = s->sin6_scope_id;
    r->u.seq.n = 4;
  }
  r->u.seq.v = f;
  v->u.var.disc = v4 ? 0 : 1;
  v->u.var.p = r;
  return NULL;
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t n, uint32_t *port) {
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &s->sin_addr, buf, (socklen_t)n);
    *port = ntohs(s->sin_port);
  } else {
    const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
    inet_ntop(AF_INET6, &s->sin6_addr, buf, (socklen_t)n);
    *port = ntohs(s->sin6_port);
  }
}

/* Whether the policy grants `op` on the endpoint: by its literal, or by a name that
 * resolved to it earlier in the run. Logs a refusal (preview1's denial log) and says
 * why in `call`. */
static bool endpoint_allowed(wasi2 *w, const char *call, const struct sockaddr_storage *ss, uint32_t op) {
  const policy *p = wasi_ctx_policy(w->ctx);
  char host[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 16];
  uint32_t port = 0;
  addr_text(ss, host, sizeof host, &port);
  if (policy_net_allowed(p, host, port, op)) return true;
  const uint8_t *raw = ss->ss_family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr
                                                  : ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
  uint8_t fam = ss->ss_family == AF_INET ? 0 : 1;
  struct w2_net *net = w->net;
  for (size_t i = 0; net && i < net->n; i++)
    if (net->v[i].family == fam && memcmp(net->v[i].addr, raw, fam ? 16 : 4) == 0 &&
        policy_net_allowed(p, net->v[i].name, port, op))
      return true;
  snprintf(ep, sizeof ep, ss->ss_family == AF_INET ? "%s:%u" : "[%s]:%u", host, port);
  wasi_ctx_deny(w->ctx, call, ep, op == POLICY_NET_CONNECT ? "endpoint not granted ([net] connect)"
                                                          : "endpoint not granted ([net] listen)");
  return false;
}

/* ---------- the socket objects --------------------------------------------------------- */

static struct w2_sock *sock_of(wasi2 *w, uint8_t res, uint32_t idx) {
  w2_obj *o = w2_get(w, res, idx);
  return o ? o->sock : NULL;
}

void w2_sock_free(w2_obj *o) {
  if (!o->sock) return;
  free(o->sock->addrs);
  free(o->sock);
  o->sock = NULL;
}

void w2_net_free(wasi2 *w) {
  if (!w->net) return;
  for (size_t i = 0; i < w->net->n; i++) free(w->net->v[i].name);
  free(w->net->v);
  free(w->net);
  w->net = NULL;
}

/* Before `rep` (a socket, its stream or datagram stream) is released: its preview1 fd is
 * closed when nothing else holds it (a socket outlives neither its streams nor they it). */
void w2_sock_drop(wasi2 *w, uint32_t rep) {
  w2_obj *o = &w->objs[rep];
  if (!o->netfd) return;
  uint32_t fd = o->fd;
  for (size_t i = 0; i < w->nobjs; i++)
    if (i != rep && w->objs[i].res != W2_R_COUNT && w->objs[i].netfd && w->objs[i].fd == fd &&
        w->objs[i].res != W2_R_POLLABLE)
      return;
  uint64_t a[1] = {fd};
  (void)w2_p1(w, "fd_close", a);
  /* pollables on it would now wait on whatever reuses the number: make them ready */
  for (size_t i = 0; i < w->nobjs; i++)
    if (w->objs[i].res == W2_R_POLLABLE && w->objs[i].netfd && w->objs[i].fd == fd) w->objs[i].poll = W2_POLL_READY;
}

/* create-tcp-socket / create-udp-socket: ok(a new socket of resource res) over a fresh
 * host socket, or err(error-code). */
static const char *new_socket(wasi2 *w, uint8_t res, uint8_t family, comp_val *res_val, util_arena *a) {
  int host = socket(family ? AF_INET6 : AF_INET, (res == W2_R_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (host < 0) return err_code(w, res_val, a, sock_errno(errno));
  if (family) {
    int one = 1;
    (void)setsockopt(host, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  struct w2_sock *s = calloc(1, sizeof *s);
  if (!s) {
    close(host);
    return W2_OOM(w);
  }
  uint32_t fd;
  int e = wasi_ctx_add_socket(w->ctx, host, &fd);
  if (e) {
    free(s);
    return err_code(w, res_val, a, e == WASI_EMFILE || e == WASI_ENFILE ? SE_NEW_SOCKET_LIMIT : SE_OUT_OF_MEMORY);
  }
  s->family = family;
  s->udp = res == W2_R_UDP;
  s->host = host;
  s->backlog = 128;
  uint32_t idx;
  w2_obj *o = w2_new(w, res, &idx);
  if (!o) {
    free(s);
    uint64_t c[1] = {fd};
    (void)w2_p1(w, "fd_close", c);
    return W2_OOM(w);
  }
  o->fd = fd;
  o->netfd = true;
  o->sock = s;
  comp_val *h = w2_vals(a, 1);
  if (!h) return W2_OOM(w);
  w2_handle(w, h, res, idx);
  w2_ok(res_val, h);
  return NULL;
}

/* A stream (input or output) over a socket's fd. */
static const char *sock_stream(wasi2 *w, comp_val *v, uint8_t res, uint32_t fd) {
  const char *t = w2_stream(w, v, res, fd, false, 0, false);
  if (t) return t;
  w->objs[v->u.h.rep].netfd = true;
  return NULL;
}

static const char *pollable_on(wasi2 *w, comp_val *res, uint32_t fd, uint8_t kind) {
  uint32_t p;
  w2_obj *o = w2_new(w, W2_R_POLLABLE, &p);
  if (!o) return W2_OOM(w);
  o->poll = kind;
  o->fd = fd;
  o->netfd = true;
  w2_handle(w, res, W2_R_POLLABLE, p);
  return NULL;
}

/* ---------- network, instance-network -------------------------------------------------- */

static const char *instance_network(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  uint32_t idx;
  if (!w2_new(w, W2_R_NETWORK, &idx)) return W2_OOM(w);
  w2_handle(w, res, W2_R_NETWORK, idx);
  return NULL;
}

static const char *network_error_code(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_ERROR, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:sockets/network: not an error handle");
  uint32_t code;
  if (!p1_sock_errno(o->code, &code)) {
    res->u.var.disc = 0;
    res->u.var.p = NULL;
    return NULL;
  }
  comp_val *p = w2_vals(a, 1);
  if (!p) return W2_OOM(w);
  p->u.var.disc = code;
  res->u.var.disc = 1;
  res->u.var.p = p;
  return NULL;
}

static bool is_network(wasi2 *w, const comp_val *v) { return w2_get(w, W2_R_NETWORK, v->u.h.rep) != NULL; }

/* ---------- tcp ------------------------------------------------------------------------ */

static const char *create_tcp(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return new_socket(w, W2_R_TCP, (uint8_t)args[0].u.var.disc, res, a);
}

#define TCP_SELF(s)                                                                                               \
  struct w2_sock *s = sock_of(w, W2_R_TCP, args[0].u.h.rep);                                                     \
  if (!s) return w2_trap(w, "wasi:sockets/tcp: not a tcp-socket")

/* bind, shared by tcp and udp: the family must be the socket's; a fixed port is a
 * listening endpoint the policy must grant (an ephemeral one, port 0, is not). */
static const char *do_bind(wasi2 *w, struct w2_sock *s, const char *call, const comp_val *addr, comp_val *res,
                           util_arena *a) {
  struct sockaddr_storage ss;
  socklen_t len;
  if (!to_sockaddr(addr, &ss, &len) || addr->u.var.disc != s->family) return err_code(w, res, a, SE_INVALID_ARGUMENT);
  uint32_t port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
  if (port != 0 && !endpoint_allowed(w, call, &ss, POLICY_NET_LISTEN)) return err_code(w, res, a, SE_ACCESS_DENIED);
  if (!s->udp) {
    int one = 1;
    (void)setsockopt(s->host, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  if (bind(s->host, (struct sockaddr *)&ss, len) != 0) return err_code(w, res, a, sock_errno(errno));
  return ok_unit(w, res);
}

static const char *tcp_start_bind(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (!is_network(w, &args[1])) return w2_trap(w, "wasi:sockets/tcp: not a network");
  if (s->state != TS_UNBOUND) return err_code(w, res, a, SE_INVALID_STATE);
  const char *t = do_bind(w, s, "tcp-socket.start-bind", &args[2], res, a);
  if (!t && res->u.var.disc == 0) s->state = TS_BIND_STARTED;
  return t;
}

static const char *tcp_finish_bind(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (s->state != TS_BIND_STARTED) return err_code(w, res, a, SE_NOT_IN_PROGRESS);
  s->state = TS_BOUND;
  return ok_unit(w, res);
}

static const char *tcp_start_connect(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (!is_network(w, &args[1])) return w2_trap(w, "wasi:sockets/tcp: not a network");
  if (s->state != TS_UNBOUND && s->state != TS_BOUND) return err_code(w, res, a, SE_INVALID_STATE);
  struct sockaddr_storage ss;
  socklen_t len;
  if (!to_sockaddr(&args[2], &ss, &len) || args[2].u.var.disc != s->family)
    return err_code(w, res, a, SE_INVALID_ARGUMENT);
  uint32_t port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
  if (port == 0) return err_code(w, res, a, SE_INVALID_ARGUMENT);
  if (!endpoint_allowed(w, "tcp-socket.start-connect", &ss, POLICY_NET_CONNECT))
    return err_code(w, res, a, SE_ACCESS_DENIED);
  if (connect(s->host, (struct sockaddr *)&ss, len) == 0) {
    s->state = TS_CONNECT_STARTED;
    s->connect_errno = 0;
  } else if (errno == EINPROGRESS) {
    s->state = TS_CONNECTING;
  } else {
    return err_code(w, res, a, sock_errno(errno));
  }
  return ok_unit(w, res);
}

/* ok(tuple<input-stream, output-stream>) over the socket's fd */
static const char *stream_pair(wasi2 *w, uint32_t fd, comp_val *out, util_arena *a) {
  comp_val *t = w2_vals(a, 3);
  if (!t) return W2_OOM(w);
  const char *e = sock_stream(w, &t[1], W2_R_INPUT, fd);
  if (!e) e = sock_stream(w, &t[2], W2_R_OUTPUT, fd);
  if (e) return e;
  t[0].u.seq.v = &t[1];
  t[0].u.seq.n = 2;
  *out = t[0];
  return NULL;
}

static const char *tcp_finish_connect(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  uint32_t fd = w->objs[args[0].u.h.rep].fd;
  if (s->state == TS_CONNECTING) {
    struct pollfd p = {.fd = s->host, .events = POLLOUT};
    if (poll(&p, 1, 0) == 0) return err_code(w, res, a, SE_WOULD_BLOCK);
    int e = 0;
    socklen_t el = sizeof e;
    if (getsockopt(s->host, SOL_SOCKET, SO_ERROR, &e, &el) != 0) e = errno;
    s->connect_errno = e;
    s->state = TS_CONNECT_STARTED;
  }
  if (s->state != TS_CONNECT_STARTED) return err_code(w, res, a, SE_NOT_IN_PROGRESS);
  if (s->connect_errno) {
    s->state = TS_CONNECT_FAILED;
    return err_code(w, res, a, sock_errno(s->connect_errno));
  }
  comp_val *pair = w2_vals(a, 1);
  if (!pair) return W2_OOM(w);
  const char *t = stream_pair(w, fd, pair, a);
  if (t) return t;
  s->state = TS_CONNECTED;
  w2_ok(res, pair);
  return NULL;
}

static const char *tcp_start_listen(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (s->state != TS_BOUND) return err_code(w, res, a, SE_INVALID_STATE);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(s->host, (struct sockaddr *)&ss, &len) != 0) return err_code(w, res, a, sock_errno(errno));
  if (!endpoint_allowed(w, "tcp-socket.start-listen", &ss, POLICY_NET_LISTEN))
    return err_code(w, res, a, SE_ACCESS_DENIED);
  if (listen(s->host, (int)s->backlog) != 0) return err_code(w, res, a, sock_errno(errno));
  s->state = TS_LISTEN_STARTED;
  return ok_unit(w, res);
}

static const char *tcp_finish_listen(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (s->state != TS_LISTEN_STARTED) return err_code(w, res, a, SE_NOT_IN_PROGRESS);
  s->state = TS_LISTENING;
  return ok_unit(w, res);
}

static const char *tcp_accept(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (s->state != TS_LISTENING) return err_code(w, res, a, SE_INVALID_STATE);
  /* the room first, so a connection is never taken and then dropped for lack of it */
  if (wasi_ctx_socket_room(w->ctx, "tcp-socket.accept")) return err_code(w, res, a, SE_NEW_SOCKET_LIMIT);
  int h = accept4(s->host, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (h < 0) return err_code(w, res, a, errno == EWOULDBLOCK ? SE_WOULD_BLOCK : sock_errno(errno));
  uint8_t family = s->family;
  struct w2_sock *n = calloc(1, sizeof *n);
  if (!n) {
    close(h);
    return W2_OOM(w);
  }
  uint32_t fd;
  int e = wasi_ctx_add_socket(w->ctx, h, &fd);
  if (e) {
    free(n);
    return err_code(w, res, a, e == WASI_EMFILE || e == WASI_ENFILE ? SE_NEW_SOCKET_LIMIT : SE_OUT_OF_MEMORY);
  }
  n->family = family;
  n->host = h;
  n->state = TS_CONNECTED;
  uint32_t idx;
  w2_obj *o = w2_new(w, W2_R_TCP, &idx);
  if (!o) {
    free(n);
    uint64_t c[1] = {fd};
    (void)w2_p1(w, "fd_close", c);
    return W2_OOM(w);
  }
  o->fd = fd;
  o->netfd = true;
  o->sock = n;
  comp_val *t = w2_vals(a, 4);
  if (!t) return W2_OOM(w);
  w2_handle(w, &t[1], W2_R_TCP, idx);
  const char *err = sock_stream(w, &t[2], W2_R_INPUT, fd);
  if (!err) err = sock_stream(w, &t[3], W2_R_OUTPUT, fd);
  if (err) return err;
  t[0].u.seq.v = &t[1];
  t[0].u.seq.n = 3;
  w2_ok(res, &t[0]);
  return NULL;
}

static const char *an_address(wasi2 *w, struct w2_sock *s, bool remote, comp_val *res, util_arena *a) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  int r = remote ? getpeername(s->host, (struct sockaddr *)&ss, &len) : getsockname(s->host, (struct sockaddr *)&ss, &len);
  if (r != 0) return err_code(w, res, a, sock_errno(errno));
  if (!remote && ((!s->udp && s->state == TS_UNBOUND) || (s->udp && s->state == US_UNBOUND)))
    return err_code(w, res, a, SE_INVALID_STATE);
  comp_val *v = w2_vals(a, 1);
  if (!v) return W2_OOM(w);
  const char *t = sockaddr_val(w, a, v, &ss);
  if (t) return t;
  w2_ok(res, v);
  return NULL;
}

static const char *tcp_local_address(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  return an_address(w, s, false, res, a);
}

static const char *tcp_remote_address(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (s->state != TS_CONNECTED) return err_code(w, res, a, SE_INVALID_STATE);
  return an_address(w, s, true, res, a);
}

static const char *tcp_is_listening(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  TCP_SELF(s);
  res->u.b = s->state == TS_LISTENING;
  return NULL;
}

static const char *sock_family(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  uint32_t rep = args[0].u.h.rep;
  if (rep >= w->nobjs || (w->objs[rep].res != W2_R_TCP && w->objs[rep].res != W2_R_UDP) || !w->objs[rep].sock)
    return w2_trap(w, "wasi:sockets: not a socket");
  res->u.var.disc = w->objs[rep].sock->family;
  res->u.var.p = NULL;
  return NULL;
}

static const char *tcp_set_backlog(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  uint64_t v = args[1].u.u;
  if (v == 0) return err_code(w, res, a, SE_INVALID_ARGUMENT);
  if (s->state != TS_LISTENING && s->state != TS_UNBOUND && s->state != TS_BOUND)
    return err_code(w, res, a, SE_INVALID_STATE);
  s->backlog = v > 4096 ? 4096 : (uint32_t)v;
  if (s->state == TS_LISTENING && listen(s->host, (int)s->backlog) != 0) return err_code(w, res, a, sock_errno(errno));
  return ok_unit(w, res);
}

/* Socket options: one getter/setter pair per option, on the host socket. */
typedef struct sockopt {
  int level, name;
  uint64_t scale;                /* a duration in ns over the option's seconds */
} sockopt;

static const sockopt opt_keepalive = {SOL_SOCKET, SO_KEEPALIVE, 0};
static const sockopt opt_keepidle = {IPPROTO_TCP, TCP_KEEPIDLE, 1000000000ull};
static const sockopt opt_keepintvl = {IPPROTO_TCP, TCP_KEEPINTVL, 1000000000ull};
static const sockopt opt_keepcnt = {IPPROTO_TCP, TCP_KEEPCNT, 0};
static const sockopt opt_rcvbuf = {SOL_SOCKET, SO_RCVBUF, 0};
static const sockopt opt_sndbuf = {SOL_SOCKET, SO_SNDBUF, 0};

static const char *opt_get(wasi2 *w, struct w2_sock *s, const sockopt *o, int level6, int name6, comp_val *res,
                           util_arena *a) {
  int v = 0;
  socklen_t l = sizeof v;
  /* no option: the hop limit (IPv4's TTL) */
  int level = o ? o->level : (s->family ? level6 : IPPROTO_IP);
  int name = o ? o->name : (s->family ? name6 : IP_TTL);
  if (getsockopt(s->host, level, name, &v, &l) != 0) return err_code(w, res, a, sock_errno(errno));
  uint64_t u = (uint64_t)(v < 0 ? 0 : v);
  if (o && o->scale) u *= o->scale;
  if (o == &opt_keepalive) {
    comp_val *p = w2_vals(a, 1);
    if (!p) return W2_OOM(w);
    p->u.b = v != 0;
    w2_ok(res, p);
    return NULL;
  }
  return ok_u(w, res, a, u);
}

static const char *opt_set(wasi2 *w, struct w2_sock *s, const sockopt *o, uint64_t value, comp_val *res,
                           util_arena *a) {
  uint64_t v = value;
  if (o && o->scale) {
    if (v == 0) return err_code(w, res, a, SE_INVALID_ARGUMENT);
    v = (v + o->scale - 1) / o->scale; /* whole seconds, rounded up */
  }
  if (o == &opt_rcvbuf || o == &opt_sndbuf) {
    if (v == 0) return err_code(w, res, a, SE_INVALID_ARGUMENT);
    if (v > INT32_MAX / 2) v = INT32_MAX / 2; /* the host doubles it */
  } else if (v > INT32_MAX) {
    v = INT32_MAX;
  }
  if ((o == &opt_keepcnt) && v == 0) return err_code(w, res, a, SE_INVALID_ARGUMENT);
  int iv = (int)v;
  int level, name;
  if (o) {
    level = o->level;
    name = o->name;
  } else { /* hop limit */
    if (value == 0) return err_code(w, res, a, SE_INVALID_ARGUMENT);
    level = s->family ? IPPROTO_IPV6 : IPPROTO_IP;
    name = s->family ? IPV6_UNICAST_HOPS : IP_TTL;
  }
  if (setsockopt(s->host, level, name, &iv, sizeof iv) != 0) return err_code(w, res, a, sock_errno(errno));
  return ok_unit(w, res);
}

#define OPT_FUNCS(NAME, OPT)                                                                                      \
  static const char *tcp_get_##NAME(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {               \
    TCP_SELF(s);                                                                                                  \
    return opt_get(w, s, OPT, IPPROTO_IPV6, IPV6_UNICAST_HOPS, res, a);                                           \
  }                                                                                                               \
  static const char *tcp_set_##NAME(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {               \
    TCP_SELF(s);                                                                                                  \
    return opt_set(w, s, OPT, OPT == &opt_keepalive ? (uint64_t)args[1].u.b : args[1].u.u, res, a);               \
  }
OPT_FUNCS(keepalive, &opt_keepalive)
OPT_FUNCS(keepidle, &opt_keepidle)
OPT_FUNCS(keepintvl, &opt_keepintvl)
OPT_FUNCS(keepcnt, &opt_keepcnt)
OPT_FUNCS(hop, (const sockopt *)NULL)
OPT_FUNCS(rcvbuf, &opt_rcvbuf)
OPT_FUNCS(sndbuf, &opt_sndbuf)

static const char *tcp_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  TCP_SELF(s);
  uint32_t fd = w->objs[args[0].u.h.rep].fd;
  uint8_t kind = s->state == TS_CONNECTING ? W2_POLL_WRITE : s->state == TS_LISTENING ? W2_POLL_READ : W2_POLL_READY;
  return pollable_on(w, res, fd, kind);
}

static const char *tcp_shutdown(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  TCP_SELF(s);
  if (s->state != TS_CONNECTED) return err_code(w, res, a, SE_INVALID_STATE);
  uint32_t how = args[1].u.var.disc;
  if (shutdown(s->host, how == 0 ? SHUT_RD : how == 1 ? SHUT_WR : SHUT_RDWR) != 0)
    return err_code(w, res, a, sock_errno(errno));
  return ok_unit(w, res);
}

/* ---------- udp ------------------------------------------------------------------------ */

static const char *create_udp(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return new_socket(w, W2_R_UDP, (uint8_t)args[0].u.var.disc, res, a);
}

#define UDP_SELF(s)                                                                                               \
  struct w2_sock *s = sock_of(w, W2_R_UDP, args[0].u.h.rep);                                                     \
  if (!s) return w2_trap(w, "wasi:sockets/udp: not a udp-socket")

static const char *udp_start_bind(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  UDP_SELF(s);
  if (!is_network(w, &args[1])) return w2_trap(w, "wasi:sockets/udp: not a network");
  if (s->state != US_UNBOUND) return err_code(w, res, a, SE_INVALID_STATE);
  const char *t = do_bind(w, s, "udp-socket.start-bind", &args[2], res, a);
  if (!t && res->u.var.disc == 0) s->state = US_BIND_STARTED;
  return t;
}

static const char *udp_finish_bind(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  UDP_SELF(s);
  if (s->state != US_BIND_STARTED) return err_code(w, res, a, SE_NOT_IN_PROGRESS);
  s->state = US_BOUND;
  return ok_unit(w, res);
}

static const char *udp_stream(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  UDP_SELF(s);
  if (s->state != US_BOUND) return err_code(w, res, a, SE_INVALID_STATE);
  uint32_t self = args[0].u.h.rep, fd = w->objs[self].fd;
  /* the streams of an earlier call must have been dropped */
  for (size_t i = 0; i < w->nobjs; i++)
    if ((w->objs[i].res == W2_R_INDGRAM || w->objs[i].res == W2_R_OUTDGRAM) && w->objs[i].fd == fd)
      return err_code(w, res, a, SE_INVALID_STATE);
  if (args[1].u.var.disc == 1) {
    struct sockaddr_storage ss;
    socklen_t len;
    if (!to_sockaddr(args[1].u.var.p, &ss, &len) || args[1].u.var.p->u.var.disc != s->family)
      return err_code(w, res, a, SE_INVALID_ARGUMENT);
    if (!endpoint_allowed(w, "udp-socket.stream", &ss, POLICY_NET_CONNECT)) return err_code(w, res, a, SE_ACCESS_DENIED);
    if (connect(s->host, (struct sockaddr *)&ss, len) != 0) return err_code(w, res, a, sock_errno(errno));
  } else {
    struct sockaddr un = {.sa_family = AF_UNSPEC};
    (void)connect(s->host, &un, sizeof un); /* no longer connected */
  }
  comp_val *t = w2_vals(a, 3);
  if (!t) return W2_OOM(w);
  uint32_t i1, i2;
  w2_obj *o = w2_new(w, W2_R_INDGRAM, &i1);
  if (!o) return W2_OOM(w);
  o->fd = fd;
  o->netfd = true;
  o = w2_new(w, W2_R_OUTDGRAM, &i2);
  if (!o) return W2_OOM(w);
  o->fd = fd;
  o->netfd = true;
  w2_handle(w, &t[1], W2_R_INDGRAM, i1);
  w2_handle(w, &t[2], W2_R_OUTDGRAM, i2);
  t[0].u.seq.v = &t[1];
  t[0].u.seq.n = 2;
  w2_ok(res, &t[0]);
  return NULL;
}

static const char *udp_local_address(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  UDP_SELF(s);
  return an_address(w, s, false, res, a);
}

static const char *udp_remote_address(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  UDP_SELF(s);
  return an_address(w, s, true, res, a);
}

#define UDP_OPT_FUNCS(NAME, OPT)                                                                                  \
  static const char *udp_get_##NAME(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {               \
    UDP_SELF(s);                                                                                                  \
    return opt_get(w, s, OPT, IPPROTO_IPV6, IPV6_UNICAST_HOPS, res, a);                                           \
  }                                                                                                               \
  static const char *udp_set_##NAME(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {               \
    UDP_SELF(s);                                                                                                  \
    return opt_set(w, s, OPT, args[1].u.u, res, a);                                                               \
  }
UDP_OPT_FUNCS(hop, (const sockopt *)NULL)
UDP_OPT_FUNCS(rcvbuf, &opt_rcvbuf)
UDP_OPT_FUNCS(sndbuf, &opt_sndbuf)

/* A UDP socket itself has nothing to wait for (its datagram streams do). */
static const char *udp_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  UDP_SELF(s);
  (void)s;
  return pollable_on(w, res, w->objs[args[0].u.h.rep].fd, W2_POLL_READY);
}

/* The host socket behind a datagram stream (the udp-socket sharing its fd). */
static struct w2_sock *dgram_sock(wasi2 *w, uint8_t res, uint32_t rep) {
  w2_obj *o = w2_get(w, res, rep);
  if (!o) return NULL;
  for (size_t i = 0; i < w->nobjs; i++)
    if (w->objs[i].res == W2_R_UDP && w->objs[i].fd == o->fd) return w->objs[i].sock;
  return NULL;
}

/* The largest datagram read at once (UDP's own limit). */
#define W2_MAX_DGRAM 65535u

static const char *in_receive(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  if (!w2_get(w, W2_R_INDGRAM, args[0].u.h.rep)) return w2_trap(w, "wasi:sockets/udp: not an incoming-datagram-stream");
  struct w2_sock *s = dgram_sock(w, W2_R_INDGRAM, args[0].u.h.rep);
  if (!s) return err_code(w, res, a, SE_INVALID_STATE); /* its socket was dropped */
  uint64_t max = args[1].u.u;
  if (max > 64) max = 64;
  comp_val *l = w2_vals(a, (uint32_t)max), *list = w2_vals(a, 1);
  uint8_t *buf = malloc(W2_MAX_DGRAM);
  if (!l || !list || !buf) {
    free(buf);
    return W2_OOM(w);
  }
  uint32_t n = 0;
  uint64_t bytes = 0;
  const char *t = NULL;
  /* up to max datagrams, and no more once W2_MAX_IO bytes came (each byte is a value) */
  while (n < max && !t && bytes < W2_MAX_IO) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    ssize_t r = recvfrom(s->host, buf, W2_MAX_DGRAM, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK || n > 0) break;
      free(buf);
      return err_code(w, res, a, sock_errno(errno));
    }
    comp_val *f = w2_vals(a, 3), *data = w2_vals(a, (uint32_t)r);
    if (!f || !data) {
      t = W2_OOM(w);
      break;
    }
    for (ssize_t i = 0; i < r; i++) data[i].u.u = buf[i];
    bytes += (uint64_t)r;
    f[1].u.seq.v = data;
    f[1].u.seq.n = (uint32_t)r;
    t = sockaddr_val(w, a, &f[2], &ss);
    l[n].u.seq.v = &f[1];
    l[n].u.seq.n = 2;
    n++;
  }
  free(buf);
  if (t) return t;
  list->u.seq.v = l;
  list->u.seq.n = n;
  w2_ok(res, list);
  return NULL;
}

static const char *in_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  w2_obj *o = w2_get(w, W2_R_INDGRAM, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:sockets/udp: not an incoming-datagram-stream");
  return pollable_on(w, res, o->fd, W2_POLL_READ);
}

/* How many datagrams send takes at once (check-send's answer). */
#define W2_SEND_PERMIT 64u

static const char *out_check_send(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  w2_obj *o = w2_get(w, W2_R_OUTDGRAM, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:sockets/udp: not an outgoing-datagram-stream");
  o->offset = W2_SEND_PERMIT; /* the permit send may use */
  return ok_u(w, res, a, W2_SEND_PERMIT);
}

static const char *out_send(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  uint32_t rep = args[0].u.h.rep;
  w2_obj *o = w2_get(w, W2_R_OUTDGRAM, rep);
  if (!o) return w2_trap(w, "wasi:sockets/udp: not an outgoing-datagram-stream");
  struct w2_sock *s = dgram_sock(w, W2_R_OUTDGRAM, rep);
  if (!s) return err_code(w, res, a, SE_INVALID_STATE);
  uint32_t n = args[1].u.seq.n;
  if (n == 0) return ok_u(w, res, a, 0);
  if (n > o->offset) return w2_trap(w, "wasi:sockets/udp: send of %u datagrams without a check-send permitting them", n);
  struct sockaddr_storage peer;
  socklen_t pl = sizeof peer;
  bool connected = getpeername(s->host, (struct sockaddr *)&peer, &pl) == 0;
  uint8_t *buf = malloc(W2_MAX_DGRAM);
  if (!buf) return W2_OOM(w);
  uint64_t sent = 0;
  int fail = 0;
  uint32_t code = 0;
  for (uint32_t i = 0; i < n; i++) {
    const comp_val *d = &args[1].u.seq.v[i];
    const comp_val *data = &d->u.seq.v[0], *addr = &d->u.seq.v[1];
    if (data->u.seq.n > W2_MAX_DGRAM) {
      code = SE_DATAGRAM_TOO_LARGE, fail = 1;
      break;
    }
    for (uint32_t k = 0; k < data->u.seq.n; k++) buf[k] = (uint8_t)data->u.seq.v[k].u.u;
    struct sockaddr_storage ss;
    socklen_t len = 0;
    ssize_t r;
    if (addr->u.var.disc == 1) {
      if (!to_sockaddr(addr->u.var.p, &ss, &len) || addr->u.var.p->u.var.disc != s->family) {
        code = SE_INVALID_ARGUMENT, fail = 1;
        break;
      }
      if (connected) {
        /* a connected stream sends only to its remote address */
        uint32_t p1, p2;
        char h1[INET6_ADDRSTRLEN], h2[INET6_ADDRSTRLEN];
        addr_text(&ss, h1, sizeof h1, &p1);
        addr_text(&peer, h2, sizeof h2, &p2);
        if (p1 != p2 || strcmp(h1, h2) != 0) {
          code = SE_INVALID_ARGUMENT, fail = 1;
          break;
        }
        r = send(s->host, buf, data->u.seq.n, MSG_DONTWAIT | MSG_NOSIGNAL);
      } else {
        if (!endpoint_allowed(w, "outgoing-datagram-stream.send", &ss, POLICY_NET_CONNECT)) {
          code = SE_ACCESS_DENIED, fail = 1;
          break;
        }
        r = sendto(s->host, buf, data->u.seq.n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, len);
      }
    } else {
      if (!connected) {
        code = SE_INVALID_ARGUMENT, fail = 1;
        break;
      }
      r = send(s->host, buf, data->u.seq.n, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    if (r < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) code = sock_errno(errno), fail = 1;
      break;
    }
    sent++;
  }
  free(buf);
  w->objs[rep].offset -= sent < w->objs[rep].offset ? sent : w->objs[rep].offset;
  /* the datagrams before a failure count as sent */
  if (fail && sent == 0) return err_code(w, res, a, code);
  return ok_u(w, res, a, sent);
}

static const char *out_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  w2_obj *o = w2_get(w, W2_R_OUTDGRAM, args[0].u.h.rep);
  if (!o) return w2_trap(w, "wasi:sockets/udp: not an outgoing-datagram-stream");
  return pollable_on(w, res, o->fd, W2_POLL_WRITE);
}

/* ---------- ip-name-lookup ------------------------------------------------------------- */

/* A name may be looked up when a grant names it (any port, connect or listen); an IP
 * literal is answered without a lookup. */
static bool name_granted(const policy *p, const char *name) {
  for (size_t i = 0; i < p->nnet; i++)
    if (policy_net_allowed(p, name, p->net[i].port_lo, p->net[i].ops)) return true;
  return false;
}

static bool remember(wasi2 *w, const struct sockaddr_storage *ss, const char *name) {
  if (!w->net && !(w->net = calloc(1, sizeof *w->net))) return false;
  w2_resolved r = {.family = ss->ss_family == AF_INET ? 0 : 1};
  if (r.family == 0) memcpy(r.addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
  else memcpy(r.addr, ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr, 16);
  for (size_t i = 0; i < w->net->n; i++)
    if (w->net->v[i].family == r.family && memcmp(w->net->v[i].addr, r.addr, 16) == 0 &&
        strcasecmp(w->net->v[i].name, name) == 0)
      return true;
  if (w->net->n >= 4096) return true; /* enough: later names decide by literal only */
  r.name = strdup(name);
  if (!r.name) return false;
  if (!UTIL_VEC_TRY_PUSH(w->net->v, w->net->n, w->net->cap, r)) {
    free(r.name);
    return false;
  }
  return true;
}

static const char *resolve_addresses(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  if (!is_network(w, &args[0])) return w2_trap(w, "wasi:sockets/ip-name-lookup: not a network");
  uint32_t len = args[1].u.str.len;
  if (len == 0 || len > 253 || memchr(args[1].u.str.s, 0, len)) return err_code(w, res, a, SE_INVALID_ARGUMENT);
  char name[256];
  memcpy(name, args[1].u.str.s, len);
  name[len] = 0;
  unsigned char lit[16];
  /* "[::1]" is a literal too */
  char bare[256];
  snprintf(bare, sizeof bare, "%s", name);
  if (bare[0] == '[' && len > 2 && bare[len - 1] == ']') {
    memmove(bare, bare + 1, len - 2);
    bare[len - 2] = 0;
  }
  bool literal = inet_pton(AF_INET, bare, lit) == 1 || inet_pton(AF_INET6, bare, lit) == 1;
  if (!literal && !name_granted(wasi_ctx_policy(w->ctx), name)) {
    wasi_ctx_deny(w->ctx, "resolve-addresses", name, "host name not granted ([net])");
    return err_code(w, res, a, SE_ACCESS_DENIED);
  }
  struct w2_sock *s = calloc(1, sizeof *s);
  if (!s) return W2_OOM(w);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  if (literal) hints.ai_flags = AI_NUMERICHOST;
  struct addrinfo *ai = NULL;
  int g = getaddrinfo(literal ? bare : name, NULL, &hints, &ai);
  if (g != 0) {
    s->resolve_error = (uint8_t)(g == EAI_AGAIN ? SE_TEMPORARY_RESOLVER_FAILURE
                                 : g == EAI_NONAME || g == EAI_NODATA ? SE_NAME_UNRESOLVABLE
                                 : g == EAI_MEMORY ? SE_OUT_OF_MEMORY
                                                   : SE_PERMANENT_RESOLVER_FAILURE) + 1;
  }
  size_t n = 0;
  for (struct addrinfo *p = ai; p; p = p->ai_next) n++;
  s->addrs = n ? calloc(n, sizeof *s->addrs) : NULL;
  if (n && !s->addrs) {
    freeaddrinfo(ai);
    free(s);
    return W2_OOM(w);
  }
  for (struct addrinfo *p = ai; p; p = p->ai_next) {
    if (p->ai_family != AF_INET && p->ai_family != AF_INET6) continue;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, p->ai_addr, p->ai_addrlen);
    bool dup = false;
    for (size_t i = 0; i < s->naddrs && !dup; i++) dup = memcmp(&s->addrs[i], &ss, sizeof ss) == 0;
    if (dup) continue;
    s->addrs[s->naddrs++] = ss;
    if (!literal && !remember(w, &ss, name)) {
      freeaddrinfo(ai);
      free(s->addrs);
      free(s);
      return W2_OOM(w);
    }
  }
  if (ai) freeaddrinfo(ai);
  uint32_t idx;
  w2_obj *o = w2_new(w, W2_R_RESOLVE, &idx);
  if (!o) {
    free(s->addrs);
    free(s);
    return W2_OOM(w);
  }
  o->sock = s;
  comp_val *h = w2_vals(a, 1);
  if (!h) return W2_OOM(w);
  w2_handle(w, h, W2_R_RESOLVE, idx);
  w2_ok(res, h);
  return NULL;
}

static const char *resolve_next(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  struct w2_sock *s = sock_of(w, W2_R_RESOLVE, args[0].u.h.rep);
  if (!s) return w2_trap(w, "wasi:sockets/ip-name-lookup: not a resolve-address-stream");
  if (s->resolve_error) {
    uint32_t code = s->resolve_error - 1u;
    s->resolve_error = 0;
    return err_code(w, res, a, code);
  }
  comp_val *opt = w2_vals(a, 2);
  if (!opt) return W2_OOM(w);
  if (s->pos < s->naddrs) {
    const char *t = ip_val(w, a, &opt[1], &s->addrs[s->pos++]);
    if (t) return t;
    opt[0].u.var.disc = 1;
    opt[0].u.var.p = &opt[1];
  } else {
    opt[0].u.var.disc = 0;
    opt[0].u.var.p = NULL;
  }
  w2_ok(res, &opt[0]);
  return NULL;
}

/* The lookup was done when the stream was made: always ready. */
static const char *resolve_subscribe(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  if (!sock_of(w, W2_R_RESOLVE, args[0].u.h.rep))
    return w2_trap(w, "wasi:sockets/ip-name-lookup: not a resolve-address-stream");
  uint32_t p;
  w2_obj *o = w2_new(w, W2_R_POLLABLE, &p);
  if (!o) return W2_OOM(w);
  o->poll = W2_POLL_READY;
  w2_handle(w, res, W2_R_POLLABLE, p);
  return NULL;
}

/* ---------- the interfaces ------------------------------------------------------------- */

#define S_SEC                                                                                                     \
  "(enum \"unknown\" \"access-denied\" \"not-supported\" \"invalid-argument\" \"out-of-memory\" \"timeout\" "     \
  "\"concurrency-conflict\" \"not-in-progress\" \"would-block\" \"invalid-state\" \"new-socket-limit\" "          \
  "\"address-not-bindable\" \"address-in-use\" \"remote-unreachable\" \"connection-refused\" "                    \
  "\"connection-reset\" \"connection-aborted\" \"datagram-too-large\" \"name-unresolvable\" "                     \
  "\"temporary-resolver-failure\" \"permanent-resolver-failure\")"
#define S_FAM "(enum \"ipv4\" \"ipv6\")"
#define S_V4 "(tuple u8 u8 u8 u8)"
#define S_V6 "(tuple u16 u16 u16 u16 u16 u16 u16 u16)"
#define S_IP "(variant (case \"ipv4\" " S_V4 ") (case \"ipv6\" " S_V6 "))"
#define S_SA                                                                                                      \
  "(variant (case \"ipv4\" (record (field \"port\" u16) (field \"address\" " S_V4 "))) (case \"ipv6\" (record "  \
  "(field \"port\" u16) (field \"flow-info\" u32) (field \"address\" " S_V6 ") (field \"scope-id\" u32))))"
#define S_NR(t) S_R("(result " t " (error " S_SEC "))")
#define S_NR0 S_R("(result (error " S_SEC "))")
#define S_SELF S_P(S_BORROW)

const w2_func w2_net_network_funcs[] = {
  {"network-error-code", network_error_code, S_FN(S_P(S_BORROW), S_R("(option " S_SEC ")"))},
  {NULL, NULL, NULL}};
const w2_func w2_net_instance_funcs[] = {{"instance-network", instance_network, S_FN("", S_R(S_OWN))},
                                                 {NULL, NULL, NULL}};
const w2_func w2_net_tcp_create_funcs[] = {
  {"create-tcp-socket", create_tcp, S_FN(S_P(S_FAM), S_NR(S_OWN))}, {NULL, NULL, NULL}};
const w2_func w2_net_udp_create_funcs[] = {
  {"create-udp-socket", create_udp, S_FN(S_P(S_FAM), S_NR(S_OWN))}, {NULL, NULL, NULL}};

const w2_func w2_net_tcp_funcs[] = {
  {"[method]tcp-socket.start-bind", tcp_start_bind, S_FN(S_SELF S_P(S_BORROW) S_P(S_SA), S_NR0)},
  {"[method]tcp-socket.finish-bind", tcp_finish_bind, S_FN(S_SELF, S_NR0)},
  {"[method]tcp-socket.start-connect", tcp_start_connect, S_FN(S_SELF S_P(S_BORROW) S_P(S_SA), S_NR0)},
  {"[method]tcp-socket.finish-connect", tcp_finish_connect, S_FN(S_SELF, S_NR("(tuple " S_OWN " " S_OWN ")"))},
  {"[method]tcp-socket.start-listen", tcp_start_listen, S_FN(S_SELF, S_NR0)},
  {"[method]tcp-socket.finish-listen", tcp_finish_listen, S_FN(S_SELF, S_NR0)},
  {"[method]tcp-socket.accept", tcp_accept, S_FN(S_SELF, S_NR("(tuple " S_OWN " " S_OWN " " S_OWN ")"))},
  {"[method]tcp-socket.local-address", tcp_local_address, S_FN(S_SELF, S_NR(S_SA))},
  {"[method]tcp-socket.remote-address", tcp_remote_address, S_FN(S_SELF, S_NR(S_SA))},
  {"[method]tcp-socket.is-listening", tcp_is_listening, S_FN(S_SELF, S_R("bool"))},
  {"[method]tcp-socket.address-family", sock_family, S_FN(S_SELF, S_R(S_FAM))},
  {"[method]tcp-socket.set-listen-backlog-size", tcp_set_backlog, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]tcp-socket.keep-alive-enabled", tcp_get_keepalive, S_FN(S_SELF, S_NR("bool"))},
  {"[method]tcp-socket.set-keep-alive-enabled", tcp_set_keepalive, S_FN(S_SELF S_P("bool"), S_NR0)},
  {"[method]tcp-socket.keep-alive-idle-time", tcp_get_keepidle, S_FN(S_SELF, S_NR("u64"))},
  {"[method]tcp-socket.set-keep-alive-idle-time", tcp_set_keepidle, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]tcp-socket.keep-alive-interval", tcp_get_keepintvl, S_FN(S_SELF, S_NR("u64"))},
  {"[method]tcp-socket.set-keep-alive-interval", tcp_set_keepintvl, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]tcp-socket.keep-alive-count", tcp_get_keepcnt, S_FN(S_SELF, S_NR("u32"))},
  {"[method]tcp-socket.set-keep-alive-count", tcp_set_keepcnt, S_FN(S_SELF S_P("u32"), S_NR0)},
  {"[method]tcp-socket.hop-limit", tcp_get_hop, S_FN(S_SELF, S_NR("u8"))},
  {"[method]tcp-socket.set-hop-limit", tcp_set_hop, S_FN(S_SELF S_P("u8"), S_NR0)},
  {"[method]tcp-socket.receive-buffer-size", tcp_get_rcvbuf, S_FN(S_SELF, S_NR("u64"))},
  {"[method]tcp-socket.set-receive-buffer-size", tcp_set_rcvbuf, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]tcp-socket.send-buffer-size", tcp_get_sndbuf, S_FN(S_SELF, S_NR("u64"))},
  {"[method]tcp-socket.set-send-buffer-size", tcp_set_sndbuf, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]tcp-socket.subscribe", tcp_subscribe, S_FN(S_SELF, S_R(S_OWN))},
  {"[method]tcp-socket.shutdown", tcp_shutdown, S_FN(S_SELF S_P("(enum \"receive\" \"send\" \"both\")"), S_NR0)},
  {NULL, NULL, NULL}};

#define S_INDG "(record (field \"data\" (list u8)) (field \"remote-address\" " S_SA "))"
#define S_OUTDG "(record (field \"data\" (list u8)) (field \"remote-address\" (option " S_SA ")))"

const w2_func w2_net_udp_funcs[] = {
  {"[method]udp-socket.start-bind", udp_start_bind, S_FN(S_SELF S_P(S_BORROW) S_P(S_SA), S_NR0)},
  {"[method]udp-socket.finish-bind", udp_finish_bind, S_FN(S_SELF, S_NR0)},
  {"[method]udp-socket.stream", udp_stream, S_FN(S_SELF S_P("(option " S_SA ")"), S_NR("(tuple " S_OWN " " S_OWN ")"))},
  {"[method]udp-socket.local-address", udp_local_address, S_FN(S_SELF, S_NR(S_SA))},
  {"[method]udp-socket.remote-address", udp_remote_address, S_FN(S_SELF, S_NR(S_SA))},
  {"[method]udp-socket.address-family", sock_family, S_FN(S_SELF, S_R(S_FAM))},
  {"[method]udp-socket.unicast-hop-limit", udp_get_hop, S_FN(S_SELF, S_NR("u8"))},
  {"[method]udp-socket.set-unicast-hop-limit", udp_set_hop, S_FN(S_SELF S_P("u8"), S_NR0)},
  {"[method]udp-socket.receive-buffer-size", udp_get_rcvbuf, S_FN(S_SELF, S_NR("u64"))},
  {"[method]udp-socket.set-receive-buffer-size", udp_set_rcvbuf, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]udp-socket.send-buffer-size", udp_get_sndbuf, S_FN(S_SELF, S_NR("u64"))},
  {"[method]udp-socket.set-send-buffer-size", udp_set_sndbuf, S_FN(S_SELF S_P("u64"), S_NR0)},
  {"[method]udp-socket.subscribe", udp_subscribe, S_FN(S_SELF, S_R(S_OWN))},
  {"[method]incoming-datagram-stream.receive", in_receive, S_FN(S_SELF S_P("u64"), S_NR("(list " S_INDG ")"))},
  {"[method]incoming-datagram-stream.subscribe", in_subscribe, S_FN(S_SELF, S_R(S_OWN))},
  {"[method]outgoing-datagram-stream.check-send", out_check_send, S_FN(S_SELF, S_NR("u64"))},
  {"[method]outgoing-datagram-stream.send", out_send, S_FN(S_SELF S_P("(list " S_OUTDG ")"), S_NR("u64"))},
  {"[method]outgoing-datagram-stream.subscribe", out_subscribe, S_FN(S_SELF, S_R(S_OWN))},
  {NULL, NULL, NULL}};

const w2_func w2_net_lookup_funcs[] = {
  {"resolve-addresses", resolve_addresses, S_FN(S_P(S_BORROW) S_P("string"), S_NR(S_OWN))},
  {"[method]resolve-address-stream.resolve-next-address", resolve_next, S_FN(S_SELF, S_NR("(option " S_IP ")"))},
  {"[method]resolve-address-stream.subscribe", resolve_subscribe, S_FN(S_SELF, S_R(S_OWN))},
  {NULL, NULL, NULL}};
