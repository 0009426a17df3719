/* Reading modules from files or stdin, and reporting why one is rejected. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool cli_is_option(const char *arg) { return arg[0] == '-' && arg[1] != '\0'; }

const char *cli_display_name(const char *path) { return strcmp(path, "-") == 0 ? "<stdin>" : path; }

void cli_print_module_error(const char *path, const util_error *err) {
  char buf[400];
  fprintf(stderr, "weld: %s: %s\n", cli_display_name(path), util_error_format(err, buf, sizeof buf));
}

int cli_load_module(const char *path, wasm_module **out) {
  util_error err;
  uint8_t *bytes;
  size_t len;
  *out = NULL;
  util_error_clear(&err);
  if (!util_read_file(path, &bytes, &len, &err)) {
    /* The I/O message already names the file. */
    fprintf(stderr, "weld: %s\n", err.msg);
    return CLI_EXIT_USAGE;
  }
  wasm_module *m = wasm_decode(bytes, len, &err);
  free(bytes);
  if (!m) {
    cli_print_module_error(path, &err);
    return CLI_EXIT_BAD_MODULE;
  }
  *out = m;
  return CLI_EXIT_OK;
}
