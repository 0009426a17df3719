/* wasi/path: guest path arguments, their lexical normalization, and the policy checks
 * on them (the lexical path the guest named and, after the kernel resolved it, the real
 * location inside the tree, so a symlink cannot carry a call into a part of the tree the
 * policy closes). */
#include <errno.h>
#include <stdlib.h>

#include "sandbox.h"
#include "wasi_int.h"

uint16_t wasi_path_arg(wasi_ctx *c, uint32_t ptr, uint32_t len, char **out) {
  *out = NULL;
  if (len > 65536) return WASI_ENAMETOOLONG;
  const uint8_t *p = wasi_mem(c, ptr, len);
  if (!p) return WASI_EFAULT;
  if (memchr(p, 0, len)) return WASI_EILSEQ;
  char *s = util_xmalloc((size_t)len + 1);
  memcpy(s, p, len);
  s[len] = 0;
  *out = s;
  return 0;
}

uint16_t wasi_guest_join(const char *base, const char *rel, char **out) {
  *out = NULL;
  if (rel[0] == '/') return WASI_ENOTCAPABLE;
  bool abs = base[0] == '/';
  size_t cap = strlen(base) + strlen(rel) + 4;
  char *r = util_xmalloc(cap);
  size_t n = 0;
  /* copy base's components (already normalized, but tolerate "." and "/") */
  const char *parts[2] = {base, rel};
  size_t floor_len = 0;
  for (int k = 0; k < 2; k++) {
    const char *s = parts[k];
    while (*s) {
      while (*s == '/') s++;
      if (!*s) break;
      const char *e = s;
      while (*e && *e != '/') e++;
      size_t l = (size_t)(e - s);
      if (l == 1 && s[0] == '.') {
        /* nothing */
      } else if (l == 2 && s[0] == '.' && s[1] == '.') {
        if (n <= floor_len) {
          free(r);
          return WASI_ENOTCAPABLE;
        }
        while (n > floor_len && r[n - 1] != '/') n--;
        if (n > floor_len) n--; /* the separator */
      } else {
        if (n > 0 || abs) r[n++] = '/';
        memcpy(r + n, s, l);
        n += l;
      }
      s = e;
    }
    if (k == 0) floor_len = n;
  }
  if (n == 0) {
    if (abs) r[n++] = '/';
    else r[n++] = '.';
  }
  r[n] = 0;
  *out = r;
  return 0;
}

uint32_t wasi_path_ops(wasi_ctx *c, const char *guest, uint64_t *max_read, uint64_t *max_write) {
  const policy_path *grant = NULL;
  uint32_t ops = policy_path_ops(c->pol, guest, &grant);
  if (max_read) *max_read = grant ? grant->max_read_bytes : POLICY_UNLIMITED;
  if (max_write) *max_write = grant ? grant->max_write_bytes : POLICY_UNLIMITED;
  return ops;
}

static uint16_t check_one(wasi_ctx *c, const char *call, const char *guest, uint32_t need,
                          const char *how) {
  uint32_t ops = wasi_path_ops(c, guest, NULL, NULL);
  if ((ops & need) == need) return 0;
  char want[96], have[96];
  policy_ops_format(need & ~ops, want, sizeof want);
  policy_ops_format(ops, have, sizeof have);
  return wasi_deny(c, WASI_EACCES, call, guest, "%snot granted %s (granted: %s)", how, want,
                   ops ? have : "nothing");
}

uint16_t wasi_path_check(wasi_ctx *c, const wasi_fd *dir, const char *call, const char *guest,
                         uint32_t need, int host_fd, const char *name) {
  if (need == 0) return 0;
  uint16_t e = check_one(c, call, guest, need, "");
  if (e) return e;
  /* Symlinks can only redirect within the tree; that matters only when grants differ
   * inside it. */
  if (host_fd < 0 || !dir || dir->preopen < 0 || c->pol->npaths == 0) return 0;
  char real[4096];
  if (!wasi_sandbox_fd_path(host_fd, real, sizeof real)) return 0; /* no /proc: lexical only */
  const char *root = c->preopen_real[dir->preopen];
  size_t rl = strlen(root);
  const char *rest;
  if (strcmp(root, "/") == 0) rest = real + 1;
  else if (strncmp(real, root, rl) == 0 && (real[rl] == 0 || real[rl] == '/'))
    rest = real[rl] ? real + rl + 1 : "";
  else
    return wasi_deny(c, WASI_ENOTCAPABLE, call, guest, "resolves outside its directory");
  size_t need_len = strlen(rest) + (name ? strlen(name) : 0) + 2;
  char *rel = util_xmalloc(need_len);
  snprintf(rel, need_len, "%s%s%s", rest, (name && *rest) ? "/" : "", name ? name : "");
  char *rg = NULL;
  uint16_t j = wasi_guest_join(c->preopen_guest[dir->preopen], rel, &rg);
  free(rel);
  if (j) return wasi_deny(c, WASI_ENOTCAPABLE, call, guest, "resolves outside its directory");
  if (strcmp(rg, guest) != 0) e = check_one(c, call, rg, need, "through a symlink: ");
  free(rg);
  return e;
}

uint16_t wasi_sandbox_errno(wasi_ctx *c, int e, const char *call, const char *guest) {
  if (e == EXDEV)
    return wasi_deny(c, WASI_ENOTCAPABLE, call, guest, "leaves its preopened directory");
  return wasi_errno(e);
}
