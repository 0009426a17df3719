/* The policy model: construction, merging, the grant checks shared by wasi and audit,
 * and the size/duration/risk/ops text forms. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"

void policy_init(policy *p) {
  memset(p, 0, sizeof *p);
  p->max_open_files = POLICY_UNLIMITED;
  p->max_read_total = POLICY_UNLIMITED;
  p->max_write_total = POLICY_UNLIMITED;
  p->allow_exit = true;
  p->allow_stdout = true;
  p->allow_stderr = true;
  p->limits.memory_bytes = POLICY_UNLIMITED;
  p->limits.table_elements = POLICY_UNLIMITED;
  p->limits.fuel = POLICY_UNLIMITED;
  p->limits.max_host_calls = POLICY_UNLIMITED;
  p->limits.gc_heap_bytes = POLICY_UNLIMITED;
  /* An explicit --dir is an explicit grant; profiles narrow it. */
  p->dir_default_ops = POLICY_OP_ALL;
}

void policy_free(policy *p) {
  if (!p) return;
  free(p->name);
  for (size_t i = 0; i < p->ndirs; i++) {
    free(p->dirs[i].host);
    free(p->dirs[i].guest);
  }
  free(p->dirs);
  for (size_t i = 0; i < p->npaths; i++) free(p->paths[i].pattern);
  free(p->paths);
  for (size_t i = 0; i < p->nenv; i++) {
    free(p->env[i].name);
    free(p->env[i].value);
  }
  free(p->env);
  for (size_t i = 0; i < p->nnet; i++) free(p->net[i].host);
  free(p->net);
  memset(p, 0, sizeof *p);
}

/* ---------- adding grants ----------------------------------------------------------- */

bool policy_add_dir(policy *p, const char *host, const char *guest, uint32_t ops) {
  policy_dir d = {util_try_strdup(host), util_try_strdup(guest ? guest : host), ops & POLICY_OP_ALL};
  if (d.host && d.guest && UTIL_VEC_TRY_PUSH(p->dirs, p->ndirs, p->capdirs, d)) return true;
  free(d.host);
  free(d.guest);
  return false;
}

bool policy_add_path(policy *p, const char *pattern, uint32_t ops, uint64_t max_read,
                     uint64_t max_write) {
  /* Patterns are matched against normalized paths, so they are normalized too; one that
   * cannot be (a ".." component) is kept as given and can only match nothing, which is
   * why the file parser refuses it with its location first. */
  char norm[POLICY_PATH_MAX + 1];
  const char *why;
  const char *use = policy_pattern_normalize(pattern, norm, sizeof norm, &why) ? norm : pattern;
  policy_path g = {util_try_strdup(use), policy_path_classify(use), ops & POLICY_OP_ALL,
                   max_read, max_write};
  if (g.pattern && UTIL_VEC_TRY_PUSH(p->paths, p->npaths, p->cappaths, g)) return true;
  free(g.pattern);
  return false;
}

bool policy_add_env(policy *p, const char *name, const char *value) {
  policy_env_var v = {util_try_strdup(name), value ? util_try_strdup(value) : NULL};
  if (v.name && (v.value || !value) && UTIL_VEC_TRY_PUSH(p->env, p->nenv, p->capenv, v)) return true;
  free(v.name);
  free(v.value);
  return false;
}

static bool parse_port(const char *s, size_t n, uint32_t *out, util_error *err, const char *spec) {
  if (n == 0 || n > 5) return util_fail(err, UTIL_ERR_USAGE, -1, "bad port in '%s'", spec);
  uint32_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return util_fail(err, UTIL_ERR_USAGE, -1, "bad port in '%s'", spec);
    v = v * 10 + (uint32_t)(s[i] - '0');
  }
  if (v > 65535) return util_fail(err, UTIL_ERR_USAGE, -1, "port out of range in '%s'", spec);
  *out = v;
  return true;
}

bool policy_add_net(policy *p, const char *spec, uint32_t ops, util_error *err) {
  const char *host, *hend, *port;
  if (spec[0] == '[') {
    host = spec + 1;
    hend = strchr(host, ']');
    if (!hend || hend[1] != ':')
      return util_fail(err, UTIL_ERR_USAGE, -1, "expected [ADDRESS]:PORT in '%s'", spec);
    port = hend + 2;
  } else {
    hend = strrchr(spec, ':');
    if (!hend) return util_fail(err, UTIL_ERR_USAGE, -1, "expected HOST:PORT in '%s'", spec);
    host = spec;
    port = hend + 1;
    if (memchr(spec, ':', (size_t)(hend - spec)))
      return util_fail(err, UTIL_ERR_USAGE, -1, "an IPv6 address needs brackets: '[::1]:80' in '%s'", spec);
  }
  if (hend == host) return util_fail(err, UTIL_ERR_USAGE, -1, "empty host in '%s'", spec);
  for (const char *c = host; c < hend; c++)
    if (!isalnum((unsigned char)*c) && !strchr(".-_:*%", *c))
      return util_fail(err, UTIL_ERR_USAGE, -1, "bad character in host of '%s'", spec);
  uint32_t lo, hi;
  if (strcmp(port, "*") == 0) {
    lo = 0, hi = 65535;
  } else {
    const char *dash = strchr(port, '-');
    if (dash) {
      if (!parse_port(port, (size_t)(dash - port), &lo, err, spec) ||
          !parse_port(dash + 1, strlen(dash + 1), &hi, err, spec))
        return false;
      if (lo > hi) return util_fail(err, UTIL_ERR_USAGE, -1, "empty port range in '%s'", spec);
    } else {
      if (!parse_port(port, strlen(port), &lo, err, spec)) return false;
      hi = lo;
    }
  }
  if ((ops & (POLICY_NET_LISTEN | POLICY_NET_CONNECT)) == 0 || (ops & ~3u))
    return util_fail(err, UTIL_ERR_USAGE, -1, "no network operation for '%s'", spec);
  size_t hl = (size_t)(hend - host);
  char *h = util_try_malloc(hl + 1);
  if (!h) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  memcpy(h, host, hl);
  h[hl] = '\0';
  policy_net e = {h, lo, hi, ops};
  if (!UTIL_VEC_TRY_PUSH(p->net, p->nnet, p->capnet, e)) {
    free(h);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  return true;
}

/* Drops the entries of p past the given counts (a merge that ran out of memory). */
static void truncate_to(policy *p, size_t ndirs, size_t npaths, size_t nenv, size_t nnet) {
  for (; p->ndirs > ndirs; p->ndirs--) {
    free(p->dirs[p->ndirs - 1].host);
    free(p->dirs[p->ndirs - 1].guest);
  }
  for (; p->npaths > npaths; p->npaths--) free(p->paths[p->npaths - 1].pattern);
  for (; p->nenv > nenv; p->nenv--) {
    free(p->env[p->nenv - 1].name);
    free(p->env[p->nenv - 1].value);
  }
  for (; p->nnet > nnet; p->nnet--) free(p->net[p->nnet - 1].host);
}

bool policy_merge(policy *dst, const policy *src, util_error *err) {
  char *name = NULL;
  if (src->name && !(name = util_try_strdup(src->name)))
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  size_t ndirs = dst->ndirs, npaths = dst->npaths, nenv = dst->nenv, nnet = dst->nnet;
  bool ok = true;
  for (size_t i = 0; ok && i < src->ndirs; i++)
    ok = policy_add_dir(dst, src->dirs[i].host, src->dirs[i].guest, src->dirs[i].ops);
  for (size_t i = 0; ok && i < src->npaths; i++) {
    const policy_path *g = &src->paths[i];
    ok = policy_add_path(dst, g->pattern, g->ops, g->max_read_bytes, g->max_write_bytes);
    if (ok) dst->paths[dst->npaths - 1].match = g->match;
  }
  for (size_t i = 0; ok && i < src->nenv; i++) ok = policy_add_env(dst, src->env[i].name, src->env[i].value);
  for (size_t i = 0; ok && i < src->nnet; i++) {
    policy_net e = src->net[i];
    ok = (e.host = util_try_strdup(e.host)) != NULL;
    if (ok && !(ok = UTIL_VEC_TRY_PUSH(dst->net, dst->nnet, dst->capnet, e))) free(e.host);
  }
  if (!ok) {
    /* nothing of src is left in dst */
    truncate_to(dst, ndirs, npaths, nenv, nnet);
    free(name);
    return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
  }
  dst->env_inherit_all |= src->env_inherit_all;
  dst->allow_clocks |= src->allow_clocks;
  dst->allow_random |= src->allow_random;
  dst->allow_exit |= src->allow_exit;
  dst->allow_stdin |= src->allow_stdin;
  dst->allow_stdout |= src->allow_stdout;
  dst->allow_stderr |= src->allow_stderr;
  uint32_t set = src->limits_set;
#define TAKE(bit, field, unset)                                 \
  if ((set & (bit)) || src->field != (unset)) {               \
    dst->field = src->field;                                    \
    dst->limits_set |= (bit);                                   \
  }
  TAKE(POLICY_LIMIT_MEMORY, limits.memory_bytes, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_TABLE, limits.table_elements, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_FUEL, limits.fuel, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_TIMEOUT, limits.timeout_ns, 0);
  TAKE(POLICY_LIMIT_STACK, limits.max_stack, 0);
  TAKE(POLICY_LIMIT_INSTANCES, limits.max_instances, 0);
  TAKE(POLICY_LIMIT_HOST_CALLS, limits.max_host_calls, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_TRAP_ON_GROW, limits.trap_on_grow_failure, false);
  TAKE(POLICY_LIMIT_GC_HEAP, limits.gc_heap_bytes, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_OPEN_FILES, max_open_files, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_READ_TOTAL, max_read_total, POLICY_UNLIMITED);
  TAKE(POLICY_LIMIT_WRITE_TOTAL, max_write_total, POLICY_UNLIMITED);
#undef TAKE
  if ((set & POLICY_LIMIT_MAX_RISK) || src->has_max_risk) {
    dst->has_max_risk = src->has_max_risk;
    dst->max_risk = src->max_risk;
    dst->limits_set |= POLICY_LIMIT_MAX_RISK;
  }
  /* The dir default follows the most recent profile-like source that changed it. */
  if (src->dir_default_ops != POLICY_OP_ALL) dst->dir_default_ops = src->dir_default_ops;
  if (name) {
    free(dst->name);
    dst->name = name;
  }
  return true;
}

/* ---------- paths ------------------------------------------------------------------- */

bool policy_path_normalize(const char *in, char *out, size_t n) {
  if (n < 2) return false;
  bool abs = in[0] == '/';
  size_t len = 0;
  if (abs) out[len++] = '/';
  size_t root = len; /* nothing at or before here may be removed */
  const char *s = in;
  while (*s) {
    while (*s == '/') s++;
    if (!*s) break;
    const char *e = s;
    while (*e && *e != '/') e++;
    size_t cl = (size_t)(e - s);
    if (cl == 1 && s[0] == '.') {
      /* nothing */
    } else if (cl == 2 && s[0] == '.' && s[1] == '.') {
      if (len == root) return false;
      while (len > root && out[len - 1] != '/') len--;
      if (len > root) len--; /* the separator before the removed component */
    } else {
      if (len > root) {
        if (len + 1 >= n) return false;
        out[len++] = '/';
      }
      if (len + cl >= n) return false;
      memcpy(out + len, s, cl);
      len += cl;
    }
    s = e;
  }
  if (len == 0) out[len++] = '.';
  out[len] = '\0';
  return true;
}

bool policy_pattern_normalize(const char *in, char *out, size_t n, const char **why) {
  *why = NULL;
  size_t len = strlen(in), k = 0;
  if (len == 0) return *why = "the pattern is empty", false;
  if (len > POLICY_PATH_MAX || n < 2) return *why = "the pattern is too long", false;
  bool abs = in[0] == '/';
  /* A trailing "/." or "/.." says neither "this path" nor "everything beneath" clearly. */
  if ((len >= 2 && strcmp(in + len - 2, "/.") == 0) || (len >= 3 && strcmp(in + len - 3, "/..") == 0))
    return *why = "the pattern ends in '/.' or '/..' (write 'DIR' for the directory, 'DIR/' for everything beneath it)", false;
  bool trailing = in[len - 1] == '/';
  if (abs) out[k++] = '/';
  const char *s = in;
  while (*s) {
    while (*s == '/') s++;
    if (!*s) break;
    const char *e = s;
    while (*e && *e != '/') e++;
    size_t cl = (size_t)(e - s);
    if (cl == 2 && s[0] == '.' && s[1] == '.')
      return *why = "the pattern has a '..' component (patterns name normalized guest paths)", false;
    if (!(cl == 1 && s[0] == '.')) {
      if (k > (abs ? 1u : 0u)) out[k++] = '/';
      if (k + cl + 4 >= n) return *why = "the pattern is too long", false;
      memcpy(out + k, s, cl);
      k += cl;
    }
    s = e;
  }
  if (k == 0) out[k++] = '.';
  /* keep the one trailing slash that makes a prefix pattern ("/data/" or "/") */
  if (trailing && !(k == 1 && out[0] == '/')) out[k++] = '/';
  out[k] = '\0';
  /* A glob ending in a slash (one ending "*" then a slash) would never match (paths have no
   * trailing slash): it means what a prefix means, the directory and all beneath. */
  if (k >= 2 && out[k - 1] == '/' && strpbrk(out, "*?")) {
    bool ends_starstar = k >= 3 && out[k - 2] == '*' && out[k - 3] == '*';
    if (ends_starstar) out[--k] = '\0';
    else if (k + 3 <= n) { out[k++] = '*'; out[k++] = '*'; out[k] = '\0'; }
  }
  return true;
}

policy_match policy_path_classify(const char *pattern) {
  size_t n = strlen(pattern);
  size_t base = n;
  if (n >= 3 && strcmp(pattern + n - 3, "/**") == 0) base = n - 3;
  else if (n >= 1 && pattern[n - 1] == '/') base = n - 1;
  bool wild_in_base = false;
  for (size_t i = 0; i < base; i++) wild_in_base |= pattern[i] == '*' || pattern[i] == '?';
  if (base != n && !wild_in_base) return POLICY_MATCH_PREFIX;
  if (wild_in_base || base != n) return POLICY_MATCH_GLOB;
  return POLICY_MATCH_EXACT;
}

/* The pattern minus a trailing slash or slash-"**", for prefix matching. */
static size_t prefix_base(const char *pattern) {
  size_t n = strlen(pattern);
  if (n >= 3 && strcmp(pattern + n - 3, "/**") == 0) n -= 3;
  else if (n >= 1 && pattern[n - 1] == '/') n -= 1;
  return n;
}

/* Glob matching with memoisation: '*' and '?' stay inside one component, "**" crosses
 * components, and "**" followed by '/' may also match nothing (so "/a/ ** /b" matches
 * "/a/b"). Memo states are (pattern position, path position), so the cost is bounded by
 * the product of the lengths whatever the pattern. */
typedef struct glob_ctx {
  const char *p, *s;
  size_t pn, sn;
  int8_t *memo; /* -1 unknown, 0 no, 1 yes */
} glob_ctx;

static bool glob_at(glob_ctx *g, size_t i, size_t j) {
  int8_t *m = &g->memo[i * (g->sn + 1) + j];
  if (*m >= 0) return *m;
  bool r = false;
  if (i == g->pn) {
    r = j == g->sn;
  } else if (j == g->sn && g->pn - i == 3 && memcmp(g->p + i, "/**", 3) == 0) {
    r = true; /* a trailing slash-"**" also matches the directory itself, as a prefix does */
  } else if (g->p[i] == '*' && i + 1 < g->pn && g->p[i + 1] == '*') {
    size_t next = i + 2;
    if (next < g->pn && g->p[next] == '/') {
      /* "** /": zero components, or any run ending in '/'. */
      r = glob_at(g, next + 1, j);
      for (size_t k = j; !r && k < g->sn; k++)
        if (g->s[k] == '/') r = glob_at(g, next + 1, k + 1);
    } else {
      for (size_t k = j; !r && k <= g->sn; k++) r = glob_at(g, next, k);
    }
  } else if (g->p[i] == '*') {
    for (size_t k = j; !r; k++) {
      r = glob_at(g, i + 1, k);
      if (k == g->sn || g->s[k] == '/') break;
    }
  } else if (j < g->sn) {
    if (g->p[i] == '?') r = g->s[j] != '/' && glob_at(g, i + 1, j + 1);
    else r = g->p[i] == g->s[j] && glob_at(g, i + 1, j + 1);
  }
  *m = r;
  return r;
}

/* 1 match, 0 no match, -1 out of memory (undecided). */
static int glob_match(const char *pattern, const char *path) {
  glob_ctx g = {pattern, path, strlen(pattern), strlen(path), NULL};
  /* Paths and patterns longer than this are not real file names. */
  if (g.pn > POLICY_PATH_MAX || g.sn > POLICY_PATH_MAX) return 0;
  size_t cells = (g.pn + 1) * (g.sn + 1);
  g.memo = util_try_malloc(cells);
  if (!g.memo) return -1;
  memset(g.memo, -1, cells);
  bool r = glob_at(&g, 0, 0);
  free(g.memo);
  return r;
}

static int path_match(const char *pattern, policy_match match, const char *path) {
  switch (match) {
  case POLICY_MATCH_EXACT: return strcmp(pattern, path) == 0;
  case POLICY_MATCH_PREFIX: {
    size_t n = prefix_base(pattern);
    if (n == 0) return path[0] == '/'; /* the root: every absolute path */
    if (strncmp(pattern, path, n) != 0) return false;
    return path[n] == '\0' || path[n] == '/';
  }
  case POLICY_MATCH_GLOB: return glob_match(pattern, path);
  }
  return 0;
}

bool policy_path_match(const char *pattern, policy_match match, const char *path) {
  return path_match(pattern, match, path) == 1;
}

/* True when `path` is `dir` or beneath it; "." holds every relative path. */
static bool dir_contains(const char *dir, const char *path) {
  char d[POLICY_PATH_MAX + 1];
  if (!policy_path_normalize(dir, d, sizeof d)) return false;
  if (strcmp(d, ".") == 0) return path[0] != '/';
  if (strcmp(d, "/") == 0) return path[0] == '/';
  size_t n = strlen(d);
  return strncmp(d, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

uint32_t policy_path_ops(const policy *p, const char *guest_path, const policy_path **grant) {
  return policy_path_rule(p, guest_path, grant, NULL, NULL);
}

uint32_t policy_path_rule(const policy *p, const char *guest_path, const policy_path **grant,
                          long *dir_index, bool *undecided) {
  if (undecided) *undecided = false;
  if (grant) *grant = NULL;
  if (dir_index) *dir_index = -1;
  /* Glob matching has a length bound; past it a glob hole could not be seen, so such a
   * path is refused outright rather than decided without the globs (fail closed). */
  if (strlen(guest_path) > POLICY_PATH_MAX)
    for (size_t i = 0; i < p->npaths; i++)
      if (p->paths[i].match == POLICY_MATCH_GLOB) return 0;
  const policy_path *best = NULL;
  size_t best_len = 0;
  /* exact > glob > prefix: rank them so a higher number wins. */
  static const int rank[] = {[POLICY_MATCH_EXACT] = 3, [POLICY_MATCH_GLOB] = 2, [POLICY_MATCH_PREFIX] = 1};
  for (size_t i = 0; i < p->npaths; i++) {
    const policy_path *g = &p->paths[i];
    if ((unsigned)g->match > POLICY_MATCH_GLOB) continue;
    int m = path_match(g->pattern, g->match, guest_path);
    if (m < 0) { /* a grant that could not be matched may be a hole: refuse */
      if (undecided) *undecided = true;
      return 0;
    }
    if (!m) continue;
    size_t len = strlen(g->pattern);
    /* Later grants of equal specificity win, so a later source can refine a path. */
    if (!best || rank[g->match] > rank[best->match] ||
        (rank[g->match] == rank[best->match] && len >= best_len)) {
      best = g;
      best_len = len;
    }
  }
  if (best) {
    if (grant) *grant = best;
    return best->ops;
  }
  /* The deepest directory holding the path decides. */
  const policy_dir *dir = NULL;
  size_t dir_len = 0;
  for (size_t i = 0; i < p->ndirs; i++) {
    const char *gd = p->dirs[i].guest ? p->dirs[i].guest : p->dirs[i].host;
    if (!gd || !dir_contains(gd, guest_path)) continue;
    size_t len = strlen(gd);
    if (!dir || len >= dir_len) dir = &p->dirs[i], dir_len = len;
  }
  if (dir && dir_index) *dir_index = (long)(dir - p->dirs);
  return dir ? dir->ops : 0;
}

/* Can the glob match some path strictly beneath `dir`? Runs the matcher over dir + "/"
 * treating the end of that text as success wherever the pattern stands: every rest of a
 * pattern matches some string, so this over-approximates only for patterns that could
 * match nothing, which errs on the side of refusing. */
static bool glob_reaches_below(const char *pattern, const char *dir) {
  size_t dl = strlen(dir);
  if (dl + 1 > POLICY_PATH_MAX) return true;
  char *s = util_try_malloc(dl + 2);
  if (!s) return true; /* undecided: refuse, as above */
  memcpy(s, dir, dl);
  s[dl] = '/';
  s[dl + 1] = '\0';
  size_t pn = strlen(pattern), sn = dl + 1;
  /* states (pattern position) alive after each text position, as a bitset per step */
  uint8_t *cur = util_try_calloc(pn + 1, 1), *next = util_try_calloc(pn + 1, 1);
  bool any = false;
  if (!cur || !next) {
    free(cur);
    free(next);
    free(s);
    return true; /* undecided: refuse */
  }
  cur[0] = 1;
  for (size_t j = 0; j <= sn && !any; j++) {
    /* epsilon moves: "**" may match nothing, "*" may match nothing */
    for (size_t i = 0; i < pn; i++) {
      if (!cur[i]) continue;
      if (pattern[i] == '*' && i + 1 < pn && pattern[i + 1] == '*') {
        cur[i + 2] = 1;
        if (i + 2 < pn && pattern[i + 2] == '/') cur[i + 3] = 1;
      } else if (pattern[i] == '*') {
        cur[i + 1] = 1;
      }
    }
    if (j == sn) {
      for (size_t i = 0; i <= pn; i++) any |= cur[i] != 0;
      break;
    }
    memset(next, 0, pn + 1);
    char ch = s[j];
    for (size_t i = 0; i < pn; i++) {
      if (!cur[i]) continue;
      if (pattern[i] == '*' && i + 1 < pn && pattern[i + 1] == '*') next[i] = 1; /* any char */
      else if (pattern[i] == '*') { if (ch != '/') next[i] = 1; }
      else if (pattern[i] == '?') { if (ch != '/') next[i + 1] = 1; }
      else if (pattern[i] == ch) next[i + 1] = 1;
    }
    uint8_t *t = cur;
    cur = next;
    next = t;
  }
  free(cur);
  free(next);
  free(s);
  return any;
}

/* policy_rules_beneath, not counting grant `skip` (NULL: every grant counts). */
static bool rules_beneath_except(const policy *p, const char *dir, const policy_path *skip) {
  size_t dl = strlen(dir);
  bool root = strcmp(dir, "/") == 0;
  for (size_t i = 0; i < p->npaths; i++) {
    const policy_path *g = &p->paths[i];
    if (g == skip) continue;
    switch (g->match) {
    case POLICY_MATCH_EXACT:
    case POLICY_MATCH_PREFIX: {
      /* the pattern's path (a prefix's base) is `dir` itself (for a prefix) or beneath it */
      size_t n = g->match == POLICY_MATCH_PREFIX ? prefix_base(g->pattern) : strlen(g->pattern);
      if (g->match == POLICY_MATCH_PREFIX && n == dl && strncmp(g->pattern, dir, n) == 0) return true;
      if (root ? (n > 1 && g->pattern[0] == '/')
               : (n > dl && strncmp(g->pattern, dir, dl) == 0 && g->pattern[dl] == '/'))
        return true;
      break;
    }
    case POLICY_MATCH_GLOB:
      if (glob_reaches_below(g->pattern, root ? "" : dir)) return true;
      break;
    }
  }
  for (size_t i = 0; i < p->ndirs; i++) {
    const char *gd = p->dirs[i].guest ? p->dirs[i].guest : p->dirs[i].host;
    char d[POLICY_PATH_MAX + 1];
    if (!gd || !policy_path_normalize(gd, d, sizeof d)) continue;
    if (dir_contains(dir, d)) return true; /* a directory mounted at `dir` or beneath it */
  }
  return false;
}

bool policy_rules_beneath(const policy *p, const char *dir) { return rules_beneath_except(p, dir, NULL); }

const char *policy_dir_unmovable(const policy *p, const char *dir) {
  const policy_path *g = NULL;
  bool undecided;
  policy_path_rule(p, dir, &g, NULL, &undecided);
  if (undecided) return "its rule could not be decided (out of memory)"; /* fail closed */
  if (g && g->match == POLICY_MATCH_EXACT)
    return "its own rule is an exact grant, which does not reach beneath it";
  if (g && g->match == POLICY_MATCH_GLOB) {
    /* A final "**" matches any continuation of what it matched, so such a glob matches
     * every path beneath a directory it matches; any other glob may not. */
    size_t n = strlen(g->pattern);
    if (n < 2 || strcmp(g->pattern + n - 2, "**") != 0)
      return "its own rule is a glob that does not match everything beneath it";
  }
  /* the governing grant may reach beneath (that is the point); any other rule may not */
  if (rules_beneath_except(p, dir, g)) return "finer rules lie beneath it";
  return NULL;
}

/* ---------- environment and network ------------------------------------------------- */

bool policy_env_allowed(const policy *p, const char *name) {
  if (p->env_inherit_all) return true;
  for (size_t i = 0; i < p->nenv; i++)
    if (strcmp(p->env[i].name, name) == 0) return true;
  return false;
}

static bool host_matches(const char *pattern, const char *host) {
  if (strcmp(pattern, "*") == 0) return true;
  /* IP literals compare by value, so "::1" and "0:0::1" agree. */
  unsigned char a[16], b[16];
  if (inet_pton(AF_INET6, pattern, a) == 1 && inet_pton(AF_INET6, host, b) == 1) return memcmp(a, b, 16) == 0;
  if (inet_pton(AF_INET, pattern, a) == 1 && inet_pton(AF_INET, host, b) == 1) return memcmp(a, b, 4) == 0;
  if (pattern[0] == '*' && pattern[1] == '.') {
    /* "*.example.com": any name below example.com, not example.com itself. */
    size_t pl = strlen(pattern + 1), hl = strlen(host);
    return hl > pl && strcasecmp(host + hl - pl, pattern + 1) == 0;
  }
  return strcasecmp(pattern, host) == 0;
}

bool policy_net_allowed(const policy *p, const char *host, uint32_t port, uint32_t op) {
  for (size_t i = 0; i < p->nnet; i++) {
    const policy_net *n = &p->net[i];
    if ((n->ops & op) != op || port < n->port_lo || port > n->port_hi) continue;
    if (host_matches(n->host, host)) return true;
  }
  return false;
}

/* ---------- sizes, durations, names ----------------------------------------------- */

/* The unit and name tables here hold their strings as arrays, so they need no
 * relocations at start-up. */

/* Reads the leading decimal digits (underscores allowed between digits). */
static bool leading_number(const char **s, uint64_t *out) {
  const char *c = *s;
  uint64_t v = 0;
  bool any = false;
  while (isdigit((unsigned char)*c) || (*c == '_' && any && isdigit((unsigned char)c[1]))) {
    if (*c != '_') {
      unsigned d = (unsigned)(*c - '0');
      if (v > (UINT64_MAX - d) / 10) return false;
      v = v * 10 + d;
      any = true;
    }
    c++;
  }
  if (!any) return false;
  *s = c;
  *out = v;
  return true;
}

bool policy_parse_size(const char *s, uint64_t *out, util_error *err) {
  const char *c = s;
  uint64_t v;
  if (!leading_number(&c, &v))
    return util_fail(err, UTIL_ERR_USAGE, -1, "bad size '%s' (expected e.g. 4096, 64KiB, 16M, 1GiB)", s);
  static const struct { char unit[4]; unsigned shift; } units[] = {
      {"", 0},     {"B", 0},    {"K", 10},   {"KB", 10},   {"KiB", 10}, {"M", 20},
      {"MB", 20},  {"MiB", 20}, {"G", 30},   {"GB", 30},   {"GiB", 30}, {"T", 40},
      {"TB", 40},  {"TiB", 40},
  };
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(c, units[i].unit) != 0) continue;
    unsigned sh = units[i].shift;
    if (sh && v > (UINT64_MAX >> sh)) return util_fail(err, UTIL_ERR_USAGE, -1, "size '%s' too large", s);
    *out = v << sh;
    return true;
  }
  return util_fail(err, UTIL_ERR_USAGE, -1, "bad size unit in '%s' (use K/KiB, M/MiB, G/GiB, T/TiB)", s);
}

bool policy_parse_duration(const char *s, uint64_t *out, util_error *err) {
  const char *c = s;
  uint64_t v;
  if (!leading_number(&c, &v))
    return util_fail(err, UTIL_ERR_USAGE, -1, "bad duration '%s' (expected e.g. 500us, 100ms, 2s, 1m)", s);
  static const struct { char unit[3]; uint64_t ns; } units[] = {
      {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000ull},
      {"m", 60000000000ull}, {"h", 3600000000000ull},
  };
  if (*c == '\0') return util_fail(err, UTIL_ERR_USAGE, -1, "duration '%s' needs a unit (ns, us, ms, s, m, h)", s);
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(c, units[i].unit) != 0) continue;
    if (v > UINT64_MAX / units[i].ns) return util_fail(err, UTIL_ERR_USAGE, -1, "duration '%s' too large", s);
    *out = v * units[i].ns;
    return true;
  }
  return util_fail(err, UTIL_ERR_USAGE, -1, "bad duration unit in '%s' (use ns, us, ms, s, m, h)", s);
}

static const char risk_names[][9] = {"minimal", "low", "moderate", "high", "critical"};

const char *policy_risk_name(policy_risk r) {
  return (unsigned)r <= POLICY_RISK_CRITICAL ? risk_names[r] : "unknown";
}

bool policy_risk_parse(const char *s, policy_risk *out) {
  for (int i = 0; i <= POLICY_RISK_CRITICAL; i++)
    if (strcmp(s, risk_names[i]) == 0) {
      *out = (policy_risk)i;
      return true;
    }
  return false;
}

const char *policy_ops_format(uint32_t ops, char *buf, size_t n) {
  static const char names[][7] = {"read", "write", "create", "delete", "list"};
  size_t k = 0;
  if (n == 0) return buf;
  buf[0] = '\0';
  for (int i = 0; i < 5; i++) {
    if (!(ops & (1u << i))) continue;
    int w = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", names[i]);
    if (w < 0 || (size_t)w >= n - k) return buf;
    k += (size_t)w;
  }
  if (k == 0) snprintf(buf, n, "none");
  return buf;
}
