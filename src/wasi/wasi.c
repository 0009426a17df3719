/* wasi: the context (arguments, environment, fd table, preopens), import resolution,
 * binding to memory, and the helpers every call shares. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sandbox.h"
#include "wasi_int.h"

extern char **environ;

/* ---------- errno ------------------------------------------------------------------------ */

uint16_t wasi_errno(int e) {
  switch (e) {
    case 0: return WASI_ESUCCESS;
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EADDRINUSE: return WASI_EADDRINUSE;
    case EADDRNOTAVAIL: return WASI_EADDRNOTAVAIL;
    case EAFNOSUPPORT: return WASI_EAFNOSUPPORT;
    case EAGAIN: return WASI_EAGAIN;
    case EALREADY: return WASI_EALREADY;
    case EBADF: return WASI_EBADF;
    case EBADMSG: return WASI_EBADMSG;
    case EBUSY: return WASI_EBUSY;
    case ECANCELED: return WASI_ECANCELED;
    case ECHILD: return WASI_ECHILD;
    case ECONNABORTED: return WASI_ECONNABORTED;
    case ECONNREFUSED: return WASI_ECONNREFUSED;
    case ECONNRESET: return WASI_ECONNRESET;
    case EDEADLK: return WASI_EDEADLK;
    case EDESTADDRREQ: return WASI_EDESTADDRREQ;
    case EDOM: return WASI_EDOM;
    case EDQUOT: return WASI_EDQUOT;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EHOSTUNREACH: return WASI_EHOSTUNREACH;
    case EIDRM: return WASI_EIDRM;
    case EILSEQ: return WASI_EILSEQ;
    case EINPROGRESS: return WASI_EINPROGRESS;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EIO: return WASI_EIO;
    case EISCONN: return WASI_EISCONN;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return WASI_ELOOP;
    case EMFILE: return WASI_EMFILE;
    case EMLINK: return WASI_EMLINK;
    case EMSGSIZE: return WASI_EMSGSIZE;
    case EMULTIHOP: return WASI_EMULTIHOP;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENETDOWN: return WASI_ENETDOWN;
    case ENETRESET: return WASI_ENETRESET;
    case ENETUNREACH: return WASI_ENETUNREACH;
    case ENFILE: return WASI_ENFILE;
    case ENOBUFS: return WASI_ENOBUFS;
    case ENODEV: return WASI_ENODEV;
    case ENOENT: return WASI_ENOENT;
    case ENOEXEC: return WASI_ENOEXEC;
    case ENOLCK: return WASI_ENOLCK;
    case ENOLINK: return WASI_ENOLINK;
    case ENOMEM: return WASI_ENOMEM;
    case ENOMSG: return WASI_ENOMSG;
    case ENOPROTOOPT: return WASI_ENOPROTOOPT;
    case ENOSPC: return WASI_ENOSPC;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTCONN: return WASI_ENOTCONN;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case ENOTRECOVERABLE: return WASI_ENOTRECOVERABLE;
    case ENOTSOCK: return WASI_ENOTSOCK;
    case ENOTSUP: return WASI_ENOTSUP;
    case ENOTTY: return WASI_ENOTTY;
    case ENXIO: return WASI_ENXIO;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EOWNERDEAD: return WASI_EOWNERDEAD;
    case EPERM: return WASI_EPERM;
    case EPIPE: return WASI_EPIPE;
    case EPROTO: return WASI_EPROTO;
    case EPROTONOSUPPORT: return WASI_EPROTONOSUPPORT;
    case EPROTOTYPE: return WASI_EPROTOTYPE;
    case ERANGE: return WASI_ERANGE;
    case EROFS: return WASI_EROFS;
    case ESPIPE: return WASI_ESPIPE;
    case ESRCH: return WASI_ESRCH;
    case ESTALE: return WASI_ESTALE;
    case ETIMEDOUT: return WASI_ETIMEDOUT;
    case ETXTBSY: return WASI_ETXTBSY;
    case EXDEV: return WASI_EXDEV;
    default: return WASI_EIO;
  }
}

/* ---------- fd table -------------------------------------------------------------------- */

wasi_fd *wasi_fd_get(wasi_ctx *c, uint32_t fd, uint64_t rights, uint16_t *err) {
  if (fd >= c->nfds || c->fds[fd].kind == WASI_FD_FREE) {
    *err = WASI_EBADF;
    return NULL;
  }
  wasi_fd *f = &c->fds[fd];
  if ((f->rights & rights) != rights) {
    *err = WASI_ENOTCAPABLE;
    return NULL;
  }
  return f;
}

uint16_t wasi_fd_alloc(wasi_ctx *c, uint32_t *out) {
  for (uint32_t i = 0; i < c->nfds; i++)
    if (c->fds[i].kind == WASI_FD_FREE) return *out = i, 0;
  if (c->nfds >= (1u << 20)) return WASI_EMFILE;
  uint32_t n = c->nfds ? c->nfds * 2 : 16;
  wasi_fd *fds = util_try_realloc(c->fds, n * sizeof *c->fds);
  if (!fds) return WASI_ENOMEM;
  c->fds = fds;
  memset(c->fds + c->nfds, 0, (n - c->nfds) * sizeof *c->fds);
  *out = c->nfds;
  c->nfds = n;
  return 0;
}

static void drop_ents(wasi_fd *f) {
  for (size_t i = 0; i < f->nents; i++) free(f->ents[i].name);
  free(f->ents);
  f->ents = NULL;
  f->nents = 0;
  f->have_ents = false;
}

void wasi_fd_release(wasi_ctx *c, wasi_fd *f) {
  if (f->kind == WASI_FD_FREE) return;
  if (f->owned && f->host >= 0) {
    close(f->host);
    if (c->open_files) c->open_files--;
  }
  free(f->guest);
  drop_ents(f);
  memset(f, 0, sizeof *f);
  f->kind = WASI_FD_FREE;
  f->host = -1;
}

uint8_t wasi_filetype_of(mode_t mode) {
  if (S_ISREG(mode)) return WASI_FILETYPE_REGULAR_FILE;
  if (S_ISDIR(mode)) return WASI_FILETYPE_DIRECTORY;
  if (S_ISCHR(mode)) return WASI_FILETYPE_CHARACTER_DEVICE;
  if (S_ISBLK(mode)) return WASI_FILETYPE_BLOCK_DEVICE;
  if (S_ISLNK(mode)) return WASI_FILETYPE_SYMBOLIC_LINK;
  if (S_ISSOCK(mode)) return WASI_FILETYPE_SOCKET_STREAM;
  return WASI_FILETYPE_UNKNOWN;
}

uint16_t wasi_deny(wasi_ctx *c, uint16_t e, const char *call, const char *path, const char *fmt,
                   ...) {
  c->stats.denials++;
  if (!c->log_denials && c->stats.denials > 1) return e;
  /* one description serves the log line and, for the first denial, the summary a run
   * prints at exit without --log-denials */
  char line[512];
  int k = snprintf(line, sizeof line, "%s", call);
  if (path && k >= 0 && (size_t)k < sizeof line) k += snprintf(line + k, sizeof line - (size_t)k, " \"%s\"", path);
  if (k >= 0 && (size_t)k < sizeof line) k += snprintf(line + k, sizeof line - (size_t)k, ": ");
  if (k >= 0 && (size_t)k < sizeof line) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
    va_end(ap);
  }
  if (c->stats.denials == 1) {
    size_t n = strnlen(line, sizeof c->first_denial - 1);
    memcpy(c->first_denial, line, n);
    c->first_denial[n] = 0;
  }
  if (c->log_denials) {
    FILE *out = c->log ? c->log : stderr;
    fprintf(out, "weld: wasi: denied %s\n", line);
    fflush(out);
  }
  return e;
}

const char *wasi_ctx_first_denial(const wasi_ctx *c) { return c->stats.denials ? c->first_denial : NULL; }

bool wasi_count_reserve(wasi_ctx *c) {
  return util_vec_try_grow((void **)&c->counts, &c->capcounts, c->ncounts, sizeof *c->counts);
}

size_t wasi_count_for(wasi_ctx *c, int host) {
  struct stat st;
  if (fstat(host, &st) != 0) return SIZE_MAX;
  for (size_t i = 0; i < c->ncounts; i++)
    if (c->counts[i].dev == st.st_dev && c->counts[i].ino == st.st_ino) return i;
  if (!UTIL_VEC_TRY_PUSH(c->counts, c->ncounts, c->capcounts,
                         ((wasi_filecount){.dev = st.st_dev, .ino = st.st_ino})))
    return SIZE_MAX; /* not after wasi_count_reserve */
  return c->ncounts - 1;
}

/* ---------- the context ----------------------------------------------------------------- */

static bool add_env(wasi_ctx *c, size_t *cap, const char *name, const char *value) {
  size_t nl = strlen(name), vl = strlen(value);
  char *s = util_try_malloc(nl + vl + 2);
  if (!s) return false;
  memcpy(s, name, nl);
  s[nl] = '=';
  memcpy(s + nl + 1, value, vl + 1);
  /* a later grant for the same name replaces the earlier value */
  for (size_t i = 0; i < c->nenv; i++) {
    if (strncmp(c->env[i], name, nl) == 0 && c->env[i][nl] == '=') {
      c->env_bytes -= strlen(c->env[i]) + 1;
      free(c->env[i]);
      c->env[i] = s;
      c->env_bytes += nl + vl + 2;
      return true;
    }
  }
  if (!UTIL_VEC_TRY_PUSH(c->env, c->nenv, *cap, s)) {
    free(s);
    return false;
  }
  c->env_bytes += nl + vl + 2;
  return true;
}

static bool stdio_fd(wasi_ctx *c, int host, bool allowed) {
  uint32_t i;
  if (wasi_fd_alloc(c, &i)) return false;
  wasi_fd *f = &c->fds[i];
  f->kind = WASI_FD_STDIO;
  f->host = host;
  f->owned = false;
  f->preopen = -1;
  f->count = SIZE_MAX;
  struct stat st;
  f->filetype = fstat(host, &st) == 0 ? wasi_filetype_of(st.st_mode)
                                       : WASI_FILETYPE_CHARACTER_DEVICE;
  if (f->filetype == WASI_FILETYPE_DIRECTORY) f->filetype = WASI_FILETYPE_UNKNOWN;
  int fl = fcntl(host, F_GETFL);
  if (fl >= 0 && (fl & O_APPEND)) f->fdflags |= WASI_FDFLAG_APPEND;
  uint64_t r = f->filetype == WASI_FILETYPE_REGULAR_FILE ? WASI_RIGHTS_FILE : WASI_RIGHTS_TTY;
  /* a character device that is no terminal (/dev/null, /dev/zero) can seek, as on the
   * host: wasi-libc's isatty() takes a character device without seek and tell rights
   * for a terminal, and programs refusing to write binary data to one would refuse
   * `> /dev/null` */
  if (f->filetype == WASI_FILETYPE_CHARACTER_DEVICE && !isatty(host))
    r |= WASI_RIGHT(R_FD_SEEK) | WASI_RIGHT(R_FD_TELL);
  f->rights = r;
  f->inheriting = 0;
  /* a denied stream stays open (so fd numbering is what programs expect) but grants
   * nothing: reads and writes are refused and logged */
  f->ops = allowed ? POLICY_OP_READ | POLICY_OP_WRITE : 0;
  f->max_read = f->max_write = POLICY_UNLIMITED;
  return true;
}

/* `path` is `dir` or beneath it (guest paths, normalized; "." holds relative ones); the
 * rest after `dir` (no leading slash) goes to *rest. */
static bool guest_within(const char *dir, const char *path, const char **rest) {
  if (strcmp(dir, ".") == 0) {
    if (path[0] == '/') return false;
    *rest = strcmp(path, ".") == 0 ? "" : path;
    return true;
  }
  if (strcmp(dir, "/") == 0) {
    if (path[0] != '/') return false;
    *rest = path + 1;
    return true;
  }
  size_t l = strlen(dir);
  if (strncmp(dir, path, l) != 0 || (path[l] != 0 && path[l] != '/')) return false;
  *rest = path[l] ? path + l + 1 : "";
  return true;
}

/* Which preopens see each other's files (same_tree) and which need real-location checks
 * (preopen_finer); see wasi_int.h. */
static bool plan_trees(wasi_ctx *c) {
  size_t n = c->pol->ndirs;
  c->same_tree = util_try_calloc(n * n + 1, sizeof *c->same_tree);
  c->preopen_finer = util_try_calloc(n + 1, sizeof *c->preopen_finer);
  if (!c->same_tree || !c->preopen_finer) return false;
  for (size_t d = 0; d < n; d++) {
    c->preopen_finer[d] = c->pol->npaths > 0;
    for (size_t e = 0; e < n; e++) {
      const char *rest;
      if (e == d) {
        c->same_tree[d * n + e] = true;
        continue;
      }
      if (!guest_within(c->preopen_guest[d], c->preopen_guest[e], &rest)) continue;
      c->preopen_finer[d] = true; /* another directory is mounted inside d's guest tree */
      const char *rd = c->preopen_real[d], *re = c->preopen_real[e];
      if (!rd || !re) continue;
      size_t need = strlen(rd) + strlen(rest) + 2;
      char *want = util_try_malloc(need);
      if (!want) return false;
      snprintf(want, need, "%s%s%s", strcmp(rd, "/") == 0 ? "" : rd, *rest ? "/" : "", rest);
      if (!*want) strcpy(want, "/");
      c->same_tree[d * n + e] = strcmp(want, re) == 0;
      free(want);
    }
  }
  return true;
}

wasi_ctx *wasi_ctx_new(const policy *p, const wasi_config *cfg, util_error *err) {
  wasi_ctx *c = util_try_calloc(1, sizeof *c);
  if (!c) {
    util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    return NULL;
  }
  c->pol = p;
  /* tests run the escape corpus through the fallback walk too */
  const char *walk = getenv("WELD_WASI_NO_OPENAT2");
  if (walk && *walk && strcmp(walk, "0") != 0) wasi_sandbox_force_walk(true);
  c->log_denials = cfg ? cfg->log_denials : false;
  c->log = cfg ? cfg->log : NULL;
  int argc = cfg ? cfg->argc : 0;
  c->argv = util_try_calloc((size_t)argc + 1, sizeof *c->argv);
  if (!c->argv) goto oom;
  for (int i = 0; i < argc; i++) {
    if (!(c->argv[i] = util_try_strdup(cfg->argv[i]))) goto oom;
    c->argc = i + 1;
    c->args_bytes += strlen(cfg->argv[i]) + 1;
  }
  size_t capenv = 0;
  if (p->env_inherit_all)
    for (char **e = environ; e && *e; e++) {
      const char *eq = strchr(*e, '=');
      if (!eq) continue;
      char name[512];
      size_t nl = (size_t)(eq - *e);
      if (nl >= sizeof name) continue;
      memcpy(name, *e, nl);
      name[nl] = 0;
      if (!add_env(c, &capenv, name, eq + 1)) goto oom;
    }
  for (size_t i = 0; i < p->nenv; i++) {
    const char *v = p->env[i].value ? p->env[i].value : getenv(p->env[i].name);
    if (v && !add_env(c, &capenv, p->env[i].name, v)) goto oom;
  }
  const int *io = cfg && cfg->stdio ? cfg->stdio : (const int[]){0, 1, 2};
  if (!stdio_fd(c, io[0], p->allow_stdin) || !stdio_fd(c, io[1], p->allow_stdout) ||
      !stdio_fd(c, io[2], p->allow_stderr))
    goto oom;
  c->preopen_real = util_try_calloc(p->ndirs + 1, sizeof *c->preopen_real);
  c->preopen_guest = util_try_calloc(p->ndirs + 1, sizeof *c->preopen_guest);
  c->preopen_name = util_try_calloc(p->ndirs + 1, sizeof *c->preopen_name);
  if (!c->preopen_real || !c->preopen_guest || !c->preopen_name) goto oom;
  for (size_t d = 0; d < p->ndirs; d++) {
    const policy_dir *pd = &p->dirs[d];
    uint32_t i;
    if (wasi_fd_alloc(c, &i)) goto oom; /* the table is far from full here */
    int h = open(pd->host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h < 0) {
      util_fail(err, UTIL_ERR_IO, -1, "cannot open directory %s: %s", pd->host, strerror(errno));
      wasi_ctx_free(c);
      return NULL;
    }
    wasi_fd *f = &c->fds[i];
    f->kind = WASI_FD_DIR;
    f->host = h;
    f->owned = true;
    f->filetype = WASI_FILETYPE_DIRECTORY;
    f->rights = WASI_RIGHTS_DIR;
    f->inheriting = WASI_RIGHTS_ALL;
    f->preopen = (int)d;
    f->is_preopen = true;
    f->count = SIZE_MAX;
    /* where the kernel says the opened directory is, in the form /proc/self/fd gives
     * every fd beneath it; unknown stays NULL and real-location checks then refuse */
    char real[PATH_MAX];
    if (wasi_sandbox_fd_path(h, real, sizeof real) && !(c->preopen_real[d] = util_try_strdup(real)))
      goto oom;
    const char *g = pd->guest ? pd->guest : pd->host;
    char *norm = NULL;
    /* a guest name is the operator's, so it may be absolute: normalize it on its own */
    uint16_t j = wasi_guest_join(g[0] == '/' ? "/" : ".", g[0] == '/' ? g + 1 : g, &norm);
    if (j == WASI_ENOMEM) goto oom;
    if (j != 0 && !(norm = util_try_strdup(g))) goto oom;
    f->guest = norm;
    if (!(c->preopen_guest[d] = util_try_strdup(norm)) || !(c->preopen_name[d] = util_try_strdup(g)))
      goto oom;
  }
  if (!plan_trees(c)) goto oom;
  for (uint32_t i = 0; i < c->nfds; i++) {
    wasi_fd *f = &c->fds[i];
    bool undecided = false;
    if (f->is_preopen) f->ops = wasi_path_ops(c, f->preopen, f->guest, &f->max_read, &f->max_write, &undecided);
    if (f->is_preopen && undecided) goto oom;
  }
  if (cfg)
    for (int s = 0; s < cfg->nsockets; s++) {
      uint32_t i;
      if (wasi_fd_alloc(c, &i)) goto oom;
      wasi_fd *f = &c->fds[i];
      f->kind = WASI_FD_SOCKET;
      f->host = cfg->sockets[s];
      f->owned = false;
      f->filetype = WASI_FILETYPE_SOCKET_STREAM;
      f->rights = WASI_RIGHTS_SOCK;
      f->inheriting = WASI_RIGHTS_SOCK;
      f->preopen = -1;
      f->ops = POLICY_OP_READ | POLICY_OP_WRITE;
      f->max_read = f->max_write = POLICY_UNLIMITED;
      f->count = SIZE_MAX;
    }
  return c;
oom:
  util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  wasi_ctx_free(c);
  return NULL;
}

void wasi_ctx_free(wasi_ctx *c) {
  if (!c) return;
  for (uint32_t i = 0; i < c->nfds; i++) wasi_fd_release(c, &c->fds[i]);
  free(c->fds);
  for (int i = 0; i < c->argc; i++) free(c->argv[i]);
  free(c->argv);
  for (size_t i = 0; i < c->nenv; i++) free(c->env[i]);
  free(c->env);
  for (size_t d = 0; d < c->pol->ndirs; d++) {
    if (c->preopen_real) free(c->preopen_real[d]);
    if (c->preopen_guest) free(c->preopen_guest[d]);
    if (c->preopen_name) free(c->preopen_name[d]);
  }
  free(c->preopen_real);
  free(c->preopen_guest);
  free(c->preopen_name);
  free(c->preopen_finer);
  free(c->same_tree);
  free(c->counts);
  free(c);
}

wasi_stats wasi_ctx_stats(const wasi_ctx *c) { return c->stats; }

bool wasi_ctx_bind(wasi_ctx *c, exec_instance *inst, util_error *err) {
  exec_extern e = exec_instance_export(inst, "memory", 6);
  if (e.kind != WASM_EXTERN_MEMORY || !e.ptr)
    return util_fail(err, UTIL_ERR_LINK, -1,
                     "wasi: the module imports WASI functions but exports no \"memory\"");
  c->mem = e.ptr;
  return true;
}

/* ---------- args and environment ---------------------------------------------------------- */

static uint16_t put_strings(wasi_ctx *c, char **strs, size_t n, size_t bytes, uint32_t vec,
                            uint32_t buf) {
  uint8_t *v = wasi_mem(c, vec, (uint64_t)n * 4);
  uint8_t *b = wasi_mem(c, buf, bytes);
  if (!v || !b) return WASI_EFAULT;
  uint32_t off = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(strs[i]) + 1;
    wasi_put_u32(v + i * 4, buf + off);
    memcpy(b + off, strs[i], l);
    off += (uint32_t)l;
  }
  return 0;
}

static uint16_t put_sizes(wasi_ctx *c, size_t n, size_t bytes, uint32_t pn, uint32_t pb) {
  uint8_t *a = wasi_mem(c, pn, 4), *b = wasi_mem(c, pb, 4);
  if (!a || !b) return WASI_EFAULT;
  wasi_put_u32(a, (uint32_t)n);
  wasi_put_u32(b, (uint32_t)bytes);
  return 0;
}

WASI_HOST(args_get) {
  wasi_ctx *c = WASI_CTX;
  RET(put_strings(c, c->argv, (size_t)c->argc, c->args_bytes, A32(0), A32(1)));
}
WASI_HOST(args_sizes_get) {
  wasi_ctx *c = WASI_CTX;
  RET(put_sizes(c, (size_t)c->argc, c->args_bytes, A32(0), A32(1)));
}
WASI_HOST(environ_get) {
  wasi_ctx *c = WASI_CTX;
  RET(put_strings(c, c->env, c->nenv, c->env_bytes, A32(0), A32(1)));
}
WASI_HOST(environ_sizes_get) {
  wasi_ctx *c = WASI_CTX;
  RET(put_sizes(c, c->nenv, c->env_bytes, A32(0), A32(1)));
}

/* ---------- imports ---------------------------------------------------------------------- */

/* The calls' names and types are arrays, so their table needs no relocations at
 * start-up; the implementations are in call_fns, in the same order. */
typedef struct wasi_call {
  char name[24];
  char params[10], results[2]; /* 'i' = i32, 'I' = i64 */
} wasi_call;

#define WASI_ENTRY(n, p, r) {#n, p, r},
static const wasi_call calls[] = {WASI_CALLS(WASI_ENTRY)};
#undef WASI_ENTRY
#define WASI_FN(n, p, r) wasi_##n,
static const exec_host_fn call_fns[] = {WASI_CALLS(WASI_FN)};
#undef WASI_FN

_Static_assert(sizeof calls / sizeof calls[0] <= WASI_MAX_CALLS, "raise WASI_MAX_CALLS");

int wasi_ctx_call(wasi_ctx *c, const char *name, uint8_t *mem, uint64_t size, const uint64_t *args,
                  util_error *err) {
  size_t i = 0;
  while (i < sizeof calls / sizeof calls[0] && strcmp(calls[i].name, name) != 0) i++;
  /* proc_exit ends a guest's thread, which a caller outside the interpreter has not */
  if (i == sizeof calls / sizeof calls[0] || call_fns[i] == wasi_proc_exit)
    return util_fail(err, UTIL_ERR_LINK, -1, "wasi: no call %s for another layer", name), -1;
  c->stats.calls++;
  c->call_counts[i]++;
  uint64_t max = c->pol->limits.max_host_calls;
  if (max != POLICY_UNLIMITED && max != 0 && c->stats.calls > max)
    return util_fail(err, UTIL_ERR_LIMIT, -1, "host call limit exceeded (%llu WASI calls)", (unsigned long long)max), -1;
  wasi_binding b = {c, i, call_fns[i], calls[i].name};
  exec_func self;
  memset(&self, 0, sizeof self);
  self.host_env = &b;
  exec_slot a[16] = {0};
  size_t np = strlen(calls[i].params);
  for (size_t k = 0; k < np && k < 16; k++) a[k] = args[k];
  exec_memory m;
  memset(&m, 0, sizeof m);
  m.base = mem;
  m.size = size;
  exec_memory *saved = c->mem;
  c->mem = &m;
  c->th = NULL;
  c->trap = EXEC_OK;
  exec_trap_kind k = call_fns[i](NULL, &self, a);
  c->mem = saved;
  if (k == EXEC_OK && c->trap != EXEC_OK) k = c->trap;
  if (k != EXEC_OK)
    return util_fail(err, UTIL_ERR_TRAP, -1, "%s", k == EXEC_TRAP_DEADLINE ? "deadline exceeded" : "interrupted"), -1;
  return (int)(uint16_t)a[0];
}

void wasi_ctx_deny(wasi_ctx *c, const char *call, const char *path, const char *why) {
  (void)wasi_deny(c, WASI_EACCES, call, path, "%s", why);
}

const policy *wasi_ctx_policy(const wasi_ctx *c) { return c->pol; }

void wasi_ctx_set_call_store(wasi_ctx *c, exec_store *s) { c->call_store = s; }

bool wasi_ctx_call_stat(const wasi_ctx *c, size_t i, const char **name, uint64_t *count) {
  if (i >= sizeof calls / sizeof calls[0]) return false;
  *name = calls[i].name;
  *count = c->call_counts[i];
  return true;
}

static exec_trap_kind trampoline(exec_thread *th, exec_func *self, exec_slot *argres) {
  wasi_binding *b = self->host_env;
  wasi_ctx *c = b->ctx;
  c->stats.calls++;
  c->call_counts[b->index]++;
  uint64_t max = c->pol->limits.max_host_calls;
  if (max != POLICY_UNLIMITED && max != 0 && c->stats.calls > max) {
    snprintf(th->trap_msg, sizeof th->trap_msg, "host call limit exceeded (%llu WASI calls)",
             (unsigned long long)max);
    if (th->store) th->store->usage.stopped_by = EXEC_LIMIT_HOST_CALLS;
    return EXEC_TRAP_LIMIT;
  }
  if (!c->mem && strcmp(b->name, "proc_exit") != 0 && strcmp(b->name, "sched_yield") != 0) {
    snprintf(th->trap_msg, sizeof th->trap_msg, "wasi %s: no memory bound", b->name);
    return EXEC_TRAP_HOST;
  }
  c->th = th;
  c->trap = EXEC_OK;
  exec_trap_kind k = b->fn(th, self, argres);
  c->th = NULL;
  /* a blocking wait woken by the deadline or a cancel ends the run with that trap */
  if (k == EXEC_OK && c->trap != EXEC_OK) k = c->trap;
  return k;
}

static void decode_sig(const char *s, uint8_t *out, uint32_t *n) {
  *n = 0;
  for (; *s; s++) out[(*n)++] = *s == 'I' ? WASM_I64 : WASM_I32;
}

bool wasi_resolve_import(wasi_ctx *c, exec_store *store, const char *module, const char *name,
                         const wasm_functype *want, exec_func **out, util_error *err) {
  *out = NULL;
  if (strcmp(module, "wasi_snapshot_preview1") != 0 && strcmp(module, "wasi_unstable") != 0)
    return util_fail(err, UTIL_ERR_LINK, -1, "unknown import: %s.%s", module, name);
  const wasi_call *call = NULL;
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (strcmp(calls[i].name, name) == 0) call = &calls[i];
  if (!call) return util_fail(err, UTIL_ERR_LINK, -1, "unknown import: %s.%s", module, name);
  uint8_t params[16], results[2];
  uint32_t np, nr;
  decode_sig(call->params, params, &np);
  decode_sig(call->results, results, &nr);
  bool same = !want || (want->nparams == np && want->nresults == nr);
  for (uint32_t i = 0; want && same && i < np; i++) same = want->params[i] == params[i];
  for (uint32_t i = 0; want && same && i < nr; i++) same = want->results[i] == results[i];
  if (!same)
    return util_fail(err, UTIL_ERR_LINK, -1, "incompatible import type: %s.%s", module, name);
  wasi_binding *b = util_try_malloc(sizeof *b);
  if (!b) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  b->ctx = c;
  b->index = (size_t)(call - calls);
  b->fn = call_fns[b->index];
  b->name = call->name;
  *out = exec_host_func_new(store, params, np, results, nr, trampoline, b, free);
  if (!*out) {
    free(b);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory: cannot create host function %s", name);
  }
  return true;
}

uint16_t wasi_iovs_get(wasi_ctx *c, uint32_t ptr, uint32_t n, wasi_iovs *v) {
  v->iov = v->small;
  v->n = 0;
  v->total = 0;
  const uint8_t *g = wasi_mem(c, ptr, (uint64_t)n * 8);
  if (!g) return WASI_EFAULT;
  if (n > WASI_SMALL_IOVS && !(v->iov = malloc((n < WASI_MAX_IOVS ? n : WASI_MAX_IOVS) * sizeof *v->iov))) {
    v->iov = v->small;
    return WASI_ENOMEM;
  }
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = wasi_get_u32(g + i * 8), len = wasi_get_u32(g + i * 8 + 4);
    uint8_t *p = wasi_mem(c, buf, len);
    if (!p) {
      wasi_iovs_free(v);
      return WASI_EFAULT;
    }
    if (len == 0 || v->n >= WASI_MAX_IOVS) continue;
    v->iov[v->n].iov_base = p;
    v->iov[v->n].iov_len = len;
    v->n++;
    v->total += len;
  }
  return 0;
}

void wasi_iovs_free(wasi_iovs *v) {
  if (v->iov != v->small) free(v->iov);
  v->iov = v->small;
}

long wasi_resolve_imports(wasi_ctx *ctx, exec_store *store, const wasm_module *m, exec_func **funcs,
                          util_error *err) {
  long n = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    const char *mod = im->module.str, *name = im->field.str;
    funcs[i] = NULL;
    if (strcmp(mod, "wasi_snapshot_preview1") != 0 && strcmp(mod, "wasi_unstable") != 0) continue;
    if (im->kind != WASM_EXTERN_FUNC)
      return util_fail(err, UTIL_ERR_LINK, im->offset, "incompatible import type: %s.%s", mod, name), -1;
    if (!wasi_resolve_import(ctx, store, mod, name, &m->types[im->u.func_type], &funcs[i], err)) return -1;
    n++;
  }
  return n;
}
