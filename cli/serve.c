/* weld serve: an HTTP server (libmicrohttpd) whose requests are answered by a component's
 * wasi:http/incoming-handler export (the wasi:http/proxy world). The component is decoded
 * and validated once; each request runs in a fresh instance of it, under the policy and
 * the limits (a deadline per request), and a trap answers 500 with the trap logged. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "component/runtime.h"
#include "guard/guard.h"
#include "text/text.h"
#include "wasi/wasi.h"
#include "wasi2/http_curl.h"
#include "wasi2/wasi2.h"

enum { SERVE_ADDR, SERVE_LIMIT, SERVE_WASI };

static const cli_opt serve_opts[] = {
    {"--addr", NULL, "HOST:PORT", SERVE_ADDR},
    {"--fuel", NULL, "N", SERVE_LIMIT},
    {"--max-memory", NULL, "SIZE", SERVE_LIMIT},
    {"--max-table-elements", NULL, "N", SERVE_LIMIT},
    {"--max-stack", NULL, "N", SERVE_LIMIT},
    {"--max-instances", NULL, "N", SERVE_LIMIT},
    {"--timeout", NULL, "DURATION", SERVE_LIMIT},
    {"--dir", NULL, "HOST[::GUEST]", SERVE_WASI},
    {"--env", NULL, "NAME[=VALUE]", SERVE_WASI},
    {"--policy", NULL, "FILE", SERVE_WASI},
    {"--preset", NULL, "NAME", SERVE_WASI},
    {"--log-denials", NULL, NULL, SERVE_WASI},
};
#define NSERVE_OPTS (sizeof serve_opts / sizeof serve_opts[0])

#ifndef WELD_HAVE_MHD

int cli_cmd_serve(int argc, char **argv) {
  (void)argc, (void)argv;
  fprintf(stderr, "weld: serve: not supported: this weld was built without libmicrohttpd "
                  "(Debian: libmicrohttpd-dev)\n");
  return CLI_EXIT_USAGE;
}

#else
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

typedef struct server {
  const char *path;
  comp_component *c;
  comp_info *info;
  char handle_name[128];
  policy *pol;
  bool log_denials;
  w2_curl *curl;
} server;

/* One request's bytes as they arrive. */
typedef struct upload {
  char *uri;                     /* the request target as sent: the path and its query */
  bool started;
  uint8_t *body;
  size_t len, cap;
  bool too_big;
} upload;

#define SERVE_MAX_BODY ((size_t)64 << 20)

typedef struct header_list {
  const char **v;
  size_t n, cap;
  bool oom;
  const char *host;
} header_list;

static enum MHD_Result collect_header(void *env, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  header_list *h = env;
  if (strcasecmp(key, "host") == 0) h->host = value;
  const char *pair[2] = {key, value ? value : ""};
  for (int i = 0; i < 2; i++)
    if (!UTIL_VEC_TRY_PUSH(h->v, h->n, h->cap, pair[i])) h->oom = true;
  return MHD_YES;
}

static bool arm_store(void *env, struct weld_store *store, util_error *err) {
  void **a = env;
  wasi_ctx_set_call_store(a[0], (exec_store *)store);
  guard_clock clk;
  return cli_guard_arm(store, a[1], &clk, err);
}

static enum MHD_Result reply(struct MHD_Connection *con, unsigned status, const char *text) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "content-type", "text/plain");
  enum MHD_Result ok = MHD_queue_response(con, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* The headers the server itself writes from the response it sends. */
static bool framing(const char *name) {
  return strcasecmp(name, "content-length") == 0 || strcasecmp(name, "transfer-encoding") == 0 ||
         strcasecmp(name, "connection") == 0;
}

/* Runs the handler in a fresh instance on one request and queues its response. */
static enum MHD_Result handle(server *s, struct MHD_Connection *con, const char *method, const char *url,
                              upload *up) {
  header_list hl = {0};
  MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, &hl);
  const char *full = up->uri ? up->uri : url;
  int status = 500;
  const char *failure = NULL;
  char why[600] = "";
  util_error err;
  util_error_clear(&err);
  comp_host *host = comp_host_new();
  char *argv0 = (char *)s->path;
  wasi_config wc = {.argc = 1, .argv = &argv0, .log_denials = s->log_denials};
  wasi_ctx *wctx = wasi_ctx_new(s->pol, &wc, &err);
  wasi2 *w = wctx ? wasi2_new(wctx, &err) : NULL;
  comp_inst *inst = NULL;
  util_arena arena;
  util_arena_init(&arena);
  enum MHD_Result ok = MHD_NO;
  if (!host || !w || hl.oom || !full || !wasi2_link(w, host, s->info, &err)) {
    failure = err.msg[0] ? err.msg : "out of memory";
    goto done;
  }
  wasi2_http_set_client(w, w2_curl_client(s->curl));
  void *arm[2] = {wctx, s->pol};
  comp_host_on_store(host, arm_store, arm);
  inst = comp_instantiate(s->c, s->info, host, &err);
  if (!inst) {
    failure = err.msg;
    goto done;
  }
  comp_func *fn = comp_inst_func(inst, s->handle_name);
  if (!fn) {
    failure = "the component exports no incoming-handler handle function";
    goto done;
  }
  wasi2_http_in in = {method, "http", hl.host, full, hl.v, hl.n / 2, up->body, up->len};
  comp_val args[2];
  memset(args, 0, sizeof args);
  if (!wasi2_http_incoming(w, &in, args)) {
    failure = "the component does not import wasi:http/types (or out of memory)";
    goto done;
  }
  if (!comp_call(fn, args, NULL, &arena, &err)) {
    snprintf(why, sizeof why, "trap: %s", err.msg);
    failure = why;
    goto done;
  }
  wasi2_http_out out;
  char ec[64] = "";
  int got = wasi2_http_response(w, &out, ec, sizeof ec);
  if (got < 0) {
    failure = "the handler set no response";
    goto done;
  }
  if (got == 0) {
    snprintf(why, sizeof why, "the handler answered with error-code %s", ec);
    failure = why;
    goto done;
  }
  struct MHD_Response *r =
    MHD_create_response_from_buffer(out.body_len, (void *)(out.body ? out.body : (const uint8_t *)""),
                                    MHD_RESPMEM_MUST_COPY);
  if (!r) {
    failure = "out of memory";
    goto done;
  }
  for (size_t i = 0; i < out.nheaders; i++)
    if (!framing(out.headers[2 * i])) MHD_add_response_header(r, out.headers[2 * i], out.headers[2 * i + 1]);
  status = out.status;
  ok = MHD_queue_response(con, (unsigned)status, r);
  MHD_destroy_response(r);
done:
  if (failure) {
    fprintf(stderr, "weld: serve: %s %s: %s\n", method, url, failure);
    ok = reply(con, 500, "500 Internal Server Error\n");
  }
  if (wctx) wasi_ctx_set_call_store(wctx, NULL);
  comp_inst_free(inst);
  wasi2_free(w);
  comp_host_free(host);
  wasi_ctx_free(wctx);
  util_arena_free(&arena);
  free(hl.v);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **state) {
  (void)version;
  server *s = cls;
  upload *up = *state;
  if (!up) return MHD_NO; /* on_uri could not allocate */
  if (!up->started) {
    up->started = true;
    return MHD_YES;
  }
  if (*size) {
    if (up->len + *size > SERVE_MAX_BODY) up->too_big = true;
    else {
      if (up->len + *size > up->cap) {
        size_t cap = up->cap ? up->cap : 4096;
        while (cap < up->len + *size) cap *= 2;
        uint8_t *nb = realloc(up->body, cap);
        if (!nb) return MHD_NO;
        up->body = nb;
        up->cap = cap;
      }
      memcpy(up->body + up->len, data, *size);
      up->len += *size;
    }
    *size = 0;
    return MHD_YES;
  }
  if (up->too_big) return reply(con, 413, "413 Payload Too Large\n");
  return handle(s, con, method, url, up);
}

static void on_done(void *cls, struct MHD_Connection *con, void **state, enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)con, (void)toe;
  upload *up = *state;
  if (up) {
    free(up->uri);
    free(up->body);
    free(up);
  }
  *state = NULL;
}

/* A request's state, made when its request line arrives: libmicrohttpd hands the access
 * handler the path alone, so the target with its query is kept from here. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con) {
  (void)cls, (void)con;
  upload *up = calloc(1, sizeof *up);
  if (up && !(up->uri = strdup(uri))) {
    free(up);
    up = NULL;
  }
  return up;
}

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
  for (uint32_t i = 0; i < s->info->nexports; i++) {
    const comp_extern *e = &s->info->exports[i];
    if (!e->name || e->kind != COMP_EXT_INSTANCE) continue;
    if (strncmp(e->name->name.str, "wasi:http/incoming-handler@0.2.", 31) != 0) continue;
    snprintf(s->handle_name, sizeof s->handle_name, "%s#handle", e->name->name.str);
    return true;
  }
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
  server s = {.path = path, .pol = &wopt.pol, .log_denials = wopt.log_denials};
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
  s.curl = w2_curl_new();
  /* SIGINT and SIGTERM end the server: blocked here (and so in its thread), awaited below */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                          on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                          MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_URI_LOG_CALLBACK,
                                          on_uri, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "weld: serve: cannot listen on %s\n", addr);
    rc = CLI_EXIT_USAGE;
    goto out;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
  fprintf(stderr, "weld: serve: %s on http://%s:%u/\n", cli_display_name(path), ip,
          di ? di->port : ntohs(sa.sin_port));
  fflush(stderr);
  int sig;
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
out:
  w2_curl_free(s.curl);
  comp_info_free(s.info);
  comp_free(s.c);
  free(bytes);
  wasi_options_free(&wopt);
  return rc;
}

#endif
