/* wasi: private state shared by the files of this folder. */
#ifndef WELD_WASI_INT_H
#define WELD_WASI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

/* Room for per-call counters: more than the preview1 functions there are. */
#define WASI_MAX_CALLS 64

#include "wasi.h"

#include "preview1.h"

/* ---------- the context --------------------------------------------------------------- */

typedef enum wasi_fd_kind { WASI_FD_FREE = 0, WASI_FD_STDIO, WASI_FD_FILE, WASI_FD_DIR,
                            WASI_FD_SOCKET } wasi_fd_kind;

typedef struct wasi_dirent {
  char *name;
  uint64_t ino;
  uint8_t type;
} wasi_dirent;

/* Byte counters per host file (dev, ino), so reopening does not reset a limit. */
typedef struct wasi_filecount {
  dev_t dev;
  ino_t ino;
  uint64_t read, written;
} wasi_filecount;

typedef struct wasi_fd {
  wasi_fd_kind kind;
  int host;                  /* host fd */
  bool owned;                /* close on fd_close / free (not for stdio or sockets) */
  uint8_t filetype;
  uint16_t fdflags;
  uint64_t rights, inheriting;
  int preopen;               /* index in policy->dirs of the tree, -1 outside any */
  bool is_preopen;           /* fd_prestat_get answers for it */
  char *guest;               /* normalized guest path ("/data/a"), NULL for stdio */
  uint32_t ops;              /* POLICY_OP_* granted on the path when opened */
  uint64_t max_read, max_write; /* per-file limits from the winning grant */
  size_t count;              /* index in ctx->counts, or SIZE_MAX */
  wasi_dirent *ents;         /* fd_readdir snapshot, taken at cookie 0 */
  size_t nents;
  bool have_ents;
} wasi_fd;


struct wasi_ctx {
  const policy *pol;
  int argc;
  char **argv;
  size_t args_bytes;
  char **env;                /* "NAME=VALUE" */
  size_t nenv, env_bytes;
  wasi_fd *fds;
  uint32_t nfds;
  uint64_t open_files;       /* guest-opened files and directories */
  char **preopen_real;       /* realpath of each policy dir (for real-path policy checks) */
  char **preopen_guest;      /* its normalized guest path (policy checks) */
  char **preopen_name;       /* its name as the operator gave it (fd_prestat_dir_name) */
  bool *preopen_finer;       /* wasi_needs_real, per preopen */
  /* ndirs x ndirs: same_tree[d * ndirs + e] when dir e's host is exactly where d's host
   * tree has e's guest path (e nested in d as a view of the same files; e == d too) */
  bool *same_tree;
  wasi_filecount *counts;
  size_t ncounts, capcounts;
  uint64_t files_read, files_written; /* for max_read_total / max_write_total */
  exec_memory *mem;
  bool log_denials;
  FILE *log;
  wasi_stats stats;
  char first_denial[256];    /* "CALL \"PATH\": why" of the first denial */
  uint64_t call_counts[WASI_MAX_CALLS]; /* per entry of wasi.c's call table (usage reports) */
  /* During a call (set by wasi.c's trampoline): the calling thread, and the trap that
   * ends the call when a wait was interrupted (wasi_wait_ready). */
  exec_thread *th;
  exec_trap_kind trap;
  exec_store *call_store;    /* wasi_ctx_call's waits (no calling thread): its deadline wakes them */
};

/* ---------- helpers (wasi.c) ------------------------------------------------------------ */

/* Guest memory: NULL when [ptr, ptr+len) is out of bounds (callers return EFAULT). */
static inline uint8_t *wasi_mem(wasi_ctx *c, uint32_t ptr, uint64_t len) {
  exec_memory *m = c->mem;
  if (!m || (uint64_t)ptr + len > m->size) return NULL;
  return m->base + ptr;
}

/* Host iovecs for a guest iovec array (at most WASI_MAX_IOVS non-empty ones; the rest
 * are left out, as a short read or write the guest retries); EFAULT for anything out of
 * bounds, ENOMEM. `total` is the bytes covered. `iov` is the struct's own `small` for an
 * array that fits, else allocated: wasi_iovs_free gives it back (after a 0 return only).
 * A frame of WASI_MAX_IOVS iovecs (16 KiB) would put everything the call does below it
 * (writev, the dynamic loader's first binding of it) on stack pages that nothing else
 * touches: page faults at every start. */
#define WASI_MAX_IOVS 1024
#define WASI_SMALL_IOVS 8
typedef struct wasi_iovs {
  struct iovec *iov; /* `small` or allocated: the struct is not moved once filled */
  int n;
  uint64_t total;
  struct iovec small[WASI_SMALL_IOVS];
} wasi_iovs;
uint16_t wasi_iovs_get(wasi_ctx *c, uint32_t ptr, uint32_t n, wasi_iovs *v);
void wasi_iovs_free(wasi_iovs *v);
static inline void wasi_put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void wasi_put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wasi_put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t wasi_get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t wasi_get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint16_t wasi_get_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* host errno -> preview1 errno */
uint16_t wasi_errno(int e);
/* The fd if it is open and holds all of `rights`; else NULL with *err = EBADF or
 * ENOTCAPABLE. */
wasi_fd *wasi_fd_get(wasi_ctx *c, uint32_t fd, uint64_t rights, uint16_t *err);
/* A free guest fd number into *out (grows the table); returns 0, EMFILE when the table
 * is full or ENOMEM. The table may move: pointers to its entries are stale afterwards. */
uint16_t wasi_fd_alloc(wasi_ctx *c, uint32_t *out);
void wasi_fd_release(wasi_ctx *c, wasi_fd *f);
uint8_t wasi_filetype_of(mode_t mode);
/* Prints "weld: wasi: denied CALL PATH: why" when logging; counts the denial; returns
 * the errno to give the guest. */
uint16_t wasi_deny(wasi_ctx *c, uint16_t errno_, const char *call, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The per-file counter for an open host fd (SIZE_MAX when fstat fails). Makes room with
 * wasi_count_reserve first (false when out of memory), so it cannot fail for lack of
 * memory once the call has acted. */
bool wasi_count_reserve(wasi_ctx *c);
size_t wasi_count_for(wasi_ctx *c, int host);

/* fs.c: the 64-byte filestat record; fstflags -> two timespecs (EINVAL for
 * contradictory flags). */
void wasi_put_filestat(uint8_t *b, const struct stat *st);
uint16_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

/* poll.c: before a read, write or accept that could block on `host` (a pipe, a tty, a
 * socket; not when the guest asked for NONBLOCK, not on regular files), waits until
 * `events` (POLLIN/POLLOUT) are ready while staying wakeable by the store's deadline and
 * cancellation. Returns 0 (go ahead; an error is left to the call itself) or, when
 * interrupted, WASI_EINTR with c->trap set: the trampoline then ends the call with that
 * trap. */
uint16_t wasi_wait_ready(wasi_ctx *c, wasi_fd *f, short events);

/* clock.c: preview1 clock id -> host clock; false for an unknown id. */
#include <time.h>
bool wasi_clock_id(uint32_t id, clockid_t *out);

/* ---------- path checks (path.c) -------------------------------------------------------- */

/* A guest path argument copied out of memory: NUL-free, NUL-terminated. Returns 0 or an
 * errno (EFAULT, EILSEQ for an embedded NUL, ENAMETOOLONG). */
uint16_t wasi_path_arg(wasi_ctx *c, uint32_t ptr, uint32_t len, char **out);
/* Joins and normalizes base + "/" + rel lexically into a newly allocated guest path;
 * returns ENOTCAPABLE when ".." would climb above `base` (rel absolute included). */
uint16_t wasi_guest_join(const char *base, const char *rel, char **out);
/* The decision for a guest path reached through preopen `pre` (-1: none): the ops and
 * the winning grant's byte limits. Permissions follow the preopen the fd descends from:
 * where another [[fs.dir]] is mounted at a guest path beneath `pre` but does not show
 * `pre`'s own host tree there, what `pre`'s fd reaches at that path is still `pre`'s
 * tree, so the mount's rules are capped by the ops of `pre`'s own directory chain.
 * *undecided: a glob could not be matched for lack of memory (0 is returned). */
uint32_t wasi_path_ops(wasi_ctx *c, int pre, const char *guest, uint64_t *max_read,
                       uint64_t *max_write, bool *undecided);
/* True when the policy could decide differently somewhere beneath preopen `pre` (path
 * grants, or another directory mounted inside its guest tree), so the real location
 * of what a call touches must be checked too. */
bool wasi_needs_real(const wasi_ctx *c, int pre);
/* The guest path where `host_fd` (an open fd or a parent directory) really lies in the
 * tree of preopen `pre`, with "/name" appended when `name` is non-NULL. Fails closed:
 * an unreadable /proc/self/fd link, one too long, or a location outside the preopen's
 * root is a denial (logged, for `call` on `shown`); returns 0 or the guest errno. */
uint16_t wasi_real_guest(wasi_ctx *c, int pre, int host_fd, const char *name, const char *call,
                         const char *shown, char **out);
/* The decision on an object: `need` checked on the path the guest named and — when
 * wasi_needs_real — on the object's real location (host_fd + name as above). On success
 * *ops and the limits (when non-NULL) are what both allow (intersection of ops, the
 * smaller limits) and *real (when non-NULL) the real guest path or NULL. Returns 0 or
 * the denial errno (logged). */
uint16_t wasi_decide(wasi_ctx *c, const wasi_fd *dir, const char *call, const char *guest,
                     uint32_t need, int host_fd, const char *name, uint32_t *ops,
                     uint64_t *max_read, uint64_t *max_write, char **real);
/* wasi_decide without the results. */
uint16_t wasi_path_check(wasi_ctx *c, const wasi_fd *dir, const char *call, const char *guest,
                         uint32_t need, int host_fd, const char *name);
/* A call on an open fd that changes the object (readdir, set times/size, allocate): `need`
 * must be in the ops the fd was opened with and granted where the object is now. */
uint16_t wasi_fd_check(wasi_ctx *c, const wasi_fd *f, const char *call, uint32_t need);
/* Maps a sandbox result to a guest errno: EXDEV (an escape) becomes ENOTCAPABLE and is
 * logged as a denial. */
uint16_t wasi_sandbox_errno(wasi_ctx *c, int e, const char *call, const char *guest);

/* ---------- the host functions, one per preview1 call ----------------------------------- */

#define WASI_HOST(name) exec_trap_kind wasi_##name(exec_thread *th, exec_func *self, exec_slot *a)
/* The env of every WASI host function: the context and the call's implementation (the
 * registered function is one trampoline that counts calls). */
typedef struct wasi_binding {
  wasi_ctx *ctx;
  size_t index;         /* in the call table */
  exec_host_fn fn;
  const char *name;
} wasi_binding;
#define WASI_CTX (((wasi_binding *)self->host_env)->ctx)
#define A32(i) ((uint32_t)a[i])
#define A64(i) ((uint64_t)a[i])
#define RET(e) do { a[0] = (uint16_t)(e); return EXEC_OK; } while (0)

#define WASI_CALLS(X)                                                             \
  X(args_get, "ii", "i") X(args_sizes_get, "ii", "i") X(environ_get, "ii", "i")   \
  X(environ_sizes_get, "ii", "i") X(clock_res_get, "ii", "i")                     \
  X(clock_time_get, "iIi", "i") X(fd_advise, "iIIi", "i") X(fd_allocate, "iII", "i") \
  X(fd_close, "i", "i") X(fd_datasync, "i", "i") X(fd_fdstat_get, "ii", "i")      \
  X(fd_fdstat_set_flags, "ii", "i") X(fd_fdstat_set_rights, "iII", "i")           \
  X(fd_filestat_get, "ii", "i") X(fd_filestat_set_size, "iI", "i")                \
  X(fd_filestat_set_times, "iIIi", "i") X(fd_pread, "iiiIi", "i")                 \
  X(fd_prestat_get, "ii", "i") X(fd_prestat_dir_name, "iii", "i")                 \
  X(fd_pwrite, "iiiIi", "i") X(fd_read, "iiii", "i") X(fd_readdir, "iiiIi", "i")  \
  X(fd_renumber, "ii", "i") X(fd_seek, "iIii", "i") X(fd_sync, "i", "i")          \
  X(fd_tell, "ii", "i") X(fd_write, "iiii", "i")                                  \
  X(path_create_directory, "iii", "i") X(path_filestat_get, "iiiii", "i")         \
  X(path_filestat_set_times, "iiiiIIi", "i") X(path_link, "iiiiiii", "i")         \
  X(path_open, "iiiiiIIii", "i") X(path_readlink, "iiiiii", "i")                  \
  X(path_remove_directory, "iii", "i") X(path_rename, "iiiiii", "i")              \
  X(path_symlink, "iiiii", "i") X(path_unlink_file, "iii", "i")                   \
  X(poll_oneoff, "iiii", "i") X(proc_exit, "i", "") X(proc_raise, "i", "i")       \
  X(sched_yield, "", "i") X(random_get, "ii", "i") X(sock_accept, "iii", "i")     \
  X(sock_recv, "iiiiii", "i") X(sock_send, "iiiii", "i") X(sock_shutdown, "ii", "i")

#define WASI_DECLARE(name, p, r) WASI_HOST(name);
WASI_CALLS(WASI_DECLARE)
#undef WASI_DECLARE

#endif
