/* `weld compose`: a root component with its imports plugged by other components' exports,
 * written as one new component (src/component/compose.c; docs/components.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "component/component.h"
#include "component/compose.h"
#include "text/text.h"

enum { O_PLUG, O_OUT };

static const cli_opt compose_opts[] = {
    {"--plug", "", "FILE", O_PLUG},
    {"--output", "-o", "FILE", O_OUT},
};

/* A component's bytes: binary as read, text encoded. Else the exit status, with a message
 * printed (an unreadable file is a usage error, as everywhere). */
static int read_input(const char *path, comp_compose_input *in, uint8_t **owned) {
  util_error err;
  uint8_t *bytes;
  size_t len;
  *owned = NULL;
  if (!cli_read_component(path, &bytes, &len, &err)) {
    if (bytes) {
      fprintf(stderr, "weld: compose: %s: not a component\n", cli_display_name(path));
      free(bytes);
      return CLI_EXIT_BAD_MODULE;
    }
    fprintf(stderr, "weld: %s\n", err.msg);
    return CLI_EXIT_USAGE;
  }
  if (!text_is_binary(bytes, len)) {
    uint8_t *bin;
    size_t n;
    bool ok = text_component_to_binary((const char *)bytes, len, &bin, &n, &err);
    free(bytes);
    if (!ok) {
      cli_print_module_error(path, &err);
      return CLI_EXIT_BAD_MODULE;
    }
    bytes = bin;
    len = n;
  }
  *owned = bytes;
  in->name = cli_display_name(path);
  in->bytes = bytes;
  in->len = len;
  return CLI_EXIT_OK;
}

static bool write_file(const char *path, const uint8_t *p, size_t n) {
  /* written beside the target and renamed: a reader never sees half a file */
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) return false;
  bool ok = fwrite(p, 1, n, f) == n;
  if (fclose(f) != 0) ok = false;
  if (ok && rename(tmp, path) != 0) ok = false;
  if (!ok) remove(tmp);
  return ok;
}

int cli_cmd_compose(int argc, char **argv) {
  const char *out = NULL;
  const char **paths = calloc((size_t)argc + 1, sizeof *paths);
  if (!paths) {
    fprintf(stderr, "weld: compose: out of memory\n");
    return CLI_EXIT_USAGE;
  }
  size_t n = 1; /* paths[0]: the root */
  cli_parser p;
  cli_parser_init(&p, "compose", compose_opts, sizeof compose_opts / sizeof compose_opts[0], argc, argv);
  int r, rc = CLI_EXIT_OK;
  while ((r = cli_parser_next(&p)) != CLI_ARG_DONE) {
    if (r == CLI_ARG_EXIT) {
      free(paths);
      return p.rc;
    }
    if (r == CLI_ARG_OPERAND) {
      if (paths[0]) {
        rc = cli_usage_error("compose", "one root component ('%s' and '%s'); plugs come with --plug", paths[0],
                             p.operand);
        free(paths);
        return rc;
      }
      paths[0] = p.operand;
    } else if (p.opt->id == O_PLUG) {
      paths[n++] = p.value;
    } else {
      out = p.value;
    }
  }
  if (!paths[0]) rc = cli_usage_error("compose", "no root component given");
  else if (n == 1) rc = cli_usage_error("compose", "no --plug given");
  else if (!out) rc = cli_usage_error("compose", "no output file given (-o FILE)");
  if (rc != CLI_EXIT_OK) {
    free(paths);
    return rc;
  }
  comp_compose_input *in = calloc(n, sizeof *in);
  uint8_t **owned = calloc(n, sizeof *owned);
  if (!in || !owned) {
    fprintf(stderr, "weld: compose: out of memory\n");
    rc = CLI_EXIT_USAGE;
  }
  for (size_t i = 0; rc == CLI_EXIT_OK && i < n; i++)
    rc = read_input(paths[i], &in[i], &owned[i]);
  if (rc == CLI_EXIT_OK) {
    util_buf result = {0};
    char why[2048];
    if (!comp_compose(in, n, &result, why, sizeof why)) {
      fprintf(stderr, "weld: compose: %s\n", why);
      rc = CLI_EXIT_BAD_MODULE;
    } else if (!write_file(out, result.p, result.len)) {
      fprintf(stderr, "weld: compose: cannot write %s\n", out);
      rc = CLI_EXIT_USAGE;
    }
    util_buf_free(&result);
  }
  for (size_t i = 0; owned && i < n; i++) free(owned[i]);
  free(owned);
  free(in);
  free(paths);
  return rc;
}
