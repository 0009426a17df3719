/* wasi: the WASI preview1 host module (`wasi_snapshot_preview1`), every door checked
 * against a policy (src/policy). See README.md for the capability model and errno
 * choices. Depends on src/exec, src/policy and src/util. */
#ifndef WELD_WASI_H
#define WELD_WASI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../exec/exec.h"
#include "../policy/policy.h"
#include "../util/util.h"

typedef struct wasi_ctx wasi_ctx;

typedef struct wasi_config {
  int argc;
  char **argv;          /* argv[0] is the program name the guest sees */
  bool log_denials;     /* one line on stderr per denied call */
  FILE *log;            /* where denials go; NULL = stderr */
  const int *sockets;   /* listening sockets passed in (after the preopens); not owned */
  int nsockets;
  const int *stdio;     /* host fds for the guest's fds 0, 1, 2 (not owned); NULL = the
                           process's own 0, 1, 2 */
} wasi_config;

/* A context for one run: arguments, the environment the policy lets through, stdio and
 * one preopened fd per policy directory (fds 3, 4, ... in policy order), then the
 * sockets. The policy is borrowed and must outlive the context. Fails with an IO error
 * naming a directory that cannot be opened. */
wasi_ctx *wasi_ctx_new(const policy *p, const wasi_config *cfg, util_error *err);
void wasi_ctx_free(wasi_ctx *ctx);

/* Resolves one import. `module` must be "wasi_snapshot_preview1" (or the older
 * "wasi_unstable", whose calls share the same layouts here). On success *out is a host
 * function owned by the store. Errors (LINK): "unknown import: MODULE.NAME",
 * "incompatible import type: MODULE.NAME". */
bool wasi_resolve_import(wasi_ctx *ctx, exec_store *store, const char *module, const char *name,
                         const wasm_functype *want, exec_func **out, util_error *err);

/* Resolves every WASI import of `m` (module "wasi_snapshot_preview1" or "wasi_unstable"):
 * funcs[i] is the host function for import i, NULL for imports of other modules.
 * Returns how many were resolved, or -1 with a LINK error (a WASI import that is not a
 * function, an unknown name, a wrong signature). */
long wasi_resolve_imports(wasi_ctx *ctx, exec_store *store, const wasm_module *m, exec_func **funcs,
                          util_error *err);

/* Binds the context to the instance's exported "memory" (required when any WASI function
 * is imported). */
bool wasi_ctx_bind(wasi_ctx *ctx, exec_instance *inst, util_error *err);

/* Counters for reports. */
typedef struct wasi_stats {
  uint64_t calls, denials, bytes_read, bytes_written;
} wasi_stats;
wasi_stats wasi_ctx_stats(const wasi_ctx *ctx);
/* The first call the policy refused, as `CALL "PATH": reason` (NULL when none was). */
const char *wasi_ctx_first_denial(const wasi_ctx *ctx);
/* Calls made to the i-th preview1 function (i = 0, 1, ... until it returns false). */
bool wasi_ctx_call_stat(const wasi_ctx *ctx, size_t i, const char **name, uint64_t *count);

/* ---------- calls on behalf of another host layer ------------------------------------- */

/* Runs the preview1 call `name` for src/wasi2, which answers WASI 0.2 through the same
 * decisions (sandbox, policy, byte limits, denial log): `args` are the call's parameters
 * as a guest passes them, its pointers addressing mem[0, size) (the caller's scratch
 * memory, bound for this call only). Counted and limited like a guest's call. Returns
 * the preview1 errno (0: success, see preview1.h); -1 with err set when the call may not
 * run (an unknown name: LINK; the host call limit: LIMIT; a wait interrupted: TRAP). */
int wasi_ctx_call(wasi_ctx *ctx, const char *name, uint8_t *mem, uint64_t size, const uint64_t *args,
                  util_error *err);
/* Records a refusal decided by another host layer (logged and counted as preview1's
 * are): `call` and `path` (may be NULL) say what was refused, `why` why. */
void wasi_ctx_deny(wasi_ctx *ctx, const char *call, const char *path, const char *why);
/* The store whose deadline and cancellation wake the blocking waits of wasi_ctx_call
 * (which has no calling thread); NULL: plain waits. */
void wasi_ctx_set_call_store(wasi_ctx *ctx, exec_store *store);
/* Takes a socket src/wasi2 opened for the guest (host fd `host`, owned from then on)
 * into the context's fd table, counted against the open-file limit as a file is, and
 * closed by fd_close or with the context. Returns 0 with its fd in *fd, or the errno
 * (EMFILE when the limit is reached: logged and counted as a denial, ENOMEM); on an
 * error `host` is closed. */
int wasi_ctx_add_socket(wasi_ctx *ctx, int host, uint32_t *fd);
/* Whether one more socket fits under the open-file limit: 0, or EMFILE (logged and
 * counted as a denial of `call`), so a connection is refused before it is accepted. */
int wasi_ctx_socket_room(wasi_ctx *ctx, const char *call);
/* The policy the context enforces. */
const policy *wasi_ctx_policy(const wasi_ctx *ctx);

/* ---------- command-line options (shared by `weld run` and embedders) ----------------- */

/* The WASI flags of `weld run`, in wasmtime's spelling:
 *   --dir HOST[::GUEST]       preopen HOST as GUEST (default: HOST), full access
 *   --env NAME[=VALUE]        pass NAME (the host's value when no VALUE is given)
 *   --policy FILE             start from a policy file
 *   --profile NAME            start from a ready-made profile
 *   --log-denials             report each denied call on stderr
 *   --tcplisten HOST:PORT     open a listening socket the guest may accept on
 * wasi_options_parse consumes argv[*i] (and its value) when it is one of them and
 * returns 1, 0 when it is not a WASI flag, -1 on a usage error (err set). */
typedef struct wasi_options {
  policy pol;
  bool have_base;         /* --policy or --profile given */
  bool log_denials;
  /* flags collected before the base is known, applied by wasi_options_finish */
  char **dirs;            /* "HOST[::GUEST]" */
  size_t ndirs, capdirs;
  char **envs;
  size_t nenvs, capenvs;
  char *policy_file, *profile;
  char **listen;
  size_t nlisten, caplisten;
  int *sockets;
  int nsockets;
} wasi_options;

void wasi_options_init(wasi_options *o);
int wasi_options_parse(wasi_options *o, int argc, char **argv, int *i, util_error *err);
/* Builds the policy: the base (file or profile; without one, stdio, clocks and random),
 * then the --dir/--env grants, then opens the --tcplisten sockets. */
bool wasi_options_finish(wasi_options *o, util_error *err);
void wasi_options_free(wasi_options *o);
/* The option lines for a help text. */
extern const char wasi_options_help[];

#endif
