/* The executor's supervisor: one process per application, no daemon (docs/executor.md).
 * `weld up` reads the manifest, picks each service's technology, forks the supervisor and
 * waits for its word that every service started. The supervisor keeps the application's
 * state directory — its pid, a control socket `weld ps/diag` ask, the services' logs, the
 * container bundles, the ids of the containers it made — reaps its children (it is a
 * child subreaper, so container processes come back to it), restarts services per their
 * policy and, on SIGTERM (`weld down`), stops everything and removes the directory.
 *
 * The supervisor holds a lock (flock on STATE_ROOT/.NAME.lock) from before it exists until
 * its last thread is gone: `weld up` refuses an application whose previous supervisor still
 * holds it, and `weld down` returns only once it is released. Container ids carry a tag
 * drawn for the run (weld-APP-SERVICE-TAG), so nothing left running from one run — a `runc
 * delete` of a supervisor killed in the middle of it — can touch the next run's containers
 * or their cgroups. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec_int.h"
#include "hybrid/history.h"
#include "oci/oci.h"
#include "weld.h"

/* ---------- helpers ---------- */

uint64_t hy_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void hy_log(hy_app *a, const char *fmt, ...) {
  if (!a->events) return;
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  char ts[32];
  strftime(ts, sizeof ts, "%H:%M:%S", &tm);
  fprintf(a->events, "%s ", ts);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(a->events, fmt, ap);
  va_end(ap);
  fputc('\n', a->events);
  fflush(a->events);
}

void hy_addr_var(const char *name, char *buf, size_t n) {
  size_t o = (size_t)snprintf(buf, n, "WELD_ADDR_");
  for (const char *p = name; *p && o + 1 < n; p++)
    buf[o++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : ((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ? *p : '_';
  buf[o] = 0;
}

const char *hy_state_name(hy_state s) {
  static const char names[][11] = {"created", "starting", "running", "exited", "failed", "restarting", "stopped"};
  return names[s];
}

static bool mkdir_p(const char *path, util_error *err) { return oci_mkdirs(path, err); }

bool hybrid_state_root(char *buf, size_t n, util_error *err) {
  const char *d = getenv("WELD_RUN_DIR"), *x = getenv("XDG_RUNTIME_DIR");
  if (d && *d) snprintf(buf, n, "%s", d);
  else if (x && *x) snprintf(buf, n, "%s/weld", x);
  else if (geteuid() == 0) snprintf(buf, n, "/run/weld/apps");
  else snprintf(buf, n, "/tmp/weld-%u", (unsigned)geteuid());
  if (!mkdir_p(buf, err)) return false;
  /* layers are unpacked beneath it refusing every symbolic link on the way */
  char real[PATH_MAX];
  if (realpath(buf, real)) snprintf(buf, n, "%s", real);
  return true;
}

static bool name_ok(const char *s) {
  if (!*s || strlen(s) > 64 || s[0] == '.') return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
          *s == '.'))
      return false;
  return true;
}

static pid_t read_pid(const char *dir) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/supervisor.pid", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  long p = 0;
  if (fscanf(f, "%ld", &p) != 1) p = 0;
  fclose(f);
  return (pid_t)p;
}

/* STATE_ROOT/.NAME.lock for the state directory STATE_ROOT/NAME. */
static void lock_path(const char *dir, char *buf, size_t n) {
  const char *slash = strrchr(dir, '/');
  if (!slash) snprintf(buf, n, ".%s.lock", dir);
  else snprintf(buf, n, "%.*s/.%s.lock", (int)(slash - dir), dir, slash + 1);
}

/* A live process (not a zombie). */
static bool alive(pid_t pid) {
  if (pid <= 0) return false;
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  const char *rp = strrchr(buf, ')');
  return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* ---------- loading: technologies and wiring ---------- */

bool hy_plan_techs(hy_app *a, const plan_history *h, uint8_t *x, util_error *err) {
  plan_coeffs k;
  plan_coeffs_default(&k);
  plan_problem p;
  if (!plan_problem_build_history(&p, &a->m.app, &k, h, err)) return false;
  plan_result r;
  bool ok = plan_solve(&p, PLAN_EXACT, &r, err);
  if (ok && !r.feasible) ok = util_fail(err, UTIL_ERR_INVALID, -1, "%s: the constraints cannot all hold (weld plan --explain says why)", a->m.filename);
  for (size_t i = 0; ok && i < a->nsvcs; i++) {
    int forced = a->m.app.services[i].forced_tech;
    x[i] = (uint8_t)(forced >= 0 ? forced : r.x[i]);
  }
  if (ok) plan_result_free(&r);
  plan_problem_free(&p);
  return ok;
}

static bool choose_tech(hy_app *a, const plan_history *h, util_error *err) {
  uint8_t *x = malloc(a->nsvcs + 1);
  if (!x) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  bool ok = hy_plan_techs(a, h, x, err);
  for (size_t i = 0; ok && i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    s->tech = x[i];
    s->why_tech = a->m.app.services[i].forced_tech >= 0 ? "fixed" : h ? "planned from history" : "planned";
  }
  free(x);
  return ok;
}

/* Whether edge e can be wired with the technologies as they are now. */
void hy_edge_check(hy_app *a, hy_edge *e) {
  e->unsupported = NULL;
  if (e->from < 0 || e->kind == PLAN_PIPE) return;
  const manifest_wasm *fw = &a->svcs[e->from].ms->wasm;
  if (a->svcs[e->from].tech == PLAN_WASM && !fw->component && !fw->package)
    e->unsupported = "not supported: a WebAssembly module service cannot open connections (WASI preview1 has no "
                     "connect; a component can, with wasi:sockets or wasi:http)";
  else if (!a->svcs[e->to].port)
    e->unsupported = "not supported: the callee has no port (wasm listen, or container ports)";
}

uint32_t hy_svc_port(const hy_svc *s) {
  return s->tech == PLAN_WASM ? s->ms->wasm.listen : s->ms->container.nports ? s->ms->container.ports[0].container : 0;
}

static bool wire(hy_app *a, util_error *err) {
  size_t nhost = 0;
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    s->port = hy_svc_port(s);
    if (s->tech == PLAN_CONTAINER) nhost += s->ms->container.nports;
  }
  a->nedges = a->m.app.ninteractions + nhost;
  a->edges = calloc(a->nedges + 1, sizeof *a->edges);
  if (!a->edges) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  size_t e = 0;
  int *piped_out = calloc(a->nsvcs + 1, sizeof *piped_out), *piped_in = calloc(a->nsvcs + 1, sizeof *piped_in);
  bool ok = piped_out && piped_in;
  for (size_t i = 0; ok && i < a->m.app.ninteractions; i++) {
    const plan_interaction *in = &a->m.app.interactions[i];
    hy_edge *ed = &a->edges[e++];
    *ed = (hy_edge){.from = (int)in->from, .to = (int)in->to, .kind = in->kind};
    hy_stats_init(&ed->stats);
    if (in->kind == PLAN_PIPE) {
      if (piped_out[in->from]++ || piped_in[in->to]++)
        ok = util_fail(err, UTIL_ERR_USAGE, -1, "%s:%d:%d: not supported: a service in more than one pipeline on the same side",
                       a->m.filename, in->src.line, in->src.col);
    } else {
      hy_edge_check(a, ed);
    }
  }
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (s->tech != PLAN_CONTAINER) continue;
    /* calls from the host are HTTP unless the service only takes TCP streams */
    bool http = false, tcp = false;
    for (size_t j = 0; j < a->m.app.ninteractions; j++)
      if (a->m.app.interactions[j].to == i) {
        http |= a->m.app.interactions[j].kind == PLAN_HTTP;
        tcp |= a->m.app.interactions[j].kind == PLAN_TCP;
      }
    for (size_t k = 0; k < s->ms->container.nports; k++) {
      hy_edge *ed = &a->edges[e++];
      *ed = (hy_edge){.from = -1, .to = (int)i, .kind = http || !tcp ? PLAN_HTTP : PLAN_TCP};
      hy_stats_init(&ed->stats);
    }
  }
  free(piped_out);
  free(piped_in);
  if (!ok) return false;
  a->caproutes = a->nedges * 4 + 16; /* restarts add routes */
  a->routes = calloc(a->caproutes, sizeof *a->routes);
  if (!a->routes) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  return true;
}

static bool app_load(hy_app *a, const char *path, const hybrid_up_opts *o, util_error *err) {
  memset(a, 0, sizeof *a);
  a->wake_fd = a->null_fd = a->metrics_fd = -1;
  pthread_mutex_init(&a->routes_mu, NULL);
  pthread_cond_init(&a->idle, NULL);
  if (!manifest_load(&a->m, path, err)) return false;
  a->loaded = true;
  char real[PATH_MAX];
  if (!realpath(path, real)) return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", path, strerror(errno));
  char *slash = strrchr(real, '/');
  *slash = 0;
  snprintf(a->base, sizeof a->base, "%s", real[0] ? real : "/");
  a->name = a->m.name ? a->m.name : "app";
  if (!name_ok(a->name))
    return util_fail(err, UTIL_ERR_USAGE, -1, "%s: the application's name '%s' must be letters, digits, '-', '_' or '.' (at most 64)",
                     path, a->name);
  /* the run's tag in container ids: random, else the time and the pid */
  uint32_t tag;
  if (getrandom(&tag, sizeof tag, GRND_NONBLOCK) != (ssize_t)sizeof tag) tag = (uint32_t)(hy_now_ns() ^ ((uint64_t)getpid() << 16));
  a->nsvcs = a->m.nservices;
  a->svcs = calloc(a->nsvcs, sizeof *a->svcs);
  if (!a->svcs) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    s->app = a, s->ms = &a->m.services[i], s->index = i;
    s->exit_code = -1, s->log_fd = s->stdin_fd = s->stdout_fd = s->netns_fd = s->listen_fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    if (!name_ok(s->ms->name))
      return util_fail(err, UTIL_ERR_USAGE, -1, "%s: service name '%s' must be letters, digits, '-', '_' or '.' to run",
                       path, s->ms->name);
    snprintf(s->id, sizeof s->id, "weld-%s-%s-%08x", a->name, s->ms->name, tag);
    s->start_ms = -1, s->peak_mem = -1;
  }
  /* the history: recorded when SQLite is there, read back with --replan */
  if (o->history || o->replan) {
    if (!hybrid_history_supported(err)) return false;
  }
  if (o->history) snprintf(a->history, sizeof a->history, "%s", o->history);
  else if (hybrid_history_supported(NULL) && !hybrid_history_default(a->name, a->history, sizeof a->history, err))
    return false;
  plan_history h, *hp = NULL;
  if (o->replan) {
    struct stat st;
    if (stat(a->history, &st) == 0) {
      if (!hybrid_history_load(a->history, &a->m, &h, err)) return false;
      hp = &h;
    } else if (o->out) {
      fprintf(o->out, "weld: no history yet (%s): planned from the estimates\n", a->history);
    }
  }
  bool ok = choose_tech(a, hp, err) && wire(a, err);
  if (hp) plan_history_free(hp);
  return ok;
}

/* ---------- starting ---------- */

/* The routes of container s's outbound calls, listening inside its network namespace. */
static bool outbound_routes(hy_app *a, hy_svc *s, util_error *err) {
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->from != (int)s->index || e->kind == PLAN_PIPE || e->unsupported) continue;
    hy_svc *t = &a->svcs[e->to];
    uint32_t port = e->caller_port ? e->caller_port : t->port; /* the port its environment names */
    int fd = hy_listen(s->netns_fd, &port, err);
    if (fd < 0 || !hy_route_add(a, s, fd, t, t->port, e->kind == PLAN_HTTP, &e->stats, err)) return false;
  }
  return true;
}

bool hy_container_run(hy_app *a, hy_svc *s, util_error *err) {
  s->exit_code = -1;
  s->state = HY_STARTING;
  if (!hy_runc_create(s, err) || !outbound_routes(a, s, err) || !hy_runc_start(s, err)) return false;
  s->state = HY_RUNNING;
  hy_log(a, "%s: container %s started, pid %d", s->ms->name, s->id, (int)s->pid);
  return true;
}

bool hy_container_prepare(hy_app *a, hy_svc *s, util_error *err) {
  char path[PATH_MAX + 32];
  snprintf(s->bundle, sizeof s->bundle, "%s/bundles/%s", a->dir, s->ms->name);
  if (!mkdir_p(s->bundle, err)) return false;
  /* the id first: `weld down` deletes it even when this process is killed */
  snprintf(path, sizeof path, "%s/containers", a->dir);
  FILE *f = fopen(path, "a");
  if (!f) return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", path, strerror(errno));
  fprintf(f, "%s\n", s->id);
  fclose(f);
  snprintf(path, sizeof path, "%s/rootfs", s->bundle);
  hy_image_config img;
  if (!hy_image_unpack(&s->ms->container, a->base, path, &img, err)) {
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return util_fail(err, err->kind, -1, "service '%s': %s", s->ms->name, msg);
  }
  char **extra = calloc(a->nedges + 1, sizeof *extra);
  size_t nextra = 0;
  bool ok = extra != NULL;
  for (size_t i = 0; ok && i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->from != (int)s->index || e->kind == PLAN_PIPE || e->unsupported) continue;
    char var[300];
    hy_addr_var(a->svcs[e->to].ms->name, var, sizeof var);
    e->caller_port = a->svcs[e->to].port;
    if (asprintf(&extra[nextra], "%s=127.0.0.1:%u", var, e->caller_port) < 0) ok = false;
    else nextra++;
  }
  if (!ok) util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  if (ok) ok = hy_runc_spec(s, &img, extra, nextra, err);
  for (size_t i = 0; i < nextra; i++) free(extra[i]);
  free(extra);
  hy_image_config_free(&img);
  return ok;
}

/* The host's published ports of container s. */
bool hy_published_routes(hy_app *a, hy_svc *s, util_error *err) {
  size_t k = 0;
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->from != -1 || e->to != (int)s->index) continue;
    const manifest_port *p = &s->ms->container.ports[k++];
    uint32_t port = p->host;
    int fd = hy_listen(-1, &port, err);
    if (fd < 0 || !hy_route_add(a, NULL, fd, s, p->container, e->kind == PLAN_HTTP, &e->stats, err)) return false;
  }
  return true;
}

static bool open_logs(hy_app *a, util_error *err) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/logs", a->dir);
  if (!mkdir_p(path, err)) return false;
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    snprintf(s->log_path, sizeof s->log_path, "%s/logs/%s.log", a->dir, s->ms->name);
    s->log_fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (s->log_fd < 0) return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", s->log_path, strerror(errno));
  }
  return true;
}

static bool pipes(hy_app *a, util_error *err) {
  for (size_t i = 0; i < a->nedges; i++) {
    hy_edge *e = &a->edges[i];
    if (e->kind != PLAN_PIPE) continue;
    int pa[2], pb[2];
    if (pipe2(pa, O_CLOEXEC) != 0) return util_fail(err, UTIL_ERR_IO, -1, "pipe: %s", strerror(errno));
    if (pipe2(pb, O_CLOEXEC) != 0) {
      close(pa[0]), close(pa[1]);
      return util_fail(err, UTIL_ERR_IO, -1, "pipe: %s", strerror(errno));
    }
    a->svcs[e->from].stdout_fd = pa[1];
    a->svcs[e->to].stdin_fd = pb[0];
    if (!hy_pipe_pump(a, pa[0], pb[1], &e->stats, err)) return false;
  }
  return true;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* The engine of the WebAssembly services. Their memories and tables come from the instance
 * pool with copy-on-write images (docs/executor.md, "Instances and memory"): a slot per
 * instance of every service that has a WebAssembly variant (a service --replan moves there
 * included), memories as large as without the pool (4 GiB slots, guard pages after them);
 * WELD_POOL=0 leaves the pool out, as does an address space that cannot hold it (said in
 * the supervisor's log). */
static bool engine_new(hy_app *a, util_error *err) {
  weld_config cfg;
  weld_config_default(&cfg);
  if (a->m.tier >= 0) {
    /* the manifest's `tier`, for every WebAssembly service (one engine serves them all) */
    const char *no = weld_tier_unsupported((weld_tier)a->m.tier);
    if (no)
      return util_fail(err, UTIL_ERR_USAGE, -1, "%s:%d:%d: %s", a->m.filename, a->m.tier_src.line, a->m.tier_src.col, no);
    cfg.tier = (weld_tier)a->m.tier;
  }
  static const char tier_names[][10] = {"interp", "baseline", "optimized", "auto"};
  hy_log(a, "WebAssembly services run in the %s tier", cfg.tier <= WELD_TIER_AUTO ? tier_names[cfg.tier] : "?");
  const char *env = getenv("WELD_POOL");
  uint32_t instances = 0;
  for (size_t i = 0; i < a->nsvcs; i++)
    if (a->svcs[i].ms->wasm.module) instances += a->svcs[i].ms->wasm.instances ? a->svcs[i].ms->wasm.instances : 1;
  if (instances && !(env && !strcmp(env, "0"))) {
    cfg.pooling = true;
    cfg.pool.copy_on_write = true;
    /* two memories and two tables an instance before a module with more finds it full */
    cfg.pool.memory_slots = cfg.pool.table_slots = 2 * instances + 2;
    weld_error *we = NULL;
    if ((a->engine = weld_engine_new_err(&cfg, &we))) {
      hy_log(a, "instance pool: %u memory slots, copy-on-write images", cfg.pool.memory_slots);
      return true;
    }
    hy_log(a, "instance pool unavailable (%s): WebAssembly memories are mapped one by one",
           we ? weld_error_message(we) : "out of memory");
    weld_error_free(we);
    cfg.pooling = false;
  }
  if (!(a->engine = weld_engine_new(&cfg))) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  return true;
}

static bool start_all(hy_app *a, util_error *err) {
  if (!open_logs(a, err) || !pipes(a, err)) return false;
  if (!engine_new(a, err)) return false;
  /* everything that can fail slowly or on bad input first: modules, images */
  /* a WebAssembly service's start (for the history): compiling its module and starting its
   * instances; a container's: runc create and start (its image is unpacked before) */
  uint64_t *compile_ns = calloc(a->nsvcs + 1, sizeof *compile_ns);
  if (!compile_ns) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    uint64_t t0 = hy_now_ns();
    if (s->tech == PLAN_WASM ? !hy_wasm_prepare(s, err) : !hy_container_prepare(a, s, err)) {
      free(compile_ns);
      return false;
    }
    compile_ns[i] = hy_now_ns() - t0;
  }
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (s->tech != PLAN_WASM) continue;
    uint64_t t0 = hy_now_ns();
    for (uint32_t k = 0; k < s->ninst; k++)
      if (!hy_wasm_start(s, k, err)) {
        free(compile_ns);
        return false;
      }
    s->state = HY_RUNNING;
    s->started_ns = hy_now_ns();
    s->start_ms = (double)(compile_ns[i] + s->started_ns - t0) / 1e6;
    hy_log(a, "%s: %u WebAssembly instance(s) started", s->ms->name, s->ninst);
  }
  free(compile_ns);
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (s->tech != PLAN_CONTAINER) continue;
    uint64_t t0 = hy_now_ns();
    if (!hy_container_run(a, s, err)) return false;
    s->started_ns = hy_now_ns();
    s->start_ms = (double)(s->started_ns - t0) / 1e6;
    s->published = true;
    if (!hy_published_routes(a, s, err)) return false;
    /* the container holds its ends of the pipes now */
    close_fd(&s->stdin_fd);
    close_fd(&s->stdout_fd);
  }
  for (size_t i = 0; i < a->nsvcs; i++) hy_history_begin(a, &a->svcs[i]);
  return true;
}

/* ---------- stopping ---------- */

static void stop_all(hy_app *a) {
  a->stopping = 1;
  hy_routes_close_all(a);
  /* every container gets SIGTERM at once, then the same 3 s to go */
  for (size_t i = 0; i < a->nsvcs; i++)
    if (a->svcs[i].tech == PLAN_CONTAINER) hy_runc_signal(&a->svcs[i], "TERM");
  uint64_t deadline = hy_now_ns() + 3000000000u;
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (s->tech == PLAN_CONTAINER && s->id[0]) {
      uint64_t now = hy_now_ns();
      hy_runc_stop(s, now < deadline ? (unsigned)((deadline - now) / 1000000u) : 0);
    } else if (s->tech == PLAN_WASM) {
      hy_wasm_stop(s);
      hy_wasm_release(s);
    }
    close_fd(&s->stdin_fd);
    close_fd(&s->stdout_fd);
    if (s->state != HY_FAILED && s->state != HY_EXITED) s->state = HY_STOPPED;
    hy_log(a, "%s: stopped", s->ms->name);
  }
}

/* ---------- restarts and exits ---------- */

static uint64_t backoff_ns(uint32_t restarts) {
  uint64_t ms = 100u << (restarts < 6 ? restarts : 6); /* 0.1 s doubling, at most 6.4 s */
  return ms * 1000000u;
}

static bool wants_restart(const hy_svc *s, int code) {
  return s->ms->restart == MANIFEST_RESTART_ALWAYS || (s->ms->restart == MANIFEST_RESTART_ON_FAILURE && code != 0);
}

static void container_exited(hy_app *a, hy_svc *s, int code) {
  s->pid = 0;
  s->exit_code = code;
  hy_log(a, "%s: container exited with status %d", s->ms->name, code);
  if (!a->stopping && wants_restart(s, code)) {
    s->state = HY_BACKOFF;
    s->restart_at_ns = hy_now_ns() + backoff_ns(s->restarts);
  } else {
    s->state = code == 0 ? HY_EXITED : HY_FAILED;
    snprintf(s->reason, sizeof s->reason, "exit status %d", code);
  }
}

static void reap_children(hy_app *a) {
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    for (size_t i = 0; i < a->nsvcs; i++)
      if (a->svcs[i].tech == PLAN_CONTAINER && a->svcs[i].pid == pid) container_exited(a, &a->svcs[i], code);
  }
}

static void wasm_finished(hy_app *a) {
  uint64_t v;
  if (read(a->wake_fd, &v, sizeof v) < 0) { /* nothing pending */
  }
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    if (s->tech != PLAN_WASM) continue;
    for (uint32_t k = 0; k < s->ninst; k++) {
      hy_inst *in = &s->inst[k];
      pthread_mutex_lock(&s->mu);
      bool done = in->started && in->done;
      pthread_mutex_unlock(&s->mu);
      if (!done) continue;
      pthread_join(in->thread, NULL);
      in->started = false;
      s->exit_code = in->exit_code;
      hy_log(a, "%s: instance %u ended with status %d%s%s", s->ms->name, k, in->exit_code, in->why[0] ? ": " : "", in->why);
      if (in->why[0] && in->exit_code) dprintf(s->log_fd, "weld: instance %u: %s\n", k, in->why);
      if (!a->stopping && wants_restart(s, in->exit_code)) in->restart_at_ns = hy_now_ns() + backoff_ns(s->restarts);
      else {
        in->restart_at_ns = 0;
        snprintf(s->reason, sizeof s->reason, "%s", in->why[0] ? in->why : "");
      }
    }
    uint32_t live = 0, waiting = 0;
    for (uint32_t k = 0; k < s->ninst; k++) {
      if (s->inst[k].started) live++;
      else if (s->inst[k].restart_at_ns) waiting++;
    }
    if (!live && !waiting && s->state == HY_RUNNING) {
      s->state = s->exit_code == 0 ? HY_EXITED : HY_FAILED;
      close_fd(&s->stdout_fd); /* ends the pipeline downstream */
    } else if (!live && waiting) {
      s->state = HY_BACKOFF;
    }
  }
}

static void restarts_due(hy_app *a) {
  uint64_t now = hy_now_ns();
  util_error err;
  for (size_t i = 0; i < a->nsvcs; i++) {
    hy_svc *s = &a->svcs[i];
    util_error_clear(&err);
    if (s->tech == PLAN_CONTAINER && s->state == HY_BACKOFF && now >= s->restart_at_ns) {
      s->restarts++;
      hy_routes_close_from(a, s);
      hy_runc_stop(s, 0);
      if (!hy_container_run(a, s, &err)) {
        hy_log(a, "%s: restart failed: %s", s->ms->name, err.msg);
        s->state = HY_BACKOFF;
        s->restart_at_ns = now + backoff_ns(s->restarts);
      }
    } else if (s->tech == PLAN_WASM) {
      for (uint32_t k = 0; k < s->ninst; k++) {
        hy_inst *in = &s->inst[k];
        if (in->started || !in->restart_at_ns || now < in->restart_at_ns) continue;
        in->restart_at_ns = 0;
        s->restarts++;
        if (hy_wasm_start(s, k, &err)) s->state = HY_RUNNING;
        else hy_log(a, "%s: restart failed: %s", s->ms->name, err.msg);
      }
    }
  }
}

/* ---------- the control socket ---------- */

static void serve_ctl(hy_app *a, int lfd) {
  int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  if (c < 0) return;
  struct timeval tv = {2, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char line[64];
  ssize_t n = recv(c, line, sizeof line - 1, 0);
  line[n > 0 ? n : 0] = 0;
  char *nl = strchr(line, '\n');
  if (nl) *nl = 0;
  FILE *f = fdopen(c, "w");
  if (!f) {
    close(c);
    return;
  }
  if (!strcmp(line, "ps")) hy_write_ps(a, f);
  else if (!strcmp(line, "diag")) hy_write_diag(a, f);
  else if (!strcmp(line, "mermaid")) hy_write_mermaid(a, f);
  else if (!strcmp(line, "dot")) hy_write_dot(a, f);
  else if (!strcmp(line, "otel")) hy_write_otel(a, f);
  else if (!strcmp(line, "metrics")) hy_write_prometheus(a, f);
  else if (!strcmp(line, "replan")) hy_replan(a, f);
  else fprintf(f, "weld: unknown request '%s'\n", line);
  fclose(f);
}

static int ctl_listen(hy_app *a, util_error *err) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s/ctl.sock", a->dir) >= (int)sizeof sa.sun_path) {
    util_fail(err, UTIL_ERR_USAGE, -1, "%s: the state directory's path is too long for a socket", a->dir);
    return -1;
  }
  unlink(sa.sun_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
    util_fail(err, UTIL_ERR_IO, -1, "%s: %s", sa.sun_path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  chmod(sa.sun_path, 0600);
  return fd;
}

/* ---------- /metrics ---------- */

/* Answers every request on the metrics socket with the exposition (the path is not
 * looked at: /metrics is the one there is). */
static void *metrics_thread(void *arg) {
  hy_app *a = arg;
  for (;;) {
    int c = accept4(a->metrics_fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return NULL;
    }
    struct timeval tv = {2, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char req[4096];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof req - 1 && (r = recv(c, req + n, sizeof req - 1 - n, 0)) > 0) {
      n += (size_t)r;
      req[n] = 0;
      if (strstr(req, "\r\n\r\n")) break;
    }
    char *body = NULL;
    size_t blen = 0;
    FILE *m = open_memstream(&body, &blen);
    if (m) {
      hy_write_prometheus(a, m);
      fclose(m);
      dprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
              blen);
      for (size_t o = 0; o < blen;) {
        ssize_t w = send(c, body + o, blen - o, MSG_NOSIGNAL);
        if (w <= 0) break;
        o += (size_t)w;
      }
    }
    free(body);
    close(c);
  }
}

static bool metrics_start(hy_app *a, util_error *err) {
  a->metrics_fd = -1;
  if (!a->metrics_port) return true;
  uint32_t port = a->metrics_port;
  if ((a->metrics_fd = hy_listen(-1, &port, err)) < 0) return false;
  pthread_t t;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  bool ok = pthread_create(&t, &at, metrics_thread, a) == 0;
  pthread_attr_destroy(&at);
  return ok || util_fail(err, UTIL_ERR_IO, -1, "cannot start the metrics thread");
}

/* ---------- the supervisor ---------- */

static void cleanup_dir(hy_app *a) {
  util_error e;
  util_error_clear(&e);
  if (a->events) fclose(a->events);
  a->events = NULL;
  hy_rmtree(a->dir, &e);
}

/* Runs the application until SIGTERM, SIGINT or SIGHUP. ready_fd (-1 for none) gets "ok\n"
 * once everything started, or "E" and the message. */
static int supervise(hy_app *a, int ready_fd, FILE *progress) {
  util_error err;
  util_error_clear(&err);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD), sigaddset(&set, SIGTERM), sigaddset(&set, SIGINT), sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread started below */
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  a->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  a->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/supervisor.log", a->dir);
  a->events = fopen(path, "a");
  snprintf(path, sizeof path, "%s/supervisor.pid", a->dir);
  char pid[32];
  int np = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  int ctl = -1;
  bool ok = sfd >= 0 && a->wake_fd >= 0 && a->null_fd >= 0 && oci_write_file_atomic(path, pid, (size_t)np, &err);
  if (ok && (ctl = ctl_listen(a, &err)) < 0) ok = false;
  if (ok) ok = metrics_start(a, &err) && start_all(a, &err);
  if (!ok) {
    if (!err.msg[0]) snprintf(err.msg, sizeof err.msg, "cannot start the supervisor: %s", strerror(errno));
    hy_log(a, "start failed: %s", err.msg);
    stop_all(a);
    if (ctl >= 0) close(ctl);
    if (a->metrics_fd >= 0) close(a->metrics_fd);
    cleanup_dir(a);
    if (ready_fd >= 0) dprintf(ready_fd, "E%d %s\n", (int)err.kind, err.msg);
    else fprintf(stderr, "weld: %s\n", err.msg);
    return 1;
  }
  hy_log(a, "application '%s' up", a->name);
  if (ready_fd >= 0) {
    if (write(ready_fd, "ok\n", 3) < 0) { /* weld up went away: run anyway */
    }
    close(ready_fd);
  }
  if (progress) fprintf(progress, "weld: %s is up (supervisor pid %d; weld down %s stops it)\n", a->name, (int)getpid(), a->name);
  for (;;) {
    struct pollfd p[3] = {{sfd, POLLIN, 0}, {ctl, POLLIN, 0}, {a->wake_fd, POLLIN, 0}};
    poll(p, 3, 50);
    if (p[2].revents & POLLIN) wasm_finished(a);
    if (p[1].revents & POLLIN) serve_ctl(a, ctl);
    bool quit = false;
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        if (si.ssi_signo != SIGCHLD) quit = true;
      reap_children(a);
    }
    restarts_due(a);
    if (a->history[0] && hy_now_ns() - a->sampled_ns >= 1000000000u) hy_history_sample(a);
    if (quit) break;
  }
  hy_log(a, "stopping");
  if (a->history[0]) {
    util_error_clear(&err);
    if (hy_history_record(a, &err)) hy_log(a, "history recorded in %s", a->history);
    else hy_log(a, "history not recorded: %s", err.msg);
  }
  close(ctl);
  if (a->metrics_fd >= 0) shutdown(a->metrics_fd, SHUT_RDWR), close(a->metrics_fd);
  stop_all(a);
  reap_children(a);
  cleanup_dir(a);
  return 0;
}

/* What `weld up` read and decided, freed in the process that forked the supervisor (or
 * never started one). */
static void app_free(hy_app *a) {
  for (size_t i = 0; a->svcs && i < a->nsvcs; i++) pthread_mutex_destroy(&a->svcs[i].mu);
  for (size_t i = 0; a->edges && i < a->nedges; i++) pthread_mutex_destroy(&a->edges[i].stats.mu);
  free(a->svcs);
  free(a->edges);
  free(a->routes);
  if (a->loaded) manifest_free(&a->m);
  free(a);
}

static bool up(hy_app *a, const char *path, const hybrid_up_opts *o, bool *supervised, util_error *err);
static bool up_locked(hy_app *a, const hybrid_up_opts *o, bool *supervised, util_error *err);

bool hybrid_up(const char *path, const hybrid_up_opts *o, util_error *err) {
  hy_app *a = calloc(1, sizeof *a);
  if (!a) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  bool supervised = false;
  bool ok = up(a, path, o, &supervised, err);
  /* a foreground supervisor's detached relay and pump threads may still read the
   * application as it returns: the process ends right after, so it is left to the exit */
  if (!supervised) app_free(a);
  return ok;
}

static bool up(hy_app *a, const char *path, const hybrid_up_opts *o, bool *supervised, util_error *err) {
  if (!app_load(a, path, o, err)) return false;
  a->metrics_port = o->metrics_port;
  a->fetch_package = o->fetch_package;
  char root[PATH_MAX];
  if (!hybrid_state_root(root, sizeof root, err)) return false;
  snprintf(a->dir, sizeof a->dir, "%s/%s", root, a->name);
  /* the application's lock: held by its supervisor for as long as it lives */
  char lock[PATH_MAX + 80];
  lock_path(a->dir, lock, sizeof lock);
  int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0) return util_fail(err, UTIL_ERR_IO, -1, "cannot open %s: %s", lock, strerror(errno));
  if (flock(lfd, LOCK_EX | LOCK_NB) != 0) {
    close(lfd);
    pid_t pid = read_pid(a->dir);
    if (alive(pid) && o->replan) return hy_replan_ask(a, o->out, err);
    if (alive(pid))
      return util_fail(err, UTIL_ERR_USAGE, -1, "application '%s' is already up (supervisor pid %d); weld down %s first",
                       a->name, (int)pid, a->name);
    return util_fail(err, UTIL_ERR_USAGE, -1,
                     "application '%s' is still stopping (its supervisor has not finished cleaning up); try again once weld down %s has returned",
                     a->name, a->name);
  }
  bool ok = up_locked(a, o, supervised, err);
  close(lfd); /* the supervisor keeps its own copy, and with it the lock */
  return ok;
}

static bool up_locked(hy_app *a, const hybrid_up_opts *o, bool *supervised, util_error *err) {
  if (mkdir(a->dir, 0700) != 0) {
    if (errno != EEXIST) return util_fail(err, UTIL_ERR_IO, -1, "cannot create %s: %s", a->dir, strerror(errno));
    pid_t pid = read_pid(a->dir);
    if (alive(pid) && o->replan) return hy_replan_ask(a, o->out, err);
    if (alive(pid))
      return util_fail(err, UTIL_ERR_USAGE, -1, "application '%s' is already up (supervisor pid %d); weld down %s first",
                       a->name, (int)pid, a->name);
    return util_fail(err, UTIL_ERR_USAGE, -1, "application '%s' left state behind in %s (its supervisor is gone); weld down %s removes it",
                     a->name, a->dir, a->name);
  }
  for (size_t i = 0; o->out && i < a->nsvcs; i++)
    fprintf(o->out, "weld: %s: %s (%s)\n", a->svcs[i].ms->name, plan_tech_name(a->svcs[i].tech), a->svcs[i].why_tech);
  if (o->out) fflush(o->out);
  if (o->foreground) {
    *supervised = true;
    return supervise(a, -1, o->out) == 0 || util_fail(err, UTIL_ERR_IO, -1, "the application stopped on an error");
  }
  int rp[2];
  if (pipe2(rp, O_CLOEXEC) != 0) return util_fail(err, UTIL_ERR_IO, -1, "pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) return util_fail(err, UTIL_ERR_IO, -1, "fork: %s", strerror(errno));
  if (pid == 0) {
    close(rp[0]);
    setsid();
    if (fork() > 0) _exit(0); /* not a session leader: no controlling terminal ever */
    int null_fd = open("/dev/null", O_RDWR);
    char lp[PATH_MAX + 32];
    snprintf(lp, sizeof lp, "%s/supervisor.log", a->dir);
    int lfd = open(lp, O_WRONLY | O_CREAT | O_APPEND, 0640);
    dup2(null_fd, 0), dup2(null_fd, 1), dup2(lfd >= 0 ? lfd : null_fd, 2);
    if (null_fd > 2) close(null_fd);
    if (lfd > 2) close(lfd);
    if (chdir("/") != 0) { /* paths are absolute from here on */
    }
    _exit(supervise(a, rp[1], NULL));
  }
  close(rp[1]);
  int st;
  waitpid(pid, &st, 0);
  char buf[2048];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf - 1 && (r = read(rp[0], buf + n, sizeof buf - 1 - n)) != 0) {
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    n += (size_t)r;
  }
  close(rp[0]);
  buf[n] = 0;
  if (!strncmp(buf, "ok\n", 3)) {
    if (o->out) fprintf(o->out, "weld: %s is up (state in %s)\n", a->name, a->dir);
    return true;
  }
  if (buf[0] == 'E') {
    int kind = atoi(buf + 1);
    char *msg = strchr(buf, ' ');
    char *nl = msg ? strchr(msg, '\n') : NULL;
    if (nl) *nl = 0;
    return util_fail(err, kind == UTIL_ERR_USAGE || kind == UTIL_ERR_INVALID || kind == UTIL_ERR_MALFORMED ? kind : UTIL_ERR_IO,
                     -1, "%s", msg ? msg + 1 : "the supervisor failed");
  }
  return util_fail(err, UTIL_ERR_IO, -1, "the supervisor ended before it started the application (see %s/supervisor.log)", a->dir);
}

/* ---------- the other commands ---------- */

bool hybrid_list(char ***names, size_t *n, util_error *err) {
  *names = NULL, *n = 0;
  char root[PATH_MAX];
  if (!hybrid_state_root(root, sizeof root, err)) return false;
  DIR *d = opendir(root);
  if (!d) return util_fail(err, UTIL_ERR_IO, -1, "%s: %s", root, strerror(errno));
  struct dirent *de;
  bool ok = true;
  while (ok && (de = readdir(d)))
    if (de->d_name[0] != '.' && name_ok(de->d_name)) ok = oci_strings_push(names, n, de->d_name);
  closedir(d);
  return ok || util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
}

bool hybrid_find(const char *what, char *dir, size_t n, util_error *err) {
  char root[PATH_MAX];
  if (!hybrid_state_root(root, sizeof root, err)) return false;
  if (!what) {
    char **names;
    size_t k;
    if (!hybrid_list(&names, &k, err)) return false;
    bool ok = k == 1;
    if (ok) snprintf(dir, n, "%s/%s", root, names[0]);
    else if (k == 0) util_fail(err, UTIL_ERR_USAGE, -1, "no application is up");
    else util_fail(err, UTIL_ERR_USAGE, -1, "%zu applications are up (%s, %s%s): name one", k, names[0], names[1], k > 2 ? ", ..." : "");
    oci_strings_free(names, k);
    return ok;
  }
  const char *name = what;
  manifest m;
  bool loaded = false;
  size_t wl = strlen(what);
  if (strchr(what, '/') || (wl > 5 && !strcmp(what + wl - 5, ".toml"))) {
    if (!manifest_load(&m, what, err)) return false;
    loaded = true;
    name = m.name ? m.name : "app";
  }
  bool ok = name_ok(name);
  if (ok) snprintf(dir, n, "%s/%s", root, name);
  struct stat st;
  if (!ok) util_fail(err, UTIL_ERR_USAGE, -1, "'%s' is not an application name", name);
  else if (stat(dir, &st) != 0) ok = util_fail(err, UTIL_ERR_USAGE, -1, "application '%s' is not up", name);
  if (loaded) manifest_free(&m);
  return ok;
}

bool hybrid_query(const char *dir, const char *what, FILE *out, util_error *err) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s/ctl.sock", dir);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    if (fd >= 0) close(fd);
    return util_fail(err, UTIL_ERR_IO, -1, "%s: the supervisor does not answer (%s); weld down removes what it left",
                     dir, strerror(errno));
  }
  dprintf(fd, "%s\n", what);
  char buf[8192];
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)r, out);
  close(fd);
  return true;
}

bool hybrid_logs(const char *dir, const char *service, bool follow, FILE *out, util_error *err) {
  if (!name_ok(service)) return util_fail(err, UTIL_ERR_USAGE, -1, "'%s' is not a service name", service);
  char path[PATH_MAX + 300];
  snprintf(path, sizeof path, "%s/logs/%s.log", dir, service);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util_fail(err, UTIL_ERR_USAGE, -1, "no service '%s' in %s", service, dir);
  pid_t pid = read_pid(dir);
  char buf[8192];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r > 0) {
      fwrite(buf, 1, (size_t)r, out);
      continue;
    }
    if (!follow || !alive(pid)) break;
    fflush(out);
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
  }
  close(fd);
  fflush(out);
  return true;
}

bool hybrid_down(const char *dir, FILE *out, util_error *err) {
  pid_t pid = read_pid(dir);
  if (alive(pid)) {
    /* its process group when weld up's setsid made it (a session of its own): the
     * supervisor and the runc it runs */
    pid_t pgid = getpgid(pid);
    if (getsid(pid) != pgid) pgid = -1;
    kill(pid, SIGTERM);
    for (int t = 0; alive(pid) && t < 3000; t++) { /* 30 s */
      struct timespec ts = {0, 10 * 1000000L};
      nanosleep(&ts, NULL);
    }
    if (alive(pid)) {
      if (out) fprintf(out, "weld: the supervisor (pid %d) did not stop in 30 s: killed\n", (int)pid);
      /* with the runc it was running: a `runc delete` left behind would go on by itself */
      if (pgid > 1 && pgid != getpgrp()) kill(-pgid, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
  /* the supervisor is gone once its lock is free: its last thread ended */
  char lock[PATH_MAX + 80];
  lock_path(dir, lock, sizeof lock);
  int lfd = open(lock, O_RDWR | O_CLOEXEC);
  if (lfd >= 0) {
    int t = 0;
    for (; flock(lfd, LOCK_EX | LOCK_NB) != 0 && t < 3000; t++) { /* 30 s */
      struct timespec ts = {0, 10 * 1000000L};
      nanosleep(&ts, NULL);
    }
    if (t == 3000 && out) fprintf(out, "weld: %s is still held after 30 s\n", lock);
    close(lfd);
  }
  /* what a killed supervisor left: its containers (their processes die with them) */
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/containers", dir);
  FILE *f = fopen(path, "r");
  if (f) {
    char id[256];
    while (fgets(id, sizeof id, f)) {
      id[strcspn(id, "\n")] = 0;
      if (id[0]) hy_runc_force_delete(id);
    }
    fclose(f);
  }
  if (!hy_rmtree(dir, err)) return false;
  if (out) fprintf(out, "weld: %s is down\n", strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
  return true;
}
