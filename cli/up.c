/* weld up / ps / logs / down / diag: an application of WebAssembly services and containers,
 * over src/hybrid's executor (docs/executor.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hybrid/executor.h"
#include "pkg.h"

/* Exit statuses: 0 done, 1 the application could not start or is not running as asked, 2
 * bad manifest or usage. */
static int fail(const char *cmd, const util_error *err) {
  fprintf(stderr, "weld: %s: %s\n", cmd, err->msg);
  return err->kind == UTIL_ERR_USAGE || err->kind == UTIL_ERR_MALFORMED ? CLI_EXIT_USAGE : 1;
}

enum { OPT_FOREGROUND, OPT_FOLLOW, OPT_MERMAID, OPT_APP, OPT_METRICS, OPT_PROMETHEUS, OPT_REPLAN, OPT_HISTORY, OPT_DOT, OPT_PNG, OPT_OTEL };

/* One optional operand: an application's name or its manifest. */
static int one_operand(cli_parser *p, const char *cmd, const char **out, int *opt_seen) {
  int next;
  while ((next = cli_parser_next(p)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return p->rc;
    if (next == CLI_ARG_OPERAND) {
      if (*out) return cli_usage_error(cmd, "one application at a time ('%s' and '%s')", *out, p->operand);
      *out = p->operand;
      continue;
    }
    if (opt_seen) opt_seen[p->opt->id] = 1;
  }
  return -1;
}

int cli_cmd_up(int argc, char **argv) {
  static const cli_opt opts[] = {{"--foreground", "", "", OPT_FOREGROUND},
                                 {"--metrics", "", "PORT", OPT_METRICS},
                                 {"--replan", "", "", OPT_REPLAN},
                                 {"--history", "", "DB", OPT_HISTORY}};
  cli_parser p;
  cli_parser_init(&p, "up", opts, 4, argc, argv);
  const char *file = NULL;
  hybrid_up_opts o = {.out = stdout, .fetch_package = pkg_fetch_release};
  int next;
  while ((next = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return p.rc;
    if (next == CLI_ARG_OPERAND) {
      if (file) return cli_usage_error("up", "one manifest at a time ('%s' and '%s')", file, p.operand);
      file = p.operand;
    } else if (p.opt->id == OPT_FOREGROUND) {
      o.foreground = true;
    } else if (p.opt->id == OPT_REPLAN) {
      o.replan = true;
    } else if (p.opt->id == OPT_HISTORY) {
      o.history = p.value;
    } else {
      char *end;
      unsigned long port = strtoul(p.value, &end, 10);
      if (!*p.value || *end || port < 1 || port > 65535)
        return cli_usage_error("up", "--metrics: '%s' is not a port from 1 to 65535", p.value);
      o.metrics_port = (unsigned)port;
    }
  }
  if (!file) return cli_usage_error("up", "missing APP.toml (an application manifest)");
  util_error err;
  util_error_clear(&err);
  if (!hybrid_up(file, &o, &err)) return fail("up", &err);
  return CLI_EXIT_OK;
}

/* weld diag --png FILE: the graph in DOT, rendered by Graphviz's dot into FILE. */
static int render_png(const char *dir, const char *file) {
  util_error err;
  util_error_clear(&err);
  FILE *dot = tmpfile();
  if (!dot) {
    fprintf(stderr, "weld: diag: cannot make a temporary file: %s\n", strerror(errno));
    return 1;
  }
  if (!hybrid_query(dir, "dot", dot, &err)) {
    fclose(dot);
    return fail("diag", &err);
  }
  fflush(dot);
  rewind(dot);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fileno(dot), 0);
    execlp("dot", "dot", "-Tpng", "-o", file, (char *)NULL);
    fprintf(stderr, "weld: diag: --png: not supported: Graphviz's dot is not installed (Debian: graphviz): %s\n",
            strerror(errno));
    _exit(127);
  }
  int st = 0;
  bool ok = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
  fclose(dot);
  if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127) return CLI_EXIT_USAGE;
  if (!ok) {
    fprintf(stderr, "weld: diag: --png: dot could not write '%s'\n", file);
    unlink(file);
    return 1;
  }
  return CLI_EXIT_OK;
}

static int query(const char *cmd, const char *what, int argc, char **argv) {
  static const cli_opt none[] = {{"--mermaid", "", "", OPT_MERMAID},
                                 {"--prometheus", "", "", OPT_PROMETHEUS},
                                 {"--dot", "", "", OPT_DOT},
                                 {"--png", "", "FILE", OPT_PNG},
                                 {"--otel", "", "", OPT_OTEL}};
  bool diag = !strcmp(cmd, "diag");
  cli_parser p;
  cli_parser_init(&p, cmd, none, diag ? 5 : 0, argc, argv);
  const char *app = NULL, *png = NULL;
  int seen[16] = {0};
  int next;
  while ((next = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return p.rc;
    if (next == CLI_ARG_OPERAND) {
      if (app) return cli_usage_error(cmd, "one application at a time ('%s' and '%s')", app, p.operand);
      app = p.operand;
      continue;
    }
    seen[p.opt->id] = 1;
    if (p.opt->id == OPT_PNG) png = p.value;
  }
  if (seen[OPT_MERMAID] + seen[OPT_PROMETHEUS] + seen[OPT_DOT] + seen[OPT_PNG] + seen[OPT_OTEL] > 1)
    return cli_usage_error(cmd, "one of --mermaid, --prometheus, --dot, --png and --otel");
  util_error err;
  util_error_clear(&err);
  char dir[4096];
  if (!hybrid_find(app, dir, sizeof dir, &err)) return fail(cmd, &err);
  if (png) return render_png(dir, png);
  if (seen[OPT_MERMAID]) what = "mermaid";
  else if (seen[OPT_PROMETHEUS]) what = "metrics";
  else if (seen[OPT_DOT]) what = "dot";
  else if (seen[OPT_OTEL]) what = "otel";
  if (!hybrid_query(dir, what, stdout, &err)) return fail(cmd, &err);
  return CLI_EXIT_OK;
}

int cli_cmd_ps(int argc, char **argv) { return query("ps", "ps", argc, argv); }
int cli_cmd_diag(int argc, char **argv) { return query("diag", "diag", argc, argv); }

int cli_cmd_logs(int argc, char **argv) {
  static const cli_opt opts[] = {{"--follow", "-f", "", OPT_FOLLOW}, {"--app", "", "NAME", OPT_APP}};
  cli_parser p;
  cli_parser_init(&p, "logs", opts, 2, argc, argv);
  const char *svc = NULL, *app = NULL;
  bool follow = false;
  int next;
  while ((next = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (next == CLI_ARG_EXIT) return p.rc;
    if (next == CLI_ARG_OPERAND) {
      if (svc) return cli_usage_error("logs", "one service at a time ('%s' and '%s')", svc, p.operand);
      svc = p.operand;
    } else if (p.opt->id == OPT_FOLLOW) {
      follow = true;
    } else {
      app = p.value;
    }
  }
  if (!svc) return cli_usage_error("logs", "missing SERVICE");
  util_error err;
  util_error_clear(&err);
  char dir[4096];
  if (!hybrid_find(app, dir, sizeof dir, &err)) return fail("logs", &err);
  if (!hybrid_logs(dir, svc, follow, stdout, &err)) return fail("logs", &err);
  return CLI_EXIT_OK;
}

int cli_cmd_down(int argc, char **argv) {
  cli_parser p;
  cli_parser_init(&p, "down", NULL, 0, argc, argv);
  const char *app = NULL;
  int rc = one_operand(&p, "down", &app, NULL);
  if (rc >= 0) return rc;
  util_error err;
  util_error_clear(&err);
  char dir[4096];
  if (!hybrid_find(app, dir, sizeof dir, &err)) return fail("down", &err);
  if (!hybrid_down(dir, stdout, &err)) return fail("down", &err);
  return CLI_EXIT_OK;
}
