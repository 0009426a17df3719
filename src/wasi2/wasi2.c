/* wasi2: the host's context, its objects, linking, and the small interfaces (wasi:cli,
 * wasi:clocks, wasi:random). Every call that reaches the host goes through a preview1
 * call of src/wasi (wasi_ctx_call), so it is counted, limited, decided and logged there. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../component/component.h"
#include "sigs.h"
#include "wasi2_int.h"

/* ---------- the context and its objects ------------------------------------------------ */

wasi2 *wasi2_new(wasi_ctx *ctx, util_error *err) {
  wasi2 *w = util_try_calloc(1, sizeof *w);
  if (!w) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory"), NULL;
  w->ctx = ctx;
  return w;
}

static void free_obj(wasi2 *w, w2_obj *o) {
  w2_sock_free(o);
  if (o->h) {
    struct w2_h *h = o->h;
    o->h = NULL;
    w2_http_unref(w, h);
  }
  for (size_t i = 0; i < o->nents; i++) free(o->ents[i].name);
  free(o->ents);
  o->ents = NULL;
  o->nents = 0;
}

void wasi2_free(wasi2 *w) {
  if (!w) return;
  for (size_t i = 0; i < w->nobjs; i++) free_obj(w, &w->objs[i]);
  w2_http_free(w);
  free(w->objs);
  for (size_t i = 0; i < w->nbinds; i++) free(w->binds[i]);
  free(w->binds);
  free(w->mem);
  w2_net_free(w);
  free(w);
}

bool wasi2_exited(const wasi2 *w, int *code) {
  *code = w->exit_code;
  return w->exited;
}

bool w2_scratch(wasi2 *w, uint64_t n) {
  if (n <= w->memsize) return true;
  if (n > (uint64_t)64 << 20) return false;
  uint8_t *m = realloc(w->mem, n);
  if (!m) return false;
  w->mem = m;
  w->memsize = n;
  return true;
}

const char *w2_trap(wasi2 *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->msg, sizeof w->msg, fmt, ap);
  va_end(ap);
  return w->msg;
}

int w2_p1(wasi2 *w, const char *name, const uint64_t *args) {
  util_error err;
  util_error_clear(&err);
  if (!w2_scratch(w, 4096)) return w2_trap(w, "wasi: out of memory"), -1;
  int e = wasi_ctx_call(w->ctx, name, w->mem, w->memsize, args, &err);
  if (e < 0) w2_trap(w, "%s", err.msg);
  return e;
}

w2_obj *w2_new(wasi2 *w, uint8_t res, uint32_t *idx) {
  size_t i = 0;
  while (i < w->nobjs && w->objs[i].res != W2_R_COUNT) i++;
  if (i == w->nobjs) {
    if (w->nobjs >= UINT32_MAX / 2) return NULL;
    w2_obj o = {.res = W2_R_COUNT};
    if (!UTIL_VEC_TRY_PUSH(w->objs, w->nobjs, w->capobjs, o)) return NULL;
  }
  w2_obj *o = &w->objs[i];
  memset(o, 0, sizeof *o);
  o->res = res;
  *idx = (uint32_t)i;
  return o;
}

w2_obj *w2_get(wasi2 *w, uint8_t res, uint32_t idx) {
  if (idx >= w->nobjs || w->objs[idx].res != res) return NULL;
  return &w->objs[idx];
}

void w2_release(wasi2 *w, uint32_t idx) {
  if (idx >= w->nobjs) return;
  free_obj(w, &w->objs[idx]);
  w->objs[idx].res = W2_R_COUNT;
}

/* The guest dropped an own handle: descriptors it opened are closed (through fd_close, so
 * the open-file count follows); everything else is freed. */
static void drop(void *env, uint32_t rep) {
  wasi2 *w = env;
  if (rep >= w->nobjs || w->objs[rep].res == W2_R_COUNT) return;
  w2_obj *o = &w->objs[rep];
  if (o->res == W2_R_DESC && !o->preopen) {
    uint64_t a[1] = {o->fd};
    (void)w2_p1(w, "fd_close", a);
  }
  w2_sock_drop(w, rep);
  w2_release(w, rep);
}

comp_val *w2_vals(util_arena *a, uint32_t n) {
  comp_val *v = util_arena_try_alloc(a, sizeof(comp_val) * (n ? n : 1));
  if (v) memset(v, 0, sizeof(comp_val) * (n ? n : 1));
  return v;
}

/* ---------- error codes ---------------------------------------------------------------- */

const char w2_error_code_names[][22] = {
  "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist", "file-too-large",
  "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io", "is-directory", "loop", "too-many-links",
  "message-size", "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory", "insufficient-space",
  "not-directory", "not-empty", "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
  "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy", "cross-device",
};

enum { EC_ACCESS, EC_WOULD_BLOCK, EC_ALREADY, EC_BADF, EC_BUSY, EC_DEADLOCK, EC_QUOTA, EC_EXIST, EC_FBIG, EC_ILSEQ,
       EC_INPROGRESS, EC_INTR, EC_INVAL, EC_IO, EC_ISDIR, EC_LOOP, EC_MLINK, EC_MSGSIZE, EC_NAMETOOLONG, EC_NODEV,
       EC_NOENT, EC_NOLCK, EC_NOMEM, EC_NOSPC, EC_NOTDIR, EC_NOTEMPTY, EC_NOTRECOVERABLE, EC_UNSUPPORTED, EC_NOTTY,
       EC_NXIO, EC_OVERFLOW, EC_PERM, EC_PIPE, EC_ROFS, EC_SPIPE, EC_TXTBSY, EC_XDEV };

uint32_t w2_error_code(uint16_t e) {
  switch (e) {
  /* a policy denial and a capability missing (leaving the directory, rights) alike */
  case WASI_EACCES: case WASI_ENOTCAPABLE: return EC_ACCESS;
  case WASI_EAGAIN: return EC_WOULD_BLOCK;
  case WASI_EALREADY: return EC_ALREADY;
  case WASI_EBADF: return EC_BADF;
  case WASI_EBUSY: return EC_BUSY;
  case WASI_EDEADLK: return EC_DEADLOCK;
  case WASI_EDQUOT: return EC_QUOTA;
  case WASI_EEXIST: return EC_EXIST;
  case WASI_EFBIG: return EC_FBIG;
  case WASI_EILSEQ: return EC_ILSEQ;
  case WASI_EINPROGRESS: return EC_INPROGRESS;
  case WASI_EINTR: return EC_INTR;
  case WASI_EINVAL: return EC_INVAL;
  case WASI_EISDIR: return EC_ISDIR;
  case WASI_ELOOP: return EC_LOOP;
  case WASI_EMLINK: return EC_MLINK;
  case WASI_EMSGSIZE: return EC_MSGSIZE;
  case WASI_ENAMETOOLONG: return EC_NAMETOOLONG;
  case WASI_ENODEV: return EC_NODEV;
  case WASI_ENOENT: return EC_NOENT;
  case WASI_ENOLCK: return EC_NOLCK;
  /* the open-file limit has no code of its own */
  case WASI_ENOMEM: case WASI_EMFILE: case WASI_ENFILE: return EC_NOMEM;
  case WASI_ENOSPC: return EC_NOSPC;
  case WASI_ENOTDIR: return EC_NOTDIR;
  case WASI_ENOTEMPTY: return EC_NOTEMPTY;
  case WASI_ENOTRECOVERABLE: return EC_NOTRECOVERABLE;
  case WASI_ENOTSUP: case WASI_ENOSYS: return EC_UNSUPPORTED;
  case WASI_ENOTTY: return EC_NOTTY;
  case WASI_ENXIO: return EC_NXIO;
  case WASI_EOVERFLOW: return EC_OVERFLOW;
  case WASI_EPERM: return EC_PERM;
  case WASI_EPIPE: return EC_PIPE;
  case WASI_EROFS: return EC_ROFS;
  case WASI_ESPIPE: return EC_SPIPE;
  case WASI_ETXTBSY: return EC_TXTBSY;
  case WASI_EXDEV: return EC_XDEV;
  default: return EC_IO;
  }
}

const char *w2_fs_result(wasi2 *w, comp_val *r, int e, util_arena *a) {
  if (e < 0) return w->msg;
  if (e == 0) {
    w2_ok(r, NULL);
    return NULL;
  }
  comp_val *p = w2_vals(a, 1);
  if (!p) return W2_OOM(w);
  p->u.var.disc = w2_error_code((uint16_t)e);
  w2_err(r, p);
  return NULL;
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* ---------- wasi:cli ------------------------------------------------------------------- */

/* The strings args_get or environ_get gives (count and bytes from the *_sizes_get call). */
static const char *strings(wasi2 *w, const char *sizes, const char *get, char ***out, uint32_t *count) {
  uint64_t a[2] = {0, 4};
  int e = w2_p1(w, sizes, a);
  if (e < 0) return w->msg;
  if (e) return w2_trap(w, "wasi: %s failed (preview1 errno %d)", sizes, e);
  uint32_t n = get32(w->mem), bytes = get32(w->mem + 4);
  uint64_t need = 8 + (uint64_t)n * 4 + bytes;
  if (!w2_scratch(w, need)) return W2_OOM(w);
  uint64_t b[2] = {8, 8 + (uint64_t)n * 4};
  e = w2_p1(w, get, b);
  if (e < 0) return w->msg;
  if (e) return w2_trap(w, "wasi: %s failed (preview1 errno %d)", get, e);
  char **v = calloc(n ? n : 1, sizeof *v);
  if (!v) return W2_OOM(w);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t p = get32(w->mem + 8 + i * 4);
    if (p >= need) {
      free(v);
      return w2_trap(w, "wasi: %s gave a string out of bounds", get);
    }
    v[i] = (char *)w->mem + p;
  }
  *out = v;
  *count = n;
  return NULL;
}

static void str_val(comp_val *v, const char *s, size_t n) {
  v->u.str.s = s;
  v->u.str.len = (uint32_t)n;
}

static const char *copy_str(wasi2 *w, util_arena *a, comp_val *v, const char *s, size_t n) {
  char *c = util_arena_try_alloc(a, n + 1);
  if (!c) return W2_OOM(w);
  memcpy(c, s, n);
  c[n] = 0;
  str_val(v, c, n);
  return NULL;
}

static const char *get_arguments(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  char **v;
  uint32_t n;
  const char *t = strings(w, "args_sizes_get", "args_get", &v, &n);
  if (t) return t;
  comp_val *l = w2_vals(a, n);
  for (uint32_t i = 0; l && i < n && !t; i++) t = copy_str(w, a, &l[i], v[i], strlen(v[i]));
  free(v);
  if (!l) return W2_OOM(w);
  res->u.seq.v = l;
  res->u.seq.n = n;
  return t;
}

static const char *get_environment(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  char **v;
  uint32_t n;
  const char *t = strings(w, "environ_sizes_get", "environ_get", &v, &n);
  if (t) return t;
  comp_val *l = w2_vals(a, n), *pairs = w2_vals(a, n * 2);
  for (uint32_t i = 0; l && pairs && i < n && !t; i++) {
    const char *eq = strchr(v[i], '=');
    size_t k = eq ? (size_t)(eq - v[i]) : strlen(v[i]);
    t = copy_str(w, a, &pairs[2 * i], v[i], k);
    if (!t) t = copy_str(w, a, &pairs[2 * i + 1], eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0);
    l[i].u.seq.v = &pairs[2 * i];
    l[i].u.seq.n = 2;
  }
  free(v);
  if (!l || !pairs) return W2_OOM(w);
  res->u.seq.v = l;
  res->u.seq.n = n;
  return t;
}

static const char *initial_cwd(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)w, (void)args, (void)a;
  res->u.var.disc = 0; /* none: paths are relative to the preopens */
  res->u.var.p = NULL;
  return NULL;
}

static const char *do_exit(wasi2 *w, int code) {
  if (!wasi_ctx_policy(w->ctx)->allow_exit) {
    wasi_ctx_deny(w->ctx, "exit", NULL, "exit not granted");
    return w2_trap(w, "wasi:cli/exit: exit(%d) denied by policy", code);
  }
  w->exited = true;
  w->exit_code = code;
  return w2_trap(w, "exit with code %d", code);
}

static const char *cli_exit(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)res, (void)a;
  return do_exit(w, args[0].u.var.disc == 0 ? 0 : 1);
}

static const char *cli_exit_with_code(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)res, (void)a;
  return do_exit(w, (int)(uint8_t)args[0].u.u);
}

static const char *get_stdin(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return w2_stream(w, res, W2_R_INPUT, 0, false, 0, false);
}
static const char *get_stdout(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return w2_stream(w, res, W2_R_OUTPUT, 1, false, 0, false);
}
static const char *get_stderr(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return w2_stream(w, res, W2_R_OUTPUT, 2, false, 0, false);
}

/* get-terminal-stdin/stdout/stderr: a terminal-input/-output handle when stdio stream fd
 * is a terminal, decided as preview1 shows it (src/wasi: a character device without the
 * seek and tell rights, what wasi-libc's isatty() reads), else none. */
static const char *terminal_of(wasi2 *w, comp_val *res, util_arena *a, uint32_t fd, uint8_t rk) {
  uint64_t p[2] = {fd, 0};
  int e = w2_p1(w, "fd_fdstat_get", p);
  if (e < 0) return w->msg;
  res->u.var.disc = 0;
  res->u.var.p = NULL;
  if (e || w->mem[0] != WASI_FILETYPE_CHARACTER_DEVICE ||
      (get64(w->mem + 8) & (WASI_RIGHT(R_FD_SEEK) | WASI_RIGHT(R_FD_TELL))))
    return NULL;
  comp_val *h = w2_vals(a, 1);
  uint32_t idx;
  w2_obj *o = h ? w2_new(w, rk, &idx) : NULL;
  if (!o) return W2_OOM(w);
  o->fd = fd;
  w2_handle(w, h, rk, idx);
  res->u.var.disc = 1;
  res->u.var.p = h;
  return NULL;
}
static const char *term_stdin(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  return terminal_of(w, res, a, 0, W2_R_TERM_IN);
}
static const char *term_stdout(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  return terminal_of(w, res, a, 1, W2_R_TERM_OUT);
}
static const char *term_stderr(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  return terminal_of(w, res, a, 2, W2_R_TERM_OUT);
}

/* ---------- wasi:clocks ---------------------------------------------------------------- */

/* clock_time_get / clock_res_get of a preview1 clock; a denial (clocks not granted) is a
 * trap, as these functions have no error to return. */
static const char *clock_read(wasi2 *w, const char *call, const char *what, uint32_t id, uint64_t *ns) {
  uint64_t time_args[3] = {id, 1, 0}, res_args[2] = {id, 0};
  bool is_time = strcmp(call, "clock_time_get") == 0;
  int e = w2_p1(w, call, is_time ? time_args : res_args);
  if (e < 0) return w->msg;
  if (e == WASI_EACCES) return w2_trap(w, "%s: denied by policy (clocks not granted)", what);
  if (e) return w2_trap(w, "%s: %s failed (preview1 errno %d)", what, call, e);
  *ns = get64(w->mem);
  return NULL;
}

static const char *datetime(wasi2 *w, comp_val *res, util_arena *a, uint64_t ns) {
  comp_val *f = w2_vals(a, 2);
  if (!f) return W2_OOM(w);
  f[0].u.u = ns / 1000000000ull;
  f[1].u.u = ns % 1000000000ull;
  res->u.seq.v = f;
  res->u.seq.n = 2;
  return NULL;
}

static const char *wall_now(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  uint64_t ns = 0;
  const char *t = clock_read(w, "clock_time_get", "wasi:clocks/wall-clock.now", 0, &ns);
  return t ? t : datetime(w, res, a, ns);
}

static const char *wall_resolution(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  uint64_t ns = 0;
  const char *t = clock_read(w, "clock_res_get", "wasi:clocks/wall-clock.resolution", 0, &ns);
  return t ? t : datetime(w, res, a, ns);
}

static const char *mono_now(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return clock_read(w, "clock_time_get", "wasi:clocks/monotonic-clock.now", 1, &res->u.u);
}

static const char *mono_resolution(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return clock_read(w, "clock_res_get", "wasi:clocks/monotonic-clock.resolution", 1, &res->u.u);
}

static uint64_t host_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *clock_pollable(wasi2 *w, comp_val *res, uint64_t deadline) {
  uint32_t idx;
  w2_obj *o = w2_new(w, W2_R_POLLABLE, &idx);
  if (!o) return W2_OOM(w);
  o->poll = W2_POLL_CLOCK;
  o->deadline = deadline;
  w2_handle(w, res, W2_R_POLLABLE, idx);
  return NULL;
}

/* An instant is a reading of the guest's monotonic clock, which is the host's
 * CLOCK_MONOTONIC (preview1's clock 1). Waiting for one reads the clock, so without clocks
 * it is refused as preview1 refuses an absolute subscription: ready at once, logged. */
static const char *mono_subscribe_instant(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  uint64_t when = args[0].u.u;
  if (!wasi_ctx_policy(w->ctx)->allow_clocks) {
    wasi_ctx_deny(w->ctx, "subscribe-instant", NULL, "absolute clock subscription: clocks not granted");
    when = 0;
  }
  return clock_pollable(w, res, when);
}

static const char *mono_subscribe_duration(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)a;
  uint64_t now = host_monotonic(), d = args[0].u.u;
  return clock_pollable(w, res, now + d < now ? UINT64_MAX : now + d);
}

/* ---------- wasi:random ---------------------------------------------------------------- */

static const char *random_fill(wasi2 *w, const char *what, uint8_t *out, uint64_t n) {
  while (n) {
    uint32_t k = n > W2_MAX_IO ? W2_MAX_IO : (uint32_t)n;
    if (!w2_scratch(w, k)) return W2_OOM(w);
    uint64_t a[2] = {0, k};
    int e = w2_p1(w, "random_get", a);
    if (e < 0) return w->msg;
    if (e == WASI_EACCES) return w2_trap(w, "%s: denied by policy (randomness not granted)", what);
    if (e) return w2_trap(w, "%s: random_get failed (preview1 errno %d)", what, e);
    memcpy(out, w->mem, k);
    out += k;
    n -= k;
  }
  return NULL;
}

static const char *random_bytes(wasi2 *w, const char *what, const comp_val *args, comp_val *res, util_arena *a) {
  uint64_t n = args[0].u.u;
  if (n > (uint64_t)16 << 20) return w2_trap(w, "%s: %llu bytes asked for, more than weld gives at once (16 MiB)", what,
                                             (unsigned long long)n);
  uint8_t *buf = malloc(n ? n : 1);
  comp_val *l = w2_vals(a, (uint32_t)n);
  if (!buf || !l) {
    free(buf);
    return W2_OOM(w);
  }
  const char *t = random_fill(w, what, buf, n);
  for (uint64_t i = 0; !t && i < n; i++) l[i].u.u = buf[i];
  free(buf);
  res->u.seq.v = l;
  res->u.seq.n = (uint32_t)n;
  return t;
}

static const char *random_u64(wasi2 *w, const char *what, comp_val *res) {
  uint8_t b[8];
  const char *t = random_fill(w, what, b, 8);
  if (!t) memcpy(&res->u.u, b, 8);
  return t;
}

static const char *get_random_bytes(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return random_bytes(w, "wasi:random/random.get-random-bytes", args, res, a);
}
static const char *get_random_u64(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return random_u64(w, "wasi:random/random.get-random-u64", res);
}
static const char *get_insecure_random_bytes(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  return random_bytes(w, "wasi:random/insecure.get-insecure-random-bytes", args, res, a);
}
static const char *get_insecure_random_u64(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args, (void)a;
  return random_u64(w, "wasi:random/insecure.get-insecure-random-u64", res);
}
static const char *insecure_seed(wasi2 *w, const comp_val *args, comp_val *res, util_arena *a) {
  (void)args;
  comp_val *f = w2_vals(a, 2);
  if (!f) return W2_OOM(w);
  const char *t = random_u64(w, "wasi:random/insecure-seed.insecure-seed", &f[0]);
  if (!t) t = random_u64(w, "wasi:random/insecure-seed.insecure-seed", &f[1]);
  res->u.seq.v = f;
  res->u.seq.n = 2;
  return t;
}

/* ---------- linking -------------------------------------------------------------------- */

static const w2_func environment_funcs[] = {
  {"get-environment", get_environment, S_FN("", S_R("(list (tuple string string))"))},
    {"get-arguments", get_arguments, S_FN("", S_R("(list string)"))},
    {"initial-cwd", initial_cwd, S_FN("", S_R("(option string)"))},
    {NULL, NULL, NULL}};
static const w2_func exit_funcs[] = {{"exit", cli_exit, S_FN(S_P("(result)"), "")},
    {"exit-with-code", cli_exit_with_code, S_FN(S_P("u8"), "")},
    {NULL, NULL, NULL}};
static const w2_func stdin_funcs[] = {{"get-stdin", get_stdin, S_FN("", S_R(S_OWN))},
    {NULL, NULL, NULL}};
static const w2_func stdout_funcs[] = {{"get-stdout", get_stdout, S_FN("", S_R(S_OWN))},
    {NULL, NULL, NULL}};
static const w2_func stderr_funcs[] = {{"get-stderr", get_stderr, S_FN("", S_R(S_OWN))},
    {NULL, NULL, NULL}};
static const w2_func none_funcs[] = {{NULL, NULL, NULL}};
static const w2_func term_stdin_funcs[] = {{"get-terminal-stdin", term_stdin, S_FN("", S_R("(option " S_OWN ")"))},
    {NULL, NULL, NULL}};
static const w2_func term_stdout_funcs[] = {{"get-terminal-stdout", term_stdout, S_FN("", S_R("(option " S_OWN ")"))},
    {NULL, NULL, NULL}};
static const w2_func term_stderr_funcs[] = {{"get-terminal-stderr", term_stderr, S_FN("", S_R("(option " S_OWN ")"))},
    {NULL, NULL, NULL}};
static const w2_func mono_funcs[] = {{"now", mono_now, S_FN("", S_R("u64"))},
    {"resolution", mono_resolution, S_FN("", S_R("u64"))},
                                     {"subscribe-instant", mono_subscribe_instant, S_FN(S_P("u64"), S_R(S_OWN))},
                                     {"subscribe-duration", mono_subscribe_duration, S_FN(S_P("u64"), S_R(S_OWN))},
    {NULL, NULL, NULL}};
static const w2_func wall_funcs[] = {{"now", wall_now, S_FN("", S_R(S_DT))},
    {"resolution", wall_resolution, S_FN("", S_R(S_DT))},
    {NULL, NULL, NULL}};
static const w2_func random_funcs[] = {
  {"get-random-bytes", get_random_bytes, S_FN(S_P("u64"), S_R("(list u8)"))},
    {"get-random-u64", get_random_u64, S_FN("", S_R("u64"))},
    {NULL, NULL, NULL}};
static const w2_func insecure_funcs[] = {{"get-insecure-random-bytes", get_insecure_random_bytes, S_FN(S_P("u64"), S_R("(list u8)"))},
                                         {"get-insecure-random-u64", get_insecure_random_u64, S_FN("", S_R("u64"))},
    {NULL, NULL, NULL}};
static const w2_func seed_funcs[] = {{"insecure-seed", insecure_seed, S_FN("", S_R("(tuple u64 u64)"))},
    {NULL, NULL, NULL}};

/* The names of the resource types an interface exports, by W2_R_*; RES_IO_ERROR is
 * wasi:io/error's error under the name wasi:http/types gives it. */
enum { RES_IO_ERROR = W2_R_COUNT, RES_END = 0xff };
static const char res_names[W2_R_COUNT + 1][25] = {
  [W2_R_ERROR] = "error",
  [W2_R_POLLABLE] = "pollable",
  [W2_R_INPUT] = "input-stream",
  [W2_R_OUTPUT] = "output-stream",
  [W2_R_DESC] = "descriptor",
  [W2_R_DIRSTREAM] = "directory-entry-stream",
  [W2_R_TERM_IN] = "terminal-input",
  [W2_R_TERM_OUT] = "terminal-output",
  [W2_R_NETWORK] = "network",
  [W2_R_TCP] = "tcp-socket",
  [W2_R_UDP] = "udp-socket",
  [W2_R_INDGRAM] = "incoming-datagram-stream",
  [W2_R_OUTDGRAM] = "outgoing-datagram-stream",
  [W2_R_RESOLVE] = "resolve-address-stream",
  [W2_R_FIELDS] = "fields",
  [W2_R_INREQ] = "incoming-request",
  [W2_R_OUTREQ] = "outgoing-request",
  [W2_R_REQOPTS] = "request-options",
  [W2_R_OUTPARAM] = "response-outparam",
  [W2_R_INRESP] = "incoming-response",
  [W2_R_INBODY] = "incoming-body",
  [W2_R_FUTTRAILERS] = "future-trailers",
  [W2_R_OUTRESP] = "outgoing-response",
  [W2_R_OUTBODY] = "outgoing-body",
  [W2_R_FUTRESP] = "future-incoming-response",
  [RES_IO_ERROR] = "io-error",
};

/* Each interface: its functions and the resource types it exports (W2_R_* or
 * RES_IO_ERROR, up to RES_END). The name is an array and the resources are codes, so the
 * only pointers the loader relocates at start-up are the funcs. */
typedef struct w2_iface {
  char name[32];                 /* without the version */
  const w2_func *funcs;
  uint8_t res[16];
} w2_iface;

static const w2_iface ifaces[] = {
  {"wasi:cli/environment", environment_funcs, {RES_END}},
  {"wasi:cli/exit", exit_funcs, {RES_END}},
  {"wasi:cli/stdin", stdin_funcs, {W2_R_INPUT, RES_END}},
  {"wasi:cli/stdout", stdout_funcs, {W2_R_OUTPUT, RES_END}},
  {"wasi:cli/stderr", stderr_funcs, {W2_R_OUTPUT, RES_END}},
  {"wasi:cli/terminal-input", none_funcs, {W2_R_TERM_IN, RES_END}},
  {"wasi:cli/terminal-output", none_funcs, {W2_R_TERM_OUT, RES_END}},
  {"wasi:cli/terminal-stdin", term_stdin_funcs, {W2_R_TERM_IN, RES_END}},
  {"wasi:cli/terminal-stdout", term_stdout_funcs, {W2_R_TERM_OUT, RES_END}},
  {"wasi:cli/terminal-stderr", term_stderr_funcs, {W2_R_TERM_OUT, RES_END}},
  {"wasi:clocks/monotonic-clock", mono_funcs, {W2_R_POLLABLE, RES_END}},
  {"wasi:clocks/wall-clock", wall_funcs, {RES_END}},
  {"wasi:random/random", random_funcs, {RES_END}},
  {"wasi:random/insecure", insecure_funcs, {RES_END}},
  {"wasi:random/insecure-seed", seed_funcs, {RES_END}},
  {"wasi:io/error", w2_error_funcs, {W2_R_ERROR, RES_END}},
  {"wasi:io/poll", w2_poll_funcs, {W2_R_POLLABLE, RES_END}},
  {"wasi:io/streams", w2_streams_funcs, {W2_R_ERROR, W2_R_POLLABLE, W2_R_INPUT, W2_R_OUTPUT, RES_END}},
  {"wasi:filesystem/types", w2_types_funcs,
   {W2_R_DESC, W2_R_DIRSTREAM, W2_R_ERROR, W2_R_INPUT, W2_R_OUTPUT, RES_END}},
  {"wasi:filesystem/preopens", w2_preopens_funcs, {W2_R_DESC, RES_END}},
  {"wasi:sockets/network", w2_net_network_funcs, {W2_R_NETWORK, W2_R_ERROR, RES_END}},
  {"wasi:sockets/instance-network", w2_net_instance_funcs, {W2_R_NETWORK, RES_END}},
  {"wasi:sockets/tcp-create-socket", w2_net_tcp_create_funcs, {W2_R_NETWORK, W2_R_TCP, RES_END}},
  {"wasi:sockets/tcp", w2_net_tcp_funcs, {W2_R_TCP, W2_R_NETWORK, W2_R_INPUT, W2_R_OUTPUT, W2_R_POLLABLE, RES_END}},
  {"wasi:sockets/udp-create-socket", w2_net_udp_create_funcs, {W2_R_NETWORK, W2_R_UDP, RES_END}},
  {"wasi:sockets/udp", w2_net_udp_funcs,
   {W2_R_UDP, W2_R_INDGRAM, W2_R_OUTDGRAM, W2_R_NETWORK, W2_R_POLLABLE, RES_END}},
  {"wasi:sockets/ip-name-lookup", w2_net_lookup_funcs, {W2_R_RESOLVE, W2_R_NETWORK, W2_R_POLLABLE, RES_END}},
  {"wasi:http/types", w2_http_types_funcs,
   {W2_R_FIELDS, W2_R_INREQ, W2_R_OUTREQ, W2_R_REQOPTS, W2_R_OUTPARAM, W2_R_INRESP, W2_R_INBODY, W2_R_FUTTRAILERS,
    W2_R_OUTRESP, W2_R_OUTBODY, W2_R_FUTRESP, RES_IO_ERROR, W2_R_POLLABLE, W2_R_INPUT, W2_R_OUTPUT, RES_END}},
  {"wasi:http/outgoing-handler", w2_http_outgoing_funcs, {W2_R_OUTREQ, W2_R_REQOPTS, W2_R_FUTRESP, RES_END}},
};

/* The env of a registered host function. */
typedef struct w2_binding {
  wasi2 *w;
  const w2_func *f;
  const comp_ctype *checked;     /* the import's type, once it was found to be f->sig */
} w2_binding;

/* Whether a function type is `sig` (sigs.h): printed, parameter names left out and
 * resources unnumbered. A component may import a WASI name with any type; the host
 * function reads its arguments and builds its result in the shapes of WASI's. */
static bool type_is(const comp_ctype *ft, const char *sig) {
  char *text = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&text, &n);
  if (!m) return false;
  comp_ctype_print(m, ft, 0);
  if (fclose(m) != 0 || !text) {
    free(text);
    return false;
  }
  size_t o = 0;
  for (size_t i = 0; text[i];) {
    if (strncmp(text + i, "(param \"", 8) == 0) { /* (param "name" T) -> (param T) */
      const char *q = strchr(text + i + 8, '"');
      if (!q || q[1] != ' ') break;
      memcpy(text + o, "(param ", 7);
      o += 7;
      i = (size_t)(q + 2 - text);
    } else if (strncmp(text + i, "(resource ", 10) == 0) { /* (resource N) -> (resource) */
      const char *q = strchr(text + i, ')');
      if (!q) break;
      memcpy(text + o, "(resource)", 10);
      o += 10;
      i = (size_t)(q + 1 - text);
    } else {
      text[o++] = text[i++];
    }
  }
  text[o] = 0;
  bool same = strcmp(text, sig) == 0;
  free(text);
  return same;
}

static const char *trampoline(void *env, const comp_ctype *ft, const comp_val *args, comp_val *result,
                              util_arena *arena) {
  w2_binding *b = env;
  if (b->checked != ft) {
    if (!type_is(ft, b->f->sig))
      return w2_trap(b->w, "not supported: %s imported with another type than WASI 0.2's %s", b->f->name, b->f->sig);
    b->checked = ft;
  }
  return b->f->fn(b->w, args, result, arena);
}

/* The interface a name `wasi:NS/NAME@0.2.x` names; NULL when it is another version or
 * an interface wasi2 does not implement. */
static const w2_iface *iface_of(const char *name) {
  const char *at = strchr(name, '@');
  if (!at || strncmp(at + 1, "0.2.", 4) != 0) return NULL;
  for (size_t i = 0; i < sizeof ifaces / sizeof ifaces[0]; i++)
    if (strlen(ifaces[i].name) == (size_t)(at - name) && strncmp(ifaces[i].name, name, (size_t)(at - name)) == 0)
      return &ifaces[i];
  return NULL;
}

bool wasi2_link(wasi2 *w, comp_host *host, const comp_info *info, util_error *err) {
  for (uint32_t i = 0; i < info->nimports; i++) {
    const comp_extern *im = &info->imports[i];
    if (!im->name || im->kind != COMP_EXT_INSTANCE) continue;
    const char *name = im->name->name.str;
    const w2_iface *f = iface_of(name);
    if (!f) continue;
    for (size_t r = 0; r < sizeof f->res / sizeof f->res[0] && f->res[r] != RES_END; r++) {
      uint8_t k = f->res[r] == RES_IO_ERROR ? W2_R_ERROR : f->res[r];
      comp_resource *rt = comp_host_resource(host, name, res_names[f->res[r]], w->rt[k], drop, w);
      if (!rt) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      w->rt[k] = rt;
    }
    for (const w2_func *fn = f->funcs; fn->name; fn++) {
      w2_binding *b = malloc(sizeof *b);
      if (!b || !UTIL_VEC_TRY_PUSH(w->binds, w->nbinds, w->capbinds, (void *)b)) {
        free(b);
        return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      }
      b->w = w;
      b->f = fn;
      b->checked = NULL;
      if (!comp_host_func(host, name, fn->name, trampoline, b)) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
  }
  return true;
}

bool wasi2_run_export(const comp_info *info, char *buf, size_t n) {
  for (uint32_t i = 0; i < info->nexports; i++) {
    const comp_extern *e = &info->exports[i];
    if (!e->name || e->kind != COMP_EXT_INSTANCE) continue;
    const char *name = e->name->name.str;
    if (strncmp(name, "wasi:cli/run@0.2.", 17) != 0) continue;
    snprintf(buf, n, "%s#run", name);
    return true;
  }
  return false;
}
