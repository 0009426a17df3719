/* wasi/path: guest path arguments, their lexical normalization, and the policy decision
 * on an object: on the path the guest named and, once the kernel resolved it, on where it
 * really lies inside the tree (so a symlink cannot carry a call into a part of the tree
 * the policy closes), under the preopen the fd descends from. Every failure to find the
 * real location is a denial. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "sandbox.h"
#include "wasi_int.h"

uint16_t wasi_path_arg(wasi_ctx *c, uint32_t ptr, uint32_t len, char **out) {
  *out = NULL;
  if (len > 65536) return WASI_ENAMETOOLONG;
  const uint8_t *p = wasi_mem(c, ptr, len);
  if (!p) return WASI_EFAULT;
  if (memchr(p, 0, len)) return WASI_EILSEQ;
  char *s = util_try_malloc((size_t)len + 1);
  if (!s) return WASI_ENOMEM;
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
  char *r = util_try_malloc(cap);
  if (!r) return WASI_ENOMEM;
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

uint32_t wasi_path_ops(wasi_ctx *c, int pre, const char *guest, uint64_t *max_read,
                       uint64_t *max_write, bool *undecided) {
  const policy *pol = c->pol;
  const policy_path *grant = NULL;
  long e = -1;
  uint32_t ops = policy_path_rule(pol, guest, &grant, &e, undecided);
  if (pre >= 0 && (size_t)pre < pol->ndirs && c->same_tree) {
    size_t n = pol->ndirs;
    /* the deepest directory holding the path that shows `pre`'s own files there */
    long own = -1;
    size_t own_len = 0;
    for (size_t k = 0; k < n; k++) {
      if (!c->same_tree[(size_t)pre * n + k] || !c->preopen_guest[k]) continue;
      const char *g = c->preopen_guest[k];
      size_t l = strlen(g);
      bool holds = strcmp(g, ".") == 0   ? guest[0] != '/'
                   : strcmp(g, "/") == 0 ? guest[0] == '/'
                                         : strncmp(g, guest, l) == 0 && (guest[l] == 0 || guest[l] == '/');
      if (holds && (own < 0 || l >= own_len)) own = (long)k, own_len = l;
    }
    if (own < 0) ops = 0; /* cannot happen for a path beneath `pre`: fail closed anyway */
    else if (grant || e != own) {
      /* some other rule decided: under a foreign mount (e not showing pre's files) a
       * grant or the mount's ops never exceed what pre's own directory grants */
      bool foreign = false;
      for (size_t k = 0; k < n; k++) {
        if (c->same_tree[(size_t)pre * n + k] || !c->preopen_guest[k]) continue;
        const char *g = c->preopen_guest[k];
        size_t l = strlen(g);
        if (l > own_len && strncmp(g, guest, l) == 0 && (guest[l] == 0 || guest[l] == '/')) foreign = true;
      }
      if (foreign) ops &= pol->dirs[own].ops;
    }
  }
  if (max_read) *max_read = grant ? grant->max_read_bytes : POLICY_UNLIMITED;
  if (max_write) *max_write = grant ? grant->max_write_bytes : POLICY_UNLIMITED;
  return ops;
}

bool wasi_needs_real(const wasi_ctx *c, int pre) {
  if (pre < 0 || (size_t)pre >= c->pol->ndirs) return false;
  return c->preopen_finer ? c->preopen_finer[pre] : true;
}

uint16_t wasi_real_guest(wasi_ctx *c, int pre, int host_fd, const char *name, const char *call,
                         const char *shown, char **out) {
  *out = NULL;
  char real[PATH_MAX];
  const char *root = pre >= 0 ? c->preopen_real[pre] : NULL;
  if (!root) return wasi_deny(c, WASI_EACCES, call, shown, "the preopen's real location is unknown");
  /* /proc/self/fd/N names the object the kernel resolved; no answer (no /proc, a path
   * longer than PATH_MAX, a deleted object) leaves the decision unmade: refuse */
  if (!wasi_sandbox_fd_path(host_fd, real, sizeof real))
    return wasi_deny(c, WASI_EACCES, call, shown, "its real location cannot be read (%s)",
                     errno == ENAMETOOLONG || errno == ERANGE ? "too long" : "no /proc/self/fd");
  size_t rl = strlen(root);
  const char *rest;
  if (strcmp(root, "/") == 0) rest = real + 1;
  else if (strncmp(real, root, rl) == 0 && (real[rl] == 0 || real[rl] == '/'))
    rest = real[rl] ? real + rl + 1 : "";
  else
    return wasi_deny(c, WASI_ENOTCAPABLE, call, shown, "resolves outside its directory");
  size_t need_len = strlen(rest) + (name ? strlen(name) : 0) + 2;
  char *rel = util_try_malloc(need_len);
  if (!rel) return WASI_ENOMEM;
  snprintf(rel, need_len, "%s%s%s", rest, (name && *rest) ? "/" : "", name ? name : "");
  uint16_t j = wasi_guest_join(c->preopen_guest[pre], rel, out);
  free(rel);
  if (j == WASI_ENOMEM) return j;
  if (j) return wasi_deny(c, WASI_ENOTCAPABLE, call, shown, "resolves outside its directory");
  return 0;
}

/* Checks `need` on guest path `at`; a denial is logged for `shown` (what the guest
 * named), with `how` saying where `at` came from when it differs. */
static uint16_t check_one(wasi_ctx *c, int pre, const char *call, const char *shown, const char *at,
                          uint32_t need, const char *how, uint32_t *ops_out, uint64_t *mr,
                          uint64_t *mw) {
  bool undecided;
  uint32_t ops = wasi_path_ops(c, pre, at, mr, mw, &undecided);
  if (undecided) return WASI_ENOMEM; /* no decision for lack of memory: nothing is done */
  if (ops_out) *ops_out = ops;
  if ((ops & need) == need) return 0;
  char want[96], have[96];
  policy_ops_format(need & ~ops, want, sizeof want);
  policy_ops_format(ops, have, sizeof have);
  if (!ops && strlen(at) > POLICY_PATH_MAX)
    return wasi_deny(c, WASI_EACCES, call, shown, "a path longer than %d bytes cannot be matched against the glob grants",
                     POLICY_PATH_MAX);
  if (shown != at && strcmp(shown, at) != 0)
    return wasi_deny(c, WASI_EACCES, call, shown, "%s %s: not granted %s (granted: %s)", how, at,
                     want, ops ? have : "nothing");
  return wasi_deny(c, WASI_EACCES, call, at, "not granted %s (granted: %s)", want,
                   ops ? have : "nothing");
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint16_t wasi_decide(wasi_ctx *c, const wasi_fd *dir, const char *call, const char *guest,
                     uint32_t need, int host_fd, const char *name, uint32_t *ops,
                     uint64_t *max_read, uint64_t *max_write, char **real) {
  if (real) *real = NULL;
  int pre = dir ? dir->preopen : -1;
  uint32_t o;
  uint64_t mr, mw;
  uint16_t e = check_one(c, pre, call, guest, guest, need, "", &o, &mr, &mw);
  if (e) return e;
  if (host_fd >= 0 && wasi_needs_real(c, pre)) {
    char *rg = NULL;
    if ((e = wasi_real_guest(c, pre, host_fd, name, call, guest, &rg))) return e;
    if (strcmp(rg, guest) != 0) {
      uint32_t o2;
      uint64_t mr2, mw2;
      e = check_one(c, pre, call, guest, rg, need, "really at", &o2, &mr2, &mw2);
      if (e) {
        free(rg);
        return e;
      }
      o &= o2;
      mr = min64(mr, mr2);
      mw = min64(mw, mw2);
    }
    if (real) *real = rg;
    else free(rg);
  }
  if (ops) *ops = o;
  if (max_read) *max_read = mr;
  if (max_write) *max_write = mw;
  return 0;
}

uint16_t wasi_path_check(wasi_ctx *c, const wasi_fd *dir, const char *call, const char *guest,
                         uint32_t need, int host_fd, const char *name) {
  if (need == 0) return 0;
  return wasi_decide(c, dir, call, guest, need, host_fd, name, NULL, NULL, NULL, NULL);
}

uint16_t wasi_fd_check(wasi_ctx *c, const wasi_fd *f, const char *call, uint32_t need) {
  const char *shown = f->guest ? f->guest : "<stdio>";
  if ((f->ops & need) != need) {
    char want[96];
    policy_ops_format(need & ~f->ops, want, sizeof want);
    return wasi_deny(c, WASI_EACCES, call, shown, "not granted %s", want);
  }
  if (f->kind != WASI_FD_FILE && f->kind != WASI_FD_DIR) return 0;
  if (!wasi_needs_real(c, f->preopen)) return 0;
  char *rg = NULL;
  uint16_t e = wasi_real_guest(c, f->preopen, f->host, NULL, call, shown, &rg);
  if (e) return e;
  e = check_one(c, f->preopen, call, shown, rg, need, "now at", NULL, NULL, NULL);
  free(rg);
  return e;
}

uint16_t wasi_sandbox_errno(wasi_ctx *c, int e, const char *call, const char *guest) {
  if (e == EXDEV)
    return wasi_deny(c, WASI_ENOTCAPABLE, call, guest, "leaves its preopened directory");
  return wasi_errno(e);
}
