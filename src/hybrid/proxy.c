/* The executor's proxy: every interaction between services passes through it and is
 * measured. A route is a loopback listening socket — in the caller's network namespace
 * for a container, on the host for published ports — whose connections are relayed to
 * the callee: to a WebAssembly service's socket on the host's loopback, or to a
 * container's port inside its own network namespace (the socket is made there with
 * setns(2) on a short-lived thread, so no interface or address is ever configured).
 *
 * A TCP call is one connection: bytes each way, the time from accept to the end of the
 * exchange, an error when the callee could not be reached or nothing moved. An HTTP call
 * is one request: the relay follows the framing of both directions as the bytes pass
 * (httpframe.c, nothing held back), and each request counts with its bytes, the time from
 * its first byte to its answer's last, and an error when the answer's status is 500 or
 * more or no whole answer came. A connection that stops looking like HTTP is counted from
 * there on as one call (and as such in the path's counters, for weld diag). A caller of an
 * unreachable HTTP callee gets a 502 answer, one failed call. Pipeline streams (stdout to
 * stdin) are copied by a pump that counts their bytes. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exec_int.h"
#include "hybrid/httpframe.h"

void hy_stats_init(hy_stats *st) {
  memset(st, 0, sizeof *st);
  pthread_mutex_init(&st->mu, NULL);
}

void hy_stats_record(hy_stats *st, uint64_t lat_us, bool error, uint64_t in, uint64_t out) {
  uint64_t now = hy_now_ns();
  hy_stats_record_at(st, now - lat_us * 1000, now, error, in, out);
}

void hy_stats_record_at(hy_stats *st, uint64_t t0_ns, uint64_t t1_ns, bool error, uint64_t in, uint64_t out) {
  uint64_t lat_us = t1_ns > t0_ns ? (t1_ns - t0_ns) / 1000 : 0;
  /* the monotonic times on the wall clock, by how long ago the call ended */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  uint64_t mono = hy_now_ns(), ago = mono > t1_ns ? mono - t1_ns : 0;
  hy_span sp = {.end_unix_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec - ago, .in = in, .out = out,
                .error = error};
  sp.start_unix_ns = sp.end_unix_ns - lat_us * 1000;
  /* random IDs (a trace per call: nothing carries a trace context across the proxy) */
  if (getrandom(sp.id, sizeof sp.id, 0) != (ssize_t)sizeof sp.id) {
    static _Atomic uint64_t seq;
    uint64_t v = ++seq ^ sp.end_unix_ns;
    for (size_t i = 0; i < sizeof sp.id; i++) sp.id[i] = (uint8_t)(v >> (8 * (i % 8))) ^ (uint8_t)i;
  }
  pthread_mutex_lock(&st->mu);
  st->spans[st->calls % HY_SPANS] = sp;
  st->calls++;
  if (error) st->errors++;
  st->bytes_in += in, st->bytes_out += out;
  st->lat_sum_us += lat_us;
  if (lat_us > st->lat_max_us) st->lat_max_us = lat_us;
  int b = 0;
  while (b + 1 < HY_LAT_BUCKETS && (lat_us >> (b + 1))) b++;
  st->lat_hist[b]++;
  pthread_mutex_unlock(&st->mu);
}

/* ---------- sockets in a network namespace ---------- */

typedef struct ns_req {
  int nsfd, fd, err;
} ns_req;

static void *ns_socket_thread(void *arg) {
  ns_req *r = arg;
  if (setns(r->nsfd, CLONE_NEWNET) != 0) {
    r->err = errno;
    return NULL;
  }
  r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (r->fd < 0) r->err = errno;
  return NULL;
}

/* A TCP socket in the namespace nsfd (-1: this thread's). */
static int ns_socket(int nsfd) {
  if (nsfd < 0) return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ns_req r = {nsfd, -1, 0};
  pthread_t t;
  if (pthread_create(&t, NULL, ns_socket_thread, &r) != 0) return -1;
  pthread_join(t, NULL);
  if (r.fd < 0) errno = r.err;
  return r.fd;
}

static struct sockaddr_in loopback(uint32_t port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

int hy_listen(int nsfd, uint32_t *port, util_error *err) {
  int fd = ns_socket(nsfd);
  if (fd < 0) {
    util_fail(err, UTIL_ERR_IO, -1, "socket: %s", strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = loopback(*port);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
    util_fail(err, UTIL_ERR_IO, -1, "cannot listen on 127.0.0.1:%u%s: %s", *port, nsfd >= 0 ? " (in a container)" : "",
              strerror(errno));
    close(fd);
    return -1;
  }
  socklen_t sl = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &sl);
  *port = ntohs(sa.sin_port);
  return fd;
}

/* ---------- relaying one connection ---------- */

/* A connection being relayed, with a copy of its route: a closed route's slot may be
 * reused while relays it accepted still run. */
typedef struct conn {
  hy_route r;
  int cfd;
  uint64_t t0;
} conn;

static bool write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w, n -= (size_t)w;
  }
  return true;
}

static int connect_callee(hy_route *r) {
  hy_svc *to = r->to;
  int nsfd = -1;
  if (to->tech == PLAN_CONTAINER) {
    pthread_mutex_lock(&to->mu);
    nsfd = to->netns_fd >= 0 ? dup(to->netns_fd) : -1;
    pthread_mutex_unlock(&to->mu);
    if (nsfd < 0) return -1; /* not running */
  }
  int fd = ns_socket(nsfd);
  if (nsfd >= 0) close(nsfd);
  if (fd < 0) return -1;
  struct sockaddr_in sa = loopback(__atomic_load_n(&r->to_port, __ATOMIC_RELAXED));
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void relay_done(hy_app *a) {
  pthread_mutex_lock(&a->routes_mu);
  if (--a->relays == 0) pthread_cond_broadcast(&a->idle);
  pthread_mutex_unlock(&a->routes_mu);
}

/* An HTTP call the framing reported: an error when no whole answer came or its status is
 * 500 or more; the rest of a connection that stopped looking like HTTP, when nothing came
 * back. */
static void http_record(hy_stats *st, const hf_call *c) {
  bool error = c->fallback ? c->out == 0 : !c->complete || c->status >= 500;
  hy_stats_record_at(st, c->start_ns, c->end_ns, error, c->in, c->out);
}

/* Follows n bytes of direction d through the framing, recording the calls they end. */
static void http_follow(hy_route *r, hf_conn *h, hf_dir d, const char *p, size_t n) {
  uint64_t now = hy_now_ns();
  while (n) {
    hf_event ev;
    size_t k = hf_feed(h, d, (const uint8_t *)p, n, now, &ev);
    p += k, n -= k;
    if (ev.has_call) http_record(r->stats, &ev.call);
    if (ev.kind == HF_EV_ERROR) {
      pthread_mutex_lock(&r->stats->mu);
      if (!r->stats->unframed++) snprintf(r->stats->unframed_why, sizeof r->stats->unframed_why, "%s", ev.why);
      pthread_mutex_unlock(&r->stats->mu);
    }
    if (!k && ev.kind == HF_EV_NONE) break; /* cannot happen: the framing always moves */
  }
}

static void *relay(void *arg) {
  conn *c = arg;
  hy_route route = c->r, *r = &route;
  int cfd = c->cfd;
  uint64_t t0 = c->t0, in = 0, out = 0;
  free(c);
  bool error = false;
  int up = connect_callee(r);
  hf_conn *h = NULL;
  if (up >= 0 && r->http && !(h = malloc(sizeof *h))) {
    close(up);
    up = -1; /* out of memory: answered as unreachable */
  }
  if (h) hf_init(h);
  if (up < 0) {
    error = true;
    if (r->http) {
      static const char bad[] = "HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n"
                                "Connection: close\r\n\r\nweld: service unreachable";
      write_all(cfd, bad, sizeof bad - 1);
      /* let the caller read it: closing with its request unread would reset the
       * connection and lose the answer */
      shutdown(cfd, SHUT_WR);
      struct timeval tv = {1, 0};
      setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char sink[4096];
      while (recv(cfd, sink, sizeof sink, 0) > 0) {
      }
    }
  } else {
    char buf[16384];
    bool cin = true, uin = true; /* each side may still send */
    while (cin || uin) {
      struct pollfd p[2] = {{cfd, cin ? POLLIN : 0, 0}, {up, uin ? POLLIN : 0, 0}};
      if (poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        error = true;
        break;
      }
      if (cin && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = recv(cfd, buf, sizeof buf, 0);
        if (n > 0) {
          in += (uint64_t)n;
          if (!write_all(up, buf, (size_t)n)) error = true, cin = uin = false;
          if (h) http_follow(r, h, HF_REQUEST, buf, (size_t)n);
        } else {
          cin = false;
          shutdown(up, SHUT_WR);
        }
      }
      if (uin && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = recv(up, buf, sizeof buf, 0);
        if (n > 0) {
          out += (uint64_t)n;
          if (!write_all(cfd, buf, (size_t)n)) error = true, cin = uin = false;
          if (h) http_follow(r, h, HF_RESPONSE, buf, (size_t)n);
        } else {
          if (n < 0) error = true;
          uin = false;
          shutdown(cfd, SHUT_WR);
          cin = false; /* the callee answered and closed: the call is over */
        }
      }
    }
    close(up);
  }
  close(cfd);
  if (h) {
    /* the requests the connection's end completes or leaves unanswered */
    uint64_t now = hy_now_ns();
    hf_call call;
    while (hf_close(h, now, &call)) http_record(r->stats, &call);
    free(h);
  } else if (r->http) {
    hy_stats_record(r->stats, (hy_now_ns() - t0) / 1000, true, in, out); /* unreachable */
  } else {
    if (out == 0 && in == 0) error = true;
    hy_stats_record(r->stats, (hy_now_ns() - t0) / 1000, error, in, out);
  }
  relay_done(r->app);
  return NULL;
}

static void *accept_loop(void *arg) {
  hy_route *r = arg;
  for (;;) {
    int cfd = accept4(r->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) continue;
      return NULL; /* shut down */
    }
    if (r->app->stopping) {
      close(cfd);
      continue;
    }
    conn *c = malloc(sizeof *c);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&r->app->routes_mu);
    r->app->relays++;
    pthread_mutex_unlock(&r->app->routes_mu);
    if (c) *c = (conn){*r, cfd, hy_now_ns()};
    if (!c || pthread_create(&t, &at, relay, c) != 0) {
      free(c);
      close(cfd);
      relay_done(r->app);
    }
    pthread_attr_destroy(&at);
  }
}

bool hy_route_add(hy_app *a, const hy_svc *from, int listen_fd, hy_svc *to, uint32_t to_port, bool http,
                  hy_stats *st, util_error *err) {
  pthread_mutex_lock(&a->routes_mu);
  /* accept threads point into the table, so it never moves: a closed route's slot is
   * taken again (a service that keeps restarting), else the next one */
  hy_route *r = NULL;
  for (size_t i = 0; !r && i < a->nroutes; i++)
    if (a->routes[i].listen_fd < 0 && !a->routes[i].started) r = &a->routes[i];
  if (!r && a->nroutes < a->caproutes) r = &a->routes[a->nroutes++];
  if (!r) {
    pthread_mutex_unlock(&a->routes_mu);
    close(listen_fd);
    return util_fail(err, UTIL_ERR_OOM, -1, "too many routes");
  }
  *r = (hy_route){.app = a, .from = from, .listen_fd = listen_fd, .to = to, .to_port = to_port, .http = http,
                  .stats = st};
  bool ok = pthread_create(&r->thread, NULL, accept_loop, r) == 0;
  r->started = ok;
  pthread_mutex_unlock(&a->routes_mu);
  if (!ok) return util_fail(err, UTIL_ERR_IO, -1, "cannot start a proxy thread");
  return true;
}

static void route_close(hy_route *r) {
  if (r->listen_fd < 0) return;
  shutdown(r->listen_fd, SHUT_RDWR);
  if (r->started) pthread_join(r->thread, NULL);
  close(r->listen_fd);
  r->listen_fd = -1;
  r->started = false;
}

void hy_routes_close_from(hy_app *a, const hy_svc *from) {
  pthread_mutex_lock(&a->routes_mu);
  size_t n = a->nroutes;
  pthread_mutex_unlock(&a->routes_mu);
  for (size_t i = 0; i < n; i++)
    if (a->routes[i].from == from) route_close(&a->routes[i]);
}

void hy_routes_retarget(hy_app *a, const hy_svc *to, uint32_t port) {
  pthread_mutex_lock(&a->routes_mu);
  for (size_t i = 0; i < a->nroutes; i++)
    if (a->routes[i].to == to) __atomic_store_n(&a->routes[i].to_port, port, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&a->routes_mu);
}

void hy_routes_close_all(hy_app *a) {
  pthread_mutex_lock(&a->routes_mu);
  size_t n = a->nroutes;
  pthread_mutex_unlock(&a->routes_mu);
  for (size_t i = 0; i < n; i++) route_close(&a->routes[i]);
  /* relays in flight end when either side closes; give them a moment */
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 2;
  pthread_mutex_lock(&a->routes_mu);
  while (a->relays && pthread_cond_timedwait(&a->idle, &a->routes_mu, &until) == 0) {
  }
  pthread_mutex_unlock(&a->routes_mu);
}

/* ---------- pipeline streams ---------- */

typedef struct pump {
  int in, out;
  hy_stats *st;
} pump;

static void *pump_thread(void *arg) {
  pump p = *(pump *)arg;
  free(arg);
  uint64_t t0 = hy_now_ns();
  char buf[65536];
  bool error = false;
  for (;;) {
    ssize_t r = read(p.in, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      error = r < 0;
      break;
    }
    pthread_mutex_lock(&p.st->mu);
    p.st->bytes_out += (uint64_t)r;
    pthread_mutex_unlock(&p.st->mu);
    const char *q = buf;
    size_t left = (size_t)r;
    while (left) {
      ssize_t w = write(p.out, q, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      q += w, left -= (size_t)w;
    }
    if (left) {
      error = true; /* the reader went away */
      break;
    }
  }
  close(p.in);
  close(p.out);
  /* the bytes were counted as they went */
  hy_stats_record(p.st, (hy_now_ns() - t0) / 1000, error, 0, 0);
  return NULL;
}

bool hy_pipe_pump(hy_app *a, int in_fd, int out_fd, hy_stats *st, util_error *err) {
  (void)a;
  pump *p = malloc(sizeof *p);
  if (!p) {
    close(in_fd), close(out_fd);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  *p = (pump){in_fd, out_fd, st};
  pthread_t t;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  bool ok = pthread_create(&t, &at, pump_thread, p) == 0;
  pthread_attr_destroy(&at);
  if (!ok) {
    free(p);
    close(in_fd), close(out_fd);
    return util_fail(err, UTIL_ERR_IO, -1, "cannot start a pipe thread");
  }
  return true;
}
