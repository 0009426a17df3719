/* wasi/sandbox: resolving guest paths beneath a directory descriptor, by the kernel.
 *
 * Every function takes a directory fd (a preopen or a directory the guest opened) and a
 * relative path, and never reaches outside that directory: `..` past it, absolute paths,
 * absolute symlinks and symlinks whose target leaves it fail with EXDEV. The primary
 * mechanism is openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS); where the kernel lacks
 * it (ENOSYS), a component-by-component walk does the same with O_NOFOLLOW opens, a stack
 * of directory fds for `..` and symlink targets spliced into the remaining path, so a
 * concurrent rename or symlink swap can at worst make a call fail, never escape.
 *
 * Results are host errno values (0 = success). Depends on libc only. */
#ifndef WELD_WASI_SANDBOX_H
#define WELD_WASI_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/* Forces the fallback walk (tests); returns the previous setting. */
bool wasi_sandbox_force_walk(bool on);
/* True when openat2 is in use (not forced off, and the kernel has it). */
bool wasi_sandbox_uses_openat2(void);

/* Opens `path` beneath `dirfd` with open(2) `flags` (O_CLOEXEC is added) and `mode`.
 * `follow` says whether a symlink in the last component is followed (beneath, like
 * every other one) or makes the open fail with ELOOP (O_PATH opens the link itself).
 * A trailing slash requires a directory. */
int wasi_sandbox_open(int dirfd, const char *path, int flags, mode_t mode, bool follow, int *out);

/* Splits `path` into its parent directory, opened beneath `dirfd` (O_PATH|O_DIRECTORY,
 * always following symlinks beneath), and the last component, for the *at calls that
 * act on a name without following it (unlinkat, mkdirat, renameat, symlinkat, linkat,
 * readlinkat, fstatat with AT_SYMLINK_NOFOLLOW). `*base` points into a buffer the
 * caller frees with free(*buf). When the last component is "." or "..", `*base` is that
 * name and `*parent` is the directory the whole path names (checked to be beneath);
 * callers refuse to act on such a name. `*trailing_slash` tells whether the path ended
 * with '/'. */
int wasi_sandbox_parent(int dirfd, const char *path, int *parent, const char **base, char **buf,
                        bool *trailing_slash);

/* The host path of an open fd (readlink of /proc/self/fd/N) into buf; false with errno
 * set when unavailable (ENAMETOOLONG when it does not fit). */
bool wasi_sandbox_fd_path(int fd, char *buf, size_t n);

#endif
