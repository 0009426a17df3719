/* Containers through runc (the OCI runtime): a bundle (config.json beside the unpacked
 * rootfs) per service, then `runc create` with the service's stdio passed through,
 * `runc start`, `runc kill`, `runc delete`. The supervisor is a child subreaper, so a
 * container's init process becomes its child once `runc create` returns: its exit status
 * is reaped like any child's (executor.c).
 *
 * The runtime configuration (OCI runtime specification 1.0): the command from the manifest
 * (else the image's Entrypoint and Cmd), the image's environment then the manifest's, new
 * pid, network, ipc, uts and mount namespaces, the usual pseudo file systems, the
 * manifest's bind mounts, three capabilities (AUDIT_WRITE, KILL, NET_BIND_SERVICE), no new
 * privileges, a read-only root when asked, and CPU (quota over a 100 ms period) and memory
 * limits through runc's cgroups. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec_int.h"
#include "util/json.h"
#include "oci/oci.h"

extern char **environ;

static const char *runc_path(void) {
  const char *p = getenv("WELD_RUNC");
  return p && *p ? p : "runc";
}

int hy_runc(const char *const *args, int in_fd, int out_fd, int err_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  int fds[3] = {in_fd >= 0 ? in_fd : null_fd, out_fd >= 0 ? out_fd : null_fd, err_fd >= 0 ? err_fd : null_fd};
  for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&fa, fds[i], i);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none, dfl;
  sigemptyset(&none);
  sigfillset(&dfl);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &dfl);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  size_t n = 0;
  while (args[n]) n++;
  char **argv = calloc(n + 2, sizeof *argv);
  argv[0] = (char *)runc_path();
  for (size_t i = 0; i < n; i++) argv[i + 1] = (char *)args[i];
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
  free(argv);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (null_fd >= 0) close(null_fd);
  if (rc != 0) return -1;
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---------- config.json ---------- */

static void str_array(json_buf *b, const char *const *v, size_t n) {
  json_arr_begin(b);
  for (size_t i = 0; i < n; i++) json_str(b, v[i]);
  json_arr_end(b);
}

/* A fixed word of the config (a mount option, a capability, a masked path): the tables of
 * them hold arrays, not pointers, so they need no relocations when the program starts. */
typedef char runc_word[24];

static void word_array(json_buf *b, const runc_word *v, size_t n) {
  json_arr_begin(b);
  for (size_t i = 0; i < n; i++) json_str(b, v[i]);
  json_arr_end(b);
}

static void add_mount(json_buf *b, const char *dest, const char *type, const char *src, const runc_word *opts, size_t n) {
  json_obj_begin(b);
  json_key(b, "destination"), json_str(b, dest);
  json_key(b, "type"), json_str(b, type);
  json_key(b, "source"), json_str(b, src);
  if (n) json_key(b, "options"), word_array(b, opts, n);
  json_obj_end(b);
}

#define N(a) (sizeof(a) / sizeof(a)[0])

bool hy_runc_spec(hy_svc *s, const hy_image_config *img, char **extra_env, size_t nextra, util_error *err) {
  const manifest_container *k = &s->ms->container;
  /* the command */
  const char **args = NULL;
  size_t nargs = 0;
  if (k->ncommand) {
    args = k->command, nargs = k->ncommand;
  } else {
    args = calloc(img->nentrypoint + img->ncmd + 1, sizeof *args);
    if (!args) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    for (size_t i = 0; i < img->nentrypoint; i++) args[nargs++] = img->entrypoint[i];
    for (size_t i = 0; i < img->ncmd; i++) args[nargs++] = img->cmd[i];
  }
  if (!nargs) {
    if (!k->ncommand) free(args);
    return util_fail(err, UTIL_ERR_USAGE, -1, "service '%s': no command (the manifest gives none, nor does the image)", s->ms->name);
  }
  json_buf b = {0};
  json_obj_begin(&b);
  json_key(&b, "ociVersion"), json_str(&b, "1.0.2");
  json_key(&b, "process");
  json_obj_begin(&b);
  json_key(&b, "terminal"), json_bool(&b, false);
  json_key(&b, "user"), json_obj_begin(&b), json_key(&b, "uid"), json_int(&b, 0), json_key(&b, "gid"), json_int(&b, 0),
      json_obj_end(&b);
  json_key(&b, "args"), str_array(&b, args, nargs);
  json_key(&b, "env");
  json_arr_begin(&b);
  bool have_path = false;
  for (size_t i = 0; i < img->nenv; i++) {
    json_str(&b, img->env[i]);
    if (!strncmp(img->env[i], "PATH=", 5)) have_path = true;
  }
  if (!have_path) json_str(&b, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (size_t i = 0; i < k->nenv; i++) {
    char *kv = NULL;
    if (asprintf(&kv, "%s=%s", k->env[i].name, k->env[i].value) < 0) kv = NULL;
    if (kv) json_str(&b, kv);
    free(kv);
  }
  for (size_t i = 0; i < nextra; i++) json_str(&b, extra_env[i]);
  json_arr_end(&b);
  json_key(&b, "cwd"), json_str(&b, img->workdir[0] == '/' ? img->workdir : "/");
  static const runc_word caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  json_key(&b, "capabilities");
  json_obj_begin(&b);
  static const char sets[][10] = {"bounding", "effective", "permitted", "ambient"};
  for (size_t i = 0; i < N(sets); i++) json_key(&b, sets[i]), word_array(&b, caps, N(caps));
  json_obj_end(&b);
  json_key(&b, "rlimits");
  json_arr_begin(&b);
  json_obj_begin(&b);
  json_key(&b, "type"), json_str(&b, "RLIMIT_NOFILE");
  json_key(&b, "hard"), json_int(&b, 1024);
  json_key(&b, "soft"), json_int(&b, 1024);
  json_obj_end(&b);
  json_arr_end(&b);
  json_key(&b, "noNewPrivileges"), json_bool(&b, true);
  json_obj_end(&b); /* process */
  json_key(&b, "root");
  json_obj_begin(&b);
  json_key(&b, "path"), json_str(&b, "rootfs");
  json_key(&b, "readonly"), json_bool(&b, k->read_only);
  json_obj_end(&b);
  json_key(&b, "hostname"), json_str(&b, s->ms->name);
  json_key(&b, "mounts");
  json_arr_begin(&b);
  add_mount(&b, "/proc", "proc", "proc", NULL, 0);
  static const runc_word dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k"};
  add_mount(&b, "/dev", "tmpfs", "tmpfs", dev, N(dev));
  static const runc_word pts[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"};
  add_mount(&b, "/dev/pts", "devpts", "devpts", pts, N(pts));
  static const runc_word shm[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"};
  add_mount(&b, "/dev/shm", "tmpfs", "shm", shm, N(shm));
  static const runc_word mq[] = {"nosuid", "noexec", "nodev"};
  add_mount(&b, "/dev/mqueue", "mqueue", "mqueue", mq, N(mq));
  static const runc_word sys[] = {"nosuid", "noexec", "nodev", "ro"};
  add_mount(&b, "/sys", "sysfs", "sysfs", sys, N(sys));
  static const runc_word tmp[] = {"nosuid", "nodev", "mode=1777", "size=65536k"};
  add_mount(&b, "/tmp", "tmpfs", "tmpfs", tmp, N(tmp));
  bool ok = true;
  for (size_t i = 0; i < k->nmounts; i++) {
    char src[PATH_MAX], joined[PATH_MAX];
    const manifest_mount *mt = &k->mounts[i];
    snprintf(joined, sizeof joined, "%s%s%s", mt->source[0] == '/' ? "" : s->app->base, mt->source[0] == '/' ? "" : "/",
             mt->source);
    if (!realpath(joined, src)) {
      ok = util_fail(err, UTIL_ERR_IO, -1, "service '%s': mount source %s: %s", s->ms->name, joined, strerror(errno));
      break;
    }
    static const runc_word rw[] = {"rbind", "rprivate"}, ro[] = {"rbind", "rprivate", "ro"};
    add_mount(&b, mt->target, "bind", src, mt->readonly ? ro : rw, mt->readonly ? N(ro) : N(rw));
  }
  json_arr_end(&b);
  json_key(&b, "linux");
  json_obj_begin(&b);
  if (k->cpus > 0 || k->memory > 0) {
    json_key(&b, "resources");
    json_obj_begin(&b);
    if (k->memory > 0) {
      json_key(&b, "memory"), json_obj_begin(&b);
      json_key(&b, "limit"), json_int(&b, (int64_t)k->memory);
      json_obj_end(&b);
    }
    if (k->cpus > 0) {
      json_key(&b, "cpu"), json_obj_begin(&b);
      int64_t quota = (int64_t)(k->cpus * 100000.0);
      json_key(&b, "quota"), json_int(&b, quota < 1000 ? 1000 : quota);
      json_key(&b, "period"), json_int(&b, 100000);
      json_obj_end(&b);
    }
    json_obj_end(&b);
  }
  json_key(&b, "namespaces");
  json_arr_begin(&b);
  static const char ns[][8] = {"pid", "network", "ipc", "uts", "mount"};
  for (size_t i = 0; i < N(ns); i++) json_obj_begin(&b), json_key(&b, "type"), json_str(&b, ns[i]), json_obj_end(&b);
  json_arr_end(&b);
  static const runc_word masked[] = {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                     "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                     "/proc/scsi"};
  json_key(&b, "maskedPaths"), word_array(&b, masked, N(masked));
  static const runc_word rop[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  json_key(&b, "readonlyPaths"), word_array(&b, rop, N(rop));
  json_obj_end(&b); /* linux */
  json_obj_end(&b);
  if (!k->ncommand) free(args);
  if (ok && b.out.oom) ok = util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  if (ok) {
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/config.json", s->bundle);
    ok = oci_write_file_atomic(path, b.out.p, b.out.len, err);
  }
  json_buf_free(&b);
  return ok;
}

/* ---------- the life of a container ---------- */

bool hy_runc_create(hy_svc *s, util_error *err) {
  char pidfile[PATH_MAX + 16];
  snprintf(pidfile, sizeof pidfile, "%s/pid", s->bundle);
  unlink(pidfile);
  hy_runc_force_delete(s->id); /* what an earlier start of this service in this run left (ids differ per run) */
  const char *args[] = {"create", "--bundle", s->bundle, "--pid-file", pidfile, s->id, NULL};
  int out = s->stdout_fd >= 0 ? s->stdout_fd : s->log_fd;
  int rc = hy_runc(args, s->stdin_fd, out, s->log_fd);
  if (rc != 0)
    return util_fail(err, UTIL_ERR_IO, -1, "service '%s': runc create failed (status %d; see weld logs %s)", s->ms->name,
                     rc, s->ms->name);
  uint8_t *data;
  size_t len;
  if (!util_read_file(pidfile, &data, &len, err)) return false;
  s->pid = (pid_t)strtol((const char *)data, NULL, 10);
  free(data);
  char nspath[64];
  snprintf(nspath, sizeof nspath, "/proc/%d/ns/net", (int)s->pid);
  int fd = open(nspath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util_fail(err, UTIL_ERR_IO, -1, "service '%s': %s: %s", s->ms->name, nspath, strerror(errno));
  pthread_mutex_lock(&s->mu);
  if (s->netns_fd >= 0) close(s->netns_fd);
  s->netns_fd = fd;
  pthread_mutex_unlock(&s->mu);
  return true;
}

bool hy_runc_start(hy_svc *s, util_error *err) {
  const char *args[] = {"start", s->id, NULL};
  int rc = hy_runc(args, -1, s->log_fd, s->log_fd);
  if (rc != 0)
    return util_fail(err, UTIL_ERR_IO, -1, "service '%s': runc start failed (status %d; see weld logs %s)", s->ms->name,
                     rc, s->ms->name);
  return true;
}

/* Waits up to ms for the container's init to exit (it is our child). */
static bool reap(hy_svc *s, unsigned ms) {
  for (unsigned t = 0; s->pid > 0; t += 10) {
    int st;
    pid_t r = waitpid(s->pid, &st, WNOHANG);
    if (r == s->pid || (r < 0 && errno == ECHILD)) {
      if (r == s->pid && s->exit_code < 0) s->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      s->pid = 0;
      return true;
    }
    if (t >= ms) return false;
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
  return true;
}

void hy_runc_signal(hy_svc *s, const char *sig) {
  if (s->pid <= 0) return;
  const char *args[] = {"kill", s->id, sig, NULL};
  hy_runc(args, -1, -1, -1);
}

void hy_runc_stop(hy_svc *s, unsigned grace_ms) {
  if (s->pid > 0) {
    hy_runc_signal(s, "TERM");
    if (!reap(s, grace_ms)) {
      /* an init process that does not handle SIGTERM ignores it */
      hy_runc_signal(s, "KILL");
      reap(s, 2000);
    }
  }
  hy_runc_force_delete(s->id);
  pthread_mutex_lock(&s->mu);
  if (s->netns_fd >= 0) close(s->netns_fd);
  s->netns_fd = -1;
  pthread_mutex_unlock(&s->mu);
}

void hy_runc_force_delete(const char *id) {
  const char *del[] = {"delete", "--force", id, NULL};
  hy_runc(del, -1, -1, -1);
}
