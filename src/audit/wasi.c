/* What each wasi_snapshot_preview1 function lets a module do. A module's arguments are
 * unknown statically, so each entry lists everything the function could do with any
 * arguments (path_open may read, write, create or open a directory for listing,
 * depending on flags it may pass). This is the 45 functions of the preview1 snapshot
 * plus sock_accept, added to it later. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"

#define CAP(c) (1u << AUDIT_CAP_##c)
#define R POLICY_OP_READ
#define W POLICY_OP_WRITE
#define C POLICY_OP_CREATE
#define D POLICY_OP_DELETE
#define L POLICY_OP_LIST

/* Sorted by name for bsearch. */
const audit_wasi_fn audit_wasi_fns[] = {
    {"args_get", CAP(ENV), 0, AUDIT_OP_ENV_ARGS, "read the command-line arguments"},
    {"args_sizes_get", CAP(ENV), 0, AUDIT_OP_ENV_ARGS, "read the size of the command-line arguments"},
    {"clock_res_get", CAP(CLOCK), 0, AUDIT_OP_CLOCK_READ, "read a clock's resolution"},
    {"clock_time_get", CAP(CLOCK), 0, AUDIT_OP_CLOCK_READ, "read the wall, monotonic or CPU-time clocks"},
    {"environ_get", CAP(ENV), 0, AUDIT_OP_ENV_VARS, "read environment variables"},
    {"environ_sizes_get", CAP(ENV), 0, AUDIT_OP_ENV_VARS, "read the size of the environment"},
    {"fd_advise", 0, 0, AUDIT_OP_FD_META, "advise the host about a file's access pattern"},
    {"fd_allocate", CAP(FILE), W, 0, "extend an open file"},
    {"fd_close", 0, 0, AUDIT_OP_FD_META, "close a descriptor"},
    {"fd_datasync", CAP(FILE), W, 0, "flush an open file's data to storage"},
    {"fd_fdstat_get", 0, 0, AUDIT_OP_FD_META, "inspect a descriptor's type, flags and rights"},
    {"fd_fdstat_set_flags", 0, 0, AUDIT_OP_FD_META, "change a descriptor's flags (append, nonblocking)"},
    {"fd_fdstat_set_rights", 0, 0, AUDIT_OP_FD_META, "drop rights from a descriptor"},
    {"fd_filestat_get", CAP(FILE), R, 0, "read the metadata of an open file or directory"},
    {"fd_filestat_set_size", CAP(FILE), W, 0, "truncate or extend an open file"},
    {"fd_filestat_set_times", CAP(FILE), W, 0, "change the timestamps of an open file or directory"},
    {"fd_pread", CAP(FILE), R, 0, "read an open file at an offset"},
    {"fd_prestat_dir_name", 0, 0, AUDIT_OP_FD_META, "read the names of the preopened directories"},
    {"fd_prestat_get", 0, 0, AUDIT_OP_FD_META, "discover the preopened directories"},
    {"fd_pwrite", CAP(FILE), W, 0, "write an open file at an offset"},
    {"fd_read", CAP(STDIO) | CAP(FILE), R, AUDIT_OP_STDIN, "read standard input or an open file"},
    {"fd_readdir", CAP(FILE), L, 0, "list the entries of a directory"},
    {"fd_renumber", 0, 0, AUDIT_OP_FD_META, "move a descriptor to another number"},
    {"fd_seek", 0, 0, AUDIT_OP_FD_META, "move a descriptor's offset"},
    {"fd_sync", CAP(FILE), W, 0, "flush an open file's data and metadata to storage"},
    {"fd_tell", 0, 0, AUDIT_OP_FD_META, "read a descriptor's offset"},
    {"fd_write", CAP(STDIO) | CAP(FILE), W, AUDIT_OP_STDOUT, "write standard output, standard error or an open file"},
    {"path_create_directory", CAP(FILE), C, 0, "create directories"},
    {"path_filestat_get", CAP(FILE), R, 0, "read the metadata of files and directories"},
    {"path_filestat_set_times", CAP(FILE), W, 0, "change the timestamps of files and directories"},
    {"path_link", CAP(FILE), C, 0, "create hard links"},
    {"path_open", CAP(FILE), R | W | C | L, 0,
     "open files and directories: read, write, truncate or create them, depending on the flags passed"},
    {"path_readlink", CAP(FILE), R, 0, "read symbolic links"},
    {"path_remove_directory", CAP(FILE), D, 0, "remove directories"},
    {"path_rename", CAP(FILE), C | D, 0, "rename files and directories (removes the old name, may replace the target)"},
    {"path_symlink", CAP(FILE), C, 0, "create symbolic links"},
    {"path_unlink_file", CAP(FILE), D, 0, "delete files"},
    {"poll_oneoff", CAP(CLOCK), 0, AUDIT_OP_CLOCK_WAIT, "sleep and wait for timers and descriptors"},
    {"proc_exit", CAP(PROCESS), 0, AUDIT_OP_EXIT, "end the run with an exit code"},
    {"proc_raise", CAP(PROCESS), 0, AUDIT_OP_RAISE, "send a signal to the process"},
    {"random_get", CAP(RANDOM), 0, AUDIT_OP_RANDOM, "read the host's random source"},
    {"sched_yield", CAP(PROCESS), 0, AUDIT_OP_YIELD, "yield the CPU"},
    {"sock_accept", CAP(NETWORK), 0, AUDIT_OP_NET_LISTEN, "accept network connections on a listening socket"},
    {"sock_recv", CAP(NETWORK), 0, AUDIT_OP_NET_IO, "receive data from a socket"},
    {"sock_send", CAP(NETWORK), 0, AUDIT_OP_NET_IO, "send data on a socket"},
    {"sock_shutdown", CAP(NETWORK), 0, AUDIT_OP_NET_IO, "shut down a socket"},
};
const size_t audit_wasi_nfns = sizeof audit_wasi_fns / sizeof audit_wasi_fns[0];

static int by_name(const void *key, const void *elem) {
  return strcmp((const char *)key, ((const audit_wasi_fn *)elem)->name);
}

const audit_wasi_fn *audit_wasi_lookup(const char *name) {
  return bsearch(name, audit_wasi_fns, audit_wasi_nfns, sizeof audit_wasi_fns[0], by_name);
}

/* WASI 0.2 interfaces (a component's imports, `wasi:NS/NAME@0.2.x`), by prefix, first
 * match: what importing one lets a component do. wasi:http/outgoing-handler opens
 * connections (the policy's `[net] connect`); wasi:http/types alone only builds and reads
 * messages (a server's requests and responses come through it, and weld serve listens on
 * the operator's address, not the component's). */
#define ALLF POLICY_OP_ALL
static const audit_wasi2_iface wasi2_ifaces[] = {
    {"wasi:http/outgoing-handler", CAP(NETWORK), 0, AUDIT_OP_NET_IO, "make outgoing HTTP requests (wasi:http)"},
    {"wasi:http/", 0, 0, 0, "build and read HTTP requests and responses (wasi:http)"},
    {"wasi:sockets/ip-name-lookup", CAP(NETWORK), 0, AUDIT_OP_NET_IO, "resolve host names (wasi:sockets)"},
    {"wasi:sockets/tcp", CAP(NETWORK), 0, AUDIT_OP_NET_IO | AUDIT_OP_NET_LISTEN, "open, accept and use TCP sockets (wasi:sockets)"},
    {"wasi:sockets/udp", CAP(NETWORK), 0, AUDIT_OP_NET_IO, "open and use UDP sockets (wasi:sockets)"},
    {"wasi:sockets/", CAP(NETWORK), 0, 0, "reach the network (wasi:sockets)"},
    {"wasi:filesystem/", CAP(FILE), ALLF, 0, "read and write files beneath the preopened directories"},
    {"wasi:cli/environment", CAP(ENV), 0, AUDIT_OP_ENV_VARS | AUDIT_OP_ENV_ARGS, "read environment variables and arguments"},
    {"wasi:cli/exit", CAP(PROCESS), 0, AUDIT_OP_EXIT, "end the run with an exit code"},
    {"wasi:cli/stdin", CAP(STDIO), 0, AUDIT_OP_STDIN, "read standard input"},
    {"wasi:cli/stdout", CAP(STDIO), 0, AUDIT_OP_STDOUT, "write standard output"},
    {"wasi:cli/stderr", CAP(STDIO), 0, AUDIT_OP_STDOUT, "write standard error"},
    {"wasi:cli/std", CAP(STDIO), 0, 0, "use the standard streams"},
    {"wasi:cli/terminal", CAP(STDIO), 0, 0, "ask whether the standard streams are terminals"},
    {"wasi:clocks/", CAP(CLOCK), 0, AUDIT_OP_CLOCK_READ | AUDIT_OP_CLOCK_WAIT, "read clocks and wait for timers"},
    {"wasi:random/", CAP(RANDOM), 0, AUDIT_OP_RANDOM, "read the host's random source"},
    {"wasi:io/", 0, 0, 0, "use streams and wait on pollables"},
};

const audit_wasi2_iface *audit_wasi2_lookup(const char *name) {
  const char *at = strchr(name, '@');
  if (strncmp(name, "wasi:", 5) != 0 || !at || strncmp(at + 1, "0.2.", 4) != 0) return NULL;
  for (size_t i = 0; i < sizeof wasi2_ifaces / sizeof wasi2_ifaces[0]; i++)
    if (strncmp(name, wasi2_ifaces[i].prefix, strlen(wasi2_ifaces[i].prefix)) == 0) return &wasi2_ifaces[i];
  return NULL;
}
