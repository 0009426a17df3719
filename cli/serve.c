/* weld serve: an HTTP server (libmicrohttpd) whose requests are answered by a component's
 * wasi:http/incoming-handler export (the wasi:http/proxy world). The component is decoded
 * and validated once; each request runs in a fresh instance of it, under the policy and
 * the limits (a deadline per request), and a trap answers 500 with the trap logged. */
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "component/runtime.h"
#include "guard/guard.h"
#include "text/text.h"
#include "wasi/wasi.h"
#include "wasi2/http_serve.h"
#include "wasi2/wasi2.h"

enum { SERVE_ADDR, SERVE_LIMIT, SERVE_WASI };

static const cli_opt serve_opts[] = {
    {"--addr", "", "HOST:PORT", SERVE_ADDR},
    {"--fuel", "", "N", SERVE_LIMIT},
    {"--max-memory", "", "SIZE", SERVE_LIMIT},
    {"--max-table-elements", "", "N", SERVE_LIMIT},
    {"--max-stack", "", "N", SERVE_LIMIT},
    {"--max-instances", "", "N", SERVE_LIMIT},
    {"--timeout", "", "DURATION", SERVE_LIMIT},
    {"--dir", "", "HOST[::GUEST]", SERVE_WASI},
    {"--env", "", "NAME[=VALUE]", SERVE_WASI},
    {"--policy", "", "FILE", SERVE_WASI},
    {"--preset", "", "NAME", SERVE_WASI},
    {"--log-denials", "", "", SERVE_WASI},
};
#define NSERVE_OPTS (sizeof serve_opts / sizeof serve_opts[0])

typedef struct server {
  const char *path;
  comp_component *c;
  comp_info *info;
  char handle_name[256];
} server;

static bool load(server *s, const uint8_t *bytes, size_t len) {
  util_error err;
  util_error_clear(&err);
  uint8_t *bin = NULL;
  size_t n;
  if (!text_is_binary(bytes, len)) {
    if (!text_component_to_binary((const char *)bytes, len, &bin, &n, &err)) goto bad;
    bytes = bin;
    len = n;
  }
  s->c = comp_decode(bytes, len, &err);
  free(bin);
  if (!s->c) goto bad;
  if (!comp_validate(s->c, &s->info, &err)) goto bad;
  if (w2_serve_handler(s->info, s->handle_name, sizeof s->handle_name)) return true;
  fprintf(stderr, "weld: serve: %s: the component exports no wasi:http/incoming-handler@0.2.x interface "
                  "(the wasi:http/proxy world)\n", cli_display_name(s->path));
  return false;
bad:
  fprintf(stderr, "weld: serve: %s: %s\n", cli_display_name(s->path), err.msg);
  return false;
}

static bool parse_addr(const char *a, struct sockaddr_in *sa) {
  const char *colon = strrchr(a, ':');
  if (!colon || colon == a) return false;
  char host[64];
  if ((size_t)(colon - a) >= sizeof host) return false;
  memcpy(host, a, (size_t)(colon - a));
  host[colon - a] = 0;
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (end == colon + 1 || *end || port > 65535) return false;
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = htons((uint16_t)port);
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

int cli_cmd_serve(int argc, char **argv) {
  util_error aerr;
  util_error_clear(&aerr);
  if (!w2_serve_available(&aerr)) {
    fprintf(stderr, "weld: serve: %s\n", aerr.msg);
    return CLI_EXIT_USAGE;
  }
  const char *addr = "127.0.0.1:8080";
  cli_guard_opts gopt;
  cli_guard_init(&gopt);
  wasi_options wopt;
  wasi_options_init(&wopt);
  util_error err;
  util_error_clear(&err);
  cli_parser p;
  cli_parser_init(&p, "serve", serve_opts, NSERVE_OPTS, argc, argv);
  int r;
  const char *path = NULL;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPERAND) {
      if (path) {
        wasi_options_free(&wopt);
        return cli_usage_error("serve", "one component only (got '%s' after '%s')", p.operand, path);
      }
      path = p.operand;
      continue;
    }
    bool ok = true;
    const char *a = p.opt->name, *v = p.value;
    if (p.opt->id == SERVE_ADDR) addr = v;
    else if (p.opt->id == SERVE_LIMIT) ok = cli_guard_option(&gopt, a, v, &err);
    else {
      char *av[3] = {(char *)(strcmp(a, "--preset") == 0 ? "--profile" : a), (char *)v, NULL};
      int i = 0;
      ok = wasi_options_parse(&wopt, v ? 2 : 1, av, &i, &err) > 0;
    }
    if (!ok) {
      wasi_options_free(&wopt);
      return cli_usage_error("serve", "%s", err.msg);
    }
  }
  if (r == CLI_ARG_EXIT) {
    wasi_options_free(&wopt);
    return p.rc;
  }
  if (!path) {
    wasi_options_free(&wopt);
    return cli_usage_error("serve", "missing component file");
  }
  struct sockaddr_in sa;
  if (!parse_addr(addr, &sa)) {
    wasi_options_free(&wopt);
    return cli_usage_error("serve", "--addr: '%s' is not IPV4:PORT (127.0.0.1:8080)", addr);
  }
  if (!wasi_options_finish(&wopt, &err)) {
    wasi_options_free(&wopt);
    return cli_usage_error("serve", "%s", err.msg);
  }
  cli_guard_override(&gopt, &wopt.pol);
  server s = {.path = path};
  uint8_t *bytes = NULL;
  size_t len = 0;
  int rc = CLI_EXIT_OK;
  bool is_comp = cli_read_component(path, &bytes, &len, &err);
  if (!bytes) {
    fprintf(stderr, "weld: serve: %s\n", err.msg);
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  if (!is_comp && text_is_binary(bytes, len)) {
    fprintf(stderr, "weld: serve: %s: not a component (weld serve runs the wasi:http/proxy world)\n",
            cli_display_name(path));
    rc = CLI_EXIT_BAD_MODULE;
    goto out;
  }
  if (!load(&s, bytes, len)) {
    rc = CLI_EXIT_BAD_MODULE;
    goto out;
  }
  /* SIGINT and SIGTERM end the server: blocked here (and so in its thread), awaited below */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  w2_serve_config cfg = {.name = path, .c = s.c, .info = s.info, .handle_name = s.handle_name, .pol = &wopt.pol,
                         .log_denials = wopt.log_denials, .log_fd = 2};
  w2_server *srv = w2_serve_start(&cfg, -1, &sa, &err);
  if (!srv) {
    fprintf(stderr, "weld: serve: %s\n", err.msg);
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
  fprintf(stderr, "weld: serve: %s on http://%s:%u/\n", cli_display_name(path), ip, w2_serve_port(srv));
  fflush(stderr);
  int sig;
  sigwait(&set, &sig);
  w2_serve_stop(srv);
out:
  comp_info_free(s.info);
  comp_free(s.c);
  free(bytes);
  wasi_options_free(&wopt);
  return rc;
}

