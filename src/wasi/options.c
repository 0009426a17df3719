/* wasi/options: the WASI flags of `weld run` (wasmtime's spelling) turned into a policy
 * and the sockets to pass in. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wasi.h"

const char wasi_options_help[] =
    "  --dir HOST[::GUEST]    give the module the directory HOST, seen as GUEST (default\n"
    "                         HOST); repeatable. Full access unless a profile narrows it\n"
    "  --env NAME[=VALUE]     set NAME in the module's environment; without a value the\n"
    "                         host's value is passed; repeatable\n"
    "  --policy FILE          start from a policy file (docs/policy.md)\n"
    "  --profile NAME         start from a profile: isolated, readonly-fs, cli\n"
    "  --log-denials          print each call the policy refuses on stderr\n"
    "  --tcplisten HOST:PORT  listen on HOST:PORT; the module accepts on the socket\n"
    "                         (the fd after the preopened directories)\n";

void wasi_options_init(wasi_options *o) {
  memset(o, 0, sizeof *o);
  policy_init(&o->pol);
}

void wasi_options_free(wasi_options *o) {
  policy_free(&o->pol);
  for (size_t i = 0; i < o->ndirs; i++) free(o->dirs[i]);
  for (size_t i = 0; i < o->nenvs; i++) free(o->envs[i]);
  for (size_t i = 0; i < o->nlisten; i++) free(o->listen[i]);
  free(o->dirs);
  free(o->envs);
  free(o->listen);
  free(o->policy_file);
  free(o->profile);
  for (int i = 0; i < o->nsockets; i++) close(o->sockets[i]);
  free(o->sockets);
  memset(o, 0, sizeof *o);
}

/* "--flag VALUE" or "--flag=VALUE" */
static const char *flag_value(int argc, char **argv, int *i, const char *flag, bool *matched) {
  size_t n = strlen(flag);
  const char *a = argv[*i];
  *matched = false;
  if (strncmp(a, flag, n) != 0) return NULL;
  if (a[n] == '=') {
    *matched = true;
    return a + n + 1;
  }
  if (a[n] != 0) return NULL;
  *matched = true;
  if (*i + 1 >= argc) return NULL;
  return argv[++*i];
}

int wasi_options_parse(wasi_options *o, int argc, char **argv, int *i, util_error *err) {
  static const char *const flags[] = {"--dir", "--env", "--policy", "--profile", "--tcplisten"};
  if (strcmp(argv[*i], "--log-denials") == 0) {
    o->log_denials = true;
    return 1;
  }
  for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
    bool m;
    const char *v = flag_value(argc, argv, i, flags[k], &m);
    if (!m) continue;
    if (!v || !*v) {
      util_fail(err, UTIL_ERR_USAGE, -1, "%s needs a value", flags[k]);
      return -1;
    }
    if (k == 1 && v[0] == '=') {
      util_fail(err, UTIL_ERR_USAGE, -1, "--env '%s': empty variable name", v);
      return -1;
    }
    if ((k == 2 || k == 3) && (o->policy_file || o->profile)) {
      util_fail(err, UTIL_ERR_USAGE, -1, "only one of --policy and --profile may be given");
      return -1;
    }
    char *copy = util_try_strdup(v);
    bool ok = copy != NULL;
    switch (k) {
      case 0: ok = ok && UTIL_VEC_TRY_PUSH(o->dirs, o->ndirs, o->capdirs, copy); break;
      case 1: ok = ok && UTIL_VEC_TRY_PUSH(o->envs, o->nenvs, o->capenvs, copy); break;
      case 2: o->policy_file = copy; break;
      case 3: o->profile = copy; break;
      case 4: ok = ok && UTIL_VEC_TRY_PUSH(o->listen, o->nlisten, o->caplisten, copy); break;
    }
    if (!ok) {
      free(copy);
      util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
      return -1;
    }
    return 1;
  }
  return 0;
}

static int listen_on(const char *spec, util_error *err) {
  const char *colon = strrchr(spec, ':');
  if (!colon || colon == spec || !colon[1]) {
    util_fail(err, UTIL_ERR_USAGE, -1, "--tcplisten '%s': expected HOST:PORT", spec);
    return -1;
  }
  char host[256];
  size_t hl = (size_t)(colon - spec);
  if (hl >= sizeof host) hl = sizeof host - 1;
  memcpy(host, spec, hl);
  host[hl] = 0;
  if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
    memmove(host, host + 1, hl - 2);
    host[hl - 2] = 0;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
  struct addrinfo *res;
  int g = getaddrinfo(host, colon + 1, &hints, &res);
  if (g != 0) {
    util_fail(err, UTIL_ERR_USAGE, -1, "--tcplisten '%s': %s", spec, gai_strerror(g));
    return -1;
  }
  int fd = -1, last = 0;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
    last = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) util_fail(err, UTIL_ERR_IO, -1, "--tcplisten '%s': %s", spec, strerror(last));
  return fd;
}

bool wasi_options_finish(wasi_options *o, util_error *err) {
  policy *p = &o->pol;
  if (o->policy_file) {
    if (!policy_parse_file(p, o->policy_file, err)) return false;
    o->have_base = true;
  } else if (o->profile) {
    if (!policy_profile(p, o->profile, err)) return false;
    o->have_base = true;
  } else {
    /* wasmtime's defaults: the standard streams, clocks and randomness; files, the
     * environment and the network only when granted */
    p->allow_stdin = p->allow_stdout = p->allow_stderr = p->allow_exit = true;
    p->allow_clocks = p->allow_random = true;
  }
  for (size_t i = 0; i < o->ndirs; i++) {
    char *d = o->dirs[i];
    char *sep = strstr(d, "::");
    if (sep) {
      *sep = 0;
      const char *guest = sep + 2;
      if (!*d || !*guest) {
        *sep = ':';
        return util_fail(err, UTIL_ERR_USAGE, -1, "--dir '%s': expected HOST::GUEST", d);
      }
      bool ok = policy_add_dir(p, d, guest, p->dir_default_ops);
      *sep = ':';
      if (!ok) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    } else if (!policy_add_dir(p, d, d, p->dir_default_ops)) {
      return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
  }
  for (size_t i = 0; i < o->nenvs; i++) {
    char *eq = strchr(o->envs[i], '=');
    if (eq) {
      *eq = 0;
      bool ok = policy_add_env(p, o->envs[i], eq + 1);
      *eq = '=';
      if (!ok) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    } else if (!policy_add_env(p, o->envs[i], NULL)) {
      return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    }
  }
  for (size_t i = 0; i < o->nlisten; i++) {
    if (!policy_add_net(p, o->listen[i], POLICY_NET_LISTEN, err)) return false;
    int *sockets = util_try_realloc(o->sockets, (size_t)(o->nsockets + 1) * sizeof *o->sockets);
    if (!sockets) return util_fail(err, UTIL_ERR_OOM, -1, "out of memory");
    o->sockets = sockets;
    int fd = listen_on(o->listen[i], err);
    if (fd < 0) return false;
    o->sockets[o->nsockets++] = fd;
  }
  return true;
}
