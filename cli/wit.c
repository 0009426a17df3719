/* weld wit: WIT packages — check, print (WIT files and directories, and components),
 * bindgen (C guest bindings). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "wit/wit.h"

enum { OPT_WORLD, OPT_LANG, OPT_OUT };

static const cli_opt check_opts[] = {{"--quiet", "-q", "", 0}};
static const cli_opt bindgen_opts[] = {
    {"--world", "", "W", OPT_WORLD}, {"--lang", "", "LANG", OPT_LANG}, {"--out-dir", "-o", "DIR", OPT_OUT}};

static int wit_error(const util_error *err) {
  fprintf(stderr, "weld: %s\n", err->msg);
  return err->kind == UTIL_ERR_IO ? CLI_EXIT_USAGE : CLI_EXIT_BAD_MODULE;
}

static int cmd_check_print(int argc, char **argv, bool print) {
  const char *path = NULL;
  bool quiet = false;
  int r;
  cli_parser p;
  cli_parser_init(&p, print ? "wit print" : "wit check", check_opts, print ? 0 : 1, argc, argv);
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPTION) quiet = true;
    else if (path) return cli_usage_error(print ? "wit print" : "wit check", "one PATH only");
    else path = p.operand;
  }
  if (r == CLI_ARG_EXIT) return p.rc;
  if (!path) return cli_usage_error(print ? "wit print" : "wit check", "missing PATH");
  util_error err;
  if (print) {
    uint8_t *bytes;
    size_t len;
    if (cli_read_component(path, &bytes, &len, &err)) {
      util_buf out = {0};
      bool ok = wit_print_component(bytes, len, &out, &err);
      free(bytes);
      if (!ok) {
        util_buf_free(&out);
        char b[320];
        fprintf(stderr, "weld: %s: %s\n", cli_display_name(path), util_error_format(&err, b, sizeof b));
        return CLI_EXIT_BAD_MODULE;
      }
      fwrite(out.p, 1, out.len, stdout);
      util_buf_free(&out);
      return CLI_EXIT_OK;
    }
    if (bytes && len >= 4 && memcmp(bytes, "\0asm", 4) == 0) {
      free(bytes);
      fprintf(stderr, "weld: %s: a core module, not a component: it has no WIT world\n", cli_display_name(path));
      return CLI_EXIT_BAD_MODULE;
    }
    free(bytes);
  }
  wit_set *s = wit_load(path, &err);
  if (!s) return wit_error(&err);
  if (print) {
    util_buf out = {0};
    if (!wit_print(s, &out)) {
      util_buf_free(&out);
      wit_set_free(s);
      fprintf(stderr, "weld: out of memory\n");
      return CLI_EXIT_BAD_MODULE;
    }
    fwrite(out.p, 1, out.len, stdout);
    util_buf_free(&out);
  } else if (!quiet) {
    util_buf name = {0};
    wit_print_pkg_name(s->main, &name);
    printf("%s: valid (package %s)\n", path, name.oom ? "?" : (const char *)name.p);
    util_buf_free(&name);
  }
  wit_set_free(s);
  return CLI_EXIT_OK;
}

static int cmd_bindgen(int argc, char **argv) {
  const char *path = NULL, *world = NULL, *lang = NULL, *out = NULL;
  int r;
  cli_parser p;
  cli_parser_init(&p, "wit bindgen", bindgen_opts, 3, argc, argv);
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE && r != CLI_ARG_EXIT) {
    if (r == CLI_ARG_OPERAND) {
      if (path) return cli_usage_error("wit bindgen", "one PATH only");
      path = p.operand;
    } else if (p.opt->id == OPT_WORLD) {
      world = p.value;
    } else if (p.opt->id == OPT_LANG) {
      lang = p.value;
    } else {
      out = p.value;
    }
  }
  if (r == CLI_ARG_EXIT) return p.rc;
  if (!path) return cli_usage_error("wit bindgen", "missing PATH");
  if (!lang) return cli_usage_error("wit bindgen", "missing --lang");
  if (!out) return cli_usage_error("wit bindgen", "missing -o DIR");
  if (strcmp(lang, "c") != 0) {
    fprintf(stderr, "weld: wit bindgen: not supported: --lang %s (only c is planned)\n", lang);
    return CLI_EXIT_BAD_MODULE;
  }
  util_error err;
  wit_set *s = wit_load(path, &err);
  if (!s) return wit_error(&err);
  wit_world *w = wit_find_world(s, world, &err);
  if (!w) {
    wit_set_free(s);
    fprintf(stderr, "weld: wit bindgen: %s\n", err.msg);
    return CLI_EXIT_USAGE;
  }
  util_buf h = {0}, c = {0};
  int rc = CLI_EXIT_OK;
  if (!wit_bindgen_c(w, &h, &c, &err)) {
    fprintf(stderr, "weld: wit bindgen: %s\n", err.msg);
    rc = CLI_EXIT_BAD_MODULE;
  } else {
    char name[600], hp[4096], cp[4096];
    size_t i = 0;
    for (; w->name[i] && i + 1 < sizeof name; i++) name[i] = w->name[i] == '-' ? '_' : w->name[i];
    name[i] = 0;
    snprintf(hp, sizeof hp, "%s/%s.h", out, name);
    snprintf(cp, sizeof cp, "%s/%s.c", out, name);
    /* DIR is made when missing (its parent must exist) */
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
      fprintf(stderr, "weld: wit bindgen: %s: cannot make the directory: %s\n", out, strerror(errno));
      rc = CLI_EXIT_USAGE;
    } else if (!cli_write_file(hp, h.p, h.len) || !cli_write_file(cp, c.p, c.len)) {
      fprintf(stderr, "weld: wit bindgen: %s: cannot write\n", out);
      rc = CLI_EXIT_USAGE;
    }
  }
  util_buf_free(&h);
  util_buf_free(&c);
  wit_set_free(s);
  return rc;
}

int cli_cmd_wit(int argc, char **argv) {
  if (argc < 2) return cli_usage_error("wit", "missing SUBCOMMAND (check, print, bindgen)");
  const char *sub = argv[1];
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    cli_print_command_help(stdout, cli_find_command("wit"));
    return CLI_EXIT_OK;
  }
  if (strcmp(sub, "check") == 0) return cmd_check_print(argc - 1, argv + 1, false);
  if (strcmp(sub, "print") == 0) return cmd_check_print(argc - 1, argv + 1, true);
  if (strcmp(sub, "bindgen") == 0) return cmd_bindgen(argc - 1, argv + 1);
  return cli_usage_error("wit", "unknown subcommand `%s` (check, print, bindgen)", sub);
}
