/* What the executor's files share: the running application (services, interactions, the
 * proxy's counters) held by the supervisor process. See executor.h for the entry points
 * and docs/executor.md for the design. */
#ifndef WELD_HYBRID_EXEC_INT_H
#define WELD_HYBRID_EXEC_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "hybrid/executor.h"
#include "hybrid/history.h"
#include "hybrid/manifest.h"
#include "util/util.h"

#define HY_MAX_INSTANCES 256
#define HY_LAT_BUCKETS 32 /* latency histogram: bucket b holds [2^b, 2^(b+1)) microseconds */

typedef enum { HY_CREATED, HY_STARTING, HY_RUNNING, HY_EXITED, HY_FAILED, HY_BACKOFF, HY_STOPPED } hy_state;
const char *hy_state_name(hy_state s);

/* The counters of one measured path (an interaction, or calls from the host to a
 * published port). Updated by relay threads under mu. */
/* One measured call, kept for traces (weld diag --otel). */
typedef struct hy_span {
  uint64_t start_unix_ns, end_unix_ns, in, out;
  uint8_t id[24]; /* trace ID (16 bytes), then span ID (8) */
  bool error;
} hy_span;

#define HY_SPANS 256 /* the last calls per path kept as spans */

typedef struct hy_stats {
  pthread_mutex_t mu;
  uint64_t calls, errors, bytes_in, bytes_out;
  uint64_t lat_sum_us, lat_max_us;
  uint64_t lat_hist[HY_LAT_BUCKETS];
  hy_span spans[HY_SPANS]; /* a ring: call k is spans[k % HY_SPANS] */
  uint64_t unframed;       /* HTTP connections that stopped looking like HTTP (each then one call) */
  char unframed_why[128];  /* the first one's reason */
} hy_stats;

/* A copy of a path's counters, taken under its lock. */
typedef struct hy_snap {
  uint64_t calls, errors, in, out, sum, max, hist[HY_LAT_BUCKETS];
} hy_snap;

struct hy_app;
struct hy_svc;

/* A wasm service's instance: its thread and store (weld objects behind void pointers, so
 * this header needs nothing of the runtime's). */
typedef struct hy_inst {
  struct hy_svc *svc;
  int index;
  pthread_t thread;
  bool started, done; /* done: the thread has finished and waits to be joined */
  void *store;        /* weld_store *, set while a call runs (under svc->mu) */
  int exit_code;      /* proc_exit's status, 0 after _start returned, 134 after a trap */
  char why[256];      /* the trap or error that ended it */
  uint64_t restart_at_ns;
  pthread_mutex_t *mu;
} hy_inst;

typedef struct hy_svc {
  struct hy_app *app;
  const manifest_service *ms;
  size_t index;
  int tech; /* PLAN_WASM or PLAN_CONTAINER */
  const char *why_tech;
  hy_state state;
  uint32_t restarts;
  int exit_code;   /* of the last stop, -1 while none */
  char reason[256]; /* why it failed */
  uint64_t restart_at_ns; /* HY_BACKOFF: when to start again */
  char log_path[4096];
  int log_fd;
  /* stdio ends given to the service; -1 = /dev/null (stdin) or the log (stdout) */
  int stdin_fd, stdout_fd;
  /* the port others reach it on (wasm: listen; container: the first port's container
   * side), 0 when none */
  uint32_t port;
  pthread_mutex_t mu;
  /* container */
  char id[160];
  char bundle[4096];
  pid_t pid;     /* the container's init process, 0 when none */
  int netns_fd;  /* its network namespace, -1 when none (under mu) */
  /* wasm */
  void *module;  /* weld_module * shared by every instance */
  void *wasm_shared; /* the policy and options its instances share (wasmsvc.c) */
  int listen_fd; /* the loopback socket handed in, -1 when none */
  hy_inst *inst;
  uint32_t ninst;
  /* measured for the history (history.c) */
  uint64_t started_ns;   /* when its current technology started, 0 while not */
  double start_ms;       /* how long that start took, -1 unknown */
  int64_t peak_mem;      /* the most memory seen since (bytes), -1 unknown */
  uint64_t seg_ns;       /* the start of the period the next record covers */
  int64_t seg_cpu_ns;    /* its CPU time then */
  bool published;        /* its container ports have their host routes */
} hy_svc;

/* A listening socket of the proxy and where its connections go. */
typedef struct hy_route {
  struct hy_app *app;
  const struct hy_svc *from; /* the caller (NULL: the host) */
  int listen_fd;
  hy_svc *to;
  uint32_t to_port;  /* the port to reach inside `to`'s network namespace (containers) or on
                        the host's loopback (wasm) */
  bool http;         /* one call per request (httpframe.c), status codes >= 500 as errors,
                        a 502 answer when the callee cannot be reached */
  hy_stats *stats;
  pthread_t thread;
  bool started;
} hy_route;

/* One measured edge: an interaction of the manifest, or the host calling a published port. */
typedef struct hy_edge {
  int from;         /* service index, -1 for the host */
  int to;
  plan_kind kind;
  hy_stats stats;
  const char *unsupported; /* why it is not wired ("not supported: ..."), or NULL */
  hy_snap base;            /* the counters when the period the next record covers began */
  uint32_t caller_port;    /* the port the caller's environment names (containers), 0 before */
} hy_edge;

typedef struct hy_app {
  manifest m;
  bool loaded;         /* m holds a manifest */
  char dir[4096];      /* the state directory */
  char base[4096];     /* the manifest's directory (relative paths) */
  const char *name;
  hy_svc *svcs;
  size_t nsvcs;
  hy_edge *edges;
  size_t nedges;
  hy_route *routes;
  size_t nroutes, caproutes;
  pthread_mutex_t routes_mu;
  pthread_cond_t idle;   /* relays: signalled when `relays` drops to 0 */
  unsigned relays;       /* connections being relayed (under routes_mu) */
  void *engine;        /* weld_engine * */
  int wake_fd;         /* an eventfd: wasm instances finished */
  int null_fd;         /* /dev/null, the stdin of services outside a pipeline */
  volatile int stopping;
  FILE *events;        /* the supervisor's own log (state dir/supervisor.log) */
  uint32_t metrics_port; /* serve /metrics on 127.0.0.1:PORT, 0 = not */
  bool (*fetch_package)(const char *ref, const char *out_path, util_error *err); /* hybrid_up_opts' */
  int metrics_fd;
  char history[4096];  /* the history database ("" = none) */
  uint64_t sampled_ns; /* the last memory sample */
} hy_app;

/* ---------- small helpers (executor.c) ---------- */
uint64_t hy_now_ns(void);
void hy_log(hy_app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Removes a directory tree without following symbolic links. */
bool hy_rmtree(const char *path, util_error *err);
/* An environment variable's name for service `name`: WELD_ADDR_NAME, upper case, other
 * characters as '_'. */
void hy_addr_var(const char *name, char *buf, size_t n);

/* ---------- technologies and wiring (executor.c) ---------- */
/* The technology of every service (x[i]) by the planner, with history h (NULL: estimates). */
bool hy_plan_techs(hy_app *a, const plan_history *h, uint8_t *x, util_error *err);
/* Sets e->unsupported from the technologies and ports as they are now. */
void hy_edge_check(hy_app *a, hy_edge *e);
/* The port others reach s on with its current technology (0: none). */
uint32_t hy_svc_port(const hy_svc *s);
/* A container service: its bundle (the image, config.json); runc create and start with its
 * outbound routes; its published ports' routes. */
bool hy_container_prepare(hy_app *a, hy_svc *s, util_error *err);
bool hy_container_run(hy_app *a, hy_svc *s, util_error *err);
bool hy_published_routes(hy_app *a, hy_svc *s, util_error *err);

/* ---------- re-planning (replan.c) ---------- */
/* The supervisor's side of `weld up --replan`: records the run so far, plans from the
 * history and moves the services whose technology changed; progress and the result
 * ("weld: error: ..." on failure) go to out. */
void hy_replan(hy_app *a, FILE *out);
/* `weld up --replan`'s side when the application is up: asks its supervisor. */
bool hy_replan_ask(hy_app *a, FILE *out, util_error *err);

/* ---------- images (image.c) ---------- */
typedef struct hy_image_config {
  char **env, **entrypoint, **cmd;
  size_t nenv, nentrypoint, ncmd;
  char workdir[1024];
} hy_image_config;
/* Reads the image of a container variant (an OCI layout, or a registry reference pulled
 * with src/oci) and unpacks its layers into rootfs (created), whiteouts applied; an entry
 * that would land outside rootfs fails the whole image. */
bool hy_image_unpack(const manifest_container *k, const char *base, const char *rootfs, hy_image_config *cfg,
                     util_error *err);
void hy_image_config_free(hy_image_config *c);
/* Unpacks one layer (a tar, compressed or not) into rootfs; `what` names it in messages. */
bool hy_layer_unpack(const uint8_t *data, size_t len, const char *rootfs, const char *what, util_error *err);

/* ---------- containers (runc.c) ---------- */
/* Writes BUNDLE/config.json for service s. */
bool hy_runc_spec(hy_svc *s, const hy_image_config *img, char **extra_env, size_t nextra, util_error *err);
/* runc create (stdio: the service's), then the pid and the network namespace. */
bool hy_runc_create(hy_svc *s, util_error *err);
bool hy_runc_start(hy_svc *s, util_error *err);
/* Sends a signal (TERM, KILL) to the container's processes. */
void hy_runc_signal(hy_svc *s, const char *sig);
/* Stops the container (TERM, then KILL after grace_ms) and deletes it; reaps its pid. */
void hy_runc_stop(hy_svc *s, unsigned grace_ms);
/* `runc delete --force ID`, for what a killed supervisor left. */
void hy_runc_force_delete(const char *id);
/* Runs runc with args; returns its exit status (-1 when it could not run). Output goes
 * to out_fd (-1: /dev/null). */
int hy_runc(const char *const *args, int in_fd, int out_fd, int err_fd);

/* ---------- wasm services (wasmsvc.c) ---------- */
bool hy_wasm_prepare(hy_svc *s, util_error *err); /* compiles the module, opens the socket */
bool hy_wasm_start(hy_svc *s, uint32_t k, util_error *err); /* starts instance k's thread */
void hy_wasm_stop(hy_svc *s); /* interrupts and joins every instance */
void hy_wasm_release(hy_svc *s);

/* ---------- the proxy (proxy.c) ---------- */
void hy_stats_init(hy_stats *st);
/* One call that took lat_us and ended now; _at: one from t0_ns to t1_ns (hy_now_ns times). */
void hy_stats_record(hy_stats *st, uint64_t lat_us, bool error, uint64_t in, uint64_t out);
void hy_stats_record_at(hy_stats *st, uint64_t t0_ns, uint64_t t1_ns, bool error, uint64_t in, uint64_t out);
/* A loopback listening socket on port (0: any) in the network namespace nsfd (-1: the
 * host's); *port receives the port. */
int hy_listen(int nsfd, uint32_t *port, util_error *err);
/* Starts relaying connections accepted on listen_fd (taken) to `to`. */
bool hy_route_add(hy_app *a, const hy_svc *from, int listen_fd, hy_svc *to, uint32_t to_port, bool http,
                  hy_stats *st, util_error *err);
/* Closes the routes that serve calls from service `from` (it restarts in a new network
 * namespace), or every route. */
void hy_routes_close_from(hy_app *a, const hy_svc *from);
void hy_routes_close_all(hy_app *a);
/* Routes to service `to` relay to port from now on (it changed technology). */
void hy_routes_retarget(hy_app *a, const hy_svc *to, uint32_t port);
/* Copies a pipeline stream (from's stdout to to's stdin), counting bytes; takes both fds. */
bool hy_pipe_pump(hy_app *a, int in_fd, int out_fd, hy_stats *st, util_error *err);

/* ---------- reports (diag.c) ---------- */
hy_snap hy_stats_take(hy_stats *st);
/* The q-quantile in milliseconds: the upper bound of its bucket, at most the maximum. */
double hy_snap_quantile_ms(const hy_snap *s, double q);
/* A service's memory in bytes and CPU time in ns, -1 when unknown (ps's MEM_MIB, CPU_S). */
void hy_usage_of(hy_svc *s, int64_t *mem, int64_t *cpu_ns);
void hy_write_ps(hy_app *a, FILE *out);
void hy_write_diag(hy_app *a, FILE *out);
void hy_write_mermaid(hy_app *a, FILE *out);
void hy_write_dot(hy_app *a, FILE *out);
/* The kept calls of every path as OpenTelemetry traces (OTLP/JSON). */
void hy_write_otel(hy_app *a, FILE *out);
void hy_write_prometheus(hy_app *a, FILE *out);

/* ---------- history (history.c; SQLite, docs/executor.md "History") ---------- */
/* Samples every running service's memory (its peak since it started). */
void hy_history_sample(hy_app *a);
/* Marks the start of service s's measured period (after it started). */
void hy_history_begin(hy_app *a, hy_svc *s);
/* Records what was measured since the last record as one run in a->history, and starts a
 * new period. False with err when the database cannot be written. */
bool hy_history_record(hy_app *a, util_error *err);

#endif
